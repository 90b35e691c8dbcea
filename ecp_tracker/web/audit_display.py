"""Audit events as people read them: field labels instead of column names, names instead of ids, labels of
values (`economic buyer`, `yes`), timestamps to the minute, and readable lists and mappings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ecp_tracker.db import get_session
from ecp_tracker.models import AuditEvent
from ecp_tracker.services.shared import audit

LABELS = {
    "owner_id": "Owner",
    "dmu_role": "Role in the decision",
    "is_champion": "Champion",
    "nps": "NPS",
    "url": "URL",
    "last_login_at": "Last sign-in",
    "consented_on": "Consent given on",
    "consent_expires_on": "Consent expires on",
    "consent_withdrawn_on": "Consent withdrawn on",
    "password_hash": "Password",
    "session_version": "Sign-in sessions",
}
_SNAKE = re.compile(r"[a-z]+(?:_[a-z]+)+")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")


@dataclass(frozen=True)
class Change:
    label: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Row:
    event: AuditEvent
    who: str
    action: str
    changes: list[Change]


def field_label(column: str) -> str:
    if column in LABELS:
        return LABELS[column]
    if column.startswith("trait:"):
        return "Trait " + column.removeprefix("trait:").replace("_", " ")
    return column.removesuffix("_id").replace("_", " ").capitalize()


def action_label(action: str) -> str:
    """`status:approved` -> `status → approved`, `withdraw_consent` -> `withdraw consent`."""
    head, _, tail = action.partition(":")
    text = head.replace("_", " ")
    return f"{text} → {tail.replace('_', ' ')}" if tail else text


def show_value(column: str, value: Any, names: dict[tuple[str, int], str]) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and column in audit.REFERENCES:
        return names.get((audit.REFERENCES[column], value), f"#{value} (removed)")
    if isinstance(value, dict):
        return "; ".join(
            f"{field_label(str(k))}: {show_value(str(k), v, names) or '(empty)'}" for k, v in value.items()
        )
    if isinstance(value, list):
        return ", ".join(show_value(column, v, names) or "(empty)" for v in value) or "(none)"
    if isinstance(value, str):
        if _TIMESTAMP.fullmatch(value):
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).strftime("%Y-%m-%d %H:%M")
            except ValueError:
                return value
        if _SNAKE.fullmatch(value):
            return value.replace("_", " ")
    return str(value)


def audit_rows(events: list[AuditEvent]) -> list[Row]:
    """The rows the audit tables show, with one name lookup per kind of record for all of them."""
    events = list(events)
    names = audit.record_names(get_session(), events)
    rows = []
    for event in events:
        changes = [
            Change(
                field_label(column), show_value(column, pair[0], names), show_value(column, pair[1], names)
            )
            for column, pair in (event.changes or {}).items()
            if isinstance(pair, list) and len(pair) == 2
        ]
        who = event.actor.name if event.actor else event.actor_label
        rows.append(Row(event=event, who=who, action=action_label(event.action), changes=changes))
    return rows
