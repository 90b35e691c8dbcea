"""The audit trail: field diffs written by log_write, and the filtered, paged, newest-first listing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.actors import Actor
from ecp_tracker.models import ApiToken, AuditEvent, User
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.shared import audit


def new_user(email: str, **fields: object) -> User:
    values = {
        "name": email.split("@")[0],
        "role": "viewer",
        "password_hash": "not-a-real-hash",
        "active": True,
    }
    values.update(fields)
    return User(email=email, session_version=1, **values)


def write_user(session: Session, actor: Actor, email: str, **fields: object) -> tuple[User, AuditEvent]:
    user = new_user(email, **fields)
    event = audit.log_write(session, actor, user)
    session.commit()
    return user, event


ALICE = Actor(user_id=None, label="alice tool")


def test_entity_name_is_snake_case_of_the_model():
    assert audit.entity_name(new_user("x@example.com")) == "user"
    assert audit.entity_name(ApiToken()) == "api_token"
    assert audit.entity_name(AuditEvent()) == "audit_event"


def test_log_write_on_a_new_object_records_a_create_with_every_set_field(db_session):
    user, event = write_user(db_session, ALICE, "new@example.com", name="New Person")
    assert user.id is not None  # log_write adds and flushes the object
    assert event.id is not None
    assert event.action == "create"
    assert event.entity == "user"
    assert event.entity_id == str(user.id)
    assert event.actor_id is None
    assert event.actor_label == "alice tool"
    assert event.occurred_at is not None
    assert event.changes["email"] == [None, "new@example.com"]
    assert event.changes["name"] == [None, "New Person"]
    assert event.changes["role"] == [None, "viewer"]
    assert event.changes["active"] == [None, True]
    # Bookkeeping columns are not changes, secrets are hidden, unset columns are left out.
    for ignored in ("id", "version", "created_at", "updated_at", "session_version", "last_login_at"):
        assert ignored not in event.changes
    assert event.changes["password"] == [None, audit.HIDDEN]
    assert "password_hash" not in event.changes
    assert "not-a-real-hash" not in str(event.changes)


def test_log_write_on_a_changed_object_records_only_old_and_new_of_changed_fields(db_session):
    user, _ = write_user(db_session, ALICE, "changing@example.com", name="Before")
    user.name = "After"
    user.role = "editor"
    user.active = user.active  # assigned but unchanged: not a change
    event = audit.log_write(db_session, ALICE, user, summary="renamed")
    db_session.commit()
    assert event.action == "update"
    assert event.summary == "renamed"
    assert event.entity_id == str(user.id)
    assert event.changes == {"name": ["Before", "After"], "role": ["viewer", "editor"]}
    db_session.expire_all()
    assert db_session.get(User, user.id).name == "After"


def test_log_write_hides_a_changed_secret_on_update(db_session):
    user, _ = write_user(db_session, ALICE, "secret@example.com")
    user.password_hash = "another-fake-hash"
    event = audit.log_write(db_session, ALICE, user, action="change_password")
    db_session.commit()
    assert event.action == "change_password"
    assert event.changes == {"password": [audit.HIDDEN, audit.HIDDEN]}


def test_log_write_with_an_explicit_action_and_datetime_values(db_session):
    user, _ = write_user(db_session, ALICE, "when@example.com")
    token = ApiToken(user_id=user.id, name="t", token_hash="0" * 64, prefix="ecp_000000")
    created = audit.log_write(db_session, ALICE, token)
    token.revoked_at = utcnow()
    revoked = audit.log_write(db_session, ALICE, token, action="revoke")
    db_session.commit()
    assert created.entity == "api_token"
    assert created.changes["token"] == [None, audit.HIDDEN]
    assert revoked.action == "revoke"
    old, new = revoked.changes["revoked_at"]
    assert old is None
    assert isinstance(new, str)  # JSON-safe: datetimes are written as ISO 8601
    assert new.startswith(str(token.revoked_at.year))


def test_long_actor_labels_and_summaries_are_truncated(db_session):
    actor = Actor(user_id=None, label="a" * 400)
    _user, event = write_user(db_session, actor, "long@example.com")
    user2 = new_user("long2@example.com")
    event2 = audit.log_write(db_session, actor, user2, summary="s" * 500)
    db_session.commit()
    assert len(event.actor_label) == 254
    assert len(event2.summary) == 200


def make_history(session: Session) -> tuple[User, User, list[AuditEvent]]:
    """Two acting users and a mix of events about users and tokens, oldest first."""
    boss, _ = write_user(session, ALICE, "boss@example.com", role="admin")
    helper, _ = write_user(session, ALICE, "helper@example.com", role="editor")
    boss_actor = Actor(user_id=boss.id, label=boss.email)
    helper_actor = Actor(user_id=helper.id, label=helper.email)
    events = []
    for i in range(5):
        _u, event = write_user(session, boss_actor, f"by-boss-{i}@example.com")
        events.append(event)
    for i in range(3):
        token = ApiToken(user_id=helper.id, name=f"t{i}", token_hash=f"{i}" * 64, prefix="ecp_x")
        events.append(audit.log_write(session, helper_actor, token))
    session.commit()
    return boss, helper, events


def test_list_events_is_newest_first_and_paged(db_session):
    make_history(db_session)
    total = audit.count_events(db_session)
    assert total == 10
    first = audit.list_events(db_session, page=1, per_page=4)
    second = audit.list_events(db_session, page=2, per_page=4)
    last = audit.list_events(db_session, page=3, per_page=4)
    assert first.total == second.total == last.total == total
    assert (len(first.items), len(second.items), len(last.items)) == (4, 4, 2)
    ids = [e.id for e in (*first.items, *second.items, *last.items)]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == total
    all_ids = db_session.scalars(select(AuditEvent.id)).all()
    assert set(ids) == set(all_ids)


def test_list_events_filters_by_entity(db_session):
    _boss, _helper, events = make_history(db_session)
    tokens_page = audit.list_events(db_session, entity="api_token")
    assert tokens_page.total == 3
    assert {e.entity for e in tokens_page.items} == {"api_token"}
    assert [e.id for e in tokens_page.items] == sorted((e.id for e in events[5:]), reverse=True)
    assert audit.list_events(db_session, entity="user").total == 7
    assert audit.list_events(db_session, entity="no_such_entity").total == 0


def test_list_events_filters_by_actor_and_loads_the_actor(db_session):
    boss, helper, events = make_history(db_session)
    by_boss = audit.list_events(db_session, actor_id=boss.id)
    assert by_boss.total == 5
    assert [e.id for e in by_boss.items] == sorted((e.id for e in events[:5]), reverse=True)
    assert {e.actor.email for e in by_boss.items} == {"boss@example.com"}
    by_helper = audit.list_events(db_session, actor_id=helper.id, entity="api_token", per_page=2)
    assert by_helper.total == 3
    assert len(by_helper.items) == 2
    assert audit.list_events(db_session, actor_id=helper.id, entity="user").total == 0


def test_list_events_filters_by_entity_id(db_session):
    boss, _helper, _events = make_history(db_session)
    page = audit.list_events(db_session, entity="user", entity_id=str(boss.id))
    assert page.total == 1
    assert page.items[0].changes["email"] == [None, "boss@example.com"]


def test_entities_in_use_lists_each_entity_once_sorted(db_session):
    assert audit.entities_in_use(db_session) == []
    make_history(db_session)
    assert audit.entities_in_use(db_session) == ["api_token", "user"]
    assert db_session.scalar(select(func.count(AuditEvent.id))) == 10
