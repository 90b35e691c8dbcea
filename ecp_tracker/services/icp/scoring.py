"""Scoring accounts against an ICP version: score = the sum of the points of the matched criteria, tier from
the thresholds (or `excluded`), computed in the SQL that reads it, so it always reflects the current data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, false, func, literal, or_, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.icp import EXCLUDED, IcpStatus, Tier, tier_for
from ecp_tracker.models import Account, IcpVersion
from ecp_tracker.services.icp.criteria import CriterionSpec, Vocabulary, match_expression, spec_of
from ecp_tracker.services.shared.derived import Reason, ScoreColumns

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
        self.specs: list[CriterionSpec] = [spec_of(c) for c in version.criteria]
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

    def columns(self) -> ScoreColumns:
        reasons = tuple(
            Reason(s.trait, s.describe(), s.points, s.exclude, m)
            for s, m in zip(self.specs, self.matches, strict=True)
        )
        return ScoreColumns(self.version.number, self.score, self.tier, reasons)

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


def score_columns_provider(session: Session) -> ScoreColumns | None:
    """What the account list and export read (registered in services/shared/derived by the app factory)."""
    scorer = active_scorer(session)
    return None if scorer is None else scorer.columns()


def account_scores(session: Session, ids: Sequence[int]) -> dict[int, AccountScore]:
    """Each account's score against the active version ({} when there is none)."""
    scorer = active_scorer(session)
    return {} if scorer is None else scorer.scores(session, ids)


def tier_counts(session: Session, version: IcpVersion) -> dict[str, int]:
    """How many live accounts each tier of `version` holds today (one GROUP BY)."""
    scorer = Scorer(session, version)
    stmt = select(scorer.tier, func.count()).where(Account.archived_at.is_(None)).group_by(scorer.tier)
    counts = {t.name: 0 for t in scorer.tiers} | {EXCLUDED: 0, NO_TIER: 0}
    for tier, n in session.execute(stmt):
        counts[tier] = n
    return counts
