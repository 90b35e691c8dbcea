"""`flask pilots criteria | edit-criterion | amend`, `flask export pilots`, and the demo's pilots and
discounts: exit codes (0 done, 1 refused with one line on stderr, 2 usage), nothing written when refused."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecp_tracker.demo import history as demo_history
from ecp_tracker.demo import workspace as demo
from ecp_tracker.domain.pilots import PilotStatus
from ecp_tracker.models import (
    Account,
    AuditEvent,
    CriterionAmendment,
    Discount,
    GiveGet,
    Milestone,
    Pilot,
    SuccessCriterion,
)
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.accounts import accounts
from ecp_tracker.services.pilots import pilots
from tests.conftest import TEST_ACTOR

TODAY = utcnow().date()
LATENCY = {
    "description": "p95 latency of their dashboards",
    "metric": "p95 query latency",
    "target": "300",
    "unit": "ms",
    "direction": "at_most",
}
ANALYSTS = {"description": "Weekly active analysts", "metric": "weekly active analysts", "target": "8"}


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def state(session: Session) -> tuple[Any, ...]:
    session.expire_all()
    return (
        session.scalar(select(func.count(AuditEvent.id))),
        session.execute(
            select(
                SuccessCriterion.id,
                SuccessCriterion.description,
                SuccessCriterion.metric,
                SuccessCriterion.target,
                SuccessCriterion.unit,
                SuccessCriterion.direction,
                SuccessCriterion.version,
            ).order_by(SuccessCriterion.id)
        ).all(),
        session.scalar(select(func.count(CriterionAmendment.id))),
    )


def one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


@pytest.fixture
def account(db_session: Session) -> Account:
    made = accounts.create_account(db_session, TEST_ACTOR, {"name": "Acme Analytics"}, today=TODAY)
    db_session.commit()
    return made


def make_pilot(
    session: Session, account: Account, *, start: bool, name: str = "Warehouse sync pilot"
) -> Pilot:
    pilot = pilots.create_pilot(
        session,
        TEST_ACTOR,
        account.id,
        {
            "name": name,
            "start_date": TODAY - timedelta(days=5),
            "planned_end_date": TODAY + timedelta(days=30),
        },
    )
    for criterion in (LATENCY, ANALYSTS):
        pilots.add_criterion(session, TEST_ACTOR, pilot.id, criterion)
    if start:
        pilots.transition(session, TEST_ACTOR, pilot.id, "active")
    session.commit()
    return pilot


def criterion_of(session: Session, pilot: Pilot, index: int = 0) -> SuccessCriterion:
    session.expire_all()
    return pilots.get_pilot(session, pilot.id).criteria[index]


# --- edit-criterion ---------------------------------------------------------------------------------------


def test_edit_criterion_while_planned(runner, db_session, account):
    pilot = make_pilot(db_session, account, start=False)
    criterion = criterion_of(db_session, pilot)
    result = runner.invoke(
        args=["pilots", "edit-criterion", str(criterion.id), "--target", "250", "--unit", "milliseconds"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Saved criterion {criterion.id}: p95 query latency ≤ 250 milliseconds."
    got = criterion_of(db_session, pilot)
    assert (got.target, got.unit, got.version, got.amendments) == (250, "milliseconds", 2, [])
    event = db_session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert (event.entity, event.actor_label, event.changes["target"]) == (
        "success_criterion",
        "cli",
        ["300.0000", "250"],
    )


def test_edit_criterion_of_a_started_pilot_is_refused_and_says_to_amend(runner, db_session, account):
    pilot = make_pilot(db_session, account, start=True)
    criterion = criterion_of(db_session, pilot)
    before = state(db_session)
    for options in (["--target", "999"], ["--description", "Quietly easier"], ["--direction", "at_least"]):
        result = runner.invoke(args=["pilots", "edit-criterion", str(criterion.id), *options])
        assert result.exit_code == 1, result.output
        line = one_error_line(result)
        assert "amendment" in line and f"flask pilots amend {criterion.id} --reason" in line
        assert result.stdout == ""
    assert state(db_session) == before


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--target", "fast"], "target: Enter the target as a number"),
        (["--metric", " "], "metric: Enter the metric"),
    ],
)
def test_edit_criterion_refuses_bad_values(runner, db_session, account, options, words):
    pilot = make_pilot(db_session, account, start=False)
    criterion = criterion_of(db_session, pilot)
    before = state(db_session)
    result = runner.invoke(args=["pilots", "edit-criterion", str(criterion.id), *options])
    assert result.exit_code == 1
    assert words in one_error_line(result)
    assert state(db_session) == before


def test_edit_criterion_usage_errors(runner, db_session, account):
    pilot = make_pilot(db_session, account, start=False)
    criterion = criterion_of(db_session, pilot)
    before = state(db_session)
    for args in (
        ["pilots", "edit-criterion", str(criterion.id)],  # nothing to change
        ["pilots", "edit-criterion", str(criterion.id), "--direction", "sideways"],
        ["pilots", "edit-criterion", "abc", "--target", "1"],
        ["pilots", "edit-criterion"],
    ):
        assert runner.invoke(args=args).exit_code == 2, args
    missing = runner.invoke(args=["pilots", "edit-criterion", "999999", "--target", "1"])
    assert missing.exit_code == 1
    assert "no success criterion with id 999999" in one_error_line(missing)
    assert state(db_session) == before


# --- amend ------------------------------------------------------------------------------------------------


def test_amend_keeps_the_registered_terms(runner, db_session, account):
    pilot = make_pilot(db_session, account, start=True)
    criterion = criterion_of(db_session, pilot, 1)
    result = runner.invoke(
        args=[
            "pilots",
            "amend",
            str(criterion.id),
            "--reason",
            "Two analysts left their team in week two.",
            "--target",
            "6",
        ]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Amended criterion {criterion.id}: target 8 -> 6."
    got = criterion_of(db_session, pilot, 1)
    assert got.target == 8
    assert pilots.effective_terms(got).target == 6
    assert [(a.reason, a.amended_by_label) for a in got.amendments] == [
        ("Two analysts left their team in week two.", "cli")
    ]

    listing = runner.invoke(args=["pilots", "criteria", str(pilot.id)])
    assert listing.exit_code == 0, listing.output
    text = listing.stdout
    assert f"Pilot {pilot.id} Warehouse sync pilot (Acme Analytics), active; criteria frozen" in text
    assert f"[{criterion.id}] weekly active analysts ≥ 6" in text
    assert "registered: weekly active analysts ≥ 8" in text
    assert "target 8 -> 6 (reason: Two analysts left their team in week two.)" in text
    assert "p95 query latency ≤ 300 ms" in text


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--reason", "why", "--target", "5"], 1, "reason: Say why"),
        (["--reason", "A proper reason.", "--target", "300.000"], 1, "changes nothing"),
        (["--reason", "A proper reason.", "--target", "soon"], 1, "target: Enter the target"),
        (["--target", "5"], 2, None),  # --reason is required
        (["--reason", "A proper reason."], 2, None),  # nothing to change
    ],
)
def test_amend_refusals(runner, db_session, account, args, code, words):
    pilot = make_pilot(db_session, account, start=True)
    criterion = criterion_of(db_session, pilot)
    before = state(db_session)
    result = runner.invoke(args=["pilots", "amend", str(criterion.id), *args])
    assert result.exit_code == code, result.output
    if words:
        assert words in one_error_line(result)
    assert state(db_session) == before


def test_a_planned_pilot_is_edited_not_amended(runner, db_session, account):
    pilot = make_pilot(db_session, account, start=False)
    criterion = criterion_of(db_session, pilot)
    before = state(db_session)
    result = runner.invoke(
        args=["pilots", "amend", str(criterion.id), "--reason", "Early change.", "--target", "5"]
    )
    assert result.exit_code == 1
    assert "edit the criterion itself" in one_error_line(result)
    assert state(db_session) == before
    listing = runner.invoke(args=["pilots", "criteria", str(pilot.id)])
    assert "editable until it starts" in listing.stdout


def test_criteria_of_a_missing_pilot(runner, db_session):
    result = runner.invoke(args=["pilots", "criteria", "999999"])
    assert result.exit_code == 1
    assert one_error_line(result) == "Error: There is no pilot with id 999999."
    assert runner.invoke(args=["pilots", "criteria"]).exit_code == 2


def test_a_pilot_without_criteria(runner, db_session, account):
    pilot = pilots.create_pilot(db_session, TEST_ACTOR, account.id, {"name": "Bare"})
    db_session.commit()
    result = runner.invoke(args=["pilots", "criteria", str(pilot.id)])
    assert result.exit_code == 0
    assert "No success criteria yet." in result.stdout


# --- export pilots ----------------------------------------------------------------------------------------


def test_export_pilots(runner, db_session, account, tmp_path):
    make_pilot(db_session, account, start=True, name="=cmd|' /C calc'!A0")
    make_pilot(db_session, account, start=False, name="Planned pilot")
    result = runner.invoke(args=["export", "pilots"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["name"], r["status"], r["criteria"]) for r in rows] == [
        ("'=cmd|' /C calc'!A0", "active", "2"),
        ("Planned pilot", "planned", "2"),
    ]
    out = tmp_path / "pilots.csv"
    result = runner.invoke(args=["export", "pilots", "--out", str(out), "--status", "planned"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Exported 1 pilots to {out}."
    assert [r["name"] for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))] == [
        "Planned pilot"
    ]
    assert runner.invoke(args=["export", "pilots", "--status", "paused"]).exit_code == 2


# --- the demo ---------------------------------------------------------------------------------------------


def demo_counts(session: Session) -> dict[str, int]:
    session.expire_all()
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model))
        for model in (
            Account,
            Pilot,
            SuccessCriterion,
            CriterionAmendment,
            Milestone,
            Discount,
            GiveGet,
            AuditEvent,
        )
    }


def test_the_demo_has_pilots_in_every_status_and_loads_once(runner, db_session):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    loaded = demo_counts(db_session)
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert "0 records created" in second.stdout
    assert demo_counts(db_session) == loaded  # idempotent: nothing new, not even an audit event

    every = db_session.scalars(select(Pilot)).all()
    assert {p.status for p in every} == {s.value for s in PilotStatus}
    assert all(2 <= len(p.criteria) <= 4 for p in every)
    assert loaded["CriterionAmendment"] >= 3
    for pilot in every:
        stage = pilot.account.stage
        status = PilotStatus(pilot.status)
        if pilot.outcome == "converted":
            assert stage == "customer"
            assert pilot.converted_on == pilot.account.converted_on
            assert pilot.contract_value == pilot.account.contract_value
        if stage == "lost":
            assert pilot.outcome == "not_converted"
        if stage == "pilot":
            assert status.is_running
        if stage == "prospect":
            assert status in {PilotStatus.PLANNED, PilotStatus.CANCELLED}
            assert pilot.criteria_frozen_at is None
        if status in {PilotStatus.SUCCEEDED, PilotStatus.FAILED}:
            card = pilots.scorecard(pilot)
            assert card.complete
            assert (card.met == card.total) is (status is PilotStatus.SUCCEEDED)
        if status is not PilotStatus.PLANNED and pilot.criteria_frozen_at is not None:
            assert all(c.frozen_at is not None for c in pilot.criteria)
    agreements = Counter((pilots.scorecard(p).agreement or "").split(":")[0] for p in every)
    assert agreements["agrees"] >= 5 and agreements["disagrees"] >= 2
    # every account in the pilot stage runs one, and none of the stages changed
    in_pilot = db_session.scalars(select(Account).where(Account.stage == "pilot")).all()
    assert all(
        any(PilotStatus(p.status).is_running for p in pilots.pilots_of_account(db_session, a.id))
        for a in in_pilot
    )
    stages = Counter(raw["stage"] for raw, _ in demo._account_rows(TODAY))
    stages += Counter(raw["stage"] for raw in demo_history.history_rows(TODAY))  # the earlier cohort
    assert Counter(db_session.scalars(select(Account.stage)).all()) == stages

    milestones = db_session.scalars(select(Milestone)).all()
    late = [m for m in milestones if m.done_on is None and m.due_on < TODAY]
    assert {m.side for m in late} == {"ours", "customer"}
    assert {m.side for m in milestones} == {"ours", "customer"}

    promises = db_session.scalars(select(GiveGet)).all()
    assert any(p.fulfilled_on for p in promises)
    assert any(p.fulfilled_on is None and p.due_on >= TODAY for p in promises)  # owed
    assert any(p.fulfilled_on is None and p.due_on < TODAY for p in promises)  # overdue
    assert {d.kind for d in db_session.scalars(select(Discount))} == {"percent", "fixed", "free_period"}
    assert {p.kind for p in promises} == {
        "testimonial",
        "case_study",
        "logo",
        "reference_calls",
        "feedback_sessions",
    }
