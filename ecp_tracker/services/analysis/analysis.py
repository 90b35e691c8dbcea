"""Run the evidence engine: read the outcome's population, test every trait value, cache by data version."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecp_tracker.analysis.binary import BinaryAnalysis, analyze_binary, model_candidate
from ecp_tracker.analysis.continuous import ContinuousAnalysis, analyze_continuous
from ecp_tracker.analysis.multivariable import firth_check
from ecp_tracker.analysis.settings import AnalysisSettings
from ecp_tracker.analysis.survival import SurvivalAnalysis, analyze_time_to_event
from ecp_tracker.analysis.trend import Trend, trend_test
from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import ValidationError
from ecp_tracker.models import Account, AuditEvent
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.accounts.vocabulary import TraitInfo, trait_catalogue
from ecp_tracker.services.analysis.outcomes import DECIDED, OUTCOMES, Outcome, OutcomeKind
from ecp_tracker.services.analysis.population import (
    Population,
    binary_counts,
    churn_durations,
    continuous_samples,
    model_patterns,
    number_rows,
    number_value_counts,
    population,
)
from ecp_tracker.services.shared import settings as stored_settings

DEFAULT_STRATIFY_BY = "acquisition_channel"
SETTING_DEFAULTS: dict[str, Any] = {
    "analysis.fdr": AnalysisSettings.fdr,
    "analysis.min_lift": AnalysisSettings.min_lift,
    "analysis.min_group": AnalysisSettings.min_group,
    "analysis.min_probability": AnalysisSettings.min_probability,
    "analysis.min_hazard_ratio": AnalysisSettings.min_hazard_ratio,
    "analysis.traits": [],
}

Analysis = BinaryAnalysis | ContinuousAnalysis | SurvivalAnalysis


# --- settings ----------------------------------------------------------------------------------------------


def load_settings(session: Session) -> AnalysisSettings:
    values = stored_settings.load(session, SETTING_DEFAULTS)
    return AnalysisSettings(
        fdr=float(values["analysis.fdr"]),
        min_lift=float(values["analysis.min_lift"]),
        min_group=int(values["analysis.min_group"]),
        min_probability=float(values["analysis.min_probability"]),
        min_hazard_ratio=float(values["analysis.min_hazard_ratio"]),
        traits=tuple(values["analysis.traits"]),
    )


def save_settings(
    session: Session,
    actor: Actor,
    *,
    fdr: float,
    min_lift: float,
    min_group: int,
    traits: list[str],
    min_probability: float = AnalysisSettings.min_probability,
    min_hazard_ratio: float = AnalysisSettings.min_hazard_ratio,
) -> AnalysisSettings:
    """Validate and store the analysis settings (min_lift as a fraction: 0.15 is 15 points; min_probability
    the P(X > Y) a continuous outcome needs; min_hazard_ratio how much faster or slower churn must be)."""
    if not 0 < fdr < 0.5:
        raise ValidationError("Use a false-discovery rate between 0 and 0.5, such as 0.10.", field="fdr")
    if not 0 < min_lift < 1:
        raise ValidationError("Use a minimum lift between 1 and 99 percentage points.", field="min_lift")
    if not 0.5 < min_probability < 1:
        raise ValidationError(
            "Use a minimum share of favourable pairs between 51% and 99%.", field="min_probability"
        )
    if not 1 < min_hazard_ratio <= 10:
        raise ValidationError("Use a minimum hazard ratio above 1 and at most 10.", field="min_hazard_ratio")
    if not 2 <= min_group <= 1000:
        raise ValidationError("Use a minimum group size between 2 and 1000.", field="min_group")
    known = {t.name for t in trait_catalogue(session)}
    unknown = sorted(set(traits) - known)
    if unknown:
        raise ValidationError(f"Unknown trait(s): {', '.join(unknown)}.", field="traits")
    stored_settings.store(
        session,
        actor,
        {
            "analysis.fdr": fdr,
            "analysis.min_lift": min_lift,
            "analysis.min_group": min_group,
            "analysis.min_probability": min_probability,
            "analysis.min_hazard_ratio": min_hazard_ratio,
            "analysis.traits": sorted(traits),
        },
    )
    return load_settings(session)


# --- the cache ---------------------------------------------------------------------------------------------


class AnalysisCache:
    """Recent results keyed by their inputs and the data version; one per app, shared by its threads."""

    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = compute()  # outside the lock: a slow analysis must not block cached reads
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def data_version(session: Session) -> tuple[int, int]:
    """Every write leaves an audit event, so (newest id, number of events) changes whenever the data does.

    The count matters on PostgreSQL: ids come from a sequence when a row is inserted, so a transaction that
    took a lower id can commit after one with a higher id; the newest id alone would then not move.
    """
    newest, count = session.execute(select(func.max(AuditEvent.id), func.count(AuditEvent.id))).one()
    return int(newest or 0), int(count)


# --- running ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    outcome: Outcome
    stratify_by: TraitInfo | None
    settings: AnalysisSettings
    traits: tuple[TraitInfo, ...]  # the traits tested
    analysis: Analysis
    decided: int  # accounts whose conversion is decided: below settings.small_sample, call nothing an ICP
    data_version: tuple[int, int]
    today: date

    def to_json(self) -> dict[str, Any]:
        return self.analysis.to_json()

    def label_of(self, trait: str) -> str:
        return next((t.label for t in self.traits if t.name == trait), trait)

    def result(self, trait: str, value: str) -> Any | None:
        return next((r for r in self.analysis.results if r.trait == trait and r.value == value), None)


def outcome_named(name: str) -> Outcome:
    outcome = OUTCOMES.get(name)
    if outcome is None:
        raise ValidationError(f"Unknown outcome {name!r}; use one of {', '.join(OUTCOMES)}.", field="outcome")
    return outcome


def stratifiable_traits(session: Session) -> list[TraitInfo]:
    return [t for t in trait_catalogue(session) if t.can_stratify]


def default_stratify_by(session: Session) -> str | None:
    """Acquisition channel, when any decided account has one recorded."""
    recorded = session.scalar(
        select(Account.id)
        .where(Account.archived_at.is_(None), Account.stage.in_(DECIDED))
        .where(Account.acquisition_channel.is_not(None))
        .limit(1)
    )
    return DEFAULT_STRATIFY_BY if recorded is not None else None


def run(
    session: Session,
    outcome_name: str,
    *,
    stratify_by: str | None = None,
    fdr: float | None = None,
    cache: AnalysisCache | None = None,
    today: date | None = None,
) -> Report:
    """The analysis of one outcome, from the cache when nothing changed since it was computed."""
    outcome = outcome_named(outcome_name)
    settings = load_settings(session)
    if fdr is not None:
        if not 0 < fdr < 1:
            raise ValidationError("fdr must lie between 0 and 1 (exclusive), such as 0.1.", field="fdr")
        settings = replace(settings, fdr=fdr)
    catalogue = trait_catalogue(session)
    stratum = None
    if stratify_by:
        if outcome.kind is OutcomeKind.CONTINUOUS:
            raise ValidationError(
                f"{outcome.label} is compared without adjustment; leave stratify_by empty.",
                field="stratify_by",
            )
        stratum = next((t for t in catalogue if t.name == stratify_by and t.can_stratify), None)
        if stratum is None:
            choices = ", ".join(t.name for t in catalogue if t.can_stratify)
            raise ValidationError(
                f"Cannot adjust for {stratify_by!r}; use one of {choices}.", field="stratify_by"
            )
    tested = tuple(
        t
        for t in catalogue
        if (not settings.traits or t.name in settings.traits) and (stratum is None or t.name != stratum.name)
    )
    today = today or utcnow().date()
    version = data_version(session)
    key = (outcome.name, stratum and stratum.name, settings, tested, version, today)

    def compute() -> Report:
        return Report(
            outcome=outcome,
            stratify_by=stratum,
            settings=settings,
            traits=tested,
            analysis=_analyze(session, outcome, stratum, tested, settings, today),
            decided=_decided(session),
            data_version=version,
            today=today,
        )

    return cache.get_or_compute(key, compute) if cache is not None else compute()


def _decided(session: Session) -> int:
    return int(
        session.scalar(select(func.count()).where(Account.archived_at.is_(None), Account.stage.in_(DECIDED)))
        or 0
    )


def _analyze(
    session: Session,
    outcome: Outcome,
    stratum: TraitInfo | None,
    traits: tuple[TraitInfo, ...],
    settings: AnalysisSettings,
    today: date,
) -> Analysis:
    labels = {t.name: t.label for t in traits}
    pop = population(session, outcome, stratum)
    if outcome.kind is OutcomeKind.BINARY:
        numbers = number_rows(session, pop, traits)  # read once: the bands and the trend test share them
        total, positives, counts = binary_counts(session, pop, traits, numbers=numbers)
        analysis = analyze_binary(
            outcome.name,
            counts,
            population=total,
            positives=positives,
            stratified_by=stratum.name if stratum else None,
            settings=settings,
            labels=labels,
            higher_is_better=outcome.higher_is_better,
        )
        analysis = replace(analysis, trends=_trends(numbers))
        return _with_model_check(session, pop, analysis, traits, stratum, settings)
    if outcome.kind is OutcomeKind.CONTINUOUS:
        population_size, samples = continuous_samples(session, outcome.name, pop, traits)
        return analyze_continuous(
            outcome.name,
            samples,
            population=population_size,
            higher_is_better=outcome.higher_is_better,
            settings=settings,
            labels=labels,
        )
    population_size, durations = churn_durations(session, pop, traits, today)
    return analyze_time_to_event(
        outcome.name,
        durations,
        population=population_size,
        stratified_by=stratum.name if stratum else None,
        settings=settings,
        labels=labels,
    )


def _trends(numbers: Mapping[str, list[tuple[Decimal, str, int, int]]]) -> tuple[Trend, ...]:
    """The trend test of each number trait taking part (crude: over every stratum)."""
    counted = number_value_counts(numbers)
    return tuple(trend_test(name, counted[name]) for name in sorted(counted))


def _with_model_check(
    session: Session,
    pop: Population,
    analysis: BinaryAnalysis,
    traits: tuple[TraitInfo, ...],
    stratum: TraitInfo | None,
    settings: AnalysisSettings,
) -> BinaryAnalysis:
    """The binary analysis with the multivariable check of its candidates (none: left as it is)."""
    chosen = analysis.model_candidates()
    if not chosen:
        return analysis
    by_name = {t.name: t for t in traits}
    patterns, modelled = model_patterns(session, pop, [(by_name[r.trait], r.value) for r in chosen])
    check = firth_check(
        [model_candidate(r, stratum is not None) for r in chosen],
        patterns,
        adjusted_for=stratum.name if stratum else None,
        confidence=settings.confidence,
        modelled=modelled,
    )
    return analysis.with_model(check)
