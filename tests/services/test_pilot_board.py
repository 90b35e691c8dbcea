"""The pilot board: filters, the table, the board by status, the timeline, the monthly and dashboard counts,
the CSV export, and a fixed number of SQL statements at 10 and at 300 pilots."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.errors import InvalidFields
from ecp_tracker.domain.pilots import PilotStatus
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import (
    Account,
    Archetype,
    Discount,
    GiveGet,
    Pilot,
    SuccessCriterion,
    User,
    account_archetypes,
)
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.accounts import accounts
from ecp_tracker.services.pilots import board as pilot_board
from ecp_tracker.services.pilots import discounts, pilots
from ecp_tracker.services.pilots import export as pilot_export
from ecp_tracker.services.pilots.board import PilotFilters
from tests.conftest import TEST_ACTOR
from tests.helpers import counting

TODAY = utcnow().date()
CRITERION = {
    "description": "Latency",
    "metric": "p95 latency",
    "target": "300",
    "unit": "ms",
    "direction": "at_most",
}


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def names(items) -> list[str]:
    return sorted(p.name for p in items)


@pytest.fixture
def board_data(db_session: Session, people) -> dict[str, Any]:
    """Six pilots on three accounts, one per status, with owners and archetypes:

    planned   Alpha  "Planned sync"        owner editor   (Alpha: Game changer)
    active    Alpha  "Ending soon"         owner editor   planned end in 5 days
    extended  Beta   "Overdue extension"   owner admin    planned end 2 days ago   (Beta: Tech enthusiast)
    succeeded Beta   "=HYPERLINK(won)"     no owner       converted 20 days ago
    failed    Gamma  "Failed pilot"        owner admin    ended 40 days ago        (Gamma: no archetype)
    cancelled Gamma  "Cancelled early"     no owner       cancelled from planned
    """
    editor, admin = people[Role.EDITOR], people[Role.ADMIN]
    alpha = accounts.create_account(
        db_session, TEST_ACTOR, {"name": "Alpha Robotics", "archetypes": ["Game changer"]}, today=TODAY
    )
    beta = accounts.create_account(
        db_session, TEST_ACTOR, {"name": "Beta Foods", "archetypes": ["Tech enthusiast"]}, today=TODAY
    )
    gamma = accounts.create_account(db_session, TEST_ACTOR, {"name": "Gamma Labs"}, today=TODAY)

    def make(account: Account, name: str, owner: User | None, start: int, end: int, **extra: Any) -> Pilot:
        pilot = pilots.create_pilot(
            db_session,
            TEST_ACTOR,
            account.id,
            {
                "name": name,
                "owner_id": owner.id if owner else None,
                "start_date": days(start),
                "planned_end_date": days(end),
                **extra,
            },
        )
        pilots.add_criterion(db_session, TEST_ACTOR, pilot.id, CRITERION)
        return pilot

    made = {
        "planned": make(alpha, "Planned sync", editor, 10, 50),
        "active": make(alpha, "Ending soon", editor, -30, 5),
        "extended": make(beta, "Overdue extension", admin, -60, -20),
        "succeeded": make(beta, "=HYPERLINK(won)", None, -90, -30, hypothesis="+1 from the CFO"),
        "failed": make(gamma, "Failed pilot", admin, -100, -45),
        "cancelled": make(gamma, "Cancelled early", None, 30, 60),
    }
    move = pilots.transition
    for key, start in (("active", -30), ("extended", -60), ("succeeded", -90), ("failed", -100)):
        move(db_session, TEST_ACTOR, made[key].id, "active", on=days(start))
    move(db_session, TEST_ACTOR, made["extended"].id, "extended", planned_end_date=days(-2))
    criterion = made["succeeded"].criteria[0]
    pilots.record_result(db_session, TEST_ACTOR, criterion.id, "250", version=criterion.version)
    move(db_session, TEST_ACTOR, made["succeeded"].id, "succeeded", on=days(-30))
    pilots.record_outcome(
        db_session,
        TEST_ACTOR,
        made["succeeded"].id,
        "converted",
        contract_value="12000",
        converted_on=days(-20),
    )
    move(db_session, TEST_ACTOR, made["failed"].id, "failed", on=days(-40))
    pilots.record_outcome(db_session, TEST_ACTOR, made["failed"].id, "not_converted")
    move(db_session, TEST_ACTOR, made["cancelled"].id, "cancelled")
    db_session.commit()
    return {"pilots": made, "editor": editor, "admin": admin}


def listed(session: Session, **query: Any) -> list[str]:
    filters = PilotFilters.from_query({k: v if isinstance(v, list) else [v] for k, v in query.items()})
    return names(pilot_board.list_pilots(session, filters, per_page=100).items)


def test_filters(db_session, board_data):
    editor, admin = board_data["editor"], board_data["admin"]
    assert len(listed(db_session)) == 6
    assert listed(db_session, status=["active", "extended"]) == ["Ending soon", "Overdue extension"]
    assert listed(db_session, archetype="game CHANGER") == ["Ending soon", "Planned sync"]
    assert listed(db_session, archetype=["Game changer", "Tech enthusiast"], status="succeeded") == [
        "=HYPERLINK(won)"
    ]
    assert listed(db_session, owner=str(editor.id)) == ["Ending soon", "Planned sync"]
    assert listed(db_session, owner=[str(admin.id), "none"]) == [
        "=HYPERLINK(won)",
        "Cancelled early",
        "Failed pilot",
        "Overdue extension",
    ]
    assert listed(db_session, owner="none") == ["=HYPERLINK(won)", "Cancelled early"]
    assert listed(db_session, q="  gamma ") == ["Cancelled early", "Failed pilot"]  # the account's name
    assert listed(db_session, q="SYNC") == ["Planned sync"]  # the pilot's name
    assert listed(db_session, q="100%_") == []  # wildcards are plain text
    assert listed(db_session, due="soon") == ["Ending soon"]
    assert listed(db_session, due="overdue") == ["Overdue extension"]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"status": ["paused"]}, "status"), ({"owner": ["ada"]}, "owner"), ({"due": ["later"]}, "due")],
)
def test_bad_filters_name_the_field(query, field):
    with pytest.raises(InvalidFields) as refused:
        PilotFilters.from_query(query)
    assert field in refused.value.errors


def test_filters_round_trip_through_the_query():
    filters = PilotFilters.from_query(
        {
            "status": ["active", " "],
            "archetype": ["Game changer"],
            "owner": ["none"],
            "q": [" x "],
            "due": ["soon"],
        }
    )
    assert filters == PilotFilters(
        status=("active",), archetype=("Game changer",), owner=("none",), q="x", due="soon"
    )
    assert PilotFilters.from_query(filters.to_query()) == filters
    assert PilotFilters().to_query() == {}


def test_the_table_is_paginated_latest_planned_end_first(db_session, board_data):
    page = pilot_board.list_pilots(db_session, PilotFilters(), page=1, per_page=4)
    assert (page.total, page.pages) == (6, 2)
    assert [p.name for p in page.items] == [
        "Cancelled early",
        "Planned sync",
        "Ending soon",
        "Overdue extension",
    ]
    assert pilot_board.list_pilots(db_session, PilotFilters(), per_page=1000).per_page == 100


def test_the_board_has_a_column_per_status(db_session, board_data):
    columns = pilot_board.board(db_session, PilotFilters())
    assert [c.status for c in columns] == list(PilotStatus)
    assert [c.total for c in columns] == [1, 1, 1, 1, 1, 1]
    assert [p.name for c in columns for p in c.pilots][:3] == [
        "Planned sync",
        "Ending soon",
        "Overdue extension",
    ]
    only = pilot_board.board(db_session, PilotFilters(status=("active", "failed")), per_column=1)
    assert [(c.status.value, c.total) for c in only] == [("active", 1), ("failed", 1)]
    by_owner = pilot_board.board(db_session, PilotFilters(owner=(str(board_data["admin"].id),)))
    assert {c.status.value: c.total for c in by_owner if c.total} == {"extended": 1, "failed": 1}


def test_the_timeline_shows_pilots_that_ran_in_the_window(db_session, board_data):
    shown = pilot_board.timeline(db_session, PilotFilters())
    # every pilot with a start date overlapping the last 12 months: planned ones have a planned start
    assert names(shown) == names(board_data["pilots"].values())
    assert [p.start_date for p in shown] == sorted((p.start_date for p in shown), reverse=True)
    assert names(pilot_board.timeline(db_session, PilotFilters(status=("failed",)))) == ["Failed pilot"]
    assert len(pilot_board.timeline(db_session, PilotFilters(), limit=2)) == 2


def test_pilots_started_and_converted_per_month(db_session, board_data):
    months = pilot_board.pilots_per_month(db_session, months=12, today=TODAY)
    assert len(months) == 12
    assert (months[-1].year, months[-1].month) == (TODAY.year, TODAY.month)
    assert sum(m.started for m in months) == 4  # the four that started in the past
    assert sum(m.converted for m in months) == 1
    converted = days(-20)
    assert next(m for m in months if (m.year, m.month) == (converted.year, converted.month)).converted == 1
    started = {(d.year, d.month) for d in (days(-30), days(-60), days(-90), days(-100))}
    assert {(m.year, m.month) for m in months if m.started} == started


def test_dashboard_counts(db_session, board_data):
    counts = pilot_board.pilot_counts(db_session, TODAY)
    assert (counts.running, counts.ending_soon, counts.overdue, counts.planned) == (2, 1, 1, 1)


def test_dashboard_lists_of_pilots_due(db_session, board_data):
    assert [p.name for p in pilot_board.due_pilots(db_session, "soon", today=TODAY)] == ["Ending soon"]
    overdue = pilot_board.due_pilots(db_session, "overdue", today=TODAY)
    assert [(p.name, p.account.name, p.owner.name) for p in overdue] == [
        ("Overdue extension", "Beta Foods", "Admin User")
    ]
    later = pilot_board.due_pilots(db_session, "overdue", today=days(60))
    assert [p.name for p in later] == ["Overdue extension", "Ending soon"]  # the earliest planned end first
    assert [p.name for p in pilot_board.due_pilots(db_session, "overdue", limit=1, today=days(60))] == [
        "Overdue extension"
    ]


@pytest.fixture
def many_ends(db_session: Session) -> list[tuple[date | None, int, str]]:
    """40 pilots in every status, a third without a planned end, ends repeating: (end, id, status)."""
    account = accounts.create_account(db_session, TEST_ACTOR, {"name": "Many"}, today=TODAY)
    now = utcnow()
    statuses = [s.value for s in PilotStatus]
    rows = [
        {
            "account_id": account.id,
            "name": f"P{i:02d}",
            "hypothesis": "",
            "status": statuses[i % len(statuses)],
            "planned_end_date": None if i % 3 == 0 else days(i % 7 - 3),
            "price_reason": "",
            "outcome": "pending",
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(40)
    ]
    db_session.execute(insert(Pilot.__table__), rows)
    db_session.commit()
    return [(p.planned_end_date, p.id, p.status) for p in db_session.scalars(select(Pilot))]


def test_every_page_of_the_table_follows_planned_end_then_id_blanks_last(db_session, many_ends):
    def expected(statuses: tuple[str, ...] = ()) -> list[int]:
        chosen = [p for p in many_ends if not statuses or p[2] in statuses]
        dated = sorted((p for p in chosen if p[0] is not None), key=lambda p: (p[0], p[1]), reverse=True)
        blank = sorted((p for p in chosen if p[0] is None), key=lambda p: p[1], reverse=True)
        return [p[1] for p in dated + blank]

    for statuses in [(), ("active", "extended"), ("planned",)]:
        shown = []
        for number in range(1, 10):
            page = pilot_board.list_pilots(db_session, PilotFilters(status=statuses), page=number, per_page=7)
            shown += [p.id for p in page.items]
        assert shown == expected(statuses)
        assert page.total == len(expected(statuses))
    assert pilot_board.list_pilots(db_session, PilotFilters(status=("planned",)), page=99).items == []


# --- the CSV export --------------------------------------------------------------------------------------


def read_csv(session: Session, filters: PilotFilters) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO("".join(pilot_export.export_rows(session, filters)))))


def test_the_export_lists_the_filtered_pilots_with_neutralised_cells(db_session, board_data):
    rows = read_csv(db_session, PilotFilters())
    assert [r["id"] for r in rows] == [
        str(p.id) for p in sorted(board_data["pilots"].values(), key=lambda p: p.id)
    ]
    assert list(rows[0]) == list(pilot_export.COLUMNS)
    won = next(r for r in rows if r["status"] == "succeeded")
    assert won["name"] == "'=HYPERLINK(won)"  # a spreadsheet would run it
    assert won["hypothesis"] == "'+1 from the CFO"
    assert (won["account"], won["outcome"], won["contract_value"], won["converted_on"]) == (
        "Beta Foods",
        "converted",
        "12000.00",
        days(-20).isoformat(),
    )
    assert (won["criteria"], won["criteria_met"], won["owner"]) == ("1", "1", "")
    active = next(r for r in rows if r["status"] == "active")
    assert (active["owner"], active["criteria_met"], active["end_date"]) == (
        board_data["editor"].email,
        "0",
        "",
    )
    assert [r["name"] for r in read_csv(db_session, PilotFilters(status=("failed", "cancelled")))] == [
        "Failed pilot",
        "Cancelled early",
    ]


def test_an_empty_export_is_just_the_header(db_session):
    assert (
        "".join(pilot_export.export_rows(db_session, PilotFilters()))
        == ",".join(pilot_export.COLUMNS) + "\r\n"
    )
    out = io.StringIO()
    assert pilot_export.export_pilots(db_session, PilotFilters(), out) == 0


def test_the_export_streams_in_chunks(db_session, board_data, monkeypatch):
    monkeypatch.setattr(pilot_export, "CHUNK_ROWS", 4)
    chunks = list(pilot_export.export_rows(db_session, PilotFilters()))
    assert len(chunks) == 3  # header, four rows, two rows
    out = io.StringIO()
    assert pilot_export.export_pilots(db_session, PilotFilters(), out) == 6
    assert out.getvalue() == "".join(chunks)


# --- a fixed number of SQL statements ---------------------------------------------------------------------


def statement_source(app: Flask) -> Engine | Connection:
    """The app's engine, or on PostgreSQL the one connection every test session shares."""
    bind = app.extensions["ecp_db"].session_factory.kw.get("bind")
    return bind if isinstance(bind, Connection) else app.extensions["ecp_db"].engine


