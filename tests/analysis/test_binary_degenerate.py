"""Degenerate input never raises and never leaks NaN or infinity; the JSON has exactly the contract shape."""

from __future__ import annotations

import json
import math

import pytest

from ecp_tracker.analysis.binary import BinaryAnalysis, analyze_binary
from ecp_tracker.analysis.counts import StratumCounts, ValueCounts, tabulate
from ecp_tracker.analysis.settings import AnalysisSettings

SETTINGS = AnalysisSettings()

# the example document of docs/api.md: keys in this order
TOP_KEYS = ["outcome", "population", "positives", "stratified_by", "fdr", "results", "model", "trends"]
RESULT_KEYS = [
    "trait",
    "value",
    "n_with",
    "n_without",
    "rate_with",
    "rate_without",
    "odds_ratio",
    "odds_ratio_ci",
    "difference",
    "difference_ci",
    "p_value",
    "q_value",
    "adjusted_odds_ratio",
    "adjusted_odds_ratio_ci",
    "adjusted_p_value",
    "adjusted_q_value",
    "heterogeneity_p_value",
    "recommendation",
    "flags",
    "more_accounts_needed",
    "explanation",
    # added by evidence engine v2 (docs/statistics.md): the contract's fields first, unchanged
    "adjusted_difference",
    "adjusted_difference_ci",
    "confounding",
    "corrected_difference",
    "model",
]


def analyse(counts, stratified_by=None, population=100, positives=40) -> BinaryAnalysis:
    return analyze_binary(
        "converted",
        counts,
        population=population,
        positives=positives,
        stratified_by=stratified_by,
        settings=SETTINGS,
    )


def strict_json(analysis: BinaryAnalysis) -> dict:
    """Round trip as the API sends it: NaN or Infinity anywhere raises."""
    return json.loads(json.dumps(analysis.to_json(), allow_nan=False))


def single(counts: StratumCounts, stratified_by=None):
    analysis = analyse([ValueCounts("trait:x", "yes", {"": counts})], stratified_by=stratified_by)
    return analysis.results[0], strict_json(analysis)["results"][0]


def test_json_keys_and_order_are_exactly_the_contracts():
    counts = [
        ValueCounts(
            "archetype",
            "Game changer",
            {"a": StratumCounts(9, 12, 20, 50), "b": StratumCounts(6, 10, 15, 48)},
        )
    ]
    document = strict_json(analyse(counts, stratified_by="acquisition_channel", population=120, positives=50))
    assert list(document) == TOP_KEYS
    assert document["outcome"] == "converted" and document["stratified_by"] == "acquisition_channel"
    assert document["fdr"] == 0.1 and document["population"] == 120 and document["positives"] == 50
    (result,) = document["results"]
    assert list(result) == RESULT_KEYS
    for key in ("odds_ratio_ci", "difference_ci", "adjusted_odds_ratio_ci"):
        assert isinstance(result[key], list) and len(result[key]) == 2
    assert isinstance(result["flags"], list)
    assert isinstance(result["explanation"], str) and result["explanation"].endswith(".")


def test_unstratified_json_has_null_adjusted_fields():
    document = strict_json(analyse([ValueCounts("trait:x", "yes", {"": StratumCounts(9, 20, 20, 60)})]))
    (result,) = document["results"]
    assert document["stratified_by"] is None
    for key in RESULT_KEYS:
        if key.startswith("adjusted_") or key == "heterogeneity_p_value":
            assert result[key] is None, key


def test_no_values_and_no_population():
    document = strict_json(analyse([], population=0, positives=0))
    assert document["results"] == [] and document["population"] == 0


def test_a_value_every_account_has():
    result, row = single(StratumCounts(40, 100, 0, 0))
    assert result.recommendation == "insufficient_data"
    assert row["rate_without"] is None and row["odds_ratio"] is None and row["difference_ci"] is None
    assert row["p_value"] is None and row["more_accounts_needed"] is None
    assert result.explanation == (
        "Every account with a known x has this value, so there is nothing to compare it with."
    )


def test_a_value_no_account_has():
    result, row = single(StratumCounts(0, 0, 40, 100))
    assert result.recommendation == "insufficient_data"
    assert row["rate_with"] is None and row["p_value"] is None
    assert result.explanation == "No account with a known x has this value yet."


@pytest.mark.parametrize(("positives", "phrase"), [(0, "None of the 60"), (60, "All 60")])
def test_all_outcomes_equal(positives, phrase):
    with_pos, without_pos = (0, 0) if positives == 0 else (20, 40)
    result, row = single(StratumCounts(with_pos, 20, without_pos, 40))
    assert result.recommendation == "insufficient_data"
    assert row["p_value"] is None and row["q_value"] is None and row["odds_ratio"] is None
    assert "zero_cell" in row["flags"]
    assert result.explanation == (
        f"{phrase} accounts with a known x converted, so there is nothing to compare yet."
    )


