"""Continuous outcomes (Brunner-Munzel), checked against published reference values.

Brunner E, Munzel U (2000). The nonparametric Behrens-Fisher problem: asymptotic theory and a small-sample
approximation. Biometrical Journal 42:17-25: pain scores on the third day after surgery, 14 patients under
treatment Y and 11 under treatment N. R lawstat::brunner.munzel.test(Y, N) prints statistic 3.1375,
df 17.683, p-value 0.005786, 95% interval 0.5952169 to 0.9827052 for the estimate P(X<Y)+.5*P(X=Y) = 0.788961
(X from Y); the scipy.stats.brunnermunzel documentation uses the same data (statistic 3.1374..., p 0.0057862).

Neubert K, Brunner E (2007). A studentized permutation test for the non-parametric Behrens-Fisher problem.
Computational Statistics and Data Analysis 51:5192-5204. The R package brunnermunzel (Toshiaki Ara) prints,
for brunnermunzel.permutation.test: p = 0.158 on Hollander and Wolfe's (1973, p. 29f) Hamilton depression
scale data (all 48,620 relabellings) and p = 0.008038 on the pain scores above.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.stats import brunnermunzel
from statsmodels.stats.nonparametric import rank_compare_2indep

from ecp_tracker.analysis.continuous import (
    CONTRACT_RESULT_KEYS,
    ContinuousAnalysis,
    ValueSamples,
    analyze_continuous,
    compare_ranks,
)
from ecp_tracker.analysis.multiple import bh_q_values
from ecp_tracker.analysis.settings import AnalysisSettings

PAIN_Y = [1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 1, 1]
PAIN_N = [3, 3, 4, 3, 1, 2, 3, 1, 1, 5, 4]
HAMILTON_FIRST = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
HAMILTON_SECOND = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
SETTINGS = AnalysisSettings()
CONTINUOUS_KEYS = {
    "median_with",
    "median_without",
    "probability_greater",
    "probability_greater_ci",
    "p_value_method",  # issue 16
    "p_value_error",
}


def test_statsmodels_brunner_munzel_matches_lawstat_and_scipy_on_the_pain_scores():
    # rank_compare_2indep(x1, x2).prob1 is P(x1 > x2) + 0.5 P(x1 = x2): N first gives lawstat's P(Y < N) ...
    result = rank_compare_2indep(PAIN_N, PAIN_Y)
    assert result.statistic == pytest.approx(3.1375, abs=1e-4)
    assert result.df == pytest.approx(17.683, abs=1e-3)
    assert result.pvalue == pytest.approx(0.005786, abs=1e-6)
    assert result.prob1 == pytest.approx(0.788961, abs=1e-6)
    low, high = result.conf_int(alpha=0.05)
    assert (low, high) == (pytest.approx(0.5952169, abs=1e-7), pytest.approx(0.9827052, abs=1e-7))
    # ... and scipy's statistic has the same sign for (Y, N): it is positive when the second sample is larger
    scipy_result = brunnermunzel(PAIN_Y, PAIN_N)
    assert scipy_result.statistic == pytest.approx(3.1375, abs=1e-4)
    assert scipy_result.pvalue == pytest.approx(0.0057862, abs=1e-7)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ([1, 2], [3, 4], 0.0),  # every pair: first smaller
        ([3, 4], [1, 2], 1.0),  # every pair: first larger
        ([1, 2, 2], [2, 3], 1 / 6),  # 6 pairs: no win, 2 ties counting half
        ([1, 3], [2, 2], 0.5),  # 4 pairs: 2 wins, 2 losses
    ],
)
def test_probability_greater_is_p_of_with_above_without_counted_by_hand(first, second, expected):
    with np.errstate(all="ignore"):  # statsmodels divides by a zero variance when the groups do not overlap
        assert rank_compare_2indep(first, second).prob1 == pytest.approx(expected)
    assert compare_ranks(first, second).probability == pytest.approx(expected)


def test_compare_ranks_reports_p_of_with_above_without_for_the_pain_scores():
    higher = compare_ranks(PAIN_N, PAIN_Y)
    assert higher.probability == pytest.approx(0.788961, abs=1e-6)
    assert higher.low > 0.5
    lower = compare_ranks(PAIN_Y, PAIN_N)
    assert lower.probability == pytest.approx(1 - 0.788961, abs=1e-6)
    assert lower.high < 0.5


def test_the_permutation_p_equals_the_published_exact_value():
    # every one of the C(18, 9) = 48,620 relabellings is enumerated (issue 16): an exact test, as the R
    # package computes it, with no Monte Carlo error
    exact = compare_ranks(HAMILTON_FIRST, HAMILTON_SECOND)
    assert exact.method == "exact_permutation"
    assert round(exact.p_value, 3) == 0.158
    assert exact.p_value_error == 0


def test_the_random_relabelling_p_agrees_with_the_published_values_within_monte_carlo_error():
    # C(25, 11) = 4,457,400 relabellings: too many to enumerate, so seeded random ones are drawn until the
    # 99.9% Monte Carlo band is clear of 0.05 and 0.10; the standard error is reported
    pain = compare_ranks(PAIN_N, PAIN_Y)
    assert pain.method == "permutation"
    assert 0 < pain.p_value_error < 0.005
    assert abs(pain.p_value - 0.008038) < 4 * pain.p_value_error
    assert pain.p_value + 3.29 * pain.p_value_error < 0.05
    assert compare_ranks(PAIN_N, PAIN_Y) == pain  # seeded: the same data gives the same answer


def test_large_samples_use_the_t_approximation_with_the_same_estimate():
    # nine copies of each group: 225 accounts, above PERMUTATION_MAX_N; P(X > Y) does not change with copies
    result = compare_ranks(PAIN_N * 9, PAIN_Y * 9)
    assert result.method == "brunner_munzel"
    assert result.probability == pytest.approx(0.788961, abs=1e-6)
    assert 0.5952169 < result.low < result.probability < result.high < 0.9827052


def test_groups_that_do_not_overlap_get_the_exact_permutation_p():
    # only 2 of the C(10, 5) = 252 ways to split ten accounts into five and five separate them completely
    result = compare_ranks([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])
    assert result.p_value == pytest.approx(2 / 252)
    assert result.probability == 0.0
    assert result.low == 0.0 < result.high < 0.5
    mirrored = compare_ranks([6, 7, 8, 9, 10], [1, 2, 3, 4, 5])
    assert mirrored.probability == 1.0
    assert mirrored.low == pytest.approx(1 - result.high)
    assert compare_ranks([1, 2], [3, 4]).p_value == pytest.approx(2 / 6)


@pytest.mark.parametrize(
    ("with_values", "without_values"),
    [
        ([], []),
        ([], [1, 2, 3, 4, 5]),
        ([3], [1, 2, 3, 4, 5]),
        ([7, 7, 7, 7, 7], [7, 7, 7, 7, 7, 7]),  # every value equal
        ([None, math.nan, 1, 2], [1, 2, 3, 4, 5, 6]),  # only two known values with
        ([math.inf, -math.inf, None, math.nan, math.nan], [1, 2, 3, 4, 5]),
    ],
)
def test_degenerate_input_gives_insufficient_data_and_clean_json(with_values, without_values):
    analysis = analyze_continuous(
        "nps",
        [ValueSamples("archetype", "Game changer", with_values, without_values)],
        population=12,
        higher_is_better=True,
        settings=SETTINGS,
    )
    (result,) = analysis.results
    assert result.recommendation == "insufficient_data"
    assert result.p_value is None and result.q_value is None and result.probability_greater is None
    assert result.explanation.endswith(".")
    json.dumps(analysis.to_json(), allow_nan=False)


def test_every_value_equal_is_explained():
    analysis = analyze_continuous(
        "nps",
        [ValueSamples("archetype", "Game changer", [7] * 6, [7] * 9)],
        population=15,
        higher_is_better=True,
        settings=SETTINGS,
    )
    assert (
        analysis.results[0].explanation
        == "Every account has the same NPS (7), so there is nothing to compare."
    )


def test_missing_values_are_dropped_before_counting():
    analysis = analyze_continuous(
        "contract_value",
        [ValueSamples("industry", "SaaS", [1, None, 2, math.nan, 3, 4, 5], [6, 7, math.inf, 8, 9, 10])],
        population=11,
        higher_is_better=True,
        settings=SETTINGS,
    )
    result = analysis.results[0]
    assert (result.n_with, result.n_without) == (5, 5)
    assert (result.median_with, result.median_without) == (3, 8)


FAST = [10, 12, 14, 15, 18, 20, 21, 22, 25, 30, 31]
SLOW = [35, 40, 41, 44, 45, 48, 50, 52, 55, 60, 61, 64, 70, 75, 80, 21, 28]


def test_faster_conversion_graduates_when_lower_is_better():
    analysis = analyze_continuous(
        "days_to_convert",
        [ValueSamples("acquisition_channel", "Referral", FAST, SLOW)],
        population=30,
        higher_is_better=False,
        settings=SETTINGS,
    )
    (result,) = analysis.results
    assert result.probability_greater < 0.5 and result.probability_greater_ci[1] < 0.5
    assert result.recommendation == "graduate"
    assert result.flags == ()
    assert result.explanation == (
        "Accounts from the Referral channel converted faster (median 20 days vs 50 for the rest); "
        "with 1 value checked, this is unlikely to be luck."
    )


def test_the_same_shift_is_excluded_when_higher_is_better():
    analysis = analyze_continuous(
        "contract_value",
        [ValueSamples("archetype", "Game changer", FAST, SLOW)],
        population=30,
        higher_is_better=True,
        settings=SETTINGS,
        labels={"archetype=Game changer": "Game changers"},
    )
    (result,) = analysis.results
    assert result.recommendation == "exclude"
    assert result.explanation.startswith(
        "Game changers signed smaller contracts (median 20 vs 50 for the rest)"
    )


def test_a_small_p_that_does_not_survive_the_fdr_level_is_promising():
    settings = AnalysisSettings(fdr=0.001)
    analysis = analyze_continuous(
        "nps",
        [ValueSamples("trait:champion", "yes", PAIN_N, PAIN_Y)],
        population=25,
        higher_is_better=True,
        settings=settings,
        labels={"trait:champion": "A champion"},
    )
    (result,) = analysis.results
    assert result.p_value < settings.promising_p < result.q_value + 1 and result.q_value > settings.fdr
    assert result.recommendation == "promising"
    assert result.flags == ("small_sample",)
    assert result.explanation == (
        "Accounts with a champion gave higher NPS scores (median 3 vs 1 for the rest), but with 1 value "
        "checked this could still be luck; more accounts would settle it."
    )


def test_no_difference_is_no_evidence():
    analysis = analyze_continuous(
        "nps",
        [ValueSamples("region", "EMEA", [5, 6, 7, 8, 9, 6], [6, 5, 7, 9, 8, 7, 6])],
        population=13,
        higher_is_better=True,
        settings=SETTINGS,
    )
    (result,) = analysis.results
    assert result.recommendation == "no_evidence"
    assert result.explanation.endswith("but the sample is too small to be sure.")
    assert "q-value" not in result.explanation and "p-value" not in result.explanation


def test_q_values_cover_every_tested_value_and_results_are_sorted_by_evidence():
    samples = [
        ValueSamples("region", "EMEA", [5, 6, 7, 8, 9, 6], [6, 5, 7, 9, 8, 7, 6]),
        ValueSamples("archetype", "Game changer", PAIN_N, PAIN_Y),
        ValueSamples("industry", "SaaS", [1, 2], [3, 4, 5, 6, 7]),  # too few: untested
        ValueSamples("acquisition_channel", "Referral", FAST, SLOW),
    ]
    analysis = analyze_continuous("nps", samples, population=60, higher_is_better=True, settings=SETTINGS)
    by_value = {r.value: r for r in analysis.results}
    tested = [by_value[s.value] for s in samples if by_value[s.value].p_value is not None]
    assert [r.q_value for r in tested] == bh_q_values([r.p_value for r in tested])
    assert [r.value for r in analysis.results] == ["Referral", "Game changer", "EMEA", "SaaS"]
    assert analysis.results[-1].recommendation == "insufficient_data"
    assert "3 values checked" in by_value["Referral"].explanation


def test_json_has_every_section_6_key_and_no_binary_numbers():
    analysis = analyze_continuous(
        "days_to_convert",
        [ValueSamples("acquisition_channel", "Referral", FAST, SLOW)],
        population=30,
        higher_is_better=False,
        settings=SETTINGS,
    )
    assert isinstance(analysis, ContinuousAnalysis)
    data = json.loads(json.dumps(analysis.to_json(), allow_nan=False))
    assert list(data) == ["outcome", "population", "positives", "stratified_by", "fdr", "results"]
    assert data["positives"] is None and data["stratified_by"] is None and data["fdr"] == 0.1
    (result,) = data["results"]
    assert set(result) == set(CONTRACT_RESULT_KEYS) | CONTINUOUS_KEYS
    for key in ("rate_with", "rate_without", "odds_ratio", "odds_ratio_ci", "difference", "difference_ci"):
        assert result[key] is None
    for key in ("adjusted_odds_ratio", "adjusted_p_value", "adjusted_q_value", "heterogeneity_p_value"):
        assert result[key] is None
    assert result["more_accounts_needed"] is None
    assert result["median_with"] == 20 and result["median_without"] == 50
    low, high = result["probability_greater_ci"]
    assert 0 <= low <= result["probability_greater"] <= high <= 1
    assert result["flags"] == [] and result["recommendation"] == "graduate"


def _simulated_run(rng: np.random.Generator, shift: float) -> ContinuousAnalysis:
    """60 accounts, 10 yes/no traits; trait 0 multiplies contract value by exp(shift)."""
    accounts = 60
    has = rng.random((10, accounts)) < rng.uniform(0.2, 0.5, size=(10, 1))
    value = rng.lognormal(9, 1, accounts) * np.exp(shift * has[0])
    samples = [
        ValueSamples(f"trait:t{k}", "yes", value[has[k]].tolist(), value[~has[k]].tolist()) for k in range(10)
    ]
    return analyze_continuous(
        "contract_value", samples, population=accounts, higher_is_better=True, settings=SETTINGS
    )


def test_with_no_true_difference_graduate_or_exclude_stays_within_the_fdr_level():
    # With no effect at all, Benjamini-Hochberg on valid p-values keeps P(any discovery) at or below the FDR
    # level in expectation (at it, for exact independent tests), so 300 runs estimate it to about +-0.017.
    # The t approximation alone gives 0.117 on these same runs: on small, unbalanced groups it is too
    # optimistic in the tails multiple testing looks at. The permutation test gives 0.070.
    rng = np.random.default_rng(20240601)
    runs = 300
    decided = sum(
        any(r.recommendation in {"graduate", "exclude"} for r in _simulated_run(rng, 0.0).results)
        for _ in range(runs)
    )
    assert decided / runs <= SETTINGS.fdr


def test_a_real_shift_is_found():
    rng = np.random.default_rng(7)
    runs = 40
    found = sum(
        any(
            r.trait == "trait:t0" and r.recommendation == "graduate" for r in _simulated_run(rng, 1.2).results
        )
        for _ in range(runs)
    )
    assert found / runs >= 0.8


# Student (1908), "The probable error of a mean", Biometrika 6:1-25; R's `sleep` data (Cushny and Peebles):
# extra hours of sleep with drug 1 and drug 2, ten patients each. R: wilcox.test(extra ~ group, data = sleep)
# reports W = 25.5, i.e. P(drug 1 > drug 2) + 0.5 P(tie) = 25.5 / 100.
SLEEP_DRUG_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_DRUG_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_student_sleep_data_is_an_exact_permutation_case():
    result = compare_ranks(SLEEP_DRUG_2, SLEEP_DRUG_1)
    assert result.probability == pytest.approx(1 - 25.5 / 100)
    # every one of the C(20, 10) = 184,756 relabellings is enumerated: no seed, no Monte Carlo error
    assert result.method == "exact_permutation" and result.p_value_error == 0
    hits = result.p_value * math.comb(20, 10)
    assert hits == pytest.approx(round(hits), abs=1e-6)  # an exact p is a whole number of relabellings
    mirror = compare_ranks(SLEEP_DRUG_1, SLEEP_DRUG_2)
    assert mirror.p_value == pytest.approx(result.p_value)  # a value and its mirror: the same test
    assert 0.01 < result.p_value < 0.2  # the rank evidence is borderline, as every published analysis finds


def test_a_two_level_trait_and_its_mirror_share_one_monte_carlo_p():
    # 12 + 17 accounts: C(29, 12) = 52 million relabellings, too many to enumerate, so the p is drawn at
    # random. "a" against the rest and "b" against the rest are one comparison: one p, not two draws (which,
    # with groups of different sizes, would be two different random numbers).
    rng = np.random.default_rng(3)
    first, second = rng.normal(0.6, 1, 12).tolist(), rng.normal(0, 1, 17).tolist()
    samples = [ValueSamples("trait:plan", "a", first, second), ValueSamples("trait:plan", "b", second, first)]
    analysis = analyze_continuous("nps", samples, population=29, higher_is_better=True, settings=SETTINGS)
    a, b = sorted(analysis.results, key=lambda r: r.value)
    assert a.p_value_method == "permutation"
    assert a.p_value == b.p_value and a.p_value_error == b.p_value_error and a.q_value == b.q_value
