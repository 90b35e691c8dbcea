"""Time to churn among converted accounts: Kaplan-Meier, log-rank and Cox hazard ratios per trait value.

A duration runs from converted_on to churned_on (an event) or to today (censored). Each trait value is
compared with the rest: the log-rank test gives the p-value, a Cox model with Efron ties the hazard ratio
(below 1: the value churns less). With `stratified_by` both are stratified (e.g. by channel) and decisions
rest on them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ecp_tracker.analysis.continuous import (
    OUTCOME_PHRASES,
    PERMUTATION_MAX_N,
    Recommendation,
    analysis_json,
    every_labelling,
    evidence_tail,
    finite,
    interval_json,
    number,
    permutation_p_value,
    random_labels,
    result_json,
    sort_by_evidence,
    subject,
    two_sided_z,
)
from ecp_tracker.analysis.multiple import bh_q_values, first_of_group, mirror_groups, tests_counted
from ecp_tracker.analysis.settings import AnalysisSettings

if TYPE_CHECKING:
    import numpy as np

FEW_EVENTS = 10  # fewer churned accounts (with and without the value together): the few_events flag
UNKNOWN_STRATUM = "(unknown)"


@dataclass(frozen=True)
class ValueDurations:
    """Durations of converted accounts with a known trait value, split by having this value.

    times are days since conversion; events say whether the account churned then (True) or is still a
    customer (False, censored). strata, when given, hold the adjustment variable (e.g. channel) per account.
    """

    trait: str
    value: str
    with_times: Sequence[float]
    with_events: Sequence[bool]
    without_times: Sequence[float]
    without_events: Sequence[bool]
    with_strata: Sequence[str] | None = None
    without_strata: Sequence[str] | None = None


@dataclass(frozen=True)
class KmPoint:
    """One step of a Kaplan-Meier curve: survival just after `time`; at_risk just before it."""

    time: float
    survival: float
    low: float | None  # pointwise interval on the log(-log) scale; None where survival is 0
    high: float | None
    at_risk: int


@dataclass(frozen=True)
class HazardRatio:
    """With vs without. The estimate is 0 or infinite when one group never churned while the other was at
    risk; the interval is then the profile-likelihood one, (0, high) or (low, inf)."""

    value: float
    low: float
    high: float

    @property
    def side(self) -> int:
        """-1: the value churns less, 1: more, 0: no difference."""
        return (self.value > 1) - (self.value < 1)

    @property
    def finite_value(self) -> float | None:
        """The estimate to show: None when it is 0 or infinite."""
        return self.value if 0 < self.value < math.inf else None


@dataclass(frozen=True)
class SurvivalResult:
    trait: str
    value: str
    n_with: int
    n_without: int
    events_with: int
    events_without: int
    median_time_with: float | None  # None: more than half never churned during follow-up
    median_time_without: float | None
    hazard_ratio: float | None  # with vs without; below 1: the value churns less
    hazard_ratio_ci: tuple[float, float] | None
    p_value: float | None  # log-rank
    q_value: float | None
    adjusted_hazard_ratio: float | None  # stratified Cox
    adjusted_hazard_ratio_ci: tuple[float, float] | None
    adjusted_p_value: float | None  # stratified log-rank
    adjusted_q_value: float | None
    recommendation: Recommendation
    flags: tuple[str, ...]
    explanation: str

    def to_json(self) -> dict[str, Any]:
        return result_json(
            self,
            adjusted_p_value=finite(self.adjusted_p_value),
            adjusted_q_value=finite(self.adjusted_q_value),
            events_with=self.events_with,
            events_without=self.events_without,
            median_time_with=finite(self.median_time_with),
            median_time_without=finite(self.median_time_without),
            hazard_ratio=finite(self.hazard_ratio),
            hazard_ratio_ci=interval_json(self.hazard_ratio_ci),
            adjusted_hazard_ratio=finite(self.adjusted_hazard_ratio),
            adjusted_hazard_ratio_ci=interval_json(self.adjusted_hazard_ratio_ci),
        )


@dataclass(frozen=True)
class SurvivalAnalysis:
    outcome: str
    population: int
    stratified_by: str | None
    fdr: float
    results: tuple[SurvivalResult, ...]  # sorted by evidence: q, then p, then trait/value; untested last

    def to_json(self) -> dict[str, Any]:
        return analysis_json(self)


def km_curve(times: Sequence[float], events: Sequence[bool], confidence: float = 0.95) -> tuple[KmPoint, ...]:
    """Kaplan-Meier step points for a chart: (0, 1), one point per event time, and the end of follow-up.

    Greenwood variance, interval on the log(-log) scale (Kalbfleisch and Prentice). Empty input gives ().
    """
    pairs = _clean_durations(times, events, None)
    if not pairs:
        return ()
    import numpy as np  # heavy: imported on first use only

    time = np.array([p[0] for p in pairs])
    event = np.array([p[1] for p in pairs], dtype=bool)
    event_times, at_risk, deaths = _risk_table(time, event)
    with np.errstate(all="ignore"):
        survival = np.cumprod(1 - deaths / at_risk)
        greenwood = np.cumsum(deaths / (at_risk * (at_risk - deaths)))
        z = two_sided_z(confidence)
        spread = z * np.sqrt(greenwood) / np.abs(np.log(survival))
        low = survival ** np.exp(spread)
        high = survival ** np.exp(-spread)
    points = [KmPoint(0.0, 1.0, 1.0, 1.0, len(pairs))]
    for i, step_time in enumerate(event_times):
        s = float(survival[i])
        bounded = s > 0 and math.isfinite(float(low[i])) and math.isfinite(float(high[i]))
        points.append(
            KmPoint(
                float(step_time),
                max(s, 0.0),
                float(low[i]) if bounded else None,
                float(high[i]) if bounded else None,
                int(at_risk[i]),
            )
        )
    last = float(time.max())
    if last > points[-1].time:
        tail = points[-1]
        points.append(KmPoint(last, tail.survival, tail.low, tail.high, int((time >= last).sum())))
    return tuple(points)


def km_median(times: Sequence[float], events: Sequence[bool]) -> float | None:
    """The first event time at which Kaplan-Meier survival reaches 0.5 or below; None when it never does."""
    pairs = _clean_durations(times, events, None)
    if not pairs:
        return None
    import numpy as np  # heavy: imported on first use only

    event_times, at_risk, deaths = _risk_table(
        np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    )
    survival = np.cumprod(1 - deaths / at_risk)
    reached = np.flatnonzero(survival <= 0.5 + 1e-12)  # a product of fractions may land a hair above 0.5
    return float(event_times[reached[0]]) if len(reached) else None


def cox_hazard_ratio(
    times: Sequence[float],
    events: Sequence[bool],
    groups: Sequence[bool],
    strata: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> HazardRatio | None:
    """Cox proportional hazards for one yes/no covariate (group True vs False), Efron ties, optional strata.

    The same estimator as statsmodels' PHReg(ties="efron"), solved by Newton's method on per-event-time
    counts (PHReg loops in Python over event times and is orders of magnitude slower on thousands of accounts;
    the tests check that both agree). Wald interval on the log scale. When one group has no event while the
    other is at risk the estimate is 0 or infinite and the profile-likelihood interval bounds the other side.
    None when neither group has an event while the other is at risk (nothing to estimate).
    """
    import numpy as np  # heavy: imported on first use only

    time = np.asarray(times, dtype=float)
    event = np.asarray(events, dtype=bool)
    group = np.asarray(groups, dtype=bool)
    levels = (
        np.zeros(len(time), dtype=int)
        if strata is None
        else np.unique(np.asarray(strata), return_inverse=True)[1]
    )
    tables = []
    for level in np.unique(levels):
        ii = levels == level
        _, n1, d1 = _risk_table(time[ii & group], event[ii & group], _event_times(time[ii], event[ii]))
        event_times, n0, d0 = _risk_table(
            time[ii & ~group], event[ii & ~group], _event_times(time[ii], event[ii])
        )
        if len(event_times):
            tables.append(np.column_stack([n1, d1, n0, d0]))
    if not tables:
        return None
    n1, d1, n0, d0 = np.vstack(tables).T
    # a finite maximum needs each group to have an event while the other group is still at risk
    toward_zero, toward_infinity = d1[n0 > 0].sum() == 0, d0[n1 > 0].sum() == 0
    if toward_zero and toward_infinity:
        return None
    deaths = (d1 + d0).astype(int)
    row = np.repeat(np.arange(len(deaths)), deaths)
    share = (np.arange(deaths.sum()) - np.repeat(np.cumsum(deaths) - deaths, deaths)) / deaths[row]

    def moments(beta: float) -> tuple[float, float, float]:
        w = math.exp(beta)
        denominator = (n0 + n1 * w)[row] - share * (d0 + d1 * w)[row]
        mean = ((n1 * w)[row] - share * (d1 * w)[row]) / denominator
        loglik = beta * d1.sum() - np.log(denominator).sum()
        return float(loglik), float(d1.sum() - mean.sum()), float((mean - mean**2).sum())

    z = two_sided_z(confidence)
    if toward_zero or toward_infinity:
        return _profile_interval(lambda beta: moments(beta)[0], z, toward_zero)
    beta = 0.0
    loglik, score, information = moments(beta)
    for _ in range(100):
        if not information > 0:
            return None
        step = max(-5.0, min(5.0, score / information))  # Newton, at most a factor e^5 a step
        while True:
            candidate = moments(beta + step)
            if candidate[0] >= loglik - 1e-12 or abs(step) < 1e-12:
                break
            step /= 2
        beta += step
        loglik, score, information = candidate
        if abs(step) < 1e-10:
            break
    if not (math.isfinite(beta) and information > 0):
        return None
    half = z / math.sqrt(information)
    try:
        return HazardRatio(math.exp(beta), math.exp(beta - half), math.exp(beta + half))
    except OverflowError:
        return None


def _profile_interval(loglik: Callable[[float], float], z: float, toward_zero: bool) -> HazardRatio:
    """The likelihood rises all the way to beta = -inf (or +inf): bound beta where it is z^2 / 2 lower."""
    from scipy.optimize import brentq

    far = -50.0 if toward_zero else 50.0  # exp(-50): as good as the limit
    best = loglik(far)

    def gap(beta: float) -> float:
        return 2 * (best - loglik(beta)) - z**2

    for near in (0.0, 5.0, 10.0, 20.0, 40.0):
        edge = near if toward_zero else -near
        if gap(edge) > 0:
            bound = math.exp(brentq(gap, min(far, edge), max(far, edge)))
            return HazardRatio(0.0, 0.0, bound) if toward_zero else HazardRatio(math.inf, bound, math.inf)
    return HazardRatio(0.0 if toward_zero else math.inf, 0.0, math.inf)


def logrank_test(
    times: Sequence[float],
    events: Sequence[bool],
    groups: Sequence[bool],
    strata: Sequence[str] | None = None,
) -> tuple[float, float] | None:
    """(chi-square, asymptotic p) of the log-rank test (statsmodels survdiff), stratified when strata are
    given; None when it cannot be computed (one group only, no events, or no event while both were at risk).
    """
    import numpy as np  # heavy: imported on first use only
    from statsmodels.duration.survfunc import survdiff

    group = np.asarray(groups, dtype=int)
    if len(np.unique(group)) < 2 or not np.any(events):
        return None
    try:
        with np.errstate(all="ignore"):
            chi_square, p_value = survdiff(
                np.asarray(times, dtype=float),
                np.asarray(events, dtype=float),
                group,
                strata=None if strata is None else np.asarray(strata),
            )
    except np.linalg.LinAlgError:  # zero variance
        return None
    chi_square, p_value = finite(float(chi_square)), finite(float(p_value))
    return None if chi_square is None or p_value is None else (chi_square, p_value)


def logrank_p_value(
    times: Sequence[float],
    events: Sequence[bool],
    groups: Sequence[bool],
    strata: Sequence[str] | None = None,
) -> float | None:
    """Two-sided log-rank p-value, stratified when strata are given; None when it cannot be computed.

    Up to PERMUTATION_MAX_N accounts the p-value is that of the permutation test of the (studentized)
    log-rank statistic, relabelling within strata: the chi-square approximation is too optimistic in the tails
    on small, unbalanced groups, and Neuhaus (1993, Annals of Statistics 21:1760) showed the permutation test
    stays valid when censoring differs between the groups. Larger samples use the chi-square p of survdiff.
    """
    if len(times) > PERMUTATION_MAX_N:
        result = logrank_test(times, events, groups, strata)
        return None if result is None else result[1]
    return _permutation_logrank(times, events, groups, strata)


def _permutation_logrank(
    times: Sequence[float], events: Sequence[bool], groups: Sequence[bool], strata: Sequence[str] | None
) -> float | None:
    import numpy as np  # heavy: imported on first use only

    time = np.asarray(times, dtype=float)
    event = np.asarray(events, dtype=bool)
    group = np.asarray(groups, dtype=bool)
    if group.all() or not group.any() or not event.any():
        return None
    level = (
        np.zeros(len(time), dtype=int)
        if strata is None
        else np.unique(np.asarray(strata), return_inverse=True)[1]
    )
    order = np.lexsort((time, level))
    time, event, group, level = time[order], event[order], group[order], level[order]
    # blocks: one per (stratum, time); segments: one per stratum, both contiguous in this order
    new_block = np.r_[True, (time[1:] != time[:-1]) | (level[1:] != level[:-1])]
    starts = np.flatnonzero(new_block)
    block_level = level[starts]
    segment_end = np.searchsorted(block_level, block_level, side="right")  # first block after its stratum
    size = np.diff(np.r_[starts, len(time)]).astype(float)
    deaths = np.add.reduceat(event.astype(float), starts)
    at_risk = _within_segment_tail_sums(size[None, :], segment_end)[0]
    used = deaths > 0
    d, n = deaths[used], at_risk[used]
    with np.errstate(all="ignore"):
        spread = np.where(n > 1, d * (n - d) / (n - 1), 0.0) / n**2

    def statistics(masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(chi-square, its variance) per labelling; masks mark group 1 in sorted order."""
        n1 = _within_segment_tail_sums(np.add.reduceat(masks, starts, axis=1, dtype=float), segment_end)[
            :, used
        ]
        d1 = np.add.reduceat(masks & event, starts, axis=1, dtype=float)[:, used]
        excess = (d1 - d * n1 / n).sum(axis=1)
        variance = (spread * n1 * (n - n1)).sum(axis=1)
        with np.errstate(all="ignore"):
            chi_square = excess**2 / variance
        chi_square[~np.isfinite(chi_square)] = 0.0  # no event while both groups were at risk: no evidence
        return chi_square, variance

    segments = [np.flatnonzero(level == value) for value in np.unique(level)]

    def relabel(rng: np.random.Generator, count: int) -> np.ndarray:  # shuffle the groups within each stratum
        masks = np.zeros((count, len(time)), dtype=bool)
        for members in segments:
            masks[:, members] = random_labels(rng, count, len(members), int(group[members].sum()))
        return masks

    observed, variance = statistics(group[None, :])
    if not variance[0] > 1e-12:  # no event while both groups were at risk: nothing to test
        return None
    every = every_labelling(len(time), int(group.sum())) if len(segments) == 1 else None
    found, _ = permutation_p_value(lambda masks: statistics(masks)[0], relabel, float(observed[0]), every)
    return found.value


