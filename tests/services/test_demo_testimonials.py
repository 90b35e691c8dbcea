"""The demo's customer evidence: every workflow status, consent scopes, a fatigued customer, a follow-up, a
promise fulfilled by a testimonial, two public walls; loading the demo again adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from ecp_tracker.demo import workspace as demo
from ecp_tracker.domain.testimonials import TestimonialStatus
from ecp_tracker.models import Collection, GiveGet, Testimonial, TestimonialRequest, TestimonialUsage
from ecp_tracker.services.testimonials import collection_requests as testimonial_requests
from ecp_tracker.services.testimonials import testimonials
from ecp_tracker.services.testimonials import wall as testimonial_wall


def counts(session) -> dict[str, int]:
    session.expire_all()
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model))
        for model in (Testimonial, TestimonialRequest, TestimonialUsage, Collection)
    }


def test_the_demo_evidence_covers_the_workflow_and_loads_once(db_session):
    demo.load_demo(db_session)
    db_session.commit()
    loaded = counts(db_session)
    demo.load_demo(db_session)
    db_session.commit()
    assert counts(db_session) == loaded

    statuses = set(db_session.scalars(select(Testimonial.status)))
    assert statuses == {s.value for s in TestimonialStatus}
    scopes = set(db_session.scalars(select(Testimonial.consent_scope)))
    assert scopes == {"internal", "public_anonymous", "public_named", "logo"}
    wall = testimonial_wall.wall(db_session, testimonial_wall.live_collection(db_session, "customer-stories"))
    assert len(wall) >= 6 and any(item.anonymous for item in wall)
    assert all(item.person is None for item in wall if item.anonymous)
    assert testimonials.fatigued_accounts(db_session)  # one customer is used too often this quarter
    assert len(testimonial_requests.follow_ups(db_session)) == 1
    from ecp_tracker.services.testimonials.settings import load_settings

    assert load_settings(db_session).company_name == "Northwind Analytics"  # the vendor the customer reads
    board = testimonials.dashboard_counts(db_session)
    assert board.waiting_for_approval >= 2 and board.consent_expiring >= 1
    delivered = db_session.scalars(select(GiveGet).where(GiveGet.testimonial_id.is_not(None))).all()
    assert delivered and all(p.fulfilled_on is not None for p in delivered)
