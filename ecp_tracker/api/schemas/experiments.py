"""Schemas of /api/v1/experiments: an experiment with its registered and effective terms, amendments, the
sample-size line, its arms and its results per arm with the verdict."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ecp_tracker.api.schemas.common import (
    DATE,
    VERSION_REQUIRED,
    DateInput,
    JsonBoolean,
    JsonNumber,
    NonBlankString,
    page_schema,
)
from ecp_tracker.domain.experiments import STRATIFY_BY, ExperimentStatus, Metric, TargetKind

METRICS = [m.value for m in Metric]
TARGETS = [t.value for t in TargetKind]
FRACTION = {"description": "A share between 0 and 1 (0.2 = 20%)."}


REQUIRED = (
    "name",
    "hypothesis",
    "metric",
    "min_lift",
    "holdout_share",
    "baseline_rate",
    "planned_end",
    "target_kind",
)


def _input_fields(*, create: bool) -> dict[str, fields.Field]:
    """The experiment's input fields: required ones on create, every one optional on PATCH."""

    def needed(name: str) -> bool:
        return create and name in REQUIRED

    return {
        "name": NonBlankString(required=needed("name"), validate=validate.Length(min=1, max=200)),
        "hypothesis": NonBlankString(required=needed("hypothesis"), validate=validate.Length(max=4000)),
        "metric": fields.String(required=needed("metric"), validate=validate.OneOf(METRICS)),
        "custom_metric": fields.String(
            validate=validate.Length(max=120), metadata={"description": "What a custom yes/no records."}
        ),
        "min_lift": JsonNumber(
            required=needed("min_lift"),
            metadata={"description": "The smallest lift worth acting on, as a difference of rates (0.1)."},
        ),
        "holdout_share": JsonNumber(
            required=needed("holdout_share"), metadata={"description": "The share held out: 0.05 to 0.5."}
        ),
        "baseline_rate": JsonNumber(
            required=needed("baseline_rate"),
            metadata={"description": "The rate expected without the campaign, for the sample size."},
        ),
        "planned_end": DateInput(required=needed("planned_end")),
        "target_kind": fields.String(required=needed("target_kind"), validate=validate.OneOf(TARGETS)),
        "target_tier": NonBlankString(
            validate=validate.Length(max=40),
            metadata={"description": "For tier: a tier of the version in force."},
        ),
        "target_view_id": fields.Integer(
            strict=True,
            validate=validate.Range(min=1, max=2_147_483_647),
            metadata={"description": "For view: one of your saved views."},
        ),
        "stratify_by": fields.String(allow_none=True, validate=validate.OneOf([*STRATIFY_BY, ""])),
        "seed": fields.Integer(
            strict=True,
            allow_none=True,
            validate=validate.Range(min=0, max=2**63 - 1),
            metadata={"description": "Drawn at the start from a secure source when not given."},
        ),
        "review_id": fields.Integer(
            strict=True,
            allow_none=True,
            validate=validate.Range(min=1, max=2_147_483_647),
            metadata={"description": "The review in which it is discussed."},
        ),
    }


ExperimentInputSchema = Schema.from_dict(_input_fields(create=True), name="ExperimentInput")
ExperimentPatchSchema = Schema.from_dict(
    {
        **_input_fields(create=False),
        "version": fields.Integer(required=True, strict=True, metadata=VERSION_REQUIRED),
    },
    name="ExperimentPatch",
)


class ExperimentVersionSchema(Schema):
    version = fields.Integer(required=True, strict=True, metadata=VERSION_REQUIRED)


class ExperimentAmendInputSchema(Schema):
    reason = NonBlankString(required=True, validate=validate.Length(min=1, max=4000))
    hypothesis = fields.String(
        validate=validate.Length(max=4000),
        metadata={"pattern": r"^$|\S", "description": "The new hypothesis; empty: unchanged."},
    )
    metric = fields.String(validate=validate.OneOf(METRICS))
    min_lift = JsonNumber()


class ArmOutcomeSchema(Schema):
    account_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2_147_483_647))
    outcome = JsonBoolean(required=True)


class OutcomesInputSchema(Schema):
    outcomes = fields.List(fields.Nested(ArmOutcomeSchema), required=True, validate=validate.Length(min=1))


