"""The demo's ICP: a retired and an active version built from the demo's own evidence, reloaded idempotently,
shown on the dashboard with the tier mix."""

from __future__ import annotations

from sqlalchemy import func, select

from ecp_tracker.demo import workspace as demo
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Account
from ecp_tracker.services.icp import scoring, versions


def test_demo_has_a_retired_and_an_active_version_from_its_evidence(db_session, client_as):
    demo.load_demo(db_session)
    db_session.commit()
    listed = {v.number: v for v in versions.list_versions(db_session)}
    assert {n: v.status for n, v in listed.items()} == {1: "retired", 2: "active"}
    game_changer = listed[2].criteria[0]
    assert (game_changer.trait, game_changer.value) == ("archetype", "Game changer")
    assert game_changer.evidence["recommendation"] == "graduate"  # the demo analysis's one graduate
    counts = scoring.tier_counts(db_session, listed[2])
    live = db_session.scalar(select(func.count()).select_from(Account).where(Account.archived_at.is_(None)))
    assert counts["A"] > 0 and sum(counts.values()) == live
    again = demo.load_demo(db_session)
    assert "ICP versions" in again.existing and len(versions.list_versions(db_session)) == 2
    page = client_as(Role.VIEWER).get("/").get_data(as_text=True)
    assert "Game changers on Snowflake" in page and f">{counts['A']}<" in page
