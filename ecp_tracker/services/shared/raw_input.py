"""Reading one field of raw input (a form, an API body, a CSV cell): the clean value, or None with a
(field, message) problem added to the caller's list, so every problem of the input is reported at once.

Every cleaner reads money, numbers, whole numbers, dates and text through these, so one kind of input has
one rule and one message wherever it is typed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ecp_tracker.domain.numbers import parse_decimal
from ecp_tracker.models.base import utcnow

Problems = list[tuple[str, str]]

# Money columns hold 16 digits with 2 decimals: anything from 1e14 up cannot be stored.
MONEY_LIMIT = Decimal("100000000000000")
# Measures (a pilot criterion's target and result, an ICP range) are Numeric(18, 4): 14 digits before the
# point. PostgreSQL refuses a larger number at the INSERT; SQLite would store it.
MEASURE_LIMIT = Decimal(10) ** 14
MEASURE_TOO_LARGE = "Use at most 14 digits before the decimal point."


def today() -> date:
    """Today in UTC: the day every date rule ("not in the future", "overdue") is judged on."""
    return utcnow().date()


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


NUL_MESSAGE = "Remove the NUL character (\\0): it cannot be stored."


def parameter_with_nul(query: Mapping[str, Sequence[str]]) -> str | None:
    """The first query parameter whose name or a value holds a NUL character, else None. PostgreSQL refuses
    NUL in text even in a search (SQLite would find nothing), so pages and the API refuse it up front."""
    for key, values in query.items():
        if any("\x00" in value for value in [key, *values]):
            return key
    return None


def without_nul(value: Any, field: str, problems: Problems) -> str:
    """The value as text; a NUL character is refused (databases and CSV files cannot keep it)."""
    raw = "" if value is None else str(value)
    if "\x00" in raw:
        problems.append((field, NUL_MESSAGE))
        raw = raw.replace("\x00", "")
    return raw


def text(value: Any, field: str, limit: int, problems: Problems, *, lines: bool = False) -> str:
    """Text with runs of spaces folded (or, with `lines`, line ends kept and trailing spaces dropped), at most
    `limit` characters; a NUL character is refused (without_nul)."""
    raw = without_nul(value, field, problems)
    if lines:
        clean = "\n".join(line.rstrip() for line in raw.strip().replace("\r\n", "\n").split("\n"))
    else:
        clean = " ".join(raw.split())
    if len(clean) > limit:
        problems.append((field, f"Use at most {limit} characters (this has {len(clean)})."))
    return clean


def decimal_of(value: Any) -> Decimal | None:
    """A finite Decimal from text (`1,500.50`, `1 500`), an int, a float or a Decimal; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return parse_decimal(value)
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def _decimal(
    value: Any, field: str, problems: Problems, required: bool, missing: str, example: str
) -> Decimal | None:
    """The number a cell holds; nothing is None (and `missing` a problem when `required`)."""
    if blank(value):
        if required:
            problems.append((field, missing))
        return None
    parsed = decimal_of(value)
    if parsed is None:
        problems.append((field, f"{example}, not {str(value).strip()!r}."))
    return parsed


def number(value: Any, field: str, problems: Problems, *, required: bool = False) -> Decimal | None:
    """A number such as 20 or 1500.50; nothing is None (or a problem when `required`)."""
    return _decimal(
        value, field, problems, required, "Enter a number.", "Enter a number such as 20 or 1500.50"
    )


def money(value: Any, field: str, problems: Problems, *, required: bool = False) -> Decimal | None:
    """An amount of money: not negative, below MONEY_LIMIT, rounded to cents."""
    amount = _decimal(
        value, field, problems, required, "Enter an amount.", "Write an amount such as 1500 or 1500.50"
    )
    if amount is None:
        return None
    if amount < 0:
        problems.append((field, "An amount cannot be negative."))
        return None
    if amount >= MONEY_LIMIT:
        problems.append((field, "That amount is too large."))
        return None
    return amount.quantize(Decimal("0.01"))


def whole_number(
    value: Any, field: str, problems: Problems, *, low: int | None = None, high: int | None = None
) -> int | None:
    """A whole number within [low, high]; nothing is None."""
    if blank(value):
        return None
    parsed = value if isinstance(value, int) and not isinstance(value, bool) else decimal_of(value)
    if parsed is None or parsed != int(parsed):
        problems.append((field, f"Enter a whole number, not {str(value).strip()!r}."))
        return None
    whole = int(parsed)
    if low is not None and whole < low:
        problems.append((field, f"Enter at least {low}."))
        return None
    if high is not None and whole > high:
        problems.append((field, f"Enter at most {high}."))
        return None
    return whole


def day(value: Any, field: str, problems: Problems, *, required: bool = False) -> date | None:
    """A date, ISO text (`2024-03-31`, a timestamp's date part) or nothing (None, "", or a problem when
    `required`); anything else is a problem on `field`."""
    if blank(value):
        if required:
            problems.append((field, "Give the date."))
        return None
    if isinstance(value, date):
        return value
    raw = str(value).strip()
    try:
        return date.fromisoformat(raw[:10] if len(raw) > 10 and raw[10] in " T" else raw)
    except ValueError:
        problems.append((field, f"Write the date as YYYY-MM-DD, not {raw!r}."))
        return None
