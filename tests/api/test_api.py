"""The JSON API: OpenAPI document, Bearer-token auth, roles, problem+json errors, lists, create and PATCH."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecp_tracker.api import BLUEPRINTS
from ecp_tracker.domain.accounts import REVENUE_BAND_LABELS, SIZE_BAND_LABELS
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import AuditEvent, User
from ecp_tracker.services.users import tokens, users
from tests.conftest import PASSWORD, TEST_ACTOR, add_user

PROBLEM = "application/problem+json"
GOOD_NEW_USER = {
    "email": "new.person@example.com",
    "name": "New Person",
    "role": "editor",
    "password": PASSWORD,
}


def counts(session: Session) -> tuple[int, int]:
    """(users, audit events) as committed by the app's requests."""
    session.expire_all()
    return (
        session.scalar(select(func.count(User.id))),
        session.scalar(select(func.count(AuditEvent.id))),
    )


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def stored_user(session: Session, user_id: int) -> User:
    session.expire_all()
    return session.get(User, user_id)


# --- the OpenAPI document ----------------------------------------------------------------------------


def test_openapi_document_is_public_and_describes_the_api(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/me" in doc["paths"]
    assert "/api/v1/users" in doc["paths"]
    assert {"get", "post"} <= set(doc["paths"]["/api/v1/users"])
    assert "patch" in doc["paths"]["/api/v1/users/{user_id}"]
    schemes = doc["components"]["securitySchemes"]
    assert any(s.get("type") == "http" and s.get("scheme") == "bearer" for s in schemes.values())
    assert doc["security"]
    assert set(doc["security"][0]) <= set(schemes)


def test_openapi_document_is_complete_however_it_is_read(app, client):
    """The views are described when the document is first read: `flask openapi print` sees every path too."""
    printed = app.test_cli_runner().invoke(args=["openapi", "print"])
    assert printed.exit_code == 0, printed.output
    served = client.get("/api/v1/openapi.json").get_json()
    assert json.loads(printed.output)["paths"] == served["paths"]
    assert len(served["paths"]) >= 40
    assert len(served["tags"]) == len(BLUEPRINTS)  # one per API blueprint


def test_the_document_states_the_bounds_the_checks_hold(client):
    """Clients learn the rules from the document: open bounds, closed lists and optional bodies."""
    doc = client.get("/api/v1/openapi.json").get_json()
    fdr = next(p for p in doc["paths"]["/api/v1/analysis"]["get"]["parameters"] if p["name"] == "fdr")
    assert fdr["schema"]["exclusiveMinimum"] is fdr["schema"]["exclusiveMaximum"] is True
    account = doc["components"]["schemas"]["Account"]["properties"]
    assert account["size_band"]["enum"] == [*SIZE_BAND_LABELS, None]
    assert account["revenue_band"]["enum"] == [*REVENUE_BAND_LABELS, None]
    withdraw = doc["paths"]["/api/v1/testimonials/{testimonial_id}/withdraw-consent"]["post"]
    assert withdraw["requestBody"]["required"] is False


# --- authentication ---------------------------------------------------------------------------------


def assert_unauthorized(response) -> None:
    assert_problem(response, 401)
    assert "Bearer" in response.headers.get("WWW-Authenticate", "")


def test_anonymous_request_gets_401_problem(client, people):
    assert_unauthorized(client.get("/api/v1/me"))
    assert_unauthorized(client.get("/api/v1/users"))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Token ecp_abc",
        "ecp_abc",
        "Bearer ecp_not-a-real-token",
        "Bearer not-even-a-prefix",
    ],
)
def test_malformed_or_invalid_tokens_get_401_problem(client, people, header):
    assert_unauthorized(client.get("/api/v1/me", headers={"Authorization": header}))


def test_a_valid_token_authenticates_as_its_owner(api_as, people):
    response = api_as(Role.EDITOR).get("/api/v1/me")
    assert response.status_code == 200
    body = response.get_json()
    assert body["email"] == people[Role.EDITOR].email
    assert body["role"] == "editor"
    assert "password" not in body and "password_hash" not in body


