"""Before activating a version: which accounts change tier (a matrix of current x new tier), who moves, and
how their reasons change. Everything is counted in SQL; the accounts that move are read one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.icp import EXCLUDED
from ecp_tracker.models import Account, IcpVersion
from ecp_tracker.services.icp.criteria import Vocabulary
from ecp_tracker.services.icp.scoring import NO_TIER, AccountScore, Scorer, active_version


@dataclass(frozen=True)
class Mover:
    account_id: int
    name: str
    current: AccountScore | None
    new: AccountScore

    @property
    def gained(self) -> list[dict[str, Any]]:
        """Reasons the new version gives that the current one does not (a re-weighted one counts as both)."""
        before = list(self.current.reasons) if self.current else []
        return [r for r in self.new.reasons if r not in before]

    @property
    def lost(self) -> list[dict[str, Any]]:
        after = list(self.new.reasons)
        return [r for r in (self.current.reasons if self.current else ()) if r not in after]

    def to_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "name": self.name,
            "current": self.current.to_json() if self.current else None,
            "new": self.new.to_json(),
            "reasons_gained": self.gained,
            "reasons_lost": self.lost,
        }


@dataclass(frozen=True)
class Preview:
    version: IcpVersion
    against: IcpVersion | None  # the active version (None: nothing is active yet)
    current_tiers: list[str]
    new_tiers: list[str]
    matrix: dict[tuple[str, str], int]  # (current tier, new tier) -> accounts
    moved_total: int
    movers: list[Mover]
    page: int
    per_page: int

    def count(self, current: str, new: str) -> int:
        return self.matrix.get((current, new), 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version.number,
            "against": self.against.number if self.against else None,
            "current_tiers": self.current_tiers,
            "new_tiers": self.new_tiers,
            "matrix": [
                {"current": c, "new": n, "accounts": self.count(c, n)}
                for c in self.current_tiers
                for n in self.new_tiers
            ],
            "moved": {
                "items": [m.to_json() for m in self.movers],
                "total": self.moved_total,
                "page": self.page,
                "per_page": self.per_page,
            },
        }


def _tier_names(scorer: Scorer | None) -> list[str]:
    return [*(t.name for t in scorer.tiers), NO_TIER, EXCLUDED] if scorer else [NO_TIER]


def preview(session: Session, version: IcpVersion, *, page: int = 1, per_page: int = 25) -> Preview:
    """How the live accounts would move if `version` became the active one."""
    vocabulary = Vocabulary(session)
    against = active_version(session)
    if against is not None and against.id == version.id:
        against = None
    current = Scorer(session, against, vocabulary) if against is not None else None
    new = Scorer(session, version, vocabulary)
    current_tier: ColumnElement[Any] = current.tier if current else literal(NO_TIER)
    live = Account.archived_at.is_(None)
    matrix = {
        (c, n): count
        for c, n, count in session.execute(
            select(current_tier, new.tier, func.count()).where(live).group_by(current_tier, new.tier)
        )
    }
    moving = current_tier != new.tier
    moved_total = sum(count for (c, n), count in matrix.items() if c != n)
    per_page = min(max(per_page, 1), 100)
    page = max(page, 1)
    rows = session.execute(
        select(Account.id, Account.name)
        .where(live, moving)
        .order_by(Account.name_key, Account.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    ids = [row.id for row in rows]
    before = current.scores(session, ids) if current else {}
    after = new.scores(session, ids)
    movers = [Mover(row.id, row.name, before.get(row.id), after[row.id]) for row in rows]
    return Preview(
        version, against, _tier_names(current), _tier_names(new), matrix, moved_total, movers, page, per_page
    )
