"""Experiments: the seeded simulation of the verdict rule against the sample-size line, the draw of the arms,
and the verdict's other branches.

The simulation is what the issue's "done when" asks: without a real effect the verdict `worked` appears in at
most 5% of runs; with the lift the sample-size line says can be seen, at the arm sizes it was computed for, in
at least 80%. Both use the same function the page's line uses (detectable_lift), so the line and the rule
cannot drift apart without this failing. A third check shows the simulation can fail: at half that lift,
`worked` is far below 80%.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from ecp_tracker.analysis.experiments import (
    Arm,
    ArmCounts,
    Design,
    Verdict,
    assign,
    detectable_lift,
    experiment_result,
    holdout_size,
    sample_size_line,
    worked,
)

# (accounts, holdout share, expected holdout rate, minimum lift): the issue's 400 with a 20% holdout, a small
# balanced one, and a large one where the minimum lift, not the test, sets the threshold.
DESIGNS = [(400, 0.2, 0.10, 0.05), (120, 0.5, 0.05, 0.05), (400, 0.2, 0.10, 0.20)]
RUNS = 2000


def share_worked(n: int, share: float, base: float, lift: float, design: Design, seed: int) -> float:
    n_holdout = holdout_size(share, n)
    n_target = n - n_holdout
    rng = np.random.default_rng(seed)
    target = rng.binomial(n_target, base + lift, RUNS)
    holdout = rng.binomial(n_holdout, base, RUNS)
    counts = [(int(t), n_target, int(h), n_holdout) for t, h in zip(target, holdout, strict=True)]
    return sum(worked(counts, design)) / RUNS


@pytest.mark.parametrize(("n", "share", "base", "minimum"), DESIGNS)
def test_worked_at_most_5_percent_without_an_effect_and_80_with_the_planned_one(n, share, base, minimum):
    design = Design(min_lift=minimum, baseline_rate=base)
    n_holdout = holdout_size(share, n)
    planned = detectable_lift(n - n_holdout, n_holdout, design)
    assert planned is not None and planned >= minimum
    assert f"a lift of {planned * 100:.1f} points" in sample_size_line(n, share, design)
    null = share_worked(n, share, base, 0.0, design, seed=20261204)
    effect = share_worked(n, share, base, planned, design, seed=20261205)
    assert null <= 0.05, f"worked in {null:.1%} of runs without an effect"
    assert effect >= 0.80, f"worked in only {effect:.1%} of runs with the planned lift {planned:.3f}"
    half = share_worked(n, share, base, planned / 2, design, seed=20261206)
    assert half < 0.6, f"half the planned lift still worked in {half:.1%} of runs: the check cannot fail"


def test_the_issue_example_line():
    design = Design(min_lift=0.05, baseline_rate=0.10)
    line = sample_size_line(400, 0.2, design)
    assert line.startswith("With 400 accounts and a 20% holdout, a lift of ")
    # normal approximation by hand: 320 vs 80 accounts, SE of the difference near 0.04-0.05 at 10% -> ~24%;
    # 2.8 standard errors plus the continuity correction put the detectable lift between 12 and 18 points
    lift = detectable_lift(320, 80, design)
    assert 0.12 < lift < 0.18


def test_no_detectable_lift_when_no_lift_could_reach_the_power():
    assert detectable_lift(4, 1, Design(min_lift=0.05, baseline_rate=0.5)) is None
    assert "no lift can be seen" in sample_size_line(5, 0.2, Design(min_lift=0.05, baseline_rate=0.5))


# --- the draw -------------------------------------------------------------------------------------------


def test_the_same_seed_and_accounts_give_the_same_arms_in_any_input_order():
    ids = list(range(1, 401))
    first = assign(ids, 0.2, seed=12345)
    again = assign(list(reversed(ids)), 0.2, seed=12345)
    assert first == again
    assert Counter(first.values()) == {Arm.HOLDOUT: 80, Arm.TARGET: 320}
    assert assign(ids, 0.2, seed=12346) != first


def test_the_draw_is_random_sample_of_the_sorted_ids_shuffled_by_the_seeded_generator():
    import random

    ids = [7, 3, 11, 5, 2]
    expected = sorted(ids)
    random.Random(99).shuffle(expected)
    arms = assign(ids, 0.4, seed=99)
    assert [a for a in expected if arms[a] is Arm.HOLDOUT] == expected[:2]


def test_stratified_draw_holds_out_the_share_of_each_stratum():
    ids = list(range(1, 101))
    strata = {i: ("partner" if i <= 30 else "outbound" if i <= 85 else None) for i in ids}
    arms = assign(ids, 0.2, seed=7, strata=strata)
    per = Counter((strata[i] or "", arm) for i, arm in arms.items())
    assert per[("partner", Arm.HOLDOUT)] == 6
    assert per[("outbound", Arm.HOLDOUT)] == 11
    assert per[("", Arm.HOLDOUT)] == 3  # 15 accounts without a channel: 3.0
    assert assign(ids, 0.2, seed=7, strata=strata) == arms


def test_holdout_size_rounds_halves_up():
    assert holdout_size(0.5, 5) == 3  # 2.5 -> 3 (Python's round gives 2)
    assert holdout_size(0.2, 12) == 2  # 2.4 -> 2
    assert holdout_size(0.25, 10) == 3  # 2.5 -> 3


def test_a_share_outside_0_and_1_is_refused():
    with pytest.raises(ValueError, match="share"):
        assign([1, 2], 1.0, seed=1)


# --- the verdict ----------------------------------------------------------------------------------------

DESIGN = Design(min_lift=0.10, baseline_rate=0.10)


def test_worked_when_test_interval_and_minimum_all_pass():
    result = experiment_result(ArmCounts(320, 320, 96), ArmCounts(80, 80, 8), DESIGN, ended=True)
    assert result.verdict is Verdict.WORKED
    assert math.isclose(result.lift, 0.2)
    assert result.p_value < 0.05 and result.lift_low > 0
    assert "+20.0 points" in result.explanation


def test_did_not_work_when_the_lift_passes_the_test_but_not_the_minimum():
    # 25% vs 14% at 2000 + 2000: clearly real (p tiny) but 11 points is below a 15-point minimum
    design = Design(min_lift=0.15, baseline_rate=0.14)
    result = experiment_result(ArmCounts(2000, 2000, 500), ArmCounts(2000, 2000, 280), design, ended=True)
    assert result.p_value < 1e-6 and result.lift_low > 0
    assert result.verdict is Verdict.DID_NOT_WORK
    assert "less than the 15 points" in result.explanation


def test_did_not_work_when_it_could_be_luck():
    result = experiment_result(ArmCounts(320, 320, 40), ArmCounts(80, 80, 8), DESIGN, ended=True)
    assert result.verdict is Verdict.DID_NOT_WORK
    assert "could be luck" in result.explanation


def test_too_early_before_the_end_or_with_outcomes_missing():
    early = experiment_result(ArmCounts(320, 320, 96), ArmCounts(80, 80, 8), DESIGN, ended=False)
    assert early.verdict is Verdict.TOO_EARLY and early.lift is not None
    missing = experiment_result(ArmCounts(320, 300, 96), ArmCounts(80, 80, 8), DESIGN, ended=True)
    assert missing.verdict is Verdict.TOO_EARLY
    assert "20 of the 400 accounts" in missing.explanation


def test_fisher_p_and_newcombe_interval_against_published_values():
    # Newcombe (1998), Statistics in Medicine 17:873-890, Table II example (a): 56/70 vs 48/80,
    # method 10 interval 0.0524 to 0.3339; Fisher's two-sided p as scipy's independent implementation gives it
    result = experiment_result(
        ArmCounts(70, 70, 56), ArmCounts(80, 80, 48), Design(min_lift=0.1, baseline_rate=0.6), ended=True
    )
    assert round(result.lift_low, 4) == 0.0524
    assert round(result.lift_high, 4) == 0.3339
    from scipy.stats import fisher_exact

    assert math.isclose(result.p_value, fisher_exact([[56, 14], [48, 32]]).pvalue, rel_tol=1e-6)
