"""A rate with its Wilson score interval."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    successes: int
    total: int
    value: float
    low: float
    high: float
    confidence: float


def wilson_rate(successes: int, total: int, confidence: float = 0.95) -> Rate | None:
    """successes / total with its Wilson interval; None when there is nothing to divide by."""
    if total <= 0:
        return None
    from statsmodels.stats.proportion import proportion_confint  # heavy: imported on first use only

    if not 0 <= successes <= total:
        raise ValueError(f"successes must lie between 0 and total, got {successes} of {total}")
    low, high = proportion_confint(successes, total, alpha=1 - confidence, method="wilson")
    return Rate(successes, total, successes / total, float(low), float(high), confidence)
