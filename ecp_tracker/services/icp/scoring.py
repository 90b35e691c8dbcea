"""Scoring accounts against an ICP version: score = the sum of the points of the matched criteria, tier from
the thresholds (or `excluded`).

A version's criteria become SQL (`Scorer`). For the active version the results are stored, one `icp_scores`
row per account, so that the list filters by tier and sorts by score through an index. `refresh_scores` is
the only writer: set-wise, a DELETE and an INSERT ... SELECT of the same expressions. `StoredScores` is the
source registered in `services/shared/derived`, whose flush listener calls `refresh_scores` for the accounts
every ORM write touches (every account when a version is activated); the bulk import calls it for the rows
it inserts. So a stored score is never behind the data (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    case,
    delete,
    false,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.icp import EXCLUDED, IcpStatus, Tier, tier_for
from ecp_tracker.models import (
    Account,
    AccountTrait,
    Archetype,
    Discount,
    IcpScore,
    IcpVersion,
    TraitDefinition,
    account_archetypes,
)
from ecp_tracker.services.accounts.vocabulary import display_label, trait_labels
from ecp_tracker.services.icp.criteria import CriterionSpec, Vocabulary, match_expression, spec_of
from ecp_tracker.services.shared import audit
from ecp_tracker.services.shared.derived import AccountSet, Reason, ScoreColumns

NO_TIER = "none"  # below the lowest tier, or no active version


@dataclass(frozen=True)
class AccountScore:
    version: int
    score: int
    tier: str
    reasons: tuple[
        dict[str, Any], ...
    ]  # {"trait", "value", "points"} (+ "exclude": true), in criterion order

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "score": self.score,
            "tier": self.tier,
            "reasons": list(self.reasons),
        }


def tiers_of(version: IcpVersion) -> list[Tier]:
    return [Tier(t["name"], int(t["min_score"])) for t in version.tiers]


def active_version(session: Session) -> IcpVersion | None:
    return session.scalar(select(IcpVersion).where(IcpVersion.status == IcpStatus.ACTIVE))


class Scorer:
    """A version's criteria as SQL: match flags, the score and the tier."""

    def __init__(self, session: Session, version: IcpVersion, vocabulary: Vocabulary | None = None) -> None:
        self.version = version
        self.vocabulary = vocabulary or Vocabulary(session)
        self.criterion_ids: list[int] = [c.id for c in version.criteria]
        self.specs: list[CriterionSpec] = [spec_of(c) for c in version.criteria]
        self.traits = frozenset(spec.trait for spec in self.specs)  # the traits the criteria name
        self.tiers = tiers_of(version)
        self.matches = [match_expression(s, self.vocabulary) for s in self.specs]
        total: ColumnElement[Any] = literal(0)
        for spec, matched in zip(self.specs, self.matches, strict=True):
            if not spec.exclude and spec.points:
                total = total + case((matched, spec.points), else_=0)
        self.score = total
        exclusions = [m for s, m in zip(self.specs, self.matches, strict=True) if s.exclude]
        self.excluded = or_(*exclusions) if exclusions else false()
        whens = [(self.excluded, literal(EXCLUDED))]
        whens += [(self.score >= t.min_score, literal(t.name)) for t in self.tiers]
        self.tier = case(*whens, else_=literal(NO_TIER))

    def stored_rows(self, condition: ColumnElement[bool] | None) -> Any:
        """INSERT ... SELECT of the `icp_scores` rows of the accounts meeting `condition` (None: all of them).

        Each criterion is evaluated once per account, in a materialised CTE of 0/1 flags; the score, the tier
        and the matched ids are then plain arithmetic over those flags."""
        counted = [
            (criterion_id, spec, matched)
            for criterion_id, spec, matched in zip(self.criterion_ids, self.specs, self.matches, strict=True)
            if spec.exclude or spec.points
        ]
        flags = select(
            Account.id.label("account_id"),
            Account.archived_at.is_not(None).label("archived"),
            *(case((matched, 1), else_=0).label(f"m{i}") for i, (_, _, matched) in enumerate(counted)),
        )
        if condition is not None:
            flags = flags.where(condition)
        cte = flags.cte("icp_flags").prefix_with("MATERIALIZED")
        flag = [cte.c[f"m{i}"] for i in range(len(counted))]
        score: ColumnElement[Any] = literal(0)
        excluded: list[ColumnElement[bool]] = []
        matched_ids: ColumnElement[Any] = literal("", String)
        for (criterion_id, spec, _), hit in zip(counted, flag, strict=True):
            if spec.exclude:
                excluded.append(hit == 1)
            else:
                score = score + hit * spec.points
            matched_ids = matched_ids + case((hit == 1, f" {criterion_id}"), else_="")
        whens = [(or_(*excluded), literal(EXCLUDED))] if excluded else []
        whens += [(score >= t.min_score, literal(t.name)) for t in self.tiers]
        tier = case(*whens, else_=literal(NO_TIER)) if whens else literal(NO_TIER)
        number = literal(self.version.number)
        rows = select(cte.c.account_id, number, score, tier, matched_ids, cte.c.archived)
        table = IcpScore.__table__
        columns = ["account_id", "version", "score", "tier", "matched", "archived"]
        return insert(table).from_select(columns, rows)

    def score_of(self, flags: Sequence[bool]) -> AccountScore:
        """An account's score from its match flags (one per criterion): the same rules as the SQL."""
        reasons = []
        score, excluded = 0, False
        for spec, matched in zip(self.specs, flags, strict=True):
            if not matched or (not spec.exclude and not spec.points):
                continue
            reason: dict[str, Any] = {"trait": spec.trait, "value": spec.describe(), "points": spec.points}
            if spec.exclude:
                reason["points"] = 0
                reason["exclude"] = True
                excluded = True
            else:
                score += spec.points
            reasons.append(reason)
        return AccountScore(
            self.version.number, score, tier_for(score, excluded, self.tiers) or NO_TIER, tuple(reasons)
        )

    def scores(self, session: Session, ids: Sequence[int]) -> dict[int, AccountScore]:
        """Scores of many accounts in one statement."""
        if not ids:
            return {}
        stmt = select(Account.id, *(func.coalesce(m, False) for m in self.matches)).where(Account.id.in_(ids))
        if not self.matches:
            stmt = select(Account.id).where(Account.id.in_(ids))
        return {row[0]: self.score_of([bool(v) for v in row[1:]]) for row in session.execute(stmt)}


