"""Personal API tokens: stored only as a SHA-256 digest, usable until revoked, owned by one user."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import NotFound, ValidationError
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import ApiToken, AuditEvent, User
from ecp_tracker.services.shared.audit import HIDDEN
from ecp_tracker.services.users import tokens, users


def owner_actor(user: User) -> Actor:
    return Actor(user_id=user.id, label=user.email)


def make_token(session: Session, user: User, name: str = "CRM sync") -> tuple[ApiToken, str]:
    token, plain = tokens.create_token(session, owner_actor(user), user, name=name)
    session.commit()
    return token, plain


def counts(session: Session) -> tuple[int, int, int]:
    """(tokens, revoked tokens, audit events)."""
    session.expire_all()
    return (
        session.scalar(select(func.count(ApiToken.id))),
        session.scalar(select(func.count(ApiToken.id)).where(ApiToken.revoked_at.is_not(None))),
        session.scalar(select(func.count(AuditEvent.id))),
    )


def test_only_a_sha256_digest_is_stored(db_session, people):
    editor = people[Role.EDITOR]
    token, plain = make_token(db_session, editor)
    assert plain.startswith(tokens.TOKEN_PREFIX)
    assert len(plain) >= 40
    assert token.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    # Look at the raw rows, every column: the plain token is nowhere in the table.
    rows = db_session.execute(text("SELECT * FROM api_tokens")).all()
    assert len(rows) == 1
    cells = [str(cell) for row in rows for cell in row]
    assert not any(plain in cell for cell in cells)
    assert not any(plain[len(tokens.TOKEN_PREFIX) :] in cell for cell in cells)
    # The stored prefix helps recognise a token but is far too short to use.
    assert len(token.prefix) <= 16
    assert tokens.user_for_token(db_session, token.prefix) is None


def test_each_token_is_different(db_session, people):
    editor = people[Role.EDITOR]
    _first, plain1 = make_token(db_session, editor, "one")
    _second, plain2 = make_token(db_session, editor, "two")
    assert plain1 != plain2


def test_user_for_token_works_until_revoked(db_session, people):
    editor = people[Role.EDITOR]
    token, plain = make_token(db_session, editor)
    assert tokens.user_for_token(db_session, plain).id == editor.id
    tokens.revoke_token(db_session, owner_actor(editor), editor, token.id)
    db_session.commit()
    db_session.expire_all()
    assert db_session.get(ApiToken, token.id).revoked_at is not None
    assert tokens.user_for_token(db_session, plain) is None


@pytest.mark.parametrize("plain", ["", "ecp_", "ecp_not-a-real-token", "not-even-the-prefix"])
def test_unknown_tokens_authenticate_nobody(db_session, people, plain):
    make_token(db_session, people[Role.EDITOR])
    assert tokens.user_for_token(db_session, plain) is None


def test_a_slightly_altered_token_is_refused(db_session, people):
    _token, plain = make_token(db_session, people[Role.EDITOR])
    altered = plain[:-1] + ("A" if plain[-1] != "A" else "B")
    assert tokens.user_for_token(db_session, altered) is None


def test_deactivated_owner_token_authenticates_nobody(db_session, people):
    admin, editor = people[Role.ADMIN], people[Role.EDITOR]
    _token, plain = make_token(db_session, editor)
    users.update_user(db_session, owner_actor(admin), editor.id, version=editor.version, active=False)
    db_session.commit()
    db_session.expire_all()
    assert tokens.user_for_token(db_session, plain) is None


def test_revoking_someone_elses_token_is_not_found_and_changes_nothing(db_session, people):
    editor, viewer = people[Role.EDITOR], people[Role.VIEWER]
    token, plain = make_token(db_session, editor)
    before = counts(db_session)
    with pytest.raises(NotFound):
        tokens.revoke_token(db_session, owner_actor(viewer), viewer, token.id)
    db_session.commit()
    assert counts(db_session) == before
    assert db_session.get(ApiToken, token.id).revoked_at is None
    assert tokens.user_for_token(db_session, plain).id == editor.id


def test_revoking_an_unknown_token_is_not_found(db_session, people):
    editor = people[Role.EDITOR]
    with pytest.raises(NotFound):
        tokens.revoke_token(db_session, owner_actor(editor), editor, 987654)


def test_revoking_twice_keeps_the_first_revocation(db_session, people):
    editor = people[Role.EDITOR]
    token, _plain = make_token(db_session, editor)
    tokens.revoke_token(db_session, owner_actor(editor), editor, token.id)
    db_session.commit()
    revoked_at = token.revoked_at
    before = counts(db_session)
    tokens.revoke_token(db_session, owner_actor(editor), editor, token.id)
    db_session.commit()
    assert counts(db_session) == before
    assert db_session.get(ApiToken, token.id).revoked_at == revoked_at


@pytest.mark.parametrize("name", ["", "   ", "x" * (tokens.MAX_NAME_LENGTH + 1)])
def test_empty_or_too_long_names_are_refused(db_session, people, name):
    editor = people[Role.EDITOR]
    before = counts(db_session)
    with pytest.raises(ValidationError) as info:
        tokens.create_token(db_session, owner_actor(editor), editor, name=name)
    assert info.value.field == "name"
    db_session.commit()
    assert counts(db_session) == before


def test_a_name_of_the_maximum_length_is_accepted(db_session, people):
    token, _plain = make_token(db_session, people[Role.EDITOR], "x" * tokens.MAX_NAME_LENGTH)
    assert token.name == "x" * tokens.MAX_NAME_LENGTH


def test_list_tokens_shows_only_the_users_own_tokens(db_session, people):
    editor, viewer = people[Role.EDITOR], people[Role.VIEWER]
    mine, _ = make_token(db_session, editor, "mine")
    make_token(db_session, viewer, "theirs")
    assert [t.id for t in tokens.list_tokens(db_session, editor)] == [mine.id]


def test_create_and_revoke_leave_audit_events_without_the_token(db_session, people):
    editor = people[Role.EDITOR]
    token, plain = make_token(db_session, editor, "Zapier")
    tokens.revoke_token(db_session, owner_actor(editor), editor, token.id)
    db_session.commit()
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.entity == "api_token", AuditEvent.entity_id == str(token.id))
        .order_by(AuditEvent.id)
    )
    created, revoked = db_session.scalars(stmt).all()
    assert created.action == "create"
    assert revoked.action == "revoke"
    for event in (created, revoked):
        assert event.actor_id == editor.id
        assert event.actor_label == editor.email
        dumped = json.dumps(event.changes) + event.summary
        assert plain not in dumped
        assert plain[len(tokens.TOKEN_PREFIX) :] not in dumped
        assert token.token_hash not in dumped
        assert "token_hash" not in event.changes
    assert created.changes["name"] == [None, "Zapier"]
    assert created.changes["token"] == [None, HIDDEN]
    assert revoked.changes["revoked_at"][0] is None
    assert revoked.changes["revoked_at"][1] is not None
