"""What the analysis reads: an outcome's population and its trait values, counted in SQL where counts suffice.

A binary outcome needs only counts: per trait value and stratum, how many accounts have the value and how many
of them are positive, and the same for every account whose value of that trait is known. Those come from a
constant number of GROUP BY statements whatever the number of accounts. Continuous and time-to-event outcomes
need each account's number, so they read one row per account of their (smaller) population.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from ecp_tracker.analysis.continuous import ValueSamples
from ecp_tracker.analysis.counts import (
    NOT_RECORDED,
    NOT_RECORDED_TEXTS,
    StratumCounts,
    ValueCounts,
    is_recorded,
)
from ecp_tracker.analysis.multivariable import Pattern
from ecp_tracker.analysis.survival import ValueDurations
from ecp_tracker.domain.accounts import REVENUE_BANDS, SIZE_BANDS, TraitKind
from ecp_tracker.domain.discounts import DISCOUNT_BANDS
from ecp_tracker.domain.numbers import parse_decimal
from ecp_tracker.models import (
    Account,
    AccountTrait,
    Archetype,
    Discount,
    Pilot,
    account_archetypes,
)
from ecp_tracker.services.accounts.vocabulary import COLUMN_TRAITS, TraitInfo
from ecp_tracker.services.analysis.outcomes import Outcome, population_condition, positive_expression

# --- SQL expressions for the derived traits --------------------------------------------------------------


def _size_band() -> ColumnElement[Any]:
    whens = [
        (Account.employees >= low if high is None else Account.employees.between(low, high), label)
        for low, high, label in SIZE_BANDS
    ]
    return case(*whens, else_=null())


def _revenue_band() -> ColumnElement[Any]:
    whens = []
    for low, high, label in REVENUE_BANDS:
        condition = Account.annual_revenue >= low
        if high is not None:
            condition = and_(condition, Account.annual_revenue < high)
        whens.append((condition, label))
    return case(*whens, else_=null())


def _discount_band(depth: ColumnElement[Any]) -> ColumnElement[Any]:
    whens = [(depth.is_(None), "none"), (depth <= 0, "none")]
    whens += [(depth <= upper, label) for upper, label in DISCOUNT_BANDS[1:]]
    return case(*whens, else_="51%+")


def _deepest_discount() -> Any:
    return (
        select(Discount.account_id, func.max(Discount.depth).label("depth"))
        .group_by(Discount.account_id)
        .subquery("deepest_discount")
    )


def column_trait_expressions(depth: ColumnElement[Any]) -> dict[str, ColumnElement[Any]]:
    """Each single-valued built-in trait as an SQL expression over `accounts` (`depth`: the account's deepest
    discount). The analysis counts with these and the ICP scores with them, so both derive a value alike."""
    return {
        "industry": _recorded(Account.industry),
        "size_band": _size_band(),
        "revenue_band": _revenue_band(),
        "region": _recorded(Account.region),
        "country": _recorded(Account.country),
        "acquisition_channel": _recorded(Account.acquisition_channel),
        "discount_band": _discount_band(depth),
    }


def deepest_discount_depth() -> ColumnElement[Any]:
    """The account's deepest discount as a correlated scalar subquery (for expressions without a join)."""
    return select(func.max(Discount.depth)).where(Discount.account_id == Account.id).scalar_subquery()


@dataclass(frozen=True)
class Population:
    """The accounts of an outcome: as a subquery (id, pos, stratum, column traits) for reading rows, and as
    expressions over `accounts` for counting, so GROUP BY statements join the accounts table directly."""

    subquery: Any
    stratified: bool
    pos: ColumnElement[Any]
    stratum: ColumnElement[Any]
    columns: dict[str, ColumnElement[Any]]
    conditions: tuple[ColumnElement[bool], ...]
    deepest: Any  # the per-account deepest discount (subquery), joined only where needed
    stratum_join: Any | None  # (aliased AccountTrait, definition id) a custom stratum reads, or None
    stratum_name: str = ""

    def over_accounts(self, stmt: Select[Any], *, discount: bool = False) -> Select[Any]:
        """`stmt` restricted to the population, with the joins its stratum (and discount band) need."""
        if discount or self.stratum_needs_discount:
            stmt = stmt.outerjoin(self.deepest, self.deepest.c.account_id == Account.id)
        if self.stratum_join is not None:
            value, definition_id = self.stratum_join
            stmt = stmt.outerjoin(
                value, and_(value.account_id == Account.id, value.definition_id == definition_id)
            )
        return stmt.where(*self.conditions)

    @property
    def stratum_needs_discount(self) -> bool:
        return self.stratified and self.stratum_name == "discount_band"


