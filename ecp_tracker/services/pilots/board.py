"""Reading pilots in bulk: the filtered table, the board by status, the timeline, and the dashboard numbers.

Every function issues a fixed number of SQL statements whatever the number of pilots.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, extract, false, func, or_, select, union_all
from sqlalchemy.orm import Session, joinedload

from ecp_tracker.domain.errors import InvalidFields
from ecp_tracker.domain.numbers import is_id
from ecp_tracker.domain.pilots import PilotStatus
from ecp_tracker.models import Account, Archetype, Pilot, account_archetypes
from ecp_tracker.services.shared import raw_input
from ecp_tracker.services.shared.pagination import Page

ENDING_SOON_DAYS = 14
RUNNING = (PilotStatus.ACTIVE.value, PilotStatus.EXTENDED.value)


@dataclass(frozen=True)
class PilotFilters:
    status: tuple[str, ...] = ()
    archetype: tuple[str, ...] = ()
    owner: tuple[str, ...] = ()
    q: str = ""
    due: str = (
        ""  # "", "soon" (running, planned end within 14 days) or "overdue" (running, planned end passed)
    )
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_query(cls, query: Mapping[str, Sequence[str]]) -> PilotFilters:
        def values(name: str) -> tuple[str, ...]:
            return tuple(v.strip() for v in query.get(name, []) if v and v.strip())

        problems = []
        for status in values("status"):
            if status not in {s.value for s in PilotStatus}:
                problems.append(("status", f"Unknown status {status!r}."))
        for owner in values("owner"):
            if not is_id(owner) and owner != "none":
                problems.append(("owner", f"Owner is a user id or 'none', not {owner!r}."))
        due = (query.get("due") or [""])[0]
        if due not in {"", "soon", "overdue"}:
            problems.append(("due", "due is soon or overdue."))
        if problems:
            raise InvalidFields(problems)
        return cls(
            status=values("status"),
            archetype=values("archetype"),
            owner=values("owner"),
            q=(query.get("q") or [""])[0].strip(),
            due=due,
        )

    def to_query(self) -> dict[str, list[str]]:
        query: dict[str, list[str]] = {}
        for name in ("status", "archetype", "owner"):
            if getattr(self, name):
                query[name] = list(getattr(self, name))
        if self.q:
            query["q"] = [self.q]
        if self.due:
            query["due"] = [self.due]
        return query


def filtered_pilots(filters: PilotFilters, today: date | None = None) -> Select[tuple[Pilot]]:
    today = today or raw_input.today()
    conditions = []
    if filters.status:
        conditions.append(Pilot.status.in_(filters.status))
    if filters.owner:
        ids = [int(o) for o in filters.owner if is_id(o)]
        owner_conditions = [Pilot.owner_id.in_(ids)] if ids else []
        if "none" in filters.owner:
            owner_conditions.append(Pilot.owner_id.is_(None))
        conditions.append(or_(*owner_conditions))
    if filters.archetype:
        having = (
            select(account_archetypes.c.account_id)
            .join(Archetype, Archetype.id == account_archetypes.c.archetype_id)
            .where(func.lower(Archetype.name).in_([a.casefold() for a in filters.archetype]))
        )
        conditions.append(Pilot.account_id.in_(having))
    if filters.q:
        needle = " ".join(filters.q.split()).casefold()
        matching = select(Account.id).where(Account.name_key.contains(needle, autoescape=True))
        conditions.append(
            or_(func.lower(Pilot.name).contains(needle, autoescape=True), Pilot.account_id.in_(matching))
        )
    if filters.due == "soon":
        conditions.append(
            and_(
                Pilot.status.in_(RUNNING),
                Pilot.planned_end_date >= today,
                Pilot.planned_end_date <= today + timedelta(days=ENDING_SOON_DAYS),
            )
        )
    elif filters.due == "overdue":
        conditions.append(and_(Pilot.status.in_(RUNNING), Pilot.planned_end_date < today))
    stmt = select(Pilot)
    if conditions:
        stmt = stmt.where(and_(*conditions))
    return stmt


def _by_planned_end(
    filters: PilotFilters, *, descending: bool, offset: int, limit: int, today: date | None = None
) -> Select[tuple[int]]:
    """The ids of `limit` filtered pilots after the first `offset`, by planned end (blank ones last),
    then id, the same way round.

    Read through the index on (status, planned end): one ordered subquery per status, with and then
    without a planned end, each stopping after offset + limit rows, and one sort of what they return.
    (ORDER BY planned end NULLS LAST over several statuses makes both databases sort every match.)"""
    statuses = filters.status or tuple(s.value for s in PilotStatus)
    if filters.due:
        statuses = tuple(s for s in statuses if s in RUNNING)
    if not statuses:
        return select(Pilot.id).where(false())
    others = filtered_pilots(dataclasses.replace(filters, status=()), today)
    end = Pilot.planned_end_date
    order = _order(end, Pilot.id, descending)
    parts = [
        select(
            others.with_only_columns(Pilot.id, end)
            .where(Pilot.status == status, end.is_(None) if blank else end.is_not(None))
            .order_by(*order)
            .limit(offset + limit)
            .subquery()
        )
        for status in statuses
        for blank in (False, True)
    ]
    found = union_all(*parts).subquery()
    ends = found.c.planned_end_date
    order = _order(ends, found.c.id, descending)
    return select(found.c.id).order_by(ends.is_(None), *order).offset(offset).limit(limit)


def _order(end: ColumnElement[date], key: ColumnElement[int], descending: bool) -> tuple[Any, Any]:
    return (end.desc(), key.desc()) if descending else (end.asc(), key.asc())


def _pilots(session: Session, ids: Select[tuple[int]], *, descending: bool) -> Sequence[Pilot]:
    """The pilots whose ids `ids` selects (see _by_planned_end), with account and owner, in its order."""
    by_end, by_id = _order(Pilot.planned_end_date, Pilot.id, descending)
    return session.scalars(
        select(Pilot)
        .where(Pilot.id.in_(ids))
        .options(joinedload(Pilot.account), joinedload(Pilot.owner))
        .order_by(by_end.nulls_last(), by_id)
    ).all()


def list_pilots(session: Session, filters: PilotFilters, *, page: int = 1, per_page: int = 25) -> Page[Pilot]:
    """One page of the table, the latest planned end first (blank ones last): a count and the page."""
    page, per_page = max(1, page), min(max(per_page, 1), 100)
    today = raw_input.today()
    total = session.scalar(select(func.count()).select_from(filtered_pilots(filters, today).subquery()))
    ids = _by_planned_end(filters, descending=True, offset=(page - 1) * per_page, limit=per_page, today=today)
    return Page(items=_pilots(session, ids, descending=True), total=total or 0, page=page, per_page=per_page)


def due_pilots(session: Session, due: str, *, limit: int = 5, today: date | None = None) -> Sequence[Pilot]:
    """Running pilots ending soon ("soon") or past their planned end ("overdue"), the earliest planned
    end first, with account and owner (one query)."""
    today = today or raw_input.today()
    ids = _by_planned_end(PilotFilters(due=due), descending=False, offset=0, limit=limit, today=today)
    return _pilots(session, ids, descending=False)


@dataclass(frozen=True)
class BoardColumn:
    status: PilotStatus
    total: int
    pilots: Sequence[Pilot]


def board(session: Session, filters: PilotFilters, *, per_column: int = 20) -> list[BoardColumn]:
    """One column per status: the count and the pilots ending first (a COUNT and one query per status)."""
    base = filtered_pilots(filters)
    counted = base.with_only_columns(Pilot.status, func.count()).group_by(Pilot.status)
    counts = dict(session.execute(counted).all())
    columns = []
    for status in PilotStatus:
        if filters.status and status.value not in filters.status:
            continue
        pilots = session.scalars(
            base.where(Pilot.status == status.value)
            .options(joinedload(Pilot.account), joinedload(Pilot.owner))
            .order_by(Pilot.planned_end_date.asc().nulls_last(), Pilot.id)
            .limit(per_column)
        ).all()
        columns.append(BoardColumn(status, counts.get(status.value, 0), pilots))
    return columns


def timeline(
    session: Session, filters: PilotFilters, *, months: int = 12, limit: int = 40
) -> Sequence[Pilot]:
    """Pilots that overlap the last `months` months (running ones first), for the timeline chart."""
    today = raw_input.today()
    window_start = today - timedelta(days=30 * months)
    stmt = (
        filtered_pilots(filters)
        .where(
            Pilot.start_date.is_not(None),
            or_(Pilot.end_date.is_(None), Pilot.end_date >= window_start),
        )
        .options(joinedload(Pilot.account))
        .order_by(Pilot.start_date.desc(), Pilot.id.desc())
        .limit(limit)
    )
    return session.scalars(stmt).all()


@dataclass(frozen=True)
class MonthCount:
    year: int
    month: int
    started: int
    converted: int


def pilots_per_month(session: Session, *, months: int = 12, today: date | None = None) -> list[MonthCount]:
    """Pilots started and pilots converted per calendar month, oldest first (two aggregate queries)."""
    today = today or raw_input.today()
    first = date(today.year, today.month, 1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)

    def per_month(column) -> dict[tuple[int, int], int]:
        year, month = extract("year", column), extract("month", column)
        rows = session.execute(
            select(year, month, func.count()).where(column >= first, column <= today).group_by(year, month)
        ).all()
        return {(int(y), int(m)): n for y, m, n in rows}

    started = per_month(Pilot.start_date)
    converted = per_month(Pilot.converted_on)
    result = []
    cursor = first
    while cursor <= today:
        key = (cursor.year, cursor.month)
        result.append(MonthCount(cursor.year, cursor.month, started.get(key, 0), converted.get(key, 0)))
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return result


@dataclass(frozen=True)
class PilotCounts:
    running: int
    ending_soon: int
    overdue: int
    planned: int


def pilot_counts(session: Session, today: date | None = None) -> PilotCounts:
    """The dashboard's pilot numbers in one statement of four counts, each a range of the index on
    (status, planned end), so it costs the same with 100 or 150,000 pilots in other states."""
    today = today or raw_input.today()
    soon = today + timedelta(days=ENDING_SOON_DAYS)

    def count(*conditions: ColumnElement[bool]) -> ScalarSelect[int]:
        return select(func.count()).select_from(Pilot).where(*conditions).scalar_subquery()

    running = Pilot.status.in_(RUNNING)
    row = session.execute(
        select(
            count(running),
            count(running, Pilot.planned_end_date >= today, Pilot.planned_end_date <= soon),
            count(running, Pilot.planned_end_date < today),
            count(Pilot.status == PilotStatus.PLANNED.value),
        )
    ).one()
    return PilotCounts(*row)
