"""Checking and converting account input, whether it comes from a form, the API or a CSV cell.

Values may arrive as text (CSV, forms) or already typed (API); every problem is collected as (field, message),
so an import can name every bad cell of a row and a form every bad field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ecp_tracker.domain.accounts import Stage, normalize_domain
from ecp_tracker.domain.errors import ValidationError
from ecp_tracker.domain.numbers import parse_decimal
from ecp_tracker.models import TraitDefinition
from ecp_tracker.services.accounts.traits import canonical_values
from ecp_tracker.services.accounts.vocabulary import CUSTOM_PREFIX, custom_trait_key
from ecp_tracker.services.shared import raw_input

TEXT_LIMITS = {"industry": 120, "country": 80, "region": 80, "acquisition_channel": 80}
NOTES_LIMIT = 20_000
# Our own column set, in the order forms show and exports write it (custom traits follow as `trait:<key>`).
NATIVE_COLUMNS = (
    "name",
    "domain",
    "industry",
    "employees",
    "annual_revenue",
    "founded_year",
    "country",
    "region",
    "acquisition_channel",
    "stage",
    "archetypes",
    "converted_on",
    "churned_on",
    "contract_value",
    "nps",
    "referrals",
    "owner",
    "notes",
)
# The columns stored on the account row itself (archetypes and the owner are relations).
COLUMN_FIELDS = tuple(name for name in NATIVE_COLUMNS if name not in ("archetypes", "owner"))


@dataclass
class CleanAccount:
    columns: dict[str, Any] = field(default_factory=dict)
    archetypes: list[str] | None = None  # canonical names; None: not given
    traits: dict[str, list[str]] = field(default_factory=dict)  # key -> values; only the keys given
    owner: Any = None
    owner_given: bool = False


_MISSING = object()  # a field not in the input at all


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    return " ".join(str(value).split())


def _integer(value: Any, label: str, low: int | None = None, high: int | None = None) -> int:
    if isinstance(value, bool):
        raise ValidationError(f"{label} must be a whole number.")
    if isinstance(value, int):
        number = value
    else:
        parsed = parse_decimal(str(value))
        if parsed is None or parsed != parsed.to_integral_value():
            raise ValidationError(f"{label} must be a whole number, not {str(value).strip()!r}.")
        number = int(parsed)
    if low is not None and number < low:
        raise ValidationError(f"{label} must be at least {low}.")
    if high is not None and number > high:
        raise ValidationError(f"{label} must be at most {high}.")
    return number


def _money(value: Any, label: str) -> Decimal:
    if isinstance(value, bool):
        raise ValidationError(f"{label} must be an amount.")
    amount = raw_input.decimal_of(value)
    if amount is None:
        raise ValidationError(f"{label} must be an amount such as 25000 or 25000.50, not {str(value)!r}.")
    if amount < 0:
        raise ValidationError(f"{label} cannot be negative.")
    if amount >= raw_input.MONEY_LIMIT:
        raise ValidationError(f"{label} is too large.")
    return amount.quantize(Decimal("0.01"))


def _date(value: Any, label: str) -> date:
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10] if len(text) > 10 and text[10] in " T" else text)
    except ValueError:
        raise ValidationError(f"{label} must be a date written YYYY-MM-DD, not {text!r}.") from None


def _convert(name: str, value: Any, today: date) -> Any:
    if name == "name":
        text = _text(value)
        if len(text) > 200:
            raise ValidationError("Name is longer than 200 characters.")
        return text
    if name == "domain":
        return normalize_domain(str(value))
    if name in TEXT_LIMITS:
        text = _text(value)
        if len(text) > TEXT_LIMITS[name]:
            raise ValidationError(f"Use at most {TEXT_LIMITS[name]} characters.")
        return text
    if name == "employees":
        return _integer(value, "Employees", 1, 10_000_000)
    if name == "founded_year":
        return _integer(value, "Founded year", 1800, today.year)
    if name == "nps":
        return _integer(value, "NPS", 0, 10)
    if name == "referrals":
        return _integer(value, "Referrals", 0, 1_000_000)
    if name in {"annual_revenue", "contract_value"}:
        return _money(value, name.replace("_", " ").capitalize())
    if name in {"converted_on", "churned_on"}:
        return _date(value, "Converted on" if name == "converted_on" else "Churned on")
    if name == "stage":
        try:
            return Stage(str(value).strip().lower()).value
        except ValueError:
            options = ", ".join(s.value for s in Stage)
            raise ValidationError(f"Stage must be one of {options}, not {str(value).strip()!r}.") from None
    if name == "notes":
        text = str(value).strip()
        if len(text) > NOTES_LIMIT:
            raise ValidationError(f"Notes are limited to {NOTES_LIMIT} characters.")
        return text
    raise KeyError(name)


def split_names(value: Any) -> list[str]:
    if _blank(value):
        return []
    parts = value if isinstance(value, list | tuple) else str(value).split(";")
    return [_text(p) for p in parts if not _blank(p)]


# Fields whose text takes few distinct values (a bulk import may remember their conversion, see Conversions).
REPEATING_FIELDS = frozenset(
    {"industry", "country", "region", "acquisition_channel", "stage"}
    | {"employees", "founded_year", "nps", "referrals"}
)


class Conversions:
    """Remembered conversions of the REPEATING_FIELDS' text for many calls of clean_account with the same
    `today` (one bulk import): the result of `_convert` or the message it raised, per field and text."""

    MAX_PER_FIELD = 20_000

    def __init__(self, today: date) -> None:
        self.today = today
        self.seen: dict[str, dict[str, tuple[bool, Any]]] = {name: {} for name in REPEATING_FIELDS}

    def convert(self, name: str, value: str) -> tuple[bool, Any]:
        """(True, the value) or (False, the message)."""
        seen = self.seen[name]
        found = seen.get(value)
        if found is None:
            try:
                found = (True, _convert(name, value, self.today))
            except ValidationError as error:
                found = (False, error.message)
            if len(seen) < self.MAX_PER_FIELD:
                seen[value] = found
        return found


def clean_account(
    raw: Mapping[str, Any],
    *,
    today: date,
    archetype_names: Mapping[str, str],
    definitions: Mapping[str, TraitDefinition],
    require_name: bool,
    conversions: Conversions | None = None,
) -> tuple[CleanAccount, list[tuple[str, str]]]:
    """Convert the fields present in `raw`; blank means "no value" (None), except for `name` and `stage`.

    `archetype_names` maps casefolded names to canonical ones; `definitions` maps trait keys to definitions.
    `conversions` (made with the same `today`) remembers the conversions of text that repeats across calls.
    """
    clean = CleanAccount()
    problems: list[tuple[str, str]] = []
    if require_name and _blank(raw.get("name")):
        problems.append(("name", "Enter the account's name."))
    if conversions is not None and conversions.today != today:
        conversions = None  # remembered for another day
    remembered = conversions.seen if conversions is not None else {}
    columns = clean.columns
    for name in COLUMN_FIELDS:
        value = raw.get(name, _MISSING)
        if value is _MISSING:
            continue
        if not value.strip() if value.__class__ is str else _blank(value):
            if name == "name":
                if not require_name:
                    problems.append(("name", "The name cannot be blank."))
                continue
            columns[name] = Stage.PROSPECT.value if name == "stage" else ("" if name == "notes" else None)
            continue
        memo = remembered.get(name)
        if memo is not None and value.__class__ is str:
            found = memo.get(value)
            ok, converted = found if found is not None else conversions.convert(name, value)
            if ok:
                columns[name] = converted
            else:
                problems.append((name, converted))
            continue
        try:
            columns[name] = _convert(name, value, today)
        except ValidationError as error:
            problems.append((name, error.message))
    if "archetypes" in raw:
        names = []
        for given in split_names(raw["archetypes"]):
            canonical = archetype_names.get(given.casefold())
            if canonical is None:
                known = ", ".join(sorted(archetype_names.values()))
                problems.append(("archetypes", f"Unknown archetype {given!r}; known: {known}."))
            elif canonical not in names:
                names.append(canonical)
        clean.archetypes = names
    if "owner" in raw:
        clean.owner_given = True
        clean.owner = None if _blank(raw["owner"]) else raw["owner"]
    for key, value in raw.items():
        if not key.startswith(CUSTOM_PREFIX):  # is_custom_trait, inlined
            continue
        trait_key = custom_trait_key(key)
        definition = definitions.get(trait_key)
        if definition is None:
            problems.append((key, f"There is no trait {trait_key!r}; an admin defines traits first."))
            continue
        try:
            clean.traits[trait_key] = canonical_values(definition, value)
        except ValidationError as error:
            problems.append((key, error.message))
    return clean, problems