def test_revoked_token_gets_401(app, client, people, db_session):
    editor = db_session.get(User, people[Role.EDITOR].id)
    token, plain = tokens.create_token(db_session, TEST_ACTOR, editor, name="soon revoked")
    db_session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    tokens.revoke_token(db_session, TEST_ACTOR, editor, token.id)
    db_session.commit()
    assert_unauthorized(client.get("/api/v1/me", headers=headers))


def test_api_ignores_session_cookies(client_as):
    browser = client_as(Role.ADMIN)
    assert browser.get("/", follow_redirects=False).status_code == 200  # the session itself works
    assert_unauthorized(browser.get("/api/v1/me"))
    assert_unauthorized(browser.get("/api/v1/users"))


# --- roles ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_non_admins_are_forbidden_on_users(api_as, db_session, role):
    api = api_as(role)
    before = counts(db_session)
    assert_problem(api.get("/api/v1/users"), 403)
    assert_problem(api.post("/api/v1/users", json=GOOD_NEW_USER), 403)
    assert_problem(api.get("/api/v1/users/1"), 403)
    assert_problem(api.patch("/api/v1/users/1", json={"version": 1, "role": "admin"}), 403)
    assert counts(db_session) == before


# --- listing ----------------------------------------------------------------------------------------


def test_admin_lists_users_in_the_list_envelope(api_as, people):
    response = api_as(Role.ADMIN).get("/api/v1/users")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    assert (body["total"], body["page"], body["per_page"]) == (3, 1, 25)
    assert {item["email"] for item in body["items"]} == {u.email for u in people.values()}
    for item in body["items"]:
        assert {"id", "email", "name", "role", "active", "version"} <= set(item)
        assert not {"password", "password_hash"} & set(item)


def test_list_honours_page_and_per_page(api_as, people, db_session):
    for i in range(4):
        add_user(db_session, Role.VIEWER, email=f"more{i}@example.com")
    api = api_as(Role.ADMIN)
    pages = [api.get(f"/api/v1/users?page={p}&per_page=3").get_json() for p in (1, 2, 3)]
    assert [p["page"] for p in pages] == [1, 2, 3]
    assert {p["per_page"] for p in pages} == {3}
    assert {p["total"] for p in pages} == {7}
    assert [len(p["items"]) for p in pages] == [3, 3, 1]
    ids = [item["id"] for p in pages for item in p["items"]]
    assert ids == sorted(ids)
    assert len(set(ids)) == 7
    past_end = api.get("/api/v1/users?page=9&per_page=3").get_json()
    assert past_end["items"] == []
    assert past_end["total"] == 7


@pytest.mark.parametrize("query", ["per_page=0", "per_page=1000", "per_page=-1", "per_page=many"])
def test_bad_per_page_is_422_naming_per_page(api_as, query):
    body = assert_problem(api_as(Role.ADMIN).get(f"/api/v1/users?{query}"), 422)
    assert "per_page" in body["errors"]
    assert body["errors"]["per_page"]
    assert all(isinstance(msg, str) for msg in body["errors"]["per_page"])


def test_bad_page_is_422_naming_page(api_as):
    body = assert_problem(api_as(Role.ADMIN).get("/api/v1/users?page=0"), 422)
    assert set(body["errors"]) == {"page"}


# --- creating ---------------------------------------------------------------------------------------


