"""Binary outcomes per trait value: tests, multiple testing, recommendation, flags (docs/statistics.md)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from ecp_tracker.analysis.counts import StratumCounts, ValueCounts
from ecp_tracker.analysis.exact import ExactResult, conditional_exact_many
from ecp_tracker.analysis.explain import Reason, Wording, sentence
from ecp_tracker.analysis.multiple import bh_q_values, mirror_groups, tests_counted
from ecp_tracker.analysis.multivariable import AdjustedEffect, Candidate, ModelCheck
from ecp_tracker.analysis.power import PowerNeed, accounts_needed
from ecp_tracker.analysis.proportions import Rate
from ecp_tracker.analysis.selection import shrunk_lifts, standard_error
from ecp_tracker.analysis.settings import AnalysisSettings
from ecp_tracker.analysis.stratified import StratifiedResult, informative, mantel_haenszel
from ecp_tracker.analysis.trend import Trend

_LIFT_TOLERANCE = 1e-9  # 0.45 - 0.30 is 0.15000000000000002 or 0.1499999...: both meet a 0.15 lift


class Recommendation(StrEnum):
    INSUFFICIENT_DATA = "insufficient_data"
    CONFOUNDED = "confounded"
    GRADUATE = "graduate"
    EXCLUDE = "exclude"
    PROMISING = "promising"
    NO_EVIDENCE = "no_evidence"


class Confounding(StrEnum):
    """Why a stratified value is ``confounded`` (the JSON field ``confounding``)."""

    CHANGES = "changes"  # the adjusted estimate is clearly different from the crude one
    CANNOT_TELL_APART = "cannot_tell_apart"  # the adjusted estimate is only imprecise: the two coincide


class Flag(StrEnum):
    """Listed in this order whenever several apply."""

    SIMPSON_REVERSAL = "simpson_reversal"
    EFFECT_DIFFERS_BY_STRATUM = "effect_differs_by_stratum"
    ZERO_CELL = "zero_cell"
    SMALL_SAMPLE = "small_sample"


Interval = tuple[float, float]  # bounds may be 0 or inf; written as null in JSON when not finite


@dataclass(frozen=True)
class StratumResult:
    """One stratum's table on the detail page."""

    label: str
    counts: StratumCounts
    odds_ratio: float | None  # (with_pos * without_neg) / (with_neg * without_pos) where finite
    informative: bool  # used by the stratified test (both groups and both outcomes present)


@dataclass(frozen=True)
class BinaryResult:
    """Every field of the JSON result plus what the detail page shows (tables, rate intervals, power)."""

    trait: str
    value: str
    n_with: int
    n_without: int
    rate_with: float | None
    rate_without: float | None
    odds_ratio: float | None  # conditional MLE; 0 or inf at the edges
    odds_ratio_ci: Interval | None
    difference: float | None  # rate_with - rate_without
    difference_ci: Interval | None  # Newcombe hybrid score
    p_value: float | None  # Fisher exact, two-sided
    q_value: float | None
    adjusted_odds_ratio: float | None  # Mantel-Haenszel
    adjusted_odds_ratio_ci: tuple[float | None, float | None] | None
    adjusted_p_value: float | None  # CMH, no continuity correction
    adjusted_q_value: float | None
    heterogeneity_p_value: float | None  # Breslow-Day
    recommendation: Recommendation
    flags: tuple[Flag, ...]
    more_accounts_needed: int | None
    explanation: str
    adjusted_difference: float | None  # Mantel-Haenszel risk difference: the lift decided on when stratified
    adjusted_difference_ci: Interval | None  # Sato's variance
    confounding: Confounding | None
    # the decided lift (adjusted when stratified) shrunk for the winner's curse: the one the minimum lift is
    # checked against; only for values passing the false-discovery bar among at least three (selection.py)
    corrected_difference: float | None
    # not in the JSON
    crude: StratumCounts
    strata: tuple[StratumResult, ...]
    interval_with: Rate | None  # Wilson
    interval_without: Rate | None
    power: PowerNeed | None  # the declared-lift sample size behind more_accounts_needed (kept when not shown)
    reason: Reason
    model: AdjustedEffect | None = None  # the multivariable check, for candidates (JSON: model)

    def to_json(self) -> dict[str, Any]:
        return {
            "trait": self.trait,
            "value": self.value,
            "n_with": self.n_with,
            "n_without": self.n_without,
            "rate_with": _number(self.rate_with),
            "rate_without": _number(self.rate_without),
            "odds_ratio": _number(self.odds_ratio),
            "odds_ratio_ci": _interval(self.odds_ratio_ci),
            "difference": _number(self.difference),
            "difference_ci": _interval(self.difference_ci),
            "p_value": _number(self.p_value),
            "q_value": _number(self.q_value),
            "adjusted_odds_ratio": _number(self.adjusted_odds_ratio),
            "adjusted_odds_ratio_ci": _interval(self.adjusted_odds_ratio_ci),
            "adjusted_p_value": _number(self.adjusted_p_value),
            "adjusted_q_value": _number(self.adjusted_q_value),
            "heterogeneity_p_value": _number(self.heterogeneity_p_value),
            "recommendation": str(self.recommendation),
            "flags": [str(flag) for flag in self.flags],
            "more_accounts_needed": self.more_accounts_needed,
            "explanation": self.explanation,
            "adjusted_difference": _number(self.adjusted_difference),
            "adjusted_difference_ci": _interval(self.adjusted_difference_ci),
            "confounding": str(self.confounding) if self.confounding else None,
            "corrected_difference": _number(self.corrected_difference),
            "model": self.model.to_json() if self.model is not None else None,
        }


