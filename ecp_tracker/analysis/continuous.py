"""Continuous outcomes (days to convert, contract value, NPS): Brunner-Munzel per trait value vs the rest.

The effect is P(X > Y) + 0.5 P(X = Y) for X an account with the value and Y one without (0.5: no difference).
The helpers at the bottom (cleaning, JSON, ordering, wording) are shared with the time-to-event analysis.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from ecp_tracker.analysis.multiple import bh_q_values, first_of_group, mirror_groups, tests_counted
from ecp_tracker.analysis.settings import AnalysisSettings

if TYPE_CHECKING:
    import numpy as np

R = TypeVar("R")
Recommendation = Literal["insufficient_data", "confounded", "graduate", "exclude", "promising", "no_evidence"]

OUTCOME_PHRASES = {
    "days_to_convert": "days to convert",
    "contract_value": "contract value",
    "nps": "NPS",
    "time_to_churn": "time to churn",
}
# (higher, lower) as a founder would say it; the unit follows the medians
_CONTINUOUS_WORDING = {
    "days_to_convert": ("converted more slowly", "converted faster", " days"),
    "contract_value": ("signed larger contracts", "signed smaller contracts", ""),
    "nps": ("gave higher NPS scores", "gave lower NPS scores", ""),
}
# the keys of one result of the analysis document (the contract in docs/api.md), in order; outcome-specific
# keys follow
CONTRACT_RESULT_KEYS = (
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
)


@dataclass(frozen=True)
class ValueSamples:
    """Outcome values of accounts with a known trait value and a known outcome, split by having this value."""

    trait: str
    value: str
    with_values: Sequence[float]
    without_values: Sequence[float]


@dataclass(frozen=True)
class RankComparison:
    """Brunner-Munzel comparison of two samples: probability = P(X > Y) + 0.5 P(X = Y), X from the first."""

    probability: float
    low: float
    high: float
    p_value: float
    method: Literal["brunner_munzel", "permutation", "exact_permutation"]
    p_value_error: float = 0.0  # Monte Carlo standard error of a random-permutation p; 0 when exact or not


@dataclass(frozen=True)
class ContinuousResult:
    trait: str
    value: str
    n_with: int
    n_without: int
    median_with: float | None
    median_without: float | None
    probability_greater: float | None  # P(with > without) + 0.5 P(tie)
    probability_greater_ci: tuple[float, float] | None
    p_value: float | None
    q_value: float | None
    recommendation: Recommendation
    flags: tuple[str, ...]
    explanation: str
    p_value_method: str | None = None  # exact_permutation, permutation (Monte Carlo) or brunner_munzel (t)
    p_value_error: float | None = None  # Monte Carlo standard error; 0 when exact

    def to_json(self) -> dict[str, Any]:
        return result_json(
            self,
            median_with=finite(self.median_with),
            median_without=finite(self.median_without),
            probability_greater=finite(self.probability_greater),
            probability_greater_ci=interval_json(self.probability_greater_ci),
            p_value_method=self.p_value_method,
            p_value_error=finite(self.p_value_error),
        )


@dataclass(frozen=True)
class ContinuousAnalysis:
    outcome: str
    population: int
    higher_is_better: bool
    fdr: float
    results: tuple[ContinuousResult, ...]  # sorted by evidence: q, then p, then trait/value; untested last
    stratified_by: None = None  # continuous outcomes are not stratified

    def to_json(self) -> dict[str, Any]:
        return analysis_json(self)


def _same_test(comparison: RankComparison | None, twin: RankComparison | None) -> RankComparison | None:
    """A mirror's comparison with its twin's p-value (one test seen from both sides)."""
    if comparison is None or twin is None or twin is comparison:
        return comparison
    return replace(comparison, p_value=twin.p_value, method=twin.method, p_value_error=twin.p_value_error)


def compare_ranks(
    with_values: Sequence[float], without_values: Sequence[float], confidence: float = 0.95
) -> RankComparison | None:
    """Brunner-Munzel test of P(X > Y) + 0.5 P(X = Y) = 0.5 with its interval; None when not computable.

    Not computable: fewer than two values in a group or every value equal. Up to PERMUTATION_MAX_N accounts,
    the p-value and interval come from the studentized permutation test (Neubert and Brunner 2007): the t
    approximation is too optimistic in the tails on small, unbalanced groups, which is where multiple testing
    looks. Larger samples use the t approximation (statsmodels rank_compare_2indep). When the groups do not
    overlap at all the variance estimate is zero: the exact permutation p is then 2 / C(n, n_with) and the
    interval Newcombe's (2006) score interval, method 5.
    """
    x = clean_numbers(with_values)
    y = clean_numbers(without_values)
    if len(x) < 2 or len(y) < 2 or len(set(x) | set(y)) < 2:
        return None
    if max(x) < min(y) or min(x) > max(y):
        probability = 0.0 if max(x) < min(y) else 1.0
        low, high = _newcombe_score_interval(probability, len(x), len(y), confidence)
        p_value = min(1.0, 2 / math.comb(len(x) + len(y), len(x)))
        return RankComparison(probability, low, high, p_value, "permutation")
    if len(x) + len(y) <= PERMUTATION_MAX_N:
        return _permutation_comparison(x, y, confidence)

    import numpy as np  # heavy: imported on first use only
    from statsmodels.stats.nonparametric import rank_compare_2indep

    with np.errstate(all="ignore"):
        result = rank_compare_2indep(np.asarray(x), np.asarray(y), use_t=True)
        low, high = result.conf_int(alpha=1 - confidence)
    probability, p_value = float(result.prob1), float(result.pvalue)
    if not all(math.isfinite(float(v)) for v in (probability, p_value, low, high)):
        return None
    return RankComparison(probability, max(0.0, float(low)), min(1.0, float(high)), p_value, "brunner_munzel")


PERMUTATION_MAX_N = 200  # accounts; above this the t approximation is used
EXACT_LIMIT = 200_000  # relabellings: at most this many, every one is enumerated (an exact p-value)
MAX_PERMUTATIONS = 20_000  # random relabellings at most when there are more
DECISION_LEVELS = (0.05, 0.10)  # the promising level and the default FDR: Monte Carlo error must not straddle
_MC_BATCH = 2_000
_MC_Z = (
    3.29  # a 99.9% band: the chance a Monte Carlo p lands on the wrong side of a level is below 1 in 1,000
)


@dataclass(frozen=True)
class PermutationP:
    """A permutation p-value and its Monte Carlo standard error (0 when every relabelling was enumerated)."""

    value: float
    error: float
    draws: int
    exact: bool


def permutation_p_value(
    statistics: Callable[[np.ndarray], np.ndarray],
    relabel: Callable[[np.random.Generator, int], np.ndarray],
    observed: float,
    every: np.ndarray | None = None,
    levels: Sequence[float] = DECISION_LEVELS,
) -> tuple[PermutationP, np.ndarray]:
    """Two-sided permutation p-value of a statistic (larger: more extreme) and the statistics drawn.

    `every` holds all relabellings when there are few enough: the p-value is then exact. Otherwise `relabel`
    draws them from a seeded generator (the same data always gives the same answer) in batches until the
    99.9% Monte Carlo band around p = (hits + 1) / (draws + 1) lies clear of every decision level (0.05 and
    the FDR level), or MAX_PERMUTATIONS are drawn; the standard error is reported either way, so a value still
    too close to a level says so instead of being decided by the seed.
    """
    import numpy as np  # heavy: imported on first use only

    threshold = observed * (1 - 1e-9)  # equal statistics count as extreme despite rounding
    if every is not None:
        drawn = np.concatenate([statistics(every[i : i + 20_000]) for i in range(0, len(every), 20_000)])
        return PermutationP(float(np.mean(drawn >= threshold)), 0.0, len(drawn), True), drawn
    rng = np.random.default_rng(0)
    batches: list[np.ndarray] = []
    hits = draws = 0
    while draws < MAX_PERMUTATIONS:
        drawn = statistics(relabel(rng, _MC_BATCH))
        batches.append(drawn)
        hits += int(np.count_nonzero(drawn >= threshold))
        draws += len(drawn)
        p = (hits + 1) / (draws + 1)
        error = math.sqrt(p * (1 - p) / draws)
        if all(abs(p - level) > _MC_Z * error for level in levels):
            break
    p = (hits + 1) / (draws + 1)
    return PermutationP(p, math.sqrt(p * (1 - p) / draws), draws, False), np.concatenate(batches)


def every_labelling(size: int, chosen: int) -> np.ndarray | None:
    """All C(size, chosen) labellings as boolean rows, or None when there are more than EXACT_LIMIT."""
    import itertools

    import numpy as np  # heavy: imported on first use only

    count = math.comb(size, chosen)
    if count > EXACT_LIMIT:
        return None
    picks = np.fromiter(
        itertools.chain.from_iterable(itertools.combinations(range(size), chosen)),
        dtype=np.int16,
        count=count * chosen,
    ).reshape(count, chosen)
    masks = np.zeros((count, size), dtype=bool)
    masks[np.arange(count)[:, None], picks] = True
    return masks


def random_labels(rng: np.random.Generator, count: int, size: int, chosen: int) -> np.ndarray:
    """`count` rows of `size` booleans, each with `chosen` True at random places."""
    import numpy as np  # heavy: imported on first use only

    if chosen <= 0 or chosen >= size:
        return np.full((count, size), chosen >= size)
    keys = rng.random((count, size))
    return keys < np.partition(keys, chosen, axis=1)[:, chosen : chosen + 1]


def _permutation_comparison(x: list[float], y: list[float], confidence: float) -> RankComparison | None:
    """The studentized Brunner-Munzel permutation test; the interval uses the permutation quantile of |T|."""
    import numpy as np  # heavy: imported on first use only

    n1, n2 = len(x), len(y)
    n = n1 + n2
    pooled = np.asarray(x + y)
    order = np.argsort(pooled, kind="stable")
    ordered = pooled[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, n])
    midranks = np.cumsum(sizes) - (sizes - 1) / 2

    def statistics(masks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(|T|, P(X > Y) + 0.5 P(X = Y), its variance) per labelling; masks mark group 1 in sorted order."""
        c1 = masks.astype(float) if len(starts) == n else np.add.reduceat(masks, starts, axis=1, dtype=float)
        c2 = sizes - c1
        z1 = np.cumsum(c2, axis=1) - c2 / 2  # placement of a group-1 value among group 2, ties counting half
        z2 = np.cumsum(c1, axis=1) - c1 / 2
        m1 = np.einsum("ij,ij->i", c1, z1) / n1
        m2 = np.einsum("ij,ij->i", c2, z2) / n2
        s1 = (np.einsum("ij,ij,ij->i", c1, z1, z1) - n1 * m1**2) / (n1 - 1)
        s2 = (np.einsum("ij,ij,ij->i", c2, z2, z2) - n2 * m2**2) / (n2 - 1)
        variance = np.clip(s1 / (n1 * n2**2) + s2 / (n2 * n1**2), 0, None)
        probability = (c1 @ midranks / n1 - (n1 + 1) / 2) / n2
        with np.errstate(all="ignore"):
            t = np.abs(probability - 0.5) / np.sqrt(variance)
        t[np.isnan(t)] = 0.0  # 0 / 0: a labelling with no difference at all
        return t, probability, variance

    t, probability, variance = statistics((order < n1)[None, :])
    observed, estimate, std = float(t[0]), float(probability[0]), math.sqrt(float(variance[0]))
    if not math.isfinite(observed):
        return None
    p_value, drawn = permutation_p_value(
        lambda masks: statistics(masks)[0],
        lambda rng, count: random_labels(rng, count, n, n1),
        observed,
        every_labelling(n, n1),
    )
    critical = float(np.quantile(drawn, confidence, method="higher"))
    spread = critical * std if math.isfinite(critical) else math.inf
    return RankComparison(
        estimate,
        max(0.0, estimate - spread),
        min(1.0, estimate + spread),
        p_value.value,
        "exact_permutation" if p_value.exact else "permutation",
        p_value.error,
    )


