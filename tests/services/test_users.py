"""User service: creation, sign-in, roles, deactivation, optimistic locking, passwords and the audit trail."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import StaleEdit, ValidationError
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import AuditEvent, User
from ecp_tracker.services.shared.audit import HIDDEN
from ecp_tracker.services.users import users
from tests.conftest import PASSWORD, TEST_ACTOR, add_user

NEW_PASSWORD = "a brand new passphrase"


def counts(session: Session) -> tuple[int, int]:
    """(users, audit events) as the database has them."""
    session.expire_all()
    return (
        session.scalar(select(func.count(User.id))),
        session.scalar(select(func.count(AuditEvent.id))),
    )


def events_for(session: Session, user: User) -> list[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.entity == "user", AuditEvent.entity_id == str(user.id))
        .order_by(AuditEvent.id)
    )
    return list(session.scalars(stmt))


def as_actor(user: User) -> Actor:
    return Actor(user_id=user.id, label=user.email)


def assert_refused_and_nothing_written(session: Session, before: tuple[int, int]) -> None:
    # Commit whatever the failed call may have left in the session: a service that changed something
    # before refusing would show up here.
    session.commit()
    assert counts(session) == before


# --- creation ---------------------------------------------------------------------------------------


def test_create_user_normalizes_email_and_hashes_password(db_session):
    user = users.create_user(
        db_session,
        TEST_ACTOR,
        email="  Ann.Lee@Example.COM ",
        name=" Ann Lee ",
        role="editor",
        password=PASSWORD,
    )
    db_session.commit()
    assert user.email == "ann.lee@example.com"
    assert user.name == "Ann Lee"
    assert user.role == Role.EDITOR.value
    assert user.active is True
    assert user.password_hash != PASSWORD
    assert PASSWORD not in user.password_hash
    assert users.find_by_email(db_session, "ANN.LEE@example.com").id == user.id


@pytest.mark.parametrize("email", ["Taken@Example.com", "TAKEN@EXAMPLE.COM", " taken@example.com "])
def test_duplicate_email_is_refused_case_insensitively(db_session, email):
    add_user(db_session, Role.VIEWER, email="taken@example.com")
    before = counts(db_session)
    with pytest.raises(ValidationError) as info:
        users.create_user(
            db_session, TEST_ACTOR, email=email, name="Someone", role="viewer", password=PASSWORD
        )
    assert info.value.field == "email"
    assert "email" in info.value.errors
    assert_refused_and_nothing_written(db_session, before)


def test_short_password_is_refused(db_session):
    before = counts(db_session)
    with pytest.raises(ValidationError) as info:
        users.create_user(
            db_session, TEST_ACTOR, email="short@example.com", name="S", role="viewer", password="short"
        )
    assert info.value.field == "password"
    assert_refused_and_nothing_written(db_session, before)
    assert users.find_by_email(db_session, "short@example.com") is None


@pytest.mark.parametrize("role", ["owner", "", "ADMINISTRATOR"])
def test_unknown_role_is_refused(db_session, role):
    before = counts(db_session)
    with pytest.raises(ValidationError) as info:
        users.create_user(
            db_session, TEST_ACTOR, email="r@example.com", name="R", role=role, password=PASSWORD
        )
    assert info.value.field == "role"
    assert_refused_and_nothing_written(db_session, before)


@pytest.mark.parametrize(
    ("email", "name", "field"), [("no-at-sign", "N", "email"), ("n@example.com", "  ", "name")]
)
def test_bad_email_or_empty_name_is_refused(db_session, email, name, field):
    before = counts(db_session)
    with pytest.raises(ValidationError) as info:
        users.create_user(db_session, TEST_ACTOR, email=email, name=name, role="viewer", password=PASSWORD)
    assert info.value.field == field
    assert_refused_and_nothing_written(db_session, before)


# --- roles, deactivation and optimistic locking ----------------------------------------------------


def test_last_active_admin_cannot_be_demoted(db_session, people):
    admin = people[Role.ADMIN]
    before = counts(db_session)
    with pytest.raises(ValidationError) as info:
        users.update_user(db_session, as_actor(admin), admin.id, version=admin.version, role="editor")
    assert info.value.field == "role"
    assert_refused_and_nothing_written(db_session, before)
    assert db_session.get(User, admin.id).role == "admin"


def test_last_active_admin_cannot_be_deactivated(db_session, people):
    admin = people[Role.ADMIN]
    before = counts(db_session)
    with pytest.raises(ValidationError):
        users.update_user(db_session, TEST_ACTOR, admin.id, version=admin.version, active=False)
    assert_refused_and_nothing_written(db_session, before)
    assert db_session.get(User, admin.id).active is True


def test_an_admin_can_be_demoted_while_another_admin_remains(db_session, people):
    admin = people[Role.ADMIN]
    second = add_user(db_session, Role.ADMIN, email="second-admin@example.com")
    users.update_user(db_session, as_actor(admin), second.id, version=second.version, role="viewer")
    db_session.commit()
    db_session.expire_all()
    assert db_session.get(User, second.id).role == "viewer"


def test_inactive_admins_do_not_count_as_remaining_admins(db_session, people):
    admin = people[Role.ADMIN]
    second = add_user(db_session, Role.ADMIN, email="second-admin@example.com")
    users.update_user(db_session, as_actor(admin), second.id, version=second.version, active=False)
    db_session.commit()
    with pytest.raises(ValidationError):
        users.update_user(db_session, as_actor(admin), admin.id, version=admin.version, role="editor")


def test_admin_cannot_deactivate_themselves(db_session, people):
    admin = people[Role.ADMIN]
    # A second admin, so the last-admin rule does not apply.
    add_user(db_session, Role.ADMIN, email="second-admin@example.com")
    before = counts(db_session)
    with pytest.raises(ValidationError) as info:
        users.update_user(db_session, as_actor(admin), admin.id, version=admin.version, active=False)
    assert info.value.field == "active"
    assert_refused_and_nothing_written(db_session, before)
    assert db_session.get(User, admin.id).active is True


def test_stale_version_raises_stale_edit_and_changes_nothing(db_session, people):
    admin, editor = people[Role.ADMIN], people[Role.EDITOR]
    seen = editor.version
    users.update_user(db_session, as_actor(admin), editor.id, version=seen, name="Renamed Once")
    db_session.commit()
    before = counts(db_session)
    with pytest.raises(StaleEdit) as info:
        users.update_user(
            db_session, as_actor(admin), editor.id, version=seen, role="viewer", name="Overwritten"
        )
    assert info.value.field == "version"
    assert info.value.status == 409
    assert info.value.current["version"] == seen + 1
    assert_refused_and_nothing_written(db_session, before)
    stored = db_session.get(User, editor.id)
    assert (stored.name, stored.role, stored.version) == ("Renamed Once", "editor", seen + 1)


def test_missing_version_is_a_validation_error(db_session, people):
    admin, editor = people[Role.ADMIN], people[Role.EDITOR]
    before = counts(db_session)
    with pytest.raises(ValidationError) as info:
        users.update_user(db_session, as_actor(admin), editor.id, version=None, role="viewer")
    assert not isinstance(info.value, StaleEdit)
    assert info.value.field == "version"
    assert_refused_and_nothing_written(db_session, before)
    assert db_session.get(User, editor.id).role == "editor"


def test_good_update_changes_role_and_increments_version(db_session, people):
    admin, editor = people[Role.ADMIN], people[Role.EDITOR]
    version = editor.version
    users.update_user(db_session, as_actor(admin), editor.id, version=version, role=Role.VIEWER)
    db_session.commit()
    db_session.expire_all()
    stored = db_session.get(User, editor.id)
    assert stored.role == "viewer"
    assert stored.version == version + 1


def test_deactivation_ends_existing_sessions(db_session, people):
    admin, editor = people[Role.ADMIN], people[Role.EDITOR]
    cookie_id = editor.get_id()
    assert users.load_session_user(db_session, cookie_id).id == editor.id
    old_session_version = editor.session_version
    users.update_user(db_session, as_actor(admin), editor.id, version=editor.version, active=False)
    db_session.commit()
    db_session.expire_all()
    stored = db_session.get(User, editor.id)
    assert stored.active is False
    assert stored.session_version == old_session_version + 1
    assert users.load_session_user(db_session, cookie_id) is None
    # Even the current cookie id of a deactivated user does not load.
    assert users.load_session_user(db_session, stored.get_id()) is None


def test_reactivation_does_not_revive_old_sessions(db_session, people):
    admin, editor = people[Role.ADMIN], people[Role.EDITOR]
    cookie_id = editor.get_id()
    users.update_user(db_session, as_actor(admin), editor.id, version=editor.version, active=False)
    db_session.commit()
    user = users.update_user(db_session, as_actor(admin), editor.id, version=editor.version, active=True)
    db_session.commit()
    assert user.active is True
    assert users.load_session_user(db_session, cookie_id) is None
    assert users.load_session_user(db_session, user.get_id()).id == editor.id


@pytest.mark.parametrize("cookie", ["", "abc", "1", "1:", ":1", "1:x", "999999:1"])
def test_malformed_or_unknown_session_ids_load_nobody(db_session, people, cookie):
    assert users.load_session_user(db_session, cookie) is None


# --- passwords and sign-in ---------------------------------------------------------------------------


def test_change_password_checks_the_current_password(db_session, people):
    editor = people[Role.EDITOR]
    old_hash = editor.password_hash
    before = counts(db_session)
    with pytest.raises(ValidationError) as info:
        users.change_password(
            db_session, as_actor(editor), editor, current="not the password", new=NEW_PASSWORD
        )
    assert info.value.field == "current_password"
    assert_refused_and_nothing_written(db_session, before)
    assert db_session.get(User, editor.id).password_hash == old_hash
    assert users.authenticate(db_session, editor.email, PASSWORD) is not None


def test_change_password_refuses_a_short_new_password(db_session, people):
    editor = people[Role.EDITOR]
    before = counts(db_session)
    with pytest.raises(ValidationError) as info:
        users.change_password(db_session, as_actor(editor), editor, current=PASSWORD, new="short")
    assert info.value.field == "password"
    assert_refused_and_nothing_written(db_session, before)
    assert users.authenticate(db_session, editor.email, PASSWORD) is not None


def test_change_password_switches_password_and_ends_other_sessions(db_session, people):
    editor = people[Role.EDITOR]
    cookie_id = editor.get_id()
    users.change_password(db_session, as_actor(editor), editor, current=PASSWORD, new=NEW_PASSWORD)
    db_session.commit()
    assert users.authenticate(db_session, editor.email, PASSWORD) is None
    assert users.authenticate(db_session, editor.email, NEW_PASSWORD).id == editor.id
    assert users.load_session_user(db_session, cookie_id) is None


def test_authenticate_succeeds_with_right_password_any_email_case(db_session, people):
    editor = people[Role.EDITOR]
    assert users.authenticate(db_session, editor.email.upper(), PASSWORD).id == editor.id


def test_authenticate_fails_for_wrong_password(db_session, people):
    assert users.authenticate(db_session, people[Role.EDITOR].email, PASSWORD + "x") is None


def test_authenticate_fails_for_unknown_email(db_session, people):
    assert users.authenticate(db_session, "nobody@example.com", PASSWORD) is None


def test_authenticate_fails_for_inactive_user_even_with_right_password(db_session, people):
    admin, editor = people[Role.ADMIN], people[Role.EDITOR]
    users.update_user(db_session, as_actor(admin), editor.id, version=editor.version, active=False)
    db_session.commit()
    assert users.authenticate(db_session, editor.email, PASSWORD) is None


# --- the audit trail ---------------------------------------------------------------------------------


def test_create_leaves_an_audit_event_with_field_changes(db_session):
    actor = Actor(user_id=None, label="unit test")
    user = users.create_user(
        db_session, actor, email="audited@example.com", name="Audited", role="editor", password=PASSWORD
    )
    db_session.commit()
    [event] = events_for(db_session, user)
    assert event.action == "create"
    assert event.actor_label == "unit test"
    assert event.actor_id is None
    assert event.entity == "user"
    assert event.entity_id == str(user.id)
    assert event.changes["email"] == [None, "audited@example.com"]
    assert event.changes["name"] == [None, "Audited"]
    assert event.changes["role"] == [None, "editor"]
    assert event.changes["active"] == [None, True]
    assert event.changes["password"] == [None, HIDDEN]
    assert "password_hash" not in event.changes


def test_update_leaves_an_audit_event_with_old_and_new_values(db_session, people):
    admin, editor = people[Role.ADMIN], people[Role.EDITOR]
    users.update_user(
        db_session, as_actor(admin), editor.id, version=editor.version, role="viewer", name="Eddie"
    )
    db_session.commit()
    event = events_for(db_session, editor)[-1]
    assert event.action == "update"
    assert event.actor_id == admin.id
    assert event.actor_label == admin.email
    assert event.changes["role"] == ["editor", "viewer"]
    assert event.changes["name"] == ["Editor User", "Eddie"]
    assert "version" not in event.changes
    assert "active" not in event.changes


def test_deactivate_leaves_an_audit_event(db_session, people):
    admin, viewer = people[Role.ADMIN], people[Role.VIEWER]
    users.update_user(db_session, as_actor(admin), viewer.id, version=viewer.version, active=False)
    db_session.commit()
    event = events_for(db_session, viewer)[-1]
    assert event.action == "deactivate"
    assert event.actor_id == admin.id
    assert event.changes["active"] == [True, False]
    assert "session_version" not in event.changes


def test_login_leaves_an_audit_event(db_session, people):
    editor = people[Role.EDITOR]
    users.record_login(db_session, editor)
    db_session.commit()
    db_session.expire_all()
    stored = db_session.get(User, editor.id)
    assert stored.last_login_at is not None
    event = events_for(db_session, editor)[-1]
    assert event.action == "login"
    assert event.actor_id == editor.id
    assert event.actor_label == editor.email
    assert event.entity == "user"
    assert event.entity_id == str(editor.id)
    old, new = event.changes["last_login_at"]
    assert old is None
    assert new == stored.last_login_at.isoformat()


def test_change_password_leaves_an_audit_event_without_the_hash(db_session, people):
    editor = people[Role.EDITOR]
    old_hash = editor.password_hash
    users.change_password(db_session, as_actor(editor), editor, current=PASSWORD, new=NEW_PASSWORD)
    db_session.commit()
    event = events_for(db_session, editor)[-1]
    assert event.action == "change_password"
    assert event.actor_id == editor.id
    assert event.changes == {"password": [HIDDEN, HIDDEN]}
    dumped = json.dumps(event.changes)
    assert old_hash not in dumped
    assert db_session.get(User, editor.id).password_hash not in dumped


def test_no_audit_event_ever_contains_a_password_or_its_hash(db_session, people):
    admin, editor = people[Role.ADMIN], people[Role.EDITOR]
    hashes = {editor.password_hash, admin.password_hash}
    users.change_password(db_session, as_actor(editor), editor, current=PASSWORD, new=NEW_PASSWORD)
    users.record_login(db_session, editor)
    users.update_user(db_session, as_actor(admin), editor.id, version=editor.version, role="viewer")
    db_session.commit()
    hashes.add(db_session.get(User, editor.id).password_hash)
    events = list(db_session.scalars(select(AuditEvent)))
    assert {e.action for e in events} >= {"create", "change_password", "login", "update"}
    for event in events:
        dumped = json.dumps(event.changes) + event.summary
        for secret in (*hashes, PASSWORD, NEW_PASSWORD):
            assert secret not in dumped
        assert "password_hash" not in event.changes
        if "password" in event.changes:
            assert event.changes["password"][1] == HIDDEN
