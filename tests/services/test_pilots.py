"""Pilot services: planning, the status lifecycle, criteria frozen at the start and changed only by
amendments, results and the scorecard, the outcome moving the account, and the mutual action plan. A refused
call names the field and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from itertools import product
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.errors import Conflict, DomainError, NotFound, StaleEdit, ValidationError
from ecp_tracker.domain.pilots import TRANSITIONS, PilotStatus
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Account, AuditEvent, CriterionAmendment, Milestone, Pilot, SuccessCriterion
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.accounts import accounts
from ecp_tracker.services.pilots import pilots
from tests.conftest import TEST_ACTOR

TODAY = utcnow().date()
LATENCY = {
    "description": "95th-percentile latency of their ten most used dashboard queries.",
    "metric": "p95 query latency",
    "target": "300",
    "unit": "ms",
    "direction": "at_most",
}
ANALYSTS = {
    "description": "Analysts running at least one query a week.",
    "metric": "weekly active analysts",
    "target": "8",
    "unit": "analysts",
    "direction": "at_least",
}


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def snapshot(session: Session) -> tuple[Any, ...]:
    """Everything a pilot write could touch, as stored."""
    session.expire_all()
    return (
        session.scalar(select(func.count(AuditEvent.id))),
        session.execute(
            select(
                Pilot.id,
                Pilot.name,
                Pilot.status,
                Pilot.start_date,
                Pilot.planned_end_date,
                Pilot.end_date,
                Pilot.outcome,
                Pilot.contract_value,
                Pilot.converted_on,
                Pilot.criteria_frozen_at,
                Pilot.version,
            ).order_by(Pilot.id)
        ).all(),
        session.execute(
            select(
                SuccessCriterion.id,
                SuccessCriterion.description,
                SuccessCriterion.metric,
                SuccessCriterion.target,
                SuccessCriterion.unit,
                SuccessCriterion.direction,
                SuccessCriterion.actual,
                SuccessCriterion.met,
                SuccessCriterion.frozen_at,
                SuccessCriterion.version,
            ).order_by(SuccessCriterion.id)
        ).all(),
        session.scalar(select(func.count(CriterionAmendment.id))),
        session.execute(
            select(Account.id, Account.stage, Account.converted_on, Account.contract_value, Account.version)
        ).all(),
        session.execute(select(Milestone.id, Milestone.done_on, Milestone.version)).all(),
    )


def refused(
    session: Session,
    call: Callable[[], object],
    field: str | None,
    error: type[DomainError] = ValidationError,
) -> DomainError:
    """`call` raises `error` naming `field`, and after the caller's rollback nothing has changed."""
    before = snapshot(session)
    with pytest.raises(error) as caught:
        call()
    if field is not None:
        assert field in caught.value.errors, caught.value.errors
    session.rollback()
    assert snapshot(session) == before
    return caught.value


@pytest.fixture
def account(db_session: Session) -> Account:
    made = accounts.create_account(
        db_session, TEST_ACTOR, {"name": "Acme Analytics", "archetypes": ["Game changer"]}, today=TODAY
    )
    db_session.commit()
    return made


def plan(session: Session, account: Account, *criteria: dict, **overrides: Any) -> Pilot:
    raw = {
        "name": "Warehouse sync pilot",
        "hypothesis": "A managed pipeline keeps their warehouse fresh.",
        "start_date": days(-10),
        "planned_end_date": days(30),
        "list_price": "3000",
        "pilot_price": "1500",
        **overrides,
    }
    pilot = pilots.create_pilot(session, TEST_ACTOR, account.id, raw)
    for criterion in criteria or (LATENCY, ANALYSTS):
        pilots.add_criterion(session, TEST_ACTOR, pilot.id, criterion)
    session.commit()
    return pilot


def started(session: Session, account: Account, *criteria: dict, **overrides: Any) -> Pilot:
    pilot = plan(session, account, *criteria, **overrides)
    pilots.transition(session, TEST_ACTOR, pilot.id, "active", on=days(-10))
    session.commit()
    return pilot


