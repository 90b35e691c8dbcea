"""Every endpoint declares who may use it; viewers are refused every write; anonymous users must sign in."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import AuditEvent, User
from ecp_tracker.permissions import PUBLIC, SIGNED_IN, declared_permission

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def concrete_url(rule) -> str:
    """The rule with every converter replaced by an id that exists in the fixtures (1)."""
    return re.sub(r"<(?:[^:<>]+:)?[^<>]+>", "1", rule.rule)


def endpoints(app: Flask, methods: set[str]):
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & methods):
            yield rule, method


def test_every_endpoint_declares_a_permission(app):
    with app.test_request_context():
        missing = [
            rule.endpoint for rule in app.url_map.iter_rules() if declared_permission(rule.endpoint) is None
        ]
    assert missing == []


def test_viewer_is_refused_every_write_endpoint(app, client_as, db_session):
    viewer = client_as(Role.VIEWER)
    before_events = db_session.scalar(select(func.count(AuditEvent.id)))
    checked = []
    with app.test_request_context():
        targets = [
            (rule, method)
            for rule, method in endpoints(app, WRITE_METHODS)
            if declared_permission(rule.endpoint) not in (PUBLIC, SIGNED_IN)
        ]
    assert len(targets) >= 4  # admin user forms + API user writes at least
    for rule, method in targets:
        url = concrete_url(rule)
        response = viewer.open(url, method=method, data={"name": "x"}, headers={"Authorization": ""})
        if url.startswith("/api/"):
            # the API only accepts tokens: a browser session is not signed in there
            assert response.status_code == 401, (method, url)
        else:
            assert response.status_code == 403, (method, url, response.status_code)
        checked.append(rule.endpoint)
    db_session.expire_all()
    assert db_session.scalar(select(func.count(AuditEvent.id))) == before_events


def test_viewer_token_is_refused_every_api_write(app, api_as, db_session):
    api = api_as(Role.VIEWER)
    before = db_session.scalar(select(func.count(AuditEvent.id)))
    with app.test_request_context():
        targets = [
            (rule, method)
            for rule, method in endpoints(app, WRITE_METHODS)
            if rule.rule.startswith("/api/") and declared_permission(rule.endpoint) not in (PUBLIC, SIGNED_IN)
        ]
    assert targets
    for rule, method in targets:
        response = api.open(concrete_url(rule), method=method, json={"version": 1, "name": "x"})
        assert response.status_code == 403, (method, rule.rule)
        assert response.mimetype == "application/problem+json"
    db_session.expire_all()
    assert db_session.scalar(select(func.count(AuditEvent.id))) == before


def test_anonymous_pages_redirect_to_login_and_api_answers_401(app, people):
    client = app.test_client()
    with app.test_request_context():
        targets = [
            concrete_url(rule)
            for rule, _ in endpoints(app, {"GET"})
            if declared_permission(rule.endpoint) != PUBLIC
        ]
    assert "/" in targets and "/api/v1/me" in targets
    for url in targets:
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code == 401, url
            assert response.mimetype == "application/problem+json"
        else:
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        (Role.VIEWER, "/admin/users", 403),
        (Role.EDITOR, "/admin/users", 403),
        (Role.EDITOR, "/admin/audit", 403),
        (Role.ADMIN, "/admin/users", 200),
        (Role.VIEWER, "/", 200),
        (Role.VIEWER, "/profile/", 200),
    ],
)
def test_pages_by_role(client_as, role, path, status):
    assert client_as(role).get(path).status_code == status


def test_deactivated_user_loses_session(client_as, people, db_session, client):
    editor = client_as(Role.EDITOR)
    assert editor.get("/").status_code == 200
    admin = client_as(Role.ADMIN)
    user = db_session.get(User, people[Role.EDITOR].id)
    response = admin.post(
        f"/admin/users/{user.id}", data={"name": user.name, "role": "editor", "version": user.version}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert editor.get("/").status_code == 302  # signed out: sent to the login page
    response = client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    assert response.status_code == 422
    assert b"do not match an active user" in response.data
