"""The themes page: how many accounts (and findings) raised each theme, per finding kind, broken down by
outcome (converted, not converted, still open), by archetype and by the DMU role of the person interviewed,
beside how many accounts of each group were interviewed at all.

Counts are aggregated in SQL: eight statements whatever the number of interviews. Only current records
count: archived findings, archived interviews and archived accounts are left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.accounts import DmuRole
from ecp_tracker.domain.errors import InvalidFields
from ecp_tracker.domain.interviews import FindingKind, InterviewKind, Outcome, outcome_of_stage
from ecp_tracker.models import Account, Archetype, Contact, Interview, InterviewFinding, account_archetypes

NO_ARCHETYPE = "No archetype"
NO_CONTACT = "No contact recorded"


@dataclass(frozen=True)
class ThemeFilters:
    finding_kind: tuple[str, ...] = ()
    interview_kind: tuple[str, ...] = ()

    @classmethod
    def from_query(cls, query: Mapping[str, Sequence[str]]) -> ThemeFilters:
        def values(name: str) -> tuple[str, ...]:
            return tuple(v.strip() for v in query.get(name, []) if v and v.strip())

        problems: list[tuple[str, str]] = []
        for name, enum in (("finding_kind", FindingKind), ("interview_kind", InterviewKind)):
            for value in values(name):
                if value not in {k.value for k in enum}:
                    allowed = ", ".join(k.value for k in enum)
                    problems.append((name, f"Unknown {name.replace('_', ' ')} {value!r}; use {allowed}."))
        if problems:
            raise InvalidFields(problems)
        return cls(finding_kind=values("finding_kind"), interview_kind=values("interview_kind"))

    def to_query(self) -> dict[str, list[str]]:
        query: dict[str, list[str]] = {}
        if self.finding_kind:
            query["finding_kind"] = list(self.finding_kind)
        if self.interview_kind:
            query["interview_kind"] = list(self.interview_kind)
        return query


@dataclass(frozen=True)
class Tally:
    """Distinct accounts and findings behind one count."""

    accounts: int = 0
    findings: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.accounts + other.accounts, self.findings + other.findings)


ZERO = Tally()


def _by_outcome() -> dict[Outcome, Tally]:
    return dict.fromkeys(Outcome, ZERO)


@dataclass
class ThemeRow:
    """One theme of one finding kind. Accounts are counted once per group however often they raised it."""

    kind: FindingKind
    key: str  # the lower-cased theme the counts are grouped by
    theme: str  # shown in the spelling it was first recorded with
    interviews: int = 0
    by_outcome: dict[Outcome, Tally] = field(default_factory=_by_outcome)
    by_archetype: dict[int | None, dict[Outcome, Tally]] = field(default_factory=dict)
    by_role: dict[str | None, Tally] = field(default_factory=dict)

    @property
    def total(self) -> Tally:
        return sum(self.by_outcome.values(), ZERO)

    def archetype_total(self, archetype_id: int | None) -> Tally:
        return sum(self.by_archetype.get(archetype_id, {}).values(), ZERO)

    def archetype_outcome(self, archetype_id: int | None, outcome: Outcome | str) -> Tally:
        return self.by_archetype.get(archetype_id, {}).get(Outcome(outcome), ZERO)


@dataclass(frozen=True)
class Population:
    """How many accounts were interviewed (in the interview kinds chosen), per group: the denominators."""

    by_outcome: Mapping[Outcome, int]
    by_archetype: Mapping[int | None, Mapping[Outcome, int]]
    by_role: Mapping[str | None, int]

    @property
    def total(self) -> int:
        return sum(self.by_outcome.values())

    def archetype_total(self, archetype_id: int | None) -> int:
        return sum(self.by_archetype.get(archetype_id, {}).values())


@dataclass(frozen=True)
class Share:
    accounts: int
    interviewed: int

    @property
    def value(self) -> float | None:
        return self.accounts / self.interviewed if self.interviewed else None


@dataclass(frozen=True)
class ThemeReport:
    filters: ThemeFilters
    rows: list[ThemeRow]
    population: Population
    archetypes: list[tuple[int | None, str]]  # the archetype columns: those with interviewed accounts
    roles: list[tuple[str | None, str]]  # the DMU role columns: those interviewed

    def share(self, row: ThemeRow, outcome: Outcome) -> Share:
        """Of the accounts interviewed with this outcome, how many raised the theme."""
        return Share(row.by_outcome[outcome].accounts, self.population.by_outcome.get(outcome, 0))

    def difference(self, row: ThemeRow) -> float | None:
        """Converted share minus not-converted share (in points of 1), when both groups were interviewed."""
        converted = self.share(row, Outcome.CONVERTED).value
        not_converted = self.share(row, Outcome.NOT_CONVERTED).value
        if converted is None or not_converted is None:
            return None
        return converted - not_converted

    @property
    def finding_count(self) -> int:
        return sum(row.total.findings for row in self.rows)


# --- SQL -------------------------------------------------------------------------------------------------

_KEY = func.lower(InterviewFinding.theme)


def _current_interviews(filters: ThemeFilters) -> list:
    conditions = [Interview.archived_at.is_(None), Account.archived_at.is_(None)]
    if filters.interview_kind:
        conditions.append(Interview.kind.in_(filters.interview_kind))
    return conditions


def _findings(filters: ThemeFilters, *columns) -> Select:
    conditions = [InterviewFinding.archived_at.is_(None), *_current_interviews(filters)]
    if filters.finding_kind:
        conditions.append(InterviewFinding.kind.in_(filters.finding_kind))
    return (
        select(*columns)
        .select_from(InterviewFinding)
        .join(Interview, Interview.id == InterviewFinding.interview_id)
        .join(Account, Account.id == Interview.account_id)
        .where(and_(*conditions))
    )


def _interviewed(filters: ThemeFilters, *columns) -> Select:
    return (
        select(*columns)
        .select_from(Interview)
        .join(Account, Account.id == Interview.account_id)
        .where(and_(*_current_interviews(filters)))
    )


def _with_archetype(stmt: Select) -> Select:
    return stmt.outerjoin(account_archetypes, account_archetypes.c.account_id == Account.id)


def _with_contact(stmt: Select) -> Select:
    return stmt.outerjoin(Contact, Contact.id == Interview.contact_id)


def theme_report(session: Session, filters: ThemeFilters | None = None) -> ThemeReport:
    """Theme counts by outcome, archetype and DMU role, with the interviewed accounts per group."""
    filters = filters or ThemeFilters()
    accounts = func.count(Account.id.distinct())
    findings = func.count(InterviewFinding.id.distinct())
    kind, stage = InterviewFinding.kind, Account.stage
    archetype_id, role = account_archetypes.c.archetype_id, Contact.dmu_role

    rows: dict[tuple[str, str], ThemeRow] = {}

    def row_for(finding_kind: str, key: str) -> ThemeRow:
        if (finding_kind, key) not in rows:
            rows[finding_kind, key] = ThemeRow(kind=FindingKind(finding_kind), key=key, theme=key)
        return rows[finding_kind, key]

    overall = _findings(filters, kind, _KEY, stage, accounts, findings, func.count(Interview.id.distinct()))
    for finding_kind, key, account_stage, n_accounts, n_findings, n_interviews in session.execute(
        overall.group_by(kind, _KEY, stage)
    ):
        row = row_for(finding_kind, key)
        outcome = outcome_of_stage(account_stage)
        row.by_outcome[outcome] += Tally(n_accounts, n_findings)
        row.interviews += n_interviews  # an interview has one account, so one stage: the sum is exact

    per_archetype = _with_archetype(_findings(filters, kind, _KEY, archetype_id, stage, accounts, findings))
    for finding_kind, key, archetype, account_stage, n_accounts, n_findings in session.execute(
        per_archetype.group_by(kind, _KEY, archetype_id, stage)
    ):
        cell = row_for(finding_kind, key).by_archetype.setdefault(archetype, _by_outcome())
        cell[outcome_of_stage(account_stage)] += Tally(n_accounts, n_findings)

    per_role = _with_contact(_findings(filters, kind, _KEY, role, accounts, findings))
    for finding_kind, key, dmu_role, n_accounts, n_findings in session.execute(
        per_role.group_by(kind, _KEY, role)
    ):
        row_for(finding_kind, key).by_role[dmu_role] = Tally(n_accounts, n_findings)

    # the spelling a theme was first recorded with, archived findings included (as the services store it)
    first: dict[str, tuple[int, str]] = {}
    for key, spelling, first_id in session.execute(
        select(_KEY, InterviewFinding.theme, func.min(InterviewFinding.id)).group_by(InterviewFinding.theme)
    ):
        if key not in first or first_id < first[key][0]:
            first[key] = (first_id, spelling)
    for row in rows.values():
        row.theme = first.get(row.key, (0, row.key))[1]

    population = _population(session, filters)
    names = dict(session.execute(select(Archetype.id, Archetype.name)).all())
    archetypes = sorted(
        ((a, names.get(a, NO_ARCHETYPE) if a is not None else NO_ARCHETYPE) for a in population.by_archetype),
        key=lambda pair: (pair[0] is None, pair[1].casefold()),
    )
    role_order = [r.value for r in DmuRole]
    roles = sorted(
        ((r, DmuRole(r).label if r in role_order else NO_CONTACT) for r in population.by_role),
        key=lambda pair: role_order.index(pair[0]) if pair[0] in role_order else len(role_order),
    )
    kind_order = [k.value for k in FindingKind]
    ordered = sorted(
        rows.values(),
        key=lambda r: (
            -r.total.accounts,
            -r.by_outcome[Outcome.CONVERTED].accounts,
            kind_order.index(r.kind.value),
            r.key,
        ),
    )
    return ThemeReport(filters, ordered, population, archetypes, roles)


def _population(session: Session, filters: ThemeFilters) -> Population:
    accounts = func.count(Account.id.distinct())
    by_outcome = dict.fromkeys(Outcome, 0)
    for stage, n in session.execute(_interviewed(filters, Account.stage, accounts).group_by(Account.stage)):
        by_outcome[outcome_of_stage(stage)] += n
    by_archetype: dict[int | None, dict[Outcome, int]] = {}
    archetype_id = account_archetypes.c.archetype_id
    stmt = _with_archetype(_interviewed(filters, archetype_id, Account.stage, accounts))
    for archetype, stage, n in session.execute(stmt.group_by(archetype_id, Account.stage)):
        cell = by_archetype.setdefault(archetype, dict.fromkeys(Outcome, 0))
        cell[outcome_of_stage(stage)] += n
    stmt = _with_contact(_interviewed(filters, Contact.dmu_role, accounts))
    by_role = {role: n for role, n in session.execute(stmt.group_by(Contact.dmu_role))}
    return Population(by_outcome=by_outcome, by_archetype=by_archetype, by_role=by_role)
