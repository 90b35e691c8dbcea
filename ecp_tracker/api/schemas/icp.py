"""Marshmallow schemas of the ICP resources: versions with their criteria and tiers, and the re-tier preview.

Criteria and tiers are read loosely here (their types are in the document) and checked by the ICP service,
so that every problem is reported at once with the field it is in (`criteria.1.value`, `tiers.0.min_score`).
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ecp_tracker.api.schemas.common import (
    NOT_BLANK,
    JsonBoolean,
    JsonNumber,
    NonBlankString,
    PageArgsSchema,
    page_schema,
)

STATUSES = ["draft", "active", "retired"]


class IcpCriterionSchema(Schema):
    trait = NonBlankString(
        required=True, metadata={"description": "archetype, industry, size_band, ..., or trait:<key>."}
    )
    value = fields.Raw(
        allow_none=True, metadata={"type": "string", **NOT_BLANK, "description": "The trait value."}
    )
    min = JsonNumber(allow_none=True, metadata={"description": "Number traits: from."})
    max = JsonNumber(allow_none=True, metadata={"description": "Number traits: to."})
    points = JsonNumber(integer=True, allow_none=True)
    exclude = JsonBoolean(metadata={"description": "An exclusion (anti-ICP): tier `excluded`."})
    evidence = fields.Dict(
        dump_only=True,
        allow_none=True,
        metadata={"description": "The analysis result for this trait value when the criterion was added."},
    )
    graduation_decision_id = fields.Integer(dump_only=True, allow_none=True)


class IcpTierSchema(Schema):
    name = fields.Raw(required=True, metadata={"type": "string", **NOT_BLANK})
    min_score = JsonNumber(integer=True, required=True)


class IcpVersionSchema(Schema):
    id = fields.Integer(dump_only=True)
    number = fields.Integer(dump_only=True)
    name = NonBlankString(required=True, validate=validate.Length(max=120))
    narrative = fields.String(load_default="", validate=validate.Length(max=20_000))
    status = fields.String(dump_only=True, metadata={"enum": STATUSES})
    criteria = fields.List(fields.Nested(IcpCriterionSchema), load_default=list)
    tiers = fields.List(fields.Nested(IcpTierSchema), required=True)
    created_at = fields.DateTime(dump_only=True)
    activated_at = fields.DateTime(dump_only=True, allow_none=True)
    retired_at = fields.DateTime(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)


class IcpVersionPatchSchema(Schema):
    name = NonBlankString(validate=validate.Length(max=120))
    narrative = fields.String(validate=validate.Length(max=20_000))
    criteria = fields.List(fields.Nested(IcpCriterionSchema))
    tiers = fields.List(fields.Nested(IcpTierSchema))
    version = fields.Integer(
        strict=True, required=True, metadata={"description": "The version you read; stale -> 409."}
    )


IcpVersionPageSchema = page_schema(IcpVersionSchema, "IcpVersionPage")


class IcpCellSchema(Schema):
    current = fields.String(dump_only=True)
    new = fields.String(dump_only=True)
    accounts = fields.Integer(dump_only=True)


class IcpScoreOutSchema(Schema):
    version = fields.Integer(dump_only=True)
    score = fields.Integer(dump_only=True)
    tier = fields.String(dump_only=True)
    reasons = fields.List(fields.Dict(), dump_only=True)


class IcpMoverSchema(Schema):
    account_id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    current = fields.Nested(IcpScoreOutSchema, allow_none=True, dump_only=True)
    new = fields.Nested(IcpScoreOutSchema, dump_only=True)
    reasons_gained = fields.List(fields.Dict(), dump_only=True)
    reasons_lost = fields.List(fields.Dict(), dump_only=True)


class IcpPreviewSchema(Schema):
    version = fields.Integer(dump_only=True)
    against = fields.Integer(dump_only=True, allow_none=True, metadata={"description": "The active version."})
    current_tiers = fields.List(fields.String(), dump_only=True)
    new_tiers = fields.List(fields.String(), dump_only=True)
    matrix = fields.List(fields.Nested(IcpCellSchema), dump_only=True)
    moved = fields.Nested(page_schema(IcpMoverSchema, "IcpMoverPage"), dump_only=True)


class IcpPreviewArgsSchema(PageArgsSchema):
    pass
