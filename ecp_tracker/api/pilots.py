"""/api/v1/pilots (criteria with amendments and results, transitions, outcome, milestones),
/api/v1/milestones, /api/v1/discounts and /api/v1/promises: pilots with pre-registered success criteria
and the give-to-get ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_smorest import Blueprint

from ecp_tracker.api.references import account_ref, referenced_as
from ecp_tracker.api.schemas.pilots import (
    AmendmentCreateSchema,
    AmendmentSchema,
    CriterionCreateSchema,
    CriterionPatchSchema,
    CriterionSchema,
    DiscountCreateSchema,
    DiscountListArgsSchema,
    DiscountPageSchema,
    DiscountSchema,
    FulfilSchema,
    MilestoneCreateSchema,
    MilestonePatchSchema,
    MilestoneSchema,
    OutcomeSchema,
    PilotCreateSchema,
    PilotListArgsSchema,
    PilotPageSchema,
    PilotPatchSchema,
    PilotSchema,
    PromiseCreateSchema,
    PromiseListArgsSchema,
    PromisePageSchema,
    PromiseSchema,
    ResultSchema,
    TransitionSchema,
)
from ecp_tracker.db import get_session
from ecp_tracker.domain.discounts import discount_band
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import (
    CriterionAmendment,
    Discount,
    GiveGet,
    Milestone,
    Pilot,
    SuccessCriterion,
)
from ecp_tracker.models.base import utcnow
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.pilots import board as pilot_board
from ecp_tracker.services.pilots import discounts, pilots
from ecp_tracker.services.pilots.board import PilotFilters
from ecp_tracker.services.shared.pagination import Page

pilots_bp = Blueprint(
    "api_pilots",
    __name__,
    url_prefix="/api/v1/pilots",
    description="Pilots with pre-registered success criteria",
)
milestones_bp = Blueprint(
    "api_milestones",
    __name__,
    url_prefix="/api/v1/milestones",
    description="Steps of a pilot's mutual action plan",
)
discounts_bp = Blueprint(
    "api_discounts", __name__, url_prefix="/api/v1/discounts", description="Discounts and what they cost"
)
promises_bp = Blueprint(
    "api_promises",
    __name__,
    url_prefix="/api/v1/promises",
    description="The give-to-get ledger: what customers promised in return for discounts",
)
PILOT_COLUMNS = (
    "id",
    "account_id",
    "name",
    "hypothesis",
    "owner_id",
    "status",
    "start_date",
    "planned_end_date",
    "end_date",
    "list_price",
    "pilot_price",
    "price_reason",
    "outcome",
    "contract_value",
    "converted_on",
    "criteria_frozen_at",
    "version",
    "created_at",
    "updated_at",
)
CRITERION_COLUMNS = (
    "id",
    "pilot_id",
    "position",
    "description",
    "metric",
    "target",
    "unit",
    "direction",
    "actual",
    "met",
    "frozen_at",
    "version",
)
DISCOUNT_COLUMNS = (
    "id",
    "account_id",
    "pilot_id",
    "kind",
    "amount",
    "list_price",
    "effective_price",
    "value",
    "depth",
    "reason",
    "starts_on",
    "ends_on",
    "granted_by_id",
    "version",
    "created_at",
)


# --- representations -------------------------------------------------------------------------------------


def pilot_summary(pilot: Pilot) -> dict[str, Any]:
    return {
        **{column: getattr(pilot, column) for column in PILOT_COLUMNS},
        "account": account_ref(pilot.account),
        "owner": pilot.owner.email if pilot.owner else None,
    }


def amendment_out(amendment: CriterionAmendment) -> dict[str, Any]:
    changes = {
        key: [float(Decimal(str(v))) if key == "target" and v is not None else v for v in pair]
        for key, pair in amendment.changes.items()
    }
    return {
        "id": amendment.id,
        "criterion_id": amendment.criterion_id,
        "reason": amendment.reason,
        "changes": changes,
        "amended_by_id": amendment.amended_by_id,
        "amended_by": amendment.amended_by_label,
        "amended_at": amendment.amended_at,
    }


def criterion_out(criterion: SuccessCriterion) -> dict[str, Any]:
    return {
        **{column: getattr(criterion, column) for column in CRITERION_COLUMNS},
        "effective": pilots.effective_terms(criterion),
        "amendments": [amendment_out(a) for a in criterion.amendments],
    }


def milestone_out(milestone: Milestone) -> dict[str, Any]:
    return {
        "id": milestone.id,
        "pilot_id": milestone.pilot_id,
        "title": milestone.title,
        "due_on": milestone.due_on,
        "side": milestone.side,
        "owner_name": milestone.owner_name,
        "done_on": milestone.done_on,
        "late": milestone.done_on is None and milestone.due_on < utcnow().date(),
        "version": milestone.version,
    }


def pilot_out(pilot: Pilot) -> dict[str, Any]:
    return {
        **pilot_summary(pilot),
        "criteria": [criterion_out(c) for c in pilot.criteria],
        "milestones": [milestone_out(m) for m in pilot.milestones],
        "scorecard": pilots.scorecard(pilot),
    }


def promise_out(promise: GiveGet) -> dict[str, Any]:
    return {
        "id": promise.id,
        "discount_id": promise.discount_id,
        "account_id": promise.discount.account_id,
        "account": promise.discount.account.name,
        "kind": promise.kind,
        "quantity": promise.quantity,
        "due_on": promise.due_on,
        "fulfilled_on": promise.fulfilled_on,
        "note": promise.note,
        "overdue": promise.fulfilled_on is None and promise.due_on < utcnow().date(),
        "testimonial_id": promise.testimonial_id,
        "version": promise.version,
    }


def discount_out(discount: Discount) -> dict[str, Any]:
    return {
        **{column: getattr(discount, column) for column in DISCOUNT_COLUMNS},
        "account": account_ref(discount.account),
        "discount_band": discount_band(discount.depth),
        "granted_by": discount.granted_by.email if discount.granted_by else None,
        "promises": [promise_out(p) for p in discount.promises],
    }


# --- pilots ----------------------------------------------------------------------------------------------


@pilots_bp.route("")
@permission(Role.VIEWER)
@pilots_bp.arguments(PilotListArgsSchema, location="query", as_kwargs=True)
@pilots_bp.response(200, PilotPageSchema)
def list_pilots(page: int, per_page: int, filters: PilotFilters):
    """List pilots, the latest planned end first; status, archetype and owner may repeat"""
    result = pilot_board.list_pilots(get_session(), filters, page=page, per_page=per_page)
    return Page([pilot_summary(p) for p in result.items], result.total, result.page, result.per_page)


@pilots_bp.route("", methods=["POST"])
@permission(Role.EDITOR)
@pilots_bp.arguments(PilotCreateSchema)
@pilots_bp.response(201, PilotSchema)
def create_pilot(data: dict[str, Any]):
    """Plan a pilot for an account, optionally with its success criteria (all or nothing)"""
    session = get_session()
    actor = current_actor()
    criteria = dict(enumerate(data.pop("criteria", [])))
    with referenced_as("account_id"):
        pilot = pilots.plan_pilot(session, actor, data.pop("account_id"), data, criteria)
    session.commit()
    return pilot_out(pilots.get_pilot(session, pilot.id))


@pilots_bp.route("/<int:pilot_id>")
@permission(Role.VIEWER)
@pilots_bp.response(200, PilotSchema)
def get_pilot(pilot_id: int):
    """One pilot with its criteria (registered and effective terms, amendments), milestones and scorecard"""
    return pilot_out(pilots.get_pilot(get_session(), pilot_id))


@pilots_bp.route("/<int:pilot_id>", methods=["PATCH"])
@permission(Role.EDITOR)
@pilots_bp.arguments(PilotPatchSchema)
@pilots_bp.response(200, PilotSchema)
def patch_pilot(data: dict[str, Any], pilot_id: int):
    """Change the plan; `version` must be the one you read (409 when someone changed it since)"""
    session = get_session()
    version = data.pop("version")
    pilots.update_pilot(session, current_actor(), pilot_id, data, version=version)
    session.commit()
    return pilot_out(pilots.get_pilot(session, pilot_id))


@pilots_bp.route("/<int:pilot_id>/transitions", methods=["POST"])
@permission(Role.EDITOR)
@pilots_bp.arguments(TransitionSchema)
@pilots_bp.response(200, PilotSchema)
def transition(data: dict[str, Any], pilot_id: int):
    """Change the status: planned -> active (criteria frozen) -> extended -> succeeded, failed, cancelled"""
    session = get_session()
    pilots.transition(
        session,
        current_actor(),
        pilot_id,
        data["to"],
        on=data.get("on"),
        planned_end_date=data.get("planned_end_date"),
    )
    session.commit()
    return pilot_out(pilots.get_pilot(session, pilot_id))


@pilots_bp.route("/<int:pilot_id>/outcome", methods=["POST"])
@permission(Role.EDITOR)
@pilots_bp.arguments(OutcomeSchema)
@pilots_bp.response(200, PilotSchema)
def record_outcome(data: dict[str, Any], pilot_id: int):
    """Record the outcome of an ended pilot: converted moves the account to customer; not converted may mark
    it lost"""
    session = get_session()
    pilots.record_outcome(
        session,
        current_actor(),
        pilot_id,
        data["outcome"],
        contract_value=data.get("contract_value"),
        converted_on=data.get("converted_on"),
        mark_account_lost=data["mark_account_lost"],
    )
    session.commit()
    return pilot_out(pilots.get_pilot(session, pilot_id))


# --- criteria --------------------------------------------------------------------------------------------


@pilots_bp.route("/<int:pilot_id>/criteria")
@permission(Role.VIEWER)
@pilots_bp.response(200, CriterionSchema(many=True))
def list_criteria(pilot_id: int):
    """The pilot's success criteria with their effective terms and amendments"""
    return [criterion_out(c) for c in pilots.get_pilot(get_session(), pilot_id).criteria]