def pilot_in(session: Session, account: Account, status: PilotStatus) -> Pilot:
    """A pilot brought to `status` the way a user would."""
    pilot = plan(session, account)
    steps = {
        PilotStatus.PLANNED: [],
        PilotStatus.ACTIVE: [("active", {})],
        PilotStatus.EXTENDED: [("active", {}), ("extended", {"planned_end_date": days(60)})],
        PilotStatus.SUCCEEDED: [("active", {}), ("succeeded", {})],
        PilotStatus.FAILED: [("active", {}), ("failed", {})],
        PilotStatus.CANCELLED: [("cancelled", {})],
    }[status]
    for to, extra in steps:
        pilots.transition(
            session, TEST_ACTOR, pilot.id, to, on=days(-5) if to != "extended" else None, **extra
        )
    session.commit()
    return pilot


def stored(session: Session, pilot_id: int) -> Pilot:
    session.expire_all()
    return pilots.get_pilot(session, pilot_id)


# --- planning --------------------------------------------------------------------------------------------


def test_create_pilot_keeps_every_field(db_session, account, people):
    pilot = plan(
        db_session,
        account,
        owner_id=str(people[Role.EDITOR].id),
        price_reason="Paid onboarding week included.",
        pilot_price="3500",
    )
    got = stored(db_session, pilot.id)
    assert (got.name, got.hypothesis, got.price_reason) == (
        "Warehouse sync pilot",
        "A managed pipeline keeps their warehouse fresh.",
        "Paid onboarding week included.",
    )
    assert (got.status, got.outcome, got.version) == ("planned", "pending", 1)
    assert (got.list_price, got.pilot_price) == (Decimal("3000.00"), Decimal("3500.00"))
    assert [c.metric for c in got.criteria] == ["p95 query latency", "weekly active analysts"]
    assert [c.position for c in got.criteria] == [0, 1]
    assert got.owner.email == people[Role.EDITOR].email
    assert all(c.frozen_at is None for c in got.criteria)
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.entity == "pilot"))
    assert event.action == "create" and "Acme Analytics" in event.summary


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"list_price": "-1"}, "list_price"),
        ({"pilot_price": "-0.01"}, "pilot_price"),
        ({"pilot_price": "3000.01"}, "price_reason"),  # above the list price without a reason
        ({"list_price": "lots"}, "list_price"),
        ({"start_date": "2026-13-01"}, "start_date"),
        ({"planned_end_date": days(-11)}, "planned_end_date"),  # before the start
        ({"owner_id": "999999"}, "owner_id"),
    ],
)
def test_create_pilot_refusals_name_the_field_and_write_nothing(db_session, account, raw, field):
    base = {"name": "P", "start_date": days(-10), "list_price": "3000", "pilot_price": "1500"}
    refused(
        db_session, lambda: pilots.create_pilot(db_session, TEST_ACTOR, account.id, {**base, **raw}), field
    )


def test_plan_pilot_writes_the_pilot_with_its_criteria(db_session, account):
    raw = {"name": "Sync pilot", "start_date": days(1), "planned_end_date": days(30)}
    pilot = pilots.plan_pilot(db_session, TEST_ACTOR, account.id, raw, {0: LATENCY, 2: ANALYSTS})
    db_session.commit()
    assert [c.metric for c in stored(db_session, pilot.id).criteria] == [
        LATENCY["metric"],
        ANALYSTS["metric"],
    ]


def test_plan_pilot_names_every_bad_row_by_position_and_writes_nothing(db_session, account):
    raw = {"name": "Sync pilot", "start_date": days(1), "planned_end_date": days(30)}
    rows = {0: LATENCY, 1: {**ANALYSTS, "target": "many"}, 3: {**LATENCY, "metric": ""}}
    error = refused(
        db_session, lambda: pilots.plan_pilot(db_session, TEST_ACTOR, account.id, raw, rows), None
    )
    assert {"criteria.1.target", "criteria.3.metric"} <= set(error.errors)
    assert not any(name.startswith("criteria.0") for name in error.errors)


def test_create_pilot_for_a_missing_account(db_session):
    refused(
        db_session, lambda: pilots.create_pilot(db_session, TEST_ACTOR, 999999, {"name": "P"}), None, NotFound
    )


def test_update_pilot_needs_the_current_version(db_session, account):
    pilot = plan(db_session, account)
    refused(
        db_session,
        lambda: pilots.update_pilot(db_session, TEST_ACTOR, pilot.id, {"name": "New"}, version=None),
        "version",
    )
    refused(
        db_session,
        lambda: pilots.update_pilot(db_session, TEST_ACTOR, pilot.id, {"name": "New"}, version=0),
        "version",
        StaleEdit,
    )
    pilots.update_pilot(
        db_session, TEST_ACTOR, pilot.id, {"name": "New name", "planned_end_date": "2099-01-01"}, version=1
    )
    db_session.commit()
    got = stored(db_session, pilot.id)
    assert (got.name, got.planned_end_date, got.version) == ("New name", date(2099, 1, 1), 2)


