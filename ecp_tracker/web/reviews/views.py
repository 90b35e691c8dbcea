"""Review pages: the list with the next review due and the feedback loop over time, and one review's meeting
page (the month's numbers, the feedback loop, what changed, the candidates with their decision forms, the
notes, finalising, the Markdown record)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from wtforms import SelectChoice

from ecp_tracker.db import get_session
from ecp_tracker.domain.errors import StaleEdit
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import IcpVersion
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.analysis.outcomes import OUTCOMES
from ecp_tracker.services.experiments import experiments
from ecp_tracker.services.icp import versions
from ecp_tracker.services.reviews import markdown, reviews
from ecp_tracker.services.reviews.snapshot import DEFAULT_OUTCOMES, PRIMARY_OUTCOME
from ecp_tracker.services.shared import audit
from ecp_tracker.web.charts import narrow_layout
from ecp_tracker.web.forms_support import attempt, refused_status
from ecp_tracker.web.page_forms import dispatch
from ecp_tracker.web.pilots import display
from ecp_tracker.web.reviews.charts import feedback_chart
from ecp_tracker.web.reviews.forms import DecisionForm, FinaliseForm, NotesForm, OpenReviewForm, TargetForm

bp = Blueprint("reviews", __name__, url_prefix="/reviews", template_folder="templates")
SVG_HEADERS = {"Cache-Control": "private, max-age=60"}


def _open_form(**kwargs) -> OpenReviewForm:
    form = OpenReviewForm(**kwargs)
    form.outcomes.choices = [SelectChoice(name, o.label) for name, o in OUTCOMES.items()]
    if not form.is_submitted():
        form.outcomes.data = list(DEFAULT_OUTCOMES)
    return form


def _index(open_form: OpenReviewForm | None = None, target_form: TargetForm | None = None, status: int = 200):
    session = get_session()
    period, due = reviews.next_review_date(session, display.today())
    found = reviews.list_reviews(session)
    if open_form is None:
        open_form = _open_form(formdata=None, data={"period": period})
    return render_template(
        "reviews/index.html",
        reviews=found,
        period=period,
        due=due,
        due_review=next((r for r in found if r.period == period), None),
        icp_numbers={v.id: v.number for v in versions.list_versions(session)},
        open_form=open_form,
        target_form=target_form or TargetForm(formdata=None, data={"target": _target_text(session)}),
        target=reviews.top_tier_target(session),
    ), status


def _target_text(session) -> str:
    return f"{reviews.top_tier_target(session):.0%}"


@bp.route("/")
@permission(Role.VIEWER)
def index():
    return _index()


@bp.route("/", methods=["POST"])
@permission(Role.EDITOR)
def open_review():
    form = _open_form()
    if form.validate_on_submit():
        review = attempt(
            form,
            lambda: reviews.open_review(
                get_session(),
                current_actor(),
                form.period.data,
                form.outcomes.data,
                supersedes=form.supersedes.data,
                today=display.today(),
            ),
        )
        if review is not None:
            flash(f"Opened the review of {review.period}; its snapshot is frozen.", "success")
            return redirect(url_for("reviews.show", review_id=review.id))
    return _index(open_form=form, status=refused_status(form))


@bp.route("/target", methods=["POST"])
@permission(Role.ADMIN)
def set_target():
    form = TargetForm()
    if form.validate_on_submit():
        value = attempt(
            form, lambda: reviews.set_top_tier_target(get_session(), current_actor(), form.target.data)
        )
        if value is not None:
            flash(f"The top-tier target is now {value:.0%}; reviews opened from now on use it.", "success")
            return redirect(url_for("reviews.index"))
    return _index(target_form=form, status=refused_status(form))


@bp.route("/feedback.svg")
@permission(Role.VIEWER)
def feedback_svg():
    session = get_session()
    found = reviews.list_reviews(session)
    rows = reviews.history(session, found[0]) if found else []
    return Response(
        feedback_chart(rows, narrow=narrow_layout()), mimetype="image/svg+xml", headers=SVG_HEADERS
    )


@bp.route("/<int:review_id>")
@permission(Role.VIEWER)
def show(review_id: int):
    return _show(review_id)


def _decision_form(candidate) -> DecisionForm:
    d = candidate.decision
    data = {"trait": candidate.trait, "value": candidate.value}
    if d is not None:
        data |= {
            "decision": d.decision,
            "points": d.points,
            "revisit_on": d.revisit_on,
            "rationale": d.rationale,
            "deciders": d.deciders,
        }
    return DecisionForm(formdata=None, data=data)


def _suffix_ids(form, suffix: int | str) -> None:
    """Several forms on one page: each field's id (and its label's `for`) gets the form's suffix, so that
    every label names its own field; the names the server reads stay."""
    for f in form:
        f.id = f"{f.name}-{suffix}"
        f.label.field_id = f.id


def _page_forms(review, found, refused: DecisionForm | None, given: dict) -> dict:
    """The meeting page's forms: one decision per candidate (the refused one as typed), notes, finalise and
    a correction."""
    decision_forms = {(c.trait, c.value): _decision_form(c) for c in found}
    if refused is not None:
        decision_forms[(refused.trait.data, refused.value.data)] = refused
    version = review.version
    notes = given.get("notes_form") or NotesForm(
        formdata=None, data={"attendees": review.attendees, "notes": review.notes, "version": version}
    )
    finalise = given.get("finalise_form") or FinaliseForm(formdata=None, data={"version": version})
    correction = _open_form(formdata=None, data={"period": review.period, "supersedes": review.id})
    others = (("notes", notes), ("finalise", finalise), ("correction", correction))
    for suffix, form in (*enumerate(decision_forms.values(), start=1), *others):
        _suffix_ids(form, suffix)
    return {
        "decision_forms": decision_forms,
        "notes_form": notes,
        "finalise_form": finalise,
        "correction_form": correction,
    }


def _criteria_in_force(session, review) -> dict[tuple[str, str], Any]:
    """The criteria of the snapshot's ICP version by (trait, value): a candidate held already says so."""
    named = review.snapshot.get("icp_version")
    version = session.get(IcpVersion, named["id"]) if named else None
    return {(c.trait, c.value): c for c in version.criteria} if version is not None else {}