def _recorded(text: ColumnElement[Any]) -> ColumnElement[Any]:
    """The text, or NULL when it says nothing was recorded ("N/A", "-", "null", "none", "?", ...)."""
    return case((func.lower(func.trim(text)).in_(sorted(NOT_RECORDED_TEXTS)), null()), else_=text)


def _is_recorded(text: ColumnElement[Any]) -> ColumnElement[bool]:
    return func.lower(func.trim(text)).not_in(sorted(NOT_RECORDED_TEXTS))


def population(session: Session, outcome: Outcome, stratify_by: TraitInfo | None) -> Population:
    deepest = _deepest_discount()
    columns = column_trait_expressions(deepest.c.depth)
    pos = cast(positive_expression(outcome), Integer)
    stratum: ColumnElement[Any] = literal("")
    stratum_join = None
    if stratify_by is not None:
        if stratify_by.definition_id is not None:
            value = aliased(AccountTrait)
            stratum_join = (value, stratify_by.definition_id)
            stratum = _recorded(value.value)
        else:
            stratum = columns[stratify_by.name]
        stratum = func.coalesce(stratum, NOT_RECORDED)
    conditions = (Account.archived_at.is_(None), population_condition(outcome))
    pop = Population(
        subquery=None,
        stratified=stratify_by is not None,
        pos=pos,
        stratum=stratum,
        columns=columns,
        conditions=conditions,
        deepest=deepest,
        stratum_join=stratum_join,
        stratum_name=stratify_by.name if stratify_by else "",
    )
    stmt = select(
        Account.id.label("id"),
        pos.label("pos"),
        *(expression.label(name) for name, expression in columns.items()),
        stratum.label("stratum"),
    )
    stmt = pop.over_accounts(stmt, discount=True)
    return replace(pop, subquery=stmt.subquery("population"))


# --- binary outcomes: counts -------------------------------------------------------------------------------


class _Tally:
    """with[trait][value][stratum] and known[trait][stratum] as [n, positives]."""

    def __init__(self) -> None:
        self.with_: dict[str, dict[str, dict[str, list[int]]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(lambda: [0, 0]))
        )
        self.known: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))

    def add_value(self, trait: str, value: str, stratum: str, n: int, pos: int) -> None:
        cell = self.with_[trait][value][stratum]
        cell[0] += n
        cell[1] += pos

    def add_known(self, trait: str, stratum: str, n: int, pos: int) -> None:
        cell = self.known[trait][stratum]
        cell[0] += n
        cell[1] += pos

    def value_counts(self, traits: Sequence[str]) -> list[ValueCounts]:
        result = []
        for trait in traits:
            known = self.known.get(trait, {})
            for value in sorted(self.with_.get(trait, {})):
                per_stratum = self.with_[trait][value]
                strata = {}
                for stratum, (known_n, known_pos) in sorted(known.items()):
                    with_n, with_pos = per_stratum.get(stratum, (0, 0))
                    strata[stratum] = StratumCounts(
                        with_pos=with_pos,
                        with_n=with_n,
                        without_pos=known_pos - with_pos,
                        without_n=known_n - with_n,
                    )
                result.append(ValueCounts(trait=trait, value=value, strata=strata))
        return result


