"""Discounts and the give-to-get ledger: refusals that name the field and write nothing, the derived price,
value and depth, promises (open, overdue, fulfilled) and the ledger totals, worked out by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.errors import Conflict, DomainError, NotFound, StaleEdit, ValidationError
from ecp_tracker.models import Account, AuditEvent, Discount, GiveGet
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.accounts import accounts
from ecp_tracker.services.pilots import discounts, pilots
from tests.conftest import TEST_ACTOR

TODAY = utcnow().date()


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def snapshot(session: Session) -> tuple[Any, ...]:
    session.expire_all()
    return (
        session.scalar(select(func.count(AuditEvent.id))),
        session.execute(select(Discount.id, Discount.amount, Discount.version)).all(),
        session.execute(select(GiveGet.id, GiveGet.fulfilled_on, GiveGet.note, GiveGet.version)).all(),
    )


def refused(
    session: Session,
    call: Callable[[], object],
    field: str | None,
    error: type[DomainError] = ValidationError,
) -> DomainError:
    before = snapshot(session)
    with pytest.raises(error) as caught:
        call()
    if field is not None:
        assert field in caught.value.errors, caught.value.errors
    session.rollback()
    assert snapshot(session) == before
    return caught.value


def make_account(session: Session, name: str) -> Account:
    account = accounts.create_account(session, TEST_ACTOR, {"name": name}, today=TODAY)
    session.commit()
    return account


@pytest.fixture
def account(db_session: Session) -> Account:
    return make_account(db_session, "Acme Analytics")


GOOD = {
    "kind": "percent",
    "amount": "20",
    "list_price": "1000",
    "reason": "Early design partner.",
    "starts_on": days(-30),
    "ends_on": days(335),
}


def grant(session: Session, account: Account, **raw: Any) -> Discount:
    discount = discounts.grant_discount(session, TEST_ACTOR, account.id, {**GOOD, **raw})
    session.commit()
    return discount


def test_granting_stores_the_derived_price_value_and_depth_and_the_promises(db_session, account, people):
    discount = grant(
        db_session,
        account,
        kind="fixed",
        amount="150.50",
        promises=[
            {"kind": "case_study", "due_on": days(60)},
            {"kind": "reference_calls", "due_on": days(30).isoformat(), "quantity": "3"},
        ],
    )
    db_session.expire_all()
    got = discounts.get_discount(db_session, discount.id)
    assert (got.kind, got.amount, got.list_price) == ("fixed", Decimal("150.50"), Decimal("1000.00"))
    # 150.50 / 1,000 = 15.05%: the domain rounds half to even, to 15.0
    assert (got.effective_price, got.value, got.depth) == (
        Decimal("849.50"),
        Decimal("150.50"),
        Decimal("15.0"),
    )
    assert [(p.kind, p.quantity, p.due_on, p.fulfilled_on) for p in got.promises] == [
        ("reference_calls", 3, days(30), None),
        ("case_study", 1, days(60), None),
    ]
    assert got.account.name == "Acme Analytics" and got.granted_by_id is None
    entities = db_session.scalars(select(AuditEvent.entity).order_by(AuditEvent.id)).all()
    assert entities[-3:] == ["discount", "give_get", "give_get"]


def test_a_discount_may_belong_to_one_of_the_accounts_pilots(db_session, account):
    pilot = pilots.create_pilot(db_session, TEST_ACTOR, account.id, {"name": "Pilot"})
    other = make_account(db_session, "Other Co")
    foreign = pilots.create_pilot(db_session, TEST_ACTOR, other.id, {"name": "Their pilot"})
    db_session.commit()
    assert grant(db_session, account, pilot_id=pilot.id).pilot_id == pilot.id
    for wrong in (foreign.id, 999999, "abc"):
        refused(
            db_session,
            lambda wrong=wrong: discounts.grant_discount(
                db_session, TEST_ACTOR, account.id, {**GOOD, "pilot_id": wrong}
            ),
            "pilot_id",
        )


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"amount": "100.5"}, "amount"),  # percent over 100
        ({"kind": "fixed", "amount": "1000.01"}, "amount"),  # fixed above the list price
        ({"ends_on": days(-31)}, "ends_on"),  # ends before it starts
        ({"list_price": "-1"}, "list_price"),
        ({"amount": "-10"}, "amount"),
        ({"kind": "free_period", "amount": "1.5"}, "amount"),
        ({"kind": "free_period", "amount": "48"}, "amount"),
        ({"kind": "coupon"}, "kind"),
        ({"amount": "twenty"}, "amount"),
        ({"amount": None}, "amount"),
        ({"list_price": True}, "list_price"),
        ({"starts_on": None}, "starts_on"),
        ({"starts_on": "01/03/2026"}, "starts_on"),
        ({"reason": "  "}, "reason"),
        ({"promises": [{"kind": "praise", "due_on": days(5)}]}, "promises.0.kind"),
        ({"promises": [{"kind": "logo"}]}, "promises.0.due_on"),
        (
            {
                "promises": [
                    {"kind": "logo", "due_on": days(5)},
                    {"kind": "logo", "due_on": days(5), "quantity": 0},
                ]
            },
            None,
        ),
        ({"promises": [{"kind": "logo", "due_on": days(5), "quantity": "101"}]}, "promises.0.quantity"),
    ],
)
def test_refused_discounts_name_the_field_and_write_nothing(db_session, account, raw, field):
    error = refused(
        db_session,
        lambda: discounts.grant_discount(db_session, TEST_ACTOR, account.id, {**GOOD, **raw}),
        field,
    )
    if field is None:
        assert "promises.1.quantity" in error.errors


def test_every_problem_is_reported_at_once(db_session, account):
    error = refused(
        db_session,
        lambda: discounts.grant_discount(
            db_session,
            TEST_ACTOR,
            account.id,
            {"kind": "percent", "amount": "120", "list_price": "1000", "starts_on": days(0), "reason": ""},
        ),
        None,
    )
    assert set(error.errors) == {"amount", "reason"}


def test_granting_to_a_missing_account(db_session):
    refused(
        db_session, lambda: discounts.grant_discount(db_session, TEST_ACTOR, 999999, GOOD), None, NotFound
    )


def test_promises_added_fulfilled_and_refused(db_session, account):
    discount = grant(db_session, account)
    promise = discounts.add_promise(db_session, TEST_ACTOR, discount.id, {"kind": "logo", "due_on": days(14)})
    db_session.commit()
    refused(
        db_session, lambda: discounts.add_promise(db_session, TEST_ACTOR, discount.id, {"kind": "x"}), "kind"
    )
    refused(
        db_session,
        lambda: discounts.add_promise(
            db_session, TEST_ACTOR, discount.id, {"kind": "logo", "due_on": "soon"}
        ),
        "due_on",
    )
    refused(
        db_session,
        lambda: discounts.add_promise(db_session, TEST_ACTOR, 999999, {"kind": "logo", "due_on": days(1)}),
        None,
        NotFound,
    )
    refused(
        db_session,
        lambda: discounts.fulfil_promise(db_session, TEST_ACTOR, promise.id, fulfilled_on=days(1)),
        "fulfilled_on",
    )
    refused(
        db_session,
        lambda: discounts.fulfil_promise(db_session, TEST_ACTOR, promise.id, version=promise.version + 1),
        "version",
        StaleEdit,
    )
    refused(db_session, lambda: discounts.fulfil_promise(db_session, TEST_ACTOR, 999999), None, NotFound)
    discounts.fulfil_promise(db_session, TEST_ACTOR, promise.id, note=" Logo on the website. ", version=1)
    db_session.commit()
    db_session.expire_all()
    got = db_session.get(GiveGet, promise.id)
    assert (got.fulfilled_on, got.note, got.version) == (TODAY, "Logo on the website.", 2)


@pytest.fixture
def ledger(db_session: Session, account: Account) -> dict[str, Discount]:
    """Four discounts worked by hand (values in brackets):
    all promises kept (200.00), one promise open and overdue (150.50), one open not yet due (2,469.12),
    none promised (9.99)."""
    other = make_account(db_session, "Beta Foods")
    kept = grant(
        db_session,
        account,
        promises=[{"kind": "testimonial", "due_on": days(-20)}, {"kind": "logo", "due_on": days(-10)}],
    )
    for promise in kept.promises:
        discounts.fulfil_promise(db_session, TEST_ACTOR, promise.id, fulfilled_on=days(-12))
    owed = grant(
        db_session,
        account,
        kind="fixed",
        amount="150.50",
        starts_on=days(-60),
        promises=[
            {"kind": "case_study", "due_on": days(-1)},
            {"kind": "reference_calls", "due_on": days(-5)},
        ],
    )
    discounts.fulfil_promise(
        db_session,
        TEST_ACTOR,
        next(p.id for p in owed.promises if p.kind == "reference_calls"),
        fulfilled_on=days(-4),
    )
    waiting = grant(
        db_session,
        other,
        kind="free_period",
        amount="2",
        list_price="1234.56",
        starts_on=days(-400),
        ends_on=None,
        promises=[{"kind": "feedback_sessions", "due_on": days(10), "quantity": 3}],
    )
    nothing = grant(db_session, other, amount="10", list_price="99.90", starts_on=days(-1), promises=[])
    db_session.commit()
    return {"kept": kept, "owed": owed, "waiting": waiting, "nothing": nothing}


def test_the_hand_worked_values(db_session, ledger):
    db_session.expire_all()
    values = {name: db_session.get(Discount, d.id) for name, d in ledger.items()}
    assert (values["waiting"].effective_price, values["waiting"].value, values["waiting"].depth) == (
        Decimal(0),
        Decimal("2469.12"),  # two months of 1,234.56
        Decimal(100),
    )
    assert (values["nothing"].effective_price, values["nothing"].value, values["nothing"].depth) == (
        Decimal("89.91"),  # 99.90 x 0.9
        Decimal("9.99"),
        Decimal("10.0"),
    )


def test_ledger_totals(db_session, ledger):
    totals = discounts.ledger_totals(db_session, TODAY)
    assert totals.discounts == 4
    assert totals.value_granted == Decimal("2829.61")  # 200.00 + 150.50 + 2,469.12 + 9.99
    assert totals.value_with_fulfilled == Decimal("200.00")
    assert totals.value_with_open == Decimal("2619.62")  # 150.50 + 2,469.12
    assert totals.value_without_promise == Decimal("9.99")
    assert (
        totals.value_with_fulfilled + totals.value_with_open + totals.value_without_promise
        == totals.value_granted
    )
    assert (totals.open_promises, totals.overdue_promises) == (2, 1)
    # seen from a later day the waiting promise is overdue too
    assert discounts.ledger_totals(db_session, days(11)).overdue_promises == 2
    # what the dashboard shows, without reading the whole ledger
    assert (
        discounts.page_promises(db_session, overdue_only=True, today=TODAY).total
        == totals.overdue_promises
        == 1
    )
    assert discounts.page_promises(db_session, overdue_only=True, today=days(11)).total == 2


def test_an_empty_ledger(db_session):
    totals = discounts.ledger_totals(db_session, TODAY)
    assert (totals.discounts, totals.value_granted, totals.open_promises, totals.overdue_promises) == (
        0,
        Decimal(0),
        0,
        0,
    )


def test_open_and_overdue_promises(db_session, ledger):
    assert [p.kind for p in discounts.open_promises(db_session)] == ["case_study", "feedback_sessions"]
    assert [p.kind for p in discounts.page_promises(db_session, overdue_only=True).items] == ["case_study"]
    page = discounts.page_promises(db_session, open_only=True)
    assert (page.total, [p.kind for p in page.items]) == (2, ["case_study", "feedback_sessions"])
    assert discounts.page_promises(db_session, overdue_only=True).total == 1
    assert discounts.page_promises(db_session).total == 5
    assert discounts.page_promises(db_session, overdue_only=True, today=days(11)).total == 2
    kept = ledger["kept"]
    assert discounts.page_promises(db_session, discount_id=kept.id).total == 2
    assert discounts.page_promises(db_session, account_id=ledger["waiting"].account_id).total == 1
    first = discounts.page_promises(db_session, per_page=2, page=3)
    assert (first.total, len(first.items), first.page) == (5, 1, 3)


def test_discounts_listed_by_account(db_session, ledger, account):
    page = discounts.page_discounts(db_session)
    assert page.total == 4
    assert page.items[0].id == ledger["nothing"].id  # the latest start first
    mine = discounts.page_discounts(db_session, account_id=account.id)
    assert {d.id for d in mine.items} == {ledger["kept"].id, ledger["owed"].id}
    assert [d.id for d in discounts.discounts_of_account(db_session, account.id)] == [
        ledger["kept"].id,
        ledger["owed"].id,
    ]


def test_value_granted_between(db_session, ledger):
    assert discounts.value_granted_between(db_session, days(-30), days(1)) == Decimal("209.99")  # 200 + 9.99
    assert discounts.value_granted_between(db_session, days(-1000), days(-100)) == Decimal("2469.12")


def test_a_promise_is_fulfilled_once(db_session):
    account = accounts.create_account(db_session, TEST_ACTOR, {"name": "Once Co"})
    discount = discounts.grant_discount(
        db_session,
        TEST_ACTOR,
        account.id,
        {
            "kind": "percent",
            "amount": "10",
            "list_price": "100",
            "starts_on": "2026-01-01",
            "reason": "early adopter",
            "promises": [{"kind": "logo", "due_on": "2026-02-01"}],
        },
    )
    promise = discount.promises[0]
    discounts.fulfil_promise(db_session, TEST_ACTOR, promise.id, fulfilled_on=date(2026, 1, 20))
    db_session.commit()
    with pytest.raises(Conflict):
        discounts.fulfil_promise(db_session, TEST_ACTOR, promise.id, fulfilled_on=date(2026, 3, 1))
    db_session.rollback()
    assert db_session.get(type(promise), promise.id).fulfilled_on == date(2026, 1, 20)
