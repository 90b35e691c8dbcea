"""ICP rules that need no database: version statuses, tier thresholds, and how points become a tier."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

EXCLUDED = "excluded"  # the tier of an account that matches an exclusion, whatever its points
UNSCORED = "unscored"  # the tier of a prospect row whose cells cannot be read
MAX_POINTS = 1000


class IcpStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"


@dataclass(frozen=True)
class Tier:
    name: str
    min_score: int


def clean_tiers(raw: Any) -> tuple[list[Tier], list[tuple[str, str]]]:
    """Tiers from the highest threshold down, names unique, thresholds falling: (tiers, problems)."""
    problems: list[tuple[str, str]] = []
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        return [], [("tiers", "Give at least one tier, e.g. A from 60 points, B from 30, C from 0.")]
    tiers: list[Tier] = []
    for index, item in enumerate(raw):
        where = f"tiers.{index}"
        if not isinstance(item, dict):
            problems.append((where, 'A tier is {"name": ..., "min_score": ...}.'))
            continue
        name = str(item.get("name") or "").strip()
        score = item.get("min_score")
        if not name or len(name) > 20:
            problems.append((f"{where}.name", "A tier needs a name of at most 20 characters."))
        elif name.casefold() in (EXCLUDED, UNSCORED):
            problems.append((f"{where}.name", f"{name!r} is reserved; choose another tier name."))
        elif any(t.name.casefold() == name.casefold() for t in tiers):
            problems.append((f"{where}.name", f"There are two tiers named {name!r}."))
        if isinstance(score, bool) or not isinstance(score, int) or abs(score) > 100 * MAX_POINTS:
            problems.append((f"{where}.min_score", "A tier's minimum score is a whole number."))
            continue
        if tiers and score >= tiers[-1].min_score:
            problems.append(
                (
                    f"{where}.min_score",
                    f"Tiers go from the highest minimum score down: {score} is not below "
                    f"{tiers[-1].min_score} (tier {tiers[-1].name}); tiers may not overlap.",
                )
            )
        if name:
            tiers.append(Tier(name, score))
    return tiers, problems


def tier_for(score: int, excluded: bool, tiers: Sequence[Tier]) -> str | None:
    """The tier of a score: `excluded` when an exclusion matched, else the first tier whose minimum it reaches
    (None below the lowest tier)."""
    if excluded:
        return EXCLUDED
    for tier in tiers:
        if score >= tier.min_score:
            return tier.name
    return None
