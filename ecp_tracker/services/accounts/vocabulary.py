"""The trait vocabulary: built-in trait names and labels, the `trait:<key>` spelling of custom traits, and the
catalogue of every trait an account can carry (what the analysis tests and what an ICP criterion may name)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecp_tracker.domain.accounts import TraitKind
from ecp_tracker.models import TraitDefinition

# Single-valued built-in traits read from (or derived from) the account's own columns.
COLUMN_TRAITS = (
    "industry",
    "size_band",
    "revenue_band",
    "region",
    "country",
    "acquisition_channel",
    "discount_band",
)
BUILTIN_TRAITS = ("archetype", *COLUMN_TRAITS)
BUILTIN_LABELS = {
    "archetype": "archetype",
    "industry": "industry",
    "size_band": "company size",
    "revenue_band": "revenue band",
    "region": "region",
    "country": "country",
    "acquisition_channel": "acquisition channel",
    "discount_band": "discount band",
}
# Built-ins a prospect's own data does not show (how it was acquired, what it was given).
NOT_EXTERNALLY_OBSERVABLE = frozenset({"discount_band", "acquisition_channel"})
CUSTOM_PREFIX = "trait:"


def custom_trait_name(key: str) -> str:
    """`stack` -> `trait:stack`: the name a custom trait has in results, filters, columns and criteria."""
    return CUSTOM_PREFIX + key


def is_custom_trait(name: str) -> bool:
    return name.startswith(CUSTOM_PREFIX)


def custom_trait_key(name: str) -> str:
    """`trait:stack` -> `stack` (a name without the prefix is returned unchanged)."""
    return name.removeprefix(CUSTOM_PREFIX)


def trait_label(name: str, labels: dict[str, str] | None = None) -> str:
    """A person's name for a trait: the built-in label, the custom trait's label when known, else the key."""
    if name in BUILTIN_LABELS:
        return BUILTIN_LABELS[name]
    if labels and name in labels:
        return labels[name]
    return custom_trait_key(name).replace("_", " ").replace("-", " ")


def display_label(name: str, labels: dict[str, str] | None = None) -> str:
    """`trait_label` with a capital first letter, as pages, exports and the one-page ICP show a trait:
    `trait:seats` -> `Seats`, `size_band` -> `Company size`."""
    label = trait_label(name, labels)
    return label[:1].upper() + label[1:]


def trait_labels(session: Session) -> dict[str, str]:
    """Every trait's label by name (`trait:seats` -> `Seats`), archived custom traits included: a retired
    version's criteria and old reasons may name them. One query."""
    labels = dict(BUILTIN_LABELS)
    for key, label in session.execute(select(TraitDefinition.key, TraitDefinition.label)):
        labels[custom_trait_name(key)] = label
    return labels


@dataclass(frozen=True)
class TraitInfo:
    name: str  # as in the results: "industry", "trait:stack"
    label: str
    kind: str  # "builtin" or the custom trait's kind
    externally_observable: bool
    definition_id: int | None = None
    allowed_values: tuple[str, ...] = ()

    @property
    def can_stratify(self) -> bool:
        """Adjusting needs one value per account: single-valued built-ins, custom booleans and categories."""
        if self.kind == "builtin":
            return self.name != "archetype"
        return self.kind in (TraitKind.BOOLEAN, TraitKind.CATEGORY)


def trait_catalogue(session: Session) -> list[TraitInfo]:
    """Every trait an account can carry: the built-in ones, then the live custom traits in label order."""
    builtin = [
        TraitInfo(name, BUILTIN_LABELS[name], "builtin", name not in NOT_EXTERNALLY_OBSERVABLE)
        for name in BUILTIN_TRAITS
    ]
    definitions = session.scalars(
        select(TraitDefinition)
        .where(TraitDefinition.archived_at.is_(None))
        .order_by(TraitDefinition.label, TraitDefinition.id)
    )
    custom = [
        TraitInfo(
            custom_trait_name(d.key),
            d.label,
            d.kind,
            d.externally_observable,
            d.id,
            tuple(d.allowed_values or ()),
        )
        for d in definitions
    ]
    return builtin + custom
