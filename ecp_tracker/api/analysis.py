"""/api/v1/analysis: which trait values should graduate into the ICP (the document of docs/api.md)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ecp_tracker.db import get_session
from ecp_tracker.domain.roles import Role
from ecp_tracker.extensions import analysis_cache
from ecp_tracker.permissions import permission
from ecp_tracker.services.analysis import analysis
from ecp_tracker.services.analysis.outcomes import OUTCOMES

bp = Blueprint(
    "api_analysis",
    __name__,
    url_prefix="/api/v1/analysis",
    description="The evidence engine: every trait value tested against an outcome",
)

Interval = fields.List(
    fields.Float(allow_none=True), allow_none=True, metadata={"description": "[low, high]"}
)


class AnalysisArgsSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(list(OUTCOMES)))
    stratify_by = fields.String(
        load_default=None,
        metadata={"description": "Adjust for this trait, e.g. acquisition_channel; empty: crude analysis."},
    )
    fdr = fields.Float(
        load_default=None,
        validate=validate.Range(min=0, max=1, min_inclusive=False, max_inclusive=False),
        metadata={
            "description": "False-discovery rate; default the workspace setting (0.10).",
            "exclusiveMinimum": True,
            "exclusiveMaximum": True,
        },
    )


class ModelEffectSchema(Schema):
    """The multivariable check beside one candidate (graduate, exclude or promising)."""

    status = fields.String(
        metadata={
            "enum": ["holds", "vanishes", "reverses", "aliased", "not_in_model"],
            "description": "holds: the interval excludes 1 on the screening's side; vanishes: it covers 1; "
            "reverses: it excludes 1 on the other side; aliased: the value coincides with other terms; "
            "not_in_model: a number band (not modelled)",
        }
    )
    odds_ratio = fields.Float(allow_none=True, metadata={"description": "Firth-penalised, adjusted"})
    odds_ratio_ci = fields.List(
        fields.Float(allow_none=True),
        allow_none=True,
        metadata={"description": "[low, high], profile penalised likelihood; null where not reached"},
    )


class ModelTermSchema(Schema):
    trait = fields.String()
    value = fields.String()


class ModelCheckSchema(Schema):
    """One Firth logistic model over every candidate plus the adjustment variable's strata."""

    method = fields.String(metadata={"enum": ["firth_logistic"]})
    terms = fields.List(fields.Nested(ModelTermSchema))
    adjusted_for = fields.String(allow_none=True)
    accounts = fields.Integer(metadata={"description": "accounts with every candidate trait known"})
    fitted = fields.Boolean()
    note = fields.String(allow_none=True, metadata={"description": "why the model was not fitted"})


class AnalysisResultSchema(Schema):
    """One trait value. Non-finite numbers are null; adjusted_* are null when not stratified."""

    trait = fields.String(metadata={"example": "archetype"})
    value = fields.String(metadata={"example": "Game changer"})
    n_with = fields.Integer()
    n_without = fields.Integer()
    rate_with = fields.Float(allow_none=True)
    rate_without = fields.Float(allow_none=True)
    odds_ratio = fields.Float(allow_none=True, metadata={"description": "Conditional MLE (as R fisher.test)"})
    odds_ratio_ci = Interval
    difference = fields.Float(allow_none=True)
    difference_ci = Interval
    p_value = fields.Float(allow_none=True)
    q_value = fields.Float(allow_none=True)
    adjusted_odds_ratio = fields.Float(allow_none=True, metadata={"description": "Mantel-Haenszel"})
    adjusted_odds_ratio_ci = Interval
    adjusted_p_value = fields.Float(
        allow_none=True, metadata={"description": "CMH, no continuity correction"}
    )
    adjusted_q_value = fields.Float(allow_none=True)
    heterogeneity_p_value = fields.Float(allow_none=True, metadata={"description": "Breslow-Day"})
    recommendation = fields.String(
        metadata={
            "enum": ["insufficient_data", "confounded", "graduate", "exclude", "promising", "no_evidence"]
        }
    )
    flags = fields.List(fields.String())
    more_accounts_needed = fields.Integer(allow_none=True)
    explanation = fields.String()
    adjusted_difference = fields.Float(
        allow_none=True,
        metadata={"description": "Mantel-Haenszel risk difference (stratified binary outcomes)"},
    )
    adjusted_difference_ci = Interval
    confounding = fields.String(
        allow_none=True,
        metadata={"enum": ["changes", "cannot_tell_apart", None], "description": "why a value is confounded"},
    )
    corrected_difference = fields.Float(
        allow_none=True,
        metadata={
            "description": "The decided lift shrunk for the winner's curse (empirical Bayes); the minimum "
            "lift applies to it. Only for values passing the false-discovery bar among at least three."
        },
    )
    model = fields.Nested(ModelEffectSchema, allow_none=True, metadata={"description": "candidates only"})
    # continuous outcomes (days_to_convert, contract_value, nps)
    median_with = fields.Float(allow_none=True)
    median_without = fields.Float(allow_none=True)
    probability_greater = fields.Float(allow_none=True, metadata={"description": "Brunner-Munzel P(X > Y)"})
    probability_greater_ci = Interval
    p_value_method = fields.String(
        allow_none=True, metadata={"enum": ["exact_permutation", "permutation", "brunner_munzel", None]}
    )
    p_value_error = fields.Float(
        allow_none=True, metadata={"description": "Monte Carlo standard error of the p-value; 0 when exact"}
    )
    # time to churn
    median_time_with = fields.Float(allow_none=True)
    median_time_without = fields.Float(allow_none=True)
    hazard_ratio = fields.Float(allow_none=True, metadata={"description": "Cox, Efron ties"})
    hazard_ratio_ci = Interval
    adjusted_hazard_ratio = fields.Float(allow_none=True)
    adjusted_hazard_ratio_ci = Interval


class TrendSchema(Schema):
    trait = fields.String(metadata={"example": "trait:seats"})
    accounts = fields.Integer()
    distinct_values = fields.Integer()
    z = fields.Float(allow_none=True, metadata={"description": "positive: the rate rises with the number"})
    p_value = fields.Float(allow_none=True, metadata={"description": "two-sided"})
    direction = fields.String(allow_none=True, metadata={"enum": ["rises", "falls", "flat", None]})
    method = fields.String(metadata={"enum": ["cochran_armitage"]})


class AnalysisSchema(Schema):
    outcome = fields.String(metadata={"example": "converted"})
    population = fields.Integer()
    positives = fields.Integer(allow_none=True)
    stratified_by = fields.String(allow_none=True)
    fdr = fields.Float()
    results = fields.List(fields.Nested(AnalysisResultSchema))
    model = fields.Nested(
        ModelCheckSchema,
        allow_none=True,
        metadata={"description": "binary outcomes: the multivariable check; null without candidates"},
    )
    trends = fields.List(
        fields.Nested(TrendSchema),
        metadata={"description": "binary outcomes: each number trait's trend test (Cochran-Armitage, crude)"},
    )


@bp.route("")
@permission(Role.VIEWER)
@bp.arguments(AnalysisArgsSchema, location="query")
@bp.response(200, AnalysisSchema)
def get_analysis(args: dict[str, Any]):
    """Test every trait value against an outcome (cached until the data changes)"""
    report = analysis.run(
        get_session(),
        args["outcome"],
        stratify_by=args["stratify_by"] or None,
        fdr=args["fdr"],
        cache=analysis_cache(),
    )
    return report.to_json()