def _within_segment_tail_sums(values: np.ndarray, segment_end: np.ndarray) -> np.ndarray:
    """Per row, the sum of values[k:] within k's segment: how many are still at risk at block k."""
    import numpy as np  # heavy: imported on first use only

    tail = np.cumsum(values[:, ::-1], axis=1)[:, ::-1]
    tail = np.concatenate([tail, np.zeros((len(values), 1))], axis=1)
    return tail[:, :-1] - tail[:, segment_end]


def analyze_time_to_event(
    outcome: str,
    durations: Sequence[ValueDurations],
    *,
    population: int,
    stratified_by: str | None,
    settings: AnalysisSettings,
    labels: Mapping[str, str] | None = None,
) -> SurvivalAnalysis:
    """Every trait value against the rest for time to churn, with q-values, recommendations and wording.

    With `stratified_by`, each ValueDurations must carry strata; the stratified log-rank and Cox model are
    then the primary analysis and the crude numbers are shown beside them. `labels` works as in
    analyze_continuous.
    """
    labels = labels or {}
    rows = [_compare(d, stratified_by, settings) for d in durations]
    groups = mirror_groups([(r.source.trait, len(r.with_pairs), len(r.without_pairs)) for r in rows])
    rows = [  # a mirror is its twin's test: the same p-values (a Monte Carlo p is drawn once)
        replace(row, p_value=rows[twin].p_value, adjusted_p_value=rows[twin].adjusted_p_value)
        for row, twin in zip(rows, first_of_group(groups), strict=True)
    ]
    q_values = bh_q_values([row.p_value for row in rows], groups)
    adjusted_q_values = bh_q_values([row.adjusted_p_value for row in rows], groups)
    primary_p = [row.adjusted_p_value if stratified_by else row.p_value for row in rows]
    checked = tests_counted(primary_p, groups)
    results = [
        _survival_result(outcome, row, q, aq, stratified_by, population, checked, settings, labels)
        for row, q, aq in zip(rows, q_values, adjusted_q_values, strict=True)
    ]

    def evidence(result: SurvivalResult) -> tuple[float | None, float | None]:
        if stratified_by:
            return result.adjusted_p_value, result.adjusted_q_value
        return result.p_value, result.q_value

    return SurvivalAnalysis(
        outcome=outcome,
        population=population,
        stratified_by=stratified_by,
        fdr=settings.fdr,
        results=tuple(sort_by_evidence(results, evidence)),
    )