def binary_counts(
    session: Session,
    pop: Population,
    traits: Sequence[TraitInfo],
    *,
    numbers: Mapping[str, list[tuple[Decimal, str, int, int]]] | None = None,
) -> tuple[int, int, list[ValueCounts]]:
    """(population, positives, counts per trait value) in at most seven statements, whatever the size.
    `numbers`: the number traits' rows (number_rows) when the caller has read them already (for the trend).

    Every statement groups by the stratum and the outcome (0/1) over the accounts table itself: joining a
    derived population table instead made SQLite several times slower at 100,000 accounts.
    """
    tally = _Tally()
    count = func.count()
    stratum, pos = pop.stratum, pop.pos
    total_n = total_pos = 0
    for positive, n in session.execute(
        pop.over_accounts(select(pos, count).select_from(Account)).group_by(pos)
    ):
        total_n += n
        total_pos += n if positive else 0

    column_traits = [t.name for t in traits if t.name in COLUMN_TRAITS]
    if column_traits:
        parts = []
        for name in column_traits:
            column = pop.columns[name]
            stmt = select(
                literal(name).label("trait"), cast(column, String()).label("value"), stratum, pos, count
            )
            stmt = pop.over_accounts(stmt.select_from(Account), discount=name == "discount_band")
            parts.append(stmt.where(column.is_not(None)).group_by(column, stratum, pos))
        for trait, value, in_stratum, positive, n in session.execute(union_all(*parts)):
            tally.add_value(trait, value, in_stratum, n, n if positive else 0)
            tally.add_known(trait, in_stratum, n, n if positive else 0)

    if any(t.name == "archetype" for t in traits):
        live = and_(Archetype.id == account_archetypes.c.archetype_id, Archetype.archived_at.is_(None))
        stmt = (
            select(Archetype.name, stratum, pos, count)
            .select_from(Account)
            .join(account_archetypes, account_archetypes.c.account_id == Account.id)
            .join(Archetype, live)
        )
        stmt = pop.over_accounts(stmt).group_by(Archetype.name, stratum, pos)
        for value, in_stratum, positive, n in session.execute(stmt):
            tally.add_value("archetype", value, in_stratum, n, n if positive else 0)
        has_archetype = exists().where(account_archetypes.c.account_id == Account.id).where(live)
        stmt = pop.over_accounts(select(stratum, pos, count).select_from(Account)).where(has_archetype)
        for in_stratum, positive, n in session.execute(stmt.group_by(stratum, pos)):
            tally.add_known("archetype", in_stratum, n, n if positive else 0)

    custom = {t.definition_id: t for t in traits if t.definition_id is not None}
    countable = [i for i, t in custom.items() if t.kind != TraitKind.NUMBER]
    if countable:
        stmt = (
            select(AccountTrait.definition_id, AccountTrait.value, stratum, pos, count)
            .select_from(AccountTrait)
            .join(Account, Account.id == AccountTrait.account_id)
        )
        stmt = pop.over_accounts(stmt).where(
            AccountTrait.definition_id.in_(countable), _is_recorded(AccountTrait.value)
        )
        stmt = stmt.group_by(AccountTrait.definition_id, AccountTrait.value, stratum, pos)
        for definition_id, value, in_stratum, positive, n in session.execute(stmt):
            trait = custom[definition_id]
            positives = n if positive else 0
            if trait.kind != TraitKind.TAGS:  # one value per account: each row is also known accounts
                tally.add_known(trait.name, in_stratum, n, positives)
            if trait.kind == TraitKind.BOOLEAN and value != "yes":
                continue  # "no" is the rest of "yes", not a test of its own
            tally.add_value(trait.name, value, in_stratum, n, positives)
        tags = [i for i in countable if custom[i].kind == TraitKind.TAGS]
        if tags:  # an account with three tags is one known account, not three: count accounts with any
            parts = []
            for definition_id in tags:
                has_tag = exists().where(
                    AccountTrait.account_id == Account.id,
                    AccountTrait.definition_id == definition_id,
                    _is_recorded(AccountTrait.value),
                )
                stmt = select(literal(definition_id).label("definition_id"), stratum, pos, count)
                stmt = pop.over_accounts(stmt.select_from(Account)).where(has_tag)
                parts.append(stmt.group_by(stratum, pos))
            for definition_id, in_stratum, positive, n in session.execute(union_all(*parts)):
                tally.add_known(custom[definition_id].name, in_stratum, n, n if positive else 0)

    if numbers is None:
        numbers = number_rows(session, pop, traits)
    for name, rows in numbers.items():  # banded here at the tertiles
        bands = number_bands(_weighted_numbers(rows))
        for number, in_stratum, n, positives in rows:
            tally.add_value(name, band_of(number, bands), in_stratum, n, positives)
            tally.add_known(name, in_stratum, n, positives)

    return total_n, total_pos, tally.value_counts([t.name for t in traits])