def test_update_pilot_refuses_a_price_above_list_without_reason(db_session, account):
    pilot = plan(db_session, account)
    refused(
        db_session,
        lambda: pilots.update_pilot(db_session, TEST_ACTOR, pilot.id, {"pilot_price": "5000"}, version=1),
        "price_reason",
    )


def test_the_start_date_is_fixed_once_started(db_session, account):
    pilot = started(db_session, account)
    refused(
        db_session,
        lambda: pilots.update_pilot(
            db_session,
            TEST_ACTOR,
            pilot.id,
            {"start_date": days(-3)},
            version=stored(db_session, pilot.id).version,
        ),
        "start_date",
    )


# --- the lifecycle ---------------------------------------------------------------------------------------

INVALID = [(a, b) for a, b in product(PilotStatus, PilotStatus) if b not in TRANSITIONS[a]]


@pytest.mark.parametrize(("current", "target"), INVALID, ids=[f"{a.value}->{b.value}" for a, b in INVALID])
def test_invalid_transitions_are_refused_and_write_nothing(db_session, account, current, target):
    pilot = pilot_in(db_session, account, current)
    assert stored(db_session, pilot.id).status == current.value
    error = refused(
        db_session,
        lambda: pilots.transition(db_session, TEST_ACTOR, pilot.id, target.value, planned_end_date=days(90)),
        "to",
    )
    assert f"cannot become {target.value}" in error.message


def test_unknown_status_is_refused(db_session, account):
    pilot = plan(db_session, account)
    refused(db_session, lambda: pilots.transition(db_session, TEST_ACTOR, pilot.id, "paused"), "to")


def test_starting_freezes_the_criteria_and_moves_a_prospect_to_pilot(db_session, account):
    pilot = plan(db_session, account)
    assert stored(db_session, pilot.id).account.stage == "prospect"
    pilots.transition(db_session, TEST_ACTOR, pilot.id, "active", on=days(-7))
    db_session.commit()
    got = stored(db_session, pilot.id)
    assert got.status == "active"
    assert got.start_date == days(-7)  # the day it really started wins over the planned start
    assert got.criteria_frozen_at is not None
    assert all(c.frozen_at == got.criteria_frozen_at for c in got.criteria)
    assert got.account.stage == "pilot"
    actions = db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert "status:active" in actions and actions.count("freeze") == 2


def test_starting_keeps_the_planned_start_and_may_set_the_planned_end(db_session, account):
    pilot = plan(db_session, account, planned_end_date=None)
    pilots.transition(db_session, TEST_ACTOR, pilot.id, "active", planned_end_date=days(40))
    db_session.commit()
    got = stored(db_session, pilot.id)
    assert (got.start_date, got.planned_end_date) == (days(-10), days(40))


def test_starting_a_customers_pilot_leaves_the_stage(db_session, account):
    accounts.update_account(
        db_session,
        TEST_ACTOR,
        account.id,
        {"stage": "customer", "converted_on": days(-100)},
        version=account.version,
        today=TODAY,
    )
    db_session.commit()
    pilot = started(db_session, account)
    assert stored(db_session, pilot.id).account.stage == "customer"


def test_starting_needs_criteria_and_a_planned_end(db_session, account):
    bare = pilots.create_pilot(db_session, TEST_ACTOR, account.id, {"name": "No criteria yet"})
    db_session.commit()
    error = refused(db_session, lambda: pilots.transition(db_session, TEST_ACTOR, bare.id, "active"), "to")
    assert "success criterion" in error.message
    pilot = plan(db_session, account, planned_end_date=None)
    refused(
        db_session, lambda: pilots.transition(db_session, TEST_ACTOR, pilot.id, "active"), "planned_end_date"
    )
    refused(
        db_session,
        lambda: pilots.transition(db_session, TEST_ACTOR, pilot.id, "active", planned_end_date=days(-20)),
        "planned_end_date",
    )
    assert stored(db_session, pilot.id).account.stage == "prospect"


