"""The multivariable check of the candidates: one Firth-penalised logistic model over all of them at once.

Screening tests each trait value on its own, so three correlated traits (funding stage, CRM, channel) can all
look strong for one underlying reason. The check fits one logistic model of the outcome on every candidate's
indicator (has the value: 1, has another value of that trait: 0) plus the adjustment variable's strata, and
reports each candidate's adjusted odds ratio with its profile penalised-likelihood interval. Firth's
penalty (Firth, 1993; Heinze & Schemper, 2002) keeps estimates finite when a value separates the outcome
(every account with it converted), which small early samples often do. The fit is firthmodels'
FirthLogisticRegression, which matches R's logistf.

The model is fitted on distinct covariate patterns with frequency weights (one row per pattern and outcome):
the penalised likelihood and its Fisher information are sums over accounts, so this is the same model as one
row per account, at a fraction of the cost. Only accounts whose every candidate trait is known take part.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

METHOD = "firth_logistic"


class ModelStatus(StrEnum):
    """What the model says of a candidate (the JSON field ``status``)."""

    HOLDS = "holds"  # the interval excludes 1 on the screening's side: the effect survives the others
    VANISHES = "vanishes"  # the interval covers 1: the other candidates or the adjustment explain it
    REVERSES = "reverses"  # the interval excludes 1 on the other side
    ALIASED = "aliased"  # the value coincides with others in the model (or the strata): no separate estimate
    NOT_IN_MODEL = "not_in_model"  # a number band: its indicator is not built for the model


@dataclass(frozen=True)
class Candidate:
    trait: str
    value: str
    direction: int  # +1 when screening found the outcome more common with the value, -1 less common


@dataclass(frozen=True)
class Pattern:
    """Accounts sharing one combination of indicators (None: that trait unknown) and stratum."""

    indicators: tuple[int | None, ...]
    stratum: str
    n: int
    positives: int


@dataclass(frozen=True)
class AdjustedEffect:
    status: ModelStatus
    odds_ratio: float | None = None
    low: float | None = None  # profile penalised-likelihood interval; None where not found
    high: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "status": str(self.status),
            "odds_ratio": _number(self.odds_ratio),
            "odds_ratio_ci": None
            if self.low is None and self.high is None
            else [_number(self.low), _number(self.high)],
        }


@dataclass(frozen=True)
class ModelCheck:
    candidates: tuple[Candidate, ...]
    effects: tuple[AdjustedEffect, ...]  # one per candidate, same order
    adjusted_for: str | None
    accounts: int  # complete cases: every candidate trait known
    fitted: bool
    note: str | None = None  # why it was not fitted

    def to_json(self) -> dict[str, Any]:
        return {
            "method": METHOD,
            "terms": [{"trait": c.trait, "value": c.value} for c in self.candidates],
            "adjusted_for": self.adjusted_for,
            "accounts": self.accounts,
            "fitted": self.fitted,
            "note": self.note,
        }

    def effect_of(self, trait: str, value: str) -> AdjustedEffect | None:
        for candidate, effect in zip(self.candidates, self.effects, strict=True):
            if candidate.trait == trait and candidate.value == value:
                return effect
        return None


def firth_check(
    candidates: Sequence[Candidate],
    patterns: Sequence[Pattern],
    *,
    adjusted_for: str | None,
    confidence: float = 0.95,
    modelled: Sequence[bool] | None = None,
) -> ModelCheck:
    """Fit the model over the strata and the candidates whose indicator was built (``modelled``: all)."""
    candidates = tuple(candidates)
    modelled = list(modelled) if modelled is not None else [True] * len(candidates)
    inside = [i for i, m in enumerate(modelled) if m]
    complete = [p for p in patterns if p.n > 0 and all(p.indicators[i] is not None for i in inside)]
    accounts = sum(p.n for p in complete)
    positives = sum(p.positives for p in complete)

    def unfitted(note: str) -> ModelCheck:
        effects = tuple(
            AdjustedEffect(ModelStatus.NOT_IN_MODEL if not m else ModelStatus.ALIASED) for m in modelled
        )
        return ModelCheck(candidates, effects, adjusted_for, accounts, False, note)

    if not inside:
        return unfitted("no candidate could be put in the model")
    if positives == 0 or positives == accounts:
        return unfitted("every account in the model has the same outcome")

    import numpy as np

    strata = sorted(
        {p.stratum for p in complete}, key=lambda s: (-sum(p.n for p in complete if p.stratum == s), s)
    )
    others = strata[1:]  # the largest stratum is the reference
    base = np.array(
        [[1.0] + [1.0 if p.stratum == s else 0.0 for s in others] for p in complete], dtype=float
    ).reshape(len(complete), 1 + len(others))
    columns = {i: np.array([float(p.indicators[i]) for p in complete]) for i in inside}

    # keep a candidate only when it adds something the intercept, strata and earlier candidates do not carry
    kept: list[int] = []
    design = base
    rank = np.linalg.matrix_rank(design)
    aliased: dict[int, int | None] = {}  # candidate -> the kept mirror it is the complement of, or None
    for i in inside:
        trial = np.column_stack([design, columns[i]])
        trial_rank = np.linalg.matrix_rank(trial)
        if trial_rank > rank:
            kept.append(i)
            design, rank = trial, trial_rank
        else:
            mirror = next(
                (
                    j
                    for j in kept
                    if candidates[j].trait == candidates[i].trait and np.all(columns[j] + columns[i] == 1)
                ),
                None,
            )
            aliased[i] = mirror
    if not kept:
        return unfitted("the candidates coincide with the adjustment variable")

    x = design[:, 1:]  # the library adds the intercept
    ys = np.concatenate([np.ones(len(complete)), np.zeros(len(complete))])
    weights = np.array([p.positives for p in complete] + [p.n - p.positives for p in complete], dtype=float)
    rows = weights > 0
    x_rows = np.vstack([x, x])[rows]
    first = len(others)  # candidate columns follow the strata columns
    fit = fit_firth(x_rows, ys[rows], weights[rows], range(first, first + len(kept)), confidence)
    if fit is None:
        return unfitted("the fit did not converge")
    estimates: dict[int, tuple[float, float | None, float | None]] = {}
    for position, i in enumerate(kept):
        coef, low, high = fit[position]
        estimates[i] = (
            coef,
            math.exp(low) if math.isfinite(low) else None,
            math.exp(high) if math.isfinite(high) else None,
        )

    effects = []
    for i, candidate in enumerate(candidates):
        if not modelled[i]:
            effects.append(AdjustedEffect(ModelStatus.NOT_IN_MODEL))
        elif i in estimates:
            coef, low, high = estimates[i]
            effects.append(_effect(candidate, math.exp(coef), low, high))
        elif aliased.get(i) is not None:  # the complement of a kept value: the reciprocal odds ratio
            coef, low, high = estimates[aliased[i]]
            effects.append(
                _effect(
                    candidate,
                    math.exp(-coef),
                    None if high is None else 1 / high,
                    None if low is None else 1 / low,
                )
            )
        else:
            effects.append(AdjustedEffect(ModelStatus.ALIASED))
    return ModelCheck(candidates, tuple(effects), adjusted_for, accounts, True)


def fit_firth(
    x: Any, y: Any, weights: Any, features: Sequence[int], confidence: float = 0.95
) -> list[tuple[float, float, float]] | None:
    """(coefficient, profile lower, profile upper) on the log-odds scale for each feature column of `x` (an
    intercept is added), or None when the fit fails or does not converge. A bound the profile does not reach
    is NaN."""
    import numpy as np
    from firthmodels import FirthLogisticRegression

    features = list(features)
    try:
        model = FirthLogisticRegression(backend="numpy", max_iter=100)
        model.fit(x, y, sample_weight=weights)
        if not model.converged_:
            return None
        intervals = model.conf_int(alpha=1 - confidence, method="pl", features=features)
    # under filterwarnings = error a convergence warning arrives as an exception; otherwise the checks below
    except (Warning, ValueError, ArithmeticError, np.linalg.LinAlgError):
        return None
    return [(float(model.coef_[j]), float(intervals[j][0]), float(intervals[j][1])) for j in features]


def _effect(candidate: Candidate, odds_ratio: float, low: float | None, high: float | None) -> AdjustedEffect:
    """A bound the profile did not reach counts as open on that side (0 or infinity)."""
    lower = low if low is not None else 0.0
    upper = high if high is not None else math.inf
    if lower <= 1 <= upper:
        status = ModelStatus.VANISHES
    elif (lower > 1) == (candidate.direction > 0):
        status = ModelStatus.HOLDS
    else:
        status = ModelStatus.REVERSES
    return AdjustedEffect(status, odds_ratio, low, high)


def _number(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None