def analyze_continuous(
    outcome: str,
    samples: Sequence[ValueSamples],
    *,
    population: int,
    higher_is_better: bool,
    settings: AnalysisSettings,
    labels: Mapping[str, str] | None = None,
) -> ContinuousAnalysis:
    """Every trait value against the rest for one continuous outcome: q-values, recommendations, wording.

    `labels` maps a trait name to its display label ("trait:champion" -> "Champion") and may hold a whole
    subject for one value under "trait=value" ("archetype=Game changer" -> "Game changers").
    """
    labels = labels or {}
    rows = []
    for sample in samples:
        with_values = clean_numbers(sample.with_values)
        without_values = clean_numbers(sample.without_values)
        comparison = None
        if min(len(with_values), len(without_values)) >= settings.min_group:
            comparison = compare_ranks(with_values, without_values, settings.confidence)
        rows.append((sample, with_values, without_values, comparison))
    groups = mirror_groups([(s.trait, len(x), len(y)) for s, x, y, _ in rows])
    twins = first_of_group(groups)
    rows = [(s, x, y, _same_test(c, rows[twin][3])) for (s, x, y, c), twin in zip(rows, twins, strict=True)]
    p_values = [c.p_value if c else None for *_, c in rows]
    q_values = bh_q_values(p_values, groups)
    checked = tests_counted(p_values, groups)
    results = [
        _continuous_result(outcome, s, x, y, c, q, higher_is_better, population, checked, settings, labels)
        for (s, x, y, c), q in zip(rows, q_values, strict=True)
    ]
    return ContinuousAnalysis(
        outcome=outcome,
        population=population,
        higher_is_better=higher_is_better,
        fdr=settings.fdr,
        results=tuple(sort_by_evidence(results, lambda r: (r.p_value, r.q_value))),
    )


