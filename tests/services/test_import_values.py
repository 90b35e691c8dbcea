"""CRM picklist values import under one name: preset value maps, existing spellings, the workspace's map."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ecp_tracker.domain.errors import ValidationError
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Account, WorkspaceSetting
from ecp_tracker.services.accounts.importing import values
from ecp_tracker.services.accounts.importing.importer import ImportReport, import_accounts
from ecp_tracker.services.accounts.importing.value_maps import HUBSPOT_INDUSTRIES, VALUE_MAPS
from tests.conftest import TEST_ACTOR, add_user

DATA = Path(__file__).resolve().parents[1] / "data"
TODAY = date(2026, 11, 1)


def run(session: Session, raw: bytes, **options: object) -> ImportReport:
    report = import_accounts(session, TEST_ACTOR, io.BytesIO(raw), today=TODAY, **options)
    assert report.ok, report.problems
    session.commit()
    return report


def distinct(session: Session, column) -> list[str]:
    session.expire_all()
    return sorted(session.scalars(select(column).where(column.is_not(None)).distinct()))


@pytest.fixture
def owners(db_session: Session):
    add_user(db_session, Role.EDITOR, email="ada@ourstartup.example", name="Ada")
    add_user(db_session, Role.EDITOR, email="grace@ourstartup.example", name="Grace")


def test_every_sample_in_tests_data_imports_with_one_name_per_channel_and_industry(db_session, owners):
    for name in (
        "hubspot-companies.csv",
        "hubspot-companies-internal-values.csv",
        "salesforce-accounts-api.csv",
        "salesforce-accounts-report.csv",
    ):
        run(db_session, (DATA / name).read_bytes())
    assert distinct(db_session, Account.acquisition_channel) == [
        "Direct",  # DIRECT_TRAFFIC and "Direct Traffic"
        "Organic search",  # "Organic Search" and ORGANIC_SEARCH
        "Paid social",
        "Partner",  # Salesforce "Partner Referral"
        "Referral",  # "Referrals" and REFERRALS
        "Website",  # Salesforce "Web"
    ]
    assert distinct(db_session, Account.industry) == [
        "Computer Software",  # "Computer Software" and COMPUTER_SOFTWARE
        "Dairy",
        "Education",
        "Food & Beverages",
        "Healthcare",
        "Hospital & Health Care",
        "Logistics and Supply Chain",  # the label and LOGISTICS_AND_SUPPLY_CHAIN
    ]


def test_the_report_lists_each_file_value_with_what_it_becomes(db_session):
    report = run(db_session, (DATA / "hubspot-companies-internal-values.csv").read_bytes(), dry_run=True)
    channels = {v["value"]: (v["becomes"], v["how"], v["rows"]) for v in report.values["acquisition_channel"]}
    assert channels == {
        "DIRECT_TRAFFIC": ("Direct", values.BY_PRESET, 1),
        "Direct Traffic": ("Direct", values.BY_PRESET, 1),
        "REFERRALS": ("Referral", values.BY_PRESET, 1),
        "ORGANIC_SEARCH": ("Organic search", values.BY_PRESET, 1),
    }
    assert report.values["industry"][0]["becomes"] in {label for _, label in HUBSPOT_INDUSTRIES}


def test_a_value_takes_the_spelling_accounts_already_use(db_session):
    run(db_session, b"name,acquisition_channel,industry\nOld,Inbound content,SaaS\n")
    report = run(db_session, b"name,acquisition_channel,industry\nNew,INBOUND  content,saas\n")
    assert distinct(db_session, Account.acquisition_channel) == ["Inbound content"]
    assert distinct(db_session, Account.industry) == ["SaaS"]
    assert report.values["industry"] == [
        {"value": "saas", "becomes": "SaaS", "how": values.BY_EXISTING, "rows": 1}
    ]


def test_the_workspace_map_is_remembered_and_wins_over_the_preset(db_session):
    values.save_map(
        db_session,
        TEST_ACTOR,
        {"acquisition_channel": {"Referrals": "Word of mouth"}, "industry": {"Computer Software": "SaaS"}},
    )
    db_session.commit()
    stored = db_session.get(WorkspaceSetting, values.SETTING)
    assert stored.value == {
        "acquisition_channel": {"referrals": "Word of mouth"},
        "industry": {"computer software": "SaaS"},
    }
    owners_csv = (DATA / "hubspot-companies.csv").read_bytes().replace(b"ada@ourstartup.example", b"")
    owners_csv = owners_csv.replace(b"grace@ourstartup.example", b"")
    report = run(db_session, owners_csv)
    nordlys = db_session.scalar(select(Account).where(Account.name == "Nordlys Robotics"))
    assert (nordlys.acquisition_channel, nordlys.industry) == ("Word of mouth", "SaaS")
    assert {"value": "Referrals", "becomes": "Word of mouth", "how": values.BY_WORKSPACE, "rows": 1} in (
        report.values["acquisition_channel"]
    )
    # a preset's result can be mapped too: COMPUTER_SOFTWARE -> Computer Software -> SaaS
    run(db_session, b"Company name,Industry\nAurora,COMPUTER_SOFTWARE\n", preset="hubspot")
    assert db_session.scalar(select(Account.industry).where(Account.name == "Aurora")) == "SaaS"
    values.save_map(db_session, TEST_ACTOR, {"industry": {"Computer Software": ""}})  # forgets it
    assert values.saved_map(db_session)["industry"] == {}


def test_bad_value_map_input_is_refused_and_changes_nothing(db_session):
    with pytest.raises(ValidationError, match="'stage' has no value map"):
        values.save_map(db_session, TEST_ACTOR, {"stage": {"Lead": "prospect"}})
    with pytest.raises(ValidationError, match=r"Industry: .* longer than 120"):
        values.save_map(db_session, TEST_ACTOR, {"industry": {"x": "y" * 121}})
    assert db_session.get(WorkspaceSetting, values.SETTING) is None


def test_value_maps_are_data_with_one_name_per_value():
    for preset, fields in VALUE_MAPS.items():
        for name, table in fields.items():
            assert table, (preset, name)
            assert all(key == key.casefold().strip() for key in table), (preset, name)
    assert VALUE_MAPS["hubspot"]["industry"]["computer_software"] == "Computer Software"
    assert VALUE_MAPS["hubspot"]["acquisition_channel"]["referrals"] == "Referral"
    assert VALUE_MAPS["salesforce"]["acquisition_channel"]["partner referral"] == "Partner"
    assert len(HUBSPOT_INDUSTRIES) == len({internal for internal, _ in HUBSPOT_INDUSTRIES})