def test_extending_needs_a_later_planned_end(db_session, account):
    pilot = started(db_session, account)
    for later in (None, days(30), days(29)):
        refused(
            db_session,
            lambda later=later: pilots.transition(
                db_session, TEST_ACTOR, pilot.id, "extended", planned_end_date=later
            ),
            "planned_end_date",
        )
    pilots.transition(db_session, TEST_ACTOR, pilot.id, "extended", planned_end_date=days(45))
    pilots.transition(db_session, TEST_ACTOR, pilot.id, "extended", planned_end_date=days(60))
    db_session.commit()
    got = stored(db_session, pilot.id)
    assert (got.status, got.planned_end_date, got.end_date) == ("extended", days(60), None)


def test_ending_sets_the_end_date_never_in_the_future_nor_before_the_start(db_session, account):
    pilot = started(db_session, account)
    refused(
        db_session, lambda: pilots.transition(db_session, TEST_ACTOR, pilot.id, "succeeded", on=days(1)), "on"
    )
    refused(
        db_session,
        lambda: pilots.transition(db_session, TEST_ACTOR, pilot.id, "succeeded", on=days(-11)),
        "end_date",
    )
    pilots.transition(db_session, TEST_ACTOR, pilot.id, "succeeded", on=days(-1))
    db_session.commit()
    got = stored(db_session, pilot.id)
    assert (got.status, got.end_date) == ("succeeded", days(-1))


def test_a_planned_pilot_can_be_cancelled_before_its_planned_start(db_session, account):
    pilot = plan(db_session, account, start_date=days(20), planned_end_date=days(60))
    pilots.transition(db_session, TEST_ACTOR, pilot.id, "cancelled")
    db_session.commit()
    got = stored(db_session, pilot.id)
    assert (got.status, got.end_date, got.criteria_frozen_at) == ("cancelled", TODAY, None)
    assert got.account.stage == "prospect"


# --- criteria: editable while planned, frozen afterwards -------------------------------------------------


def test_criteria_are_editable_while_planned(db_session, account):
    pilot = plan(db_session, account)
    criterion = stored(db_session, pilot.id).criteria[0]
    refused(
        db_session,
        lambda: pilots.update_criterion(
            db_session, TEST_ACTOR, criterion.id, {"target": "250"}, version=None
        ),
        "version",
    )
    refused(
        db_session,
        lambda: pilots.update_criterion(db_session, TEST_ACTOR, criterion.id, {"target": "250"}, version=9),
        "version",
        StaleEdit,
    )
    for raw, field in (
        ({"target": "fast"}, "target"),
        ({"metric": " "}, "metric"),
        ({"direction": "sideways"}, "direction"),
        ({"unit": "u" * 41}, "unit"),
    ):
        refused(
            db_session,
            lambda raw=raw: pilots.update_criterion(db_session, TEST_ACTOR, criterion.id, raw, version=1),
            field,
        )
    pilots.update_criterion(
        db_session, TEST_ACTOR, criterion.id, {"target": "250", "description": "p95 under load"}, version=1
    )
    db_session.commit()
    got = stored(db_session, pilot.id).criteria[0]
    assert (got.target, got.description, got.version, got.amendments) == (
        Decimal(250),
        "p95 under load",
        2,
        [],
    )


@pytest.mark.parametrize("status", [PilotStatus.ACTIVE, PilotStatus.EXTENDED, PilotStatus.SUCCEEDED])
def test_a_frozen_criterion_cannot_be_edited_nor_added_to(db_session, account, status):
    pilot = pilot_in(db_session, account, status)
    criterion = stored(db_session, pilot.id).criteria[0]
    error = refused(
        db_session,
        lambda: pilots.update_criterion(
            db_session, TEST_ACTOR, criterion.id, {"target": "999"}, version=criterion.version
        ),
        None,
        Conflict,
    )
    assert "amendment" in error.message and error.status == 409
    refused(
        db_session, lambda: pilots.add_criterion(db_session, TEST_ACTOR, pilot.id, ANALYSTS), None, Conflict
    )
    assert stored(db_session, pilot.id).criteria[0].target == Decimal(300)


def test_a_cancelled_planned_pilot_cannot_be_edited_either(db_session, account):
    pilot = pilot_in(db_session, account, PilotStatus.CANCELLED)
    criterion = stored(db_session, pilot.id).criteria[0]
    refused(
        db_session,
        lambda: pilots.update_criterion(db_session, TEST_ACTOR, criterion.id, {"target": "1"}, version=1),
        None,
        Conflict,
    )


