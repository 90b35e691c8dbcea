"""ICP criteria: checking one against the trait vocabulary, and matching it, in SQL over `accounts` (stored
accounts) or in Python over a row's trait values (prospect lists), with the analysis's own derivations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, Numeric, and_, cast, exists, false, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.accounts import REVENUE_BAND_LABELS, SIZE_BAND_LABELS, TraitKind
from ecp_tracker.domain.discounts import DISCOUNT_BANDS
from ecp_tracker.domain.icp import MAX_POINTS
from ecp_tracker.models import Account, AccountTrait, Archetype, IcpCriterion, account_archetypes
from ecp_tracker.services.accounts.vocabulary import (
    COLUMN_TRAITS,
    TraitInfo,
    trait_catalogue,
    trait_label,
)
from ecp_tracker.services.analysis.population import column_trait_expressions, deepest_discount_depth
from ecp_tracker.services.shared import raw_input

FIXED_VALUES: dict[str, tuple[str, ...]] = {
    "size_band": SIZE_BAND_LABELS,
    "revenue_band": REVENUE_BAND_LABELS,
    "discount_band": (*(label for _, label in DISCOUNT_BANDS), "51%+"),
}


@dataclass(frozen=True)
class CriterionSpec:
    """A checked criterion, ready to store: a value, or for a number trait a range (either end open)."""

    trait: str
    value: str | None
    min_value: Decimal | None
    max_value: Decimal | None
    points: int
    exclude: bool
    evidence: dict[str, Any] | None = None

    def describe(self) -> str:
        if self.value is not None:
            return self.value
        low = "" if self.min_value is None else format(self.min_value.normalize(), "f")
        high = "" if self.max_value is None else format(self.max_value.normalize(), "f")
        return f"{low or '…'} to {high or '…'}"

    def key(self) -> tuple[str, str]:
        return (self.trait, self.describe())


def spec_of(criterion: IcpCriterion) -> CriterionSpec:
    return CriterionSpec(
        criterion.trait,
        criterion.value,
        criterion.min_value,
        criterion.max_value,
        criterion.points,
        criterion.exclude,
        criterion.evidence,
    )


class Vocabulary:
    """The traits a criterion may name, read once per request: the catalogue plus the live archetype names."""

    def __init__(self, session: Session) -> None:
        self.traits = {t.name: t for t in trait_catalogue(session)}
        self.archetypes = {
            name.casefold(): name
            for name in session.scalars(select(Archetype.name).where(Archetype.archived_at.is_(None)))
        }

    def label(self, trait: str) -> str:
        return trait_label(trait, {name: t.label for name, t in self.traits.items()})


def _number(raw: Any) -> Decimal | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise InvalidOperation
    number = Decimal(str(raw).strip())
    if not number.is_finite() or abs(number) >= raw_input.MEASURE_LIMIT:
        raise InvalidOperation
    return number


def check_criterion(
    vocabulary: Vocabulary, raw: Mapping[str, Any], where: str
) -> tuple[CriterionSpec | None, list[tuple[str, str]]]:
    """One criterion from its body (`trait`, `value` or `min`/`max`, `points` or `exclude`); problems name
    `where.<field>` (e.g. `criteria.2.value`)."""
    problems: list[tuple[str, str]] = []
    name = str(raw.get("trait") or "").strip()
    info = vocabulary.traits.get(name)
    if info is None:
        known = ", ".join(vocabulary.traits)
        return None, [(f"{where}.trait", f"Unknown trait {name!r}; use one of {known}.")]
    exclude = raw.get("exclude") in (True, "true", "on", "1", "yes", "y")
    points_raw = raw.get("points")
    points = 0
    if not exclude:
        try:
            points = int(str(points_raw).strip())
            if not -MAX_POINTS <= points <= MAX_POINTS or isinstance(points_raw, bool | float):
                raise ValueError
        except (TypeError, ValueError):
            problems.append(
                (f"{where}.points", f"Points are a whole number from -{MAX_POINTS} to {MAX_POINTS}.")
            )
    value, low, high = _check_value(vocabulary, info, raw, where, problems)
    if problems:
        return None, problems
    return CriterionSpec(info.name, value, low, high, points, exclude), []


def _check_value(
    vocabulary: Vocabulary,
    info: TraitInfo,
    raw: Mapping[str, Any],
    where: str,
    problems: list[tuple[str, str]],
) -> tuple[str | None, Decimal | None, Decimal | None]:
    if info.kind == TraitKind.NUMBER:
        try:
            low, high = _number(raw.get("min")), _number(raw.get("max"))
        except (InvalidOperation, ValueError):
            problems.append(
                (f"{where}.min", f"{info.label} takes a number range: min and/or max as numbers.")
            )
            return None, None, None
        if low is None and high is None:
            problems.append((f"{where}.min", f"{info.label} is a number: give min, max or both."))
        elif low is not None and high is not None and low > high:
            problems.append((f"{where}.max", f"The range's max ({high}) is below its min ({low})."))
        return None, low, high
    value = str(raw.get("value") if raw.get("value") is not None else "").strip()
    if not value or len(value) > 200:
        problems.append((f"{where}.value", f"Give a value of {info.label} (at most 200 characters)."))
        return None, None, None
    allowed: Sequence[str] = ()
    if info.name == "archetype":
        canonical = vocabulary.archetypes.get(value.casefold())
        if canonical is None:
            allowed = sorted(vocabulary.archetypes.values())
        else:
            return canonical, None, None
    elif info.name in FIXED_VALUES:
        allowed = FIXED_VALUES[info.name]
    elif info.kind == TraitKind.BOOLEAN:
        allowed = ("yes", "no")
        value = value.casefold()
    elif info.kind in (TraitKind.CATEGORY, TraitKind.TAGS) and info.allowed_values:
        allowed = info.allowed_values
    if allowed:
        match = next((a for a in allowed if a.casefold() == value.casefold()), None)
        if match is None:
            problems.append(
                (
                    f"{where}.value",
                    f"{value!r} is not a value of {info.label}; use one of {', '.join(allowed)}.",
                )
            )
        return match, None, None
    return value, None, None


# --- matching in SQL (stored accounts) ----------------------------------------------------------------------


def match_expression(spec: CriterionSpec, vocabulary: Vocabulary) -> ColumnElement[bool]:
    """True for the accounts that meet the criterion, as the analysis counts them (archived archetypes do not
    count; a number range is inclusive at both ends)."""
    info = vocabulary.traits.get(spec.trait)
    if spec.trait == "archetype":
        return exists().where(
            account_archetypes.c.account_id == Account.id,
            Archetype.id == account_archetypes.c.archetype_id,
            Archetype.archived_at.is_(None),
            Archetype.name == spec.value,
        )
    if spec.trait in COLUMN_TRAITS:
        depth = deepest_discount_depth() if spec.trait == "discount_band" else Account.id
        return column_trait_expressions(depth)[spec.trait] == spec.value
    if info is None or info.definition_id is None:
        return false()  # a trait archived after the version was made matches nobody
    conditions = [AccountTrait.account_id == Account.id, AccountTrait.definition_id == info.definition_id]
    if info.kind == TraitKind.NUMBER:
        number = cast(AccountTrait.value, Numeric(18, 4))
        if spec.min_value is not None:
            conditions.append(number >= spec.min_value)
        if spec.max_value is not None:
            conditions.append(number <= spec.max_value)
    else:
        conditions.append(AccountTrait.value == spec.value)
    return exists().where(and_(*conditions))


# --- matching in Python (a row's values) --------------------------------------------------------------------


def matches_values(spec: CriterionSpec, values: Mapping[str, frozenset[str] | Decimal | None]) -> bool:
    """Whether a row with these trait values ({trait: set of values, or a number for number traits}) meets
    the criterion; archetype names compare case-insensitively as the importer reads them."""
    got = values.get(spec.trait)
    if got is None:
        return False
    if isinstance(got, Decimal):
        return (spec.min_value is None or got >= spec.min_value) and (
            spec.max_value is None or got <= spec.max_value
        )
    if spec.trait == "archetype":
        return spec.value is not None and spec.value.casefold() in {v.casefold() for v in got}
    return spec.value in got
