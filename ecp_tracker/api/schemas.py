"""Marshmallow schemas of the JSON API: field names are the data model's snake_case names."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

from ecp_tracker.domain.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from ecp_tracker.domain.roles import Role
from ecp_tracker.services.shared.emails import email_problem

ROLES = [role.value for role in Role]


def valid_email(value: str) -> None:
    """The one e-mail rule (services.shared.emails), as the API checks it."""
    problem = email_problem(value)
    if problem:
        raise ValidationError(problem)


class ProblemSchema(Schema):
    """An RFC 9457 problem document (`application/problem+json`)."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(required=True, metadata={"example": "Invalid input"})
    status = fields.Integer(required=True, metadata={"example": 422})
    detail = fields.String(metadata={"example": "Some fields are not valid: role."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Validation errors by field name (422 only)."},
    )


class PageArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """The list envelope of docs/api.md: items, total, page, per_page."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "total": fields.Integer(required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
        },
        name=name,
    )


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    role = fields.String(dump_only=True, metadata={"enum": ROLES})
    active = fields.Boolean(dump_only=True)
    version = fields.Integer(dump_only=True, metadata={"description": "Send it back with PATCH."})
    created_at = fields.DateTime(dump_only=True)
    last_login_at = fields.DateTime(dump_only=True, allow_none=True)


UserPageSchema = page_schema(UserSchema, "UserPage")


class UserCreateSchema(Schema):
    email = fields.String(required=True, validate=valid_email)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH),
    )


class UserPatchSchema(Schema):
    version = fields.Integer(required=True, metadata={"description": "The version you read; stale -> 409."})
    name = fields.String(validate=validate.Length(min=1, max=120))
    role = fields.String(validate=validate.OneOf(ROLES))
    active = fields.Boolean()


class IcpReasonSchema(Schema):
    trait = fields.String(dump_only=True)
    value = fields.String(dump_only=True)
    points = fields.Integer(dump_only=True)
    exclude = fields.Boolean(dump_only=True, metadata={"description": "Present (true) for an exclusion."})


class AccountIcpSchema(Schema):
    version = fields.Integer(dump_only=True, metadata={"description": "The active ICP version's number."})
    score = fields.Integer(dump_only=True, metadata={"description": "The sum of the reasons' points."})
    tier = fields.String(dump_only=True, metadata={"description": "A tier name, `excluded`, or `none`."})
    reasons = fields.List(fields.Nested(IcpReasonSchema), dump_only=True)


class AccountSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    domain = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)
    employees = fields.Integer(allow_none=True)
    size_band = fields.String(
        allow_none=True, dump_only=True, metadata={"description": "Derived from employees."}
    )
    annual_revenue = fields.Float(allow_none=True)
    revenue_band = fields.String(allow_none=True, dump_only=True)
    founded_year = fields.Integer(allow_none=True)
    country = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    acquisition_channel = fields.String(allow_none=True)
    stage = fields.String(metadata={"enum": ["prospect", "pilot", "customer", "churned", "lost"]})
    converted_on = fields.Date(allow_none=True)
    churned_on = fields.Date(allow_none=True)
    contract_value = fields.Float(allow_none=True)
    nps = fields.Integer(allow_none=True)
    referrals = fields.Integer(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    owner = fields.String(allow_none=True, dump_only=True, metadata={"description": "The owner's e-mail."})
    notes = fields.String()
    archetypes = fields.List(fields.String())
    traits = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "Custom trait values by key: a string, or a list of strings for tags."},
    )
    icp = fields.Nested(
        AccountIcpSchema,
        dump_only=True,
        allow_none=True,
        metadata={"description": "Score and tier against the active ICP version (null when none is active)."},
    )
    version = fields.Integer(dump_only=True)
    archived_at = fields.DateTime(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


AccountPageSchema = page_schema(AccountSchema, "AccountPage")

ACCOUNT_WRITE_FIELDS = {
    "name": fields.String(required=True),
    "domain": fields.String(allow_none=True),
    "industry": fields.String(allow_none=True),
    "employees": fields.Raw(allow_none=True, metadata={"type": "integer"}),
    "annual_revenue": fields.Raw(allow_none=True, metadata={"type": "number"}),
    "founded_year": fields.Raw(allow_none=True, metadata={"type": "integer"}),
    "country": fields.String(allow_none=True),
    "region": fields.String(allow_none=True),
    "acquisition_channel": fields.String(allow_none=True),
    "stage": fields.String(metadata={"enum": ["prospect", "pilot", "customer", "churned", "lost"]}),
    "converted_on": fields.Raw(allow_none=True, metadata={"type": "string", "format": "date"}),
    "churned_on": fields.Raw(allow_none=True, metadata={"type": "string", "format": "date"}),
    "contract_value": fields.Raw(allow_none=True, metadata={"type": "number"}),
    "nps": fields.Raw(allow_none=True, metadata={"type": "integer", "minimum": 0, "maximum": 10}),
    "referrals": fields.Raw(allow_none=True, metadata={"type": "integer", "minimum": 0}),
    "owner_id": fields.Integer(allow_none=True),
    "notes": fields.String(),
    "archetypes": fields.List(fields.String()),
    "traits": fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True)),
}
AccountCreateSchema = Schema.from_dict(ACCOUNT_WRITE_FIELDS, name="AccountCreate")
AccountPatchSchema = Schema.from_dict(
    {
        **{key: field for key, field in ACCOUNT_WRITE_FIELDS.items() if key != "name"},
        "name": fields.String(),
        "version": fields.Integer(
            required=True, metadata={"description": "The version you read; stale -> 409."}
        ),
    },
    name="AccountPatch",
)


class AccountListArgsSchema(PageArgsSchema):
    """Filters; each may repeat (?stage=customer&stage=churned). Custom traits: `trait:<key>=value`."""

    class Meta:
        unknown = INCLUDE

    q = fields.String(metadata={"description": "Search in name and domain."})
    stage = fields.List(fields.String())
    archetype = fields.List(fields.String())
    industry = fields.List(fields.String())
    size_band = fields.List(fields.String(), metadata={"description": "1-10, 11-50, 51-200, 201-1000, 1001+"})
    region = fields.List(fields.String())
    country = fields.List(fields.String())
    acquisition_channel = fields.List(fields.String())
    owner = fields.List(fields.String(), metadata={"description": "User id, or 'none'."})
    tier = fields.List(
        fields.String(), metadata={"description": "ICP tier of the active version (or `excluded`, `none`)."}
    )
    include_archived = fields.Boolean()
    sort = fields.String(
        metadata={"description": "name, stage, industry, employees, ..., score; prefix - to reverse."}
    )


class ContactSchema(Schema):
    id = fields.Integer(dump_only=True)
    account_id = fields.Integer(dump_only=True)
    name = fields.String(required=True)
    dmu_role = fields.String(
        required=True,
        metadata={
            "enum": ["champion", "economic_buyer", "end_user", "influencer", "veto_holder", "purchasing"]
        },
    )
    email = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    archetype_id = fields.Integer(allow_none=True)
    is_champion = fields.Boolean()
    version = fields.Integer(dump_only=True)
    archived_at = fields.DateTime(dump_only=True, allow_none=True)


class ContactPatchSchema(ContactSchema):
    version = fields.Integer(required=True)


class ArchetypeSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    description = fields.String(load_default="")
    builtin = fields.Boolean(dump_only=True)
    version = fields.Integer(dump_only=True)
    archived_at = fields.DateTime(dump_only=True, allow_none=True)


class ArchetypePatchSchema(ArchetypeSchema):
    version = fields.Integer(required=True)


class TraitSchema(Schema):
    id = fields.Integer(dump_only=True)
    key = fields.String(metadata={"description": "Made from the label when omitted."})
    label = fields.String(required=True, validate=validate.Length(min=1, max=120))
    kind = fields.String(required=True, validate=validate.OneOf(["boolean", "category", "number", "tags"]))
    allowed_values = fields.List(fields.String(), load_default=list)
    description = fields.String(load_default="")
    externally_observable = fields.Boolean(load_default=False)
    version = fields.Integer(dump_only=True)
    archived_at = fields.DateTime(dump_only=True, allow_none=True)


class TraitPatchSchema(Schema):
    version = fields.Integer(required=True)
    label = fields.String(required=True, validate=validate.Length(min=1, max=120))
    allowed_values = fields.List(fields.String(), load_default=list)
    description = fields.String(load_default="")
    externally_observable = fields.Boolean(load_default=False)


# --- pilots, criteria, milestones, discounts, promises ---------------------------------------------------

PILOT_STATUSES = ["planned", "active", "extended", "succeeded", "failed", "cancelled"]
PILOT_OUTCOMES = ["pending", "converted", "not_converted"]
DIRECTIONS = ["at_least", "at_most"]
DISCOUNT_KINDS = ["percent", "fixed", "free_period"]
PROMISE_KINDS = ["testimonial", "case_study", "logo", "reference_calls", "feedback_sessions"]
NUMBER = {"type": "number"}
DATE = {"type": "string", "format": "date"}
VERSION_REQUIRED = {"description": "The version you read; stale -> 409."}


class AccountRefSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    stage = fields.String(dump_only=True)


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
    "description": fields.String(validate=validate.Length(max=2000)),
    "metric": fields.String(validate=validate.Length(max=120)),
    "target": fields.Raw(metadata=NUMBER),
    "unit": fields.String(validate=validate.Length(max=40)),
    "direction": fields.String(validate=validate.OneOf(DIRECTIONS)),
}
CriterionCreateSchema = Schema.from_dict(
    {
        **CRITERION_WRITE_FIELDS,
        "description": fields.String(required=True, validate=validate.Length(max=2000)),
        "metric": fields.String(required=True, validate=validate.Length(max=120)),
        "target": fields.Raw(required=True, metadata=NUMBER),
    },
    name="CriterionCreate",
)
CriterionPatchSchema = Schema.from_dict(
    {**CRITERION_WRITE_FIELDS, "version": fields.Integer(required=True, metadata=VERSION_REQUIRED)},
    name="CriterionPatch",
)
AmendmentCreateSchema = Schema.from_dict(
    {
        **CRITERION_WRITE_FIELDS,
        "reason": fields.String(required=True, metadata={"description": "Why the criterion changes."}),
    },
    name="AmendmentCreate",
)


class ResultSchema(Schema):
    actual = fields.Raw(
        required=True,
        allow_none=True,
        metadata={**NUMBER, "description": "The measured value; null clears it."},
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
    version = fields.Integer(required=True, metadata=VERSION_REQUIRED)


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
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    due_on = fields.Raw(required=True, metadata=DATE)
    side = fields.String(
        load_default="ours",
        validate=validate.OneOf(["ours", "customer"]),
        metadata={"description": "Whose side owns it: ours or the customer's."},
    )
    owner_name = fields.String(load_default="", validate=validate.Length(max=120))


class MilestonePatchSchema(Schema):
    done = fields.Boolean(required=True)
    done_on = fields.Date(metadata={"description": "When it was done (default today)."})
    version = fields.Integer(required=True, metadata=VERSION_REQUIRED)


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
    "name": fields.String(validate=validate.Length(max=200)),
    "hypothesis": fields.String(),
    "owner_id": fields.Integer(allow_none=True),
    "start_date": fields.Raw(allow_none=True, metadata=DATE),
    "planned_end_date": fields.Raw(allow_none=True, metadata=DATE),
    "list_price": fields.Raw(allow_none=True, metadata=NUMBER),
    "pilot_price": fields.Raw(allow_none=True, metadata=NUMBER),
    "price_reason": fields.String(
        metadata={"description": "Required when the pilot price is above the list price."}
    ),
}
PilotCreateSchema = Schema.from_dict(
    {
        **PILOT_WRITE_FIELDS,
        "account_id": fields.Integer(required=True),
        "name": fields.String(required=True, validate=validate.Length(max=200)),
        "criteria": fields.List(
            fields.Nested(CriterionCreateSchema),
            load_default=list,
            metadata={"description": "Success criteria to register with the pilot (optional)."},
        ),
    },
    name="PilotCreate",
)
PilotPatchSchema = Schema.from_dict(
    {**PILOT_WRITE_FIELDS, "version": fields.Integer(required=True, metadata=VERSION_REQUIRED)},
    name="PilotPatch",
)


class PilotListArgsSchema(PageArgsSchema):
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


class TransitionSchema(Schema):
    to = fields.String(required=True, validate=validate.OneOf(PILOT_STATUSES))
    on = fields.Date(metadata={"description": "The day it happened (default today): the start or the end."})
    planned_end_date = fields.Date(
        metadata={"description": "Required to extend (later than the current one); may be set when starting."}
    )


class OutcomeSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(PILOT_OUTCOMES))
    contract_value = fields.Raw(
        allow_none=True, metadata={**NUMBER, "description": "Required when converted."}
    )
    converted_on = fields.Date(allow_none=True, metadata={"description": "Default today."})
    mark_account_lost = fields.Boolean(
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
    due_on = fields.Raw(required=True, metadata=DATE)
    quantity = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100))


class PromiseCreateSchema(PromiseInputSchema):
    discount_id = fields.Integer(required=True)


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
    version = fields.Integer(metadata={"description": "Optional: the version you read; stale -> 409."})


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
    account_id = fields.Integer(required=True)
    pilot_id = fields.Integer(allow_none=True, metadata={"description": "A pilot of the same account."})
    kind = fields.String(required=True, validate=validate.OneOf(DISCOUNT_KINDS))
    amount = fields.Raw(
        required=True,
        metadata={**NUMBER, "description": "Percent off, the amount off, or the number of free months."},
    )
    list_price = fields.Raw(required=True, metadata={**NUMBER, "description": "Per period (e.g. per month)."})
    reason = fields.String(required=True)
    starts_on = fields.Raw(required=True, metadata=DATE)
    ends_on = fields.Raw(allow_none=True, metadata=DATE)
    promises = fields.List(
        fields.Nested(PromiseInputSchema),
        load_default=list,
        metadata={"description": "What the customer promised in return: [{kind, due_on, quantity}]."},
    )


class DiscountListArgsSchema(PageArgsSchema):
    account_id = fields.Integer()