def test_criteria_need_a_description_metric_and_numeric_target(db_session, account):
    pilot = plan(db_session, account)
    error = refused(
        db_session,
        lambda: pilots.add_criterion(db_session, TEST_ACTOR, pilot.id, {"target": "x", "direction": "up"}),
        None,
    )
    assert set(error.errors) == {"description", "metric", "target", "direction"}


# --- amendments ------------------------------------------------------------------------------------------


def test_amendments_keep_the_original_and_the_newest_values_apply(db_session, account):
    pilot = started(db_session, account)
    criterion = stored(db_session, pilot.id).criteria[0]
    registered = (
        criterion.description,
        criterion.metric,
        criterion.target,
        criterion.unit,
        criterion.direction,
    )
    pilots.amend_criterion(
        db_session,
        TEST_ACTOR,
        criterion.id,
        reason="Their warehouse is in another region; agreed on day 9.",
        changes={"target": "350"},
    )
    db_session.commit()
    pilots.amend_criterion(
        db_session,
        TEST_ACTOR,
        criterion.id,
        reason="Measured at the 90th percentile instead, as their SLA says.",
        changes={"target": "320.5", "metric": "p90 query latency", "actual": "1", "version": 99},
    )
    db_session.commit()
    got = stored(db_session, pilot.id).criteria[0]
    assert (got.description, got.metric, got.target, got.unit, got.direction) == registered
    terms = pilots.effective_terms(got)
    assert (terms.metric, terms.target, terms.unit, terms.direction.value, terms.amended) == (
        "p90 query latency",
        Decimal("320.5"),
        "ms",
        "at_most",
        True,
    )
    assert pilots.registered_terms(got).target == Decimal(300)
    assert [a.changes for a in got.amendments] == [
        {"target": ["300", "350"]},
        {"target": ["350", "320.5"], "metric": ["p95 query latency", "p90 query latency"]},
    ]
    assert got.amendments[0].reason.startswith("Their warehouse")
    assert got.amendments[0].amended_by_label == TEST_ACTOR.label
    assert got.actual is None  # the amendment cannot smuggle in other fields


def test_amendments_are_refused_with_reasons(db_session, account):
    planned = plan(db_session, account, name="Still planned")
    criterion = stored(db_session, planned.id).criteria[0]
    error = refused(
        db_session,
        lambda: pilots.amend_criterion(
            db_session, TEST_ACTOR, criterion.id, reason="Changed our minds.", changes={"target": "1"}
        ),
        None,
        Conflict,
    )
    assert "edit the criterion" in error.message
    pilot = started(db_session, account)
    running = stored(db_session, pilot.id).criteria[0]
    for reason, changes, field in (
        ("  ok ", {"target": "350"}, "reason"),
        ("A good reason.", {}, "target"),
        ("A good reason.", {"target": "300.00"}, "target"),  # the same target, written differently
        ("A good reason.", {"unit": "ms", "direction": "at_most"}, "target"),
        ("A good reason.", {"target": "soon"}, "target"),
        ("A good reason.", {"direction": "sideways"}, "direction"),
    ):
        refused(
            db_session,
            lambda reason=reason, changes=changes: pilots.amend_criterion(
                db_session, TEST_ACTOR, running.id, reason=reason, changes=changes
            ),
            field,
        )
    refused(
        db_session,
        lambda: pilots.amend_criterion(db_session, TEST_ACTOR, 999999, reason="Why not.", changes={}),
        None,
        NotFound,
    )


def test_an_ended_pilot_cannot_be_amended(db_session, account):
    pilot = pilot_in(db_session, account, PilotStatus.SUCCEEDED)
    criterion = stored(db_session, pilot.id).criteria[0]
    refused(
        db_session,
        lambda: pilots.amend_criterion(
            db_session, TEST_ACTOR, criterion.id, reason="Too late now.", changes={"target": "1"}
        ),
        None,
        Conflict,
    )


# --- results and the scorecard ---------------------------------------------------------------------------