@dataclass(frozen=True)
class _Comparison:
    source: ValueDurations
    with_pairs: list[tuple[float, bool, str]]
    without_pairs: list[tuple[float, bool, str]]
    tested: bool
    hazard: HazardRatio | None
    p_value: float | None
    adjusted_hazard: HazardRatio | None
    adjusted_p_value: float | None


def _compare(source: ValueDurations, stratified_by: str | None, settings: AnalysisSettings) -> _Comparison:
    if stratified_by and (source.with_strata is None or source.without_strata is None):
        raise ValueError(f"stratified by {stratified_by}, but {source.trait}={source.value} has no strata")
    with_pairs = _clean_durations(
        source.with_times, source.with_events, source.with_strata if stratified_by else None
    )
    without_pairs = _clean_durations(
        source.without_times, source.without_events, source.without_strata if stratified_by else None
    )
    events = sum(e for _, e, _ in with_pairs) + sum(e for _, e, _ in without_pairs)
    tested = min(len(with_pairs), len(without_pairs)) >= settings.min_group and events > 0
    hazard = p_value = adjusted_hazard = adjusted_p_value = None
    if tested:
        pairs = with_pairs + without_pairs
        times = [t for t, _, _ in pairs]
        flags = [e for _, e, _ in pairs]
        groups = [True] * len(with_pairs) + [False] * len(without_pairs)
        p_value = logrank_p_value(times, flags, groups)
        hazard = cox_hazard_ratio(times, flags, groups, confidence=settings.confidence)
        if stratified_by:
            strata = [s for _, _, s in pairs]
            adjusted_p_value = logrank_p_value(times, flags, groups, strata)
            adjusted_hazard = cox_hazard_ratio(times, flags, groups, strata, settings.confidence)
    return _Comparison(
        source, with_pairs, without_pairs, tested, hazard, p_value, adjusted_hazard, adjusted_p_value
    )