def number_rows(
    session: Session, pop: Population, traits: Sequence[TraitInfo]
) -> dict[str, list[tuple[Decimal, str, int, int]]]:
    """{number trait: [(number, stratum, accounts, positives), ...]} in one statement grouped by value (few
    distinct numbers); {} when no number trait takes part."""
    numbers = {
        t.definition_id: t.name for t in traits if t.definition_id is not None and t.kind == TraitKind.NUMBER
    }
    if not numbers:
        return {}
    stmt = (
        select(AccountTrait.definition_id, AccountTrait.value, pop.stratum, pop.pos, func.count())
        .select_from(AccountTrait)
        .join(Account, Account.id == AccountTrait.account_id)
    )
    stmt = pop.over_accounts(stmt).where(AccountTrait.definition_id.in_(numbers))
    stmt = stmt.group_by(AccountTrait.definition_id, AccountTrait.value, pop.stratum, pop.pos)
    by_trait: dict[str, list[tuple[Decimal, str, int, int]]] = defaultdict(list)
    for definition_id, value, in_stratum, positive, n in session.execute(stmt):
        number = parse_decimal(value)
        if number is not None:
            by_trait[numbers[definition_id]].append((number, in_stratum, n, n if positive else 0))
    return by_trait


def number_value_counts(
    numbers: Mapping[str, list[tuple[Decimal, str, int, int]]],
) -> dict[str, dict[Decimal, tuple[int, int]]]:
    """{number trait: {number: (accounts, positives)}} over every stratum, from number_rows: what the trend
    test reads."""
    counted: dict[str, dict[Decimal, tuple[int, int]]] = {}
    for name, rows in numbers.items():
        values: dict[Decimal, tuple[int, int]] = {}
        for number, _stratum, n, positives in rows:
            accounts, positive = values.get(number, (0, 0))
            values[number] = (accounts + n, positive + positives)
        counted[name] = values
    return counted


# --- number traits: bands by tertile ------------------------------------------------------------------------


def _weighted_numbers(rows: Sequence[tuple[Decimal, str, int, int]]) -> dict[Decimal, int]:
    counted: dict[Decimal, int] = defaultdict(int)
    for number, _stratum, n, _positives in rows:
        counted[number] += n
    return counted


def number_bands(counted: Mapping[Decimal, int]) -> list[tuple[Decimal | None, str]]:
    """Up to three bands at the tertiles of the observed values ({number: how many accounts}):
    [(upper bound or None, label), ...].

    A band closes at the first value where at least a third (two thirds) of the accounts are counted, so nine
    distinct values split 3/3/3 and ten split 4/3/3; ties keep equal numbers in one band."""
    ordered = sorted(counted)
    if len(ordered) <= 3:
        return (
            [(value, _fmt(value)) for value in ordered[:-1]] + [(None, _fmt(ordered[-1]))] if ordered else []
        )
    total = sum(counted[number] for number in ordered)
    cuts: list[Decimal] = []
    for third in (1, 2):
        seen = 0
        cut = ordered[-1]
        for number in ordered:
            seen += counted[number]
            if 3 * seen >= third * total:  # integers: no rounding at the boundary
                cut = number
                break
        if cut not in cuts and cut != ordered[-1]:
            cuts.append(cut)
    bands: list[tuple[Decimal | None, str]] = []
    lower: Decimal | None = None
    for cut in cuts:
        label = f"≤ {_fmt(cut)}" if lower is None else f"> {_fmt(lower)} and ≤ {_fmt(cut)}"
        bands.append((cut, label))
        lower = cut
    bands.append((None, f"> {_fmt(lower)}" if lower is not None else "all"))
    return bands


def band_of(number: Decimal, bands: Sequence[tuple[Decimal | None, str]]) -> str:
    for upper, label in bands:
        if upper is None or number <= upper:
            return label
    return bands[-1][1]


def _fmt(number: Decimal | None) -> str:
    return "" if number is None else format(number.normalize(), "f")


# --- continuous and time-to-event outcomes: one row per account ---------------------------------------------


@dataclass(frozen=True)
class AccountRows:
    """Per account of the population: the outcome's number(s), the stratum and each trait's values."""

    ids: list[int]
    strata: list[str]
    values: dict[str, list[frozenset[str]]]  # trait -> per account (empty: unknown)