@pilots_bp.route("/<int:pilot_id>/criteria", methods=["POST"])
@permission(Role.EDITOR)
@pilots_bp.arguments(CriterionCreateSchema)
@pilots_bp.response(201, CriterionSchema)
def add_criterion(data: dict[str, Any], pilot_id: int):
    """Register a success criterion (only while the pilot is planned; afterwards 409)"""
    session = get_session()
    criterion = pilots.add_criterion(session, current_actor(), pilot_id, data)
    session.commit()
    return criterion_out(pilots.get_criterion(session, criterion.id, pilot_id))


@pilots_bp.route("/<int:pilot_id>/criteria/<int:criterion_id>")
@permission(Role.VIEWER)
@pilots_bp.response(200, CriterionSchema)
def get_criterion(pilot_id: int, criterion_id: int):
    """One success criterion with its effective terms and amendments"""
    return criterion_out(pilots.get_criterion(get_session(), criterion_id, pilot_id))


@pilots_bp.route("/<int:pilot_id>/criteria/<int:criterion_id>", methods=["PATCH"])
@permission(Role.EDITOR)
@pilots_bp.arguments(CriterionPatchSchema)
@pilots_bp.response(200, CriterionSchema)
def patch_criterion(data: dict[str, Any], pilot_id: int, criterion_id: int):
    """Edit a criterion while the pilot is planned; once it has started: 409, record an amendment instead"""
    session = get_session()
    pilots.get_criterion(session, criterion_id, pilot_id)
    version = data.pop("version")
    pilots.update_criterion(session, current_actor(), criterion_id, data, version=version)
    session.commit()
    return criterion_out(pilots.get_criterion(session, criterion_id, pilot_id))


