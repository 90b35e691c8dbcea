"""Schemas of /api/v1/reviews: a review with its frozen snapshot, its candidates and decisions."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ecp_tracker.api.schemas.common import DATE, NOT_BLANK, DateInput, page_schema
from ecp_tracker.domain.reviews import Decision, ReviewStatus
from ecp_tracker.services.analysis.outcomes import OUTCOMES

DECISIONS = [d.value for d in Decision]


class ReviewCreateSchema(Schema):
    period = fields.String(
        required=True, metadata={"example": "2026-11", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"}
    )
    outcomes = fields.List(
        fields.String(validate=validate.OneOf(list(OUTCOMES))),
        metadata={"description": "Default: converted (adjusted for acquisition channel) and churned."},
    )
    supersedes = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=2_147_483_647),
        metadata={"description": "A correction: the id of the finalised review of that month it replaces."},
    )


class DecisionInputSchema(Schema):
    trait = fields.String(required=True, validate=validate.Length(min=1, max=80), metadata=NOT_BLANK)
    value = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata=NOT_BLANK)
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    rationale = fields.String(required=True, validate=validate.Length(min=1, max=4000), metadata=NOT_BLANK)
    deciders = fields.String(validate=validate.Length(max=400))
    points = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=1000),
        metadata={"description": "For graduate (default 20)."},
    )
    revisit_on = DateInput(metadata={"description": "Required for defer."})


class DecisionSchema(DecisionInputSchema):
    id = fields.Integer(dump_only=True)
    recommendation = fields.String(dump_only=True, allow_none=True, metadata={"description": "The engine's."})
    ready = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={"description": "The repeated-looks rule: graduate, exclude."},
    )
    against_evidence = fields.Boolean(dump_only=True)
    revisit_on = fields.String(dump_only=True, allow_none=True, metadata=DATE)
    points = fields.Integer(dump_only=True, allow_none=True)


class CandidateSchema(Schema):
    trait = fields.String(dump_only=True)
    value = fields.String(dump_only=True)
    label = fields.String(dump_only=True)
    recommendation = fields.String(dump_only=True, allow_none=True)
    looks = fields.Integer(
        dump_only=True, metadata={"description": "Reviews that have looked at it, this one too."}
    )
    ready = fields.String(dump_only=True, allow_none=True)
    new = fields.Boolean(dump_only=True)
    revisit = fields.Boolean(dump_only=True, metadata={"description": "Deferred at an earlier review."})
    decision = fields.String(dump_only=True, allow_none=True)


class ChangesSchema(Schema):
    previous_review_id = fields.Integer(dump_only=True, allow_none=True)
    new_candidates = fields.List(fields.Dict(), dump_only=True)
    recommendation_changes = fields.List(fields.Dict(), dump_only=True)
    tier_moves = fields.List(fields.Dict(), dump_only=True)


class ReviewSchema(Schema):
    id = fields.Integer(dump_only=True)
    period = fields.String(dump_only=True)
    revision = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True, metadata={"enum": [s.value for s in ReviewStatus]})
    cutoff_at = fields.DateTime(dump_only=True)
    outcomes = fields.List(fields.String(), dump_only=True)
    snapshot = fields.Dict(dump_only=True)
    snapshot_sha256 = fields.String(dump_only=True)
    attendees = fields.String(dump_only=True)
    notes = fields.String(dump_only=True)
    finalised_at = fields.DateTime(dump_only=True, allow_none=True)
    draft_icp_version_id = fields.Integer(dump_only=True, allow_none=True)
    supersedes_id = fields.Integer(dump_only=True, allow_none=True)
    candidates = fields.List(fields.Nested(CandidateSchema), dump_only=True)
    changes = fields.Nested(ChangesSchema, dump_only=True)
    decisions = fields.List(fields.Nested(DecisionSchema), dump_only=True)
    version = fields.Integer(dump_only=True)


class ReviewSummarySchema(Schema):
    id = fields.Integer(dump_only=True)
    period = fields.String(dump_only=True)
    revision = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True)
    snapshot_sha256 = fields.String(dump_only=True)
    finalised_at = fields.DateTime(dump_only=True, allow_none=True)
    draft_icp_version_id = fields.Integer(dump_only=True, allow_none=True)


ReviewPageSchema = page_schema(ReviewSummarySchema, "ReviewPage")


class FinalisedSchema(Schema):
    id = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True)
    draft_icp_version_id = fields.Integer(
        dump_only=True,
        allow_none=True,
        metadata={"description": "The next draft ICP (none: nothing graduated)."},
    )
