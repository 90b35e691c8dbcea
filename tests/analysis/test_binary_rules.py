"""Recommendations, flags, sentences and order: docs/statistics.md, rule by rule."""

from __future__ import annotations

import pytest

from ecp_tracker.analysis.binary import Flag, analyze_binary
from ecp_tracker.analysis.counts import StratumCounts, ValueCounts
from ecp_tracker.analysis.settings import AnalysisSettings

SETTINGS = AnalysisSettings()


def crude(trait: str, value: str, a: int, n1: int, c: int, n0: int) -> ValueCounts:
    return ValueCounts(trait, value, {"": StratumCounts(a, n1, c, n0)})


def analyse(
    counts, *, outcome="converted", stratified_by=None, settings=SETTINGS, population=200, labels=None
):
    return analyze_binary(
        outcome,
        counts,
        population=population,
        positives=0,
        stratified_by=stratified_by,
        settings=settings,
        labels=labels,
    )


def nulls(count: int) -> list[ValueCounts]:
    """Values with no difference at all: p = 1, counted in the multiple-testing family."""
    return [crude("trait:filler", f"v{i:02}", 10, 20, 40, 80) for i in range(count)]


def test_a_clear_lift_graduates_and_says_so_plainly():
    counts = [crude("archetype", "Game changer", 15, 22, 35, 98)]
    (result,) = analyse(counts).results
    assert round(result.rate_with, 2) == 0.68 and round(result.rate_without, 2) == 0.36
    assert result.recommendation == "graduate"
    assert result.difference_ci[0] > 0 and result.odds_ratio > 1
    assert result.more_accounts_needed is None
    assert (
        result.explanation == "Game changers converted 68% vs 36% for the rest; this is unlikely to be luck."
    )


def test_the_sentence_names_how_many_values_were_checked_and_the_stratum():
    strong = ValueCounts(
        "archetype",
        "Game changer",
        {"inbound": StratumCounts(24, 30, 10, 40), "outbound": StratumCounts(21, 36, 25, 58)},
    )
    others = [
        ValueCounts(
            "industry",
            f"i{i}",
            {"inbound": StratumCounts(5, 10, 20, 42), "outbound": StratumCounts(4, 10, 21, 58)},
        )
        for i in range(9)
    ]
    analysis = analyse([strong, *others], stratified_by="acquisition_channel")
    top = analysis.results[0]
    assert top.value == "Game changer" and top.recommendation == "graduate"
    assert top.explanation == (
        "Game changers converted 68% vs 36% for the rest, even within the same acquisition channel, "
        "the difference is +33 points (95% range +18 to +48 points); "
        "with 10 trait values checked, this is unlikely to be luck; "
        "allowing for the winner's curse, the lift is about +18 points."
    )


def test_a_clear_drop_is_excluded():
    (result,) = analyse([crude("industry", "Retail", 5, 40, 60, 100)]).results
    assert result.recommendation == "exclude"
    assert result.difference_ci[1] < 0 and result.odds_ratio < 1
    assert result.explanation.startswith("Accounts with industry Retail converted 13% vs 60% for the rest;")


def test_a_lift_of_exactly_the_declared_minimum_counts():
    (result,) = analyse([crude("trait:x", "yes", 700, 2000, 400, 2000)], population=4000).results
    assert 0.35 - 0.20 < 0.15  # floating point: 0.14999999999999997
    assert result.recommendation == "graduate"


def test_a_real_but_small_difference_is_promising_not_graduated():
    (result,) = analyse([crude("region", "EU", 580, 1000, 500, 1000)], population=2000).results
    assert result.p_value < 0.05 and result.q_value <= SETTINGS.fdr
    assert result.recommendation == "promising"
    assert "may be smaller than the 15 points that matter" in result.explanation
    assert isinstance(result.more_accounts_needed, int)
    assert "would settle it" not in result.explanation  # more of the same accounts would not change that


