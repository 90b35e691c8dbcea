"""/api/v1/experiments: campaigns against a randomised holdout (create, edit a draft, start, amend, record
custom outcomes, finish, results per arm with the verdict, the arms)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from ecp_tracker.api.schemas.common import PageArgsSchema
from ecp_tracker.api.schemas.experiments import (
    ExperimentAmendInputSchema,
    ExperimentAmendmentSchema,
    ExperimentArmSchema,
    ExperimentInputSchema,
    ExperimentPageSchema,
    ExperimentPatchSchema,
    ExperimentResultSchema,
    ExperimentSchema,
    ExperimentVersionSchema,
    OutcomesInputSchema,
    OutcomesRecordedSchema,
)
from ecp_tracker.db import get_session
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Experiment
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.experiments import experiments
from ecp_tracker.services.shared.pagination import Page
from ecp_tracker.services.shared.raw_input import today

bp = Blueprint(
    "api_experiments",
    __name__,
    url_prefix="/api/v1/experiments",
    description="Experiments: a campaign aimed at an ICP tier or a saved view against a randomised holdout",
)


def out(experiment: Experiment) -> dict[str, Any]:
    return experiments.experiment_json(get_session(), experiment, today())


@bp.route("")
@permission(Role.VIEWER)
@bp.arguments(PageArgsSchema, location="query", as_kwargs=True)
@bp.response(200, ExperimentPageSchema)
def list_experiments(page: int, per_page: int):
    """Every experiment, the newest first"""
    items = experiments.list_experiments(get_session())
    chosen = items[(page - 1) * per_page : page * per_page]
    return Page([out(e) for e in chosen], len(items), page, per_page)


@bp.route("", methods=["POST"])
@permission(Role.EDITOR)
@bp.arguments(ExperimentInputSchema)
@bp.response(201, ExperimentSchema)
def create_experiment(data: dict[str, Any]):
    """A draft experiment; nothing is drawn until it starts"""
    session = get_session()
    experiment = experiments.create_experiment(session, current_actor(), data, today())
    session.commit()
    return out(experiment)


@bp.route("/<int:experiment_id>")
@permission(Role.VIEWER)
@bp.response(200, ExperimentSchema)
def get_experiment(experiment_id: int):
    """One experiment: registered and effective terms, amendments, the sample-size line"""
    return out(experiments.get_experiment(get_session(), experiment_id))


@bp.route("/<int:experiment_id>", methods=["PATCH"])
@permission(Role.EDITOR)
@bp.arguments(ExperimentPatchSchema)
@bp.response(200, ExperimentSchema)
def patch_experiment(data: dict[str, Any], experiment_id: int):
    """Edit a draft (a running one: name, planned_end, review_id only); `version` as read (stale: 409)"""
    session = get_session()
    version = data.pop("version")
    experiment = experiments.update_experiment(
        session, current_actor(), experiment_id, data, version=version, today=today()
    )
    session.commit()
    return out(experiment)


@bp.route("/<int:experiment_id>/start", methods=["POST"])
@permission(Role.EDITOR)
@bp.arguments(ExperimentVersionSchema)
@bp.response(200, ExperimentSchema)
def start_experiment(data: dict[str, Any], experiment_id: int):
    """Freeze the terms and draw the arms once, with the recorded seed"""
    session = get_session()
    experiment = experiments.start_experiment(
        session, current_actor(), experiment_id, version=data["version"], today=today()
    )
    session.commit()
    return out(experiment)


@bp.route("/<int:experiment_id>/finish", methods=["POST"])
@permission(Role.EDITOR)
@bp.arguments(ExperimentVersionSchema)
@bp.response(200, ExperimentSchema)
def finish_experiment(data: dict[str, Any], experiment_id: int):
    """End a running experiment: its results become the verdict"""
    session = get_session()
    experiment = experiments.finish_experiment(
        session, current_actor(), experiment_id, version=data["version"]
    )
    session.commit()
    return out(experiment)


@bp.route("/<int:experiment_id>/amendments", methods=["POST"])
@permission(Role.EDITOR)
@bp.arguments(ExperimentAmendInputSchema)
@bp.response(201, ExperimentAmendmentSchema)
def amend_experiment(data: dict[str, Any], experiment_id: int):
    """Change a frozen term (hypothesis, metric, min_lift) of a running experiment, with a reason"""
    session = get_session()
    reason = data.pop("reason")
    amendment = experiments.amend_experiment(
        session, current_actor(), experiment_id, reason=reason, changes=data
    )
    session.commit()
    return {
        "id": amendment.id,
        "reason": amendment.reason,
        "changes": amendment.changes,
        "amended_by": amendment.amended_by_label,
        "amended_at": amendment.amended_at.isoformat(),
    }


@bp.route("/<int:experiment_id>/outcomes", methods=["POST"])
@permission(Role.EDITOR)
@bp.arguments(OutcomesInputSchema)
@bp.response(200, OutcomesRecordedSchema)
def record_outcomes(data: dict[str, Any], experiment_id: int):
    """Record the custom yes/no of accounts in a running experiment with a custom metric"""
    session = get_session()
    changed = experiments.record_outcomes(
        session, current_actor(), experiment_id, {o["account_id"]: o["outcome"] for o in data["outcomes"]}
    )
    session.commit()
    return {"changed": changed}


@bp.route("/<int:experiment_id>/results")
@permission(Role.VIEWER)
@bp.response(200, ExperimentResultSchema)
def results(experiment_id: int):
    """Results per arm: counts, rates with Wilson intervals, Fisher's exact p, Newcombe's interval, verdict
    (409 before the start)"""
    session = get_session()
    experiment = experiments.get_experiment(session, experiment_id)
    return experiments.result_json(experiments.require_results(session, experiment, today()))


@bp.route("/<int:experiment_id>/arms")
@permission(Role.VIEWER)
@bp.response(200, ExperimentArmSchema(many=True))
def arms(experiment_id: int):
    """Every account's arm, in account id order (empty before the start)"""
    session = get_session()
    rows = experiments.arm_rows(session, experiments.get_experiment(session, experiment_id))
    return [
        {
            "account_id": r[1],
            "account": r[2],
            "arm": r[3],
            "stratum": r[4],
            "outcome": {"yes": True, "no": False}.get(r[5]),
        }
        for r in rows
    ]