def _survival_result(
    outcome: str,
    row: _Comparison,
    q_value: float | None,
    adjusted_q_value: float | None,
    stratified_by: str | None,
    population: int,
    checked: int,
    settings: AnalysisSettings,
    labels: Mapping[str, str],
) -> SurvivalResult:
    p, q, hazard = (
        (row.adjusted_p_value, adjusted_q_value, row.adjusted_hazard)
        if stratified_by
        else (
            row.p_value,
            q_value,
            row.hazard,
        )
    )
    crude, adjusted = row.hazard, row.adjusted_hazard
    reversal = crude is not None and adjusted is not None and crude.side * adjusted.side < 0
    crude_passes = q_value is not None and q_value <= settings.fdr
    adjusted_passes = adjusted_q_value is not None and adjusted_q_value <= settings.fdr

    recommendation: Recommendation
    if not row.tested or p is None:
        recommendation = "insufficient_data"
    elif stratified_by and (
        (reversal and (crude_passes or adjusted_passes)) or (crude_passes and not adjusted_passes)
    ):
        recommendation = "confounded"
    elif (
        q is not None
        and q <= settings.fdr
        and hazard is not None
        and hazard.high < 1
        and hazard.value <= 1 / settings.min_hazard_ratio + 1e-9
    ):
        recommendation = "graduate"
    elif (
        q is not None
        and q <= settings.fdr
        and hazard is not None
        and hazard.low > 1
        and hazard.value >= settings.min_hazard_ratio - 1e-9
    ):
        recommendation = "exclude"
    elif q is not None and q <= settings.fdr and hazard is not None and (hazard.high < 1 or hazard.low > 1):
        recommendation = "promising"  # real, but smaller than the declared minimum effect
    elif p < settings.promising_p:
        recommendation = "promising"
    else:
        recommendation = "no_evidence"

    events_with = sum(e for _, e, _ in row.with_pairs)
    events_without = sum(e for _, e, _ in row.without_pairs)
    flags = []
    if population < settings.small_sample:
        flags.append("small_sample")
    if events_with + events_without < FEW_EVENTS:
        flags.append("few_events")
    if reversal:
        flags.append("simpson_reversal")
    median_with = km_median([t for t, _, _ in row.with_pairs], [e for _, e, _ in row.with_pairs])
    median_without = km_median([t for t, _, _ in row.without_pairs], [e for _, e, _ in row.without_pairs])
    source = row.source
    explanation = _survival_explanation(
        outcome,
        subject(source.trait, source.value, labels),
        recommendation,
        row,
        hazard or crude,
        (median_with, median_without),
        events_with + events_without,
        strata_label=(labels.get(stratified_by) or stratified_by.replace("_", " ")).lower()
        if stratified_by
        else None,
        small="small_sample" in flags,
        checked=checked,
        settings=settings,
        real=q is not None and q <= settings.fdr,
    )
    return SurvivalResult(
        trait=source.trait,
        value=source.value,
        n_with=len(row.with_pairs),
        n_without=len(row.without_pairs),
        events_with=events_with,
        events_without=events_without,
        median_time_with=median_with,
        median_time_without=median_without,
        hazard_ratio=crude.finite_value if crude else None,
        hazard_ratio_ci=(crude.low, crude.high) if crude else None,
        p_value=row.p_value,
        q_value=q_value,
        adjusted_hazard_ratio=adjusted.finite_value if adjusted else None,
        adjusted_hazard_ratio_ci=(adjusted.low, adjusted.high) if adjusted else None,
        adjusted_p_value=row.adjusted_p_value,
        adjusted_q_value=adjusted_q_value,
        recommendation=recommendation,
        flags=tuple(flags),
        explanation=explanation,
    )