def test_a_lone_small_p_among_many_values_is_promising_and_says_it_could_be_luck():
    counts = [crude("archetype", "Visionary founder", 11, 15, 40, 100), *nulls(9)]
    result = analyse(counts).results[0]
    assert result.value == "Visionary founder"
    assert result.p_value < 0.05 < SETTINGS.fdr < result.q_value
    assert result.recommendation == "promising"
    assert result.more_accounts_needed >= 1
    assert result.explanation == (
        "Visionary founders converted 73% vs 40% for the rest; promising, but with 10 trait values checked "
        f"it could still be luck; about {result.more_accounts_needed} more accounts with this value would "
        "settle it."
    )


def test_no_difference_is_no_evidence_and_carries_the_power_number():
    (result,) = analyse(
        [crude("trait:stack", "Python", 5, 12, 10, 20)], labels={"trait:stack": "Tech stack"}
    ).results
    assert result.recommendation == "no_evidence"
    assert result.more_accounts_needed is not None
    assert result.explanation.startswith(
        "Accounts with Tech stack Python converted 42% vs 50% for the rest; "
    )
    assert "could easily be luck" in result.explanation


@pytest.mark.parametrize(
    ("outcome", "phrase"),
    [
        ("converted", "converted"),
        ("churned", "churned"),
        ("gave_testimonial", "gave a testimonial"),
        ("referred", "referred another customer"),
        ("renewed", "renewed"),
    ],
)
def test_outcomes_are_named_in_words(outcome, phrase):
    (result,) = analyse([crude("trait:api", "yes", 5, 12, 10, 20)], outcome=outcome).results
    assert result.explanation.startswith(f"Accounts with api {phrase} 42% vs 50% for the rest")


def test_too_few_accounts_with_or_without_the_value_is_insufficient_data():
    few_with = crude("industry", "Mining", 2, 4, 50, 100)
    few_without = crude("industry", "Software", 50, 100, 2, 4)
    results = {r.value: r for r in analyse([few_with, few_without]).results}
    assert results["Mining"].recommendation == "insufficient_data"
    assert results["Mining"].explanation.startswith("Only 4 accounts have this value; about ")
    assert results["Software"].recommendation == "insufficient_data"
    assert results["Software"].explanation == (
        "Almost every account has this value (only 4 without it), so there is too little to compare it with."
    )
    # never decided, so not part of the multiple-testing family, but their exact p-values are shown
    assert results["Mining"].q_value is None and results["Mining"].p_value is not None


def test_min_group_is_a_setting():
    counts = [crude("industry", "Mining", 4, 4, 10, 40)]
    assert analyse(counts).results[0].recommendation == "insufficient_data"
    relaxed = AnalysisSettings(min_group=3)
    assert analyse(counts, settings=relaxed).results[0].recommendation != "insufficient_data"


def test_a_crude_finding_that_vanishes_within_channels_is_confounded():
    value = ValueCounts(
        "trait:partner_program",
        "yes",
        {"partner": StratumCounts(36, 45, 12, 15), "outbound": StratumCounts(3, 15, 9, 45)},
    )
    (result,) = analyse([value], stratified_by="acquisition_channel").results
    assert result.q_value <= SETTINGS.fdr < result.adjusted_q_value
    assert result.recommendation == "confounded"
    assert "simpson_reversal" not in result.flags  # same direction, just explained away
    assert result.explanation == (
        "Accounts with partner program converted 65% vs 35% for the rest, but much of that comes with "
        "acquisition channel: compared within each acquisition channel, the difference is +0 points "
        "(95% range -17 to +17 points), clearly different from the overall figures."
    )


