"""Testimonial pages: the library with filters, a testimonial's page, recording and editing (messages naming
the field, a stale edit refused), status changes, consent recorded and withdrawn, usage with the fatigue
warning, requests and their one-time link, follow-ups, collections with the embed snippet, proof coverage,
settings (admins only), the CSV export, the account page section and the dashboard tiles."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import AuditEvent, Collection, Testimonial, TestimonialRequest
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.testimonials import collection_requests as testimonial_requests
from ecp_tracker.services.testimonials import testimonials
from tests.conftest import TEST_ACTOR
from tests.factories.testimonials import TODAY, make_account, make_contact, make_testimonial, public_consent


def fresh(session, model, record_id):
    session.expire_all()
    return session.get(model, record_id)


def audit_count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(AuditEvent.id)))


def text(response) -> str:
    return response.get_data(as_text=True)


def test_pages_render_for_a_viewer(client_as, db_session):
    account = make_account(db_session)
    t = make_testimonial(db_session, account, use_cases=["Sync"], **public_consent())
    asked = testimonial_requests.create_request(db_session, TEST_ACTOR, account.id, {})
    db_session.commit()
    viewer = client_as(Role.VIEWER)
    for path in (
        "/testimonials/",
        f"/testimonials/{t.id}",
        "/testimonials/coverage",
        "/testimonials/requests/",
        "/testimonials/requests/follow-ups",
        f"/testimonials/requests/{asked.request.id}",
        "/testimonials/collections/",
        f"/accounts/{account.id}",
        "/",
    ):
        response = viewer.get(path)
        assert response.status_code == 200, (path, response.status_code)
    page = text(viewer.get("/testimonials/"))
    assert "Pipelines went from hours to minutes." in page
    assert "Ask for a testimonial" not in page  # viewers get no write buttons
    assert 'aria-current="page">Testimonials' in page  # the menu entry is lit
    assert viewer.get("/testimonials/settings").status_code == 403


def test_library_filters_and_search(client_as, db_session):
    account = make_account(db_session)
    make_testimonial(db_session, account, body="Dashboards are fast now.")
    make_testimonial(db_session, account, body="Support was friendly.", rating="2")
    page = text(client_as(Role.VIEWER).get("/testimonials/?q=fast"))
    assert "Dashboards are fast now." in page and "Support was friendly." not in page
    page = text(client_as(Role.VIEWER).get("/testimonials/?rating=9&status=lost"))
    assert "Filter ignored" in page and "Support was friendly." in page


def test_recording_a_testimonial_and_bad_input(client_as, db_session):
    account = make_account(db_session)
    contact = make_contact(db_session, account)
    editor = client_as(Role.EDITOR)
    assert "Record a testimonial from Acme Pay" in text(
        editor.get(f"/accounts/{account.id}/testimonials/new")
    )
    before = audit_count(db_session)
    response = editor.post(
        f"/accounts/{account.id}/testimonials/new",
        data={
            "status": "received",
            "kind": "quote",
            "body": "",
            "rating": "",
            "consent_scope": "public_named",
        },
    )
    assert response.status_code == 422
    page = text(response)
    assert "The customer&#39;s words: Write the customer&#39;s words" in page
    assert "Consent given by: Say who gave the consent" in page
    assert audit_count(db_session) == before
    response = editor.post(
        f"/accounts/{account.id}/testimonials/new",
        data={
            "status": "received",
            "kind": "quote",
            "contact_id": str(contact.id),
            "body": "We ship twice as fast.",
            "rating": "5",
            "use_cases": "Sync, Reporting",
            "consent_scope": "public_named",
            "consented_by": "Kim Novak",
            "consented_on": TODAY.isoformat(),
            "consent_statement": "You may quote me.",
        },
    )
    assert response.status_code == 302, text(response)
    t = db_session.scalars(select(Testimonial)).one()
    assert response.headers["Location"].endswith(f"/testimonials/{t.id}")
    assert (t.status, t.consent_scope, t.rating, t.author_name) == (
        "received",
        "public_named",
        5,
        "Kim Novak",
    )


def test_workflow_buttons_and_publish_refusal(client_as, db_session):
    t = make_testimonial(db_session, make_account(db_session))
    editor = client_as(Role.EDITOR)
    assert editor.post(f"/testimonials/{t.id}/status", data={"to": "approved"}).status_code == 302
    response = editor.post(f"/testimonials/{t.id}/status", data={"to": "published"})
    assert response.status_code == 422
    assert "It cannot be published: the consent scope is internal only" in text(response)
    assert fresh(db_session, Testimonial, t.id).status == "approved"
    page = text(editor.get(f"/testimonials/{t.id}"))
    assert "received → <strong>approved</strong>" in page and "<td>Editor User</td>" in page


def test_editing_an_approved_quote_shows_the_original(client_as, db_session):
    t = make_testimonial(db_session, make_account(db_session), status=["approved"])
    version = fresh(db_session, Testimonial, t.id).version
    editor = client_as(Role.EDITOR)
    form = {"kind": "quote", "body": "Hours to minutes.", "rating": "", "version": str(version)}
    response = editor.post(f"/testimonials/{t.id}/edit", data=form)
    assert response.status_code == 422
    assert "Why the text changes: Say why the approved text changes" in text(response)
    response = editor.post(f"/testimonials/{t.id}/edit", data={**form, "edit_reason": "Shorter"})
    assert response.status_code == 302
    page = text(editor.get(f"/testimonials/{t.id}"))
    assert "Text in use" in page and "The customer's original words" in page
    assert "Pipelines went from hours to minutes." in page and "Hours to minutes." in page
    # someone else's tab still has the old version: refused, nothing overwritten
    stale = editor.post(f"/testimonials/{t.id}/edit", data={**form, "body": "Other.", "edit_reason": "x"})
    assert stale.status_code == 409
    assert "changed by someone else" in text(stale)
    assert fresh(db_session, Testimonial, t.id).body == "Hours to minutes."


def test_consent_recorded_and_withdrawn(client_as, db_session):
    t = make_testimonial(db_session, make_account(db_session), status=["approved"])
    editor = client_as(Role.EDITOR)
    version = fresh(db_session, Testimonial, t.id).version
    response = editor.post(
        f"/testimonials/{t.id}/consent",
        data={
            "consent_scope": "public_named",
            "consented_by": "",
            "consented_on": "yesterday",
            "consent_statement": "OK",
            "version": str(version),
        },
    )
    assert response.status_code == 422
    page = text(response)
    assert "Given by: Say who gave it." in page
    response = editor.post(
        f"/testimonials/{t.id}/consent",
        data={
            "consent_scope": "public_named",
            "consented_by": "Kim Novak",
            "consented_on": "2026-13-01",
            "consent_statement": "OK",
            "version": str(version),
        },
    )
    assert "Given on: Write the date as YYYY-MM-DD" in text(response)
    response = editor.post(
        f"/testimonials/{t.id}/consent",
        data={
            "consent_scope": "public_named",
            "consented_by": "Kim Novak",
            "consented_on": TODAY.isoformat(),
            "consent_statement": "You may quote me.",
            "version": str(version),
        },
    )
    assert response.status_code == 302
    assert editor.post(f"/testimonials/{t.id}/status", data={"to": "published"}).status_code == 302
    response = editor.post(f"/testimonials/{t.id}/withdraw-consent", data={"note": "call"})
    assert response.status_code == 422 and "Tick the box" in text(response)
    response = editor.post(f"/testimonials/{t.id}/withdraw-consent", data={"note": "call", "confirm": "y"})
    assert response.status_code == 302
    row = fresh(db_session, Testimonial, t.id)
    assert row.consent_withdrawn_on == TODAY and row.status == "retired"


def test_usage_log_and_fatigue_warning(app_factory, db_session, client_as):
    t = make_testimonial(
        db_session, make_account(db_session), status=["approved", "published"], **public_consent()
    )
    for i in range(5):
        testimonials.add_usage(db_session, TEST_ACTOR, t.id, {"channel": "ad", "place": f"Ad {i}"})
    db_session.commit()
    editor = client_as(Role.EDITOR)
    bad = editor.post(f"/testimonials/{t.id}/usages", data={"channel": "website", "place": "", "used_on": ""})
    assert bad.status_code == 422 and "Where: Say where it was used." in text(bad)
    response = editor.post(
        f"/testimonials/{t.id}/usages",
        data={"channel": "website", "place": "https://acme.example/customers", "used_on": ""},
        follow_redirects=True,
    )
    page = text(response)
    assert "used 6 times this quarter" in page
    assert "Acme Pay's testimonials have been used 6 times this quarter" in page
    assert "used 6\u00d7 this quarter" in text(editor.get("/testimonials/"))


def test_requesting_shows_the_link_once(client_as, db_session):
    account = make_account(db_session)
    contact = make_contact(db_session, account)
    contact.email = "kim@acmepay.example"
    db_session.commit()
    editor = client_as(Role.EDITOR)
    bad = editor.post(f"/testimonials/requests/new/{account.id}", data={"kind": "quote", "valid_days": "999"})
    assert bad.status_code == 422 and "The link works for a whole number of days from 1 to 365." in text(bad)
    response = editor.post(
        f"/testimonials/requests/new/{account.id}",
        data={"contact_id": str(contact.id), "kind": "quote", "message": "Mention the sync?"},
    )
    assert response.status_code == 201
    page = text(response)
    link = re.search(r'value="(http://localhost/collect/[^"]+)"', page).group(1)
    token = link.rsplit("/", 1)[1]
    assert "shown only this once" in page and "mailto:kim@acmepay.example" in page
    # a copy button for the link, shown by the vendored script only; without it the link stays in its field
    assert re.search(
        r'<button type="button" data-copy="collect-link"[^>]*hidden>Copy the link</button>', page
    )
    assert '<script src="/static/js/copy.js" defer></script>' in page
    script = editor.get("/static/js/copy.js")
    assert script.status_code == 200 and "navigator.clipboard.writeText" in script.get_data(as_text=True)
    script.close()
    request_row = db_session.scalars(select(TestimonialRequest)).one()
    assert request_row.token_hash == testimonial_requests.digest(token)
    assert token not in text(editor.get(f"/testimonials/requests/{request_row.id}"))
    assert token not in text(editor.get("/testimonials/requests/"))
    renewed = editor.post(f"/testimonials/requests/{request_row.id}/new-link")
    assert renewed.status_code == 201 and "The previous link no longer works" in text(renewed)
    assert editor.get(f"/collect/{token}").status_code == 404


def test_email_is_sent_only_when_switched_on_and_configured(app_factory, monkeypatch):
    from ecp_tracker.services.testimonials import mail as testimonial_mail
    from ecp_tracker.services.testimonials import settings as testimonial_settings
    from tests.conftest import add_user, login

    sent = []
    monkeypatch.setattr(testimonial_mail, "send", lambda draft, **kw: sent.append((draft, kw)))
    app = app_factory(MAIL_SERVER="smtp.example:25", MAIL_FROM="pmm@startup.example")
    session = app.extensions["ecp_db"].session_factory()
    account = make_account(session)
    contact = make_contact(session, account)
    contact.email = "kim@acmepay.example"
    add_user(session, Role.EDITOR)
    client = app.test_client()
    login(client, "editor@example.com")
    data = {"contact_id": str(contact.id), "kind": "quote"}
    assert client.post(f"/testimonials/requests/new/{account.id}", data=data).status_code == 201
    assert sent == []  # the workspace setting is off by default
    testimonial_settings.save_settings(
        session, TEST_ACTOR, {**testimonial_settings.DEFAULTS.__dict__, "send_email": True}
    )
    session.commit()
    response = client.post(f"/testimonials/requests/new/{account.id}", data=data)
    assert "E-mailed the link to kim@acmepay.example" in text(response)
    draft, options = sent[0]
    assert draft.to == "kim@acmepay.example" and "/collect/" in draft.body
    assert options == {"server": "smtp.example:25", "sender": "pmm@startup.example"}
    session.close()


def test_follow_ups_list(client_as, db_session):
    account = make_account(db_session)
    made = testimonial_requests.create_request(db_session, TEST_ACTOR, account.id, {})
    made.request.link_made_at = utcnow() - timedelta(days=9)
    db_session.commit()
    page = text(client_as(Role.VIEWER).get("/testimonials/requests/follow-ups"))
    assert "Acme Pay" in page and "9 days" in page


def test_collections_and_embed_snippet(client_as, db_session):
    editor = client_as(Role.EDITOR)
    bad = editor.post("/testimonials/collections/new", data={"title": "Proof", "slug": "Not A Slug"})
    assert bad.status_code == 422 and "Address: Use 1 to 80 lower-case letters" in text(bad)
    response = editor.post(
        "/testimonials/collections/new",
        data={"title": 'Fintech <proof> & "more"', "slug": "fintech-proof", "tags": "Sync"},
    )
    assert response.status_code == 302
    collection = db_session.scalars(select(Collection)).one()
    page = text(editor.get(f"/testimonials/collections/{collection.id}"))
    snippet = re.search(r'<textarea id="embed-snippet"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    # shown as text to copy: the HTML of the snippet, whose own values are escaped
    assert "&lt;iframe src=&#34;http://localhost/wall/fintech-proof/embed&#34;" in snippet
    assert "Fintech &amp;lt;proof&amp;gt; &amp;amp; &amp;#34;more&amp;#34;" in snippet
    assert "<proof>" not in page
    stale = editor.post(
        f"/testimonials/collections/{collection.id}/edit",
        data={"title": "New", "slug": "fintech-proof", "version": str(collection.version + 5)},
    )
    assert stale.status_code == 409
    assert editor.post(f"/testimonials/collections/{collection.id}/archive").status_code == 302
    assert client_as(Role.VIEWER).get("/wall/fintech-proof").status_code == 404


def test_coverage_highlights_empty_cells(client_as, db_session):
    from ecp_tracker.models import Archetype

    account = make_account(db_session)
    account.archetypes.append(
        db_session.scalars(select(Archetype).where(Archetype.name == "Game changer")).one()
    )
    db_session.commit()
    make_testimonial(db_session, account, status=["approved"], use_cases=["Sync"], **public_consent())
    page = text(client_as(Role.VIEWER).get("/testimonials/coverage"))
    assert 'class="cell-ok"' in page and 'class="cell-empty"' in page
    assert "cells are empty" in page


def test_settings_page_for_admins(client_as, db_session):
    admin = client_as(Role.ADMIN)
    assert "Consent statement" in text(admin.get("/testimonials/settings"))
    bad = admin.post(
        "/testimonials/settings",
        data={
            "consent_statement": "Quote me on your website please.",
            "consent_months": "500",
            "fatigue_threshold": "3",
            "follow_up_days": "7",
            "request_valid_days": "30",
        },
    )
    assert bad.status_code == 422 and "a whole number from 1 to 120" in text(bad)
    ok = admin.post(
        "/testimonials/settings",
        data={
            "consent_statement": "Quote me on your website please.",
            "consent_months": "12",
            "fatigue_threshold": "3",
            "follow_up_days": "7",
            "request_valid_days": "30",
        },
    )
    assert ok.status_code == 302
    assert client_as(Role.EDITOR).post("/testimonials/settings", data={}).status_code == 403


def test_csv_export(client_as, db_session):
    make_testimonial(db_session, make_account(db_session), body="=cmd|' /C calc'!A0")
    response = client_as(Role.VIEWER).get("/testimonials/export.csv?status=received")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(text(response))))
    assert rows[0]["body"].startswith("'=cmd")


def test_account_page_and_dashboard(client_as, db_session):
    account = make_account(db_session)
    make_testimonial(db_session, account, body="Great partner.")
    page = text(client_as(Role.EDITOR).get(f"/accounts/{account.id}"))
    assert 'id="testimonials"' in page and "Great partner." in page and "Ask for a testimonial" in page
    dashboard = text(client_as(Role.VIEWER).get("/"))
    assert "testimonials waiting for approval" in dashboard
    assert re.search(r'tile-number">1</span><span class="tile-label">testimonials waiting', dashboard)


def test_withdrawn_consent_shows_no_approve_or_publish_button(client_as, db_session):
    t = make_testimonial(db_session, make_account(db_session), status=["approved"], **public_consent())
    editor = client_as(Role.EDITOR)
    page = text(editor.get(f"/testimonials/{t.id}"))
    assert 'name="to" value="published"' in page
    testimonials.withdraw_consent(db_session, TEST_ACTOR, t.id)
    db_session.commit()
    page = text(editor.get(f"/testimonials/{t.id}"))
    assert 'name="to" value="published"' not in page and 'name="to" value="retired"' in page
    assert "cannot be approved or published again until a new consent is recorded" in page
    refused = editor.post(f"/testimonials/{t.id}/status", data={"to": "published"})
    assert refused.status_code == 422 and fresh(db_session, Testimonial, t.id).status == "approved"
    editor.post(f"/testimonials/{t.id}/status", data={"to": "retired"})
    page = text(editor.get(f"/testimonials/{t.id}"))
    assert 'name="to" value="approved"' not in page
