from decimal import Decimal

import pytest

from ecp_tracker.domain.numbers import parse_decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234", Decimal(1234)),
        ("1,234", Decimal(1234)),
        ("35,000,000", Decimal(35_000_000)),
        ("1,234.50", Decimal("1234.50")),
        ("3.5E+07", Decimal(35_000_000)),
        (" 42 ", Decimal(42)),
        ("-7", Decimal(-7)),
    ],
)
def test_reads_numbers_with_thousands_separators(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize("text", ["1,5", "12,34", "1,2345", "abc", "", "NaN", "Infinity", "1.234,5"])
def test_refuses_what_could_be_misread(text):
    assert parse_decimal(text) is None
