"""What the next review will have to decide, for the dashboard: its month and due date, the candidates the
evidence holds today (with the repeated-looks rule applied), the deferrals coming back, and the feedback loop
of the last finalised review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecp_tracker.domain.reviews import ReviewStatus
from ecp_tracker.models import Review
from ecp_tracker.services.analysis.analysis import AnalysisCache
from ecp_tracker.services.reviews.reviews import Candidate, candidates, latest_of_period, next_review_date
from ecp_tracker.services.reviews.snapshot import PRIMARY_OUTCOME, outcome_results


@dataclass(frozen=True)
class Upcoming:
    period: str
    due: date
    review: Review | None  # already opened for that month
    candidates: list[Candidate]
    last: Review | None  # the latest finalised review

    @property
    def ready(self) -> int:
        return sum(1 for c in self.candidates if c.ready)

    @property
    def revisits(self) -> int:
        return sum(1 for c in self.candidates if c.revisit)


def upcoming(session: Session, today: date, cache: AnalysisCache | None = None) -> Upcoming:
    """The next review as it stands: an opened review's own candidates, else today's evidence read as a
    review of that month would freeze it (nothing is stored)."""
    period, due = next_review_date(session, today)
    opened = latest_of_period(session, period)
    if opened is not None and opened.status == ReviewStatus.OPEN:
        found = candidates(session, opened)
    else:
        results = outcome_results(session, PRIMARY_OUTCOME, today, cache)
        draft = Review(period=period, snapshot={"outcomes": {PRIMARY_OUTCOME: results}})
        found = candidates(session, draft)
        opened = None
    last = session.scalars(
        select(Review)
        .where(Review.status == ReviewStatus.FINALISED)
        .order_by(Review.period.desc(), Review.revision.desc())
    ).first()
    return Upcoming(period, due, opened, found, last)
