"""Writing and reading the audit trail. Every write service calls `log_write` for what it changed."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import and_, func, inspect, or_, select
from sqlalchemy.orm import Session, joinedload

from ecp_tracker.domain.actors import Actor
from ecp_tracker.models import Account, Archetype, AuditEvent, Base, Contact, Pilot, TraitDefinition, User
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.shared.integrity import raced
from ecp_tracker.services.shared.pagination import Page, paginate

# Bookkeeping columns: never shown as changes.
IGNORED_COLUMNS = {"id", "version", "created_at", "updated_at", "session_version", "name_key", "search_text"}
# Secret columns: the change is recorded, the value never is.
SECRET_COLUMNS = {"password_hash": "password", "token_hash": "token"}
HIDDEN = "(hidden)"


def entity_name(obj: Base) -> str:
    """`ApiToken` -> `api_token`: the name audit events use for a model."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(obj).__name__).lower()


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def current_values(obj: Base) -> dict[str, Any]:
    """The record's stored columns as plain data (secrets and internal keys left out), read afresh: what an
    edit conflict quotes as the other person's change. Call it after the refused request was rolled back."""
    state = inspect(obj)
    if state.identity is None:
        return {}
    hidden = (IGNORED_COLUMNS - {"id", "version", "updated_at"}) | set(SECRET_COLUMNS)
    keys = [attr.key for attr in state.mapper.column_attrs if attr.key not in hidden]
    return {key: _plain(getattr(obj, key)) for key in keys}


def pending_changes(obj: Base) -> dict[str, list[Any]]:
    """Unflushed column changes of `obj` as {"field": [old, new]}; for a new object old is None."""
    state = inspect(obj)
    is_new = state.transient or state.pending
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in IGNORED_COLUMNS:
            continue
        if is_new:
            value = getattr(obj, key)
            if value is None:
                continue
            old, new = None, value
        else:
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old == new:
                continue
        if key in SECRET_COLUMNS:
            changes[SECRET_COLUMNS[key]] = [None if is_new else HIDDEN, HIDDEN]
        else:
            changes[key] = [_plain(old), _plain(new)]
    return changes


def log_event(
    session: Session,
    actor: Actor,
    *,
    entity: str,
    entity_id: object,
    action: str,
    changes: dict[str, list[Any]] | None = None,
    summary: str = "",
) -> AuditEvent:
    """Add one audit event (for writes that do not go through `log_write`)."""
    event = AuditEvent(
        actor_id=actor.user_id,
        actor_label=actor.label[:254],
        entity=entity,
        entity_id=str(entity_id),
        action=action,
        summary=summary[:200],
        changes=changes or {},
    )
    session.add(event)
    session.flush()
    return event


def log_write(
    session: Session,
    actor: Actor,
    obj: Base,
    action: str | None = None,
    summary: str = "",
    extra_changes: dict[str, list[Any]] | None = None,
) -> AuditEvent:
    """Record what is about to be written for `obj`, flush it, and add the audit event.

    `action` defaults to "create" for a new object and "update" otherwise; pass "archive", "deactivate", ...
    where a more telling verb applies. `extra_changes` adds what columns do not show (archetypes, traits).
    """
    state = inspect(obj)
    is_new = state.transient or state.pending
    changes = pending_changes(obj) | {
        key: [_plain(v) for v in pair] for key, pair in (extra_changes or {}).items()
    }
    if state.transient:
        session.add(obj)
    with raced(obj):
        session.flush()
    return log_event(
        session,
        actor,
        entity=entity_name(obj),
        entity_id=inspect(obj).identity[0],
        action=action or ("create" if is_new else "update"),
        changes=changes,
        summary=summary,
    )


def set_archived(session: Session, actor: Actor, record: Any, *, archived: bool, summary: str = "") -> Any:
    """Archive (soft delete) or restore a record with an `archived_at` column; nothing is ever removed."""
    if archived != (record.archived_at is not None):
        record.archived_at = utcnow() if archived else None
        log_write(session, actor, record, action="archive" if archived else "restore", summary=summary)
    return record


def list_events(
    session: Session,
    *,
    entity: str | None = None,
    actor_id: int | None = None,
    entity_id: str | None = None,
    exclude_actions: tuple[str, ...] = (),
    page: int = 1,
    per_page: int = 50,
) -> Page[AuditEvent]:
    """Newest first, filtered by entity, entity id and acting user, without `exclude_actions` (e.g. sign-ins);
    the actor is loaded in the same query."""
    stmt = select(AuditEvent).options(joinedload(AuditEvent.actor)).order_by(AuditEvent.id.desc())
    if exclude_actions:
        stmt = stmt.where(AuditEvent.action.not_in(exclude_actions))
    if entity:
        stmt = stmt.where(AuditEvent.entity == entity)
    if entity_id:
        stmt = stmt.where(AuditEvent.entity_id == entity_id)
    if actor_id:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    return paginate(session, stmt, page=page, per_page=per_page)


def timeline(session: Session, records: dict[str, list[str]], *, limit: int = 50) -> list[AuditEvent]:
    """The newest events about any of `records` ({entity: [ids]}), e.g. an account and its contacts."""
    conditions = [
        and_(AuditEvent.entity == entity, AuditEvent.entity_id.in_(ids))
        for entity, ids in records.items()
        if ids
    ]
    if not conditions:
        return []
    stmt = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .where(or_(*conditions))
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def entities_in_use(session: Session) -> list[str]:
    """The entity names that have at least one audit event, for the filter menu."""
    stmt = select(AuditEvent.entity).group_by(AuditEvent.entity).order_by(AuditEvent.entity)
    return list(session.scalars(stmt))


def count_events(session: Session) -> int:
    return session.scalar(select(func.count(AuditEvent.id))) or 0


# Columns an audit change may name by id, and what the id points at (to show a name, not the number).
REFERENCES = {
    "owner_id": "user",
    "user_id": "user",
    "actor_id": "user",
    "amended_by_id": "user",
    "by_id": "user",
    "created_by_id": "user",
    "edited_by_id": "user",
    "granted_by_id": "user",
    "interviewer_id": "user",
    "recorded_by_id": "user",
    "updated_by_id": "user",
    "account_id": "account",
    "archetype_id": "archetype",
    "contact_id": "contact",
    "pilot_id": "pilot",
    "definition_id": "trait",
}
_NAMED = {
    "user": (User, User.name),
    "account": (Account, Account.name),
    "archetype": (Archetype, Archetype.name),
    "contact": (Contact, Contact.name),
    "pilot": (Pilot, Pilot.name),
    "trait": (TraitDefinition, TraitDefinition.label),
}


def record_names(session: Session, events: list[AuditEvent]) -> dict[tuple[str, int], str]:
    """The names of the records the events' changes point at by id ({("user", 2): "Ada Park"}), one query per
    kind of record."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        for column, pair in (event.changes or {}).items():
            kind = REFERENCES.get(column)
            if kind is None or not isinstance(pair, list):
                continue
            for value in pair:
                if isinstance(value, int) and not isinstance(value, bool):
                    wanted.setdefault(kind, set()).add(value)
    names: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        model, column = _NAMED[kind]
        for record_id, name in session.execute(select(model.id, column).where(model.id.in_(ids))):
            names[(kind, record_id)] = name
    return names
