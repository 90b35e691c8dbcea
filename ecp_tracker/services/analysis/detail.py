"""What the page of one trait value shows beyond the results row: its tables, its groups' numbers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ecp_tracker.analysis.counts import StratumCounts
from ecp_tracker.analysis.proportions import Rate, wilson_rate
from ecp_tracker.analysis.survival import ValueDurations
from ecp_tracker.domain.errors import NotFound
from ecp_tracker.services.analysis.analysis import Report
from ecp_tracker.services.analysis.outcomes import OutcomeKind
from ecp_tracker.services.analysis.population import churn_durations, continuous_samples, population


@dataclass(frozen=True)
class GroupRates:
    label: str  # the stratum ("" for all accounts)
    counts: StratumCounts
    rate_with: Rate | None
    rate_without: Rate | None


def _rates(label: str, counts: StratumCounts) -> GroupRates:
    return GroupRates(
        label,
        counts,
        wilson_rate(counts.with_pos, counts.with_n),
        wilson_rate(counts.without_pos, counts.without_n),
    )


@dataclass(frozen=True)
class ValueDetail:
    trait: str
    value: str
    label: str  # the trait's label
    kind: OutcomeKind
    crude: GroupRates | None = None  # binary: all strata summed
    strata: tuple[GroupRates, ...] = ()  # binary, stratified: one per stratum
    with_values: tuple[float, ...] = ()  # continuous
    without_values: tuple[float, ...] = ()
    durations: ValueDurations | None = None  # time to event


def value_detail(session: Session, report: Report, trait: str, value: str) -> ValueDetail:
    info = next((t for t in report.traits if t.name == trait), None)
    if info is None:
        raise NotFound(f"The trait {trait!r} is not part of this analysis.")
    base = {"trait": trait, "value": value, "label": info.label, "kind": report.outcome.kind}
    if report.outcome.kind is OutcomeKind.BINARY:
        # the engine kept every table it tested: read them from the (cached) result, no second count
        result = report.result(trait, value)
        if result is None:
            raise NotFound(f"No account in this analysis has {info.label} {value!r}.")
        crude = GroupRates("", result.crude, result.interval_with, result.interval_without)
        strata = tuple(_rates(s.label, s.counts) for s in result.strata) if report.stratify_by else ()
        return ValueDetail(**base, crude=crude, strata=strata)
    pop = population(session, report.outcome, report.stratify_by)
    if report.outcome.kind is OutcomeKind.CONTINUOUS:
        _, samples = continuous_samples(session, report.outcome.name, pop, [info])
        found_sample = next((s for s in samples if s.value == value), None)
        if found_sample is None:
            raise NotFound(f"No account in this analysis has {info.label} {value!r}.")
        return ValueDetail(
            **base,
            with_values=tuple(found_sample.with_values),
            without_values=tuple(found_sample.without_values),
        )
    _, durations = churn_durations(session, pop, [info], report.today)
    found_durations = next((d for d in durations if d.value == value), None)
    if found_durations is None:
        raise NotFound(f"No account in this analysis has {info.label} {value!r}.")
    return ValueDetail(**base, durations=found_durations)
