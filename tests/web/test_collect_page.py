"""The public collection form at /collect/<token>: no sign-in; unknown, used and expired links get a clear
page; a missing consent tick, over-long input or a filled honeypot are refused with messages and nothing is
saved; the answer is rate-limited and needs the CSRF token; the link reaches nothing but its own request."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from ecp_tracker.models import AuditEvent, Testimonial, TestimonialRequest
from ecp_tracker.services.testimonials import collection_requests as testimonial_requests
from tests.conftest import TEST_ACTOR
from tests.factories.testimonials import make_account, make_contact


def new_link(session, name="Acme Pay", **raw):
    account = make_account(session, name)
    contact = make_contact(session, account)
    made = testimonial_requests.create_request(
        session, TEST_ACTOR, account.id, {"contact_id": contact.id, "message": "Mention the sync?", **raw}
    )
    session.commit()
    return made


def form_data(page: str, **changes) -> dict[str, str]:
    digest = re.search(r'name="statement_digest" type="hidden" value="([^"]+)"', page).group(1)
    return {
        "body": "Our analysts stopped waiting for the nightly batch.",
        "rating": "5",
        "name": "Kim Novak",
        "title": "Head of Data",
        "consent_scope": "public_anonymous",
        "consent": "y",
        "statement_digest": digest,
        "website": "",
        **changes,
    }


def saved(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(Testimonial.id)).where(Testimonial.status == "received"))


def test_a_customer_answers_without_signing_in(client, db_session):
    made = new_link(db_session)
    page = client.get(f"/collect/{made.token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kim Novak, would you share a few words" in html and "Mention the sync?" in html
    assert "I wrote this testimonial myself" in html  # the consent statement, as it will be stored
    assert "Public, anonymous" in html and "Leave this field empty" in html
    assert 'class="topbar"' not in html  # no app menu on the customer's page
    db_session.expire_all()
    assert db_session.get(TestimonialRequest, made.request.id).status == "opened"
    response = client.post(f"/collect/{made.token}", data=form_data(html))
    assert response.status_code == 200 and "Thank you!" in response.get_data(as_text=True)
    t = db_session.get(Testimonial, made.request.testimonial_id)
    db_session.refresh(t)
    assert t.status == "received" and t.consent_scope == "public_anonymous"
    assert t.consent_statement.startswith("I wrote this testimonial myself")


def test_unknown_used_and_expired_links_get_a_clear_page(client, db_session):
    response = client.get("/collect/not-a-real-token-at-all-1234567890")
    assert response.status_code == 404
    assert "This link is not valid" in response.get_data(as_text=True)
    made = new_link(db_session)
    html = client.get(f"/collect/{made.token}").get_data(as_text=True)
    client.post(f"/collect/{made.token}", data=form_data(html))
    used = client.get(f"/collect/{made.token}")
    assert used.status_code == 410 and "already been used" in used.get_data(as_text=True)
    again = client.post(f"/collect/{made.token}", data=form_data(html, body="Second try"))
    assert again.status_code == 410
    expired = new_link(db_session, "Expired Co")
    db_session.get(TestimonialRequest, expired.request.id).expires_at = (
        testimonial_requests.utcnow() - timedelta(seconds=1)
    )
    db_session.commit()
    response = client.get(f"/collect/{expired.token}")
    assert response.status_code == 410 and "This link has expired" in response.get_data(as_text=True)
    assert saved(db_session) == 1


def test_refused_answers_say_why_and_save_nothing(client, db_session):
    made = new_link(db_session)
    html = client.get(f"/collect/{made.token}").get_data(as_text=True)
    before = db_session.scalar(select(func.count(AuditEvent.id)))
    cases = [
        ({"consent": ""}, "Consent: Tick the box to agree to the consent statement"),
        ({"body": "x" * 2001}, "Your testimonial: Please keep it to 2000 characters."),
        ({"name": "x" * 121}, "Your name: Please keep it to 120 characters."),
        ({"body": ""}, "Your testimonial: Write your testimonial."),
        ({"consent_scope": ""}, "Use: Choose how we may use your testimonial."),
        ({"statement_digest": "old"}, "The consent statement was updated while this page was open"),
        ({"website": "https://spam.example"}, "This form was filled in automatically, so nothing was sent"),
    ]
    for changes, message in cases:
        response = client.post(f"/collect/{made.token}", data=form_data(html, **changes))
        assert response.status_code == 422, changes
        assert message in response.get_data(as_text=True).replace("&#39;", "'"), changes
    assert saved(db_session) == 0
    db_session.expire_all()
    assert db_session.scalar(select(func.count(AuditEvent.id))) == before
    assert db_session.get(TestimonialRequest, made.request.id).submissions == 0


def test_the_link_reaches_nothing_else(client, db_session):
    other = new_link(db_session, "Other Co")
    made = new_link(db_session, single_use=True)
    html = client.get(f"/collect/{made.token}").get_data(as_text=True)
    response = client.post(
        f"/collect/{made.token}",
        data=form_data(
            html, status="published", testimonial_id=str(other.request.testimonial_id), account_id="1"
        ),
    )
    assert response.status_code == 200
    mine = db_session.get(Testimonial, made.request.testimonial_id)
    theirs = db_session.get(Testimonial, other.request.testimonial_id)
    db_session.refresh(mine)
    db_session.refresh(theirs)
    assert mine.status == "received" and theirs.status == "requested"
    # the customer is not signed in: every other page still asks for a sign-in
    assert client.get(f"/testimonials/{mine.id}").status_code == 302
    assert client.get("/api/v1/testimonials").status_code == 401


def test_csrf_token_is_required(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    session = app.extensions["ecp_db"].session_factory()
    made = new_link(session)
    client = app.test_client()
    html = client.get(f"/collect/{made.token}").get_data(as_text=True)
    data = form_data(html)
    response = client.post(f"/collect/{made.token}", data=data)
    assert response.status_code == 400 and "did not come from this site" in response.get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(f"/collect/{made.token}", data={**data, "csrf_token": token})
    assert response.status_code == 200 and "Thank you!" in response.get_data(as_text=True)
    session.close()


def test_answers_are_rate_limited(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, COLLECT_RATE_LIMIT="3 per minute")
    session = app.extensions["ecp_db"].session_factory()
    made = new_link(session)
    client = app.test_client()
    html = client.get(f"/collect/{made.token}").get_data(as_text=True)
    statuses = [
        client.post(f"/collect/{made.token}", data=form_data(html, consent="")).status_code for _ in range(4)
    ]
    assert statuses == [422, 422, 422, 429]
    assert client.get(f"/collect/{made.token}").status_code == 200  # reading the form is not limited
    session.close()


def test_the_thank_you_page_names_the_vendor_not_the_customer(client, db_session):
    from ecp_tracker.services.testimonials import settings as testimonial_settings
    from tests.conftest import TEST_ACTOR as ADMIN

    current = testimonial_settings.load_settings(db_session)
    raw = {**current.__dict__, "company_name": "Northwind Analytics"}
    testimonial_settings.save_settings(db_session, ADMIN, raw)
    made = new_link(db_session)
    html = client.get(f"/collect/{made.token}").get_data(as_text=True)
    assert "Northwind Analytics asks you, at Acme Pay" in html
    thanks = client.post(f"/collect/{made.token}", data=form_data(html)).get_data(as_text=True)
    assert "Your testimonial reached the team at Northwind Analytics." in thanks
    assert "Acme Pay&#39;s team" not in thanks and "Acme Pay's team" not in thanks


def test_without_a_company_name_the_pages_say_our_team(client, db_session):
    made = new_link(db_session)
    html = client.get(f"/collect/{made.token}").get_data(as_text=True)
    thanks = client.post(f"/collect/{made.token}", data=form_data(html)).get_data(as_text=True)
    assert "Your testimonial reached our team." in thanks


def test_the_form_asks_for_what_was_requested(client, db_session):
    study = new_link(db_session, "Study Co", kind="case_study")
    html = client.get(f"/collect/{study.token}").get_data(as_text=True)
    assert "would you help us write a case study about your work with us?" in html
    assert "a few words" not in html and ">Your story<" in html
    logo = new_link(db_session, "Logo Co", kind="logo")
    html = client.get(f"/collect/{logo.token}").get_data(as_text=True)
    assert "let us show your company&#39;s logo among our customers" in html
    assert 'name="rating"' not in html  # a logo permission asks for no stars
    answer = form_data(html, body="", rating="")
    thanks = client.post(f"/collect/{logo.token}", data=answer).get_data(as_text=True)
    assert "Your answer reached our team." in thanks
    db_session.expire_all()
    t = db_session.get(Testimonial, logo.request.testimonial_id)
    assert (t.status, t.kind, t.rating) == ("received", "logo", None)
