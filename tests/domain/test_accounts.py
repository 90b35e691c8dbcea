"""Account domain rules: derived bands at their boundaries, domain and name normalisation, stage dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ecp_tracker.domain.accounts import (
    SIZE_BAND_LABELS,
    Stage,
    StageDates,
    check_stage_dates,
    company_age_band,
    name_key,
    normalize_domain,
    revenue_band,
    size_band,
    size_band_range,
)
from ecp_tracker.domain.errors import ValidationError

TODAY = date(2026, 11, 1)


# --- size band ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("employees", "band"),
    [
        (1, "1-10"),
        (10, "1-10"),
        (11, "11-50"),
        (50, "11-50"),
        (51, "51-200"),
        (200, "51-200"),
        (201, "201-1000"),
        (1000, "201-1000"),
        (1001, "1001+"),
        (250_000, "1001+"),
    ],
)
def test_size_band_boundaries(employees, band):
    assert size_band(employees) == band


@pytest.mark.parametrize("employees", [None, 0, -3])
def test_size_band_is_unknown_without_a_positive_headcount(employees):
    assert size_band(employees) is None


def test_size_band_labels_and_ranges_agree():
    assert SIZE_BAND_LABELS == ("1-10", "11-50", "51-200", "201-1000", "1001+")
    assert size_band_range("11-50") == (11, 50)
    assert size_band_range("1001+") == (1001, None)
    for label in SIZE_BAND_LABELS:
        low, high = size_band_range(label)
        assert size_band(low) == label
        if high is not None:
            assert size_band(high) == label
            assert size_band(high + 1) != label


def test_unknown_size_band_range_is_a_validation_error_on_size_band():
    with pytest.raises(ValidationError) as caught:
        size_band_range("10-20")
    assert caught.value.field == "size_band"


# --- revenue band ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("revenue", "band"),
    [
        ("0", "<1M"),
        ("999999.99", "<1M"),
        ("1000000", "1M-10M"),
        ("9999999.99", "1M-10M"),
        ("10000000", "10M-50M"),
        ("49999999.99", "10M-50M"),
        ("50000000", "50M-250M"),
        ("249999999.99", "50M-250M"),
        ("250000000", "250M+"),
        ("7000000000", "250M+"),
    ],
)
def test_revenue_band_boundaries(revenue, band):
    assert revenue_band(Decimal(revenue)) == band


@pytest.mark.parametrize("revenue", [None, Decimal("-1")])
def test_revenue_band_is_unknown_without_a_revenue(revenue):
    assert revenue_band(revenue) is None


# --- company age band -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("founded", "band"),
    [
        (2026, "0-2 years"),
        (2024, "0-2 years"),
        (2023, "3-5 years"),
        (2021, "3-5 years"),
        (2020, "6-10 years"),
        (2016, "6-10 years"),
        (2015, "11+ years"),
        (1890, "11+ years"),
    ],
)
def test_company_age_band_boundaries(founded, band):
    assert company_age_band(founded, TODAY) == band


def test_company_age_band_is_unknown_without_a_plausible_year():
    assert company_age_band(None, TODAY) is None
    assert company_age_band(2027, TODAY) is None


# --- domains and names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "domain"),
    [
        ("acme.com", "acme.com"),
        ("https://www.Acme.com/about", "acme.com"),
        ("http://acme.com", "acme.com"),
        ("HTTPS://WWW.ACME.COM", "acme.com"),
        ("www.acme.com", "acme.com"),
        ("acme.com:8443", "acme.com"),
        ("https://acme.com:8443/path/to?x=1", "acme.com"),
        ("acme.com?utm_source=x", "acme.com"),
        ("  app.Acme.co.uk/login  ", "app.acme.co.uk"),
        ("my-startup.io", "my-startup.io"),
    ],
)
def test_normalize_domain(raw, domain):
    assert normalize_domain(raw) == domain


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_blank_domain_is_none(raw):
    assert normalize_domain(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        "not a domain",
        "localhost",
        "acme",
        "acme..com",
        "-acme.com",
        "acme.c",
        "user@acme.com",
        "https://",
        "acme.123",
    ],
)
def test_invalid_domain_is_a_validation_error_on_domain(raw):
    with pytest.raises(ValidationError) as caught:
        normalize_domain(raw)
    assert caught.value.field == "domain"
    assert caught.value.errors == {"domain": [caught.value.message]}


def test_name_key_ignores_case_and_spacing():
    assert name_key("  Acme   Corp ") == "acme corp"
    assert name_key("ACME\tCorp") == name_key("acme corp")
    assert name_key("Straße") == name_key("STRASSE")  # casefold, not lower
    assert name_key("Acme Corp") != name_key("AcmeCorp")


# --- stage dates ----------------------------------------------------------------------------------------


def check(stage: Stage, converted: date | None = None, churned: date | None = None) -> None:
    check_stage_dates(StageDates(stage, converted, churned), TODAY)


def refused_field(stage: Stage, converted: date | None = None, churned: date | None = None) -> str | None:
    with pytest.raises(ValidationError) as caught:
        check(stage, converted, churned)
    return caught.value.field


@pytest.mark.parametrize("stage", [Stage.PROSPECT, Stage.PILOT, Stage.LOST])
def test_undecided_or_lost_stages_need_no_dates(stage):
    check(stage)


def test_customer_needs_its_conversion_date():
    assert refused_field(Stage.CUSTOMER) == "converted_on"
    check(Stage.CUSTOMER, date(2026, 3, 1))
    check(Stage.CUSTOMER, TODAY)  # today is not the future


def test_churned_needs_both_dates_in_order():
    assert refused_field(Stage.CHURNED, churned=date(2026, 5, 1)) == "converted_on"
    assert refused_field(Stage.CHURNED, date(2026, 3, 1)) == "churned_on"
    assert refused_field(Stage.CHURNED, date(2026, 3, 1), date(2026, 2, 28)) == "churned_on"
    check(Stage.CHURNED, date(2026, 3, 1), date(2026, 3, 1))  # the same day is allowed
    check(Stage.CHURNED, date(2026, 3, 1), date(2026, 9, 30))


@pytest.mark.parametrize("stage", [Stage.PROSPECT, Stage.PILOT, Stage.LOST])
def test_stages_that_did_not_convert_refuse_a_conversion_date(stage):
    assert refused_field(stage, date(2026, 3, 1)) == "converted_on"


@pytest.mark.parametrize("stage", [Stage.PROSPECT, Stage.PILOT, Stage.CUSTOMER, Stage.LOST])
def test_only_churned_has_a_churn_date(stage):
    converted = date(2026, 3, 1) if stage == Stage.CUSTOMER else None
    assert refused_field(stage, converted, date(2026, 6, 1)) == "churned_on"


def test_future_dates_are_refused():
    assert refused_field(Stage.CUSTOMER, date(2026, 11, 2)) == "converted_on"
    assert refused_field(Stage.CHURNED, date(2026, 3, 1), date(2027, 1, 1)) == "churned_on"


def test_decided_stages():
    assert {s for s in Stage if s.is_decided} == {Stage.CUSTOMER, Stage.CHURNED, Stage.LOST}
