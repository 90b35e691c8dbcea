"""The demo workspace's ICP and its reviews: the review of the month before last graduated the one trait the
analysis calls graduate (ahead of the repeated-looks rule, so against the evidence) into version 1; last
month's review graduated the promising Snowflake and Series A signals, deferred SaaS and rejected an
artefact, and its draft became version 2 (active, version 1 retired), to which the team added a SaaS penalty
by hand. So the ICP pages, the tiers, a rollback, the review pages and the dashboard's next review all have
something to show. Loading the demo again adds nothing once a version exists."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.reviews import period_before
from ecp_tracker.models import IcpVersion
from ecp_tracker.services.icp import versions
from ecp_tracker.services.reviews import reviews

ATTENDEES = "Founder, head of sales, product marketing"
FIRST = {
    "name": "Game changers",
    "narrative": "Companies that want to change how their market works, and say so: our first customers.",
    "tiers": [{"name": "A", "min_score": 40}, {"name": "B", "min_score": 0}],
    "decisions": [
        {
            "trait": "archetype",
            "value": "Game changer",
            "decision": "graduate",
            "points": 40,
            "rationale": "The one graduate result, at the first look. We need a first ICP for outbound "
            "now and accept acting ahead of the second look.",
        },
        {
            "trait": "trait:tech_stack",
            "value": "Snowflake",
            "decision": "defer",
            "revisit": 20,
            "rationale": "Promising only; look again next month.",
        },
    ],
}
SECOND = {
    "name": "Game changers on Snowflake",
    "narrative": (
        "Game changers converted far more often than the rest, even within the same acquisition channel; "
        "a Snowflake stack and Series A funding add to it, and generic SaaS companies convert less."
    ),
    "decisions": [
        {
            "trait": "archetype",
            "value": "Game changer",
            "decision": "graduate",
            "points": 40,
            "rationale": "Held at two reviews in a row: ready, and kept at 40 points.",
        },
        {
            "trait": "trait:tech_stack",
            "value": "Snowflake",
            "decision": "graduate",
            "points": 15,
            "rationale": "Promising at both looks, and each Snowflake pilot met its criteria: small weight.",
        },
        {
            "trait": "trait:funding_stage",
            "value": "Series A",
            "decision": "graduate",
            "points": 10,
            "rationale": "Series A teams have budget and urgency; sales sees it in every call.",
        },
        {
            "trait": "industry",
            "value": "SaaS",
            "decision": "defer",
            "revisit": 45,
            "rationale": "Converts less, but 38 accounts are too few to exclude an industry.",
        },
        {
            "trait": "discount_band",
            "value": "none",
            "decision": "reject",
            "rationale": "An artefact: the accounts that convert are those offered a pilot discount.",
        },
    ],
    "tiers": [
        {"name": "A", "min_score": 40},
        {"name": "B", "min_score": 10},
        {"name": "C", "min_score": -100},
    ],
    "by_hand": [{"trait": "industry", "value": "SaaS", "points": -15}],
}


def _review(session: Session, actor: Actor, period: str, plan: dict[str, Any], today: date) -> IcpVersion:
    """Open, decide, finalise; the draft it produced gets the plan's name, narrative and tiers, then is
    activated."""
    review = reviews.open_review(session, actor, period, today=today)
    reviews.update_notes(
        session, actor, review.id, attendees=ATTENDEES, notes="", expected_version=review.version
    )
    for raw in plan["decisions"]:
        days = raw.get("revisit")
        revisit = (today + timedelta(days=days)).isoformat() if days else None
        reviews.decide(session, actor, review.id, {**raw, "deciders": ATTENDEES, "revisit_on": revisit})
    reviews.finalise(session, actor, review.id)
    draft = session.get(IcpVersion, review.draft_icp_version_id)
    body = versions.version_json(draft)
    criteria = [*body["criteria"], *plan.get("by_hand", [])]
    body = {
        "name": plan["name"],
        "narrative": plan["narrative"],
        "tiers": plan["tiers"],
        "criteria": criteria,
    }
    versions.update_draft(session, actor, draft.id, body, draft.version)
    versions.activate(session, actor, draft.id)
    return draft


def load_icp(session: Session, actor: Actor, today: date, created: list[str], existing: list[str]) -> None:
    if session.scalar(select(IcpVersion.id).limit(1)) is not None:
        existing.append("ICP versions")
        return
    for back, plan in ((2, FIRST), (1, SECOND)):
        period = period_before(today, back)
        version = _review(session, actor, period, plan, today)
        created += [f"review of {period}", f"ICP version {version.number}"]
