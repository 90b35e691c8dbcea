"""How pilots, money and measured values read on the pages: template filters and the due-date note."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ecp_tracker.domain.pilots import PilotStatus
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.pilots.board import ENDING_SOON_DAYS


def today() -> date:
    return utcnow().date()


def due_note(pilot: Any, on: date | None = None) -> tuple[str, str] | None:
    """("overdue" | "soon", text) for a running pilot past or within 14 days of its planned end, else None."""
    on = on or today()
    if not PilotStatus(pilot.status).is_running or pilot.planned_end_date is None:
        return None
    days = (pilot.planned_end_date - on).days
    if days < 0:
        return "overdue", f"{-days} day{'s' if days != -1 else ''} past its planned end"
    if days <= ENDING_SOON_DAYS:
        return "soon", "ends today" if days == 0 else f"ends in {days} day{'s' if days != 1 else ''}"
    return None


def days_late(due: date, on: date | None = None) -> int:
    return ((on or today()) - due).days


def money(value: Any) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value):,.2f}"


def whole_money(value: Any) -> str:
    """Money rounded to whole units, for tiles: 11,346."""
    if value is None:
        return "—"
    return f"{Decimal(value):,.0f}"


def number(value: Any) -> str:
    """300.0000 -> 300, 0.5000 -> 0.5; None -> an empty string."""
    if value is None:
        return ""
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def month_start(on: date) -> date:
    return on.replace(day=1)


def next_month_start(on: date) -> date:
    return (on.replace(day=1) + timedelta(days=32)).replace(day=1)
