"""What a review freezes when it opens: the analysis results of the chosen outcomes, the month's numbers, the
ICP feedback loop (how much of the month's activity the top tier holds) and every live account's tier.

The snapshot is plain JSON-ready data; `domain.reviews.fingerprint` gives its SHA-256, stored beside it, so
any later change to what a review says it saw would show.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from ecp_tracker.analysis.proportions import wilson_rate
from ecp_tracker.domain.accounts import CONVERTED_STAGES, DECIDED_STAGES
from ecp_tracker.domain.testimonials import TestimonialStatus
from ecp_tracker.models import (
    Account,
    AuditEvent,
    Discount,
    GiveGet,
    IcpVersion,
    Pilot,
    TestimonialStep,
)
from ecp_tracker.services.analysis import analysis
from ecp_tracker.services.analysis.outcomes import OutcomeKind
from ecp_tracker.services.icp.scoring import Scorer
from ecp_tracker.services.icp.versions import KEEP

RESULT_KEYS = ("trait", "value", *KEEP, "flags")
PRIMARY_OUTCOME = "converted"  # the outcome whose results are the review's candidates
DEFAULT_OUTCOMES = ("converted", "churned")
CANDIDATE_RECOMMENDATIONS = ("graduate", "exclude", "promising")


def take(
    session: Session,
    period: str,
    start: date,
    end: date,
    outcomes: Sequence[str],
    version: IcpVersion | None,
    *,
    cutoff: datetime,
    today: date,
    top_tier_target: float,
) -> dict[str, Any]:
    scorer = Scorer(session, version) if version is not None else None
    return _plain(
        {
            "period": period,
            "cutoff": cutoff.isoformat(timespec="seconds"),
            "icp_version": None
            if version is None
            else {"id": version.id, "number": version.number, "name": version.name, "tiers": version.tiers},
            "outcomes": {name: outcome_results(session, name, today) for name in outcomes},
            "numbers": _numbers(session, start, end, today),
            "feedback": None if scorer is None else _feedback(session, scorer, start, end, top_tier_target),
            "tiers": {} if scorer is None else _tiers(session, scorer),
        }
    )


def _plain(value: Any) -> Any:
    """JSON every database stores as given: no NaN or infinity (None), decimals and dates as text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal | date | datetime):
        return str(value)
    return value


def outcome_results(
    session: Session, name: str, today: date, cache: analysis.AnalysisCache | None = None
) -> dict[str, Any]:
    """One outcome's analysis as a review keeps it (binary outcomes adjusted as the analysis page adjusts)."""
    outcome = analysis.outcome_named(name)
    binary = outcome.kind is OutcomeKind.BINARY
    report = analysis.run(
        session,
        name,
        stratify_by=analysis.default_stratify_by(session) if binary else None,
        today=today,
        cache=cache,
    )
    document = report.to_json()
    results = []
    for result in document["results"]:
        kept = {key: result.get(key) for key in RESULT_KEYS}
        kept["label"] = report.label_of(result["trait"])
        results.append(kept)
    return {
        "label": outcome.label,
        "stratified_by": document.get("stratified_by"),
        "population": document.get("population"),
        "positives": document.get("positives"),
        "fdr": document.get("fdr"),
        "results": results,
    }


def _instant(day: date) -> datetime:
    """Midnight UTC at the start of `day`: months are counted in UTC, as every stored time is."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _count(session: Session, stmt: Any) -> int:
    return int(session.scalar(stmt) or 0)


def _numbers(session: Session, start: date, end: date, today: date) -> dict[str, Any]:
    """The month's activity: what the meeting reads first."""
    begins, ends = _instant(start), _instant(end)
    live = Account.archived_at.is_(None)
    losses = 0
    for (changes,) in session.execute(
        select(AuditEvent.changes).where(
            AuditEvent.entity == "account", AuditEvent.occurred_at >= begins, AuditEvent.occurred_at < ends
        )
    ):
        stage = (changes or {}).get("stage")
        if isinstance(stage, list) and len(stage) == 2 and stage[1] == "lost":
            losses += 1
    collected = select(func.count(func.distinct(TestimonialStep.testimonial_id))).where(
        TestimonialStep.at >= begins,
        TestimonialStep.at < ends,
        or_(
            TestimonialStep.to_status == TestimonialStatus.RECEIVED.value,
            and_(
                TestimonialStep.from_status.is_(None),
                TestimonialStep.to_status != TestimonialStatus.REQUESTED.value,
            ),
        ),
    )
    granted = select(func.coalesce(func.sum(Discount.value), 0)).where(
        Discount.starts_on >= start, Discount.starts_on < end
    )
    as_of = min(end, today)
    return {
        "new_accounts": _count(
            session,
            select(func.count()).where(live, Account.created_at >= begins, Account.created_at < ends),
        ),
        "pilots_started": _count(
            session, select(func.count()).where(Pilot.start_date >= start, Pilot.start_date < end)
        ),
        "pilots_ended": _count(
            session, select(func.count()).where(Pilot.end_date >= start, Pilot.end_date < end)
        ),
        "conversions": _count(
            session,
            select(func.count()).where(live, Account.converted_on >= start, Account.converted_on < end),
        ),
        "losses": losses,
        "testimonials_collected": _count(session, collected),
        "discount_value_granted": str(session.scalar(granted) or 0),
        "promises_overdue": _count(
            session, select(func.count()).where(GiveGet.fulfilled_on.is_(None), GiveGet.due_on < as_of)
        ),
    }


