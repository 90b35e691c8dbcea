"""The outcomes the analysis tests, and which accounts each one counts (docs/statistics.md)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false
from sqlalchemy.sql.expression import true

from ecp_tracker.domain.accounts import CONVERTED_STAGES, DECIDED_STAGES, Stage
from ecp_tracker.domain.testimonials import GAVE_TESTIMONIAL
from ecp_tracker.models import Account, Testimonial


class OutcomeKind(StrEnum):
    BINARY = "binary"
    CONTINUOUS = "continuous"
    TIME_TO_EVENT = "time_to_event"


@dataclass(frozen=True)
class Outcome:
    name: str
    label: str
    kind: OutcomeKind
    population: str  # who counts, in words, for the page and the docs
    higher_is_better: bool = True


OUTCOMES = {
    o.name: o
    for o in (
        Outcome(
            "converted",
            "Converted",
            OutcomeKind.BINARY,
            "accounts whose outcome is decided (customer, churned or lost)",
        ),
        Outcome(
            "churned",
            "Churned",
            OutcomeKind.BINARY,
            "accounts that converted (customer or churned)",
            higher_is_better=False,
        ),
        Outcome(
            "gave_testimonial",
            "Gave a testimonial",
            OutcomeKind.BINARY,
            "accounts that piloted or bought (pilot, customer or churned)",
        ),
        Outcome(
            "referred",
            "Referred a customer",
            OutcomeKind.BINARY,
            "converted accounts whose referrals are recorded",
        ),
        Outcome(
            "days_to_convert",
            "Days to convert",
            OutcomeKind.CONTINUOUS,
            "converted accounts with a pilot: days from the first pilot's start to conversion",
            higher_is_better=False,
        ),
        Outcome(
            "contract_value",
            "Contract value",
            OutcomeKind.CONTINUOUS,
            "converted accounts whose contract value is recorded",
        ),
        Outcome("nps", "NPS", OutcomeKind.CONTINUOUS, "accounts whose NPS (0-10) is recorded"),
        Outcome(
            "time_to_churn",
            "Time to churn",
            OutcomeKind.TIME_TO_EVENT,
            "converted accounts with a conversion date: days until churn, or until today if still a customer",
        ),
    )
}

CONVERTED = CONVERTED_STAGES
DECIDED = DECIDED_STAGES
# Statuses a testimonial has passed approval in (published and retired ones were approved first).


def population_condition(outcome: Outcome) -> ColumnElement[bool]:
    match outcome.name:
        case "converted":
            return Account.stage.in_(DECIDED)
        case "churned" | "contract_value":
            condition = Account.stage.in_(CONVERTED)
            if outcome.name == "contract_value":
                condition = and_(condition, Account.contract_value.is_not(None))
            return condition
        case "gave_testimonial":
            return Account.stage.in_((Stage.PILOT.value, *CONVERTED))
        case "referred":
            return and_(Account.stage.in_(CONVERTED), Account.referrals.is_not(None))
        case "days_to_convert" | "time_to_churn":
            return and_(Account.stage.in_(CONVERTED), Account.converted_on.is_not(None))
        case "nps":
            return Account.nps.is_not(None)
    raise ValueError(f"unknown outcome {outcome.name!r}")


def positive_expression(outcome: Outcome) -> ColumnElement[Any]:
    """1 for a positive account of a binary outcome; continuous outcomes read their own columns."""
    match outcome.name:
        case "converted":
            return Account.stage.in_(CONVERTED)
        case "churned":
            return Account.stage == Stage.CHURNED.value
        case "gave_testimonial":
            return exists().where(
                Testimonial.account_id == Account.id,
                Testimonial.status.in_([s.value for s in GAVE_TESTIMONIAL]),
            )
        case "referred":
            return Account.referrals > 0
    return true() if outcome.kind is OutcomeKind.BINARY else false()