def account_rows(
    session: Session, pop: Population, traits: Sequence[TraitInfo], extra: Sequence[ColumnElement[Any]]
) -> tuple[AccountRows, list[tuple[Any, ...]]]:
    """Trait values of every account of the population, with `extra` columns (read from accounts) per row."""
    p = pop.subquery
    column_traits = [t.name for t in traits if t.name in COLUMN_TRAITS]
    stmt = (
        select(p.c.id, p.c.stratum, *(p.c[name] for name in column_traits), *extra)
        .join(Account, Account.id == p.c.id)
        .order_by(p.c.id)
    )
    ids: list[int] = []
    strata: list[str] = []
    extras: list[tuple[Any, ...]] = []
    values: dict[str, list[frozenset[str]]] = {t.name: [] for t in traits}
    for row in session.execute(stmt):
        ids.append(row[0])
        strata.append(row[1])
        for i, name in enumerate(column_traits):
            value = row[2 + i]
            values[name].append(frozenset() if value is None else frozenset([str(value)]))
        extras.append(tuple(row[2 + len(column_traits) :]))
    position = {account_id: i for i, account_id in enumerate(ids)}
    multi: dict[str, list[set[str]]] = {}
    if any(t.name == "archetype" for t in traits):
        multi["archetype"] = [set() for _ in ids]
        stmt = (
            select(account_archetypes.c.account_id, Archetype.name)
            .join(Archetype, Archetype.id == account_archetypes.c.archetype_id)
            .where(Archetype.archived_at.is_(None), account_archetypes.c.account_id.in_(select(p.c.id)))
        )
        for account_id, name in session.execute(stmt):
            multi["archetype"][position[account_id]].add(name)
    custom = {t.definition_id: t for t in traits if t.definition_id is not None}
    if custom:
        for trait in custom.values():
            multi[trait.name] = [set() for _ in ids]
        stmt = select(AccountTrait.account_id, AccountTrait.definition_id, AccountTrait.value).where(
            AccountTrait.definition_id.in_(list(custom)), AccountTrait.account_id.in_(select(p.c.id))
        )
        for account_id, definition_id, value in session.execute(stmt):
            if is_recorded(value):
                multi[custom[definition_id].name][position[account_id]].add(value)
        for trait in custom.values():
            if trait.kind == TraitKind.NUMBER:
                per_account = multi[trait.name]
                numbers = [parse_decimal(next(iter(v))) for v in per_account if v]
                bands = number_bands(Counter(n for n in numbers if n is not None))
                for i, v in enumerate(per_account):
                    number = parse_decimal(next(iter(v))) if v else None
                    per_account[i] = {band_of(number, bands)} if number is not None else set()
    for name, per_account in multi.items():
        values[name] = [frozenset(v) for v in per_account]
    return AccountRows(ids, strata, values), extras


def _tested_values(trait: TraitInfo, per_account: Sequence[frozenset[str]]) -> list[str]:
    seen = sorted({value for values in per_account for value in values})
    if trait.kind == TraitKind.BOOLEAN:
        return [v for v in seen if v == "yes"]
    return seen


def value_samples(
    rows: AccountRows, outcome_values: Sequence[float], traits: Sequence[TraitInfo]
) -> list[ValueSamples]:
    samples = []
    for trait in traits:
        per_account = rows.values.get(trait.name, [])
        for value in _tested_values(trait, per_account):
            with_values = [
                x
                for x, vs in zip(outcome_values, per_account, strict=True)
                if x is not None and vs and value in vs
            ]
            without = [
                x
                for x, vs in zip(outcome_values, per_account, strict=True)
                if x is not None and vs and value not in vs
            ]
            samples.append(ValueSamples(trait.name, value, with_values, without))
    return samples


def value_durations(
    rows: AccountRows,
    times: Sequence[float],
    events: Sequence[bool],
    traits: Sequence[TraitInfo],
    *,
    stratified: bool,
) -> list[ValueDurations]:
    durations = []
    for trait in traits:
        per_account = rows.values.get(trait.name, [])
        for value in _tested_values(trait, per_account):
            has = [i for i, vs in enumerate(per_account) if vs and value in vs]
            lacks = [i for i, vs in enumerate(per_account) if vs and value not in vs]
            durations.append(
                ValueDurations(
                    trait.name,
                    value,
                    with_times=[times[i] for i in has],
                    with_events=[events[i] for i in has],
                    without_times=[times[i] for i in lacks],
                    without_events=[events[i] for i in lacks],
                    with_strata=[rows.strata[i] for i in has] if stratified else None,
                    without_strata=[rows.strata[i] for i in lacks] if stratified else None,
                )
            )
    return durations


def first_pilot_start() -> ColumnElement[Any]:
    """The account's first pilot start date: where days_to_convert counts the sales cycle from."""
    return select(func.min(Pilot.start_date)).where(Pilot.account_id == Account.id).scalar_subquery()


