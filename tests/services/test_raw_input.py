"""The one reader of each kind of raw input: values, and the problem named on its field when it is wrong."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ecp_tracker.services.shared import raw_input


def read(reader, value, **options):
    problems: list[tuple[str, str]] = []
    return reader(value, "field", problems, **options), problems


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1500", Decimal("1500.00")), ("1,500.505", Decimal("1500.50")), (12, Decimal("12.00")), ("", None)],
)
def test_money_reads_amounts_to_the_cent(value, expected):
    assert read(raw_input.money, value) == (expected, [])


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("-5", "negative"),
        ("1e14", "too large"),
        ("100000000000000", "too large"),
        ("lots", "such as"),
        (True, ""),
    ],
)
def test_money_refuses_what_cannot_be_stored_naming_the_field(value, words):
    amount, problems = read(raw_input.money, value)
    assert amount is None
    assert [field for field, _ in problems] == ["field"]
    assert words in problems[0][1]


def test_a_required_amount_or_number_must_be_given():
    assert read(raw_input.money, " ", required=True)[1] == [("field", "Enter an amount.")]
    assert read(raw_input.number, None, required=True)[1] == [("field", "Enter a number.")]


@pytest.mark.parametrize(("value", "expected"), [("7", 7), (7, 7), ("7.0", 7), ("", None)])
def test_whole_numbers(value, expected):
    assert read(raw_input.whole_number, value) == (expected, [])


@pytest.mark.parametrize(
    ("value", "low", "high"), [("7.5", None, None), ("0", 1, None), ("11", None, 10), (True, None, None)]
)
def test_whole_numbers_out_of_range_or_fractional_are_refused(value, low, high):
    number, problems = read(raw_input.whole_number, value, low=low, high=high)
    assert number is None and len(problems) == 1


def test_dates_read_iso_text_and_timestamps_and_refuse_the_rest():
    assert read(raw_input.day, "2026-03-31") == (date(2026, 3, 31), [])
    assert read(raw_input.day, "2026-03-31T10:00:00") == (date(2026, 3, 31), [])
    assert read(raw_input.day, "31/03/2026")[1] == [
        ("field", "Write the date as YYYY-MM-DD, not '31/03/2026'.")
    ]
    assert read(raw_input.day, "", required=True)[1] == [("field", "Give the date.")]


def text(value, limit=10, **options):
    problems: list[tuple[str, str]] = []
    return raw_input.text(value, "field", limit, problems, **options), problems


def test_text_folds_spaces_keeps_lines_when_asked_and_counts_the_limit():
    assert text("  a   b ") == ("a b", [])
    assert text("line 1  \r\nline 2 ", limit=20, lines=True) == ("line 1\nline 2", [])
    assert text("x" * 11)[1] == [("field", "Use at most 10 characters (this has 11).")]


def test_text_refuses_a_nul_character():
    clean, problems = text("ab\x00c")
    assert clean == "abc"
    assert len(problems) == 1 and problems[0][0] == "field" and "NUL" in problems[0][1]
