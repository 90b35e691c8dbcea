"""Prospect rows are scored by the same criteria as stored accounts (a row equal to an account gets the same
score), `flask icp score` writes the scored file, and the sorting quality matches hand-counted tiers with
Wilson intervals from the closed form (Wilson 1927)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy.orm import Session

from ecp_tracker.domain.errors import ValidationError
from ecp_tracker.domain.roles import Role
from ecp_tracker.services.accounts import accounts, traits
from ecp_tracker.services.accounts.importing import jobs
from ecp_tracker.services.icp import prospects, quality, scoring, versions
from tests.conftest import TEST_ACTOR

TODAY = date(2026, 11, 1)
BODY = {
    "name": "Prospects",
    "criteria": [
        {"trait": "archetype", "value": "Game changer", "points": 40},
        {"trait": "size_band", "value": "11-50", "points": 15},
        {"trait": "trait:seats", "min": 10, "max": 100, "points": 10},
        {"trait": "trait:stack", "value": "Snowflake", "points": 5},
        {"trait": "discount_band", "value": "none", "points": 1},
        {"trait": "industry", "value": "Gambling", "exclude": True},
    ],
    "tiers": [{"name": "A", "min_score": 60}, {"name": "B", "min_score": 30}, {"name": "C", "min_score": 0}],
}


@pytest.fixture
def version(db_session: Session):
    traits.create_definition(db_session, TEST_ACTOR, label="Seats", kind="number")
    traits.create_definition(db_session, TEST_ACTOR, label="Stack", kind="tags")
    made = versions.create_draft(db_session, TEST_ACTOR, BODY)
    versions.activate(db_session, TEST_ACTOR, made.id)
    db_session.commit()
    return made


ROWS = [
    {"name": "Row One", "archetypes": "game changer", "employees": "20", "trait:seats": "50"},
    {"name": "Row Two", "employees": "500", "trait:seats": "150", "industry": "Gambling"},
    {"name": "Row Three", "archetypes": "Visionary founder", "trait:stack": "dbt"},
]
ROWS[0]["trait:stack"] = "Snowflake; dbt"


def as_csv(rows: list[dict[str, str]]) -> bytes:
    columns = ["name", "industry", "archetypes", "employees", "trait:seats", "trait:stack"]
    out = io.StringIO()
    writer = csv.DictWriter(out, columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def test_a_prospect_row_scores_as_the_same_stored_account(db_session, version):
    stored = {}
    for row in ROWS:
        account = accounts.create_account(db_session, TEST_ACTOR, row, today=TODAY)
        stored[row["name"]] = account.id
    db_session.commit()
    from_db = scoring.account_scores(db_session, list(stored.values()))
    scored = list(prospects.score_rows(db_session, TEST_ACTOR, io.BytesIO(as_csv(ROWS)), version))
    header, body = scored[0], scored[1:]
    at = {name: header.index(name) for name in prospects.SCORE_COLUMNS}
    for row in body:
        expected = from_db[stored[row[0]]]
        assert (int(row[at["icp_score"]]), row[at["icp_tier"]]) == (expected.score, expected.tier)
    assert [int(r[at["icp_score"]]) for r in body] == [71, 1, 1]  # 40+15+10+5+1; 1 (excluded); 1


def test_flask_icp_score_writes_the_file_and_refuses_a_bad_header(app, db_session, version, tmp_path):
    source = tmp_path / "prospects.csv"
    source.write_bytes(as_csv(ROWS))
    out = tmp_path / "scored.csv"
    result = app.test_cli_runner().invoke(args=["icp", "score", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r[-3] for r in rows[1:]] == ["A", "excluded", "C"]
    bad = tmp_path / "bad.csv"
    bad.write_text("nothing,here\n1,2\n")
    result = app.test_cli_runner().invoke(args=["icp", "score", str(bad)])
    assert result.exit_code == 1
    missing = app.test_cli_runner().invoke(args=["icp", "score", str(source), "--version", "9"])
    assert missing.exit_code == 1 and "no ICP version number 9" in missing.output


def test_score_file_writes_the_whole_file_and_reports_the_tiers(db_session, version, tmp_path):
    out = tmp_path / "scored.csv"
    report = prospects.score_file(db_session, TEST_ACTOR, io.BytesIO(as_csv(ROWS)), out, version)
    assert report == {"version": 1, "rows": 3, "unscored": 0, "tiers": {"A": 1, "C": 1, "excluded": 1}}
    assert [r[0] for r in csv.reader(io.StringIO(out.read_text(encoding="utf-8")))][1:] == [
        "Row One", "Row Two", "Row Three",
    ]  # fmt: skip
    assert not out.with_suffix(".part").exists()


def test_a_job_is_an_account_import_or_a_prospect_scoring_against_one_version(db_session, version, people):
    user = people[Role.EDITOR]
    common = {"filename": "f.csv", "preset": "auto", "date_format": None}
    with pytest.raises(ValidationError, match="accounts, prospects"):
        jobs.create_job(db_session, TEST_ACTOR, user, stored_name="a.csv", kind="invoices", **common)
    with pytest.raises(ValidationError, match="one ICP version"):
        jobs.create_job(db_session, TEST_ACTOR, user, stored_name="b.csv", kind="prospects", **common)
    job = jobs.create_job(
        db_session,
        TEST_ACTOR,
        user,
        stored_name="c.csv",
        kind="prospects",
        icp_version_id=version.id,
        **common,
    )
    assert (job.kind, job.status, job.running) == ("prospects", "scoring", True)


def test_sorting_quality_by_tier_with_wilson_intervals(db_session, version):
    def account(name: str, stage: str, **raw: str) -> None:
        converted = {"converted_on": "2026-06-01"} if stage == "customer" else {}
        accounts.create_account(
            db_session, TEST_ACTOR, {"name": name, "stage": stage, **converted, **raw}, today=TODAY
        )

    for i, stage in enumerate(["customer", "customer", "customer", "lost"]):  # tier A: 3 of 4 converted
        account(f"A{i}", stage, archetypes="Game changer", employees="20", **{"trait:seats": "50"})
    for i, stage in enumerate(["customer", "lost", "lost", "lost", "lost", "lost"]):  # tier C: 1 of 6
        account(f"C{i}", stage)
    account(
        "Still a prospect", "prospect", archetypes="Game changer", employees="20", **{"trait:seats": "50"}
    )
    db_session.commit()
    result = quality.sorting_quality(db_session, version)
    rows = {r.tier: r for r in result.in_sample.rows}
    assert (rows["A"].accounts, rows["A"].converted) == (4, 3)
    assert (rows["C"].accounts, rows["C"].converted) == (6, 1)
    assert rows["A"].rate.low == pytest.approx(0.30064, abs=1e-4)  # Wilson 95% for 3/4: 0.3006 to 0.9544
    assert rows["A"].rate.high == pytest.approx(0.95441, abs=1e-4)
    assert rows["C"].rate.low == pytest.approx(0.03005, abs=1e-4)  # 1/6: 0.0301 to 0.5635
    assert rows["C"].rate.high == pytest.approx(0.56350, abs=1e-4)
    assert result.in_sample.top_share_of_accounts == pytest.approx(0.4)
    assert result.in_sample.top_share_of_conversions == pytest.approx(0.75)
    assert result.in_sample.lift == pytest.approx(1.875)
    # every account here was recorded after the activation, so the out-of-time check counts them all
    assert result.out_of_time is not None and result.out_of_time.decided == 10