def active_scorer(session: Session) -> Scorer | None:
    version = active_version(session)
    return None if version is None else Scorer(session, version)


# --- the stored scores of the active version ----------------------------------------------------------------

REFRESH_CHUNK = 5000  # account ids per DELETE / INSERT ... SELECT when ids are given
_TABLE = IcpScore.__table__


def refresh_scores(session: Session, accounts: AccountSet) -> None:
    """Rewrite the stored scores of `accounts` against the active version, set-wise (no row per account in
    Python). With no active version the table is emptied."""
    if not accounts:
        return
    version = active_version(session)
    if accounts.every:
        session.execute(delete(_TABLE))
        if version is not None:
            session.execute(Scorer(session, version).stored_rows(None))
            if session.get_bind().dialect.name == "postgresql":
                # Every row was just rewritten: until autovacuum gets to it (a minute or more later)
                # PostgreSQL would plan a tier filter by outdated statistics (at 100,000 accounts it took a
                # tier's 28,000 rows for 600 and sorted them all: 60 ms instead of 3 ms for a page).
                session.execute(text(f"ANALYZE {_TABLE.name}"))
        return
    ids = sorted(accounts.ids)
    conditions: list[tuple[Any, Any]] = [
        (_TABLE.c.account_id.in_(chunk), Account.id.in_(chunk))
        for chunk in (ids[i : i + REFRESH_CHUNK] for i in range(0, len(ids), REFRESH_CHUNK))
    ]
    conditions += [(_TABLE.c.account_id.in_(query), Account.id.in_(query)) for query in accounts.queries]
    scorer = Scorer(session, version) if version is not None else None
    for stored, live in conditions:
        session.execute(delete(_TABLE).where(stored))
        if scorer is not None:
            session.execute(scorer.stored_rows(live))


def refresh_all_scores(session: Session) -> None:
    refresh_scores(session, AccountSet(every=True))


def rebuild_scores(session: Session, actor: Actor) -> dict[str, int]:
    """Rebuild the stored table from scratch (`flask icp rescore`): every row deleted, every account scored
    again against the active version in one INSERT ... SELECT; audited. Returns how many accounts (archived
    ones included) each tier holds; {} without an active version (the table is left empty)."""
    refresh_all_scores(session)
    version = active_version(session)
    counts: dict[str, int] = {}
    if version is not None:
        counts = {t.name: 0 for t in tiers_of(version)} | {EXCLUDED: 0, NO_TIER: 0}
        for tier, n in session.execute(select(IcpScore.tier, func.count()).group_by(IcpScore.tier)):
            counts[tier] = n
    audit.log_event(
        session,
        actor,
        entity="icp_version",
        entity_id=version.id if version is not None else "",
        action="rescore",
        changes={"accounts": [None, sum(counts.values())]},
        summary=(
            f"Stored ICP scores rebuilt against version {version.number}"
            if version is not None
            else "Stored ICP scores cleared (no active version)"
        ),
    )
    return counts


