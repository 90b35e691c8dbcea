"""Experiments against a randomised holdout: the draw of the arms, the lift a design can see, and the verdict.

Plain data in, dataclasses out (docs/experiments.md):

- ``assign``: the holdout drawn from the target's account ids with ``random.Random(seed)``, ids sorted
  ascending, shuffled within each stratum (strata in sorted order), holdout = share x stratum size rounded
  half up. The same seed and ids give the same arms.
- ``detectable_lift``: the smallest true lift that gets the verdict ``worked`` with the target power, at the
  given arm sizes and expected holdout rate: the sample-size line shown before the start.
- ``experiment_result``: per arm counts with Wilson intervals, Fisher's exact test, Newcombe's interval of the
  difference, and the verdict.

The verdict rule: ``worked`` only when Fisher's two-sided p is below alpha, the lower bound of Newcombe's
interval of (target rate - holdout rate) is above 0, and the observed lift (the point estimate) is at least
the pre-registered minimum. ``detectable_lift`` solves the normal approximation of exactly that rule: the
three conditions together pass about when the observed lift clears max(minimum, the test's critical
difference), the critical difference carrying the continuity correction that brings the normal test close
to Fisher's exact one.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist

from ecp_tracker.analysis.exact import conditional_exact, conditional_exact_many
from ecp_tracker.analysis.proportions import Rate, wilson_rate

_NORMAL = NormalDist()
_LIFT_TOLERANCE = 1e-9  # 0.45 - 0.30 may be 0.1499999...: it meets a 0.15 minimum


class Arm(StrEnum):
    TARGET = "target"  # the campaign is aimed at these accounts
    HOLDOUT = "holdout"  # left alone: the control group

    @property
    def label(self) -> str:
        return "Campaign" if self is Arm.TARGET else "Holdout"


class Verdict(StrEnum):
    WORKED = "worked"
    DID_NOT_WORK = "did_not_work"
    TOO_EARLY = "too_early"

    @property
    def label(self) -> str:
        return {"worked": "Worked", "did_not_work": "Did not work", "too_early": "Too early"}[self.value]


def holdout_size(share: float, size: int) -> int:
    """round(share x size), halves rounded up (Python's round would send 2.5 to 2)."""
    return min(size, max(0, math.floor(share * size + 0.5)))


def assign(
    account_ids: Sequence[int],
    share: float,
    seed: int,
    strata: Mapping[int, Hashable] | None = None,
) -> dict[int, Arm]:
    """Each account's arm. Ids are sorted ascending (their order in the input does not matter); with strata
    (account id -> stratum), each stratum is shuffled on its own, in sorted stratum order, by one rng."""
    if not 0 < share < 1:
        raise ValueError(f"the holdout share must lie strictly between 0 and 1, got {share}")
    ids = sorted(set(account_ids))
    groups: dict[str, list[int]] = {}
    for account_id in ids:
        key = "" if strata is None else str(strata.get(account_id) or "")
        groups.setdefault(key, []).append(account_id)
    rng = random.Random(seed)  # noqa: S311 (reproducible by design; the seed itself comes from secrets)
    arms: dict[int, Arm] = {}
    for key in sorted(groups):
        members = list(groups[key])
        rng.shuffle(members)
        cut = holdout_size(share, len(members))
        for i, account_id in enumerate(members):
            arms[account_id] = Arm.HOLDOUT if i < cut else Arm.TARGET
    return arms


@dataclass(frozen=True)
class Design:
    """What the verdict rule depends on, fixed when the experiment starts."""

    min_lift: float  # the smallest lift worth acting on, as a difference of rates (0.10 = 10 points)
    baseline_rate: float  # the rate expected without the campaign (in the holdout)
    alpha: float = 0.05
    power: float = 0.80


def _critical_difference(n_target: int, n_holdout: int, pooled: float, alpha: float) -> float:
    z = _NORMAL.inv_cdf(1 - alpha / 2)
    inverse = 1 / n_target + 1 / n_holdout
    return z * math.sqrt(pooled * (1 - pooled) * inverse) + inverse / 2


def _pass_probability(lift: float, n_target: int, n_holdout: int, design: Design) -> float:
    base = design.baseline_rate
    rate = base + lift
    pooled = (n_target * rate + n_holdout * base) / (n_target + n_holdout)
    threshold = max(design.min_lift, _critical_difference(n_target, n_holdout, pooled, design.alpha))
    spread = math.sqrt(rate * (1 - rate) / n_target + base * (1 - base) / n_holdout)
    if spread == 0:
        return 1.0 if lift >= threshold else 0.0
    return _NORMAL.cdf((lift - threshold) / spread)


def detectable_lift(n_target: int, n_holdout: int, design: Design) -> float | None:
    """The smallest true lift with which ``worked`` comes out with the design's power (normal approximation of
    the verdict rule); None when no lift the rates allow gets there (or an arm is empty)."""
    if n_target <= 0 or n_holdout <= 0 or not 0 <= design.baseline_rate < 1:
        return None
    high = 1 - design.baseline_rate
    if _pass_probability(high, n_target, n_holdout, design) < design.power:
        return None
    low = 0.0
    for _ in range(60):
        middle = (low + high) / 2
        if _pass_probability(middle, n_target, n_holdout, design) >= design.power:
            high = middle
        else:
            low = middle
    return high


def sample_size_line(n_accounts: int, share: float, design: Design) -> str:
    """The sentence shown before the start."""
    n_holdout = holdout_size(share, n_accounts)
    lift = detectable_lift(n_accounts - n_holdout, n_holdout, design)
    head = f"With {n_accounts} accounts and a {share:.0%} holdout"
    if lift is None:
        return (
            f"{head}, no lift can be seen with {design.power:.0%} power: target more accounts "
            "or a larger holdout."
        )
    return (
        f"{head}, a lift of {lift * 100:.1f} points (from {design.baseline_rate:.0%} to "
        f"{design.baseline_rate + lift:.0%}) can be seen: a real lift that large gets the verdict worked "
        f"{design.power:.0%} of the time (minimum worth acting on: {design.min_lift * 100:g} points)."
    )


@dataclass(frozen=True)
class ArmCounts:
    assigned: int  # accounts drawn into the arm at the start
    measured: int  # of them, accounts whose outcome is known
    positive: int  # of those, accounts with the outcome (responded, converted, ...)


@dataclass(frozen=True)
class ExperimentResult:
    target: ArmCounts
    holdout: ArmCounts
    target_rate: Rate | None
    holdout_rate: Rate | None
    lift: float | None  # target rate - holdout rate
    lift_low: float | None  # Newcombe's interval of the lift
    lift_high: float | None
    p_value: float | None  # Fisher's exact test, two-sided
    min_lift: float
    detectable_lift: float | None
    verdict: Verdict
    explanation: str


def newcombe_interval(
    pos_a: int, n_a: int, pos_b: int, n_b: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval (method 10) of pos_a / n_a - pos_b / n_b."""
    ((low, high),) = _newcombe_many([(pos_a, n_a, pos_b, n_b)], confidence)
    return low, high


def _newcombe_many(
    counts: Sequence[tuple[int, int, int, int]], confidence: float
) -> list[tuple[float, float]]:
    import numpy as np
    from statsmodels.stats.proportion import confint_proportions_2indep

    cells = np.array(counts, dtype=float).reshape(-1, 4)
    with np.errstate(all="ignore"):  # thread-safe, unlike warnings.catch_warnings
        lows, highs = confint_proportions_2indep(
            cells[:, 0],
            cells[:, 1],
            cells[:, 2],
            cells[:, 3],
            method="newcomb",
            compare="diff",
            alpha=1 - confidence,
        )
    return list(zip(np.atleast_1d(lows).tolist(), np.atleast_1d(highs).tolist(), strict=True))


def worked(counts: Sequence[tuple[int, int, int, int]], design: Design) -> list[bool]:
    """The rule alone, for complete counts (campaign positives, campaign accounts, holdout positives, holdout
    accounts), many at once: test, interval and minimum lift all pass. The simulations call this."""
    usable = [i for i, (_, n_t, _, n_h) in enumerate(counts) if n_t > 0 and n_h > 0]
    passed = [False] * len(counts)
    if not usable:
        return passed
    tables = [
        (counts[i][0], counts[i][1] - counts[i][0], counts[i][2], counts[i][3] - counts[i][2]) for i in usable
    ]
    exact = conditional_exact_many(tables)
    bounds = _newcombe_many([counts[i] for i in usable], 1 - design.alpha)
    for i, test, (low, _) in zip(usable, exact, bounds, strict=True):
        pos_t, n_t, pos_h, n_h = counts[i]
        lift = pos_t / n_t - pos_h / n_h
        passed[i] = (
            test is not None
            and test.p_value < design.alpha
            and low > 0
            and lift >= design.min_lift - _LIFT_TOLERANCE
        )
    return passed


def experiment_result(
    target: ArmCounts, holdout: ArmCounts, design: Design, *, ended: bool
) -> ExperimentResult:
    """The results per arm and the verdict. ``ended``: the planned end has passed (or the experiment was
    finished). Too early while it has not, or while an arm has accounts whose outcome is not known yet."""
    confidence = 1 - design.alpha
    t_rate = wilson_rate(target.positive, target.measured, confidence)
    h_rate = wilson_rate(holdout.positive, holdout.measured, confidence)
    detectable = detectable_lift(target.assigned, holdout.assigned, design)
    lift = low = high = p = None
    if t_rate is not None and h_rate is not None:
        lift = t_rate.value - h_rate.value
        low, high = newcombe_interval(
            target.positive, target.measured, holdout.positive, holdout.measured, confidence
        )
        exact = conditional_exact(
            target.positive,
            target.measured - target.positive,
            holdout.positive,
            holdout.measured - holdout.positive,
        )
        p = exact.p_value if exact is not None else 1.0
    verdict, explanation = _verdict(target, holdout, design, ended, lift, low, p)
    return ExperimentResult(
        target, holdout, t_rate, h_rate, lift, low, high, p, design.min_lift, detectable, verdict, explanation
    )


def _points(value: float) -> str:
    return f"{value * 100:+.1f} points"


def _verdict(
    target: ArmCounts,
    holdout: ArmCounts,
    design: Design,
    ended: bool,
    lift: float | None,
    low: float | None,
    p: float | None,
) -> tuple[Verdict, str]:
    missing = (target.assigned - target.measured) + (holdout.assigned - holdout.measured)
    if not ended:
        return Verdict.TOO_EARLY, "The planned end has not come yet: the results so far are not a verdict."
    if missing > 0:
        return Verdict.TOO_EARLY, (
            f"The outcome of {missing} of the {target.assigned + holdout.assigned} accounts is not recorded "
            "yet: the planned sample is not complete."
        )
    if lift is None or low is None or p is None:
        return Verdict.DID_NOT_WORK, "An arm has no accounts, so there is nothing to compare."
    minimum = design.min_lift * 100
    if p < design.alpha and low > 0 and lift >= design.min_lift - _LIFT_TOLERANCE:
        return Verdict.WORKED, (
            f"The campaign arm did {_points(lift)} better than the holdout (p = {p:.3g}, interval from "
            f"{_points(low)}), at least the {minimum:g} points worth acting on."
        )
    if p >= design.alpha or low <= 0:
        return Verdict.DID_NOT_WORK, (
            f"The difference of {_points(lift)} could be luck (p = {p:.3g}; the interval reaches "
            f"{_points(low)})."
        )
    return Verdict.DID_NOT_WORK, (
        f"The campaign arm did better ({_points(lift)}, p = {p:.3g}) but by less than the {minimum:g} points "
        "worth acting on."
    )
