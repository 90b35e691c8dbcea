"""/api/v1/testimonials (transitions, withdraw-consent, usages), /api/v1/testimonial-requests and
/api/v1/collections: customer evidence with consent, collection links and public walls."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_smorest import Blueprint

from ecp_tracker.api.references import account_ref, referenced_as
from ecp_tracker.api.schemas.common import PageArgsSchema
from ecp_tracker.api.schemas.testimonials import (
    CollectionCreateSchema,
    CollectionPageSchema,
    CollectionPatchSchema,
    CollectionSchema,
    ConsentWithdrawalSchema,
    TestimonialCreateSchema,
    TestimonialListArgsSchema,
    TestimonialPageSchema,
    TestimonialPatchSchema,
    TestimonialRequestCreatedSchema,
    TestimonialRequestCreateSchema,
    TestimonialRequestListArgsSchema,
    TestimonialRequestPageSchema,
    TestimonialRequestSchema,
    TestimonialSchema,
    TestimonialTransitionSchema,
    TestimonialUsageCreatedSchema,
    TestimonialUsageSchema,
)
from ecp_tracker.db import get_session
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Collection, Testimonial, TestimonialRequest, TestimonialUsage
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.pilots import discounts
from ecp_tracker.services.shared.pagination import Page
from ecp_tracker.services.testimonials import collection_requests as testimonial_requests
from ecp_tracker.services.testimonials import library as testimonial_library
from ecp_tracker.services.testimonials import testimonials
from ecp_tracker.services.testimonials import wall as testimonial_wall
from ecp_tracker.services.testimonials.library import TestimonialFilters

testimonials_bp = Blueprint(
    "api_testimonials",
    __name__,
    url_prefix="/api/v1/testimonials",
    description="Testimonials with their consent, workflow steps, edits and usage log",
)
requests_bp = Blueprint(
    "api_testimonial_requests",
    __name__,
    url_prefix="/api/v1/testimonial-requests",
    description="Collection links: a customer answers at /collect/<token> without an account",
)
collections_bp = Blueprint(
    "api_collections",
    __name__,
    url_prefix="/api/v1/collections",
    description="Public walls (/wall/<slug> and /wall/<slug>.json) of consented, published testimonials",
)
TESTIMONIAL_COLUMNS = (
    "id",
    "account_id",
    "contact_id",
    "kind",
    "body",
    "original_body",
    "edited",
    "rating",
    "source",
    "media_url",
    "author_name",
    "author_title",
    "status",
    "consent_scope",
    "consent_statement",
    "consented_by",
    "consented_on",
    "consent_expires_on",
    "consent_withdrawn_on",
    "version",
    "created_at",
    "updated_at",
)
REQUEST_COLUMNS = (
    "id",
    "account_id",
    "contact_id",
    "testimonial_id",
    "kind",
    "message",
    "single_use",
    "expires_at",
    "link_made_at",
    "opened_at",
    "submitted_at",
    "submissions",
    "reminders",
    "created_at",
    "version",
)


def testimonial_summary(testimonial: Testimonial) -> dict[str, Any]:
    problem = testimonials.public_use_problem(testimonial)
    return {
        **{column: getattr(testimonial, column) for column in TESTIMONIAL_COLUMNS},
        "account": account_ref(testimonial.account),
        "use_cases": testimonial.tag_names("use_case"),
        "themes": testimonial.tag_names("theme"),
        "public_today": problem is None,
        "public_problem": problem,
    }


def usage_out(usage: TestimonialUsage) -> dict[str, Any]:
    return {
        "id": usage.id,
        "testimonial_id": usage.testimonial_id,
        "channel": usage.channel,
        "place": usage.place,
        "used_on": usage.used_on,
        "note": usage.note,
        "recorded_by_id": usage.recorded_by_id,
        "created_at": usage.created_at,
    }


def testimonial_out(testimonial: Testimonial) -> dict[str, Any]:
    return {
        **testimonial_summary(testimonial),
        "steps": testimonial.steps,
        "revisions": testimonial.revisions,
        "usages": [usage_out(u) for u in testimonial.usages],
        "promise_ids": [p.id for p in discounts.promises_of_testimonial(get_session(), testimonial.id)],
    }


def request_out(req: TestimonialRequest) -> dict[str, Any]:
    return {
        **{column: getattr(req, column) for column in REQUEST_COLUMNS},
        "status": testimonial_requests.effective_status(req).value,
        "account": account_ref(req.account),
    }


def collection_out(collection: Collection) -> dict[str, Any]:
    return {
        key: getattr(collection, key)
        for key in ("id", "slug", "title", "intro", "tags", "archived_at", "version", "created_at")
    }


# --- testimonials ----------------------------------------------------------------------------------------


@testimonials_bp.route("")
@permission(Role.VIEWER)
@testimonials_bp.arguments(TestimonialListArgsSchema, location="query", as_kwargs=True)
@testimonials_bp.response(200, TestimonialPageSchema)
def list_testimonials(page: int, per_page: int, filters: TestimonialFilters):
    """The library, newest first; filters as on the library page, `q` searches the words"""
    found = testimonial_library.library(get_session(), filters, page=page, per_page=per_page).page
    return Page([testimonial_summary(t) for t in found.items], found.total, found.page, found.per_page)


@testimonials_bp.route("", methods=["POST"])
@permission(Role.EDITOR)
@testimonials_bp.arguments(TestimonialCreateSchema)
@testimonials_bp.response(201, TestimonialSchema)
def create_testimonial(data: dict[str, Any]):
    """Record a testimonial that arrived (received) or is asked for (requested), with consent if given"""
    session = get_session()
    status = data.pop("status")
    with referenced_as("account_id"):
        made = testimonials.create_testimonial(
            session, current_actor(), data.pop("account_id"), data, status=status
        )
    session.commit()
    return testimonial_out(testimonials.get_testimonial(session, made.id))


@testimonials_bp.route("/<int:testimonial_id>")
@permission(Role.VIEWER)
@testimonials_bp.response(200, TestimonialSchema)
def get_testimonial(testimonial_id: int):
    """One testimonial with its workflow steps, edits (the original words kept), usages and promises"""
    return testimonial_out(testimonials.get_testimonial(get_session(), testimonial_id))


@testimonials_bp.route("/<int:testimonial_id>", methods=["PATCH"])
@permission(Role.EDITOR)
@testimonials_bp.arguments(TestimonialPatchSchema)
@testimonials_bp.response(200, TestimonialSchema)
def patch_testimonial(data: dict[str, Any], testimonial_id: int):
    """Edit; `version` must be the one you read. Changing an approved text needs `edit_reason`; consent
    fields record a new consent"""
    session = get_session()
    version = data.pop("version")
    testimonials.update_testimonial(session, current_actor(), testimonial_id, data, version=version)
    session.commit()
    return testimonial_out(testimonials.get_testimonial(session, testimonial_id))


@testimonials_bp.route("/<int:testimonial_id>/transitions", methods=["POST"])
@permission(Role.EDITOR)
@testimonials_bp.arguments(TestimonialTransitionSchema)
@testimonials_bp.response(200, TestimonialSchema)
def transition(data: dict[str, Any], testimonial_id: int):
    """requested -> received -> approved -> published -> retired (-> approved), or rejected (with a note);
    publishing needs current public consent"""
    session = get_session()
    testimonials.transition(session, current_actor(), testimonial_id, data["to"], note=data["note"])
    session.commit()
    return testimonial_out(testimonials.get_testimonial(session, testimonial_id))


@testimonials_bp.route("/<int:testimonial_id>/withdraw-consent", methods=["POST"])
@permission(Role.EDITOR)
@testimonials_bp.arguments(ConsentWithdrawalSchema, required=False)
@testimonials_bp.response(200, TestimonialSchema)
def withdraw_consent(data: dict[str, Any], testimonial_id: int):
    """The customer withdrew consent: from that day it is in no public place (a published one is retired)"""
    session = get_session()
    testimonials.withdraw_consent(
        session, current_actor(), testimonial_id, on=data.get("on"), note=data["note"]
    )
    session.commit()
    return testimonial_out(testimonials.get_testimonial(session, testimonial_id))


@testimonials_bp.route("/<int:testimonial_id>/usages")
@permission(Role.VIEWER)
@testimonials_bp.response(200, TestimonialUsageSchema(many=True))
def list_usages(testimonial_id: int):
    """Where and when it was used, the latest first"""
    return [usage_out(u) for u in testimonials.get_testimonial(get_session(), testimonial_id).usages]


@testimonials_bp.route("/<int:testimonial_id>/usages", methods=["POST"])
@permission(Role.EDITOR)
@testimonials_bp.arguments(TestimonialUsageSchema)
@testimonials_bp.response(201, TestimonialUsageCreatedSchema)
def add_usage(data: dict[str, Any], testimonial_id: int):
    """Log a use; outside the company it needs current public consent. Says whether the customer is now
    used more often this quarter than the fatigue threshold"""
    session = get_session()
    recorded = testimonials.add_usage(session, current_actor(), testimonial_id, data)
    session.commit()
    return {
        **usage_out(recorded.usage),
        "uses_this_quarter": recorded.uses_this_quarter,
        "fatigued": recorded.fatigued,
    }


# --- testimonial requests --------------------------------------------------------------------------------


@requests_bp.route("")
@permission(Role.VIEWER)
@requests_bp.arguments(TestimonialRequestListArgsSchema, location="query")
@requests_bp.response(200, TestimonialRequestPageSchema)
def list_requests(args: dict[str, Any]):
    """Requests, newest first; `follow_up=true` lists the open ones unanswered for the follow-up days"""
    session = get_session()
    if args["follow_up"]:
        due = testimonial_requests.page_follow_ups(session, page=args["page"], per_page=args["per_page"])
        return Page([request_out(r) for r in due.items], due.total, due.page, due.per_page)
    found = testimonial_requests.page_requests(
        session,
        status=args.get("status"),
        account_id=args.get("account_id"),
        page=args["page"],
        per_page=args["per_page"],
    )
    return Page([request_out(r) for r in found.items], found.total, found.page, found.per_page)


@requests_bp.route("", methods=["POST"])
@permission(Role.EDITOR)
@requests_bp.arguments(TestimonialRequestCreateSchema)
@requests_bp.response(201, TestimonialRequestCreatedSchema)
def create_request(data: dict[str, Any]):
    """Ask an account for a testimonial; the answer carries the link (`url`), shown only this once"""
    session = get_session()
    with referenced_as("account_id"):
        made = testimonial_requests.create_request(session, current_actor(), data.pop("account_id"), data)
    session.commit()
    req = testimonial_requests.get_request(session, made.request.id)
    return {**request_out(req), "url": url_for("collect.form", token=made.token, _external=True)}


@requests_bp.route("/<int:request_id>")
@permission(Role.VIEWER)
@requests_bp.response(200, TestimonialRequestSchema)
def get_request(request_id: int):
    """One request (its link is never shown again)"""
    return request_out(testimonial_requests.get_request(get_session(), request_id))


# --- collections -----------------------------------------------------------------------------------------


@collections_bp.route("")
@permission(Role.VIEWER)
@collections_bp.arguments(PageArgsSchema, location="query")
@collections_bp.response(200, CollectionPageSchema)
def list_collections(args: dict[str, Any]):
    """The public walls (offline ones too, with `archived_at`)"""
    walls = testimonial_wall.page_collections(get_session(), page=args["page"], per_page=args["per_page"])
    return Page([collection_out(c) for c in walls.items], walls.total, walls.page, walls.per_page)


@collections_bp.route("", methods=["POST"])
@permission(Role.EDITOR)
@collections_bp.arguments(CollectionCreateSchema)
@collections_bp.response(201, CollectionSchema)
def create_collection(data: dict[str, Any]):
    """Create a public wall: `slug` (its address), `title`, `intro`, `tags` (any of them; empty: all)"""
    session = get_session()
    made = testimonial_wall.create_collection(session, current_actor(), data)
    session.commit()
    return collection_out(made)


@collections_bp.route("/<int:collection_id>")
@permission(Role.VIEWER)
@collections_bp.response(200, CollectionSchema)
def get_collection(collection_id: int):
    """One public wall"""
    return collection_out(testimonial_wall.get_collection(get_session(), collection_id))


@collections_bp.route("/<int:collection_id>", methods=["PATCH"])
@permission(Role.EDITOR)
@collections_bp.arguments(CollectionPatchSchema)
@collections_bp.response(200, CollectionSchema)
def patch_collection(data: dict[str, Any], collection_id: int):
    """Change a wall, or take it offline (`archived`: true) and back; `version` required"""
    session = get_session()
    version = data.pop("version")
    saved = testimonial_wall.update_collection(session, current_actor(), collection_id, data, version=version)
    session.commit()
    return collection_out(saved)