def _changed(obj: object, *names: str) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


class StoredScores:
    """The ICP's derived-data source (registered in services/shared/derived by the app factory)."""

    def columns(self, session: Session) -> ScoreColumns | None:
        """What the account list and export read: the stored table and the active version's criteria."""
        version = active_version(session)
        if version is None:
            return None
        labels = trait_labels(session)
        reasons = {
            c.id: Reason(c.trait, display_label(c.trait, labels), spec_of(c).describe(), c.points, c.exclude)
            for c in version.criteria
            if c.exclude or c.points
        }
        t = _TABLE
        return ScoreColumns(
            version.number, t, t.c.account_id, t.c.score, t.c.tier, t.c.matched, reasons, t.c.archived
        )

    def affected(self, session: Session, objects: Iterable[object]) -> AccountSet:
        """The accounts whose score the flushed objects feed: the account itself, its trait values and
        discounts (archetype links change with the account), the accounts carrying a renamed, archived or
        restored archetype or trait, and every account when a version becomes active."""
        found = AccountSet()
        new = session.new
        for obj in objects:
            if isinstance(obj, Account):
                found.ids.add(obj.id)
            elif isinstance(obj, AccountTrait | Discount):
                if obj.account_id is not None:
                    found.ids.add(obj.account_id)
            elif isinstance(obj, IcpVersion):
                # activated, retired or rolled back; a new draft changes nothing
                if _changed(obj, "status") and (obj.status == IcpStatus.ACTIVE or obj not in new):
                    found.every = True
            elif obj in new:
                continue  # a new archetype or trait is carried by no stored account yet
            elif isinstance(obj, Archetype):
                if _changed(obj, "name", "archived_at"):
                    found.queries.append(
                        select(account_archetypes.c.account_id).where(
                            account_archetypes.c.archetype_id == obj.id
                        )
                    )
            elif isinstance(obj, TraitDefinition) and _changed(obj, "archived_at", "key", "kind"):
                found.queries.append(
                    select(AccountTrait.account_id).where(AccountTrait.definition_id == obj.id).distinct()
                )
        return found

    def refresh(self, session: Session, accounts: AccountSet) -> None:
        refresh_scores(session, accounts)


STORED_SCORES = StoredScores()


def _score_from_row(version: IcpVersion, criteria: dict[int, Any], row: Any) -> AccountScore:
    reasons = []
    for token in (row.matched or "").split():
        criterion = criteria.get(int(token))
        if criterion is None:
            continue
        reason: dict[str, Any] = {
            "trait": criterion.trait,
            "value": spec_of(criterion).describe(),
            "points": 0 if criterion.exclude else criterion.points,
        }
        if criterion.exclude:
            reason["exclude"] = True
        reasons.append(reason)
    return AccountScore(version.number, row.score, row.tier, tuple(reasons))


def account_scores(session: Session, ids: Sequence[int]) -> dict[int, AccountScore]:
    """Each account's stored score against the active version ({} when there is none): three statements
    (the version, its criteria, the rows) whatever the number of accounts."""
    version = active_version(session)
    if version is None or not ids:
        return {}
    criteria = {c.id: c for c in version.criteria}
    rows = session.execute(
        select(IcpScore.account_id, IcpScore.score, IcpScore.tier, IcpScore.matched).where(
            IcpScore.account_id.in_(ids)
        )
    )
    return {row.account_id: _score_from_row(version, criteria, row) for row in rows}


def tier_counts(session: Session, version: IcpVersion) -> dict[str, int]:
    """How many live accounts each tier of `version` holds today (one GROUP BY: over the stored scores for
    the active version, over the criteria's expressions for any other)."""
    live = Account.archived_at.is_(None)
    counts = {t.name: 0 for t in tiers_of(version)} | {EXCLUDED: 0, NO_TIER: 0}
    if version.status == IcpStatus.ACTIVE:
        stmt = (
            select(IcpScore.tier, func.count())
            .join(Account, Account.id == IcpScore.account_id)
            .where(live)
            .group_by(IcpScore.tier)
        )
    else:
        scorer = Scorer(session, version)
        stmt = select(scorer.tier, func.count()).where(live).group_by(scorer.tier)
    for tier, n in session.execute(stmt):
        counts[tier] = n
    return counts
