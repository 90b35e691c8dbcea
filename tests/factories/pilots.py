"""Accounts and pilots for the pilot, discount and dashboard pages."""

from __future__ import annotations

from datetime import timedelta

from ecp_tracker.models.base import utcnow
from ecp_tracker.services.accounts import accounts
from ecp_tracker.services.pilots import pilots
from tests.conftest import TEST_ACTOR

TODAY = utcnow().date()


def make_account(session, name="Kumo Logistics", stage="prospect"):
    account = accounts.create_account(session, TEST_ACTOR, {"name": name})
    account.stage = stage
    session.commit()
    return account


def make_pilot(session, account, *, name="Latency pilot", criteria=1, start=False, **raw):
    values = {
        "name": name,
        "planned_end_date": (TODAY + timedelta(days=30)).isoformat(),
        "list_price": "2000",
        "pilot_price": "1000",
        **raw,
    }
    pilot = pilots.create_pilot(session, TEST_ACTOR, account.id, values)
    for i in range(criteria):
        pilots.add_criterion(
            session,
            TEST_ACTOR,
            pilot.id,
            {
                "description": f"Criterion {i}",
                "metric": f"p95 latency {i}",
                "target": "300",
                "unit": "ms",
                "direction": "at_most",
            },
        )
    if start:
        pilots.transition(session, TEST_ACTOR, pilot.id, "active", on=TODAY - timedelta(days=5))
    session.commit()
    return pilot