def _survival_explanation(
    outcome: str,
    who: str,
    recommendation: Recommendation,
    row: _Comparison,
    hazard: HazardRatio | None,
    medians: tuple[float | None, float | None],
    events: int,
    *,
    strata_label: str | None,
    small: bool,
    checked: int,
    settings: AnalysisSettings,
    real: bool = False,
) -> str:
    phrase = OUTCOME_PHRASES.get(outcome, outcome.replace("_", " "))
    n_with, n_without = len(row.with_pairs), len(row.without_pairs)
    if recommendation == "insufficient_data":
        if min(n_with, n_without) < settings.min_group:
            return (
                f"Too few accounts to compare {phrase}: {n_with} with this value and {n_without} without "
                f"(at least {settings.min_group} of each are needed)."
            )
        if events == 0:
            return "None of these accounts has churned yet, so there is nothing to compare."
        if strata_label:
            return (
                f"Within each {strata_label}, accounts with and without this value could not be compared, "
                f"so its effect cannot be told apart from the {strata_label}."
            )
        return f"The {phrase} of these accounts could not be compared."

    with_median, without_median = medians
    a, b = number(with_median), number(without_median)
    if with_median is not None and without_median is not None:
        clause = f"half were still customers after {a} days vs {b} for the rest"
    elif with_median is None and without_median is not None:
        clause = f"more than half are still customers, while half of the rest churned within {b} days"
    elif with_median is not None:
        clause = f"half churned within {a} days, while more than half of the rest are still customers"
    else:
        clause = "more than half of both groups are still customers"

    side = hazard.side if hazard is not None else _rate_side(row)
    less = None if side == 0 else side < 0
    direction = (
        "churn at the same pace as the rest" if less is None else ("churn less" if less else "churn sooner")
    )
    if recommendation == "confounded":
        crude, adjusted = row.hazard, row.adjusted_hazard
        crude_side = crude.side if crude is not None else _rate_side(row)
        reverses = adjusted is not None and crude_side * adjusted.side < 0
        seem = "seem to churn less" if crude_side < 0 else "seem to churn sooner"
        change = "reverses" if reverses else "is no longer clear"
        return (
            f"{who} {seem} ({clause}), but within the same {strata_label} the difference {change}, "
            f"so it likely comes from the {strata_label} rather than this trait."
        )
    within = (
        f", even within the same {strata_label}" if strata_label and recommendation != "no_evidence" else ""
    )
    return f"{who} {direction}{within}: {clause}{evidence_tail(recommendation, checked, small, real)}"


