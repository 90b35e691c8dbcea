"""Sign-in, sign-out, first-run setup, safe redirects and the login rate limit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import AuditEvent, User
from ecp_tracker.permissions import safe_next
from tests.conftest import PASSWORD


def test_first_run_sends_login_to_setup_and_creates_an_admin(client, db_session):
    assert client.get("/login").headers["Location"] == "/setup"
    response = client.post(
        "/setup",
        data={
            "name": "Fiona Founder",
            "email": "Fiona@Startup.example",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    admin = db_session.scalar(select(User))
    assert (admin.email, admin.role) == ("fiona@startup.example", "admin")
    assert client.get("/admin/users").status_code == 200  # signed in as the new admin
    event = db_session.scalar(
        select(AuditEvent).where(AuditEvent.entity == "user", AuditEvent.action == "create")
    )
    assert event.actor_label == "first-run setup"


def test_setup_refuses_bad_input_and_writes_nothing(client, db_session):
    response = client.post(
        "/setup", data={"name": "", "email": "not-an-email", "password": "short", "confirm": "different"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a name." in page
    assert "Enter a valid e-mail address." in page
    assert "Use 10 to 200 characters." in page
    assert db_session.scalar(select(func.count(User.id))) == 0


def test_setup_is_closed_once_a_user_exists(client, people, db_session):
    response = client.post(
        "/setup",
        data={"name": "Mallory", "email": "m@evil.example", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.headers["Location"] == "/login"
    assert db_session.scalar(select(func.count(User.id))) == len(Role)


def test_login_redirects_to_safe_next(client, people):
    response = client.post(
        "/login", data={"email": "EDITOR@example.com", "password": PASSWORD, "next": "/profile/?tab=tokens"}
    )
    assert response.headers["Location"] == "/profile/?tab=tokens"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "\\\\evil",
        "/ok\r\nx",
    ],
)
def test_login_never_redirects_off_site(client, people, target):
    response = client.post(
        "/login", data={"email": "editor@example.com", "password": PASSWORD, "next": target}
    )
    assert response.headers["Location"] == "/"


def test_safe_next_keeps_local_paths():
    assert safe_next("/admin/audit?entity=user", "/") == "/admin/audit?entity=user"
    assert safe_next(None, "/") == "/"


def test_anonymous_is_sent_to_login_with_next(client, people):
    response = client.get("/admin/audit?entity=user")
    assert response.headers["Location"] == "/login?next=/admin/audit?entity%3Duser"


def test_wrong_password_is_refused_with_a_message(client, people):
    response = client.post("/login", data={"email": "editor@example.com", "password": "wrong password!"})
    assert response.status_code == 422
    assert "do not match an active user" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_logout_needs_post_and_signs_out(client_as):
    editor = client_as(Role.EDITOR)
    assert editor.get("/logout").status_code == 405
    assert editor.post("/logout").headers["Location"] == "/login"
    assert editor.get("/").status_code == 302


def test_login_is_rate_limited(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    session = app.extensions["ecp_db"].session_factory()
    from tests.conftest import add_user

    add_user(session, Role.EDITOR)
    session.close()
    client = app.test_client()
    statuses = [
        client.post("/login", data={"email": "editor@example.com", "password": "wrong password!"}).status_code
        for _ in range(4)
    ]
    assert statuses == [422, 422, 422, 429]
    limited = client.post("/login", data={"email": "editor@example.com", "password": PASSWORD})
    assert limited.status_code == 429
    assert "Too many attempts" in limited.get_data(as_text=True)
    assert client.get("/login").status_code == 200  # reading the form is not limited
