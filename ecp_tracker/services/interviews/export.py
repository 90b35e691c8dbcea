"""Exporting interviews as CSV, streamed from the database: the interview list's download.

One row per current finding, the interview's columns repeated on each; an interview without findings gets one
row with the finding columns empty, so every interview matching the filters is in the file. Cells a
spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) get a leading single quote.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, TextIO

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.interviews import outcome_of_stage
from ecp_tracker.models import (
    Account,
    Archetype,
    Contact,
    Interview,
    InterviewFinding,
    User,
    account_archetypes,
)
from ecp_tracker.services.accounts.importing.presets import neutralise
from ecp_tracker.services.interviews.interviews import InterviewFilters, filtered_interviews
from ecp_tracker.services.shared.csv_stream import csv_chunks, write_chunks

COLUMNS = (
    "interview_id",
    "held_on",
    "interview_kind",
    "account_id",
    "account",
    "account_stage",
    "outcome",
    "archetypes",
    "contact",
    "dmu_role",
    "interviewer",
    "summary",
    "finding_id",
    "finding_kind",
    "theme",
    "finding_text",
)
CHUNK_ROWS = 500
YIELD_PER = 1000
LIST_SEPARATOR = "; "


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date | datetime) else str(value)
    return neutralise(text)


def _statement(matching: Select[Any]) -> Select[Any]:
    return (
        select(
            Interview.id,
            Interview.held_on,
            Interview.kind,
            Account.id,
            Account.name,
            Account.stage,
            Contact.name,
            Contact.dmu_role,
            User.email,
            Interview.summary,
            InterviewFinding.id,
            InterviewFinding.kind,
            InterviewFinding.theme,
            InterviewFinding.text,
        )
        .join(Account, Account.id == Interview.account_id)
        .outerjoin(Contact, Contact.id == Interview.contact_id)
        .outerjoin(User, User.id == Interview.interviewer_id)
        .outerjoin(
            InterviewFinding,
            and_(InterviewFinding.interview_id == Interview.id, InterviewFinding.archived_at.is_(None)),
        )
        .where(Interview.id.in_(matching))
        .order_by(Interview.held_on.desc(), Interview.id.desc(), InterviewFinding.id)
        .execution_options(yield_per=YIELD_PER)
    )


def _chunks(session: Session, filters: InterviewFilters) -> Iterator[tuple[str, int]]:
    """CSV text chunks (the header first) with the number of rows each holds: three statements in all (and
    one more for a theme filter's spellings)."""
    matching = filtered_interviews(session, filters).with_only_columns(Interview.id)
    archetypes: dict[int, list[str]] = {}
    names = (
        select(account_archetypes.c.account_id, Archetype.name)
        .join(Archetype, Archetype.id == account_archetypes.c.archetype_id)
        .where(account_archetypes.c.account_id.in_(matching.with_only_columns(Interview.account_id)))
        .order_by(Archetype.name)
    )
    for account_id, name in session.execute(names):
        archetypes.setdefault(account_id, []).append(name)

    def rows() -> Iterator[list[str]]:
        # `with`: a stream abandoned half-way closes its cursor (server-side on PostgreSQL) at once.
        with session.execute(_statement(matching)) as result:
            for row in result:
                (interview_id, held_on, kind, account_id, account, stage, *rest) = row
                yield [
                    _cell(v)
                    for v in (
                        interview_id,
                        held_on,
                        kind,
                        account_id,
                        account,
                        stage,
                        outcome_of_stage(stage).value,
                        LIST_SEPARATOR.join(archetypes.get(account_id, [])),
                        *rest,
                    )
                ]

    return csv_chunks(COLUMNS, rows(), chunk_rows=CHUNK_ROWS)


def export_rows(session: Session, filters: InterviewFilters) -> Iterator[str]:
    """The interviews matching `filters` as CSV text chunks (the header first), one row per finding."""
    for text, _count in _chunks(session, filters):
        yield text


def export_interviews(session: Session, filters: InterviewFilters, out: TextIO) -> int:
    """Write the CSV to `out` (open it with newline=""); returns the number of rows written."""
    return write_chunks(_chunks(session, filters), out)
