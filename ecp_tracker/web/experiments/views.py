"""Experiment pages: list, new, show (terms beside their amendments, the sample-size line, start, amend,
custom outcomes from a CSV, results per arm with the verdict, finish) and the arms as CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from wtforms import SelectChoice

from ecp_tracker.analysis.experiments import Arm
from ecp_tracker.db import get_session
from ecp_tracker.domain.errors import InvalidFields
from ecp_tracker.domain.experiments import Metric
from ecp_tracker.domain.roles import Role
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.accounts.saved_views import list_views
from ecp_tracker.services.experiments import experiments
from ecp_tracker.services.reviews import reviews
from ecp_tracker.services.shared.raw_input import today
from ecp_tracker.web.downloads import csv_download
from ecp_tracker.web.experiments.forms import (
    STRATA_LABELS,
    AmendForm,
    ExperimentForm,
    OutcomesForm,
    VersionForm,
)
from ecp_tracker.web.forms_support import attempt, refused_status, show_error
from ecp_tracker.web.page_forms import dispatch

bp = Blueprint("experiments", __name__, url_prefix="/experiments", template_folder="templates")
MAX_OUTCOMES_BYTES = 5 * 1024 * 1024


@bp.route("/")
@permission(Role.VIEWER)
def index():
    session = get_session()
    found = experiments.list_experiments(session)
    return render_template(
        "experiments/index.html",
        experiments=found,
        verdicts={e.id: experiments.results(session, e, today()) for e in found},
        metric_labels={m.value: m.label for m in Metric},
    )


def _experiment_form(**kwargs: Any) -> ExperimentForm:
    session = get_session()
    form = ExperimentForm(**kwargs)
    user_id = current_actor().user_id
    form.target.choices = [
        SelectChoice("", "Choose…"),
        *(SelectChoice(f"tier:{t}", f"ICP tier {t}") for t in experiments.tier_choices(session)),
        *(
            SelectChoice(f"view:{v.id}", f"Saved view {v.name}")
            for v in (list_views(session, user_id) if user_id is not None else [])
        ),
    ]
    form.review_id.choices = [
        SelectChoice("", "None yet"),
        *(SelectChoice(str(r.id), f"Review of {r.period}") for r in reviews.list_reviews(session)),
    ]
    return form


@bp.route("/new", methods=["GET", "POST"])
@permission(Role.EDITOR)
def new():
    form = _experiment_form()
    if form.validate_on_submit():
        experiment = attempt(
            form, lambda: experiments.create_experiment(get_session(), current_actor(), form.raw(), today())
        )
        if experiment is not None:
            flash(f"Saved the draft {experiment.name}; nothing is drawn until it starts.", "success")
            return redirect(url_for("experiments.show", experiment_id=experiment.id))
    return render_template("experiments/new.html", form=form), refused_status(form)


def _show(experiment_id: int, status: int = 200, **forms: Any):
    session = get_session()
    experiment = experiments.get_experiment(session, experiment_id)
    version = {"version": experiment.version}
    terms = experiments.effective_terms(experiment)
    result = experiments.results(session, experiment, today())
    return render_template(
        "experiments/show.html",
        experiment=experiment,
        terms=terms,
        metric_label=Metric(terms.metric).label,
        line=experiments.planning_line(session, experiment),
        targets=experiments.target_count(session, experiment) if experiment.status == "draft" else None,
        result=result,
        arm_labels={a.value: a.label for a in Arm},
        metric_labels={m.value: m.label for m in Metric},
        strata_labels=STRATA_LABELS,
        term_labels={"hypothesis": "Hypothesis", "metric": "Metric", "min_lift": "Minimum lift"},
        start_form=forms.get("start_form") or VersionForm(formdata=None, data=version),
        finish_form=forms.get("finish_form") or VersionForm(formdata=None, data=version),
        amend_form=forms.get("amend_form") or AmendForm(formdata=None),
        outcomes_form=forms.get("outcomes_form") or OutcomesForm(formdata=None),
        review=reviews.get_review(session, experiment.review_id) if experiment.review_id else None,
    ), status


@bp.route("/<int:experiment_id>")
@permission(Role.VIEWER)
def show(experiment_id: int):
    return _show(experiment_id)


@bp.route("/<int:experiment_id>", methods=["POST"])
@permission(Role.EDITOR)
def act(experiment_id: int):
    """The experiment page's forms post to its own address, so a refused one is shown where it was filled."""
    return dispatch(
        {"start": _start, "finish": _finish, "amend": _amend, "outcomes": _outcomes},
        experiment_id=experiment_id,
    )