STATUSES = [s.value for s in PilotStatus]


def add_pilots(session: Session, start: int, stop: int) -> None:
    """Pilots `start`..`stop`, each on its own account (with an archetype) and owner, by Core inserts, with a
    criterion, a discount and a promise each."""
    now = utcnow()
    archetype_id = session.scalar(select(Archetype.id).order_by(Archetype.id).limit(1))
    session.execute(
        insert(User.__table__),
        [
            {
                "email": f"owner{i}@bulk.example",
                "name": f"Owner {i:04d}",
                "password_hash": "not-a-real-hash",
                "role": "editor",
                "active": True,
                "session_version": 1,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(start, stop)
        ],
    )
    session.execute(
        insert(Account.__table__),
        [
            {
                "name": f"Bulk {i:05d}",
                "name_key": f"bulk {i:05d}",
                "stage": "pilot",
                "notes": "",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(start, stop)
        ],
    )
    account_ids = dict(
        session.execute(
            select(Account.name_key, Account.id).where(
                Account.name_key >= f"bulk {start:05d}", Account.name_key < f"bulk {stop:05d}"
            )
        ).all()
    )
    owner_ids = dict(
        session.execute(select(User.email, User.id).where(User.email.like("%@bulk.example"))).all()
    )
    session.execute(
        insert(account_archetypes),
        [{"account_id": a, "archetype_id": archetype_id} for a in account_ids.values()],
    )
    rows = []
    for i in range(start, stop):
        status = STATUSES[i % len(STATUSES)]
        begun = days(-(i % 300)) if status != "planned" else None
        rows.append(
            {
                "account_id": account_ids[f"bulk {i:05d}"],
                "name": f"Bulk pilot {i:05d}",
                "hypothesis": "",
                "owner_id": owner_ids[f"owner{i}@bulk.example"],
                "start_date": begun,
                "planned_end_date": days(-(i % 300) + 40),
                "end_date": days(-(i % 300) + 35) if status in {"succeeded", "failed", "cancelled"} else None,
                "status": status,
                "price_reason": "",
                "outcome": "converted" if status == "succeeded" else "pending",
                "converted_on": days(-(i % 300) + 36) if status == "succeeded" else None,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
    session.execute(insert(Pilot.__table__), rows)
    pilot_ids = session.scalars(
        select(Pilot.id).where(Pilot.name >= f"Bulk pilot {start:05d}", Pilot.name < f"Bulk pilot {stop:05d}")
    ).all()
    session.execute(
        insert(SuccessCriterion.__table__),
        [
            {
                "pilot_id": p,
                "position": 0,
                "description": "d",
                "metric": "m",
                "target": 1,
                "unit": "",
                "direction": "at_least",
                "actual": 2,
                "met": True,
                "version": 1,
            }
            for p in pilot_ids
        ],
    )
    session.execute(
        insert(Discount.__table__),
        [
            {
                "account_id": a,
                "kind": "percent",
                "amount": 10,
                "list_price": 100,
                "effective_price": 90,
                "value": 10,
                "depth": 10,
                "reason": "bulk",
                "starts_on": days(-5),
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for a in account_ids.values()
        ],
    )
    discount_ids = session.scalars(
        select(Discount.id).where(Discount.account_id.in_(list(account_ids.values())))
    ).all()
    session.execute(
        insert(GiveGet.__table__),
        [
            {
                "discount_id": d,
                "kind": "logo",
                "quantity": 1,
                "due_on": days(-1),
                "note": "",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for d in discount_ids
        ],
    )
    session.commit()


def statements_per_read(app: Flask) -> tuple[dict[str, int], dict[str, Any]]:
    session = app.extensions["ecp_db"].session_factory()
    try:
        counts: dict[str, int] = {}
        shown: dict[str, Any] = {}
        for name, read in READS.items():
            session.expunge_all()
            with counting(app) as statements:
                shown[name] = read(session)
            counts[name] = len(statements)
        return counts, shown
    finally:
        session.close()


READS = {
    "table": lambda s: [
        (p.name, p.account.name, p.owner.name)
        for p in pilot_board.list_pilots(s, PilotFilters(), per_page=50).items
    ],
    "board": lambda s: [
        (c.total, [(p.account.name, p.owner.name) for p in c.pilots])
        for c in pilot_board.board(s, PilotFilters(archetype=("Game changer",)))
    ],
    "timeline": lambda s: [(p.name, p.account.name) for p in pilot_board.timeline(s, PilotFilters())],
    "months": lambda s: pilot_board.pilots_per_month(s),
    "counts": lambda s: pilot_board.pilot_counts(s),
    "ledger": lambda s: discounts.ledger_totals(s),
    "owed": lambda s: [(p.kind, p.discount.account.name) for p in discounts.open_promises(s, limit=20)],
    "discounts": lambda s: [
        (d.account.name, [p.kind for p in d.promises]) for d in discounts.page_discounts(s, per_page=50).items
    ],
    "promises": lambda s: [p.discount.account.name for p in discounts.page_promises(s, per_page=50).items],
    "export": lambda s: sum(1 for _ in pilot_export.export_rows(s, PilotFilters())),
}
BOUNDS = {
    "table": 2,  # a count and the page
    "board": 7,  # the counts and one query per status
    "timeline": 1,
    "months": 2,
    "counts": 1,
    "ledger": 2,
    "owed": 1,
    "discounts": 3,  # a count, the page, the promises
    "promises": 2,
    "export": 1,
}


def test_the_same_statements_for_10_and_300_pilots(app, db_session):
    add_pilots(db_session, 0, 10)
    small, small_shown = statements_per_read(app)
    add_pilots(db_session, 10, 300)
    large, large_shown = statements_per_read(app)
    assert small == large
    assert all(small[name] <= bound for name, bound in BOUNDS.items()), small
    assert (len(small_shown["table"]), len(large_shown["table"])) == (10, 50)
    assert large_shown["counts"].running == 100  # active and extended: 2 of every 6
    assert large_shown["export"] >= 2
    assert large_shown["ledger"].discounts == 300
    assert large_shown["ledger"].value_granted == Decimal(3000)
    assert len(large_shown["promises"]) == 50
