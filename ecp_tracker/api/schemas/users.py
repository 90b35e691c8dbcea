"""Schemas of users: read, create, patch."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ecp_tracker.api.schemas.common import (
    NOT_BLANK,
    JsonBoolean,
    page_schema,
    valid_email,
)
from ecp_tracker.domain.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from ecp_tracker.domain.roles import Role

ROLES = [role.value for role in Role]


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    role = fields.String(dump_only=True, metadata={"enum": ROLES})
    active = JsonBoolean(dump_only=True)
    version = fields.Integer(dump_only=True, metadata={"description": "Send it back with PATCH."})
    created_at = fields.DateTime(dump_only=True)
    last_login_at = fields.DateTime(dump_only=True, allow_none=True)


UserPageSchema = page_schema(UserSchema, "UserPage")


class UserCreateSchema(Schema):
    email = fields.String(required=True, validate=valid_email, metadata=NOT_BLANK)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120), metadata=NOT_BLANK)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH),
    )


class UserPatchSchema(Schema):
    version = fields.Integer(
        strict=True, required=True, metadata={"description": "The version you read; stale -> 409."}
    )
    name = fields.String(validate=validate.Length(min=1, max=120), metadata=NOT_BLANK)
    role = fields.String(validate=validate.OneOf(ROLES))
    active = JsonBoolean()
