"""/api/v1/reviews: the monthly ECP-to-ICP review (open a month, read it, decide, finalise, Markdown)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from ecp_tracker.api.schemas.common import PageArgsSchema
from ecp_tracker.api.schemas.reviews import (
    DecisionInputSchema,
    DecisionSchema,
    FinalisedSchema,
    ReviewCreateSchema,
    ReviewPageSchema,
    ReviewSchema,
)
from ecp_tracker.db import get_session
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Review, ReviewDecision
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.reviews import markdown, reviews
from ecp_tracker.services.shared.pagination import Page

bp = Blueprint(
    "api_reviews", __name__, url_prefix="/api/v1/reviews", description="Monthly ECP to ICP reviews"
)


def decision_out(d: ReviewDecision) -> dict[str, Any]:
    return {
        "id": d.id,
        "trait": d.trait,
        "value": d.value,
        "decision": d.decision,
        "rationale": d.rationale,
        "deciders": d.deciders,
        "points": d.points,
        "revisit_on": d.revisit_on.isoformat() if d.revisit_on else None,
        "recommendation": d.recommendation,
        "ready": d.ready,
        "against_evidence": d.against_evidence,
    }


def review_out(review: Review) -> dict[str, Any]:
    session = get_session()
    found = reviews.changes(session, review)
    return {
        **{c: getattr(review, c) for c in ReviewSchema().fields if hasattr(Review, c) and c != "decisions"},
        "candidates": [
            {
                "trait": c.trait,
                "value": c.value,
                "label": c.label,
                "recommendation": c.result.get("recommendation"),
                "looks": c.looks,
                "ready": c.ready,
                "new": c.new,
                "revisit": c.revisit,
                "decision": c.decision.decision if c.decision else None,
            }
            for c in reviews.candidates(session, review)
        ],
        "changes": {
            "previous_review_id": found.previous.id if found.previous else None,
            "new_candidates": [{"trait": t, "value": v} for t, v in found.new_candidates],
            "recommendation_changes": [
                {"trait": t, "value": v, "before": b, "now": n} for t, v, b, n in found.recommendation_changes
            ],
            "tier_moves": [{"from": f, "to": t, "accounts": n} for (f, t), n in found.tier_moves.items()],
        },
        "decisions": [decision_out(d) for d in review.decisions],
    }


@bp.route("")
@permission(Role.VIEWER)
@bp.arguments(PageArgsSchema, location="query", as_kwargs=True)
@bp.response(200, ReviewPageSchema)
def list_reviews(page: int, per_page: int):
    """Every review, the newest month first"""
    items = reviews.list_reviews(get_session())
    return Page(items[(page - 1) * per_page : page * per_page], len(items), page, per_page)


@bp.route("", methods=["POST"])
@permission(Role.EDITOR)
@bp.arguments(ReviewCreateSchema)
@bp.response(201, ReviewSchema)
def open_review(data: dict[str, Any]):
    """Open the review of a month, freezing its snapshot (one per month; a correction names `supersedes`)"""
    session = get_session()
    review = reviews.open_review(
        session, current_actor(), data["period"], data.get("outcomes"), supersedes=data.get("supersedes")
    )
    session.commit()
    return review_out(review)


@bp.route("/<int:review_id>")
@permission(Role.VIEWER)
@bp.response(200, ReviewSchema)
def get_review(review_id: int):
    """A review: snapshot with its SHA-256, candidates, what changed since the last review, decisions"""
    return review_out(reviews.get_review(get_session(), review_id))


@bp.route("/<int:review_id>/decisions", methods=["POST"])
@permission(Role.EDITOR)
@bp.arguments(DecisionInputSchema)
@bp.response(201, DecisionSchema)
def decide(data: dict[str, Any], review_id: int):
    """Decide on one trait value of the snapshot (again: replaces it while the review is open)"""
    session = get_session()
    row = reviews.decide(session, current_actor(), review_id, data)
    session.commit()
    return decision_out(row)


@bp.route("/<int:review_id>/finalize", methods=["POST"])
@permission(Role.EDITOR)
@bp.response(200, FinalisedSchema)
def finalize(review_id: int):
    """Finalise: the review becomes immutable and its graduations and exclusions become the next draft ICP"""
    session = get_session()
    review = reviews.finalise(session, current_actor(), review_id)
    session.commit()
    return {"id": review.id, "status": review.status, "draft_icp_version_id": review.draft_icp_version_id}


@bp.route("/<int:review_id>/markdown")
@permission(Role.VIEWER)
@bp.response(200, content_type="text/markdown")
def review_markdown(review_id: int):
    """The review as Markdown, for the meeting notes"""
    session = get_session()
    text = markdown.to_markdown(session, reviews.get_review(session, review_id))
    return Response(text, mimetype="text/markdown")
