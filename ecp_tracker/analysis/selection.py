"""The winner's curse: the lift of the top-ranked values, shrunk towards what the values checked share.

Among many values checked, the ones that come out on top are, on average, those whose luck ran high, so their
raw lifts overstate the truth. The correction is empirical-Bayes shrinkage under a normal model (Efron and
Morris, 1975): each value's true lift is taken to come from a normal distribution whose mean and spread are
estimated from all the values checked for the outcome (the random-effects mean and the DerSimonian-Laird
between-value variance tau^2, from statsmodels' meta-analysis module), and its lift is replaced by the
posterior mean

    shrunk = mean + tau^2 / (tau^2 + SE^2) x (lift - mean)

with SE the value's standard error, read from its (Newcombe or Sato) interval. A precise lift in a family
whose values really differ keeps nearly all of it; an imprecise one, or one among many values that are all
alike, is pulled towards their mean. With fewer than three values checked the spread cannot be estimated and
nothing is shrunk.

Why not the lower bound of the interval: at 250 accounts, two traits that each lift conversion by 30 points
have a Newcombe lower bound above the 15-point minimum in only about two runs of three, so the bound rule
would miss a real +30 points a third of the time. Why not a correction conditional on passing the FDR bar
(Ghosh, Zou & Wright, 2008): it removes the average bias of the selected values but not that of the maximum,
so with twenty values whose true lift is +12 points the top one still cleared +15 in every run.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence

MIN_VALUES = 3  # the spread between values needs at least three of them


def standard_error(interval: tuple[float, float], confidence: float) -> float | None:
    """The standard error a symmetric normal interval of this width would have."""
    from scipy.stats import norm

    low, high = interval
    se = (high - low) / (2 * float(norm.isf((1 - confidence) / 2)))
    return se if math.isfinite(se) and se > 0 else None


def shrunk_lifts(
    lifts: Sequence[float | None],
    errors: Sequence[float | None],
    groups: Sequence[Hashable],
    names: Sequence[str] | None = None,
) -> list[float | None]:
    """Every lift with a standard error, shrunk; a value and its mirror (same group) count once, and the
    mirror gets the negated shrunk lift of the other, so "yes" graduating is "no" being excluded. Which side
    of a pair enters the pool is its first by `names` (the values' names), so the result does not depend on
    the order the values come in; without names, the first listed."""
    first: dict[Hashable, int] = {}
    rank = (lambda i: (names[i], i)) if names is not None else (lambda i: ("", i))
    for i, (lift, se) in enumerate(zip(lifts, errors, strict=True)):
        if lift is not None and se is not None and math.isfinite(lift):
            leader = first.get(groups[i])
            if leader is None or rank(i) < rank(leader):
                first[groups[i]] = i
    kept = list(first.values())
    found: list[float | None] = [None] * len(lifts)
    if len(kept) < MIN_VALUES:
        return found
    import numpy as np
    from statsmodels.stats.meta_analysis import combine_effects

    effects = np.array([lifts[i] for i in kept], dtype=float)
    variances = np.array([errors[i] for i in kept], dtype=float) ** 2
    with np.errstate(all="ignore"):  # thread-safe, unlike warnings.catch_warnings
        combined = combine_effects(effects, variances, method_re="chi2")  # chi2: DerSimonian-Laird
    tau2, mean = float(combined.tau2), float(combined.mean_effect_re)
    by_group = {}
    for i, effect, variance in zip(kept, effects.tolist(), variances.tolist(), strict=True):
        weight = tau2 / (tau2 + variance) if tau2 > 0 else 0.0
        by_group[groups[i]] = (i, mean + weight * (effect - mean))
    for i in range(len(lifts)):
        entry = by_group.get(groups[i])
        if entry is None or lifts[i] is None:
            continue
        leader, shrunk = entry
        found[i] = shrunk if i == leader else -shrunk
    return found
