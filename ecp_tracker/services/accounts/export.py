"""Exporting accounts as CSV in our own column set, streamed, so that the file re-imports to the same data.

Cells a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) get a leading single quote;
the importer strips exactly that quote again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from sqlalchemy import BindParameter, Connection, Select, bindparam, select
from sqlalchemy.orm import Session

from ecp_tracker.models import Account, AccountTrait, Archetype, TraitDefinition, User, account_archetypes
from ecp_tracker.services.accounts.importing.presets import DERIVED_COLUMNS, NATIVE_COLUMNS, neutralise
from ecp_tracker.services.accounts.listing import AccountFilters, filtered_statement
from ecp_tracker.services.accounts.vocabulary import custom_trait_name
from ecp_tracker.services.shared.csv_stream import csv_chunks, write_chunks
from ecp_tracker.services.shared.derived import ScoreColumns, reasons_text, score_columns

CHUNK_ROWS = 500  # rows per yielded text chunk
YIELD_PER = 1000  # accounts per database round trip
LIST_SEPARATOR = "; "


_MAYBE_FORMULA = frozenset("'=+-@\t\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return neutralise(text) if text[:1] in _MAYBE_FORMULA else text


def _rows(session: Session, filters: AccountFilters) -> Iterator[tuple[list[str], bool]]:
    """(cells, is_account) for the header and then every matching account.

    Plain rows, not ORM objects: accounts stream in batches, and each batch's archetypes and trait values
    come from one query each (fetched whole, in account order), so 100,000 accounts never sit in memory
    and cost a few hundred queries.
    """
    definitions = session.scalars(
        select(TraitDefinition).where(TraitDefinition.archived_at.is_(None)).order_by(TraitDefinition.key)
    ).all()
    keys = [d.key for d in definitions]
    slot_of = {d.id: slot for slot, d in enumerate(definitions)}
    owners = {row.id: row.email for row in session.execute(select(User.id, User.email))}
    yield [*NATIVE_COLUMNS, *(custom_trait_name(k) for k in keys), *DERIVED_COLUMNS], False
    scoring = score_columns(session)
    derived = [] if scoring is None else [scoring.score, scoring.tier, scoring.matched]
    columns = [c for c in NATIVE_COLUMNS if c not in {"archetypes", "owner"}]
    archetypes_at = NATIVE_COLUMNS.index("archetypes")
    owner_at = NATIVE_COLUMNS.index("owner")  # inserted after archetypes, so this index stays right
    stmt = filtered_statement(filters, scoring).with_only_columns(
        Account.id, Account.owner_id, *(getattr(Account, c) for c in columns), *derived
    )
    plain = 2 + len(columns)
    connection = session.connection()  # Core rows: no ORM bookkeeping per row
    # `with`: a stream abandoned half-way closes its cursor (a server-side cursor on PostgreSQL) at once.
    with connection.execute(stmt.execution_options(yield_per=YIELD_PER)) as result:
        for batch in result.partitions(YIELD_PER):
            ids = [row[0] for row in batch]
            names: dict[int, list[str]] = {}
            for account_id, name in connection.execute(
                select(account_archetypes.c.account_id, Archetype.name)
                .join(Archetype, Archetype.id == account_archetypes.c.archetype_id)
                .where(account_archetypes.c.account_id.in_(_inline(ids)))
                .order_by(Archetype.name)
            ).all():
                names.setdefault(account_id, []).append(name)
            slots: dict[int, list[str | None]] = {}  # account id -> each trait's values, joined
            current, values = None, None
            for account_id, definition_id, value in _plain_rows(
                connection,
                select(AccountTrait.account_id, AccountTrait.definition_id, AccountTrait.value)
                .where(AccountTrait.account_id.in_(_inline(ids)))
                .order_by(AccountTrait.account_id, AccountTrait.id),
            ):
                if account_id != current:
                    current, values = account_id, [None] * len(keys)
                    slots[account_id] = values
                slot = slot_of.get(definition_id)
                if slot is not None:
                    joined = values[slot]
                    values[slot] = value if joined is None else joined + LIST_SEPARATOR + value
            empty = [None] * len(keys)
            for row in batch:
                cells = [_cell(value) for value in row[2:plain]]
                cells.insert(archetypes_at, _cell(LIST_SEPARATOR.join(names.get(row[0], ()))))
                cells.insert(owner_at, _cell(owners.get(row[1])))
                cells += [_cell(value) for value in slots.get(row[0], empty)]
                cells += _score_cells(scoring, row[plain:])
                yield cells, True


def _score_cells(scoring: ScoreColumns | None, values: Sequence[Any]) -> list[str]:
    """icp_score, icp_tier, icp_reasons (empty without an active version)."""
    if scoring is None or values[0] is None:
        return ["", "", ""]
    matched = [(r.label, r.value, r.points, r.exclude) for r in scoring.matched_reasons(values[2])]
    return [str(int(values[0])), _cell(values[1]), _cell(reasons_text(matched))]


def _plain_rows(connection: Connection, stmt: Select[Any]) -> list[tuple[Any, ...]]:
    """Every row of `stmt` as the driver's plain tuples: the trait values of a batch are about 20,000 rows,
    and building a result Row for each costs more than the query. Only for statements whose values are
    written into the SQL (`_inline` ids) and whose columns need no conversion (integers and text)."""
    sql = str(stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def _inline(ids: list[int]) -> BindParameter[Any]:
    """Integer ids written into the SQL: PostgreSQL's generic plan for a 1,000-parameter IN list is slow."""
    return bindparam("ids", ids, expanding=True, literal_execute=True)


def _chunks(session: Session, filters: AccountFilters) -> Iterator[tuple[str, int]]:
    rows = _rows(session, filters)
    header, _ = next(rows)
    return csv_chunks(header, (cells for cells, _ in rows), chunk_rows=CHUNK_ROWS)


def export_rows(session: Session, filters: AccountFilters) -> Iterator[str]:
    """The accounts matching `filters` as CSV text chunks (the header first), streamed from the database."""
    for text, _count in _chunks(session, filters):
        yield text


def export_accounts(session: Session, filters: AccountFilters, out: TextIO) -> int:
    """Write the CSV to `out` (open it with newline=""); returns the number of accounts written."""
    return write_chunks(_chunks(session, filters), out)
