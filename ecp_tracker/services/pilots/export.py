"""Exporting pilots as CSV, streamed from the database: `flask export pilots` and the pilot board's download.

One row per pilot with its account, owner, dates, prices, outcome and how many criteria were met. Cells a
spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) get a leading single quote.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TextIO

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from ecp_tracker.models import Account, Pilot, SuccessCriterion, User
from ecp_tracker.services.accounts.importing.presets import neutralise
from ecp_tracker.services.pilots.board import PilotFilters, filtered_pilots
from ecp_tracker.services.shared.csv_stream import csv_chunks, write_chunks

COLUMNS = (
    "id",
    "name",
    "account",
    "status",
    "outcome",
    "owner",
    "start_date",
    "planned_end_date",
    "end_date",
    "list_price",
    "pilot_price",
    "price_reason",
    "contract_value",
    "converted_on",
    "criteria",
    "criteria_met",
    "hypothesis",
)
CHUNK_ROWS = 500  # rows per yielded text chunk
YIELD_PER = 1000  # rows per database round trip


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, date | datetime):
        text = value.isoformat()
    else:
        text = str(value)
    return neutralise(text)


def _statement(filters: PilotFilters) -> Select[Any]:
    """The matching pilots, oldest first, one row each (the criteria counted in a grouped subquery)."""
    per_pilot = (
        select(
            SuccessCriterion.pilot_id.label("pilot_id"),
            func.count(SuccessCriterion.id).label("criteria"),
            func.sum(case((SuccessCriterion.met.is_(True), 1), else_=0)).label("met"),
        )
        .group_by(SuccessCriterion.pilot_id)
        .subquery()
    )
    matching = filtered_pilots(filters).with_only_columns(Pilot.id)
    return (
        select(
            Pilot.id,
            Pilot.name,
            Account.name,
            Pilot.status,
            Pilot.outcome,
            User.email,
            Pilot.start_date,
            Pilot.planned_end_date,
            Pilot.end_date,
            Pilot.list_price,
            Pilot.pilot_price,
            Pilot.price_reason,
            Pilot.contract_value,
            Pilot.converted_on,
            func.coalesce(per_pilot.c.criteria, 0),
            func.coalesce(per_pilot.c.met, 0),
            Pilot.hypothesis,
        )
        .join(Account, Account.id == Pilot.account_id)
        .outerjoin(User, User.id == Pilot.owner_id)
        .outerjoin(per_pilot, per_pilot.c.pilot_id == Pilot.id)
        .where(Pilot.id.in_(matching))
        .order_by(Pilot.id)
        .execution_options(yield_per=YIELD_PER)
    )


def _chunks(session: Session, filters: PilotFilters) -> Iterator[tuple[str, int]]:
    """CSV text chunks (the header first) with the number of pilots each holds."""

    def rows() -> Iterator[list[str]]:
        # `with`: a stream abandoned half-way closes its cursor (server-side on PostgreSQL) at once.
        with session.execute(_statement(filters)) as result:
            for row in result:
                yield [_cell(value) for value in row]

    return csv_chunks(COLUMNS, rows(), chunk_rows=CHUNK_ROWS)


def export_rows(session: Session, filters: PilotFilters) -> Iterator[str]:
    """The pilots matching `filters` as CSV text chunks (the header first), streamed from the database."""
    for text, _count in _chunks(session, filters):
        yield text


def export_pilots(session: Session, filters: PilotFilters, out: TextIO) -> int:
    """Write the CSV to `out` (open it with newline=""); returns the number of pilots written."""
    return write_chunks(_chunks(session, filters), out)