def _continuous_result(
    outcome: str,
    sample: ValueSamples,
    with_values: list[float],
    without_values: list[float],
    comparison: RankComparison | None,
    q_value: float | None,
    higher_is_better: bool,
    population: int,
    checked: int,
    settings: AnalysisSettings,
    labels: Mapping[str, str],
) -> ContinuousResult:
    recommendation: Recommendation
    if comparison is None:
        recommendation = "insufficient_data"
    else:
        better_low = comparison.low > 0.5 if higher_is_better else comparison.high < 0.5
        worse_low = comparison.high < 0.5 if higher_is_better else comparison.low > 0.5
        passes = q_value is not None and q_value <= settings.fdr
        # the declared minimum effect: P(X > Y) at least min_probability on the good side (or the mirror)
        tol = 1e-9
        big_enough = abs(comparison.probability - 0.5) >= settings.min_probability - 0.5 - tol
        if passes and better_low and big_enough:
            recommendation = "graduate"
        elif passes and worse_low and big_enough:
            recommendation = "exclude"
        elif passes and (better_low or worse_low):
            recommendation = "promising"  # real, but smaller than the declared minimum effect
        elif comparison.p_value < settings.promising_p:
            recommendation = "promising"
        else:
            recommendation = "no_evidence"
    flags = ("small_sample",) if population < settings.small_sample else ()
    median_with, median_without = median(with_values), median(without_values)
    explanation = _continuous_explanation(
        outcome,
        subject(sample.trait, sample.value, labels),
        recommendation,
        comparison,
        (median_with, median_without),
        (len(with_values), len(without_values)),
        small=bool(flags),
        checked=checked,
        settings=settings,
        all_values=with_values + without_values,
        real=q_value is not None and q_value <= settings.fdr,
    )
    return ContinuousResult(
        trait=sample.trait,
        value=sample.value,
        n_with=len(with_values),
        n_without=len(without_values),
        median_with=median_with,
        median_without=median_without,
        probability_greater=comparison.probability if comparison else None,
        probability_greater_ci=(comparison.low, comparison.high) if comparison else None,
        p_value=comparison.p_value if comparison else None,
        q_value=q_value,
        recommendation=recommendation,
        flags=flags,
        explanation=explanation,
        p_value_method=comparison.method if comparison else None,
        p_value_error=comparison.p_value_error if comparison else None,
    )