def _rate_side(row: _Comparison) -> int:
    """Churned accounts per day at risk, with vs without: -1 fewer, 1 more, 0 the same or unknown."""
    rates = []
    for pairs in (row.with_pairs, row.without_pairs):
        exposure = sum(t for t, _, _ in pairs)
        rates.append(sum(e for _, e, _ in pairs) / exposure if exposure > 0 else None)
    if rates[0] is None or rates[1] is None:
        return 0
    return (rates[0] > rates[1]) - (rates[0] < rates[1])


def _clean_durations(
    times: Sequence[float | None], events: Sequence[bool | None], strata: Sequence[str | None] | None
) -> list[tuple[float, bool, str]]:
    """(time, event, stratum) for every usable account: a finite, non-negative time and a known event."""
    if len(times) != len(events) or (strata is not None and len(strata) != len(times)):
        raise ValueError("times, events and strata must have the same length")
    labels = strata if strata is not None else [""] * len(times)
    cleaned = []
    for time, event, stratum in zip(times, events, labels, strict=True):
        value = finite(time)
        if value is None or value < 0 or event is None:
            continue
        cleaned.append((value, bool(event), UNKNOWN_STRATUM if stratum is None else str(stratum)))
    return cleaned


def _event_times(time: np.ndarray, event: np.ndarray) -> np.ndarray:
    import numpy as np  # heavy: imported on first use only

    return np.unique(time[event])


def _risk_table(
    time: np.ndarray, event: np.ndarray, at: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(event times, number at risk just before each, events at each) for one group; `at` fixes the times."""
    import numpy as np  # heavy: imported on first use only

    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=bool)
    at = np.unique(time[event]) if at is None else at
    ordered = np.sort(time)
    event_times = np.sort(time[event])
    at_risk = len(ordered) - np.searchsorted(ordered, at, side="left")
    deaths = np.searchsorted(event_times, at, side="right") - np.searchsorted(event_times, at, side="left")
    return at, at_risk, deaths
