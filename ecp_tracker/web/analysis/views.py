"""Analysis pages: the results table with a forest plot, a page per trait value, and the admin settings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from ecp_tracker.analysis.explain import plural
from ecp_tracker.db import get_session
from ecp_tracker.domain.errors import ValidationError
from ecp_tracker.domain.roles import Role
from ecp_tracker.extensions import analysis_cache
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.analysis import analysis
from ecp_tracker.services.analysis import detail as analysis_detail
from ecp_tracker.services.analysis.outcomes import OUTCOMES, OutcomeKind
from ecp_tracker.web.analysis import charts
from ecp_tracker.web.analysis.forms import NO_ADJUSTMENT, AnalysisChoiceForm, AnalysisSettingsForm
from ecp_tracker.web.charts import narrow_layout
from ecp_tracker.web.forms_support import attempt, status_for

bp = Blueprint(
    "analysis",
    __name__,
    url_prefix="/analysis",
    template_folder="templates",
)
SVG_HEADERS = {"Cache-Control": "private, max-age=60"}
bp.add_app_template_filter(plural, "plural")


@dataclass(frozen=True)
class Choice:
    """The outcome and adjustment a page shows, read from the query string."""

    form: AnalysisChoiceForm
    outcome: str
    stratify_by: str | None

    @property
    def args(self) -> dict[str, str]:
        return {"outcome": self.outcome, "adjust": self.stratify_by or NO_ADJUSTMENT}


def _choice() -> Choice:
    session = get_session()
    form = AnalysisChoiceForm(request.args)
    form.outcome.choices = [(o.name, o.label) for o in OUTCOMES.values()]
    form.adjust.choices = [(NO_ADJUSTMENT, "Nothing (crude comparison)")] + [
        (t.name, t.label.capitalize()) for t in analysis.stratifiable_traits(session)
    ]
    outcome = analysis.outcome_named(request.args.get("outcome") or "converted")
    adjust = request.args.get("adjust")
    if outcome.kind is OutcomeKind.CONTINUOUS:
        stratify_by = None
    elif adjust is None:
        stratify_by = analysis.default_stratify_by(session)
    else:
        stratify_by = None if adjust == NO_ADJUSTMENT else adjust
    form.outcome.data = outcome.name
    form.adjust.data = stratify_by or NO_ADJUSTMENT
    return Choice(form, outcome.name, stratify_by)


def _report(choice: Choice) -> analysis.Report:
    return analysis.run(get_session(), choice.outcome, stratify_by=choice.stratify_by, cache=analysis_cache())


@bp.route("/")
@permission(Role.VIEWER)
def index():
    choice = _choice()
    report = _report(choice)
    return render_template(
        "analysis/index.html",
        choice=choice,
        report=report,
        document=report.to_json(),
        kinds=OutcomeKind,
        effects=charts.effect_rows(report),
    )


@bp.route("/analysis.css")
@permission(Role.VIEWER)
def stylesheet():
    """The page's own styles (the forest plot's phone layout), served behind the same permission."""
    from pathlib import Path

    css = (Path(__file__).parent / "templates" / "analysis" / "analysis.css").read_text(encoding="utf-8")
    return Response(css, mimetype="text/css", headers={"Cache-Control": "private, max-age=3600"})


@bp.route("/results.json")
@permission(Role.VIEWER)
def results_json():
    """The analysis JSON for a signed-in user (the API's answer, as a download): same arguments as
    GET /api/v1/analysis (outcome, stratify_by, fdr), same document as `flask analyze --json`."""
    fdr_text = request.args.get("fdr")
    try:
        fdr = float(fdr_text) if fdr_text else None
    except ValueError:
        return _json_error("fdr", f"fdr must be a number such as 0.1, not {fdr_text!r}.")
    outcome = request.args.get("outcome") or "converted"
    if outcome not in OUTCOMES:
        return _json_error("outcome", f"Unknown outcome {outcome!r}; one of {', '.join(OUTCOMES)}.")
    try:
        report = analysis.run(
            get_session(),
            outcome,
            stratify_by=request.args.get("stratify_by") or None,
            fdr=fdr,
            cache=analysis_cache(),
        )
    except ValidationError as error:
        return _json_error(error.field or "query", str(error))
    name = f"analysis-{outcome}" + (f"-by-{report.stratify_by.name}" if report.stratify_by else "")
    return Response(
        json.dumps(report.to_json(), allow_nan=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name.replace(":", "-")}.json"'},
    )


def _json_error(field: str, message: str) -> tuple[Response, int]:
    body = {"code": 400, "status": "Bad Request", "errors": {"query": {field: [message]}}}
    return Response(json.dumps(body), mimetype="application/json"), 400


@bp.route("/forest.svg")
@permission(Role.VIEWER)
def forest():
    report = _report(_choice())
    svg = charts.forest_plot(report)
    return Response(svg, mimetype="image/svg+xml", headers=SVG_HEADERS)


def _value_args() -> tuple[str, str]:
    trait, value = request.args.get("trait", ""), request.args.get("value", "")
    if not trait or not value:
        abort(404)
    return trait, value


@bp.route("/value")
@permission(Role.VIEWER)
def value():
    choice = _choice()
    trait, value = _value_args()
    report = _report(choice)
    found = report.result(trait, value)
    if found is None:
        abort(404)
    detail = analysis_detail.value_detail(get_session(), report, trait, value)
    return render_template(
        "analysis/value.html",
        choice=choice,
        report=report,
        result=found.to_json(),
        detail=detail,
        kinds=OutcomeKind,
    )


@bp.route("/value.svg")
@permission(Role.VIEWER)
def value_chart():
    choice = _choice()
    trait, value = _value_args()
    report = _report(choice)
    detail = analysis_detail.value_detail(get_session(), report, trait, value)
    svg = charts.value_chart(report, detail, narrow=narrow_layout())
    return Response(svg, mimetype="image/svg+xml", headers=SVG_HEADERS)


def _settings_page(form: AnalysisSettingsForm, status: int = 200):
    form.traits.choices = [(t.name, t.label) for t in analysis.trait_catalogue(get_session())]
    return render_template("analysis/settings.html", form=form), status


@bp.route("/settings")
@permission(Role.ADMIN)
def settings():
    current = analysis.load_settings(get_session())
    form = AnalysisSettingsForm(
        formdata=None,
        data={
            "fdr": Decimal(str(current.fdr)),
            "min_lift": round(current.min_lift * 100),
            "min_group": current.min_group,
            "min_probability": round(current.min_probability * 100),
            "min_hazard_ratio": Decimal(str(current.min_hazard_ratio)),
            "traits": list(current.traits),
        },
    )
    return _settings_page(form)


@bp.route("/settings", methods=["POST"])
@permission(Role.ADMIN)
def save_settings():
    form = AnalysisSettingsForm()
    form.traits.choices = [(t.name, t.label) for t in analysis.trait_catalogue(get_session())]
    if form.validate_on_submit():
        saved = attempt(
            form,
            lambda: analysis.save_settings(
                get_session(),
                current_actor(),
                fdr=float(form.fdr.data),
                min_lift=form.min_lift.data / 100,
                min_group=form.min_group.data,
                min_probability=form.min_probability.data / 100,
                min_hazard_ratio=float(form.min_hazard_ratio.data),
                traits=form.traits.data or [],
            ),
        )
        if saved is not None:
            flash("Saved the analysis settings; results are recomputed with them.", "success")
            return redirect(url_for("analysis.index"))
    return _settings_page(form, status_for(form))
