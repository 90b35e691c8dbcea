"""Discount terms: what is refused, and the effective price, value and depth worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ecp_tracker.domain.discounts import DiscountKind, DiscountTerms, GiveGetKind, discount_band
from ecp_tracker.domain.errors import InvalidFields

START = date(2026, 3, 1)


def terms(kind: str, amount: str, list_price: str, ends_on: date | None = None) -> DiscountTerms:
    return DiscountTerms(DiscountKind(kind), Decimal(amount), Decimal(list_price), START, ends_on)


@pytest.mark.parametrize(
    ("kind", "amount", "list_price", "ends_on", "field", "words"),
    [
        ("percent", "100.01", "1000", None, "amount", "over 100"),
        ("percent", "150", "1000", None, "amount", "over 100"),
        ("fixed", "1000.01", "1000", None, "amount", "larger than the list price"),
        ("percent", "20", "1000", date(2026, 2, 28), "ends_on", "before the start"),
        ("percent", "20", "-1", None, "list_price", "negative"),
        ("fixed", "0", "1000", None, "amount", "more than zero"),
        ("percent", "-5", "1000", None, "amount", "more than zero"),
        ("free_period", "1.5", "1000", None, "amount", "whole number of months"),
        ("free_period", "37", "1000", None, "amount", "at most 36"),
    ],
)
def test_refused_terms_name_the_field(kind, amount, list_price, ends_on, field, words):
    with pytest.raises(InvalidFields) as refused:
        terms(kind, amount, list_price, ends_on).check()
    assert field in refused.value.errors
    assert words in " ".join(refused.value.errors[field])
    assert refused.value.status == 422


def test_every_problem_is_reported_at_once():
    with pytest.raises(InvalidFields) as refused:
        DiscountTerms(DiscountKind.PERCENT, Decimal(120), Decimal(-5), START, date(2026, 1, 1)).check()
    assert set(refused.value.errors) == {"amount", "list_price", "ends_on"}


@pytest.mark.parametrize(
    ("kind", "amount", "list_price", "ends_on"),
    [
        ("percent", "100", "1000", None),  # free, but as a percent
        ("percent", "0.5", "1000", START),  # ends on the day it starts
        ("fixed", "1000", "1000", None),  # the whole list price
        ("free_period", "36", "1000", None),
        ("free_period", "3.00", "0", None),
    ],
)
def test_boundary_terms_pass(kind, amount, list_price, ends_on):
    terms(kind, amount, list_price, ends_on).check()


@pytest.mark.parametrize(
    ("kind", "amount", "list_price", "effective", "value", "depth"),
    [
        # 20% off 1,000: pays 800, gives away 200 a period, 20.0% deep
        ("percent", "20", "1000", "800.00", "200.00", "20.0"),
        # 12.5% off 2,399.99: x 0.875 = 2,099.99125 -> 2,099.99; gives 300.00 = 12.50005% -> 12.5
        ("percent", "12.5", "2399.99", "2099.99", "300.00", "12.5"),
        # 250 off 1,000: pays 750, 25.0% deep
        ("fixed", "250", "1000", "750", "250", "25.0"),
        # 100 off 300: pays 200; 100/300 = 33.33...% -> 33.3
        ("fixed", "100", "300", "200", "100", "33.3"),
        # 2 free months of 1,500 a month: pays 0 while it runs, gives away 3,000, 100% deep
        ("free_period", "2", "1500", "0", "3000.00", "100"),
        # 100% off: pays nothing
        ("percent", "100", "999.99", "0.00", "999.99", "100.0"),
        # a percent of a zero list price gives nothing away
        ("percent", "50", "0", "0.00", "0.00", "0"),
    ],
)
def test_effective_price_value_and_depth(kind, amount, list_price, effective, value, depth):
    t = terms(kind, amount, list_price)
    t.check()
    assert t.effective_price == Decimal(effective)
    assert t.value == Decimal(value)
    assert t.depth == Decimal(depth)
    if kind != "free_period":  # what is paid and what is given away make up the list price
        assert t.effective_price + t.value == Decimal(list_price)


@pytest.mark.parametrize(
    ("depth", "band"),
    [
        (None, "none"),
        ("-3", "none"),
        ("0", "none"),
        ("0.1", "1-10%"),
        ("10", "1-10%"),
        ("10.1", "11-25%"),
        ("25", "11-25%"),
        ("25.1", "26-50%"),
        ("50", "26-50%"),
        ("50.1", "51%+"),
        ("100", "51%+"),
    ],
)
def test_discount_band_boundaries(depth, band):
    assert discount_band(None if depth is None else Decimal(depth)) == band


def test_labels():
    assert DiscountKind.FREE_PERIOD.label == "Free period (months)"
    assert GiveGetKind.REFERENCE_CALLS.label == "Reference calls"
    assert {k.value for k in GiveGetKind} == {
        "testimonial",
        "case_study",
        "logo",
        "reference_calls",
        "feedback_sessions",
    }
