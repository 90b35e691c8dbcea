"""Security headers, CSRF, production cookies and error pages that never leak a traceback."""

from __future__ import annotations

from sqlalchemy import func, select

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import User
from ecp_tracker.permissions import PUBLIC, permission
from tests.conftest import PASSWORD, add_user


def test_security_headers_on_pages(client):
    headers = client.get("/login").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_no_inline_script_or_style_in_pages(client_as):
    admin = client_as(Role.ADMIN)
    for path in ("/", "/profile/", "/admin/users", "/admin/audit"):
        page = admin.get(path).get_data(as_text=True)
        assert "<script" not in page and "style=" not in page and "<style" not in page, path


def test_csrf_is_required_on_forms(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    session = app.extensions["ecp_db"].session_factory()
    add_user(session, Role.EDITOR)
    client = app.test_client()
    response = client.post("/login", data={"email": "editor@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login", data={"email": "editor@example.com", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    session.close()


def test_production_cookies_are_secure(app_factory):
    app = app_factory(
        APP_ENV="production", SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True, FORCE_HTTPS=True
    )
    session = app.extensions["ecp_db"].session_factory()
    add_user(session, Role.EDITOR)
    session.close()
    client = app.test_client()
    assert client.get("http://localhost/login").status_code == 302  # sent to https
    response = client.post(
        "https://localhost/login", data={"email": "editor@example.com", "password": PASSWORD, "remember": "y"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    remember_cookie = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session_cookie, remember_cookie):
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Strict-Transport-Security" in response.headers


def test_error_pages_never_show_a_traceback(app_factory):
    app = app_factory()

    @app.route("/boom")
    @permission(PUBLIC)
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    client = app.test_client()
    response = client.get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page
    assert "Traceback" not in page and "hunter2" not in page
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "Not found" in missing.get_data(as_text=True)
    api_missing = client.get("/api/v1/nothing")
    assert api_missing.status_code == 404 and api_missing.mimetype == "application/problem+json"


def test_bad_form_input_changes_nothing(client_as, db_session):
    admin = client_as(Role.ADMIN)
    before = db_session.scalar(select(func.count(User.id)))
    response = admin.post(
        "/admin/users", data={"name": "", "email": "x", "role": "superuser", "password": "1"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for message in (
        "Name: Enter a name.",
        "E-mail: Enter a valid e-mail address.",
        "Role: Not a valid choice",
    ):
        assert message in page
    assert db_session.scalar(select(func.count(User.id))) == before


def test_forwarded_proto_is_ignored_behind_no_trusted_proxy(app_factory):
    app = app_factory(FORCE_HTTPS=True, TRUST_PROXY_HEADERS=0)
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("https://")


def test_forwarded_proto_is_believed_from_a_trusted_proxy(app_factory):
    app = app_factory(FORCE_HTTPS=True, TRUST_PROXY_HEADERS=1)
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code in (200, 302)
    assert not response.headers.get("Location", "").startswith("https://")


def test_signed_in_pages_are_not_cached(client_as, client, people):
    editor = client_as(Role.EDITOR)
    for url in ("/", "/accounts/", "/profile/"):
        response = editor.get(url, follow_redirects=True)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store", url
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
