"""Pilots: statuses and the transitions between them, pre-registered success criteria, and the scorecard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from ecp_tracker.domain.errors import ValidationError


class PilotStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    EXTENDED = "extended"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def is_running(self) -> bool:
        return self in {PilotStatus.ACTIVE, PilotStatus.EXTENDED}

    @property
    def is_ended(self) -> bool:
        return self in {PilotStatus.SUCCEEDED, PilotStatus.FAILED, PilotStatus.CANCELLED}


class PilotOutcome(StrEnum):
    PENDING = "pending"
    CONVERTED = "converted"
    NOT_CONVERTED = "not_converted"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Direction(StrEnum):
    """Whether the actual value must reach the target from below or stay under it."""

    AT_LEAST = "at_least"
    AT_MOST = "at_most"

    @property
    def symbol(self) -> str:
        return "≥" if self is Direction.AT_LEAST else "≤"


TRANSITIONS: dict[PilotStatus, frozenset[PilotStatus]] = {
    PilotStatus.PLANNED: frozenset({PilotStatus.ACTIVE, PilotStatus.CANCELLED}),
    PilotStatus.ACTIVE: frozenset(
        {PilotStatus.EXTENDED, PilotStatus.SUCCEEDED, PilotStatus.FAILED, PilotStatus.CANCELLED}
    ),
    PilotStatus.EXTENDED: frozenset(
        {PilotStatus.EXTENDED, PilotStatus.SUCCEEDED, PilotStatus.FAILED, PilotStatus.CANCELLED}
    ),
    PilotStatus.SUCCEEDED: frozenset(),
    PilotStatus.FAILED: frozenset(),
    PilotStatus.CANCELLED: frozenset(),
}


def check_transition(current: PilotStatus, target: PilotStatus) -> None:
    """Refuse a status change the pilot lifecycle does not allow."""
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "none: the pilot has ended"
        raise ValidationError(
            f"A {current.value} pilot cannot become {target.value}; possible next statuses: {allowed}.",
            field="to",
        )


def criterion_met(direction: Direction, target: Decimal, actual: Decimal | None) -> bool | None:
    """Whether the actual value meets the target; None until an actual value is recorded."""
    if actual is None:
        return None
    return actual >= target if direction is Direction.AT_LEAST else actual <= target


@dataclass(frozen=True)
class Scorecard:
    total: int
    recorded: int
    met: int
    outcome: PilotOutcome

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.recorded == self.total

    @property
    def verdict(self) -> str:
        if self.total == 0:
            return "no criteria"
        if not self.complete:
            return "results pending"
        return (
            "met its criteria"
            if self.met == self.total
            else f"missed {self.total - self.met} of {self.total}"
        )

    @property
    def agreement(self) -> str | None:
        """How the criteria verdict compares with what the customer did; None while either is open."""
        if not self.complete or self.outcome is PilotOutcome.PENDING:
            return None
        passed = self.met == self.total
        converted = self.outcome is PilotOutcome.CONVERTED
        if passed and converted:
            return "agrees: met its criteria and converted"
        if not passed and not converted:
            return "agrees: missed its criteria and did not convert"
        if converted:
            return "disagrees: converted although it missed its criteria; were they the right criteria?"
        return "disagrees: met its criteria but did not convert; what else decided it?"


def check_pilot_dates(start: date | None, planned_end: date | None, end: date | None) -> None:
    if start and planned_end and planned_end < start:
        raise ValidationError("The planned end cannot be before the start.", field="planned_end_date")
    if start and end and end < start:
        raise ValidationError("The end cannot be before the start.", field="end_date")


def check_prices(list_price: Decimal | None, pilot_price: Decimal | None, price_reason: str) -> None:
    for field, value in (("list_price", list_price), ("pilot_price", pilot_price)):
        if value is not None and value < 0:
            raise ValidationError("A price cannot be negative.", field=field)
    if (
        list_price is not None
        and pilot_price is not None
        and pilot_price > list_price
        and not price_reason.strip()
    ):
        raise ValidationError(
            "The pilot price is above the list price; say why in the price reason.", field="price_reason"
        )