@pilots_bp.route("/<int:pilot_id>/criteria/<int:criterion_id>/amendments")
@permission(Role.VIEWER)
@pilots_bp.response(200, AmendmentSchema(many=True))
def list_amendments(pilot_id: int, criterion_id: int):
    """The criterion's amendments, oldest first (the registered values stay on the criterion)"""
    criterion = pilots.get_criterion(get_session(), criterion_id, pilot_id)
    return [amendment_out(a) for a in criterion.amendments]


@pilots_bp.route("/<int:pilot_id>/criteria/<int:criterion_id>/amendments", methods=["POST"])
@permission(Role.EDITOR)
@pilots_bp.arguments(AmendmentCreateSchema)
@pilots_bp.response(201, AmendmentSchema)
def amend_criterion(data: dict[str, Any], pilot_id: int, criterion_id: int):
    """Amend a frozen criterion of a running pilot: the `reason` and the changed fields"""
    session = get_session()
    pilots.get_criterion(session, criterion_id, pilot_id)
    reason = data.pop("reason")
    amendment = pilots.amend_criterion(session, current_actor(), criterion_id, reason=reason, changes=data)
    session.commit()
    return amendment_out(amendment)


@pilots_bp.route("/<int:pilot_id>/criteria/<int:criterion_id>/result", methods=["POST"])
@permission(Role.EDITOR)
@pilots_bp.arguments(ResultSchema)
@pilots_bp.response(200, CriterionSchema)
def record_result(data: dict[str, Any], pilot_id: int, criterion_id: int):
    """Record the measured value; `met` follows from the effective target and direction. Once the pilot has
    ended, changing a recorded result needs a `reason` (422 without) and is kept as an amendment"""
    session = get_session()
    pilots.get_criterion(session, criterion_id, pilot_id)
    pilots.record_result(
        session,
        current_actor(),
        criterion_id,
        data["actual"],
        version=data["version"],
        reason=data["reason"],
    )
    session.commit()
    return criterion_out(pilots.get_criterion(session, criterion_id, pilot_id))


# --- mutual action plan ----------------------------------------------------------------------------------