@dataclass(frozen=True)
class BinaryAnalysis:
    outcome: str
    population: int
    positives: int
    stratified_by: str | None
    fdr: float
    results: tuple[BinaryResult, ...]
    model: ModelCheck | None = None  # the multivariable check of the candidates; None: no candidate
    trends: tuple[Trend, ...] = ()  # number traits: does the rate rise or fall with the number?

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "population": self.population,
            "positives": self.positives,
            "stratified_by": self.stratified_by,
            "fdr": _number(self.fdr),
            "results": [result.to_json() for result in self.results],
            "model": self.model.to_json() if self.model is not None else None,
            "trends": [trend.to_json() for trend in self.trends],
        }

    def model_candidates(self) -> list[BinaryResult]:
        """The values the multivariable check takes: graduate, exclude and promising, strongest first (at most
        MAX_MODEL_TERMS; the rest are left out of the model)."""
        return [r for r in self.results if r.recommendation in MODEL_CANDIDATES][:MAX_MODEL_TERMS]

    def with_model(self, check: ModelCheck) -> BinaryAnalysis:
        """This analysis with the check's effect beside each candidate."""
        results = tuple(replace(r, model=check.effect_of(r.trait, r.value)) for r in self.results)
        return replace(self, results=results, model=check)


MODEL_CANDIDATES = frozenset({Recommendation.GRADUATE, Recommendation.EXCLUDE, Recommendation.PROMISING})
MAX_MODEL_TERMS = 30  # a model over more candidates than that would mostly estimate noise


def model_candidate(result: BinaryResult, stratified: bool) -> Candidate:
    """A result as a term of the model, in the direction screening found (adjusted when stratified)."""
    odds = (
        result.adjusted_odds_ratio
        if stratified and result.adjusted_odds_ratio is not None
        else result.odds_ratio
    )
    return Candidate(result.trait, result.value, 1 if odds is None or odds >= 1 else -1)


@dataclass(frozen=True)
class _Tests:
    """What is computed per value before the multiple-testing correction."""

    counts: ValueCounts
    crude: StratumCounts
    exact: ExactResult | None
    stratified: StratifiedResult | None
    in_family: bool  # enough accounts on both sides and a computable test: counts towards the correction


