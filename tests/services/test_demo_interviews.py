"""The demo's interviews: about 25 over the demo accounts, written through the services, with themes that
differ between converted and lost accounts; loading the demo again adds none."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from ecp_tracker.demo import workspace as demo
from ecp_tracker.domain.interviews import Outcome
from ecp_tracker.models import AuditEvent, Interview, InterviewFinding
from ecp_tracker.services.interviews.themes import theme_report

TODAY = date(2026, 11, 20)


def test_the_demo_interviews_show_a_pattern_and_load_once(db_session):
    first = demo.load_demo(db_session, today=TODAY)
    db_session.commit()
    total = db_session.scalar(select(func.count(Interview.id)))
    assert 20 <= total <= 30
    assert sum(1 for label in first.created if label.startswith("interview:")) == total
    assert db_session.scalar(select(func.count(InterviewFinding.id))) >= 2 * total
    assert (
        db_session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.entity == "interview", AuditEvent.action == "create"
            )
        )
        == total
    )
    assert db_session.scalar(select(func.max(Interview.held_on))) <= TODAY
    report = theme_report(db_session)
    by_theme = {(r.kind.value, r.theme): r for r in report.rows}
    batch = by_theme["pain_point", "Overnight batch delays"]
    assert (
        batch.by_outcome[Outcome.CONVERTED].accounts >= 5
        and 0 < batch.by_outcome[Outcome.NOT_CONVERTED].accounts < 5
    )
    security = by_theme["objection", "Security review"]  # "security review" too: one theme
    assert (
        security.by_outcome[Outcome.NOT_CONVERTED].accounts == 7
        and security.by_outcome[Outcome.CONVERTED].accounts == 0
    )
    assert report.difference(batch) > 0.5 and report.difference(security) < -0.5
    assert "Onboarding" in {r.theme for r in report.rows}  # the accounts in a pilot
    assert all(len(r.by_role) >= 1 for r in report.rows)

    again = demo.load_demo(db_session, today=TODAY)
    db_session.commit()
    assert db_session.scalar(select(func.count(Interview.id))) == total
    assert not any(label.startswith("interview:") for label in again.created)