def _show(review_id: int, status: int = 200, refused: DecisionForm | None = None, **forms):
    session = get_session()
    review = reviews.get_review(session, review_id)
    found = reviews.candidates(session, review)
    page_forms = _page_forms(review, found, refused, forms)
    return render_template(
        "reviews/show.html",
        review=review,
        snap=review.snapshot,
        intact=reviews.snapshot_intact(review),
        candidates=found,
        changes=reviews.changes(session, review),
        history=reviews.history(session, review),
        other_decisions=[
            d for d in review.decisions if (d.trait, d.value) not in page_forms["decision_forms"]
        ],
        **page_forms,
        conflict=forms.get("conflict"),
        draft=session.get(IcpVersion, review.draft_icp_version_id) if review.draft_icp_version_id else None,
        in_force=_criteria_in_force(session, review),
        trait_labels=reviews.trait_labels_of(review),
        superseded_by=reviews.superseded_by(session, review),
        latest_of_period=reviews.latest_of_period(session, review.period),
        number_labels=markdown.NUMBER_LABELS,
        share_labels=markdown.SHARE_LABELS,
        primary=OUTCOMES[PRIMARY_OUTCOME].label,
        counts=reviews.decision_count(review),
        experiments=experiments.discussed_in(session, review.id, display.today()),
    ), status


@bp.route("/<int:review_id>", methods=["POST"])
@permission(Role.EDITOR)
def act(review_id: int):
    """The review page's forms post to its own address, so a refused one is shown where it was filled in."""
    return dispatch({"decision": _decide, "notes": _notes, "finalise": _finalise}, review_id=review_id)


def _decide(review_id: int):
    form = DecisionForm()
    if form.validate_on_submit():
        row = attempt(form, lambda: reviews.decide(get_session(), current_actor(), review_id, form.raw()))
        if row is not None:
            flash(f"Recorded: {row.trait} = {row.value}, {row.decision}.", "success")
            return redirect(url_for("reviews.show", review_id=review_id, _anchor="candidates"))
    return _show(review_id, status=refused_status(form), refused=form)


def _notes(review_id: int):
    session = get_session()
    form = NotesForm()
    if form.validate_on_submit():
        saved = attempt(
            form,
            lambda: reviews.update_notes(
                session,
                current_actor(),
                review_id,
                attendees=form.attendees.data or "",
                notes=form.notes.data or "",
                expected_version=form.version.data,
            ),
        )
        if saved is not None:
            flash("Saved the meeting's notes.", "success")
            return redirect(url_for("reviews.show", review_id=review_id, _anchor="notes"))
    conflict = None
    if isinstance(getattr(form, "domain_error", None), StaleEdit):
        conflict = audit.timeline(session, {"review": [str(review_id)]}, limit=1)
        form.version.data = reviews.get_review(session, review_id).version
    return _show(review_id, status=refused_status(form), notes_form=form, conflict=conflict)


def _finalise(review_id: int):
    form = FinaliseForm()
    if form.validate_on_submit():
        done = attempt(
            form,
            lambda: reviews.finalise(
                get_session(), current_actor(), review_id, expected_version=form.version.data
            ),
        )
        if done is not None:
            flash(_finalised_message(done), "success")
            return redirect(url_for("reviews.show", review_id=review_id))
    return _show(review_id, status=refused_status(form), finalise_form=form)


def _finalised_message(review) -> str:
    if review.draft_icp_version_id is None:
        return f"Finalised the review of {review.period}; no graduation or exclusion, so no new ICP draft."
    number = get_session().get(IcpVersion, review.draft_icp_version_id).number
    return f"Finalised the review of {review.period}; its decisions are ICP draft version {number}."


@bp.route("/<int:review_id>/feedback.svg")
@permission(Role.VIEWER)
def review_feedback_svg(review_id: int):
    session = get_session()
    rows = reviews.history(session, reviews.get_review(session, review_id))
    return Response(
        feedback_chart(rows, narrow=narrow_layout()), mimetype="image/svg+xml", headers=SVG_HEADERS
    )


@bp.route("/<int:review_id>/review.md")
@permission(Role.VIEWER)
def markdown_download(review_id: int):
    session = get_session()
    review = reviews.get_review(session, review_id)
    name = f"ecp-to-icp-review-{review.period}" + (f"-r{review.revision}" if review.revision > 1 else "")
    return Response(
        markdown.to_markdown(session, review),
        mimetype="text/markdown",
        headers={"Content-Disposition": f'attachment; filename="{name}.md"'},
    )