def analyze_binary(
    outcome: str,
    counts: Sequence[ValueCounts],
    *,
    population: int,
    positives: int,
    stratified_by: str | None,
    settings: AnalysisSettings,
    labels: Mapping[str, str] | None = None,
    higher_is_better: bool = True,
) -> BinaryAnalysis:
    """Test every trait value against the rest for one binary outcome, sorted by evidence (strongest first).

    ``higher_is_better=False`` (churned) turns the decision around: a value that lowers the rate graduates and
    one that raises it is excluded; everything else, numbers and sentences included, stays as it is.

    The primary test is Fisher's (crude) or, with ``stratified_by``, the CMH test. q-values are taken over the
    values with at least ``settings.min_group`` accounts on each side and a computable test: the others are
    never decided, so they do not count as tests.
    """
    stratified = stratified_by is not None
    crude = [value_counts.crude() for value_counts in counts]
    exact = conditional_exact_many([c.cells() for c in crude], settings.confidence)
    tests = [
        _tests(value_counts, table, found, stratified, settings)
        for value_counts, table, found in zip(counts, crude, exact, strict=True)
    ]
    groups = mirror_groups([(c.trait, t.with_n, t.without_n) for c, t in zip(counts, crude, strict=True)])
    crude_p = [t.exact.p_value if t.in_family and t.exact else None for t in tests]
    q = bh_q_values(crude_p, groups)
    adjusted = [t.stratified.p_value if t.in_family and t.stratified else None for t in tests]
    adjusted_q = bh_q_values(adjusted, groups) if stratified else [None] * len(tests)
    tested = tests_counted(adjusted if stratified else crude_p, groups)
    rates = _wilson([t.crude for t in tests], settings.confidence)
    differences = _newcombe([t.crude for t in tests], settings.confidence)
    corrected = _corrected(tests, adjusted_q if stratified else q, differences, groups, stratified, settings)

    results = [
        _result(
            t,
            crude_q=q[i],
            adjusted_q=adjusted_q[i],
            rates=rates[i],
            difference_ci=differences[i],
            corrected=corrected[i],
            tested=tested,
            outcome=outcome,
            population=population,
            stratified_by=stratified_by,
            settings=settings,
            labels=labels,
            higher_is_better=higher_is_better,
        )
        for i, t in enumerate(tests)
    ]
    results.sort(key=lambda r: _evidence_order(r, stratified))
    return BinaryAnalysis(outcome, population, positives, stratified_by, settings.fdr, tuple(results))


def _tests(
    value_counts: ValueCounts,
    crude: StratumCounts,
    exact: ExactResult | None,
    stratified: bool,
    settings: AnalysisSettings,
) -> _Tests:
    enough = crude.with_n >= settings.min_group and crude.without_n >= settings.min_group
    strat = mantel_haenszel(list(value_counts.strata.values()), settings.confidence) if stratified else None
    return _Tests(value_counts, crude, exact, strat, enough and exact is not None)