def _start(experiment_id: int):
    form = VersionForm()
    if form.validate_on_submit():
        started = attempt(
            form,
            lambda: experiments.start_experiment(
                get_session(), current_actor(), experiment_id, version=form.version.data, today=today()
            ),
        )
        if started is not None:
            flash(f"Started: {len(started.arms)} accounts drawn with seed {started.seed}.", "success")
            return redirect(url_for("experiments.show", experiment_id=experiment_id))
    return _show(experiment_id, status=refused_status(form), start_form=form)


def _finish(experiment_id: int):
    form = VersionForm()
    if form.validate_on_submit():
        done = attempt(
            form,
            lambda: experiments.finish_experiment(
                get_session(), current_actor(), experiment_id, version=form.version.data
            ),
        )
        if done is not None:
            flash("Finished: the results are the verdict.", "success")
            return redirect(url_for("experiments.show", experiment_id=experiment_id))
    return _show(experiment_id, status=refused_status(form), finish_form=form)


def _amend(experiment_id: int):
    form = AmendForm()
    if form.validate_on_submit():
        changes = {
            "hypothesis": form.hypothesis.data,
            "metric": form.metric.data,
            "min_lift": form.min_lift.data,
        }
        amendment = attempt(
            form,
            lambda: experiments.amend_experiment(
                get_session(), current_actor(), experiment_id, reason=form.reason.data, changes=changes
            ),
        )
        if amendment is not None:
            flash("Amended; the registered terms stay beside the amendment.", "success")
            return redirect(url_for("experiments.show", experiment_id=experiment_id, _anchor="terms"))
    return _show(experiment_id, status=refused_status(form), amend_form=form)


def _read_outcomes(form: OutcomesForm) -> dict[int, str] | None:
    upload = form.outcomes.data
    data = upload.read(MAX_OUTCOMES_BYTES + 1) if upload else b""
    problems: list[tuple[str, str]] = []
    if not data:
        problems.append(("outcomes", "Choose a CSV file with the columns account_id and outcome."))
    elif len(data) > MAX_OUTCOMES_BYTES:
        problems.append(("outcomes", "The file is larger than 5 MB."))
    found: dict[int, str] = {}
    if not problems:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = None
            problems.append(("outcomes", "The file is not UTF-8 text."))
        if text is not None:
            reader = csv.DictReader(io.StringIO(text))
            if not {"account_id", "outcome"} <= set(reader.fieldnames or []):
                problems.append(("outcomes", "The file needs the columns account_id and outcome."))
            else:
                for line, row in enumerate(reader, start=2):
                    raw_id, outcome = (
                        (row.get("account_id") or "").strip(),
                        (row.get("outcome") or "").strip(),
                    )
                    if not outcome:
                        continue  # not recorded yet
                    if not raw_id.isdigit():
                        problems.append(("outcomes", f"Line {line}: account_id is a number, not {raw_id!r}."))
                        continue
                    found[int(raw_id)] = outcome
    if problems:
        show_error(form, InvalidFields(problems))
        return None
    return found


def _outcomes(experiment_id: int):
    form = OutcomesForm()
    if form.validate_on_submit():
        found = _read_outcomes(form)
        if found is not None:
            changed = attempt(
                form,
                lambda: experiments.record_outcomes(get_session(), current_actor(), experiment_id, found),
            )
            if changed is not None:
                flash(f"Recorded {changed} changed outcomes.", "success")
                return redirect(url_for("experiments.show", experiment_id=experiment_id, _anchor="results"))
    status = refused_status(form)
    return _show(experiment_id, status=422 if status == 200 else status, outcomes_form=form)


@bp.route("/<int:experiment_id>/arms.csv")
@permission(Role.VIEWER)
def arms_csv(experiment_id: int):
    session = get_session()
    experiment = experiments.get_experiment(session, experiment_id)
    return csv_download(experiments.arm_csv(session, experiment), f"experiment-{experiment.id}-arms.csv")