def days_between(start: date | None, end: date | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return float((end - start).days)


def continuous_samples(
    session: Session, outcome: str, pop: Population, traits: Sequence[TraitInfo]
) -> tuple[int, list[ValueSamples]]:
    """(accounts with a known number, samples per trait value) for days_to_convert, contract_value or nps."""
    extra = {
        "days_to_convert": [first_pilot_start(), Account.converted_on],
        "contract_value": [Account.contract_value],
        "nps": [Account.nps],
    }[outcome]
    rows, extras = account_rows(session, pop, traits, extra)
    if outcome == "days_to_convert":
        numbers = [days_between(started, converted) for started, converted in extras]
    else:
        numbers = [None if value is None else float(value) for (value,) in extras]
    return sum(1 for n in numbers if n is not None), value_samples(rows, numbers, traits)


def churn_durations(
    session: Session, pop: Population, traits: Sequence[TraitInfo], today: date
) -> tuple[int, list[ValueDurations]]:
    """Days from conversion to churn (an event) or to today (still a customer: censored), per trait value."""
    rows, extras = account_rows(
        session, pop, traits, [Account.converted_on, Account.churned_on, Account.stage]
    )
    times: list[float] = []
    events: list[bool] = []
    for converted_on, churned_on, stage in extras:
        churned = stage == "churned" and churned_on is not None
        end = churned_on if churned else today
        times.append(max(0.0, float((end - converted_on).days)))
        events.append(churned)
    return len(times), value_durations(rows, times, events, traits, stratified=pop.stratified)


# --- the multivariable check: accounts by their pattern of candidate indicators -----------------------------


def model_patterns(
    session: Session, pop: Population, candidates: Sequence[tuple[TraitInfo, str]]
) -> tuple[list[Pattern], list[bool]]:
    """Accounts of the population counted by (indicator of every candidate, stratum, outcome) in one GROUP BY.

    An indicator is 1 when the account has the value, 0 when it has another value of that trait and NULL when
    the trait is unknown for it. Number bands are not modelled (their bounds live in Python, not in SQL):
    their flag in the second list is False and their indicator column is left out.
    """
    indicators: list[ColumnElement[Any]] = []
    modelled: list[bool] = []
    discount = False
    for trait, value in candidates:
        expression = _indicator(pop, trait, value)
        modelled.append(expression is not None)
        if expression is not None:
            indicators.append(expression)
            discount = discount or trait.name == "discount_band"
    if not indicators:
        return [], modelled
    labelled = [expression.label(f"i{k}") for k, expression in enumerate(indicators)]
    stmt = select(*labelled, pop.stratum.label("stratum"), pop.pos.label("pos"), func.count()).select_from(
        Account
    )
    stmt = pop.over_accounts(stmt, discount=discount).group_by(*indicators, pop.stratum, pop.pos)
    counted: dict[tuple[tuple[int | None, ...], str], list[int]] = defaultdict(lambda: [0, 0])
    for row in session.execute(stmt):
        *flags, stratum, positive, n = row
        key = (tuple(None if flag is None else int(flag) for flag in flags), str(stratum))
        counted[key][0] += n
        counted[key][1] += n if positive else 0
    spread = iter(range(len(indicators)))
    positions = [next(spread) if m else None for m in modelled]
    patterns = []
    for (flags, stratum), (n, positives) in counted.items():
        full = tuple(flags[p] if p is not None else 0 for p in positions)
        patterns.append(Pattern(full, stratum, n, positives))
    return patterns, modelled


def _indicator(pop: Population, trait: TraitInfo, value: str) -> ColumnElement[Any] | None:
    if trait.name in COLUMN_TRAITS:
        column = pop.columns[trait.name]
        return case((column.is_(None), null()), (cast(column, String()) == value, 1), else_=0)
    if trait.name == "archetype":
        live = and_(Archetype.id == account_archetypes.c.archetype_id, Archetype.archived_at.is_(None))
        linked = exists().where(account_archetypes.c.account_id == Account.id).where(live)
        return case((linked.where(Archetype.name == value), 1), (linked, 0), else_=null())
    if trait.definition_id is None or trait.kind == TraitKind.NUMBER:
        return None
    recorded = exists().where(
        AccountTrait.account_id == Account.id,
        AccountTrait.definition_id == trait.definition_id,
        _is_recorded(AccountTrait.value),
    )
    return case((recorded.where(AccountTrait.value == value), 1), (recorded, 0), else_=null())
