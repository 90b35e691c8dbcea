"""The demo workspace's ICP: version 1 (retired) from the one trait that graduated, version 2 (active) adding
the promising signals the demo's analysis shows, so the ICP pages, the account list's tiers, the preview and
a rollback have something to show. Loading the demo again adds nothing once a version exists."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecp_tracker.domain.actors import Actor
from ecp_tracker.models import IcpVersion
from ecp_tracker.services.icp import versions

TIERS = [{"name": "A", "min_score": 50}, {"name": "B", "min_score": 30}, {"name": "C", "min_score": -100}]
FIRST = {
    "name": "Game changers",
    "narrative": "Companies that want to change how their market works, and say so: our first customers.",
    "criteria": [{"trait": "archetype", "value": "Game changer", "points": 40}],
    "tiers": TIERS,
}
SECOND = {
    "name": "Game changers on Snowflake",
    "narrative": (
        "Game changers converted far more often than the rest, even within the same acquisition channel; "
        "a Snowflake stack and Series A funding add to it, and generic SaaS companies convert less."
    ),
    "criteria": [
        {"trait": "archetype", "value": "Game changer", "points": 40},
        {"trait": "trait:tech_stack", "value": "Snowflake", "points": 15},
        {"trait": "trait:funding_stage", "value": "Series A", "points": 10},
        {"trait": "industry", "value": "SaaS", "points": -15},
    ],
    "tiers": TIERS,
}


def load_icp(session: Session, actor: Actor, created: list[str], existing: list[str]) -> None:
    if session.scalar(select(IcpVersion.id).limit(1)) is not None:
        existing.append("ICP versions")
        return
    for body in (FIRST, SECOND):
        version = versions.create_draft(session, actor, body)
        versions.activate(session, actor, version.id)
        created.append(f"ICP version {version.number}")