def test_results_are_met_by_direction_against_the_effective_terms(db_session, account):
    pilot = started(db_session, account)
    latency, analysts = stored(db_session, pilot.id).criteria
    pilots.record_result(db_session, TEST_ACTOR, latency.id, "300", version=latency.version)
    pilots.record_result(db_session, TEST_ACTOR, analysts.id, "7", version=analysts.version)
    db_session.commit()
    latency, analysts = stored(db_session, pilot.id).criteria
    assert (latency.actual, latency.met, analysts.actual, analysts.met) == (
        Decimal(300),
        True,
        Decimal(7),
        False,
    )
    # lowering the analysts target to 6 by amendment re-judges the recorded result
    pilots.amend_criterion(
        db_session, TEST_ACTOR, analysts.id, reason="Two analysts left their team.", changes={"target": "6"}
    )
    # tightening latency to at most 250 turns the recorded 300 into a miss
    pilots.amend_criterion(
        db_session,
        TEST_ACTOR,
        latency.id,
        reason="Their SLA is stricter than we were told.",
        changes={"target": 250},
    )
    db_session.commit()
    latency, analysts = stored(db_session, pilot.id).criteria
    assert (latency.met, analysts.met) == (False, True)
    card = pilots.scorecard(stored(db_session, pilot.id))
    assert (card.total, card.recorded, card.met, card.verdict) == (2, 2, 1, "missed 1 of 2")
    pilots.record_result(db_session, TEST_ACTOR, latency.id, None, version=latency.version)
    db_session.commit()
    latency = stored(db_session, pilot.id).criteria[0]
    assert (latency.actual, latency.met) == (None, None)
    assert pilots.scorecard(stored(db_session, pilot.id)).verdict == "results pending"


def test_results_are_refused_with_reasons(db_session, account):
    planned = plan(db_session, account, name="Planned")
    criterion = stored(db_session, planned.id).criteria[0]
    refused(
        db_session,
        lambda: pilots.record_result(db_session, TEST_ACTOR, criterion.id, "1", version=1),
        None,
        Conflict,
    )
    pilot = started(db_session, account)
    running = stored(db_session, pilot.id).criteria[0]
    refused(
        db_session,
        lambda: pilots.record_result(db_session, TEST_ACTOR, running.id, "fast", version=running.version),
        "actual",
    )
    refused(
        db_session,
        lambda: pilots.record_result(db_session, TEST_ACTOR, running.id, True, version=running.version),
        "actual",
    )
    refused(
        db_session,
        lambda: pilots.record_result(db_session, TEST_ACTOR, running.id, "1", version=None),
        "version",
    )
    refused(
        db_session,
        lambda: pilots.record_result(db_session, TEST_ACTOR, running.id, "1", version=running.version - 1),
        "version",
        StaleEdit,
    )


def test_results_may_be_recorded_after_the_end(db_session, account):
    pilot = pilot_in(db_session, account, PilotStatus.FAILED)
    criterion = stored(db_session, pilot.id).criteria[1]
    pilots.record_result(db_session, TEST_ACTOR, criterion.id, "5", version=criterion.version)
    db_session.commit()
    assert stored(db_session, pilot.id).criteria[1].met is False


def test_changing_a_result_after_the_end_is_an_amendment_with_a_reason(db_session, account):
    pilot = started(db_session, account)
    latency = stored(db_session, pilot.id).criteria[0]
    pilots.record_result(db_session, TEST_ACTOR, latency.id, "280", version=latency.version)
    pilots.transition(db_session, TEST_ACTOR, pilot.id, "succeeded", on=days(-1))
    db_session.commit()
    latency = stored(db_session, pilot.id).criteria[0]
    # without a reason, with a blank one, or with the value it already has: refused, nothing written
    for reason in (None, "   "):
        refused(
            db_session,
            lambda reason=reason: pilots.record_result(
                db_session, TEST_ACTOR, latency.id, "320", version=latency.version, reason=reason
            ),
            "reason",
        )
    refused(
        db_session,
        lambda: pilots.record_result(db_session, TEST_ACTOR, latency.id, None, version=latency.version),
        "reason",
    )
    refused(
        db_session,
        lambda: pilots.record_result(
            db_session, TEST_ACTOR, latency.id, "280.00", version=latency.version, reason="No change at all."
        ),
        "actual",
    )
    pilots.record_result(
        db_session,
        TEST_ACTOR,
        latency.id,
        "320",
        version=latency.version,
        reason="The first run measured the cached queries only.",
    )
    db_session.commit()
    latency = stored(db_session, pilot.id).criteria[0]
    assert (latency.actual, latency.met) == (Decimal(320), False)
    (amendment,) = latency.amendments
    assert amendment.changes == {"actual": ["280", "320"]}
    assert amendment.reason == "The first run measured the cached queries only."
    # the terms are as registered: a result amendment is no amendment of what the criterion asks for
    assert pilots.effective_terms(latency) == pilots.registered_terms(latency)
    events = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity == "criterion_amendment", AuditEvent.entity_id == str(amendment.id)
        )
    ).all()
    assert [e.action for e in events] == ["create"]


