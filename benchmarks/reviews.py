"""Benchmark rows for the monthly review: opening one (the snapshot of two outcomes) against the cold analysis
of those outcomes, and the meeting page and its Markdown record of a stored review.

`ensure_review(engine)` opens (and keeps) the review of the month before the run once, so that the page rows
have a review to show. The open row opens another month inside a transaction it rolls back: nothing of it
stays.
"""

from __future__ import annotations

import statistics
import time
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.reviews import period_before
from ecp_tracker.models import Review

if TYPE_CHECKING:
    from benchmarks.run import Bench, Options, Row

ACTOR = Actor.system("benchmark")
OPEN_RATIO_TARGET = 2.0
PAGE_TARGET_MS = 300.0
SCRATCH_PERIOD = "2001-01"  # opened and rolled back by the open row


def ensure_review(engine: Any, today: date | None = None) -> None:
    """The review of last month, opened once with the default outcomes (converted and churned)."""
    from ecp_tracker.services.reviews import reviews

    today = today or date.today()  # noqa: DTZ011 (benchmark data, local date)
    with Session(engine) as session:
        if session.scalar(select(Review.id).limit(1)) is not None:
            return
        reviews.open_review(session, ACTOR, period_before(today), today=today)
        session.commit()


def _review_id(bench: Bench) -> int:
    with Session(bench.app.extensions["ecp_db"].engine) as session:
        return session.scalar(select(Review.id).order_by(Review.id))


class ReviewOpenScenario:
    """Opening a review (its snapshot: two outcomes, the month's numbers, the feedback loop) against the cold
    analysis of the same two outcomes, adjusted the same way, on the same database."""

    name = "open a review (converted + churned) vs the cold analysis of both"

    def __init__(self, row: type[Row]) -> None:
        self.row = row

    def run(self, bench: Bench, options: Options) -> Row:
        from ecp_tracker.services.analysis import analysis
        from ecp_tracker.services.reviews import reviews
        from ecp_tracker.services.reviews.snapshot import DEFAULT_OUTCOMES

        today = date.today()  # noqa: DTZ011 (benchmark data, local date)
        factory = bench.app.extensions["ecp_db"].session_factory
        opened: list[float] = []
        cold: list[float] = []
        counts: list[int] = []
        for _ in range(3):
            session = factory()
            try:
                stratify_by = analysis.default_stratify_by(session)
                started = time.perf_counter()
                for name in DEFAULT_OUTCOMES:
                    analysis.run(session, name, stratify_by=stratify_by, today=today)
                cold.append(time.perf_counter() - started)
                session.rollback()
                bench.statements.clear()
                started = time.perf_counter()
                reviews.open_review(session, ACTOR, SCRATCH_PERIOD, today=today)
                session.flush()
                opened.append(time.perf_counter() - started)
                counts.append(len(bench.statements))
            finally:
                session.rollback()
                session.close()
        ratio = statistics.median(opened) / statistics.median(cold)
        verdict = "PASS" if ratio <= OPEN_RATIO_TARGET else "**FAIL**"
        return self.row(
            scenario=self.name,
            scale=bench.scale,
            median_ms=statistics.median(opened) * 1000,
            p95_ms=max(opened) * 1000,
            statements=str(min(counts)) if min(counts) == max(counts) else f"{min(counts)}-{max(counts)}",
            target=f"opening ≤ {OPEN_RATIO_TARGET:.0f}x the cold analysis of its two outcomes",
            verdict=(
                f"{verdict}: {ratio:.2f}x the cold analysis "
                f"({statistics.median(cold) * 1000:,.0f} ms for converted + churned)"
            ),
        )


def scenarios(RequestScenario: type, Row: type) -> list:
    """The scenarios of this module, in the order the table shows them, built with the runner's classes."""
    return [
        ReviewOpenScenario(Row),
        RequestScenario(
            "review page (meeting record)", lambda b: f"/reviews/{_review_id(b)}", target_ms=PAGE_TARGET_MS
        ),
        RequestScenario(
            "review Markdown export",
            lambda b: f"/reviews/{_review_id(b)}/review.md",
            target_ms=PAGE_TARGET_MS,
        ),
    ]
