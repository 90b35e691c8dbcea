"""Schemas of accounts, their contacts, the list filters, and the archetype and trait catalogue."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from ecp_tracker.api.schemas.common import (
    NOT_BLANK,
    DateInput,
    FilterArgsSchema,
    JsonBoolean,
    JsonNumber,
    NonBlankString,
    PageArgsSchema,
    page_schema,
)
from ecp_tracker.domain.accounts import REVENUE_BAND_LABELS, SIZE_BAND_LABELS, Stage
from ecp_tracker.services.accounts.listing import AccountFilters


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
        allow_none=True,
        dump_only=True,
        metadata={"description": "Derived from employees.", "enum": [*SIZE_BAND_LABELS, None]},
    )
    annual_revenue = fields.Float(allow_none=True)
    revenue_band = fields.String(
        allow_none=True, dump_only=True, metadata={"enum": [*REVENUE_BAND_LABELS, None]}
    )
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

STAGES = [s.value for s in Stage]

ACCOUNT_WRITE_FIELDS = {
    "name": NonBlankString(required=True),
    "domain": fields.String(allow_none=True),
    "industry": fields.String(allow_none=True),
    "employees": JsonNumber(integer=True, allow_none=True),
    "annual_revenue": JsonNumber(allow_none=True),
    "founded_year": JsonNumber(integer=True, allow_none=True),
    "country": fields.String(allow_none=True),
    "region": fields.String(allow_none=True),
    "acquisition_channel": fields.String(allow_none=True),
    # One of the stages, as documented: the service reads "" as prospect (a blank cell of an import), which
    # would quietly reset an account's stage in a PATCH
    "stage": fields.String(
        validate=validate.OneOf(STAGES, error="Stage must be one of {choices}, not {input!r}.")
    ),
    "converted_on": DateInput(allow_none=True),
    "churned_on": DateInput(allow_none=True),
    "contract_value": JsonNumber(allow_none=True),
    "nps": JsonNumber(integer=True, allow_none=True, metadata={"minimum": 0, "maximum": 10}),
    "referrals": JsonNumber(integer=True, allow_none=True, metadata={"minimum": 0}),
    "owner_id": fields.Integer(strict=True, allow_none=True),
    "notes": fields.String(),
    "archetypes": fields.List(fields.String()),
    "traits": fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True)),
}
AccountCreateSchema = Schema.from_dict(ACCOUNT_WRITE_FIELDS, name="AccountCreate")
AccountPatchSchema = Schema.from_dict(
    {
        **{key: field for key, field in ACCOUNT_WRITE_FIELDS.items() if key != "name"},
        "name": NonBlankString(),
        "version": fields.Integer(
            strict=True, required=True, metadata={"description": "The version you read; stale -> 409."}
        ),
    },
    name="AccountPatch",
)


class AccountListArgsSchema(FilterArgsSchema, PageArgsSchema):
    """Filters; each may repeat (?stage=customer&stage=churned). Custom traits: `trait:<key>=value`."""

    class Meta:
        unknown = INCLUDE

    q = fields.String(metadata={"description": "Search in name and domain."})
    stage = fields.List(fields.String())
    archetype = fields.List(fields.String())
    industry = fields.List(fields.String())
    size_band = fields.List(fields.String(metadata={"enum": SIZE_BAND_LABELS}))  # checked by the listing
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

    parse_filters = AccountFilters.from_query


class ContactSchema(Schema):
    id = fields.Integer(dump_only=True)
    account_id = fields.Integer(dump_only=True)
    name = NonBlankString(required=True)
    dmu_role = fields.String(
        required=True,
        metadata={
            "enum": ["champion", "economic_buyer", "end_user", "influencer", "veto_holder", "purchasing"]
        },
    )
    email = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    archetype_id = fields.Integer(strict=True, allow_none=True)
    is_champion = JsonBoolean()
    version = fields.Integer(dump_only=True)
    archived_at = fields.DateTime(dump_only=True, allow_none=True)


class ContactPatchSchema(ContactSchema):
    version = fields.Integer(strict=True, required=True)


class ArchetypeSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=80), metadata=NOT_BLANK)
    description = fields.String(load_default="")
    builtin = fields.Boolean(dump_only=True)
    version = fields.Integer(dump_only=True)
    archived_at = fields.DateTime(dump_only=True, allow_none=True)


class ArchetypePatchSchema(ArchetypeSchema):
    version = fields.Integer(strict=True, required=True)


class TraitSchema(Schema):
    id = fields.Integer(dump_only=True)
    key = fields.String(
        # "" is made from the label too; blank text is refused
        metadata={"description": "Made from the label when omitted or empty.", "pattern": r"^$|\S"}
    )
    label = fields.String(required=True, validate=validate.Length(min=1, max=120), metadata=NOT_BLANK)
    kind = fields.String(required=True, validate=validate.OneOf(["boolean", "category", "number", "tags"]))
    allowed_values = fields.List(fields.String(), load_default=list)
    description = fields.String(load_default="")
    externally_observable = JsonBoolean(load_default=False)
    version = fields.Integer(dump_only=True)
    archived_at = fields.DateTime(dump_only=True, allow_none=True)


class TraitPatchSchema(Schema):
    version = fields.Integer(strict=True, required=True)
    label = fields.String(required=True, validate=validate.Length(min=1, max=120), metadata=NOT_BLANK)
    allowed_values = fields.List(fields.String(), load_default=list)
    description = fields.String(load_default="")
    externally_observable = JsonBoolean(load_default=False)


# --- pilots, criteria, milestones, discounts, promises ---------------------------------------------------