# --- the outcome -----------------------------------------------------------------------------------------


def test_converting_makes_the_account_a_customer(db_session, account):
    pilot = pilot_in(db_session, account, PilotStatus.SUCCEEDED)
    pilots.record_outcome(
        db_session, TEST_ACTOR, pilot.id, "converted", contract_value="48,000", converted_on=days(-2)
    )
    db_session.commit()
    got = stored(db_session, pilot.id)
    assert (got.outcome, got.contract_value, got.converted_on) == ("converted", Decimal(48000), days(-2))
    assert (got.account.stage, got.account.converted_on, got.account.contract_value) == (
        "customer",
        days(-2),
        Decimal(48000),
    )
    assert got.account.churned_on is None


def test_the_scorecard_says_when_the_verdict_and_the_outcome_disagree(db_session, account):
    pilot = pilot_in(db_session, account, PilotStatus.FAILED)
    latency, analysts = stored(db_session, pilot.id).criteria
    pilots.record_result(db_session, TEST_ACTOR, latency.id, "410", version=latency.version)
    pilots.record_result(db_session, TEST_ACTOR, analysts.id, "11", version=analysts.version)
    pilots.record_outcome(
        db_session, TEST_ACTOR, pilot.id, "converted", contract_value=1000, converted_on=days(-1)
    )
    db_session.commit()
    card = pilots.scorecard(stored(db_session, pilot.id))
    assert card.verdict == "missed 1 of 2"
    assert card.agreement.startswith("disagrees: converted although it missed")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "contract_value"),
        ({"contract_value": "-5"}, "contract_value"),
        ({"contract_value": "ten"}, "contract_value"),
        ({"contract_value": "100", "converted_on": "future"}, "converted_on"),
        ({"contract_value": "100", "converted_on": "before start"}, "converted_on"),
    ],
)
def test_converting_is_refused_without_a_proper_value_and_date(db_session, account, kwargs, field):
    pilot = pilot_in(db_session, account, PilotStatus.SUCCEEDED)
    when = {"future": days(1), "before start": days(-11)}
    if "converted_on" in kwargs:
        kwargs = {**kwargs, "converted_on": when[kwargs["converted_on"]]}
    refused(
        db_session,
        lambda: pilots.record_outcome(db_session, TEST_ACTOR, pilot.id, "converted", **kwargs),
        field,
    )


def test_the_outcome_waits_for_the_end(db_session, account):
    pilot = started(db_session, account)
    refused(
        db_session,
        lambda: pilots.record_outcome(db_session, TEST_ACTOR, pilot.id, "converted", contract_value=1),
        "outcome",
    )
    refused(db_session, lambda: pilots.record_outcome(db_session, TEST_ACTOR, pilot.id, "maybe"), "outcome")


def test_not_converted_may_mark_the_account_lost(db_session, account):
    kept = pilot_in(db_session, account, PilotStatus.FAILED)
    pilots.record_outcome(db_session, TEST_ACTOR, kept.id, "not_converted")
    db_session.commit()
    assert stored(db_session, kept.id).account.stage == "pilot"
    lost = pilot_in(db_session, account, PilotStatus.FAILED)
    pilots.record_outcome(db_session, TEST_ACTOR, lost.id, "not_converted", mark_account_lost=True)
    db_session.commit()
    got = stored(db_session, lost.id)
    assert (got.outcome, got.contract_value, got.account.stage) == ("not_converted", None, "lost")


def test_a_lost_pilot_does_not_demote_a_customer(db_session, account):
    first = pilot_in(db_session, account, PilotStatus.SUCCEEDED)
    pilots.record_outcome(
        db_session, TEST_ACTOR, first.id, "converted", contract_value=100, converted_on=days(-1)
    )
    db_session.commit()
    second = pilot_in(db_session, account, PilotStatus.FAILED)
    pilots.record_outcome(db_session, TEST_ACTOR, second.id, "not_converted", mark_account_lost=True)
    db_session.commit()
    assert stored(db_session, second.id).account.stage == "customer"


