"""What the experiment tests share: an active ICP whose tier A holds the fintech accounts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ecp_tracker.services.accounts import accounts
from ecp_tracker.services.icp import versions
from tests.conftest import TEST_ACTOR

ICP = {
    "name": "Fintech ICP",
    "narrative": "Fintech first.",
    "criteria": [{"trait": "industry", "value": "Fintech", "points": 60}],
    "tiers": [{"name": "A", "min_score": 60}, {"name": "C", "min_score": 0}],
}


def activate_icp(session: Session) -> None:
    version = versions.create_draft(session, TEST_ACTOR, ICP)
    versions.activate(session, TEST_ACTOR, version.id)


def fintech_workspace(session: Session, count: int) -> None:
    """The ICP in force and `count` fintech accounts in its tier A, committed."""
    activate_icp(session)
    for i in range(count):
        accounts.create_account(session, TEST_ACTOR, {"name": f"Fin {i}", "industry": "Fintech"})
    session.commit()
