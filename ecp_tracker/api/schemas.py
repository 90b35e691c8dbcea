"""Marshmallow schemas of the JSON API: field names are the data model's snake_case names."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

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
