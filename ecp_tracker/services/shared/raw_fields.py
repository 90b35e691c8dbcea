"""Reading one field of a service's raw input (form or API body): the clean value, or None with a
(field, message) problem added to the caller's list, so every problem of the input is reported at once."""

from __future__ import annotations

from datetime import date
from typing import Any


def optional_date(value: Any, field: str, problems: list[tuple[str, str]]) -> date | None:
    """A date, ISO text (`2024-03-31`) or nothing (None, ""); anything else is a problem on `field`."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append((field, f"Write the date as YYYY-MM-DD, not {str(value)!r}."))
        return None
