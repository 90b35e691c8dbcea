"""Issue 16: stratified decisions rest on the adjusted effect, and p-values never underflow to 0.

Constructed tables whose within-stratum differences are equal: the Mantel-Haenszel risk difference of strata
sharing one difference is that difference exactly (a weighted mean of equal numbers), whatever the weights.
"""

from __future__ import annotations

import pytest
from scipy.stats import chi2

from ecp_tracker.analysis.binary import analyze_binary
from ecp_tracker.analysis.counts import StratumCounts, ValueCounts
from ecp_tracker.analysis.settings import AnalysisSettings


def analyse(counts: ValueCounts, stratified: bool = True):
    strata = counts.strata.values()
    population = sum(s.total for s in strata)
    positives = sum(s.positives for s in strata)
    (result,) = analyze_binary(
        "converted",
        [counts],
        population=population,
        positives=positives,
        stratified_by="acquisition_channel" if stratified else None,
        settings=AnalysisSettings(),
    ).results
    return result


# the trait sits mostly in the high-converting channel: +10 points within each channel, +59 points crude
TEN_POINTS_WITHIN = ValueCounts(
    "trait:crm",
    "yes",
    {"partner": StratumCounts(900, 1000, 80, 100), "outbound": StratumCounts(30, 100, 200, 1000)},
)

# the trait sits mostly in the low-converting channel: +20 points within each channel, -4 points crude
TWENTY_POINTS_HIDDEN = ValueCounts(
    "trait:crm",
    "yes",
    {"outbound": StratumCounts(120, 400, 10, 100), "partner": StratumCounts(70, 100, 200, 400)},
)


def test_a_ten_point_lift_within_every_channel_does_not_graduate_on_a_large_crude_lift():
    result = analyse(TEN_POINTS_WITHIN)
    assert result.difference == pytest.approx(930 / 1100 - 280 / 1100)  # the crude lift, about 59 points
    assert result.adjusted_difference == pytest.approx(0.10)
    low, high = result.adjusted_difference_ci
    assert low < 0.10 < high < 0.15 + 0.05
    assert result.adjusted_q_value < 0.10  # real, but below the declared 15 points
    assert result.recommendation != "graduate"
    assert "+10 points" in result.explanation


def test_a_strong_adjusted_effect_graduates_though_the_crude_interval_crosses_zero():
    result = analyse(TWENTY_POINTS_HIDDEN)
    low, high = result.difference_ci
    assert low < 0 < high  # crude: 38% vs 42%
    assert result.adjusted_difference == pytest.approx(0.20)
    assert result.adjusted_difference_ci[0] > 0
    assert result.recommendation == "graduate"
    assert "simpson_reversal" not in result.flags  # the crude -4 points is not clearly below 0
    assert "+20 points" in result.explanation


def test_unstratified_results_carry_no_adjusted_difference():
    result = analyse(TEN_POINTS_WITHIN, stratified=False)
    assert result.adjusted_difference is None and result.adjusted_difference_ci is None
    assert result.recommendation == "graduate"  # crude, it is a 59-point lift


def test_a_shrinking_effect_is_a_change_and_a_coinciding_trait_cannot_be_told_apart():
    changed = analyse(TEN_POINTS_WITHIN)
    assert changed.recommendation == "confounded" and changed.confounding == "changes"
    # the trait and the channel nearly coincide: 95 of 100 trait accounts in one channel, 5 in the other
    coincide = ValueCounts(
        "trait:crm",
        "yes",
        {"partner": StratumCounts(57, 95, 2, 5), "outbound": StratumCounts(1, 5, 19, 95)},
    )
    result = analyse(coincide)
    assert result.q_value < 0.10  # crude 58% vs 21%
    low, high = result.adjusted_difference_ci
    assert low < result.difference < high  # the crude lift is still inside the (wide) adjusted range
    assert result.recommendation == "confounded" and result.confounding == "cannot_tell_apart"
    assert "cannot tell them apart" in result.explanation


def test_a_significant_adjusted_effect_the_other_way_is_an_exclusion_not_a_shrug():
    # crude: clearly more conversions with the trait; within each channel, clearly fewer
    counts = ValueCounts(
        "trait:crm",
        "yes",
        {"partner": StratumCounts(600, 1000, 90, 100), "outbound": StratumCounts(0, 100, 300, 1000)},
    )
    result = analyse(counts)
    assert result.difference > 0 and result.p_value < 0.05
    assert result.adjusted_difference < -0.15 and result.adjusted_difference_ci[1] < 0
    assert result.recommendation == "exclude"
    assert "simpson_reversal" in result.flags
    assert "goes the other way" in result.explanation


def test_china_smoking_cmh_p_is_the_survival_function_not_zero():
    """Agresti (2002), Categorical Data Analysis, 2nd ed., section 6.3: smoking and lung cancer in eight
    Chinese cities. Published: Mantel-Haenszel odds ratio 2.17 (95% CI 1.98 to 2.38), CMH statistic 280.1
    (df 1), Breslow-Day 5.2 (df 7, p 0.64). chi2 (1 df) at 280.1 has a tail near 7e-63: 1 - cdf is 0."""
    cities = [
        (126, 100, 35, 61),
        (908, 688, 497, 807),
        (913, 747, 336, 598),
        (235, 172, 58, 121),
        (402, 308, 121, 215),
        (182, 156, 72, 98),
        (60, 99, 11, 43),
        (104, 89, 21, 36),
    ]
    # trait: smoker; outcome: lung cancer; (smoker cases, smoker controls, non-smoker cases, controls)
    counts = ValueCounts(
        "trait:smoker",
        "yes",
        {f"city {i}": StratumCounts(a, a + b, c, c + d) for i, (a, b, c, d) in enumerate(cities)},
    )
    result = analyse(counts)
    assert round(result.adjusted_odds_ratio, 2) == 2.17
    assert [round(v, 2) for v in result.adjusted_odds_ratio_ci] == [1.98, 2.38]
    assert result.adjusted_p_value > 0
    assert result.adjusted_p_value == pytest.approx(chi2.sf(280.1, 1), rel=0.05)
    assert result.adjusted_q_value > 0
    assert result.heterogeneity_p_value == pytest.approx(chi2.sf(5.2, 7), abs=0.005)
    assert round(result.heterogeneity_p_value, 2) == 0.64


def test_a_value_and_its_mirror_are_one_test_in_the_correction():
    # "yes" and "no" of one boolean trait are the same comparison seen from both sides
    yes = ValueCounts("trait:api", "yes", {"": StratumCounts(30, 50, 20, 50)})
    no = ValueCounts("trait:api", "no", {"": StratumCounts(20, 50, 30, 50)})
    other = ValueCounts("industry", "SaaS", {"": StratumCounts(28, 50, 22, 50)})
    analysis = analyze_binary(
        "converted", [yes, no, other], population=100, positives=50, stratified_by=None,
        settings=AnalysisSettings(),
    )  # fmt: skip
    by_value = {r.value: r for r in analysis.results}
    assert by_value["yes"].p_value == pytest.approx(by_value["no"].p_value)
    # two tests in the family, not three: BH with m = 2
    p_api, p_saas = by_value["yes"].p_value, by_value["SaaS"].p_value
    assert p_api < p_saas
    assert by_value["yes"].q_value == pytest.approx(min(p_api * 2, p_saas))
    assert by_value["no"].q_value == by_value["yes"].q_value
    assert by_value["SaaS"].q_value == pytest.approx(p_saas)
    assert "with 2 trait values checked" in by_value["yes"].explanation or by_value["yes"].p_value >= 0.05