def _result(
    t: _Tests,
    *,
    crude_q: float | None,
    adjusted_q: float | None,
    rates: tuple[Rate | None, Rate | None],
    difference_ci: Interval | None,
    corrected: float | None,
    tested: int,
    outcome: str,
    population: int,
    stratified_by: str | None,
    settings: AnalysisSettings,
    labels: Mapping[str, str] | None,
    higher_is_better: bool,
) -> BinaryResult:
    crude, exact, strat = t.crude, t.exact, t.stratified
    rate_with = crude.with_pos / crude.with_n if crude.with_n else None
    rate_without = crude.without_pos / crude.without_n if crude.without_n else None
    difference = rate_with - rate_without if rate_with is not None and rate_without is not None else None
    crude_or = exact.odds_ratio if exact else None
    adjusted_or = strat.odds_ratio if strat else None
    adjusted_ci = (
        (strat.difference_low, strat.difference_high)
        if strat and strat.difference_low is not None and strat.difference_high is not None
        else None
    )
    # a reversal only when both estimates are clearly on their side of 1, not 0.92 vs 1.09 at p 0.6
    reversal = (
        _opposite_sides(crude_or, adjusted_or)
        and exact is not None
        and exact.p_value < settings.promising_p
        and strat is not None
        and strat.p_value is not None
        and strat.p_value < settings.promising_p
    )

    recommendation, reason = _decide(
        t,
        crude_q,
        adjusted_q,
        difference,
        difference_ci,
        corrected,
        reversal,
        stratified_by is not None,
        settings,
    )
    confounding = _CONFOUNDING.get(reason) if recommendation is Recommendation.CONFOUNDED else None
    if not higher_is_better:
        recommendation = _SWAPPED.get(recommendation, recommendation)
    power = accounts_needed(
        crude.with_n,
        crude.without_n,
        rate_without,
        difference,
        min_lift=settings.min_lift,
        alpha=settings.alpha,
        power=settings.power,
    )
    shows_power = recommendation in (
        Recommendation.PROMISING,
        Recommendation.INSUFFICIENT_DATA,
        Recommendation.NO_EVIDENCE,
    )
    # promising always says how many more would settle it; the others only while the sample is still too small
    still_short = power is not None and power.required_with > crude.with_n
    more_needed = (
        power.more_needed
        if power and (recommendation is Recommendation.PROMISING or (shows_power and still_short))
        else None
    )

    flags = []
    if reversal:
        flags.append(Flag.SIMPSON_REVERSAL)
    if (
        strat
        and strat.heterogeneity_p_value is not None
        and strat.heterogeneity_p_value < settings.heterogeneity_p
    ):
        flags.append(Flag.EFFECT_DIFFERS_BY_STRATUM)
    stratum_tables = t.counts.strata.values() if stratified_by is not None else ()
    if 0 in crude.cells() or any(0 in s.cells() for s in stratum_tables):
        flags.append(Flag.ZERO_CELL)
    if population < settings.small_sample:
        flags.append(Flag.SMALL_SAMPLE)

    wording = Wording(
        trait=t.counts.trait,
        value=t.counts.value,
        n_with=crude.with_n,
        n_without=crude.without_n,
        positives=crude.positives,
        rate_with=rate_with,
        rate_without=rate_without,
        reason=reason,
        tested=tested,
        more_needed=more_needed if power and power.required_with > crude.with_n else None,
        min_lift=settings.min_lift,
        adjusted_difference=strat.difference if strat else None,
        adjusted_difference_ci=adjusted_ci,
        confidence=settings.confidence,
        corrected_difference=corrected,
    )
    return BinaryResult(
        trait=t.counts.trait,
        value=t.counts.value,
        n_with=crude.with_n,
        n_without=crude.without_n,
        rate_with=rate_with,
        rate_without=rate_without,
        odds_ratio=crude_or,
        odds_ratio_ci=(exact.low, exact.high) if exact else None,
        difference=difference,
        difference_ci=difference_ci,
        p_value=exact.p_value if exact else None,
        q_value=crude_q,
        adjusted_odds_ratio=adjusted_or,
        adjusted_odds_ratio_ci=(strat.low, strat.high) if strat else None,
        adjusted_p_value=strat.p_value if strat else None,
        adjusted_q_value=adjusted_q,
        heterogeneity_p_value=strat.heterogeneity_p_value if strat else None,
        recommendation=recommendation,
        flags=tuple(flags),
        more_accounts_needed=more_needed,
        explanation=sentence(wording, outcome, stratified_by, labels),
        adjusted_difference=strat.difference if strat else None,
        adjusted_difference_ci=adjusted_ci,
        confounding=confounding,
        corrected_difference=corrected,
        crude=crude,
        strata=tuple(
            StratumResult(label, counts, _sample_odds_ratio(counts), informative(counts))
            for label, counts in t.counts.strata.items()
        ),
        interval_with=rates[0],
        interval_without=rates[1],
        power=power,
        reason=reason,
    )


_SWAPPED = {
    Recommendation.GRADUATE: Recommendation.EXCLUDE,
    Recommendation.EXCLUDE: Recommendation.GRADUATE,
}