@pilots_bp.route("/<int:pilot_id>/milestones")
@permission(Role.VIEWER)
@pilots_bp.response(200, MilestoneSchema(many=True))
def list_milestones(pilot_id: int):
    """The mutual action plan, by due date, with what is late"""
    return [milestone_out(m) for m in pilots.get_pilot(get_session(), pilot_id).milestones]


@pilots_bp.route("/<int:pilot_id>/milestones", methods=["POST"])
@permission(Role.EDITOR)
@pilots_bp.arguments(MilestoneCreateSchema)
@pilots_bp.response(201, MilestoneSchema)
def add_milestone(data: dict[str, Any], pilot_id: int):
    """Add a milestone owned by our side or the customer's"""
    session = get_session()
    milestone = pilots.add_milestone(session, current_actor(), pilot_id, data)
    session.commit()
    return milestone_out(milestone)


@milestones_bp.route("/<int:milestone_id>", methods=["PATCH"])
@permission(Role.EDITOR)
@milestones_bp.arguments(MilestonePatchSchema)
@milestones_bp.response(200, MilestoneSchema)
def patch_milestone(data: dict[str, Any], milestone_id: int):
    """Mark a milestone done (`done_on`, default today) or not done; `version` required"""
    session = get_session()
    milestone = pilots.set_milestone_done(
        session,
        current_actor(),
        milestone_id,
        done=data["done"],
        on=data.get("done_on"),
        version=data["version"],
    )
    session.commit()
    return milestone_out(milestone)


# --- discounts and promises ------------------------------------------------------------------------------


@discounts_bp.route("")
@permission(Role.VIEWER)
@discounts_bp.arguments(DiscountListArgsSchema, location="query")
@discounts_bp.response(200, DiscountPageSchema)
def list_discounts(args: dict[str, Any]):
    """Discounts, the latest start first, optionally of one account"""
    result = discounts.page_discounts(
        get_session(), account_id=args.get("account_id"), page=args["page"], per_page=args["per_page"]
    )
    return Page([discount_out(d) for d in result.items], result.total, result.page, result.per_page)


@discounts_bp.route("", methods=["POST"])
@permission(Role.EDITOR)
@discounts_bp.arguments(DiscountCreateSchema)
@discounts_bp.response(201, DiscountSchema)
def grant_discount(data: dict[str, Any]):
    """Grant a discount with what the customer promised in return (`promises`)"""
    session = get_session()
    with referenced_as("account_id"):
        discount = discounts.grant_discount(session, current_actor(), data.pop("account_id"), data)
    session.commit()
    return discount_out(discounts.get_discount(session, discount.id))


@discounts_bp.route("/<int:discount_id>")
@permission(Role.VIEWER)
@discounts_bp.response(200, DiscountSchema)
def get_discount(discount_id: int):
    """One discount with its promises"""
    return discount_out(discounts.get_discount(get_session(), discount_id))


@promises_bp.route("")
@permission(Role.VIEWER)
@promises_bp.arguments(PromiseListArgsSchema, location="query")
@promises_bp.response(200, PromisePageSchema)
def list_promises(args: dict[str, Any]):
    """Promises, the earliest due first; `open=true` for those not yet fulfilled, `overdue=true` for open ones
    past their due date"""
    result = discounts.page_promises(
        get_session(),
        open_only=args["open"],
        overdue_only=args["overdue"],
        account_id=args.get("account_id"),
        discount_id=args.get("discount_id"),
        page=args["page"],
        per_page=args["per_page"],
    )
    return Page([promise_out(p) for p in result.items], result.total, result.page, result.per_page)


@promises_bp.route("", methods=["POST"])
@permission(Role.EDITOR)
@promises_bp.arguments(PromiseCreateSchema)
@promises_bp.response(201, PromiseSchema)
def add_promise(data: dict[str, Any]):
    """Record another promise made for a discount"""
    session = get_session()
    with referenced_as("discount_id"):
        promise = discounts.add_promise(session, current_actor(), data.pop("discount_id"), data)
    session.commit()
    return promise_out(promise)


@promises_bp.route("/<int:promise_id>/fulfil", methods=["POST"])
@permission(Role.EDITOR)
@promises_bp.arguments(FulfilSchema)
@promises_bp.response(200, PromiseSchema)
def fulfil_promise(data: dict[str, Any], promise_id: int):
    """Record that the customer delivered what they promised (`fulfilled_on` default today)"""
    session = get_session()
    promise = discounts.fulfil_promise(
        session,
        current_actor(),
        promise_id,
        fulfilled_on=data.get("fulfilled_on"),
        note=data["note"],
        version=data.get("version"),
    )
    session.commit()
    return promise_out(promise)