def test_a_zero_cell_gives_an_infinite_odds_ratio_written_as_null():
    result, row = single(StratumCounts(12, 12, 10, 40))
    assert result.odds_ratio == math.inf and result.odds_ratio_ci[1] == math.inf
    assert row["odds_ratio"] is None and row["odds_ratio_ci"][1] is None
    assert row["odds_ratio_ci"][0] > 1
    assert "zero_cell" in row["flags"] and row["recommendation"] == "graduate"


def test_an_empty_or_one_sided_stratum_is_left_out_of_the_adjusted_test():
    with_empty = ValueCounts(
        "trait:x",
        "yes",
        {
            "a": StratumCounts(8, 10, 10, 40),
            "b": StratumCounts(7, 12, 25, 58),
            "c": StratumCounts(0, 0, 0, 0),
            "d": StratumCounts(3, 3, 0, 0),
        },
    )
    without = ValueCounts(
        "trait:x", "yes", {"a": StratumCounts(8, 10, 10, 40), "b": StratumCounts(7, 12, 25, 58)}
    )
    first = analyse([with_empty], stratified_by="acquisition_channel").results[0]
    second = analyse([without], stratified_by="acquisition_channel").results[0]
    assert first.adjusted_odds_ratio == pytest.approx(second.adjusted_odds_ratio)
    assert first.adjusted_p_value == pytest.approx(second.adjusted_p_value)
    assert first.heterogeneity_p_value == pytest.approx(second.heterogeneity_p_value)
    assert [s.informative for s in first.strata] == [True, True, False, False]
    assert "zero_cell" in first.flags and "zero_cell" not in second.flags


def test_no_informative_stratum_gives_no_adjusted_numbers():
    value = ValueCounts("trait:x", "yes", {"a": StratumCounts(3, 10, 0, 0), "b": StratumCounts(0, 0, 4, 10)})
    result = analyse([value], stratified_by="acquisition_channel").results[0]
    row = strict_json(analyse([value], stratified_by="acquisition_channel"))["results"][0]
    assert result.recommendation == "insufficient_data"
    assert row["adjusted_odds_ratio"] is None and row["adjusted_odds_ratio_ci"] is None
    assert row["adjusted_p_value"] is None and row["adjusted_q_value"] is None


def test_a_pooled_odds_ratio_of_exactly_one_still_gets_a_heterogeneity_test():
    value = ValueCounts("trait:x", "yes", {"a": StratumCounts(5, 10, 5, 10), "b": StratumCounts(2, 8, 6, 24)})
    result = analyse([value], stratified_by="acquisition_channel").results[0]
    assert result.adjusted_odds_ratio == pytest.approx(1.0)
    assert result.heterogeneity_p_value == pytest.approx(1.0)
    assert result.adjusted_p_value == pytest.approx(1.0)


def test_an_infinite_pooled_odds_ratio_is_null_in_json():
    value = ValueCounts(
        "trait:x", "yes", {"a": StratumCounts(10, 10, 5, 10), "b": StratumCounts(8, 8, 4, 12)}
    )
    analysis = analyse([value], stratified_by="acquisition_channel")
    assert analysis.results[0].adjusted_odds_ratio == math.inf
    row = strict_json(analysis)["results"][0]
    assert row["adjusted_odds_ratio"] is None and row["adjusted_odds_ratio_ci"] == [None, None]
    assert row["adjusted_p_value"] < 0.01


def test_a_single_stratum_has_no_heterogeneity_test():
    value = ValueCounts("trait:x", "yes", {"a": StratumCounts(8, 10, 10, 40)})
    result = analyse([value], stratified_by="acquisition_channel").results[0]
    assert result.adjusted_p_value is not None and result.heterogeneity_p_value is None


def test_tabulated_degenerate_accounts_flow_through():
    rows = [(True, None, {"trait:x": {"yes"}})] * 5 + [(True, None, {})] * 3
    analysis = analyze_binary(
        "converted",
        tabulate(rows, ["trait:x"]),
        population=8,
        positives=8,
        stratified_by=None,
        settings=SETTINGS,
    )
    row = strict_json(analysis)["results"][0]
    assert row["recommendation"] == "insufficient_data"
    assert row["flags"] == ["zero_cell", "small_sample"]


def test_stratum_tables_only_count_for_zero_cell_when_the_analysis_is_stratified():
    value = ValueCounts(
        "trait:x", "yes", {"a": StratumCounts(8, 10, 10, 40), "b": StratumCounts(0, 0, 25, 58)}
    )
    assert "zero_cell" not in analyse([value]).results[0].flags
    assert "zero_cell" in analyse([value], stratified_by="acquisition_channel").results[0].flags