def test_a_value_never_sharing_a_channel_with_the_rest_cannot_be_adjusted():
    value = ValueCounts(
        "trait:partner_program",
        "yes",
        {"partner": StratumCounts(30, 40, 0, 0), "outbound": StratumCounts(0, 0, 10, 40)},
    )
    (result,) = analyse([value], stratified_by="acquisition_channel").results
    assert result.adjusted_odds_ratio is None and result.adjusted_p_value is None
    assert result.recommendation == "confounded"  # crude q passes, adjusted q is missing
    assert "never in the same acquisition channel" in result.explanation
    weak = ValueCounts(
        "trait:partner_program",
        "yes",
        {"partner": StratumCounts(10, 20, 0, 0), "outbound": StratumCounts(0, 0, 9, 20)},
    )
    (result,) = analyse([weak], stratified_by="acquisition_channel").results
    assert result.recommendation == "insufficient_data"


def test_stratified_decisions_rest_on_the_adjusted_test():
    # same direction in both strata, too few accounts per stratum for the crude test alone to be sure
    value = ValueCounts(
        "archetype",
        "Game changer",
        {"a": StratumCounts(9, 10, 30, 60), "b": StratumCounts(6, 10, 10, 60)},
    )
    (result,) = analyse([value], stratified_by="acquisition_channel").results
    assert result.adjusted_p_value < 0.05
    assert result.recommendation == "graduate"


def test_flags_come_in_a_stable_order():
    value = ValueCounts(
        "trait:x",
        "yes",
        {
            "a": StratumCounts(8, 10, 1, 10),
            "b": StratumCounts(1, 10, 9, 10),
            "c": StratumCounts(0, 10, 5, 10),
            "d": StratumCounts(1, 12, 9, 12),
        },
    )
    (result,) = analyse([value], stratified_by="acquisition_channel", population=20).results
    assert result.flags == tuple(f for f in Flag if f in result.flags)
    assert set(result.flags) >= {"effect_differs_by_stratum", "zero_cell", "small_sample"}


def test_results_are_sorted_by_evidence_with_untested_values_last():
    counts = [
        crude("industry", "A", 5, 12, 10, 20),
        crude("industry", "B", 2, 3, 20, 60),  # too few: no q
        crude("archetype", "Z", 15, 22, 35, 98),
        crude("archetype", "Y", 9, 15, 40, 100),
    ]
    analysis = analyse(counts)
    assert [r.value for r in analysis.results] == ["Z", "Y", "A", "B"]
    qs = [r.q_value for r in analysis.results[:3]]
    assert qs == sorted(qs)


def test_q_values_are_benjamini_hochberg_over_the_tested_values():
    from statsmodels.stats.multitest import multipletests

    counts = [crude("archetype", "Y", 11, 15, 40, 100), crude("archetype", "Z", 15, 22, 35, 98), *nulls(3)]
    results = analyse(counts).results
    p = [r.p_value for r in results]
    assert [r.q_value for r in results] == pytest.approx(list(multipletests(p, method="fdr_bh")[1]))


def test_lower_is_better_swaps_graduate_and_exclude():
    """For churn a value that raises the rate is a warning sign: excluded, not graduated."""
    from ecp_tracker.analysis.binary import analyze_binary
    from ecp_tracker.analysis.counts import StratumCounts, ValueCounts
    from ecp_tracker.analysis.settings import AnalysisSettings

    raises = ValueCounts("archetype", "Tech enthusiast", {"": StratumCounts(30, 40, 10, 60)})  # 75% vs 17%
    lowers = ValueCounts("archetype", "Game changer", {"": StratumCounts(2, 40, 38, 60)})  # 5% vs 63%
    kwargs = {"population": 100, "positives": 40, "stratified_by": None, "settings": AnalysisSettings()}
    normal = {
        r.value: r.recommendation for r in analyze_binary("converted", [raises, lowers], **kwargs).results
    }
    churn = {
        r.value: r.recommendation
        for r in analyze_binary("churned", [raises, lowers], higher_is_better=False, **kwargs).results
    }
    assert normal == {"Tech enthusiast": "graduate", "Game changer": "exclude"}
    assert churn == {"Tech enthusiast": "exclude", "Game changer": "graduate"}
