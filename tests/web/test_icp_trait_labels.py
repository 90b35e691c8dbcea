"""Traits are shown by their label from the trait vocabulary, never by their raw key (`trait:seat_count`,
`size_band`): the version page, the diff, the preview, the one-page ICP (HTML and Markdown), the account page
and list, the account export and a scored prospect list."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy.orm import Session

from ecp_tracker.domain.roles import Role
from ecp_tracker.services.accounts import accounts, traits
from ecp_tracker.services.icp import versions
from tests.conftest import TEST_ACTOR

TODAY = date(2026, 11, 1)
TIERS = [{"name": "A", "min_score": 30}, {"name": "B", "min_score": 0}]
FIRST = [
    {"trait": "trait:seat_count", "min": 10, "max": 100, "points": 20},
    {"trait": "size_band", "value": "51-200", "points": 15},
]
SECOND = [*FIRST, {"trait": "trait:funding_round", "value": "Seed", "points": 10}]
SECOND_TIERS = [{"name": "A", "min_score": 50}, {"name": "B", "min_score": 0}]  # Label Co: A (35) -> B (45)


@pytest.fixture
def scored(db_session: Session) -> int:
    traits.create_definition(db_session, TEST_ACTOR, label="Seats bought", key="seat_count", kind="number")
    traits.create_definition(
        db_session,
        TEST_ACTOR,
        label="Funding round",
        key="funding_round",
        kind="category",
        allowed_values=["Seed", "Series A"],
    )
    db_session.commit()
    account = accounts.create_account(
        db_session,
        TEST_ACTOR,
        {"name": "Label Co", "employees": "80", "trait:seat_count": "40", "trait:funding_round": "Seed"},
        today=TODAY,
    )
    first = versions.create_draft(db_session, TEST_ACTOR, {"name": "One", "criteria": FIRST, "tiers": TIERS})
    versions.activate(db_session, TEST_ACTOR, first.id)
    versions.create_draft(db_session, TEST_ACTOR, {"name": "Two", "criteria": SECOND, "tiers": SECOND_TIERS})
    db_session.commit()
    return account.id


def assert_labels_not_keys(text: str) -> None:
    assert "Seats bought" in text and "Company size" in text
    assert "trait:seat_count" not in text and "size_band" not in text


def test_icp_pages_show_trait_labels(client_as, scored):
    viewer = client_as(Role.VIEWER)
    assert_labels_not_keys(viewer.get("/icp/1").get_data(as_text=True))
    assert_labels_not_keys(viewer.get("/icp/1/one-page").get_data(as_text=True))
    markdown = viewer.get("/icp/1/one-page.md").get_data(as_text=True)
    assert "| Seats bought | 10 to 100 | +20 |" in markdown and "| Company size | 51-200 | +15 |" in markdown
    diff = viewer.get("/icp/diff?from=1&to=2").get_data(as_text=True)
    assert "Funding round = Seed" in diff and "trait:funding_round" not in diff
    preview = viewer.get("/icp/2/preview").get_data(as_text=True)
    assert "Funding round=Seed" in preview and "trait:funding_round" not in preview


def test_account_page_list_and_export_show_trait_labels(client_as, scored):
    viewer = client_as(Role.VIEWER)
    page = viewer.get(f"/accounts/{scored}").get_data(as_text=True)
    assert "<td>Seats bought</td>" in page and "<td>Company size</td>" in page
    listing = viewer.get("/accounts/?sort=-score").get_data(as_text=True)
    assert "Seats bought=10 to 100 +20; Company size=51-200 +15" in listing
    exported = viewer.get("/accounts/export.csv").get_data(as_text=True)
    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["icp_reasons"] == "Seats bought=10 to 100 (+20); Company size=51-200 (+15)"
    assert row["trait:seat_count"] == "40"  # the column itself keeps the key, so the file re-imports


def test_a_scored_prospect_list_shows_trait_labels(app, scored, tmp_path):
    source = tmp_path / "prospects.csv"
    source.write_text("name,employees,trait:seat_count\nProspect Co,60,12\n", encoding="utf-8")
    out = tmp_path / "scored.csv"
    result = app.test_cli_runner().invoke(args=["icp", "score", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert row["icp_reasons"] == "Seats bought=10 to 100 (+20); Company size=51-200 (+15)"
