"""Exporting accounts as CSV in our own column set, streamed, so that the file re-imports to the same data.

Cells a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) get a leading single quote;
the importer strips exactly that quote again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ecp_tracker.models import Account, TraitDefinition, User
from ecp_tracker.services.account_list import AccountFilters, filtered_statement
from ecp_tracker.services.import_presets import NATIVE_COLUMNS, TRAIT_PREFIX, neutralise

CHUNK_ROWS = 500  # rows per yielded text chunk
YIELD_PER = 1000  # accounts per database round trip
LIST_SEPARATOR = "; "


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return neutralise(text)


def _rows(session: Session, filters: AccountFilters) -> Iterator[tuple[list[str], bool]]:
    """(cells, is_account) for the header and then every matching account."""
    definitions = session.scalars(
        select(TraitDefinition).where(TraitDefinition.archived_at.is_(None)).order_by(TraitDefinition.key)
    ).all()
    keys = [d.key for d in definitions]
    owners = {row.id: row.email for row in session.execute(select(User.id, User.email))}
    yield [*NATIVE_COLUMNS, *(f"{TRAIT_PREFIX}{k}" for k in keys)], False
    stmt = (
        filtered_statement(filters)
        .options(selectinload(Account.archetypes), selectinload(Account.traits))
        .execution_options(yield_per=YIELD_PER)
    )
    for account in session.scalars(stmt):
        values: dict[str, list[str]] = {}
        for trait in account.traits:
            values.setdefault(trait.definition.key, []).append(trait.value)
        row = []
        for column in NATIVE_COLUMNS:
            if column == "archetypes":
                row.append(_cell(LIST_SEPARATOR.join(a.name for a in account.archetypes)))
            elif column == "owner":
                row.append(_cell(owners.get(account.owner_id) if account.owner_id else None))
            else:
                row.append(_cell(getattr(account, column)))
        row.extend(_cell(LIST_SEPARATOR.join(values.get(k, []))) for k in keys)
        yield row, True


def _chunks(session: Session, filters: AccountFilters) -> Iterator[tuple[str, int]]:
    """CSV text chunks with the number of accounts each holds."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    pending = 0
    for cells, is_account in _rows(session, filters):
        writer.writerow(cells)
        pending += is_account
        if pending >= CHUNK_ROWS or not is_account:
            yield buffer.getvalue(), pending
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if buffer.tell():
        yield buffer.getvalue(), pending


def export_rows(session: Session, filters: AccountFilters) -> Iterator[str]:
    """The accounts matching `filters` as CSV text chunks (the header first), streamed from the database."""
    for text, _count in _chunks(session, filters):
        yield text


def export_accounts(session: Session, filters: AccountFilters, out: TextIO) -> int:
    """Write the CSV to `out` (open it with newline=""); returns the number of accounts written."""
    total = 0
    for text, count in _chunks(session, filters):
        out.write(text)
        total += count
    return total
