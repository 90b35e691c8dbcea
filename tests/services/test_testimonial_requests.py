"""Collection requests: an unguessable token stored only as a hash, opened / submitted / expired, single use
by default, the customer's answer checked before anything is written (consent tick, the statement they saw,
lengths), fresh links for reminders, and the follow-up list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ecp_tracker.domain.errors import Conflict, InvalidFields, NotFound
from ecp_tracker.domain.testimonials import LinkUnavailable, statement_digest
from ecp_tracker.models import AuditEvent, GiveGet, Testimonial, TestimonialRequest
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.pilots import discounts
from ecp_tracker.services.testimonials import collection_requests as testimonial_requests
from ecp_tracker.services.testimonials import settings as testimonial_settings
from tests.conftest import TEST_ACTOR
from tests.factories.testimonials import make_account, make_contact
from tests.helpers import audit_count

NOW = utcnow()


def answer(session, **changes):
    statement = testimonial_settings.load_settings(session).consent_statement
    return {
        "body": "Our analysts stopped waiting for the nightly batch.",
        "rating": "5",
        "name": "Kim Novak",
        "title": "Head of Data",
        "consent_scope": "public_named",
        "consent": "y",
        "statement_digest": statement_digest(statement),
        **changes,
    }


def make_request(session, account=None, **raw):
    account = account or make_account(session)
    made = testimonial_requests.create_request(session, TEST_ACTOR, account.id, raw)
    session.commit()
    return made


def test_the_token_is_random_and_only_its_hash_is_stored(db_session):
    account = make_account(db_session)
    contact = make_contact(db_session, account)
    first = make_request(db_session, account, contact_id=contact.id, message="Mention the warehouse sync?")
    second = make_request(db_session, account)
    assert first.token != second.token and len(first.token) >= 40
    row = db_session.get(TestimonialRequest, first.request.id)
    assert row.token_hash == testimonial_requests.digest(first.token)
    assert first.token not in repr([getattr(row, c.key) for c in TestimonialRequest.__table__.columns])
    events = db_session.scalars(select(AuditEvent)).all()
    assert all(first.token not in repr(e.changes) for e in events)
    assert row.status == "created" and row.single_use
    assert row.expires_at - row.link_made_at == timedelta(days=30)
    placeholder = db_session.get(Testimonial, row.testimonial_id)
    assert placeholder.status == "requested" and placeholder.contact_id == contact.id
    assert placeholder.author_name == "Kim Novak" and placeholder.source == "collection link"


def test_opening_marks_the_request_opened_once(db_session):
    made = make_request(db_session)
    page = testimonial_requests.open_form(db_session, made.token)
    db_session.commit()
    row = db_session.get(TestimonialRequest, made.request.id)
    assert row.status == "opened" and row.opened_at is not None
    assert page.statement == testimonial_settings.DEFAULTS.consent_statement
    assert page.digest == statement_digest(page.statement)
    opened_at = row.opened_at
    testimonial_requests.open_form(db_session, made.token)
    db_session.commit()
    assert db_session.get(TestimonialRequest, made.request.id).opened_at == opened_at


@pytest.mark.parametrize("token", ["", "short", "x" * 43, "a/b" * 20, "' OR 1=1 --" * 5])
def test_unknown_tokens_are_not_found(db_session, token):
    make_request(db_session)
    with pytest.raises(NotFound):
        testimonial_requests.open_form(db_session, token)


def test_expired_and_used_links_are_refused(db_session):
    made = make_request(db_session, valid_days="2")
    with pytest.raises(LinkUnavailable, match="expired"):
        testimonial_requests.open_form(db_session, made.token, now=made.request.expires_at)
    assert testimonial_requests.effective_status(made.request, made.request.expires_at).value == "expired"
    assert testimonial_requests.open_form(
        db_session, made.token, now=made.request.expires_at - timedelta(seconds=1)
    )
    testimonial_requests.submit(db_session, made.token, answer(db_session))
    db_session.commit()
    with pytest.raises(LinkUnavailable, match="already been used"):
        testimonial_requests.open_form(db_session, made.token)
    with pytest.raises(LinkUnavailable):
        testimonial_requests.submit(db_session, made.token, answer(db_session))


def test_submitting_fills_the_requested_testimonial_with_consent(db_session):
    account = make_account(db_session)
    discount = discounts.grant_discount(
        db_session,
        TEST_ACTOR,
        account.id,
        {
            "kind": "percent",
            "amount": "30",
            "list_price": "900",
            "reason": "Early adopter",
            "starts_on": NOW.date(),
            "promises": [{"kind": "testimonial", "due_on": NOW.date() + timedelta(days=20)}],
        },
    )
    made = make_request(db_session, account, promise_id=discount.promises[0].id)
    testimonial_requests.open_form(db_session, made.token)
    made_testimonial = testimonial_requests.submit(db_session, made.token, answer(db_session))
    db_session.commit()
    t = db_session.get(Testimonial, made_testimonial.id)
    assert t.id == made.request.testimonial_id  # the requested one, not a new one
    assert t.status == "received" and t.original_body == t.body
    assert (t.rating, t.author_name, t.author_title) == (5, "Kim Novak", "Head of Data")
    assert t.consent_scope == "public_named" and t.consented_by == "Kim Novak"
    assert t.consent_statement == testimonial_settings.DEFAULTS.consent_statement
    assert t.consented_on == NOW.date() and t.consent_expires_on.year == NOW.date().year + 2
    assert [s.by_label for s in t.steps][-1] == "customer (collection link)"
    row = db_session.get(TestimonialRequest, made.request.id)
    assert row.status == "submitted" and row.submissions == 1 and row.submitted_at is not None
    db_session.expire_all()
    assert db_session.get(GiveGet, discount.promises[0].id).fulfilled_on == NOW.date()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"consent": ""}, "consent"),
        ({"statement_digest": "an-older-statement"}, "consent"),
        ({"body": ""}, "body"),
        ({"body": "x" * 2001}, "body"),
        ({"name": "x" * 121}, "name"),
        ({"name": " "}, "name"),
        ({"title": "x" * 121}, "title"),
        ({"rating": "7"}, "rating"),
        ({"consent_scope": "everywhere"}, "consent_scope"),
    ],
)
def test_a_bad_answer_names_the_field_and_writes_nothing(db_session, changes, field):
    made = make_request(db_session)
    before = audit_count(db_session)
    with pytest.raises(InvalidFields) as caught:
        testimonial_requests.submit(db_session, made.token, answer(db_session, **changes))
    db_session.rollback()
    assert field in caught.value.errors
    assert audit_count(db_session) == before
    assert db_session.get(TestimonialRequest, made.request.id).submissions == 0


def test_extra_fields_in_an_answer_change_nothing_else(db_session):
    other = make_request(db_session, make_account(db_session, "Other Co"))
    made = make_request(db_session)
    t = testimonial_requests.submit(
        db_session,
        made.token,
        answer(db_session, status="published", account_id=other.request.account_id, testimonial_id=1, id=1),
    )
    db_session.commit()
    assert t.status == "received" and t.account_id == made.request.account_id
    assert db_session.get(Testimonial, other.request.testimonial_id).status == "requested"


def test_a_link_for_several_people(db_session):
    made = make_request(db_session, single_use="false")
    first = testimonial_requests.submit(db_session, made.token, answer(db_session))
    second = testimonial_requests.submit(db_session, made.token, answer(db_session, name="Sam Okafor"))
    db_session.commit()
    assert first.id != second.id and second.author_name == "Sam Okafor" and second.status == "received"
    assert db_session.get(TestimonialRequest, made.request.id).submissions == 2
    with pytest.raises(LinkUnavailable, match="expired"):
        testimonial_requests.submit(db_session, made.token, answer(db_session), now=NOW + timedelta(days=31))


def test_a_new_link_replaces_the_old_one(db_session):
    made = make_request(db_session)
    renewed = testimonial_requests.new_link(db_session, TEST_ACTOR, made.request.id)
    db_session.commit()
    with pytest.raises(NotFound):
        testimonial_requests.open_form(db_session, made.token)
    assert testimonial_requests.open_form(db_session, renewed.token).request.id == made.request.id
    assert db_session.get(TestimonialRequest, made.request.id).reminders == 1
    testimonial_requests.submit(db_session, renewed.token, answer(db_session))
    db_session.commit()
    with pytest.raises(Conflict):
        testimonial_requests.new_link(db_session, TEST_ACTOR, made.request.id)


def test_stopping_a_link(db_session):
    made = make_request(db_session)
    testimonial_requests.expire_request(db_session, TEST_ACTOR, made.request.id)
    db_session.commit()
    with pytest.raises(LinkUnavailable):
        testimonial_requests.open_form(db_session, made.token)
    with pytest.raises(Conflict):
        testimonial_requests.expire_request(db_session, TEST_ACTOR, made.request.id)
    assert db_session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "expire")) == 1


def test_bad_request_input_names_the_field(db_session):
    account = make_account(db_session)
    with pytest.raises(InvalidFields) as caught:
        testimonial_requests.create_request(
            db_session, TEST_ACTOR, account.id, {"valid_days": "0", "message": "x" * 2001, "kind": "poem"}
        )
    assert set(caught.value.errors) == {"valid_days", "message", "kind"}
    db_session.rollback()
    assert db_session.scalar(select(func.count(Testimonial.id))) == 0


def test_follow_ups_list_requests_unanswered_for_the_set_days(db_session):
    account = make_account(db_session)
    old = make_request(db_session, account)
    answered = make_request(db_session, account)
    fresh = make_request(db_session, account)
    stopped = make_request(db_session, account)
    for made in (old, answered, stopped):
        db_session.get(TestimonialRequest, made.request.id).link_made_at = NOW - timedelta(days=8)
    db_session.commit()
    testimonial_requests.submit(db_session, answered.token, answer(db_session))
    testimonial_requests.expire_request(db_session, TEST_ACTOR, stopped.request.id)
    db_session.commit()
    assert [r.id for r in testimonial_requests.follow_ups(db_session)] == [old.request.id]
    assert fresh.request.id not in [r.id for r in testimonial_requests.follow_ups(db_session, days=30)]
    statuses = {
        status: [r.id for r in testimonial_requests.page_requests(db_session, status=status).items]
        for status in ("created", "submitted", "expired")
    }
    assert statuses == {
        "created": [fresh.request.id, old.request.id],
        "submitted": [answered.request.id],
        "expired": [stopped.request.id],
    }


def test_two_answers_at_the_same_moment_to_a_single_use_link_count_once(db_session):
    """The second answer read the link before the first one was counted: the atomic claim still refuses it."""
    from sqlalchemy import update

    from ecp_tracker.models import TestimonialRequest

    made = make_request(db_session)
    testimonial_requests.open_form(db_session, made.token)
    # another request counts its answer between our check and our write (the ORM object here still says 0)
    db_session.execute(
        update(TestimonialRequest)
        .where(TestimonialRequest.id == made.request.id)
        .values(submissions=1)
        .execution_options(synchronize_session=False)
    )
    assert made.request.submissions == 0
    with pytest.raises(LinkUnavailable, match="already been used"):
        testimonial_requests.submit(db_session, made.token, answer(db_session))


def test_follow_ups_come_a_page_at_a_time_with_their_true_total(db_session):
    account = make_account(db_session)
    made = [make_request(db_session, account) for _ in range(5)]
    for number, each in enumerate(made):
        db_session.get(TestimonialRequest, each.request.id).link_made_at = NOW - timedelta(days=20 - number)
    db_session.commit()
    second = testimonial_requests.page_follow_ups(db_session, page=2, per_page=2)
    assert second.total == 5
    assert [r.id for r in second.items] == [made[2].request.id, made[3].request.id]  # oldest link first


def test_the_e_mail_asks_for_what_was_requested_and_signs_with_the_vendor():
    from datetime import date

    from ecp_tracker.services.testimonials.mail import compose

    common = {"to": "kim@acme.example", "person": "Kim Novak", "company": "Acme Pay", "link": "https://x/c/1"}
    quote = compose(**common, expires_on=date(2026, 6, 1), sender="Ada Park", vendor="Northwind Analytics")
    assert quote.subject == "A few words about working with us?"
    assert "As Acme Pay works with Northwind Analytics, would you share a few words" in quote.body
    assert quote.body.endswith("Ada Park\nNorthwind Analytics")
    study = compose(**common, expires_on=date(2026, 6, 1), kind="case_study")
    assert study.subject == "A case study about your work with us?"
    assert "a few words" not in study.body and "help us write a case study" in study.body
    reminder = compose(**common, expires_on=date(2026, 6, 1), kind="reference", reminder=True)
    assert reminder.subject == "Reminder: would you be a reference for us"
