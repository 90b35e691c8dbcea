"""Discount pages: granting a discount with its give-to-get promises, refusals naming the field, the ledger
totals, what is owed and overdue, marking a promise fulfilled, adding a promise later."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import AuditEvent, Discount, GiveGet
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.pilots import discounts
from tests.conftest import TEST_ACTOR
from tests.factories.pilots import make_account, make_pilot

TODAY = utcnow().date()


def audit_count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(AuditEvent.id)))


def grant(session, account, *, amount="20", list_price="1000", kind="percent", promises=(), starts_on=None):
    discount = discounts.grant_discount(
        session,
        TEST_ACTOR,
        account.id,
        {
            "kind": kind,
            "amount": amount,
            "list_price": list_price,
            "reason": "Design partner",
            "starts_on": (starts_on or TODAY).isoformat(),
            "promises": [{"kind": k, "due_on": d.isoformat()} for k, d in promises],
        },
    )
    session.commit()
    return discount


FORM = {
    "kind": "percent",
    "amount": "20",
    "list_price": "2000",
    "reason": "First design partner in fintech",
    "starts_on": TODAY.isoformat(),
    "ends_on": "",
    "promises-0-kind": "testimonial",
    "promises-0-due_on": (TODAY + timedelta(days=30)).isoformat(),
    "promises-1-kind": "",
    "promises-1-due_on": "",
    "promises-2-kind": "reference_calls",
    "promises-2-due_on": (TODAY + timedelta(days=60)).isoformat(),
    "promises-2-quantity": "2",
}


def test_editor_grants_a_discount_with_promises(client_as, db_session):
    account = make_account(db_session)
    pilot = make_pilot(db_session, account)
    editor = client_as(Role.EDITOR)
    form = editor.get(f"/accounts/{account.id}/discounts/new?pilot_id={pilot.id}").get_data(as_text=True)
    assert f'<option selected value="{pilot.id}">' in form or f'value="{pilot.id}" selected' in form
    response = editor.post(f"/accounts/{account.id}/discounts/new", data={**FORM, "pilot_id": str(pilot.id)})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == f"/accounts/{account.id}#discounts"
    discount = db_session.scalar(select(Discount))
    assert (discount.pilot_id, discount.depth, discount.value) == (
        pilot.id,
        Decimal("20.0"),
        Decimal("400.00"),
    )
    assert [(p.kind, p.quantity) for p in discount.promises] == [("testimonial", 1), ("reference_calls", 2)]
    page = editor.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert "20% off" in page and "2,000.00 → 1,600.00" in page
    assert "reference calls \N{MULTIPLICATION SIGN}2" in page and "owed by" in page
    pilot_page = editor.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert "20% off" in pilot_page and "testimonial" in pilot_page
    picker = editor.get("/discounts/new?q=kumo").get_data(as_text=True)
    assert f"/accounts/{account.id}/discounts/new" in picker


def test_bad_discounts_are_refused_naming_the_field_and_write_nothing(client_as, db_session):
    account = make_account(db_session)
    other = make_pilot(db_session, make_account(db_session, "Other Co"))
    editor = client_as(Role.EDITOR)
    before = audit_count(db_session)
    cases = [
        ({"amount": "120"}, "Amount: A percent discount cannot be over 100."),
        ({"ends_on": (TODAY - timedelta(days=1)).isoformat()}, "Ends: The end cannot be before the start."),
        ({"list_price": "-5"}, "List price: The list price cannot be negative."),
        (
            {"kind": "fixed", "amount": "5000"},
            "Amount: A fixed discount cannot be larger than the list price.",
        ),
        ({"reason": ""}, "Reason: Say why the discount was granted."),
        ({"pilot_id": str(other.id)}, "That pilot is not one of this account"),
        ({"promises-0-due_on": ""}, "Give the date."),
        ({"promises-2-quantity": "abc"}, "Quantity is a whole number from 1 to 100."),
        ({"promises-2-quantity": "\u00b2"}, "Quantity is a whole number from 1 to 100."),  # '²'.isdigit()
    ]
    for change, message in cases:
        data = {**FORM, **change}
        if "pilot_id" in change:  # an option the form does not offer: the service still checks it
            response = editor.post(f"/accounts/{account.id}/discounts/new", data=data)
            assert response.status_code == 422, change
            continue
        response = editor.post(f"/accounts/{account.id}/discounts/new", data=data)
        assert response.status_code == 422, change
        assert message in response.get_data(as_text=True), change
    assert db_session.scalar(select(func.count(Discount.id))) == 0
    assert db_session.scalar(select(func.count(GiveGet.id))) == 0
    assert audit_count(db_session) == before


def test_a_promise_row_error_sits_on_that_row(client_as, db_session):
    account = make_account(db_session)
    response = client_as(Role.EDITOR).post(
        f"/accounts/{account.id}/discounts/new", data={**FORM, "promises-2-due_on": "2027-13-45"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    row = page[page.index('id="promises-2-due_on"') - 400 : page.index('id="promises-2-due_on"') + 400]
    assert "has-error" in row and "YYYY-MM-DD" in page


def test_the_ledger_adds_up_value_against_promises(client_as, db_session):
    acme, bolt, crane = (make_account(db_session, n) for n in ("Acme", "Bolt", "Crane"))
    kept = grant(db_session, acme, promises=[("testimonial", TODAY - timedelta(days=10))])  # 200.00
    discounts.fulfil_promise(db_session, TEST_ACTOR, kept.promises[0].id, note="Quote approved")
    db_session.commit()
    grant(db_session, bolt, amount="50", promises=[("logo", TODAY - timedelta(days=4))])  # 500.00, overdue
    grant(db_session, crane, kind="fixed", amount="100")  # 100.00, nothing in return
    page = client_as(Role.VIEWER).get("/discounts/").get_data(as_text=True)
    totals = discounts.ledger_totals(db_session)
    assert (totals.value_granted, totals.value_with_fulfilled, totals.value_with_open) == (
        Decimal("800.00"),
        Decimal("200.00"),
        Decimal("500.00"),
    )
    for number, label in (
        ("800", "value granted in all"),
        ("200", "bought promises now fulfilled (25%)"),
        ("500", "bought promises still open (62%)"),
        ("100", "bought nothing in return (12%)"),
        ("1", "promises open"),
        ("1", "of them overdue"),
    ):
        assert f'<span class="tile-number">{number}</span><span class="tile-label">{label}' in page, label
    owed = page[page.index('id="owed"') : page.index('id="granted"')]
    assert "Bolt" in owed and "overdue 4 d" in owed and "Acme" not in owed
    assert "Fulfilled" not in owed  # viewers see no buttons
    granted = page[page.index('id="granted"') :]
    assert "nothing promised in return" in granted and "Quote approved" in granted


def test_marking_a_promise_fulfilled(client_as, db_session):
    discount = grant(
        db_session, make_account(db_session), promises=[("case_study", TODAY - timedelta(days=1))]
    )
    promise = discount.promises[0]
    editor = client_as(Role.EDITOR)
    page = editor.get("/discounts/").get_data(as_text=True)
    assert f"/discounts/promises/{promise.id}/fulfil" in page
    before = audit_count(db_session)
    prefix = f"promise{promise.id}-"
    future = editor.post(
        f"/discounts/promises/{promise.id}/fulfil",
        data={prefix + "fulfilled_on": (TODAY + timedelta(days=3)).isoformat(), prefix + "note": "later"},
    )
    assert future.status_code == 422
    assert "not in the future" in future.get_data(as_text=True)
    assert audit_count(db_session) == before
    done = editor.post(
        f"/discounts/promises/{promise.id}/fulfil",
        data={prefix + "fulfilled_on": TODAY.isoformat(), prefix + "note": "Published on the blog"},
    )
    assert done.status_code == 302
    db_session.expire_all()
    promise = db_session.get(GiveGet, promise.id)
    assert (promise.fulfilled_on, promise.note) == (TODAY, "Published on the blog")
    assert "Nothing is owed." in editor.get("/discounts/").get_data(as_text=True)
    missing = editor.post("/discounts/promises/999999/fulfil", data={})
    assert missing.status_code == 404 and "no promise with id 999999" in missing.get_data(as_text=True)


def test_adding_a_promise_to_a_discount_later(client_as, db_session):
    account = make_account(db_session)
    discount = grant(db_session, account)
    editor = client_as(Role.EDITOR)
    assert editor.get(f"/discounts/{discount.id}/promises/new").status_code == 200
    bad = editor.post(f"/discounts/{discount.id}/promises/new", data={"kind": "logo", "due_on": ""})
    assert bad.status_code == 422 and "Give the date." in bad.get_data(as_text=True)
    response = editor.post(
        f"/discounts/{discount.id}/promises/new", data={"kind": "logo", "due_on": "2027-03-01"}
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert [p.kind for p in db_session.get(Discount, discount.id).promises] == ["logo"]


def test_viewer_cannot_grant_or_fulfil(client_as, db_session):
    account = make_account(db_session)
    discount = grant(db_session, account, promises=[("logo", TODAY)])
    viewer = client_as(Role.VIEWER)
    before = audit_count(db_session)
    assert viewer.get(f"/accounts/{account.id}/discounts/new").status_code == 403
    assert viewer.post(f"/accounts/{account.id}/discounts/new", data=FORM).status_code == 403
    assert viewer.post(f"/discounts/promises/{discount.promises[0].id}/fulfil", data={}).status_code == 403
    assert viewer.post(f"/discounts/{discount.id}/promises/new", data={"kind": "logo"}).status_code == 403
    assert audit_count(db_session) == before
    assert "Grant a discount" not in viewer.get(f"/accounts/{account.id}").get_data(as_text=True)
