"""Accounts: stages, the rules that tie a stage to its dates, and the derived bands."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from ecp_tracker.domain.errors import ValidationError


class Stage(StrEnum):
    PROSPECT = "prospect"
    PILOT = "pilot"
    CUSTOMER = "customer"
    CHURNED = "churned"
    LOST = "lost"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def is_decided(self) -> bool:
        """Whether the conversion outcome is known (a prospect or a running pilot is not a failure yet)."""
        return self in {Stage.CUSTOMER, Stage.CHURNED, Stage.LOST}


# Stage values as stored, for queries: decided (the conversion outcome is known) and converted.
DECIDED_STAGES = tuple(s.value for s in Stage if s.is_decided)
CONVERTED_STAGES = (Stage.CUSTOMER.value, Stage.CHURNED.value)


class DmuRole(StrEnum):
    """A contact's part in the decision-making unit."""

    CHAMPION = "champion"
    ECONOMIC_BUYER = "economic_buyer"
    END_USER = "end_user"
    INFLUENCER = "influencer"
    VETO_HOLDER = "veto_holder"
    PURCHASING = "purchasing"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class TraitKind(StrEnum):
    BOOLEAN = "boolean"
    CATEGORY = "category"
    NUMBER = "number"
    TAGS = "tags"


SIZE_BANDS = (
    (1, 10, "1-10"),
    (11, 50, "11-50"),
    (51, 200, "51-200"),
    (201, 1000, "201-1000"),
    (1001, None, "1001+"),
)
REVENUE_BANDS = (
    (Decimal(0), Decimal(1_000_000), "<1M"),
    (Decimal(1_000_000), Decimal(10_000_000), "1M-10M"),
    (Decimal(10_000_000), Decimal(50_000_000), "10M-50M"),
    (Decimal(50_000_000), Decimal(250_000_000), "50M-250M"),
    (Decimal(250_000_000), None, "250M+"),
)
AGE_BANDS = ((0, 2, "0-2 years"), (3, 5, "3-5 years"), (6, 10, "6-10 years"), (11, None, "11+ years"))
SIZE_BAND_LABELS = tuple(label for _, _, label in SIZE_BANDS)
REVENUE_BAND_LABELS = tuple(label for _, _, label in REVENUE_BANDS)


def size_band(employees: int | None) -> str | None:
    if employees is None or employees < 1:
        return None
    for low, high, label in SIZE_BANDS:
        if employees >= low and (high is None or employees <= high):
            return label
    return None


def size_band_range(label: str) -> tuple[int, int | None]:
    """The employee range of a size band label, for filtering in SQL."""
    for low, high, band in SIZE_BANDS:
        if band == label:
            return low, high
    raise ValidationError(
        f"Unknown size band {label!r}; use one of {', '.join(SIZE_BAND_LABELS)}.", field="size_band"
    )


def revenue_band(revenue: Decimal | None) -> str | None:
    if revenue is None or revenue < 0:
        return None
    for low, high, label in REVENUE_BANDS:
        if revenue >= low and (high is None or revenue < high):
            return label
    return None


def company_age_band(founded_year: int | None, today: date) -> str | None:
    if founded_year is None or founded_year > today.year:
        return None
    age = today.year - founded_year
    for low, high, label in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    return None


_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*://")
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normalize_domain(raw: str | None) -> str | None:
    """`https://www.Acme.com/about` -> `acme.com`; None for blank; ValidationError when not a domain."""
    if raw is None or not raw.strip():
        return None
    value = raw.strip().lower()
    if "://" in value:  # only then can the scheme pattern match
        value = _SCHEME_RE.sub("", value)
    value = value.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    if value.startswith("www."):
        value = value[4:]
    if not _DOMAIN_RE.match(value):
        raise ValidationError(f"{raw.strip()!r} is not a web domain such as acme.com.", field="domain")
    return value


def name_key(name: str) -> str:
    """The case- and space-insensitive key account names are unique by."""
    return " ".join(name.split()).casefold()


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


@dataclass(frozen=True)
class StageDates:
    stage: Stage
    converted_on: date | None
    churned_on: date | None


def check_stage_dates(values: StageDates, today: date) -> None:
    """A customer has converted_on; churned needs churned_on on or after it; no dates in the future."""
    stage, converted, churned = values.stage, values.converted_on, values.churned_on
    if converted and converted > today:
        raise ValidationError("The conversion date cannot be in the future.", field="converted_on")
    if churned and churned > today:
        raise ValidationError("The churn date cannot be in the future.", field="churned_on")
    if stage in {Stage.CUSTOMER, Stage.CHURNED} and converted is None:
        raise ValidationError(f"A {stage.value} account needs the date it converted.", field="converted_on")
    if stage == Stage.CHURNED:
        if churned is None:
            raise ValidationError("A churned account needs the date it churned.", field="churned_on")
        if converted and churned < converted:
            raise ValidationError(
                "The churn date must be on or after the conversion date.", field="churned_on"
            )
    elif churned is not None:
        raise ValidationError("Only a churned account has a churn date.", field="churned_on")
    if stage in {Stage.PROSPECT, Stage.PILOT, Stage.LOST} and converted is not None:
        raise ValidationError(
            f"A {stage.value} account has not converted; clear the conversion date or change the stage.",
            field="converted_on",
        )
