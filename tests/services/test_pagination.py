"""paginate(): one page of a query plus the total; pages are 1-based and a page past the end is empty."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ecp_tracker.models import User
from ecp_tracker.services.shared.pagination import Page, paginate


def add_users(session: Session, n: int) -> list[int]:
    made = [
        User(
            email=f"user{i:02d}@example.com",
            name=f"User {i:02d}",
            role="viewer",
            password_hash="not-a-real-hash",
            active=True,
            session_version=1,
        )
        for i in range(n)
    ]
    session.add_all(made)
    session.commit()
    return [u.id for u in made]


def by_id():
    return select(User).order_by(User.id)


def test_pages_split_the_rows_in_order(db_session):
    ids = add_users(db_session, 7)
    pages = [paginate(db_session, by_id(), page=p, per_page=3) for p in (1, 2, 3)]
    assert [[u.id for u in p.items] for p in pages] == [ids[0:3], ids[3:6], ids[6:7]]
    assert all(p.total == 7 and p.per_page == 3 for p in pages)
    assert [p.page for p in pages] == [1, 2, 3]


def test_page_past_the_end_is_empty_not_an_error(db_session):
    add_users(db_session, 4)
    page = paginate(db_session, by_id(), page=9, per_page=3)
    assert list(page.items) == []
    assert page.total == 4
    assert page.page == 9
    assert page.has_next is False


@pytest.mark.parametrize(("page", "per_page"), [(0, 3), (-5, 0)])
def test_page_and_per_page_are_at_least_one(db_session, page, per_page):
    ids = add_users(db_session, 4)
    result = paginate(db_session, by_id(), page=page, per_page=per_page)
    assert result.page == 1
    assert result.per_page == max(1, per_page)
    assert [u.id for u in result.items] == ids[: result.per_page]


def test_total_respects_the_where_clause(db_session):
    add_users(db_session, 6)
    stmt = select(User).where(User.email.like("user0%")).order_by(User.email)
    page = paginate(db_session, stmt, page=1, per_page=2)
    assert page.total == 6
    stmt = select(User).where(User.email.in_(["user01@example.com", "user03@example.com"])).order_by(User.id)
    page = paginate(db_session, stmt, page=1, per_page=10)
    assert page.total == 2
    assert [u.email for u in page.items] == ["user01@example.com", "user03@example.com"]


def test_empty_result(db_session):
    page = paginate(db_session, by_id(), page=1, per_page=25)
    assert (list(page.items), page.total, page.pages, page.has_prev, page.has_next) == (
        [],
        0,
        1,
        False,
        False,
    )


def test_two_statements_whatever_the_number_of_rows(db_session):
    add_users(db_session, 30)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db_session.get_bind()
    engine = getattr(engine, "engine", engine)
    event.listen(engine, "before_cursor_execute", count)
    try:
        paginate(db_session, by_id(), page=2, per_page=10)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2


@pytest.mark.parametrize(
    ("total", "page", "per_page", "pages", "has_prev", "has_next"),
    [
        (0, 1, 10, 1, False, False),
        (10, 1, 10, 1, False, False),
        (11, 1, 10, 2, False, True),
        (11, 2, 10, 2, True, False),
        (25, 2, 10, 3, True, True),
        (25, 5, 10, 3, True, False),
    ],
)
def test_page_arithmetic(total, page, per_page, pages, has_prev, has_next):
    result = Page(items=[], total=total, page=page, per_page=per_page)
    assert (result.pages, result.has_prev, result.has_next) == (pages, has_prev, has_next)
