"""The trend test of a number trait against a yes/no outcome, checked against Agresti's published example."""

from __future__ import annotations

import pytest

from ecp_tracker.analysis.trend import trend_test

# Agresti (2002), Categorical Data Analysis, 2nd ed., Table 3.7 and section 3.4.6 (Graubard and Korn 1987):
# infant malformation by the mother's alcohol consumption (drinks per day: 0, <1, 1-2, 3-5, >=6), scored
# 0, 0.5, 1.5, 4.0, 7.0. Published: M^2 = 6.57 (P = 0.010); with the scores 1 to 5 instead, M^2 = 1.83
# (P = 0.18).
ABSENT = [17066, 14464, 788, 126, 37]
PRESENT = [48, 38, 5, 1, 1]


def table(scores):
    return {score: (a + p, p) for score, a, p in zip(scores, ABSENT, PRESENT, strict=True)}


def test_agresti_infant_malformation_and_alcohol():
    trend = trend_test("trait:drinks", table([0, 0.5, 1.5, 4.0, 7.0]))
    assert round(trend.z**2, 2) == 6.57 and round(trend.p_value, 3) == 0.010
    assert trend.direction == "rises" and trend.accounts == 32574 and trend.distinct_values == 5
    equal_steps = trend_test("trait:drinks", table([1, 2, 3, 4, 5]))
    assert round(equal_steps.z**2, 2) == 1.83 and round(equal_steps.p_value, 2) == 0.18
    assert equal_steps.direction == "flat"


def test_a_falling_rate_and_the_cases_it_cannot_test():
    falling = trend_test("trait:seats", {1: (20, 15), 5: (20, 10), 10: (20, 3)})
    assert falling.direction == "falls" and falling.z < 0 and falling.p_value < 0.001
    assert trend_test("trait:seats", {3: (10, 4)}).p_value is None  # one distinct number
    assert trend_test("trait:seats", {1: (10, 10), 2: (5, 5)}).z is None  # every account positive
    assert trend_test("trait:seats", {}).to_json()["p_value"] is None


@pytest.mark.parametrize("shift", [0.0, 0.2])
def test_shifting_the_numbers_changes_nothing(shift):
    base = trend_test("trait:x", table([0, 0.5, 1.5, 4.0, 7.0]))
    moved = trend_test("trait:x", table([s + shift for s in (0, 0.5, 1.5, 4.0, 7.0)]))
    assert moved.z == pytest.approx(base.z) and moved.p_value == pytest.approx(base.p_value)