def _share(session: Session, scorer: Scorer, top: str, stmt: Any) -> dict[str, Any]:
    counts = {tier: n for n, tier in session.execute(stmt.add_columns(scorer.tier).group_by(scorer.tier))}
    total = sum(counts.values())
    in_top = counts.get(top, 0)
    return {"total": total, "in_top": in_top, "share": in_top / total if total else None}


def _feedback(session: Session, scorer: Scorer, start: date, end: date, target: float) -> dict[str, Any]:
    """The ICP feedback loop under the version in force: the month's new accounts, pilots and conversions
    inside the top tier against the target, and conversion by tier (Wilson 95% intervals) among decided
    accounts, with whether the top tier still converts better than the rest."""
    top = scorer.tiers[0].name if scorer.tiers else None
    live = Account.archived_at.is_(None)
    begins, ends = _instant(start), _instant(end)
    count = select(func.count().label("n"))
    shares = {}
    if top is not None:
        shares = {
            "new_accounts": _share(
                session,
                scorer,
                top,
                count.select_from(Account).where(
                    live, Account.created_at >= begins, Account.created_at < ends
                ),
            ),
            "pilots_started": _share(
                session,
                scorer,
                top,
                count.select_from(Pilot)
                .join(Account, Account.id == Pilot.account_id)
                .where(Pilot.start_date >= start, Pilot.start_date < end),
            ),
            "conversions": _share(
                session,
                scorer,
                top,
                count.select_from(Account).where(
                    live, Account.converted_on >= start, Account.converted_on < end
                ),
            ),
        }
    converted = cast(Account.stage.in_(CONVERTED_STAGES), Integer)
    stmt = (
        select(scorer.tier, func.count(), func.sum(converted))
        .where(live, Account.stage.in_(DECIDED_STAGES))
        .group_by(scorer.tier)
    )
    found = {tier: (n, int(pos or 0)) for tier, n, pos in session.execute(stmt)}
    by_tier = []
    for tier in [t.name for t in scorer.tiers] + [
        t for t in found if t not in {x.name for x in scorer.tiers}
    ]:
        n, pos = found.get(tier, (0, 0))
        rate = wilson_rate(pos, n) if n else None
        by_tier.append(
            {
                "tier": tier,
                "decided": n,
                "converted": pos,
                "rate": rate.value if rate else None,
                "rate_ci": [rate.low, rate.high] if rate else None,
            }
        )
    top_row = next((row for row in by_tier if row["tier"] == top), None)
    rest_n = sum(row["decided"] for row in by_tier if row["tier"] != top)
    rest_pos = sum(row["converted"] for row in by_tier if row["tier"] != top)
    rest_rate = rest_pos / rest_n if rest_n else None
    stops = bool(
        top_row and top_row["rate"] is not None and rest_rate is not None and top_row["rate"] <= rest_rate
    )
    return {
        "top_tier": top,
        "target_share": target,
        "shares": shares,
        "by_tier": by_tier,
        "rest_rate": rest_rate,
        "top_tier_stops_out_converting": stops,
    }


def _tiers(session: Session, scorer: Scorer) -> dict[str, list[int]]:
    """Every live account's tier as {tier: [account ids]}: what the next review compares for tier moves."""
    by_tier: dict[str, list[int]] = defaultdict(list)
    stmt = select(Account.id, scorer.tier).where(Account.archived_at.is_(None)).order_by(Account.id)
    for account_id, tier in session.execute(stmt):
        by_tier[tier].append(account_id)
    return dict(sorted(by_tier.items()))
