"""Workspace settings stored as JSON under a key; each feature keeps its own keys and defaults."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecp_tracker.domain.actors import Actor
from ecp_tracker.models import WorkspaceSetting
from ecp_tracker.services.shared import audit


def load(session: Session, keys: dict[str, Any]) -> dict[str, Any]:
    """The stored values of `keys` (a {key: default} mapping), falling back to each default."""
    rows = session.scalars(select(WorkspaceSetting).where(WorkspaceSetting.key.in_(list(keys))))
    stored = {row.key: row.value for row in rows}
    return {key: stored.get(key, default) for key, default in keys.items()}


def store(session: Session, actor: Actor, values: dict[str, Any]) -> None:
    """Write already-validated values; only keys whose value changed are written and audited."""
    existing = {
        row.key: row
        for row in session.scalars(select(WorkspaceSetting).where(WorkspaceSetting.key.in_(list(values))))
    }
    for key, value in values.items():
        row = existing.get(key)
        if row is None:
            row = WorkspaceSetting(key=key, value=value, updated_by_id=actor.user_id)
        elif row.value == value:
            continue
        else:
            row.value = value
            row.updated_by_id = actor.user_id
        audit.log_write(session, actor, row, summary=f"Setting {key}")