def _continuous_explanation(
    outcome: str,
    who: str,
    recommendation: Recommendation,
    comparison: RankComparison | None,
    medians: tuple[float | None, float | None],
    sizes: tuple[int, int],
    *,
    small: bool,
    checked: int,
    settings: AnalysisSettings,
    all_values: list[float],
    real: bool = False,
) -> str:
    phrase = OUTCOME_PHRASES.get(outcome, outcome.replace("_", " "))
    if comparison is None:
        return insufficient_sentence(phrase, sizes, settings.min_group, all_values)
    higher, lower, unit = _CONTINUOUS_WORDING.get(
        outcome, (f"had a higher {phrase}", f"had a lower {phrase}", "")
    )
    unit_with = unit.removesuffix("s") if unit and medians[0] == 1 else unit
    median_text = f"median {number(medians[0])}{unit_with} vs {number(medians[1])} for the rest"
    if comparison.probability == 0.5:
        return f"{who} look the same as the rest on {phrase} ({median_text})."
    verb = higher if comparison.probability > 0.5 else lower
    return f"{who} {verb} ({median_text}){evidence_tail(recommendation, checked, small, real)}"


def _newcombe_score_interval(estimate: float, n_x: int, n_y: int, confidence: float) -> tuple[float, float]:
    """Newcombe (2006, Stat Med 25:559) method 5 for P(X > Y) at 0 or 1, where it stays informative."""
    from scipy.optimize import brentq

    z = two_sided_z(confidence)
    half_n = (n_x + n_y) / 2

    def variance(theta: float) -> float:
        return (
            theta
            * (1 - theta)
            / (n_x * n_y)
            * ((2 * half_n - 1) - (3 * half_n - 3) / ((2 - theta) * (1 + theta)))
        )

    def gap(theta: float) -> float:  # negative inside the interval around 0
        return theta**2 - z**2 * variance(theta)

    bound = float(brentq(gap, 1e-12, 1.0))
    return (0.0, bound) if estimate == 0.0 else (1.0 - bound, 1.0)