# --- the mutual action plan ------------------------------------------------------------------------------


def test_milestones_on_both_sides_and_what_is_late(db_session, account):
    pilot = started(db_session, account)
    ours = pilots.add_milestone(
        db_session, TEST_ACTOR, pilot.id, {"title": "Kick-off", "due_on": days(-8), "owner_name": "Ada"}
    )
    theirs = pilots.add_milestone(
        db_session,
        TEST_ACTOR,
        pilot.id,
        {"title": "Warehouse access", "due_on": days(-3).isoformat(), "side": "customer"},
    )
    pilots.add_milestone(
        db_session, TEST_ACTOR, pilot.id, {"title": "Decision", "due_on": days(30), "side": "customer"}
    )
    db_session.commit()
    got = stored(db_session, pilot.id)
    assert [m.title for m in got.milestones] == ["Kick-off", "Warehouse access", "Decision"]
    assert [m.side for m in got.milestones] == ["ours", "customer", "customer"]
    assert [m.title for m in pilots.late_milestones(got, TODAY)] == ["Kick-off", "Warehouse access"]
    pilots.set_milestone_done(db_session, TEST_ACTOR, ours.id, done=True, on=days(-8))
    db_session.commit()
    assert [m.title for m in pilots.late_milestones(stored(db_session, pilot.id), TODAY)] == [
        "Warehouse access"
    ]
    refused(
        db_session,
        lambda: pilots.set_milestone_done(
            db_session, TEST_ACTOR, theirs.id, done=True, version=theirs.version + 1
        ),
        "version",
        StaleEdit,
    )
    pilots.set_milestone_done(db_session, TEST_ACTOR, ours.id, done=False)
    db_session.commit()
    assert len(pilots.late_milestones(stored(db_session, pilot.id), TODAY)) == 2
    refused(
        db_session,
        lambda: pilots.set_milestone_done(db_session, TEST_ACTOR, 999999, done=True),
        None,
        NotFound,
    )


def test_milestone_refusals_name_the_field(db_session, account):
    pilot = plan(db_session, account)
    error = refused(
        db_session,
        lambda: pilots.add_milestone(db_session, TEST_ACTOR, pilot.id, {"title": " ", "side": "theirs"}),
        None,
    )
    assert set(error.errors) == {"title", "due_on", "side"}
    refused(
        db_session,
        lambda: pilots.add_milestone(db_session, TEST_ACTOR, pilot.id, {"title": "T", "due_on": "3 March"}),
        "due_on",
    )
    refused(
        db_session,
        lambda: pilots.add_milestone(db_session, TEST_ACTOR, 999999, {"title": "T"}),
        None,
        NotFound,
    )


def test_pilots_of_an_account_newest_first(db_session, account):
    first = plan(db_session, account, name="First")
    second = plan(db_session, account, name="Second")
    assert [p.id for p in pilots.pilots_of_account(db_session, account.id)] == [second.id, first.id]
    with pytest.raises(NotFound):
        pilots.get_pilot(db_session, 999999)
    with pytest.raises(NotFound):
        pilots.get_criterion(db_session, stored(db_session, first.id).criteria[0].id, second.id)


def test_an_outcome_is_recorded_once(db_session, account):
    pilot = pilot_in(db_session, account, PilotStatus.SUCCEEDED)
    pilots.record_outcome(
        db_session, TEST_ACTOR, pilot.id, "converted", contract_value="9000", converted_on=days(-1)
    )
    db_session.commit()
    refused(
        db_session,
        lambda: pilots.record_outcome(
            db_session, TEST_ACTOR, pilot.id, "not_converted", mark_account_lost=True
        ),
        None,
        Conflict,
    )
    assert stored(db_session, pilot.id).account.stage == "customer"


def test_an_ended_pilot_has_no_late_milestones(db_session, account):
    pilot = started(db_session, account)
    pilots.add_milestone(db_session, TEST_ACTOR, pilot.id, {"title": "Kick-off", "due_on": days(-3)})
    db_session.commit()
    assert [m.title for m in pilots.late_milestones(stored(db_session, pilot.id))] == ["Kick-off"]
    pilots.transition(db_session, TEST_ACTOR, pilot.id, "failed", on=days(-1))
    db_session.commit()
    assert pilots.late_milestones(stored(db_session, pilot.id)) == []
