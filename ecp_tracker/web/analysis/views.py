"""Analysis pages: the results table with a forest plot, a page per trait value, and the admin settings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from ecp_tracker.db import get_session
from ecp_tracker.domain.roles import Role
from ecp_tracker.extensions import analysis_cache
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.analysis import analysis
from ecp_tracker.services.analysis import detail as analysis_detail
from ecp_tracker.services.analysis.outcomes import OUTCOMES, OutcomeKind
from ecp_tracker.web.analysis import charts
from ecp_tracker.web.analysis.forms import NO_ADJUSTMENT, AnalysisChoiceForm, AnalysisSettingsForm
from ecp_tracker.web.forms_support import attempt, status_for

bp = Blueprint("analysis", __name__, url_prefix="/analysis", template_folder="templates")
SVG_HEADERS = {"Cache-Control": "private, max-age=60"}


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
    )


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
    return Response(charts.value_chart(report, detail), mimetype="image/svg+xml", headers=SVG_HEADERS)


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