# Shared with survival.py: cleaning, ordering, JSON and wording.


def two_sided_z(confidence: float) -> float:
    """The standard normal quantile of a two-sided interval: 1.96 for 0.95."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def clean_numbers(values: Iterable[float | None]) -> list[float]:
    """The finite numbers of `values` as floats; None, NaN and infinities are dropped."""
    cleaned = []
    for value in values:
        if value is None:
            continue
        number_ = float(value)
        if math.isfinite(number_):
            cleaned.append(number_)
    return cleaned


def finite(value: float | None) -> float | None:
    """A plain float, or None for a missing or non-finite number (JSON has no NaN or Infinity)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def interval_json(interval: tuple[float, float] | None) -> list[float | None] | None:
    if interval is None:
        return None
    return [finite(interval[0]), finite(interval[1])]


class ComparedValue(Protocol):
    """What a continuous or time-to-event result has in common: one trait value tested against the rest."""

    @property
    def trait(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def n_with(self) -> int: ...
    @property
    def n_without(self) -> int: ...
    @property
    def p_value(self) -> float | None: ...
    @property
    def q_value(self) -> float | None: ...
    @property
    def recommendation(self) -> Recommendation: ...
    @property
    def flags(self) -> tuple[str, ...]: ...
    @property
    def explanation(self) -> str: ...
    def to_json(self) -> dict[str, Any]: ...


class OutcomeAnalysis(Protocol):
    """A continuous or time-to-event analysis: one outcome, its population, and a result per trait value."""

    @property
    def outcome(self) -> str: ...
    @property
    def population(self) -> int: ...
    @property
    def stratified_by(self) -> str | None: ...
    @property
    def fdr(self) -> float: ...
    @property
    def results(self) -> Sequence[ComparedValue]: ...


def result_json(result: ComparedValue, **specific: Any) -> dict[str, Any]:
    """One result of the analysis document (docs/api.md): its keys in order (null where there is no
    such number), then `specific`, the outcome's own keys, in the order given."""
    data: dict[str, Any] = dict.fromkeys(CONTRACT_RESULT_KEYS)
    data.update(
        trait=result.trait,
        value=result.value,
        n_with=result.n_with,
        n_without=result.n_without,
        p_value=finite(result.p_value),
        q_value=finite(result.q_value),
        recommendation=result.recommendation,
        flags=list(result.flags),
        explanation=result.explanation,
    )
    data.update(specific)
    return data


def analysis_json(analysis: OutcomeAnalysis) -> dict[str, Any]:
    """The analysis document (docs/api.md); `positives` is null (the outcome is not yes/no)."""
    return {
        "outcome": analysis.outcome,
        "population": analysis.population,
        "positives": None,
        "stratified_by": analysis.stratified_by,
        "fdr": analysis.fdr,
        "results": [result.to_json() for result in analysis.results],
    }


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def sort_by_evidence(
    results: Iterable[R], evidence: Callable[[R], tuple[float | None, float | None]]
) -> list[R]:
    """Strongest evidence first: q, then p, then trait and value; results without a test come last."""

    def key(result: Any) -> tuple[bool, float, float, str, str]:
        p, q = evidence(result)
        return (
            p is None,
            math.inf if q is None else q,
            math.inf if p is None else p,
            result.trait,
            result.value,
        )

    return sorted(results, key=key)


_TRUE_WORDS = {"yes", "true", "1", "y"}
_FALSE_WORDS = {"no", "false", "0", "n"}


def subject(trait: str, value: str, labels: Mapping[str, str]) -> str:
    """Who a sentence is about: "Game changers", "Accounts from the Referral channel", "Accounts with x"."""
    if f"{trait}={value}" in labels:
        return labels[f"{trait}={value}"]
    if trait == "archetype":
        return value if value.endswith("s") else f"{value}s"
    if trait == "acquisition_channel":
        return f"Accounts from the {value} channel"
    if trait in {"industry", "region", "country"}:
        return f"Accounts in {value}"
    if trait == "size_band":
        return f"Accounts with {value} employees"
    label = labels.get(trait) or trait.removeprefix("trait:").replace("_", " ")
    if value.casefold() in _TRUE_WORDS:
        return f"Accounts with {label.lower()}"
    if value.casefold() in _FALSE_WORDS:
        return f"Accounts without {label.lower()}"
    return f"Accounts with {label.lower()} {value}"


def number(value: float | None) -> str:
    if value is None:
        return "unknown"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.0f}" if value == round(value) else f"{value:.1f}"


