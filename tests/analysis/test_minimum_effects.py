"""Issue 16: continuous and time-to-event outcomes need a declared minimum effect, as rates need min_lift.

Deterministic samples: evenly spaced values and exponential quantiles, so the effect sizes are known exactly
(P(X > Y) of two shifted evenly spaced grids; the hazard ratio of two exponentials is their rate ratio).
"""

from __future__ import annotations

import math

import pytest

from ecp_tracker.analysis.continuous import ValueSamples, analyze_continuous
from ecp_tracker.analysis.settings import AnalysisSettings
from ecp_tracker.analysis.survival import ValueDurations, analyze_time_to_event

N = 3000


def continuous(shift: int, settings: AnalysisSettings):
    with_values = [float(i + shift) for i in range(N)]
    without_values = [float(i) for i in range(N)]
    (result,) = analyze_continuous(
        "contract_value",
        [ValueSamples("trait:crm", "yes", with_values, without_values)],
        population=2 * N,
        higher_is_better=True,
        settings=settings,
    ).results
    return result


def test_a_tiny_but_certain_continuous_edge_does_not_graduate():
    # shifted by 75 on a grid of 3,000: P(X > Y) about 0.525, certain at 6,000 accounts
    result = continuous(75, AnalysisSettings())
    assert 0.52 < result.probability_greater < 0.53
    assert result.q_value < 0.01
    assert result.recommendation == "promising"
    assert "smaller than the minimum effect" in result.explanation


def test_a_continuous_edge_above_the_declared_minimum_graduates():
    result = continuous(1000, AnalysisSettings())  # P(X > Y) about 0.72
    assert result.probability_greater > 0.6
    assert result.recommendation == "graduate"
    # the same data with a stricter declared minimum is held back
    assert continuous(1000, AnalysisSettings(min_probability=0.8)).recommendation == "promising"


def exponential(rate: float) -> list[float]:
    return [-math.log(1 - (i + 0.5) / N) / rate for i in range(N)]


def survival(rate_with: float, settings: AnalysisSettings):
    durations = ValueDurations(
        "trait:crm",
        "yes",
        exponential(rate_with),
        [True] * N,
        exponential(1.0),
        [True] * N,
    )
    (result,) = analyze_time_to_event(
        "time_to_churn", [durations], population=2 * N, stratified_by=None, settings=settings
    ).results
    return result


def test_a_small_but_certain_hazard_ratio_does_not_graduate():
    result = survival(0.9, AnalysisSettings())  # churns 0.9 times as fast: below the declared 1.25
    assert result.hazard_ratio == pytest.approx(0.9, abs=0.02)
    assert result.q_value < 0.01
    assert result.recommendation == "promising"
    assert "smaller than the minimum effect" in result.explanation


def test_a_hazard_ratio_beyond_the_declared_minimum_graduates():
    result = survival(0.6, AnalysisSettings())
    assert result.hazard_ratio == pytest.approx(0.6, abs=0.03)
    assert result.recommendation == "graduate"


def test_settings_refuse_a_minimum_effect_that_means_nothing():
    with pytest.raises(ValueError, match="min_probability"):
        AnalysisSettings(min_probability=0.5)
    with pytest.raises(ValueError, match="min_hazard_ratio"):
        AnalysisSettings(min_hazard_ratio=1.0)
