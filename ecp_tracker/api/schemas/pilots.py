"""Schemas of pilots, their criteria, amendments, milestones and results, discounts and promises."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ecp_tracker.api.schemas.common import (
    MEASURE,
    NOT_BLANK,
    VERSION_REQUIRED,
    AccountRefSchema,
    DateInput,
    FilterArgsSchema,
    JsonBoolean,
    JsonNumber,
    NonBlankString,
    PageArgsSchema,
    page_schema,
)
from ecp_tracker.services.pilots.board import PilotFilters

PILOT_STATUSES = ["planned", "active", "extended", "succeeded", "failed", "cancelled"]
PILOT_OUTCOMES = ["pending", "converted", "not_converted"]
DIRECTIONS = ["at_least", "at_most"]
DISCOUNT_KINDS = ["percent", "fixed", "free_period"]
PROMISE_KINDS = ["testimonial", "case_study", "logo", "reference_calls", "feedback_sessions"]


class CriterionTermsSchema(Schema):
    description = fields.String(dump_only=True)
    metric = fields.String(dump_only=True)
    target = fields.Float(dump_only=True)
    unit = fields.String(dump_only=True)
    direction = fields.String(dump_only=True, metadata={"enum": DIRECTIONS})
    amended = fields.Boolean(dump_only=True)


class AmendmentSchema(Schema):
    id = fields.Integer(dump_only=True)
    criterion_id = fields.Integer(dump_only=True)
    reason = fields.String(dump_only=True)
    changes = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Raw()),
        dump_only=True,
        metadata={
            "description": 'Changed fields as {"field": [old, new]}; targets are numbers.'
            " `actual` is a result changed after the pilot ended."
        },
    )
    amended_by_id = fields.Integer(dump_only=True, allow_none=True)
    amended_by = fields.String(dump_only=True, metadata={"description": "Who amended it (e-mail or tool)."})
    amended_at = fields.DateTime(dump_only=True)


class CriterionSchema(Schema):
    """The registered values (never changed after the start), `effective` terms (the newest amendment's) and
    every amendment, oldest first."""

    id = fields.Integer(dump_only=True)
    pilot_id = fields.Integer(dump_only=True)
    position = fields.Integer(dump_only=True)
    description = fields.String(dump_only=True)
    metric = fields.String(dump_only=True)
    target = fields.Float(dump_only=True)
    unit = fields.String(dump_only=True)
    direction = fields.String(dump_only=True, metadata={"enum": DIRECTIONS})
    actual = fields.Float(dump_only=True, allow_none=True)
    met = fields.Boolean(dump_only=True, allow_none=True)
    frozen_at = fields.DateTime(dump_only=True, allow_none=True)
    effective = fields.Nested(CriterionTermsSchema, dump_only=True)
    amendments = fields.List(fields.Nested(AmendmentSchema), dump_only=True)
    version = fields.Integer(dump_only=True)


CRITERION_WRITE_FIELDS = {
    "description": NonBlankString(validate=validate.Length(max=2000)),
    "metric": NonBlankString(validate=validate.Length(max=120)),
    "target": JsonNumber(metadata=MEASURE),
    "unit": fields.String(validate=validate.Length(max=40)),
    "direction": fields.String(validate=validate.OneOf(DIRECTIONS)),
}
CriterionCreateSchema = Schema.from_dict(
    {
        **CRITERION_WRITE_FIELDS,
        "description": NonBlankString(required=True, validate=validate.Length(max=2000)),
        "metric": NonBlankString(required=True, validate=validate.Length(max=120)),
        "target": JsonNumber(required=True, metadata=MEASURE),
    },
    name="CriterionCreate",
)
CriterionPatchSchema = Schema.from_dict(
    {
        **CRITERION_WRITE_FIELDS,
        "version": fields.Integer(strict=True, required=True, metadata=VERSION_REQUIRED),
    },
    name="CriterionPatch",
)
AmendmentCreateSchema = Schema.from_dict(
    {
        **CRITERION_WRITE_FIELDS,
        "reason": NonBlankString(required=True, metadata={"description": "Why the criterion changes."}),
    },
    name="AmendmentCreate",
)


class ResultSchema(Schema):
    actual = JsonNumber(
        required=True,
        allow_none=True,
        metadata={**MEASURE, "description": "The measured value; null clears it."},
    )
    reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={
            "description": "Why the result changes. Required once the pilot has ended and a result is"
            " recorded: the change is then an amendment (`changes` holds `actual`), kept with its reason."
        },
    )
    version = fields.Integer(strict=True, required=True, metadata=VERSION_REQUIRED)


class MilestoneSchema(Schema):
    id = fields.Integer(dump_only=True)
    pilot_id = fields.Integer(dump_only=True)
    title = fields.String(dump_only=True)
    due_on = fields.Date(dump_only=True)
    side = fields.String(dump_only=True, metadata={"enum": ["ours", "customer"]})
    owner_name = fields.String(dump_only=True)
    done_on = fields.Date(dump_only=True, allow_none=True)
    late = fields.Boolean(dump_only=True, metadata={"description": "Not done and past its due date."})
    version = fields.Integer(dump_only=True)


class MilestoneCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata=NOT_BLANK)
    due_on = DateInput(required=True)
    side = fields.String(
        load_default="ours",
        validate=validate.OneOf(["ours", "customer"]),
        metadata={"description": "Whose side owns it: ours or the customer's."},
    )
    owner_name = fields.String(load_default="", validate=validate.Length(max=120))


class MilestonePatchSchema(Schema):
    done = JsonBoolean(required=True)
    done_on = fields.Date(metadata={"description": "When it was done (default today)."})
    version = fields.Integer(strict=True, required=True, metadata=VERSION_REQUIRED)


class ScorecardSchema(Schema):
    total = fields.Integer(dump_only=True)
    recorded = fields.Integer(dump_only=True)
    met = fields.Integer(dump_only=True)
    complete = fields.Boolean(dump_only=True)
    verdict = fields.String(dump_only=True)
    agreement = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={"description": "Whether the verdict agrees with the outcome; null while either is open."},
    )


class PilotSummarySchema(Schema):
    id = fields.Integer(dump_only=True)
    account_id = fields.Integer(dump_only=True)
    account = fields.Nested(AccountRefSchema, dump_only=True)
    name = fields.String(dump_only=True)
    hypothesis = fields.String(dump_only=True)
    owner_id = fields.Integer(dump_only=True, allow_none=True)
    owner = fields.String(dump_only=True, allow_none=True, metadata={"description": "The owner's e-mail."})
    status = fields.String(dump_only=True, metadata={"enum": PILOT_STATUSES})
    start_date = fields.Date(dump_only=True, allow_none=True)
    planned_end_date = fields.Date(dump_only=True, allow_none=True)
    end_date = fields.Date(dump_only=True, allow_none=True)
    list_price = fields.Float(dump_only=True, allow_none=True)
    pilot_price = fields.Float(dump_only=True, allow_none=True)
    price_reason = fields.String(dump_only=True)
    outcome = fields.String(dump_only=True, metadata={"enum": PILOT_OUTCOMES})
    contract_value = fields.Float(dump_only=True, allow_none=True)
    converted_on = fields.Date(dump_only=True, allow_none=True)
    criteria_frozen_at = fields.DateTime(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class PilotSchema(PilotSummarySchema):
    criteria = fields.List(fields.Nested(CriterionSchema), dump_only=True)
    milestones = fields.List(fields.Nested(MilestoneSchema), dump_only=True)
    scorecard = fields.Nested(ScorecardSchema, dump_only=True)


PilotPageSchema = page_schema(PilotSummarySchema, "PilotPage")

PILOT_WRITE_FIELDS = {
    "name": NonBlankString(validate=validate.Length(max=200)),
    "hypothesis": fields.String(),
    "owner_id": fields.Integer(strict=True, allow_none=True),
    "start_date": DateInput(allow_none=True),
    "planned_end_date": DateInput(allow_none=True),
    "list_price": JsonNumber(allow_none=True),
    "pilot_price": JsonNumber(allow_none=True),
    "price_reason": fields.String(
        metadata={"description": "Required when the pilot price is above the list price."}
    ),
}
PilotCreateSchema = Schema.from_dict(
    {
        **PILOT_WRITE_FIELDS,
        "account_id": fields.Integer(strict=True, required=True),
        "name": NonBlankString(required=True, validate=validate.Length(max=200)),
        "criteria": fields.List(
            fields.Nested(CriterionCreateSchema),
            load_default=list,
            metadata={"description": "Success criteria to register with the pilot (optional)."},
        ),
    },
    name="PilotCreate",
)
PilotPatchSchema = Schema.from_dict(
    {**PILOT_WRITE_FIELDS, "version": fields.Integer(strict=True, required=True, metadata=VERSION_REQUIRED)},
    name="PilotPatch",
)


class PilotListArgsSchema(FilterArgsSchema, PageArgsSchema):
    """Filters; status, archetype and owner may repeat (?status=active&status=extended)."""

    status = fields.List(fields.String(metadata={"enum": PILOT_STATUSES}))
    archetype = fields.List(fields.String(), metadata={"description": "Archetype name of the account."})
    owner = fields.List(fields.String(), metadata={"description": "User id, or 'none'."})
    q = fields.String(metadata={"description": "Search in the pilot's and the account's name."})
    due = fields.String(
        validate=validate.OneOf(["soon", "overdue"]),
        metadata={
            "description": "soon: running, ending within 14 days; overdue: running past its planned end."
        },
    )

    parse_filters = PilotFilters.from_query


class TransitionSchema(Schema):
    to = fields.String(required=True, validate=validate.OneOf(PILOT_STATUSES))
    on = fields.Date(metadata={"description": "The day it happened (default today): the start or the end."})
    planned_end_date = fields.Date(
        metadata={"description": "Required to extend (later than the current one); may be set when starting."}
    )


class OutcomeSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(PILOT_OUTCOMES))
    contract_value = JsonNumber(allow_none=True, metadata={"description": "Required when converted."})
    converted_on = fields.Date(allow_none=True, metadata={"description": "Default today."})
    mark_account_lost = JsonBoolean(
        load_default=False,
        metadata={"description": "Not converted: also mark a prospect or pilot account lost."},
    )


class PromiseSchema(Schema):
    id = fields.Integer(dump_only=True)
    discount_id = fields.Integer(dump_only=True)
    account_id = fields.Integer(dump_only=True)
    account = fields.String(dump_only=True, metadata={"description": "The account's name."})
    kind = fields.String(dump_only=True, metadata={"enum": PROMISE_KINDS})
    quantity = fields.Integer(dump_only=True)
    due_on = fields.Date(dump_only=True)
    fulfilled_on = fields.Date(dump_only=True, allow_none=True)
    note = fields.String(dump_only=True)
    overdue = fields.Boolean(dump_only=True, metadata={"description": "Open and past its due date."})
    testimonial_id = fields.Integer(
        dump_only=True, allow_none=True, metadata={"description": "The testimonial that delivers it."}
    )
    version = fields.Integer(dump_only=True)


PromisePageSchema = page_schema(PromiseSchema, "PromisePage")


class PromiseInputSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(PROMISE_KINDS))
    due_on = DateInput(required=True)
    quantity = fields.Integer(strict=True, load_default=1, validate=validate.Range(min=1, max=100))


class PromiseCreateSchema(PromiseInputSchema):
    discount_id = fields.Integer(strict=True, required=True)


class PromiseListArgsSchema(PageArgsSchema):
    open = fields.Boolean(load_default=False, metadata={"description": "Only promises not yet fulfilled."})
    overdue = fields.Boolean(
        load_default=False, metadata={"description": "Only open promises past their due date."}
    )
    account_id = fields.Integer()
    discount_id = fields.Integer()


class FulfilSchema(Schema):
    fulfilled_on = fields.Date(metadata={"description": "Default today; never in the future."})
    note = fields.String(load_default="")
    version = fields.Integer(
        strict=True, metadata={"description": "Optional: the version you read; stale -> 409."}
    )


class DiscountSchema(Schema):
    id = fields.Integer(dump_only=True)
    account_id = fields.Integer(dump_only=True)
    account = fields.Nested(AccountRefSchema, dump_only=True)
    pilot_id = fields.Integer(dump_only=True, allow_none=True)
    kind = fields.String(dump_only=True, metadata={"enum": DISCOUNT_KINDS})
    amount = fields.Float(dump_only=True)
    list_price = fields.Float(dump_only=True)
    effective_price = fields.Float(dump_only=True)
    value = fields.Float(
        dump_only=True, metadata={"description": "What it gives away: per period, or the whole free months."}
    )
    depth = fields.Float(dump_only=True, metadata={"description": "Percent of the list price given away."})
    discount_band = fields.String(
        dump_only=True, metadata={"enum": ["none", "1-10%", "11-25%", "26-50%", "51%+"]}
    )
    reason = fields.String(dump_only=True)
    starts_on = fields.Date(dump_only=True)
    ends_on = fields.Date(dump_only=True, allow_none=True)
    granted_by_id = fields.Integer(dump_only=True, allow_none=True)
    granted_by = fields.String(dump_only=True, allow_none=True, metadata={"description": "E-mail."})
    promises = fields.List(fields.Nested(PromiseSchema), dump_only=True)
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


DiscountPageSchema = page_schema(DiscountSchema, "DiscountPage")


class DiscountCreateSchema(Schema):
    account_id = fields.Integer(strict=True, required=True)
    pilot_id = fields.Integer(
        strict=True, allow_none=True, metadata={"description": "A pilot of the same account."}
    )
    kind = fields.String(required=True, validate=validate.OneOf(DISCOUNT_KINDS))
    amount = JsonNumber(
        required=True, metadata={"description": "Percent off, the amount off, or the number of free months."}
    )
    list_price = JsonNumber(required=True, metadata={"description": "Per period (e.g. per month)."})
    reason = NonBlankString(required=True)
    starts_on = DateInput(required=True)
    ends_on = DateInput(allow_none=True)
    promises = fields.List(
        fields.Nested(PromiseInputSchema),
        load_default=list,
        metadata={"description": "What the customer promised in return: [{kind, due_on, quantity}]."},
    )


class DiscountListArgsSchema(PageArgsSchema):
    account_id = fields.Integer()