class ExperimentTermsSchema(Schema):
    hypothesis = fields.String(dump_only=True)
    metric = fields.String(dump_only=True)
    min_lift = fields.Float(dump_only=True)


class ExperimentAmendmentSchema(Schema):
    id = fields.Integer(dump_only=True)
    reason = fields.String(dump_only=True)
    changes = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Raw()),
        dump_only=True,
        metadata={"description": '{"field": [old, new]}'},
    )
    amended_by = fields.String(dump_only=True)
    amended_at = fields.String(dump_only=True)


class ExperimentSchema(Schema):
    """The registered terms (never changed after the start), the `effective` ones (amendments applied)."""

    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    status = fields.String(dump_only=True, metadata={"enum": [s.value for s in ExperimentStatus]})
    hypothesis = fields.String(dump_only=True)
    metric = fields.String(dump_only=True, metadata={"enum": METRICS})
    custom_metric = fields.String(dump_only=True)
    min_lift = fields.Float(dump_only=True)
    holdout_share = fields.Float(dump_only=True)
    baseline_rate = fields.Float(dump_only=True)
    target_kind = fields.String(dump_only=True, metadata={"enum": TARGETS})
    target_tier = fields.String(dump_only=True, allow_none=True)
    target_view_id = fields.Integer(dump_only=True, allow_none=True)
    target_label = fields.String(dump_only=True)
    target_filters = fields.Dict(dump_only=True, allow_none=True)
    stratify_by = fields.String(dump_only=True, allow_none=True)
    planned_end = fields.String(dump_only=True, metadata=DATE)
    seed = fields.String(
        dump_only=True, allow_none=True, metadata={"description": "As text: it may exceed 2^53."}
    )
    started_at = fields.String(dump_only=True, allow_none=True)
    finished_at = fields.String(dump_only=True, allow_none=True)
    review_id = fields.Integer(dump_only=True, allow_none=True)
    arms = fields.Dict(keys=fields.String(), values=fields.Integer(), dump_only=True)
    effective = fields.Nested(ExperimentTermsSchema, dump_only=True)
    amendments = fields.List(fields.Nested(ExperimentAmendmentSchema), dump_only=True)
    sample_size = fields.String(dump_only=True, metadata={"description": "The sample-size line."})
    version = fields.Integer(dump_only=True)


ExperimentPageSchema = page_schema(ExperimentSchema, "ExperimentPage")


class ExperimentArmResultSchema(Schema):
    assigned = fields.Integer(dump_only=True)
    measured = fields.Integer(dump_only=True, metadata={"description": "Accounts whose outcome is known."})
    positive = fields.Integer(dump_only=True)
    rate = fields.Float(dump_only=True, allow_none=True)
    rate_low = fields.Float(dump_only=True, allow_none=True)
    rate_high = fields.Float(dump_only=True, allow_none=True)


class ExperimentResultSchema(Schema):
    target = fields.Nested(ExperimentArmResultSchema, dump_only=True)
    holdout = fields.Nested(ExperimentArmResultSchema, dump_only=True)
    lift = fields.Float(dump_only=True, allow_none=True)
    lift_low = fields.Float(dump_only=True, allow_none=True, metadata={"description": "Newcombe interval."})
    lift_high = fields.Float(dump_only=True, allow_none=True)
    p_value = fields.Float(dump_only=True, allow_none=True, metadata={"description": "Fisher, two-sided."})
    min_lift = fields.Float(dump_only=True)
    detectable_lift = fields.Float(dump_only=True, allow_none=True)
    verdict = fields.String(dump_only=True, metadata={"enum": ["worked", "did_not_work", "too_early"]})
    explanation = fields.String(dump_only=True)


class ExperimentArmSchema(Schema):
    account_id = fields.Integer(dump_only=True)
    account = fields.String(dump_only=True)
    arm = fields.String(dump_only=True, metadata={"enum": ["target", "holdout"]})
    stratum = fields.String(dump_only=True)
    outcome = fields.Boolean(dump_only=True, allow_none=True)


class OutcomesRecordedSchema(Schema):
    changed = fields.Integer(dump_only=True)
