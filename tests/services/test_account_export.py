"""CSV export of accounts: our own columns, streamed, formula cells neutralised, and a lossless round trip."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Account, AccountTrait, User, account_archetypes
from ecp_tracker.services.accounts import accounts, traits
from ecp_tracker.services.accounts.export import export_accounts, export_rows
from ecp_tracker.services.accounts.importing.importer import import_accounts
from ecp_tracker.services.accounts.importing.presets import DERIVED_COLUMNS, NATIVE_COLUMNS
from ecp_tracker.services.accounts.listing import AccountFilters
from tests.conftest import TEST_ACTOR, add_user

TODAY = date(2026, 11, 1)
TRAIT_COLUMNS = ["trait:seats", "trait:segment", "trait:stack", "trait:uses_sso"]
FORMULA_NAME = "=cmd|' /C calc'!A0"


@pytest.fixture
def workspace(db_session: Session) -> Session:
    """Four accounts using every column, archetypes, each kind of trait, and cells that look like formulas."""
    add_user(db_session, Role.EDITOR, email="ada@ourstartup.example", name="Ada")
    traits.create_definition(db_session, TEST_ACTOR, label="Uses SSO", kind="boolean")
    traits.create_definition(
        db_session, TEST_ACTOR, label="Segment", kind="category", allowed_values=["SMB", "Enterprise"]
    )
    traits.create_definition(db_session, TEST_ACTOR, label="Seats", kind="number")
    traits.create_definition(db_session, TEST_ACTOR, label="Stack", kind="tags")
    traits.set_archived(
        db_session,
        TEST_ACTOR,
        traits.create_definition(db_session, TEST_ACTOR, label="Old", kind="boolean").id,
        archived=True,
    )
    rows: list[dict[str, Any]] = [
        {
            "name": "Nordlys Robotics",
            "domain": "nordlys.example",
            "industry": "Computer Software",
            "employees": "38",
            "annual_revenue": "2100000",
            "founded_year": "2019",
            "country": "Norway",
            "region": "Oslo",
            "acquisition_channel": "Referrals",
            "stage": "churned",
            "converted_on": "2026-01-10",
            "churned_on": "2026-06-01",
            "contract_value": "12000.50",
            "nps": "9",
            "referrals": "2",
            "owner": "ada@ourstartup.example",
            "notes": 'Line one\nLine, two "quoted"\n\n- a bullet',
            "archetypes": "Tech enthusiast; Game changer",
            "trait:uses_sso": "yes",
            "trait:segment": "Enterprise",
            "trait:seats": "12.5",
            "trait:stack": "python; postgres",
        },
        {
            "name": FORMULA_NAME,
            "industry": "@risk",
            "region": "+44 area",
            "notes": "-5% discount agreed",
            "stage": "pilot",
            "trait:uses_sso": "no",
            "trait:stack": "=HYPERLINK",
        },
        {"name": "'=already quoted", "acquisition_channel": "'plain", "stage": "lost"},
        {"name": "Bare Co"},
    ]
    for raw in rows:
        accounts.create_account(db_session, TEST_ACTOR, raw, today=TODAY)
    archived = accounts.create_account(db_session, TEST_ACTOR, {"name": "Archived Ltd"}, today=TODAY)
    accounts.set_archived(db_session, TEST_ACTOR, archived.id, archived=True)
    db_session.commit()
    return db_session


def exported(session: Session, filters: AccountFilters | None = None) -> str:
    return "".join(export_rows(session, filters or AccountFilters()))


def parsed(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def snapshot(session: Session) -> dict[str, dict[str, Any]]:
    """Every exported fact of every active account, by name."""
    session.expire_all()
    emails = {r.id: r.email for r in session.execute(select(User.id, User.email))}
    result = {}
    for account in session.scalars(select(Account).where(Account.archived_at.is_(None))):
        values = {c: getattr(account, c) for c in NATIVE_COLUMNS if c not in {"archetypes", "owner"}}
        values["archetypes"] = sorted(a.name for a in account.archetypes)
        values["owner"] = emails.get(account.owner_id)
        trait_values: dict[str, list[str]] = {}
        for trait in account.traits:
            trait_values.setdefault(trait.definition.key, []).append(trait.value)
        values["traits"] = {k: sorted(v) for k, v in trait_values.items()}
        result[account.name] = values
    return result


def reimport(session: Session, text: str):
    report = import_accounts(session, TEST_ACTOR, io.BytesIO(text.encode("utf-8")), today=TODAY)
    assert report.ok, report.problems
    session.commit()
    return report


def test_header_is_the_native_columns_then_active_traits_then_the_icp_columns(workspace):
    chunks = list(export_rows(workspace, AccountFilters()))
    assert chunks[0] == ",".join([*NATIVE_COLUMNS, *TRAIT_COLUMNS, *DERIVED_COLUMNS]) + "\r\n"
    assert len(parsed("".join(chunks))) == 4  # the archived account is left out


def test_values_are_written_in_import_format(workspace):
    row = next(r for r in parsed(exported(workspace)) if r["name"] == "Nordlys Robotics")
    assert row["annual_revenue"] == "2100000.00"
    assert row["contract_value"] == "12000.50"
    assert (row["converted_on"], row["churned_on"]) == ("2026-01-10", "2026-06-01")
    assert row["archetypes"] == "Game changer; Tech enthusiast"
    assert row["owner"] == "ada@ourstartup.example"
    assert row["notes"] == 'Line one\nLine, two "quoted"\n\n- a bullet'
    assert (row["trait:uses_sso"], row["trait:segment"], row["trait:seats"]) == ("yes", "Enterprise", "12.5")
    assert row["trait:stack"] == "python; postgres"
    bare = next(r for r in parsed(exported(workspace)) if r["name"] == "Bare Co")
    assert bare["employees"] == "" and bare["stage"] == "prospect" and bare["trait:stack"] == ""


def test_formula_cells_are_neutralised(workspace):
    rows = {r["name"]: r for r in parsed(exported(workspace))}
    formula = rows["'" + FORMULA_NAME]
    assert formula["industry"] == "'@risk"
    assert formula["region"] == "'+44 area"
    assert formula["notes"] == "'-5% discount agreed"
    assert formula["trait:stack"] == "'=HYPERLINK"
    quoted = rows["''=already quoted"]  # a quote before a formula character is quoted once more
    assert quoted["acquisition_channel"] == "'plain"  # not a formula: unchanged
    for row in rows.values():
        for value in row.values():
            assert not value or value[0] not in "=+-@\t\r"


def test_reimporting_an_export_changes_nothing(workspace):
    before = snapshot(workspace)
    report = reimport(workspace, exported(workspace))
    assert (report.rows, report.created, report.updated, report.unchanged) == (4, 0, 0, 4)
    assert snapshot(workspace) == before


def test_an_export_reimports_to_identical_data(workspace):
    before = snapshot(workspace)
    text = exported(workspace)
    workspace.execute(delete(AccountTrait))
    workspace.execute(delete(account_archetypes))
    workspace.execute(delete(Account).where(Account.archived_at.is_(None)))
    workspace.commit()
    assert snapshot(workspace) == {}
    report = reimport(workspace, text)
    assert report.created == 4
    assert report.new_traits == []
    after = snapshot(workspace)
    assert after == before
    assert after[FORMULA_NAME]["notes"] == "-5% discount agreed"
    assert after["Nordlys Robotics"]["archetypes"] == ["Game changer", "Tech enthusiast"]
    assert after["Nordlys Robotics"]["traits"]["stack"] == ["postgres", "python"]


def test_filters_apply_to_the_export(workspace):
    names = [r["name"] for r in parsed(exported(workspace, AccountFilters(stage=("churned", "lost"))))]
    assert names == ["''=already quoted", "Nordlys Robotics"]
    names = [r["name"] for r in parsed(exported(workspace, AccountFilters(archetype=("game changer",))))]
    assert names == ["Nordlys Robotics"]
    names = [r["name"] for r in parsed(exported(workspace, AccountFilters(include_archived=True)))]
    assert "Archived Ltd" in names


def test_export_accounts_writes_to_a_file_and_counts(workspace):
    out = io.StringIO(newline="")
    assert export_accounts(workspace, AccountFilters(), out) == 4
    assert out.getvalue() == exported(workspace)


def test_large_exports_are_streamed_in_chunks(db_session):
    names = "".join(f"Company {i:04}\n" for i in range(1200))
    reimport(db_session, "name\n" + names)
    chunks = list(export_rows(db_session, AccountFilters()))
    assert len(chunks) == 4  # the header, then 500 + 500 + 200 rows
    assert [c.count("\r\n") for c in chunks] == [1, 500, 500, 200]
    assert chunks[1].startswith("Company 0000,")