def _decide(
    t: _Tests,
    crude_q: float | None,
    adjusted_q: float | None,
    difference: float | None,
    difference_ci: Interval | None,
    corrected: float | None,
    reversal: bool,
    stratified: bool,
    settings: AnalysisSettings,
) -> tuple[Recommendation, Reason]:
    """The recommendation rules of docs/statistics.md: the first rule that applies wins."""
    crude, fdr = t.crude, settings.fdr
    if crude.with_n < settings.min_group:
        return Recommendation.INSUFFICIENT_DATA, Reason.FEW_WITH
    if crude.without_n < settings.min_group:
        return Recommendation.INSUFFICIENT_DATA, Reason.FEW_WITHOUT
    if t.exact is None:  # both groups present, so an outcome margin is empty
        return Recommendation.INSUFFICIENT_DATA, Reason.NO_VARIATION

    if stratified:
        # decisions rest on the adjusted analysis: CMH q, Mantel-Haenszel risk difference and its interval
        strat = t.stratified
        crude_passes = crude_q is not None and crude_q <= fdr
        if strat is None or strat.p_value is None:
            if crude_passes:
                return Recommendation.CONFOUNDED, Reason.NO_OVERLAP
            return Recommendation.INSUFFICIENT_DATA, Reason.NO_OVERLAP
        crude_difference = difference
        p, q, odds = strat.p_value, adjusted_q, strat.odds_ratio
        difference = strat.difference
        difference_ci = (
            (strat.difference_low, strat.difference_high)
            if strat.difference_low is not None and strat.difference_high is not None
            else None
        )
        decided = _effect(q, odds, difference, difference_ci, corrected, settings)
        if decided is not None:
            return decided, Reason.REVERSES if reversal else Reason.UNLIKELY_LUCK
        if crude_passes and crude_difference is not None:
            # the crude figures pass but the adjusted ones do not decide: tell a real change from imprecision
            outside = difference_ci is not None and not (
                difference_ci[0] <= crude_difference <= difference_ci[1]
            )
            adjusted_passes = q is not None and q <= fdr
            if outside:
                return Recommendation.CONFOUNDED, Reason.VANISHES
            if not adjusted_passes:
                return Recommendation.CONFOUNDED, Reason.CANNOT_TELL
    else:
        p, q, odds = t.exact.p_value, crude_q, t.exact.odds_ratio
        decided = _effect(q, odds, difference, difference_ci, corrected, settings)
        if decided is not None:
            return decided, Reason.UNLIKELY_LUCK

    if p < settings.promising_p:
        passes = q is not None and q <= fdr
        return Recommendation.PROMISING, Reason.TOO_SMALL if passes else Reason.MAY_BE_LUCK
    return Recommendation.NO_EVIDENCE, Reason.COULD_BE_LUCK


_CONFOUNDING = {
    Reason.VANISHES: Confounding.CHANGES,
    Reason.CANNOT_TELL: Confounding.CANNOT_TELL_APART,
    Reason.NO_OVERLAP: Confounding.CANNOT_TELL_APART,
}


def _effect(
    q: float | None,
    odds: float,
    difference: float | None,
    difference_ci: Interval | None,
    corrected: float | None,
    settings: AnalysisSettings,
) -> Recommendation | None:
    """Rule 3: graduate or exclude when q passes, the interval excludes 0 and the lift, shrunk for the
    winner's curse, reaches the minimum (the raw lift with fewer than three values to shrink with)."""
    if q is None or q > settings.fdr or difference is None or difference_ci is None:
        return None
    low, high = difference_ci
    lift = corrected if corrected is not None else difference
    if odds > 1 and low > 0 and lift >= settings.min_lift - _LIFT_TOLERANCE:
        return Recommendation.GRADUATE
    if odds < 1 and high < 0 and lift <= -settings.min_lift + _LIFT_TOLERANCE:
        return Recommendation.EXCLUDE
    return None


