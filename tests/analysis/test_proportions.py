"""Wilson score intervals, checked against published reference values.

Newcombe RG (1998). Two-sided confidence intervals for the single proportion: comparison of seven methods.
Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score interval without continuity correction).
"""

from __future__ import annotations

import pytest

from ecp_tracker.analysis.proportions import Rate, wilson_rate

NEWCOMBE_TABLE_I = [
    # successes, total, lower, upper (95%)
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("successes", "total", "low", "high"), NEWCOMBE_TABLE_I)
def test_wilson_interval_matches_newcombe_1998_table_i(successes, total, low, high):
    rate = wilson_rate(successes, total)
    assert isinstance(rate, Rate)
    assert round(rate.low, 4) == pytest.approx(low, abs=1e-9)
    assert round(rate.high, 4) == pytest.approx(high, abs=1e-9)
    assert rate.successes == successes and rate.total == total
    assert rate.value == pytest.approx(successes / total)
    assert rate.confidence == 0.95
    assert rate.low <= rate.value <= rate.high


def test_interval_is_symmetric_for_all_and_none():
    none = wilson_rate(0, 20)
    every = wilson_rate(20, 20)
    assert none.low == pytest.approx(0.0, abs=1e-12)
    assert every.high == pytest.approx(1.0, abs=1e-12)
    assert every.low == pytest.approx(1 - none.high)


def test_a_higher_confidence_gives_a_wider_interval():
    narrow = wilson_rate(81, 263, confidence=0.90)
    wide = wilson_rate(81, 263, confidence=0.99)
    assert wide.low < narrow.low < narrow.high < wide.high
    assert wide.confidence == 0.99


@pytest.mark.parametrize("total", [0, -1])
def test_nothing_to_divide_by_gives_none(total):
    assert wilson_rate(0, total) is None


@pytest.mark.parametrize(("successes", "total"), [(6, 5), (-1, 5)])
def test_impossible_counts_raise(successes, total):
    with pytest.raises(ValueError, match="successes"):
        wilson_rate(successes, total)
