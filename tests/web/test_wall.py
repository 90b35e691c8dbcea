"""The public wall, its JSON feed and its embed: nothing without current public consent appears there, also
once consent expires (time passes; no job runs) or is withdrawn; an anonymous testimonial never shows the
person's name, the company, its domain or logo. No sign-in and no cookie are needed; the embed may be framed
by other sites, the rest of the app may not."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ecp_tracker.domain.roles import Role
from ecp_tracker.services.shared import raw_input
from ecp_tracker.services.testimonials import testimonials
from ecp_tracker.services.testimonials import wall as testimonial_wall
from tests.conftest import TEST_ACTOR
from tests.factories.testimonials import TODAY, make_account, make_contact, make_testimonial, public_consent

PUBLIC_PLACES = ("/wall/fintech-proof", "/wall/fintech-proof.json", "/wall/fintech-proof/embed")


def publish(session, account, *, scope="public_named", body, **raw):
    return make_testimonial(
        session, account, body=body, status=["approved", "published"], **{**public_consent(scope), **raw}
    )


@pytest.fixture
def walls(db_session):
    testimonial_wall.create_collection(
        db_session, TEST_ACTOR, {"slug": "fintech-proof", "title": "Fintech proof"}
    )
    db_session.commit()


def bodies(client) -> dict[str, str]:
    return {path: client.get(path).get_data(as_text=True) for path in PUBLIC_PLACES}


def freeze_today(monkeypatch, day):
    """Time passes: 'today' moves on for the whole app; nothing is run in between."""
    monkeypatch.setattr(raw_input, "today", lambda: day)


def test_the_wall_feed_and_embed_show_only_current_public_consent(client, db_session, walls, monkeypatch):
    account = make_account(db_session)
    named = publish(
        db_session,
        account,
        body="Month-end close in a day.",
        consented_on=TODAY - timedelta(days=700),
        consent_expires_on=TODAY + timedelta(days=5),
    )
    withdrawn = publish(db_session, account, body="Support answers within the hour.")
    internal = make_testimonial(db_session, account, body="Internal only words.", status=["approved"])
    waiting = make_testimonial(db_session, account, body="Not yet approved words.", **public_consent())
    for path, body in bodies(client).items():
        assert "Month-end close in a day." in body and "Support answers within the hour." in body, path
        assert "Internal only words." not in body and "Not yet approved words." not in body, path
    feed = client.get("/wall/fintech-proof.json").get_json()
    assert [t["id"] for t in feed["testimonials"]] == [withdrawn.id, named.id]
    assert internal.id and waiting.id

    testimonials.withdraw_consent(db_session, TEST_ACTOR, withdrawn.id)
    db_session.commit()
    for path, body in bodies(client).items():
        assert "Support answers within the hour." not in body, path
        assert "Month-end close in a day." in body, path

    freeze_today(monkeypatch, TODAY + timedelta(days=5))  # the day the consent expires
    for path, body in bodies(client).items():
        assert "Month-end close in a day." not in body, path
    assert client.get("/wall/fintech-proof.json").get_json()["testimonials"] == []
    assert (
        client.get("/wall/fintech-proof.json").get_json()["as_of"] == (TODAY + timedelta(days=5)).isoformat()
    )


def test_anonymous_testimonials_never_leak_who_said_it(client, db_session, walls):
    account = make_account(db_session, "Acme Pay", industry="Fintech")
    contact = make_contact(db_session, account, name="Kim Novak", title="Head of Data")
    publish(
        db_session,
        account,
        scope="public_anonymous",
        contact_id=contact.id,
        body="Reconciliation went from two days to twenty minutes.",
    )
    for path, body in bodies(client).items():
        assert "Reconciliation went from two days to twenty minutes." in body, path
        assert "Head of Data, a fintech company" in body, path
        for secret in ("Kim", "Novak", "Acme", "acmepay", "wordmark"):
            assert secret.casefold() not in body.casefold(), (path, secret)
    item = client.get("/wall/fintech-proof.json").get_json()["testimonials"][0]
    assert item["person"] is None and item["company"] is None and item["logo_allowed"] is False
    assert item["anonymous"] is True


def test_named_and_logo_scopes_are_attributed(client, db_session, walls):
    account = make_account(db_session, "Ledgerly")
    contact = make_contact(db_session, account, name="Sam Okafor", title="CFO")
    publish(db_session, account, scope="logo", contact_id=contact.id, body="Close in a day.")
    page = client.get("/wall/fintech-proof").get_data(as_text=True)
    assert "Sam Okafor, CFO, Ledgerly" in page and '<span class="wordmark">Ledgerly</span>' in page


def test_public_places_need_no_session_and_set_no_cookie(client, db_session, walls):
    publish(db_session, make_account(db_session), body="Hello <script>alert(1)</script> world")
    for path in PUBLIC_PLACES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
        assert response.headers["Cache-Control"] == "no-cache", path
        if not path.endswith(".json"):  # pages escape it; the feed carries it as data
            assert "<script>alert(1)</script>" not in response.get_data(as_text=True), path
    feed = client.get("/wall/fintech-proof.json")
    assert feed.mimetype == "application/json" and feed.headers["Access-Control-Allow-Origin"] == "*"
    assert feed.get_json()["testimonials"][0]["text"] == "Hello <script>alert(1)</script> world"
    assert client.get("/wall/unknown").status_code == 404
    assert client.get("/wall/unknown.json").status_code == 404


def test_only_the_embed_may_be_framed(client, db_session, walls):
    embed = client.get("/wall/fintech-proof/embed")
    assert "X-Frame-Options" not in embed.headers
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    wall = client.get("/wall/fintech-proof")
    assert wall.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in wall.headers["Content-Security-Policy"]


def test_an_offline_wall_is_gone_everywhere(client, client_as, db_session, walls):
    publish(db_session, make_account(db_session), body="Close in a day.")
    collection = testimonial_wall.live_collection(db_session, "fintech-proof")
    testimonial_wall.set_collection_archived(db_session, TEST_ACTOR, collection.id, archived=True)
    db_session.commit()
    for path in PUBLIC_PLACES:
        assert client.get(path).status_code == 404, path
    assert client_as(Role.VIEWER).get(f"/testimonials/collections/{collection.id}").status_code == 200


def test_a_logo_only_testimonial_is_a_card_with_the_company_not_an_empty_quote(client, db_session, walls):
    account = make_account(db_session, "Pescado & Sons")
    publish(db_session, account, scope="logo", body="", kind="logo")
    page = client.get("/wall/fintech-proof").get_data(as_text=True)
    assert (
        '<p class="wall-logo wordmark" aria-label="Pescado &amp; Sons is a customer">Pescado &amp; Sons</p>'
        in page
    )
    assert '<blockquote class="quote prewrap"></blockquote>' not in page