def test_admin_creates_a_user_and_an_audit_event(api_as, people, db_session):
    api = api_as(Role.ADMIN)
    before_users, before_events = counts(db_session)
    response = api.post("/api/v1/users", json=GOOD_NEW_USER)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["email"] == GOOD_NEW_USER["email"]
    assert body["role"] == "editor"
    assert body["active"] is True
    assert "password" not in body
    assert counts(db_session) == (before_users + 1, before_events + 1)
    event = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.entity, event.entity_id, event.action) == ("user", str(body["id"]), "create")
    assert event.actor_id == people[Role.ADMIN].id
    assert event.actor_label == people[Role.ADMIN].email
    assert PASSWORD not in str(event.changes)
    # the new user can sign in with the given password
    assert users.authenticate(db_session, GOOD_NEW_USER["email"], PASSWORD).id == body["id"]
    get = api.get(f"/api/v1/users/{body['id']}")
    assert get.status_code == 200
    assert get.get_json()["email"] == GOOD_NEW_USER["email"]


@pytest.mark.parametrize(
    ("changes", "bad_fields"),
    [
        ({"email": "not-an-email"}, {"email"}),
        ({"role": "owner"}, {"role"}),
        ({"password": "short"}, {"password"}),
        ({"is_superuser": True}, {"is_superuser"}),
        ({"email": "x", "role": "owner", "password": "short"}, {"email", "role", "password"}),
        ({"name": ""}, {"name"}),
    ],
)
def test_invalid_create_bodies_get_422_naming_each_field_and_write_nothing(
    api_as, db_session, changes, bad_fields
):
    api = api_as(Role.ADMIN)
    before = counts(db_session)
    body = assert_problem(api.post("/api/v1/users", json={**GOOD_NEW_USER, **changes}), 422)
    assert set(body["errors"]) == bad_fields
    for messages in body["errors"].values():
        assert messages and all(isinstance(m, str) and m for m in messages)
    assert counts(db_session) == before


@pytest.mark.parametrize("missing", [("email",), ("name",), ("role",), ("password",), ("email", "password")])
def test_missing_fields_get_422_naming_them(api_as, db_session, missing):
    api = api_as(Role.ADMIN)
    before = counts(db_session)
    data = {k: v for k, v in GOOD_NEW_USER.items() if k not in missing}
    body = assert_problem(api.post("/api/v1/users", json=data), 422)
    assert set(body["errors"]) == set(missing)
    assert counts(db_session) == before


def test_empty_body_names_every_required_field(api_as, db_session):
    api = api_as(Role.ADMIN)
    before = counts(db_session)
    body = assert_problem(api.post("/api/v1/users", json={}), 422)
    assert set(body["errors"]) == {"email", "name", "role", "password"}
    assert counts(db_session) == before


def test_duplicate_email_is_422_naming_email(api_as, people, db_session):
    api = api_as(Role.ADMIN)
    before = counts(db_session)
    duplicate = {**GOOD_NEW_USER, "email": people[Role.EDITOR].email.upper()}
    body = assert_problem(api.post("/api/v1/users", json=duplicate), 422)
    assert set(body["errors"]) == {"email"}
    assert counts(db_session) == before


# --- reading and changing ---------------------------------------------------------------------------


def test_unknown_user_is_404_problem(api_as, people):
    api = api_as(Role.ADMIN)
    assert_problem(api.get("/api/v1/users/987654"), 404)
    assert_problem(api.patch("/api/v1/users/987654", json={"version": 1, "role": "viewer"}), 404)


def test_unknown_api_path_is_404_problem(api_as):
    assert_problem(api_as(Role.ADMIN).get("/api/v1/no-such-thing"), 404)


def test_patch_without_version_is_422_and_changes_nothing(api_as, people, db_session):
    api = api_as(Role.ADMIN)
    editor = people[Role.EDITOR]
    version = editor.version
    before = counts(db_session)
    body = assert_problem(api.patch(f"/api/v1/users/{editor.id}", json={"role": "viewer"}), 422)
    assert "version" in body["errors"]
    assert counts(db_session) == before
    stored = stored_user(db_session, editor.id)
    assert (stored.role, stored.version) == ("editor", version)


