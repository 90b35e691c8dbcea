"""Profile page: personal API tokens (shown once, stored hashed, revocable) and password change."""

from __future__ import annotations

import re

from sqlalchemy import select

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import ApiToken, User
from tests.conftest import PASSWORD, login


def test_token_is_shown_once_and_works_until_revoked(app, client_as, db_session):
    viewer = client_as(Role.VIEWER)
    response = viewer.post("/profile/tokens", data={"name": "Laptop"})
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    plain = re.search(r'id="new-token">(ecp_[^<]+)<', page).group(1)
    assert 'data-copy="new-token"' in page and '<script src="/static/js/copy.js" defer>' in page
    later = viewer.get("/profile/").get_data(as_text=True)
    assert plain not in later and "copy.js" not in later  # never shown again, nor its copy button
    stored = db_session.scalar(select(ApiToken).where(ApiToken.name == "Laptop"))
    assert stored.token_hash != plain and plain not in stored.token_hash

    api = app.test_client()
    headers = {"Authorization": f"Bearer {plain}"}
    assert api.get("/api/v1/me", headers=headers).json["email"] == "viewer@example.com"
    assert viewer.post(f"/profile/tokens/{stored.id}/revoke").status_code == 302
    assert api.get("/api/v1/me", headers=headers).status_code == 401


def test_cannot_revoke_someone_elses_token(client_as, db_session):
    editor = client_as(Role.EDITOR)
    editor.post("/profile/tokens", data={"name": "Editor CI"})
    token = db_session.scalar(select(ApiToken).where(ApiToken.name == "Editor CI"))
    viewer = client_as(Role.VIEWER)
    response = viewer.post(f"/profile/tokens/{token.id}/revoke", follow_redirects=True)
    assert "You have no token with that id." in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(ApiToken, token.id).revoked_at is None


def test_empty_token_name_is_refused(client_as, db_session):
    response = client_as(Role.EDITOR).post("/profile/tokens", data={"name": "  "})
    assert response.status_code == 422
    assert "Token name: Give the token a name" in response.get_data(as_text=True)
    assert db_session.scalar(select(ApiToken)) is None


def test_password_change_signs_out_other_sessions(app, client_as, people, db_session):
    phone = client_as(Role.EDITOR)
    laptop = client_as(Role.EDITOR)
    wrong = laptop.post(
        "/profile/password",
        data={
            "current_password": "not my password",
            "new_password": "a new long password",
            "confirm": "a new long password",
        },
    )
    assert wrong.status_code == 422 and "The current password is not correct." in wrong.get_data(as_text=True)
    ok = laptop.post(
        "/profile/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a new long password",
            "confirm": "a new long password",
        },
    )
    assert ok.status_code == 302
    assert laptop.get("/profile/").status_code == 200  # this session stays
    assert phone.get("/profile/").status_code == 302  # the other one is signed out
    fresh = app.test_client()
    login(fresh, "editor@example.com", "a new long password")
    db_session.expire_all()
    assert db_session.get(User, people[Role.EDITOR].id).session_version == 2
