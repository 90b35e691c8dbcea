"""The multivariable check (docs/statistics.md): one Firth logistic model over the candidates.

References:
- R logistf (Heinze & Ploner; the package that implements Heinze & Schemper, 2002) on a seeded data set with
  quasi-complete separation (numpy default_rng(42), 100 rows: a binary separator and three continuous
  covariates), its coefficients and profile penalised-likelihood intervals as published in the firthmodels
  test-suite (test_matches_logistf_with_separation).
- Firth (1993): in a 2x2 table the bias-reduced log odds ratio is exactly that of the table with 1/2 added to
  every cell (Haldane's correction): the odds ratio of one binary trait is (a+.5)(d+.5)/(b+.5)(c+.5).
- A seeded simulation: two traits that are near-copies of each other (90% agreement), only one of which drives
  conversion; screening finds both, the model keeps the driver and says the copy vanishes.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from ecp_tracker.analysis.binary import analyze_binary
from ecp_tracker.analysis.counts import tabulate
from ecp_tracker.analysis.multivariable import Candidate, ModelStatus, Pattern, firth_check, fit_firth
from ecp_tracker.analysis.settings import AnalysisSettings


def separation_data(seed: int = 42, n: int = 100):
    rng = np.random.default_rng(seed)
    separator = rng.choice([0, 1], n, p=[0.8, 0.2])
    x1 = rng.standard_normal(n)
    x2 = rng.uniform(-1, 1, n)
    x3 = rng.exponential(scale=2.0, size=n)
    y = rng.binomial(1, expit(-0.5 + 0.8 * x1 - 0.6 * x2 + 0.3 * x3))
    y[separator == 1] = 1
    return np.column_stack([separator, x1, x2, x3]), y


LOGISTF_COEF = [3.6577140153, 0.6759781501, -0.8633119501, 0.3385788510]
LOGISTF_LOWER = [1.3901042899, 0.1602568036, -1.6677883758, 0.0893054012]
LOGISTF_UPPER = [8.5876062114, 1.2568999211, -0.1135186948, 0.6572681313]


def test_the_fit_matches_logistf_coefficients_and_profile_intervals_under_separation():
    x, y = separation_data()
    fit = fit_firth(x, y, np.ones(len(y)), range(4))
    assert fit is not None
    for (coef, low, high), c, lo, hi in zip(fit, LOGISTF_COEF, LOGISTF_LOWER, LOGISTF_UPPER, strict=True):
        assert coef == pytest.approx(c, rel=1e-4)
        assert low == pytest.approx(lo, rel=1e-3)
        assert high == pytest.approx(hi, rel=1e-3)


@pytest.mark.parametrize(("a", "b", "c", "d"), [(12, 3, 20, 40), (9, 0, 30, 25), (4, 16, 2, 50)])
def test_one_binary_trait_gets_firths_half_added_odds_ratio(a, b, c, d):
    # a/b: with the value, converted/not; c/d: without it
    patterns = [Pattern((1,), "", a + b, a), Pattern((0,), "", c + d, c)]
    check = firth_check([Candidate("trait:x", "yes", 1)], patterns, adjusted_for=None)
    (effect,) = check.effects
    assert check.fitted and check.accounts == a + b + c + d
    expected = (a + 0.5) * (d + 0.5) / ((b + 0.5) * (c + 0.5))
    assert effect.odds_ratio == pytest.approx(expected, rel=1e-4)
    assert effect.low < effect.odds_ratio < effect.high
    if b == 0:  # separation: finite all the same
        assert effect.high is not None


def test_frequency_weighted_patterns_give_the_same_model_as_one_row_per_account():
    rng = np.random.default_rng(3)
    x = (rng.random((300, 3)) < [0.3, 0.5, 0.6]).astype(float)
    y = (rng.random(300) < expit(-1 + 1.2 * x[:, 0] - 0.4 * x[:, 2])).astype(float)
    per_account = fit_firth(x, y, np.ones(300), range(3))
    keys, weights = np.unique(np.column_stack([x, y]), axis=0, return_counts=True)
    grouped = fit_firth(keys[:, :3], keys[:, 3], weights.astype(float), range(3))
    assert len(keys) <= 16
    for one, other in zip(per_account, grouped, strict=True):
        assert one == pytest.approx(other, rel=1e-5, abs=1e-6)


def test_a_stratum_dummy_adjusts_and_an_aliased_or_mirrored_value_is_reported_as_such():
    patterns = [
        Pattern((1, 0, 1), "referral", 40, 30),
        Pattern((0, 1, 0), "referral", 20, 10),
        Pattern((1, 0, 1), "outbound", 30, 12),
        Pattern((0, 1, 0), "outbound", 60, 9),
    ]
    candidates = [Candidate("t", "a", 1), Candidate("t", "b", -1), Candidate("u", "yes", 1)]
    check = firth_check(candidates, patterns, adjusted_for="acquisition_channel")
    first, mirror, copy = check.effects
    assert first.status is ModelStatus.HOLDS
    assert mirror.odds_ratio == pytest.approx(1 / first.odds_ratio)  # b is the complement of a
    assert mirror.low == pytest.approx(1 / first.high) and mirror.status is ModelStatus.HOLDS
    assert copy.status is ModelStatus.ALIASED and copy.odds_ratio is None
    assert check.to_json()["adjusted_for"] == "acquisition_channel"


def test_an_outcome_everybody_shares_is_not_fitted():
    check = firth_check(
        [Candidate("t", "a", 1)], [Pattern((1,), "", 5, 5), Pattern((0,), "", 5, 5)], adjusted_for=None
    )
    assert not check.fitted and check.note and check.effects[0].odds_ratio is None


# --- two near-copies, one of which drives the outcome -------------------------------------------------------

YES, NO = frozenset({"yes"}), frozenset({"no"})


def near_copies(seed: int):
    rng = np.random.default_rng(seed)
    n = 400
    driver = rng.random(n) < 0.4
    copy = np.where(rng.random(n) < 0.9, driver, ~driver)  # agrees with the driver for 9 accounts in 10
    noise = rng.random(n) < 0.5
    converted = rng.random(n) < np.where(driver, 0.55, 0.2)
    columns = {"trait:driver": driver, "trait:copy": copy, "trait:noise": noise}
    rows = [
        (bool(converted[i]), None, {name: YES if col[i] else NO for name, col in columns.items()})
        for i in range(n)
    ]
    analysis = analyze_binary(
        "converted",
        tabulate(rows, list(columns)),
        population=n,
        positives=int(converted.sum()),
        stratified_by=None,
        settings=AnalysisSettings(),
    )
    screened = {r.trait: r for r in analysis.results}
    chosen = [
        t for t in ("trait:driver", "trait:copy") if screened[t].recommendation in {"graduate", "promising"}
    ]
    candidates = [Candidate(t, "yes", 1) for t in chosen]
    counts: dict[tuple[int, ...], list[int]] = {}
    for i in range(n):
        key = tuple(int(columns[t][i]) for t in chosen)
        cell = counts.setdefault(key, [0, 0])
        cell[0] += 1
        cell[1] += int(converted[i])
    patterns = [Pattern(key, "", n_, pos) for key, (n_, pos) in counts.items()]
    return chosen, firth_check(candidates, patterns, adjusted_for=None)


def test_of_two_near_copies_only_the_one_that_drives_conversion_keeps_its_effect():
    runs = 30
    both_screened = driver_holds = copy_vanishes = 0
    for seed in range(runs):
        chosen, check = near_copies(seed)
        if len(chosen) < 2:
            continue
        both_screened += 1
        driver, copy = check.effects
        driver_holds += driver.status is ModelStatus.HOLDS
        copy_vanishes += copy.status is ModelStatus.VANISHES
    assert both_screened >= 0.8 * runs  # screening alone graduates or promotes the copy too
    assert driver_holds >= 0.9 * both_screened
    assert copy_vanishes >= 0.8 * both_screened
