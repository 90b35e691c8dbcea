"""How well a version sorts accounts: among decided accounts, conversion by tier (Wilson intervals) and the
top tier's share of all conversions against its share of accounts (lift). In-sample when the criteria were
chosen on the same accounts; the out-of-time numbers use only accounts recorded after the activation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from ecp_tracker.analysis.proportions import Rate, wilson_rate
from ecp_tracker.domain.accounts import CONVERTED_STAGES, DECIDED_STAGES
from ecp_tracker.domain.icp import EXCLUDED
from ecp_tracker.models import Account, IcpVersion
from ecp_tracker.services.icp.scoring import NO_TIER, Scorer


@dataclass(frozen=True)
class TierRate:
    tier: str
    accounts: int
    converted: int
    rate: Rate | None


@dataclass(frozen=True)
class Sorting:
    rows: list[TierRate]
    decided: int
    converted: int
    top_tier: str | None
    top_share_of_accounts: float | None
    top_share_of_conversions: float | None

    @property
    def lift(self) -> float | None:
        if not self.top_share_of_accounts or self.top_share_of_conversions is None:
            return None
        return self.top_share_of_conversions / self.top_share_of_accounts

    def to_json(self) -> dict[str, Any]:
        return {
            "decided": self.decided,
            "converted": self.converted,
            "tiers": [
                {
                    "tier": r.tier,
                    "accounts": r.accounts,
                    "converted": r.converted,
                    "rate": r.rate.value if r.rate else None,
                    "rate_ci": [r.rate.low, r.rate.high] if r.rate else None,
                }
                for r in self.rows
            ],
            "top_tier": self.top_tier,
            "top_share_of_accounts": self.top_share_of_accounts,
            "top_share_of_conversions": self.top_share_of_conversions,
            "lift": self.lift,
        }


@dataclass(frozen=True)
class SortingQuality:
    in_sample: Sorting
    out_of_time: Sorting | None  # accounts recorded after the activation and decided since (None: none yet)
    activated_at: datetime | None


def _sorting(session: Session, scorer: Scorer, since: datetime | None) -> Sorting:
    converted = cast(Account.stage.in_(CONVERTED_STAGES), Integer)
    stmt = select(scorer.tier, func.count(), func.sum(converted)).where(
        Account.archived_at.is_(None), Account.stage.in_(DECIDED_STAGES)
    )
    if since is not None:
        stmt = stmt.where(Account.created_at >= since)
    found = {tier: (n, int(pos or 0)) for tier, n, pos in session.execute(stmt.group_by(scorer.tier))}
    order = [*(t.name for t in scorer.tiers), NO_TIER, EXCLUDED]
    names = {t.name for t in scorer.tiers}
    rows = [
        TierRate(tier, *found.get(tier, (0, 0)), None) for tier in order if tier in found or tier in names
    ]
    rows = [
        TierRate(
            r.tier, r.accounts, r.converted, wilson_rate(r.converted, r.accounts) if r.accounts else None
        )
        for r in rows
    ]
    decided = sum(r.accounts for r in rows)
    total_converted = sum(r.converted for r in rows)
    top = rows[0] if rows and scorer.tiers else None
    return Sorting(
        rows,
        decided,
        total_converted,
        top.tier if top else None,
        top.accounts / decided if top and decided else None,
        top.converted / total_converted if top and total_converted else None,
    )


def sorting_quality(session: Session, version: IcpVersion) -> SortingQuality:
    scorer = Scorer(session, version)
    since = version.activated_at if version.status != "draft" else None
    out_of_time = _sorting(session, scorer, since) if since is not None else None
    if out_of_time is not None and out_of_time.decided == 0:
        out_of_time = None
    return SortingQuality(_sorting(session, scorer, None), out_of_time, since)
