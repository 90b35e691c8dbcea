"""Admin pages: adding users, changing roles with optimistic locking, and browsing the audit trail."""

from __future__ import annotations

from sqlalchemy import func, select

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import AuditEvent, User
from tests.conftest import PASSWORD


def _user(db_session, email):
    db_session.expire_all()
    return db_session.scalar(select(User).where(User.email == email))


def test_admin_adds_a_user_and_the_audit_trail_shows_it(client_as, people, db_session):
    admin = client_as(Role.ADMIN)
    response = admin.post(
        "/admin/users",
        data={"name": "Sam Sales", "email": "sam@example.com", "role": "editor", "password": PASSWORD},
    )
    assert response.status_code == 302
    sam = _user(db_session, "sam@example.com")
    assert sam.role == "editor" and sam.active
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.entity_id == str(sam.id)))
    assert event.action == "create" and event.actor_id == people[Role.ADMIN].id
    assert event.changes["role"] == [None, "editor"]
    audit_page = admin.get("/admin/audit?entity=user").get_data(as_text=True)
    assert "sam@example.com" in audit_page and "Admin User" in audit_page


def test_duplicate_email_is_refused_on_the_field(client_as, people, db_session):
    admin = client_as(Role.ADMIN)
    before = db_session.scalar(select(func.count(AuditEvent.id)))
    response = admin.post(
        "/admin/users",
        data={"name": "Copy", "email": "Editor@Example.com", "role": "viewer", "password": PASSWORD},
    )
    assert response.status_code == 422
    assert "E-mail: A user with the e-mail editor@example.com already exists." in response.get_data(
        as_text=True
    )
    assert db_session.scalar(select(func.count(AuditEvent.id))) == before


def test_change_role_and_stale_edit_is_refused(client_as, people, db_session):
    admin = client_as(Role.ADMIN)
    viewer = _user(db_session, "viewer@example.com")
    seen_version = viewer.version
    # someone else promotes the viewer first
    first = admin.post(
        f"/admin/users/{viewer.id}",
        data={"name": viewer.name, "role": "editor", "active": "y", "version": seen_version},
    )
    assert first.status_code == 302
    # our edit, based on the old version, must not overwrite it
    second = admin.post(
        f"/admin/users/{viewer.id}",
        data={"name": "Renamed", "role": "admin", "active": "y", "version": seen_version},
    )
    assert second.status_code == 422
    page = second.get_data(as_text=True)
    assert "changed by someone else" in page and "role editor" in page
    after = _user(db_session, "viewer@example.com")
    assert (after.name, after.role) == (viewer.name, "editor")


def test_last_admin_cannot_be_demoted(client_as, people, db_session):
    admin = client_as(Role.ADMIN)
    me = _user(db_session, "admin@example.com")
    response = admin.post(
        f"/admin/users/{me.id}",
        data={"name": me.name, "role": "viewer", "active": "y", "version": me.version},
    )
    assert response.status_code == 422
    assert "last active admin" in response.get_data(as_text=True)
    assert _user(db_session, "admin@example.com").role == "admin"


def test_audit_filters_by_entity_and_user(client_as, people, db_session):
    admin = client_as(Role.ADMIN)
    editor = client_as(Role.EDITOR)
    editor.post("/profile/tokens", data={"name": "CRM sync"})
    by_editor = admin.get(f"/admin/audit?user={people[Role.EDITOR].id}").get_data(as_text=True)
    assert "CRM sync" in by_editor and "Admin User" not in by_editor.split("<tbody>")[1]
    tokens_only = admin.get("/admin/audit?entity=api_token").get_data(as_text=True)
    assert "CRM sync" in tokens_only and "login" not in tokens_only.split("<tbody>")[1]
    assert admin.get("/admin/audit?user=not-a-number&page=999").status_code == 200