def evidence_tail(recommendation: Recommendation, checked: int, small: bool, real: bool = False) -> str:
    """How sure we are, in words, ending the sentence; `real`: promising only for want of a large effect."""
    values = f"{checked} value{'s' if checked != 1 else ''}"
    if recommendation in {"graduate", "exclude"}:
        return f"; with {values} checked, this is unlikely to be luck."
    if recommendation == "promising" and real:
        return (
            f"; with {values} checked it looks real, but smaller than the minimum effect declared in the "
            "analysis settings."
        )
    if recommendation == "promising":
        return f", but with {values} checked this could still be luck; more accounts would settle it."
    if small:
        return ", but the sample is too small to be sure."
    return ", a difference that could well be luck."


def insufficient_sentence(
    phrase: str, sizes: tuple[int, int], min_group: int, all_values: list[float]
) -> str:
    n_with, n_without = sizes
    if min(n_with, n_without) < max(min_group, 2):
        return (
            f"Too few accounts to compare {phrase}: {n_with} with this value and {n_without} without "
            f"(at least {max(min_group, 2)} of each are needed)."
        )
    if len(set(all_values)) < 2:
        return (
            f"Every account has the same {phrase} ({number(all_values[0])}), so there is nothing to compare."
        )
    return f"The {phrase} of these accounts could not be compared."
