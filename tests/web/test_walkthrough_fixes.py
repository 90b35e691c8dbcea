"""Small things a new user met on the walk-through: the favicon."""

from __future__ import annotations

import re


def test_favicon_ico_answers_without_a_session(client, db_session):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.headers["Location"].endswith("/static/favicon.svg")
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    icon.close()


def test_promise_rows_are_labelled_by_row_for_screen_readers(client_as, db_session):
    from ecp_tracker.domain.roles import Role
    from ecp_tracker.services.accounts import accounts
    from tests.conftest import TEST_ACTOR

    account = accounts.create_account(db_session, TEST_ACTOR, {"name": "Kumo Logistics"})
    db_session.commit()
    page = client_as(Role.EDITOR).get(f"/accounts/{account.id}/discounts/new").get_data(as_text=True)
    labels = re.findall(r'class="visually-hidden">([^<]+), promise (\d+)</label>', page)
    first_row = [label for label, number in labels if number == "1"]
    assert len(first_row) == 3 and len(set(first_row)) == 3  # kind, due date and quantity of promise 1
    assert {number for _, number in labels} >= {"1", "2"}
    assert ", promise 3" not in page.split("promise 2")[0]  # no column numbers in the first row


def test_a_testimonials_promise_section_never_says_none_beside_the_promise_it_delivers(client_as, db_session):
    from datetime import timedelta

    from ecp_tracker.domain.roles import Role
    from ecp_tracker.services.pilots import discounts
    from ecp_tracker.services.testimonials import testimonials
    from tests.conftest import TEST_ACTOR
    from tests.services.test_testimonials import TODAY, make_account

    account = make_account(db_session)
    due = TODAY + timedelta(days=30)
    discount = discounts.grant_discount(
        db_session,
        TEST_ACTOR,
        account.id,
        {
            "kind": "percent",
            "amount": "20",
            "list_price": "1000",
            "reason": "Design partner",
            "starts_on": TODAY,
            "promises": [{"kind": "testimonial", "due_on": due}, {"kind": "case_study", "due_on": due}],
        },
    )
    db_session.commit()
    promise = next(p for p in discount.promises if p.kind == "testimonial")
    made = testimonials.create_testimonial(
        db_session, TEST_ACTOR, account.id, {"promise_id": promise.id, "body": "Fast.", "kind": "quote"}
    )
    db_session.commit()
    page = client_as(Role.EDITOR).get(f"/testimonials/{made.id}").get_data(as_text=True)
    section = page[page.index('id="promises"') : page.index("</section>", page.index('id="promises"'))]
    assert "fulfilled" in section
    assert ">None<" not in section and "Also delivers" in section
