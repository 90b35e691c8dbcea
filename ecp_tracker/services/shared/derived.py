"""Derived account data that an upper service area keeps and lower ones show: the ICP score and tier.

The account list and export (in `accounts`) may not import the ICP (above them), so the ICP registers a
`DerivedSource` here when the app is built; with none registered, accounts carry no score. A source does two
things:

- `columns(session)`: the stored columns to read (a table keyed by account id, its score, tier and the
  matched criteria), which the list filters and sorts on and the export prints;
- `refresh(session, accounts)`: brings the stored rows of some accounts (or of every account) up to date,
  set-wise, inside the writer's transaction.

Every write path reaches `refresh` through this module, so there is one way a stored score follows the data:

- ORM writes (forms, API, CLI, the demo, the import's updates of existing accounts) are seen by a flush
  listener: after each flush, `source.affected(session, objects)` names the accounts the flushed objects feed
  (an account, its trait values, its discounts, an archetype or trait definition and the accounts that carry
  it), and `refresh` runs for them before the flush returns. A score is never behind the data a caller just
  flushed, committed or not.
- Writes that bypass the ORM (the bulk import's plain rows and COPY) call `accounts_changed(session, ids)`
  for the accounts they inserted.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import ColumnElement, FromClause, Select, event
from sqlalchemy.orm import Session, UOWTransaction


@dataclass(frozen=True)
class Reason:
    trait: str
    label: str  # the trait's label for people (`Seats` for `trait:seats`)
    value: str
    points: int
    exclude: bool


@dataclass(frozen=True)
class ScoreColumns:
    """The active ICP version's number, its stored score table (one row per account) and the criteria that
    the table's `matched` column refers to by id."""

    version: int
    table: FromClause
    account_id: ColumnElement[Any]
    score: ColumnElement[Any]
    tier: ColumnElement[Any]
    matched: ColumnElement[Any]  # " 12 15": the ids of the matched criteria, in criterion order
    reasons: dict[int, Reason]  # criterion id -> what it says
    archived: ColumnElement[Any]  # the account is archived (kept in step with it by the same refresh)

    def matched_reasons(self, matched: str | None) -> list[Reason]:
        return [self.reasons[int(i)] for i in (matched or "").split() if int(i) in self.reasons]


@dataclass
class AccountSet:
    """Accounts whose derived data must be refreshed: ids, queries that select ids, or every account."""

    ids: set[int] = field(default_factory=set)
    queries: list[Select[Any]] = field(default_factory=list)
    every: bool = False

    def __bool__(self) -> bool:
        return self.every or bool(self.ids) or bool(self.queries)

    def add(self, other: AccountSet) -> None:
        self.ids |= other.ids
        self.queries += other.queries
        self.every = self.every or other.every


class DerivedSource(Protocol):
    def columns(self, session: Session) -> ScoreColumns | None: ...

    def affected(self, session: Session, objects: Iterable[object]) -> AccountSet: ...

    def refresh(self, session: Session, accounts: AccountSet) -> None: ...


_sources: list[DerivedSource] = []
PENDING = "ecp_derived_pending"  # session.info key: what the current flush touched


def register(source: DerivedSource) -> None:
    """Called by the app factory; registering the same source twice keeps one."""
    if source not in _sources:
        _sources.append(source)
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_flush_postexec", _after_flush_postexec)


def score_columns(session: Session) -> ScoreColumns | None:
    for source in _sources:
        columns = source.columns(session)
        if columns is not None:
            return columns
    return None


def accounts_changed(session: Session, ids: Collection[int]) -> None:
    """For writes that bypass the ORM: refresh the derived data of these accounts now (in the transaction)."""
    if ids:
        for source in _sources:
            source.refresh(session, AccountSet(ids=set(ids)))


def refresh_every_account(session: Session) -> None:
    for source in _sources:
        source.refresh(session, AccountSet(every=True))


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    # new, dirty and deleted still hold what this flush wrote (ids are assigned by now)
    if not _sources:
        return
    objects = [*session.new, *session.dirty, *session.deleted]
    if not objects:
        return
    pending: dict[int, AccountSet] = session.info.setdefault(PENDING, {})
    for index, source in enumerate(_sources):
        affected = source.affected(session, objects)
        if affected:
            pending.setdefault(index, AccountSet()).add(affected)


def _after_flush_postexec(session: Session, _context: UOWTransaction) -> None:
    pending: dict[int, AccountSet] | None = session.info.pop(PENDING, None)
    if not pending:
        return
    for index, accounts in pending.items():
        _sources[index].refresh(session, accounts)


def reasons_text(matched: Iterable[tuple[str, str, int, bool]]) -> str:
    """`Archetype=Game changer (+40); Industry=Gambling (excluded)` for exports and prospect lists (the
    callers pass each trait's label, services/accounts/vocabulary.display_label)."""
    return "; ".join(
        f"{trait}={value} ({'excluded' if exclude else f'{points:+d}'})"
        for trait, value, points, exclude in matched
    )
