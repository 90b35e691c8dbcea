"""Discounts, what they cost, and what the customer promised in return (give to get)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from ecp_tracker.domain.errors import InvalidFields


class DiscountKind(StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"
    FREE_PERIOD = "free_period"

    @property
    def label(self) -> str:
        return {"percent": "Percent off", "fixed": "Fixed amount off", "free_period": "Free period (months)"}[
            self.value
        ]


class GiveGetKind(StrEnum):
    TESTIMONIAL = "testimonial"
    CASE_STUDY = "case_study"
    LOGO = "logo"
    REFERENCE_CALLS = "reference_calls"
    FEEDBACK_SESSIONS = "feedback_sessions"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


DISCOUNT_BANDS = (
    (Decimal(0), "none"),
    (Decimal(10), "1-10%"),
    (Decimal(25), "11-25%"),
    (Decimal(50), "26-50%"),
)


@dataclass(frozen=True)
class DiscountTerms:
    kind: DiscountKind
    amount: Decimal
    list_price: Decimal
    starts_on: date
    ends_on: date | None

    def check(self) -> None:
        problems: list[tuple[str, str]] = []
        if self.amount <= 0:
            problems.append(("amount", "The discount must be more than zero."))
        if self.list_price < 0:
            problems.append(("list_price", "The list price cannot be negative."))
        if self.kind is DiscountKind.PERCENT and self.amount > 100:
            problems.append(("amount", "A percent discount cannot be over 100."))
        if self.kind is DiscountKind.FIXED and self.amount > self.list_price:
            problems.append(("amount", "A fixed discount cannot be larger than the list price."))
        if self.kind is DiscountKind.FREE_PERIOD and (
            self.amount != self.amount.to_integral_value() or self.amount > 36
        ):
            problems.append(("amount", "A free period is a whole number of months, at most 36."))
        if self.ends_on and self.ends_on < self.starts_on:
            problems.append(("ends_on", "The end cannot be before the start."))
        if problems:
            raise InvalidFields(problems)

    @property
    def effective_price(self) -> Decimal:
        """What the customer pays per period while the discount runs."""
        if self.kind is DiscountKind.PERCENT:
            return (self.list_price * (Decimal(100) - self.amount) / Decimal(100)).quantize(Decimal("0.01"))
        if self.kind is DiscountKind.FIXED:
            return self.list_price - self.amount
        return Decimal(0)

    @property
    def value(self) -> Decimal:
        """What the discount gives away: per period for percent and fixed, the whole free months otherwise."""
        if self.kind is DiscountKind.FREE_PERIOD:
            return (self.list_price * self.amount).quantize(Decimal("0.01"))
        return self.list_price - self.effective_price

    @property
    def depth(self) -> Decimal:
        """The share of the list price given away, in percent (100 for a free period)."""
        if self.kind is DiscountKind.FREE_PERIOD:
            return Decimal(100)
        if self.list_price == 0:
            return Decimal(0)
        return ((self.list_price - self.effective_price) / self.list_price * 100).quantize(Decimal("0.1"))


def discount_band(depth: Decimal | None) -> str:
    """The `discount_band` trait of the analysis: none, 1-10%, 11-25%, 26-50%, 51%+."""
    if depth is None or depth <= 0:
        return "none"
    for upper, label in DISCOUNT_BANDS[1:]:
        if depth <= upper:
            return label
    return "51%+"
