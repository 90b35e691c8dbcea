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


def _signed_in_with_remember(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    cookies = {name: client.get_cookie(name).value for name in ("session", "remember_token")}
    assert all(cookies.values())
    return client, cookies


def _opens_profile(app, cookies: dict[str, str]) -> bool:
    """A fresh browser holding only `cookies` (each alone) gets the profile page."""
    results = []
    for name, value in cookies.items():
        other = app.test_client()
        other.set_cookie(name, value)
        results.append(other.get("/profile/").status_code == 200)
    return any(results)


def test_copied_cookies_open_the_profile_before_logout(app, people):
    _client, cookies = _signed_in_with_remember(app, people[Role.EDITOR].email)
    assert _opens_profile(app, {"session": cookies["session"]})
    assert _opens_profile(app, {"remember_token": cookies["remember_token"]})


def test_logout_ends_every_session_and_remember_cookie(app, people, db_session):
    email = people[Role.EDITOR].email
    client, cookies = _signed_in_with_remember(app, email)
    _other_device, other_cookies = _signed_in_with_remember(app, email)
    assert client.post("/logout").status_code == 302
    assert not _opens_profile(app, cookies)
    assert not _opens_profile(app, other_cookies)  # signing out ends the other devices too
    db_session.expire_all()
    user = db_session.get(User, people[Role.EDITOR].id)
    assert user.session_version == 2
    assert _signed_in_with_remember(app, email)  # and signing in again works


def test_password_change_ends_remembered_sessions(app, people):
    email = people[Role.EDITOR].email
    client, cookies = _signed_in_with_remember(app, email)
    response = client.post(
        "/profile/password",
        data={
            "current_password": PASSWORD,
            "new_password": "another horse battery",
            "confirm": "another horse battery",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert not _opens_profile(app, cookies)


def test_remember_cookie_lasts_the_configured_days(app_factory):
    import config

    assert config.from_env({}).REMEMBER_COOKIE_DURATION.days == 30
    assert config.from_env({"REMEMBER_DAYS": "7"}).REMEMBER_COOKIE_DURATION.days == 7
    for bad in ("0", "abc", "400"):
        with pytest.raises(config.ConfigError, match="REMEMBER_DAYS"):
            config.from_env({"REMEMBER_DAYS": bad})


def test_reactivating_a_user_does_not_revive_old_api_tokens(app, people, db_session):
    from ecp_tracker.services.users import tokens, users
    from tests.conftest import TEST_ACTOR

    admin = people[Role.ADMIN]
    editor = db_session.get(User, people[Role.EDITOR].id)
    _token, plain = tokens.create_token(db_session, TEST_ACTOR, editor, name="laptop")
    db_session.commit()
    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {plain}"
    assert api.get("/api/v1/me").status_code == 200
    actor = type(TEST_ACTOR)(admin.id, admin.email)
    users.update_user(db_session, actor, editor.id, version=editor.version, active=False)
    db_session.commit()
    assert api.get("/api/v1/me").status_code == 401
    users.update_user(db_session, actor, editor.id, version=editor.version, active=True)
    db_session.commit()
    assert api.get("/api/v1/me").status_code == 401
