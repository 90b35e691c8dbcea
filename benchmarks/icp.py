"""Benchmark rows for the ICP: the account list filtered by tier and sorted by score (computed in the query),
the API list by tier, activating a version followed by counting all accounts' tiers (every account re-scored),
and `flask icp score` of the 100,000-row CSV.

`ensure_icp(engine)` adds two versions to a generated workspace once (version 2 active): criteria on an
archetype, an industry, a size band, custom boolean, category, number and tags traits, and an exclusion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecp_tracker.domain.actors import Actor
from ecp_tracker.models import IcpVersion

if TYPE_CHECKING:
    from benchmarks.run import Bench, Options

ACTOR = Actor.system("benchmark")
TIERS = [{"name": "A", "min_score": 60}, {"name": "B", "min_score": 30}, {"name": "C", "min_score": 0}]
CRITERIA: list[dict[str, Any]] = [
    {"trait": "archetype", "value": "Game changer", "points": 30},
    {"trait": "industry", "value": "Software", "points": 15},
    {"trait": "size_band", "value": "51-200", "points": 10},
    {"trait": "trait:has_data_team", "value": "yes", "points": 10},
    {"trait": "trait:funding_stage", "value": "Series A", "points": 10},
    {"trait": "trait:it_budget_k", "min": 100, "max": 1000, "points": 5},
    {"trait": "trait:tech_stack", "value": "Snowflake", "points": 5},
    {"trait": "industry", "value": "Media", "exclude": True},
]


def ensure_icp(engine: Any) -> None:
    """Two versions (1 retired, 2 active) unless the workspace has versions already; version 2 is made active
    again when an earlier run's activation scenario left version 1 active, so every run measures the list
    against the same version. No evidence is read (the criteria are written with an empty evidence snapshot)
    so that seeding stays quick at L. The stored scores follow as in the app: the ICP's derived-data source
    is registered first, as the app factory does."""
    from ecp_tracker.services.icp import versions
    from ecp_tracker.services.icp.scoring import STORED_SCORES
    from ecp_tracker.services.shared import derived

    derived.register(STORED_SCORES)
    with Session(engine) as session:
        if session.scalar(select(IcpVersion.id).limit(1)) is not None:
            second = session.scalar(select(IcpVersion).where(IcpVersion.number == 2))
            if second is not None and second.status != "active":
                versions.activate(session, ACTOR, second.id)
                session.commit()
            return

        first = [{**c, "evidence": {"note": "benchmark"}} for c in CRITERIA[:3]]
        second = [{**c, "evidence": {"note": "benchmark"}} for c in CRITERIA]
        for name, criteria in (("Benchmark narrow", first), ("Benchmark", second)):
            made = versions.create_draft(session, ACTOR, {"name": name, "criteria": criteria, "tiers": TIERS})
            versions.activate(session, ACTOR, made.id)
        session.commit()


def _inactive_number(bench: Bench) -> int:
    with Session(bench.app.extensions["ecp_db"].engine) as session:
        return session.scalar(
            select(IcpVersion.number).where(IcpVersion.status != "active").order_by(IcpVersion.number)
        )


def scenarios(request_scenario: Any, command_scenario: Any, run: Any) -> list[Any]:
    def activate(bench: Bench, _options: Options) -> tuple[list[str], str]:
        return ["icp", "activate", str(_inactive_number(bench))], bench.url

    def score(bench: Bench, _options: Options) -> tuple[list[str], str]:
        csv_file = run.generate.ensure_csv()
        out = run.generate.DATA_DIR / f"icp-scored-{bench.kind}.csv"
        out.unlink(missing_ok=True)
        return ["icp", "score", str(csv_file), "--out", str(out)], bench.url

    return [
        request_scenario(
            "account list, ICP tier A, sorted by score", lambda b: "/accounts/?tier=A&sort=-score"
        ),
        request_scenario(
            "API account list (50, ICP tier B)", lambda b: "/api/v1/accounts?per_page=50&tier=B", api=True
        ),
        command_scenario(
            "activate an ICP version, then tier every account (flask icp activate)",
            rows="every account",
            command=activate,
            check=run._expect(r"Version \d+ is active"),
            target_seconds=10,
        ),
        command_scenario(
            "score a 100,000-row prospect CSV (flask icp score)",
            rows="100,000 rows",
            command=score,
            check=run._expect(r"Scored .* against ICP version"),
            target_seconds=10,
            target_rss_mb=300,
        ),
    ]
