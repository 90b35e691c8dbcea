"""The pilot lifecycle, criteria met by direction, the scorecard, and the date and price rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import product

import pytest

from ecp_tracker.domain.errors import ValidationError
from ecp_tracker.domain.pilots import (
    TRANSITIONS,
    Direction,
    PilotOutcome,
    PilotStatus,
    Scorecard,
    check_pilot_dates,
    check_prices,
    check_transition,
    criterion_met,
)

ALLOWED = {
    ("planned", "active"),
    ("planned", "cancelled"),
    ("active", "extended"),
    ("active", "succeeded"),
    ("active", "failed"),
    ("active", "cancelled"),
    ("extended", "extended"),
    ("extended", "succeeded"),
    ("extended", "failed"),
    ("extended", "cancelled"),
}
PAIRS = list(product(PilotStatus, PilotStatus))


def test_the_transition_table_is_exactly_the_lifecycle():
    table = {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets}
    assert table == ALLOWED
    assert set(TRANSITIONS) == set(PilotStatus)


@pytest.mark.parametrize(("current", "target"), [p for p in PAIRS if (p[0].value, p[1].value) in ALLOWED])
def test_allowed_transitions_pass(current, target):
    check_transition(current, target)


@pytest.mark.parametrize(("current", "target"), [p for p in PAIRS if (p[0].value, p[1].value) not in ALLOWED])
def test_every_other_transition_is_refused_naming_the_field(current, target):
    with pytest.raises(ValidationError) as refused:
        check_transition(current, target)
    assert refused.value.field == "to"
    assert refused.value.status == 422
    message = refused.value.message
    assert f"A {current.value} pilot cannot become {target.value}" in message
    if current.is_ended:
        assert "the pilot has ended" in message
    else:
        allowed = sorted(s.value for s in TRANSITIONS[current])
        assert ", ".join(allowed) in message


def test_status_properties():
    assert {s for s in PilotStatus if s.is_running} == {PilotStatus.ACTIVE, PilotStatus.EXTENDED}
    assert {s for s in PilotStatus if s.is_ended} == {
        PilotStatus.SUCCEEDED,
        PilotStatus.FAILED,
        PilotStatus.CANCELLED,
    }
    assert PilotStatus.ACTIVE.label == "Active"
    assert PilotOutcome.NOT_CONVERTED.label == "Not converted"
    assert Direction.AT_LEAST.symbol == "≥" and Direction.AT_MOST.symbol == "≤"


@pytest.mark.parametrize(
    ("direction", "target", "actual", "met"),
    [
        (Direction.AT_LEAST, "8", "8", True),  # reaching the target counts
        (Direction.AT_LEAST, "8", "11", True),
        (Direction.AT_LEAST, "8", "7.99", False),
        (Direction.AT_MOST, "300", "300", True),
        (Direction.AT_MOST, "300", "240", True),
        (Direction.AT_MOST, "300", "300.01", False),
        (Direction.AT_MOST, "0.5", "-1", True),
        (Direction.AT_LEAST, "8", None, None),  # no result yet
        (Direction.AT_MOST, "300", None, None),
    ],
)
def test_criterion_met_by_direction(direction, target, actual, met):
    assert criterion_met(direction, Decimal(target), None if actual is None else Decimal(actual)) is met


@pytest.mark.parametrize(
    ("total", "recorded", "met", "outcome", "verdict", "agreement"),
    [
        (0, 0, 0, PilotOutcome.CONVERTED, "no criteria", None),
        (3, 2, 2, PilotOutcome.CONVERTED, "results pending", None),
        (3, 3, 3, PilotOutcome.PENDING, "met its criteria", None),
        (3, 3, 3, PilotOutcome.CONVERTED, "met its criteria", "agrees: met its criteria and converted"),
        (
            3,
            3,
            1,
            PilotOutcome.NOT_CONVERTED,
            "missed 2 of 3",
            "agrees: missed its criteria and did not convert",
        ),
        (
            3,
            3,
            2,
            PilotOutcome.CONVERTED,
            "missed 1 of 3",
            "disagrees: converted although it missed its criteria; were they the right criteria?",
        ),
        (
            2,
            2,
            2,
            PilotOutcome.NOT_CONVERTED,
            "met its criteria",
            "disagrees: met its criteria but did not convert; what else decided it?",
        ),
    ],
)
def test_scorecard_verdict_and_agreement(total, recorded, met, outcome, verdict, agreement):
    card = Scorecard(total=total, recorded=recorded, met=met, outcome=outcome)
    assert card.complete is (total > 0 and recorded == total)
    assert card.verdict == verdict
    assert card.agreement == agreement


@pytest.mark.parametrize(
    ("start", "planned_end", "end", "field"),
    [
        (date(2026, 3, 10), date(2026, 3, 9), None, "planned_end_date"),
        (date(2026, 3, 10), None, date(2026, 3, 9), "end_date"),
        (date(2026, 3, 10), date(2026, 3, 1), date(2026, 3, 1), "planned_end_date"),
    ],
)
def test_dates_out_of_order_are_refused_naming_the_field(start, planned_end, end, field):
    with pytest.raises(ValidationError) as refused:
        check_pilot_dates(start, planned_end, end)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("start", "planned_end", "end"),
    [
        (date(2026, 3, 10), date(2026, 3, 10), date(2026, 3, 10)),  # a one-day pilot
        (None, date(2026, 1, 1), None),
        (date(2026, 3, 10), None, None),
        (None, None, None),
    ],
)
def test_dates_in_order_or_missing_pass(start, planned_end, end):
    check_pilot_dates(start, planned_end, end)


@pytest.mark.parametrize(
    ("list_price", "pilot_price", "reason", "field"),
    [
        ("-1", "0", "", "list_price"),
        ("100", "-0.01", "", "pilot_price"),
        ("100", "100.01", "", "price_reason"),
        ("100", "150", "   ", "price_reason"),
    ],
)
def test_prices_refused_naming_the_field(list_price, pilot_price, reason, field):
    with pytest.raises(ValidationError) as refused:
        check_prices(Decimal(list_price), Decimal(pilot_price), reason)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("list_price", "pilot_price", "reason"),
    [
        ("100", "100", ""),  # at the list price
        ("100", "0", ""),  # a free pilot
        ("100", "150", "Includes an on-site onboarding week."),
        (None, "150", ""),
        ("100", None, ""),
    ],
)
def test_prices_that_pass(list_price, pilot_price, reason):
    check_prices(
        None if list_price is None else Decimal(list_price),
        None if pilot_price is None else Decimal(pilot_price),
        reason,
    )
