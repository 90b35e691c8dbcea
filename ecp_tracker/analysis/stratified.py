"""Adjusting for one confounder: Mantel-Haenszel odds ratio, CMH test and Breslow-Day heterogeneity."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ecp_tracker.analysis.counts import StratumCounts

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np


@dataclass(frozen=True)
class StratifiedResult:
    """Numbers over the informative strata; inf for a pooled odds ratio with nothing below the line."""

    odds_ratio: float  # Mantel-Haenszel pooled odds ratio (0 or inf possible)
    low: float | None  # its Robins-Breslow-Greenland interval; None where not finite
    high: float | None
    p_value: float | None  # Cochran-Mantel-Haenszel test, no continuity correction
    heterogeneity_p_value: float | None  # Breslow-Day; None with fewer than two informative strata
    informative_strata: int
    difference: float | None = None  # Mantel-Haenszel risk difference (with minus without, within strata)
    difference_low: float | None = None  # its Wald interval with Sato's (1989) variance
    difference_high: float | None = None


def informative(counts: StratumCounts) -> bool:
    """A stratum tells something about the odds ratio only when both groups and both outcomes occur in it."""
    return counts.with_n > 0 and counts.without_n > 0 and 0 < counts.positives < counts.total


def mantel_haenszel(strata: Sequence[StratumCounts], confidence: float = 0.95) -> StratifiedResult | None:
    """The pooled analysis of the informative strata; None when no stratum is informative.

    Strata without one of the groups or one of the outcomes add nothing to the pooled odds ratio or the CMH
    statistic and would make the Breslow-Day statistic undefined, so they are left out.
    """
    kept = [s for s in strata if informative(s)]
    if not kept:
        return None
    import numpy as np
    from scipy.stats import chi2
    from statsmodels.stats.contingency_tables import StratifiedTable

    cube = np.array([s.cells() for s in kept], dtype=float).T.reshape(2, 2, len(kept))
    with np.errstate(all="ignore"):  # thread-safe, unlike warnings.catch_warnings
        table = StratifiedTable(cube, shift_zeros=False)
        pooled = float(table.oddsratio_pooled)
        low, high = (float(v) for v in table.oddsratio_pooled_confint(alpha=1 - confidence))
        # p-values from the survival function of the statistic: statsmodels' 1 - cdf underflows to 0
        p_value = float(chi2.sf(float(table.test_null_odds(correction=False).statistic), 1))
        heterogeneity = None
        if len(kept) >= 2:
            heterogeneity = (
                float(chi2.sf(float(table.test_equal_odds().statistic), len(kept) - 1))
                if pooled != 1
                else _breslow_day_at_one(cube)
            )
    if math.isnan(pooled):  # cannot happen with informative strata; kept as a guard
        return None
    difference = mh_risk_difference(strata, confidence)
    return StratifiedResult(
        odds_ratio=pooled,
        low=_finite(low),
        high=_finite(high),
        p_value=_finite(p_value),
        heterogeneity_p_value=_finite(heterogeneity),
        informative_strata=len(kept),
        difference=difference[0] if difference else None,
        difference_low=difference[1] if difference else None,
        difference_high=difference[2] if difference else None,
    )


def mh_risk_difference(
    strata: Sequence[StratumCounts], confidence: float = 0.95
) -> tuple[float, float, float] | None:
    """Mantel-Haenszel risk difference over the strata holding both groups, with Sato's variance.

    Weights n1 n0 / N per stratum; the variance is Sato's (1989), consistent both for many sparse strata and
    for a few large ones (Rothman, Greenland and Lash, Modern Epidemiology, 3rd ed., eq. 15-18). Strata with
    only one group carry no comparison and are left out; every other account counts, whatever the outcomes.
    """
    kept = [s for s in strata if s.with_n > 0 and s.without_n > 0]
    if not kept:
        return None
    from scipy.stats import norm

    weight = numerator = p_term = q_term = 0.0
    for s in kept:
        a, n1, c, n0 = s.with_pos, s.with_n, s.without_pos, s.without_n
        total = n1 + n0
        weight += n1 * n0 / total
        numerator += (a * n0 - c * n1) / total
        p_term += (n1 * n1 * c - n0 * n0 * a + n1 * n0 * (n0 - n1) / 2) / (total * total)
        q_term += (a * (n0 - c) + c * (n1 - a)) / (2 * total)
    difference = numerator / weight
    variance = max(0.0, (difference * p_term + q_term) / (weight * weight))
    spread = float(norm.isf((1 - confidence) / 2)) * math.sqrt(variance)
    return difference, max(-1.0, difference - spread), min(1.0, difference + spread)


def _breslow_day_at_one(cube: np.ndarray) -> float:
    """Breslow-Day when the pooled odds ratio is exactly 1, where statsmodels' quadratic for the expected cell
    divides by zero; its limit there is the usual expected count under independence."""
    from scipy.stats import chi2

    a = cube[0, 0, :]
    row, col, total = a + cube[0, 1, :], a + cube[1, 0, :], cube.sum(axis=(0, 1))
    expected = row * col / total
    other = total - row - col
    variance = 1 / (1 / expected + 1 / (col - expected) + 1 / (row - expected) + 1 / (other + expected))
    statistic = float(((a - expected) ** 2 / variance).sum())
    return float(chi2.sf(statistic, cube.shape[2] - 1))


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
