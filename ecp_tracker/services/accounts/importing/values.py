"""Picklist values on import: one thing gets one name. A cell of a mapped field (industry, acquisition
channel) goes through the workspace's own value map (chosen on the import page, kept in the settings store),
then the preset's CRM map (`value_maps`), then takes the spelling an existing account already uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import ValidationError
from ecp_tracker.models import Account
from ecp_tracker.services.accounts.fields import TEXT_LIMITS
from ecp_tracker.services.accounts.importing.value_maps import MAPPED_FIELDS, VALUE_MAPS, fold
from ecp_tracker.services.shared import settings

SETTING = "import.value_map"  # {field: {folded file value: the value it becomes}}
MAX_SHOWN = 100  # distinct values per field listed on a report
MAX_COUNTED = 2000  # distinct values per field counted (a column of unique values stays small in memory)
MAX_REMEMBERED = 20_000  # distinct cells whose reading is remembered (ValueReader.memo)
FIELD_LABELS = {"industry": "Industry", "acquisition_channel": "Acquisition channel"}

# how a value got its name, as the import page shows it
BY_WORKSPACE = "your map"
BY_PRESET = "CRM map"
BY_EXISTING = "existing spelling"
AS_IS = "as in the file"


def saved_map(session: Session) -> dict[str, dict[str, str]]:
    """The workspace's value map: field -> folded file value -> the value it becomes."""
    stored = settings.load(session, {SETTING: {}})[SETTING] or {}
    return {f: dict(stored.get(f) or {}) for f in MAPPED_FIELDS}


def existing_values(session: Session) -> dict[str, list[str]]:
    """The distinct values accounts already have, per mapped field (what a file's values can be mapped to)."""
    found: dict[str, list[str]] = {}
    for name in MAPPED_FIELDS:
        column = getattr(Account, name)
        found[name] = sorted(
            session.scalars(select(column).where(column.is_not(None), column != "").distinct()),
            key=str.casefold,
        )
    return found


def save_map(session: Session, actor: Actor, choices: Mapping[str, Mapping[str, str]]) -> None:
    """Remember `choices` (field -> file value -> what it becomes; "" forgets it) for every later import.

    Entries for other values are kept. Bad input changes nothing and names the field and value.
    """
    current = saved_map(session)
    for name, pairs in choices.items():
        if name not in MAPPED_FIELDS:
            raise ValidationError(
                f"{name!r} has no value map; only {', '.join(MAPPED_FIELDS)} do.", field="values"
            )
        for value, target in pairs.items():
            key, clean = fold(value), " ".join(target.split())
            if not key:
                continue
            if len(clean) > TEXT_LIMITS[name]:
                raise ValidationError(
                    f"{FIELD_LABELS[name]}: {target[:40]!r} is longer than {TEXT_LIMITS[name]} characters.",
                    field="values",
                )
            if clean and fold(clean) != key:
                current[name][key] = clean
            else:
                current[name].pop(key, None)
    settings.store(session, actor, {SETTING: {f: dict(sorted(m.items())) for f, m in current.items() if m}})


@dataclass
class ValueReader:
    """Reads the cells of the mapped fields for one import, and counts what each distinct value became."""

    preset: str
    workspace: Mapping[str, Mapping[str, str]]
    existing: Mapping[str, Mapping[str, str]]  # field -> folded value -> spelling in the database
    # field -> value in the file -> [what it becomes, how, rows]
    seen: dict[str, dict[str, list[Any]]] = field(default_factory=dict)

    @classmethod
    def for_import(cls, session: Session, preset: str) -> ValueReader:
        existing = {name: {fold(v): v for v in values} for name, values in existing_values(session).items()}
        return cls(preset=preset, workspace=saved_map(session), existing=existing)

    # (field, cell) -> (the value counted, what it becomes, how); the maps do not change during an import
    memo: dict[tuple[str, str], tuple[str, str, str]] = field(default_factory=dict, repr=False)

    def read(self, name: str, text: str) -> str:
        found = self.memo.get((name, text))
        if found is None:
            value = " ".join(text.split())
            if not value:
                return text
            found = (value, *self.becomes(name, value))
            if len(self.memo) < MAX_REMEMBERED:
                self.memo[(name, text)] = found
        value, becomes, how = found
        counts = self.seen.setdefault(name, {})
        entry = counts.get(value)
        if entry is None:
            if len(counts) < MAX_COUNTED:
                counts[value] = [becomes, how, 1]
        else:
            entry[2] += 1
        return becomes

    def becomes(self, name: str, value: str) -> tuple[str, str]:
        """What a (whitespace-collapsed) value is stored as, and why."""
        key = fold(value)
        becomes, how = self.workspace.get(name, {}).get(key), BY_WORKSPACE
        if becomes is None:
            becomes, how = VALUE_MAPS.get(self.preset, {}).get(name, {}).get(key), BY_PRESET
            if becomes is not None:
                becomes = self.workspace.get(name, {}).get(fold(becomes), becomes)
        if becomes is None:
            becomes, how = value, AS_IS
        spelled = self.existing.get(name, {}).get(fold(becomes))
        if spelled is not None and spelled != becomes:
            becomes, how = spelled, (how if how != AS_IS else BY_EXISTING)
        return becomes, how

    def summary(self) -> dict[str, list[dict[str, Any]]]:
        """Per field, the distinct values in the file (most rows first): what each becomes, and how."""
        out: dict[str, list[dict[str, Any]]] = {}
        for name in MAPPED_FIELDS:
            entries = sorted(
                self.seen.get(name, {}).items(), key=lambda item: (-item[1][2], item[0].casefold())
            )
            out[name] = [
                {"value": value, "becomes": becomes, "how": how, "rows": rows}
                for value, (becomes, how, rows) in entries[:MAX_SHOWN]
            ]
        return out
