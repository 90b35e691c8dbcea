"""Marshmallow schemas of the JSON API: field names are the data model's snake_case names."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from ecp_tracker.domain.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from ecp_tracker.domain.roles import Role

ROLES = [role.value for role in Role]


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
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """The list envelope of DESIGN.md section 9: items, total, page, per_page."""
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
    email = fields.Email(required=True, validate=validate.Length(max=254))
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
    include_archived = fields.Boolean()
    sort = fields.String(
        metadata={"description": "name, stage, industry, employees, ... ; prefix - to reverse."}
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
