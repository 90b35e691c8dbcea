"""The account list: filters, sorting and paging, in a fixed number of SQL statements at any size."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ecp_tracker.domain.accounts import SIZE_BAND_LABELS, Stage, TraitKind, name_key, size_band_range
from ecp_tracker.domain.errors import InvalidFields
from ecp_tracker.domain.numbers import is_id
from ecp_tracker.models import Account, AccountTrait, Archetype, TraitDefinition, User, account_archetypes
from ecp_tracker.services.accounts.vocabulary import custom_trait_key, is_custom_trait
from ecp_tracker.services.shared.derived import ScoreColumns, score_columns
from ecp_tracker.services.shared.pagination import Page, paginate

SORTS = {
    "name": Account.name_key,
    "stage": Account.stage,
    "industry": Account.industry,
    "employees": Account.employees,
    "region": Account.region,
    "acquisition_channel": Account.acquisition_channel,
    "created_at": Account.created_at,
    "updated_at": Account.updated_at,
}
SCORE_SORT = "score"  # the active ICP version's score (name order when no version is active)
LIST_FILTERS = (
    "stage",
    "archetype",
    "industry",
    "size_band",
    "region",
    "country",
    "acquisition_channel",
    "owner",
    "tier",
)
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class AccountFilters:
    q: str = ""
    stage: tuple[str, ...] = ()
    archetype: tuple[str, ...] = ()
    industry: tuple[str, ...] = ()
    size_band: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    acquisition_channel: tuple[str, ...] = ()
    owner: tuple[str, ...] = ()
    tier: tuple[str, ...] = ()  # ICP tiers of the active version (`excluded`, `none` too)
    traits: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    include_archived: bool = False
    sort: str = "name"
    descending: bool = False

    @classmethod
    def from_query(cls, query: Mapping[str, Sequence[str]]) -> AccountFilters:
        """From a query string as {name: [values]} (`trait:<key>` for custom traits); refuses bad values."""
        problems: list[tuple[str, str]] = []

        def values(name: str) -> tuple[str, ...]:
            return tuple(v.strip() for v in query.get(name, []) if v and v.strip())

        stages = values("stage")
        for stage in stages:
            if stage not in {s.value for s in Stage}:
                problems.append(("stage", f"Unknown stage {stage!r}."))
        for band in values("size_band"):
            if band not in SIZE_BAND_LABELS:
                problems.append(
                    ("size_band", f"Unknown size band {band!r}; use {', '.join(SIZE_BAND_LABELS)}.")
                )
        owners = values("owner")
        for owner in owners:
            if owner != "none" and not is_id(owner):
                problems.append(("owner", f"Owner is a user id or 'none', not {owner!r}."))
        sort = (query.get("sort") or ["name"])[0] or "name"
        descending = sort.startswith("-")
        if sort.lstrip("-") not in SORTS and sort.lstrip("-") != SCORE_SORT:
            choices = ", ".join([*SORTS, SCORE_SORT])
            problems.append(("sort", f"Sort by one of {choices} (prefix - for descending)."))
        if problems:
            raise InvalidFields(problems)
        traits = {custom_trait_key(key): values(key) for key in query if is_custom_trait(key) and values(key)}
        archived = (query.get("include_archived") or [""])[0].lower() in {"1", "true", "yes", "on", "y"}
        return cls(
            q=(query.get("q") or [""])[0].strip(),
            stage=stages,
            archetype=values("archetype"),
            industry=values("industry"),
            size_band=values("size_band"),
            region=values("region"),
            country=values("country"),
            acquisition_channel=values("acquisition_channel"),
            owner=owners,
            tier=values("tier"),
            traits=traits,
            include_archived=archived,
            sort=sort.lstrip("-"),
            descending=descending,
        )

    def to_query(self) -> dict[str, list[str]]:
        """The inverse of from_query, for links and saved views."""
        query: dict[str, list[str]] = {}
        if self.q:
            query["q"] = [self.q]
        for name in LIST_FILTERS:
            if getattr(self, name):
                query[name] = list(getattr(self, name))
        for key, vals in self.traits.items():
            query[f"trait:{key}"] = list(vals)
        if self.include_archived:
            query["include_archived"] = ["1"]
        if self.sort != "name" or self.descending:
            query["sort"] = [("-" if self.descending else "") + self.sort]
        return query

    @property
    def active_count(self) -> int:
        return (
            sum(1 for name in LIST_FILTERS if getattr(self, name)) + len(self.traits) + (1 if self.q else 0)
        )


def filtered_statement(
    filters: AccountFilters, scoring: ScoreColumns | None = None
) -> Select[tuple[Account]]:
    """The accounts matching `filters`; `scoring` (the active ICP version's stored scores, joined) for a tier
    filter, a sort by score or reading the score (with none, a tier filter matches nothing)."""
    stmt = select(Account)
    conditions = []
    if scoring is not None:
        on = scoring.account_id == Account.id
        stmt = stmt.join(scoring.table, on) if filters.tier else stmt.outerjoin(scoring.table, on)
    if filters.tier:
        conditions.append(scoring.tier.in_(filters.tier) if scoring is not None else Account.id.is_(None))
    if not filters.include_archived:
        conditions.append(Account.archived_at.is_(None))
    if filters.q:
        needle = name_key(filters.q)
        conditions.append(
            or_(
                Account.name_key.contains(needle, autoescape=True),
                Account.domain.contains(needle, autoescape=True),
            )
        )
    for name, column in (
        ("stage", Account.stage),
        ("industry", Account.industry),
        ("region", Account.region),
        ("country", Account.country),
        ("acquisition_channel", Account.acquisition_channel),
    ):
        if getattr(filters, name):
            conditions.append(column.in_(getattr(filters, name)))
    if filters.owner:
        ids = [int(o) for o in filters.owner if is_id(o)]
        owner_conditions = [Account.owner_id.in_(ids)] if ids else []
        if "none" in filters.owner:
            owner_conditions.append(Account.owner_id.is_(None))
        conditions.append(or_(*owner_conditions))
    if filters.size_band:
        ranges = []
        for band in filters.size_band:
            low, high = size_band_range(band)
            ranges.append(Account.employees.between(low, high) if high else Account.employees >= low)
        conditions.append(or_(*ranges))
    if filters.archetype:
        wanted = [a.casefold() for a in filters.archetype]
        having = (
            select(account_archetypes.c.account_id)
            .join(Archetype, Archetype.id == account_archetypes.c.archetype_id)
            .where(func.lower(Archetype.name).in_(wanted))
        )
        conditions.append(Account.id.in_(having))
    for key, vals in filters.traits.items():
        having = (
            select(AccountTrait.account_id)
            .join(TraitDefinition, TraitDefinition.id == AccountTrait.definition_id)
            .where(
                TraitDefinition.key == key, func.lower(AccountTrait.value).in_([v.casefold() for v in vals])
            )
        )
        conditions.append(Account.id.in_(having))
    if conditions:
        stmt = stmt.where(and_(*conditions))
    if filters.sort == SCORE_SORT and scoring is not None:
        order = scoring.score.desc() if filters.descending else scoring.score.asc()
        if not filters.tier:  # outer join: an account without a stored row (none should exist) sorts last
            order = order.nulls_last()
        tiebreak = Account.name_key.asc()
        return stmt.order_by(order, tiebreak, Account.id.asc())
    column = SORTS.get(filters.sort, Account.name_key)
    order = column.desc() if filters.descending else column.asc()
    tiebreak = Account.id.desc() if filters.descending else Account.id.asc()
    if column.nullable:  # blanks last both ways, on every database
        order = order.nulls_last()
    return stmt.order_by(order, tiebreak)


def list_accounts(
    session: Session, filters: AccountFilters, *, page: int = 1, per_page: int = 25
) -> Page[Account]:
    """One page of accounts: a COUNT, the page (owner joined), and one query for the archetypes."""
    scoring = score_columns(session) if filters.tier or filters.sort == SCORE_SORT else None
    stmt = filtered_statement(filters, scoring)
    stmt = stmt.options(joinedload(Account.owner), selectinload(Account.archetypes))
    count = tier_count(filters, scoring)
    return paginate(session, stmt, page=page, per_page=min(max(per_page, 1), MAX_PER_PAGE), count=count)


def tier_count(filters: AccountFilters, scoring: ScoreColumns | None) -> Select[tuple[int]] | None:
    """For a list filtered by tier and nothing else, its COUNT read from the stored scores alone (a row per
    account, with the account's archived flag kept in step), through the (tier, archived) index; None for
    any other list, which is counted as it is selected."""
    if scoring is None or not filters.tier:
        return None
    if filters.q or filters.traits or any(getattr(filters, name) for name in LIST_FILTERS if name != "tier"):
        return None
    stmt = select(func.count()).select_from(scoring.table).where(scoring.tier.in_(filters.tier))
    return stmt if filters.include_archived else stmt.where(scoring.archived == false())


@dataclass(frozen=True)
class FilterOptions:
    archetypes: list[str]
    industries: list[str]
    regions: list[str]
    countries: list[str]
    channels: list[str]
    owners: list[tuple[int, str]]
    traits: list[tuple[TraitDefinition, list[str]]]


def _distinct(session: Session, column: Any) -> list[str]:
    stmt = select(column).where(column.is_not(None)).group_by(column).order_by(column)
    return [v for v in session.scalars(stmt) if v]


def _trait_choices(definition: TraitDefinition, used: Mapping[int, list[str]]) -> list[str]:
    if definition.kind == TraitKind.BOOLEAN:
        return ["yes", "no"]
    if definition.kind == TraitKind.CATEGORY or definition.allowed_values:
        return list(definition.allowed_values)
    return used.get(definition.id, [])


def filter_options(session: Session) -> FilterOptions:
    """What the filter menus offer (values in use, or a trait's allowed values). A fixed number of queries."""
    definitions = session.scalars(
        select(TraitDefinition).where(TraitDefinition.archived_at.is_(None)).order_by(TraitDefinition.label)
    ).all()
    free_tags = [d.id for d in definitions if d.kind == TraitKind.TAGS and not d.allowed_values]
    used: dict[int, list[str]] = {}
    if free_tags:
        rows = session.execute(
            select(AccountTrait.definition_id, AccountTrait.value)
            .where(AccountTrait.definition_id.in_(free_tags))
            .group_by(AccountTrait.definition_id, AccountTrait.value)
            .order_by(AccountTrait.value)
        ).all()
        for definition_id, value in rows:
            used.setdefault(definition_id, []).append(value)
    traits = [(d, _trait_choices(d, used)) for d in definitions if d.kind != TraitKind.NUMBER]
    owners = session.execute(
        select(User.id, User.name).where(User.active.is_(True)).order_by(User.name)
    ).all()
    return FilterOptions(
        archetypes=list(
            session.scalars(
                select(Archetype.name).where(Archetype.archived_at.is_(None)).order_by(Archetype.name)
            )
        ),
        industries=_distinct(session, Account.industry),
        regions=_distinct(session, Account.region),
        countries=_distinct(session, Account.country),
        channels=_distinct(session, Account.acquisition_channel),
        owners=[(row.id, row.name) for row in owners],
        traits=traits,
    )