def _corrected(
    tests: Sequence[_Tests],
    primary_q: Sequence[float | None],
    differences: Sequence[Interval | None],
    groups: Sequence[Any],
    stratified: bool,
    settings: AnalysisSettings,
) -> list[float | None]:
    """The decided lift of every value passing the FDR bar, shrunk for the winner's curse (selection.py);
    the shrinkage is estimated over every value in the multiple-testing family."""
    lifts: list[float | None] = [None] * len(tests)
    errors: list[float | None] = [None] * len(tests)
    for i, t in enumerate(tests):
        if not t.in_family:
            continue
        if stratified:
            strat = t.stratified
            if strat is None or strat.difference is None or strat.difference_low is None:
                continue
            lift, interval = strat.difference, (strat.difference_low, strat.difference_high)
        else:
            crude, found = t.crude, differences[i]
            if found is None or not crude.with_n or not crude.without_n:
                continue
            lift, interval = crude.with_pos / crude.with_n - crude.without_pos / crude.without_n, found
        lifts[i], errors[i] = lift, standard_error(interval, settings.confidence)
    shrunk = shrunk_lifts(lifts, errors, groups, [t.counts.value for t in tests])
    return [
        value if q is not None and q <= settings.fdr else None
        for value, q in zip(shrunk, primary_q, strict=True)
    ]


def _wilson(tables: Sequence[StratumCounts], confidence: float) -> list[tuple[Rate | None, Rate | None]]:
    """Wilson intervals of rate_with and rate_without for every value, in one vectorised call."""
    groups = [(c.with_pos, c.with_n) for c in tables] + [(c.without_pos, c.without_n) for c in tables]
    present = [i for i, (_, n) in enumerate(groups) if n > 0]
    found: dict[int, Rate] = {}
    if present:
        import numpy as np
        from statsmodels.stats.proportion import proportion_confint

        hits = np.array([groups[i][0] for i in present], dtype=float)
        sizes = np.array([groups[i][1] for i in present], dtype=float)
        with np.errstate(all="ignore"):  # thread-safe, unlike warnings.catch_warnings
            lows, highs = proportion_confint(hits, sizes, alpha=1 - confidence, method="wilson")
        for i, low, high in zip(present, lows.tolist(), highs.tolist(), strict=True):
            k, n = groups[i]
            found[i] = Rate(k, n, k / n, low, high, confidence)
    size = len(tables)
    return [(found.get(i), found.get(size + i)) for i in range(size)]


def _newcombe(tables: Sequence[StratumCounts], confidence: float) -> list[Interval | None]:
    """Newcombe's hybrid score interval (method 10) of rate_with - rate_without, in one vectorised call."""
    present = [i for i, c in enumerate(tables) if c.with_n > 0 and c.without_n > 0]
    found: dict[int, Interval] = {}
    if present:
        import numpy as np
        from statsmodels.stats.proportion import confint_proportions_2indep

        def column(name: str) -> np.ndarray:
            return np.array([getattr(tables[i], name) for i in present], dtype=float)

        with np.errstate(all="ignore"):  # thread-safe, unlike warnings.catch_warnings
            lows, highs = confint_proportions_2indep(
                column("with_pos"),
                column("with_n"),
                column("without_pos"),
                column("without_n"),
                method="newcomb",
                compare="diff",
                alpha=1 - confidence,
            )
        for i, low, high in zip(
            present, np.atleast_1d(lows).tolist(), np.atleast_1d(highs).tolist(), strict=True
        ):
            found[i] = (low, high)
    return [found.get(i) for i in range(len(tables))]


def _opposite_sides(first: float | None, second: float | None) -> bool:
    if first is None or second is None or math.isnan(first) or math.isnan(second):
        return False
    return (first > 1 and second < 1) or (first < 1 and second > 1)


def _sample_odds_ratio(counts: StratumCounts) -> float | None:
    a, b, c, d = counts.cells()
    if b * c == 0:
        return None
    return a * d / (b * c)


def _evidence_order(result: BinaryResult, stratified: bool) -> tuple[Any, ...]:
    q = result.adjusted_q_value if stratified else result.q_value
    p = result.adjusted_p_value if stratified else result.p_value
    return (
        q is None,
        q if q is not None else 0.0,
        p is None,
        p if p is not None else 0.0,
        result.trait,
        result.value,
    )


def _number(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _interval(interval: tuple[float | None, float | None] | None) -> list[float | None] | None:
    if interval is None:
        return None
    return [_number(interval[0]), _number(interval[1])]