def test_patch_with_stale_version_is_409_and_changes_nothing(api_as, people, db_session):
    api = api_as(Role.ADMIN)
    editor = people[Role.EDITOR]
    seen = editor.version
    first = api.patch(f"/api/v1/users/{editor.id}", json={"version": seen, "name": "First Edit"})
    assert first.status_code == 200
    before = counts(db_session)
    response = api.patch(
        f"/api/v1/users/{editor.id}", json={"version": seen, "role": "viewer", "name": "Lost"}
    )
    body = assert_problem(response, 409)
    assert "version" in body.get("errors", {"version": []})
    assert counts(db_session) == before
    stored = stored_user(db_session, editor.id)
    assert (stored.name, stored.role, stored.version) == ("First Edit", "editor", seen + 1)


def test_good_patch_changes_role_and_increments_version(api_as, people, db_session):
    api = api_as(Role.ADMIN)
    editor = people[Role.EDITOR]
    version = editor.version
    _users, before_events = counts(db_session)
    response = api.patch(f"/api/v1/users/{editor.id}", json={"version": version, "role": "viewer"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["role"], body["version"]) == ("viewer", version + 1)
    stored = stored_user(db_session, editor.id)
    assert (stored.role, stored.version) == ("viewer", version + 1)
    assert counts(db_session)[1] == before_events + 1
    event = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.changes["role"] == ["editor", "viewer"]
    assert event.actor_id == people[Role.ADMIN].id


@pytest.mark.parametrize(
    ("data", "field"),
    [({"version": 1, "role": "owner"}, "role"), ({"version": 1, "colour": "red"}, "colour")],
)
def test_invalid_patch_bodies_are_422_and_change_nothing(api_as, people, db_session, data, field):
    api = api_as(Role.ADMIN)
    editor = people[Role.EDITOR]
    before = counts(db_session)
    body = assert_problem(api.patch(f"/api/v1/users/{editor.id}", json=data), 422)
    assert field in body["errors"]
    assert counts(db_session) == before
    assert stored_user(db_session, editor.id).role == "editor"


def test_patch_cannot_demote_the_last_admin(api_as, people, db_session):
    api = api_as(Role.ADMIN)
    admin = people[Role.ADMIN]
    before = counts(db_session)
    response = api.patch(f"/api/v1/users/{admin.id}", json={"version": admin.version, "role": "editor"})
    body = assert_problem(response, 422)
    assert "role" in body["errors"]
    assert counts(db_session) == before
    assert stored_user(db_session, admin.id).role == "admin"


# --- CSRF -------------------------------------------------------------------------------------------


def test_api_post_needs_no_csrf_token_when_csrf_is_on(app_factory):
    csrf_app = app_factory(WTF_CSRF_ENABLED=True)
    session = csrf_app.extensions["ecp_db"].session_factory()
    try:
        admin = add_user(session, Role.ADMIN)
        _token, plain = tokens.create_token(session, TEST_ACTOR, admin, name="csrf test")
        session.commit()
        browser: FlaskClient = csrf_app.test_client()
        # CSRF is really on for the web: a form post without the token is refused.
        refused = browser.post("/login", data={"email": admin.email, "password": PASSWORD})
        assert refused.status_code == 400
        api = csrf_app.test_client()
        response = api.post("/api/v1/users", json=GOOD_NEW_USER, headers={"Authorization": f"Bearer {plain}"})
        assert response.status_code == 201, response.get_data(as_text=True)
        patch = api.patch(
            f"/api/v1/users/{response.get_json()['id']}",
            json={"version": response.get_json()["version"], "role": "viewer"},
            headers={"Authorization": f"Bearer {plain}"},
        )
        assert patch.status_code == 200
        session.expire_all()
        assert session.scalar(select(User).where(User.email == GOOD_NEW_USER["email"])).role == "viewer"
    finally:
        session.close()


def test_a_method_not_allowed_is_a_problem_naming_the_allowed_methods(api_as):
    response = api_as(Role.VIEWER).delete("/api/v1/me")
    assert response.status_code == 405 and response.mimetype == "application/problem+json"
    assert set(response.headers["Allow"].split(", ")) >= {"GET"}
    assert "DELETE" not in response.headers["Allow"]
