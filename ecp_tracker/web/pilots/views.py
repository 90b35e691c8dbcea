"""Pilot pages: the board (table, board by status, timeline), a pilot's page with its scorecard,
criteria, amendments, results and mutual action plan, the pilot form, status changes, the outcome, and
the CSV export."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from ecp_tracker.db import get_session
from ecp_tracker.domain.accounts import Stage
from ecp_tracker.domain.errors import InvalidFields, NotFound, StaleEdit
from ecp_tracker.domain.numbers import is_id
from ecp_tracker.domain.pilots import TRANSITIONS, PilotOutcome, PilotStatus
from ecp_tracker.domain.roles import Role
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.accounts import archetypes
from ecp_tracker.services.pilots import board as pilot_board
from ecp_tracker.services.pilots import export as pilot_export
from ecp_tracker.services.pilots import pages as pilot_pages
from ecp_tracker.services.pilots import pilots
from ecp_tracker.services.pilots.board import PilotFilters
from ecp_tracker.services.shared import audit
from ecp_tracker.services.users import users
from ecp_tracker.web.account_picker import named_account, pick_account
from ecp_tracker.web.charts import narrow_layout
from ecp_tracker.web.downloads import csv_download
from ecp_tracker.web.form_rows import to_rows
from ecp_tracker.web.forms_support import attempt, refused_status, status_for
from ecp_tracker.web.list_args import filters_from_request, page_number
from ecp_tracker.web.page_forms import dispatch, posted_id
from ecp_tracker.web.pilots import display
from ecp_tracker.web.pilots.charts import STATUS_COLOURS, timeline_chart
from ecp_tracker.web.pilots.forms import (
    ActionForm,
    CriterionFields,
    MilestoneForm,
    OutcomeForm,
    ResultForm,
    TransitionForm,
    amendment_form,
    criterion_form,
    pilot_form,
    result_form,
)

bp = Blueprint("pilots", __name__, template_folder="templates")
PER_PAGE = 25
VIEWS = ("table", "board", "timeline")


def current_filters() -> PilotFilters:
    return filters_from_request(PilotFilters.from_query, PilotFilters)


@bp.route("/pilots/")
@permission(Role.VIEWER)
def index():
    session = get_session()
    filters = current_filters()
    view = request.args.get("view", "table")
    view = view if view in VIEWS else "table"
    page = columns = timeline = None
    if view == "table":
        page = pilot_board.list_pilots(session, filters, page=page_number(), per_page=PER_PAGE)
    elif view == "board":
        columns = pilot_board.board(session, filters)
    else:
        timeline = pilot_board.timeline(session, filters)
    return render_template(
        "pilots/index.html",
        view=view,
        page=page,
        columns=columns,
        timeline=timeline,
        filters=filters,
        query=filters.to_query(),
        statuses=list(PilotStatus),
        archetype_names=[a.name for a in archetypes.list_archetypes(session)],
        owners=[u for u in users.list_users(session) if u.active],
        colours=STATUS_COLOURS,
        today=display.today(),
    )


@bp.route("/pilots/timeline.svg")
@permission(Role.VIEWER)
def timeline_svg():
    pilots_shown = pilot_board.timeline(get_session(), current_filters())
    svg = timeline_chart(pilots_shown, display.today(), narrow=narrow_layout())
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=60"})


@bp.route("/pilots/export.csv")
@permission(Role.VIEWER)
def export():
    """The filtered pilots as CSV, streamed; formula-like cells are neutralised."""
    rows = pilot_export.export_rows(get_session(), current_filters())
    filename = f"pilots-{display.today().isoformat()}.csv"
    return csv_download(rows, filename)


def _owners(session):
    return [u for u in users.list_users(session) if u.active]


def _create(session, account_id: int, form):
    """Create the pilot and the criteria rows filled in, in one transaction."""
    rows: dict[int, CriterionFields] = {i: row.form for i, row in enumerate(form.criteria.entries)}
    criteria = {i: fields.raw() for i, fields in rows.items() if not fields.is_blank()}
    try:
        return pilots.plan_pilot(session, current_actor(), account_id, form.raw(), criteria)
    except InvalidFields as error:
        raise to_rows(form, form.criteria, error, row_label="Criterion") from None


@bp.route("/pilots/new", methods=["GET", "POST"])
@bp.route("/accounts/<int:account_id>/pilots/new", methods=["GET", "POST"])
@permission(Role.EDITOR)
def new(account_id: int | None = None):
    session = get_session()
    account = named_account(account_id)
    if account is None:
        return pick_account(
            "pilots.new",
            title="New pilot",
            hint="Or open the account's page and choose “New pilot” or “Grant a discount” there.",
        )
    form = pilot_form(_owners(session), new=True)
    if form.validate_on_submit():
        pilot = attempt(form, lambda: _create(session, account.id, form))
        if pilot is not None:
            flash(f"The pilot {pilot.name} is planned. Agree the criteria, then start it.", "success")
            return redirect(url_for("pilots.show", pilot_id=pilot.id))
    return render_template("pilots/form.html", form=form, account=account, pilot=None), status_for(form)


@bp.route("/pilots/<int:pilot_id>")
@permission(Role.VIEWER)
def show(pilot_id: int):
    return _show(pilot_id)


def _show(pilot_id: int, status: int = 200, **forms):
    """The pilot page; `forms` replaces a default form by the refused one (with its messages)."""
    session = get_session()
    pilot = pilots.get_pilot(session, pilot_id)
    terms = {c.id: pilots.effective_terms(c) for c in pilot.criteria}
    amend = {c.id: amendment_form(c, terms[c.id], formdata=None) for c in pilot.criteria}
    results = {c.id: result_form(c, formdata=None) for c in pilot.criteria}
    amend.update(forms.pop("amend", {}))
    results.update(forms.pop("results", {}))
    name = pilot.account.name
    transition_form = forms.pop("transition_form", None) or TransitionForm(
        formdata=None, data={"on": display.today()}
    )
    transition_form.confirm.label.text = f"Yes: {name} moves from prospect to the pilot stage"
    if pilot.status == PilotStatus.PLANNED.value:
        transition_form.on.label.text = "Started on"
        transition_form.planned_end_date.label.text = "Planned end"
        transition_form.on.description = (
            f"Planned start: {pilot.start_date}" if pilot.start_date else "The day it starts"
        )
    outcome_form = forms.pop("outcome_form", None) or OutcomeForm(formdata=None)
    outcome_form.confirm.label.text = f"Yes: {name} signed; make it a customer"
    outcome_form.mark_account_lost.label.text = f"Also mark {name} as lost"
    records = {
        "pilot": [str(pilot.id)],
        "success_criterion": [str(c.id) for c in pilot.criteria],
        "criterion_amendment": [str(a.id) for c in pilot.criteria for a in c.amendments],
        "milestone": [str(m.id) for m in pilot.milestones],
    }
    return render_template(
        "pilots/show.html",
        pilot=pilot,
        account=pilot.account,
        status=PilotStatus(pilot.status),
        next_statuses=sorted(TRANSITIONS[PilotStatus(pilot.status)], key=list(PilotStatus).index),
        terms=terms,
        scorecard=pilots.scorecard(pilot),
        late=pilots.late_milestones(pilot, display.today()),
        discounts=pilot_pages.discounts_of_pilot(session, pilot.id),
        events=audit.timeline(session, records, limit=30),
        amend_forms=amend,
        result_forms=results,
        transition_form=transition_form,
        outcome_form=outcome_form,
        criterion_form=forms.pop("criterion_form", None) or criterion_form(formdata=None),
        milestone_form=forms.pop("milestone_form", None) or MilestoneForm(formdata=None),
        action_form=ActionForm(),
        stage_prospect=pilot.account.stage == Stage.PROSPECT.value,
        outcomes=PilotOutcome,
        today=display.today(),
        days_late=display.days_late,
    ), status


@bp.route("/pilots/<int:pilot_id>", methods=["POST"])
@permission(Role.EDITOR)
def act(pilot_id: int):
    """The pilot page's forms post here, so a refused one is shown at the page's own address."""
    return dispatch(
        {
            "status": change_status,
            "outcome": record_outcome,
            "criterion": add_criterion,
            "amend": lambda pilot_id: amend_criterion(pilot_id, posted_id("criterion_id")),
            "result": lambda pilot_id: record_result(pilot_id, posted_id("criterion_id")),
            "milestone": add_milestone,
        },
        pilot_id=pilot_id,
    )


@bp.route("/pilots/<int:pilot_id>/edit", methods=["GET", "POST"])
@permission(Role.EDITOR)
def edit(pilot_id: int):
    session = get_session()
    pilot = pilots.get_pilot(session, pilot_id)
    form = pilot_form(
        _owners(session), pilot, **({"formdata": request.form} if request.method == "POST" else {})
    )
    conflict = None
    if form.validate_on_submit():
        updated = attempt(
            form,
            lambda: pilots.update_pilot(
                session, current_actor(), pilot_id, form.raw(), version=form.version.data
            ),
        )
        if updated is not None:
            flash(f"Saved {updated.name}.", "success")
            return redirect(url_for("pilots.show", pilot_id=pilot_id))
        pilot = pilots.get_pilot(session, pilot_id)
        if isinstance(getattr(form, "domain_error", None), StaleEdit):
            conflict = audit.timeline(session, {"pilot": [str(pilot_id)]}, limit=1)
            form.version.data = pilot.version  # the editor has now seen the other change
    return render_template(
        "pilots/form.html", form=form, account=pilot.account, pilot=pilot, conflict=conflict
    ), refused_status(form)


def _transition(session, pilot_id: int, form: TransitionForm):
    return pilots.transition(
        session,
        current_actor(),
        pilot_id,
        form.to.data,
        on=form.on.data,
        planned_end_date=form.planned_end_date.data,
    )


@bp.route("/pilots/<int:pilot_id>/status", methods=["POST"])
@permission(Role.EDITOR)
def change_status(pilot_id: int):
    session = get_session()
    pilot = pilots.get_pilot(session, pilot_id)
    form = TransitionForm()
    if form.validate_on_submit():
        starting = form.to.data == PilotStatus.ACTIVE.value
        if starting and pilot.account.stage == Stage.PROSPECT.value and not form.confirm.data:
            form.confirm.errors = [f"Tick the box: starting moves {pilot.account.name} to the pilot stage."]
        else:
            done = attempt(form, lambda: _transition(session, pilot_id, form))
            if done is not None:
                flash(f"{done.name} is now {done.status}.", "success")
                return redirect(url_for("pilots.show", pilot_id=pilot_id, _anchor="status"))
    return _show(pilot_id, status=refused_status(form), transition_form=form)


@bp.route("/pilots/<int:pilot_id>/outcome", methods=["POST"])
@permission(Role.EDITOR)
def record_outcome(pilot_id: int):
    session = get_session()
    pilot = pilots.get_pilot(session, pilot_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        converted = form.outcome.data == PilotOutcome.CONVERTED.value
        if converted and not form.confirm.data:
            form.confirm.errors = [f"Tick the box to confirm that {pilot.account.name} becomes a customer."]
        else:
            done = attempt(
                form,
                lambda: pilots.record_outcome(
                    session,
                    current_actor(),
                    pilot_id,
                    form.outcome.data,
                    contract_value=form.contract_value.data if converted else None,
                    converted_on=form.converted_on.data if converted else None,
                    mark_account_lost=bool(form.mark_account_lost.data) and not converted,
                ),
            )
            if done is not None:
                account = done.account
                outcome = PilotOutcome(done.outcome).label.lower()
                flash(
                    f"Recorded: {outcome}. {account.name} is {account.stage}.",
                    "success",
                )
                return redirect(url_for("pilots.show", pilot_id=pilot_id, _anchor="outcome"))
    return _show(pilot_id, status=refused_status(form), outcome_form=form)


# --- criteria --------------------------------------------------------------------------------------------


@bp.route("/pilots/<int:pilot_id>/criteria", methods=["POST"])
@permission(Role.EDITOR)
def add_criterion(pilot_id: int):
    form = criterion_form()
    if form.validate_on_submit():
        added = attempt(
            form, lambda: pilots.add_criterion(get_session(), current_actor(), pilot_id, form.raw())
        )
        if added is not None:
            flash(f"Added the criterion {added.metric}.", "success")
            return redirect(url_for("pilots.show", pilot_id=pilot_id, _anchor="criteria"))
    return _show(pilot_id, status=refused_status(form), criterion_form=form)


@bp.route("/pilots/<int:pilot_id>/criteria/<int:criterion_id>/edit", methods=["GET", "POST"])
@permission(Role.EDITOR)
def edit_criterion(pilot_id: int, criterion_id: int):
    session = get_session()
    pilot = pilots.get_pilot(session, pilot_id)
    criterion = pilots.get_criterion(session, criterion_id, pilot_id)
    form = criterion_form(criterion, **({"formdata": request.form} if request.method == "POST" else {}))
    if request.method == "GET" and criterion.frozen_at is not None:
        form.form_errors.append(
            "This criterion was frozen when the pilot started; record an amendment with a reason"
            " on the pilot page."
        )
        return render_template("pilots/criterion_form.html", form=form, pilot=pilot, criterion=criterion), 409
    if form.validate_on_submit():
        updated = attempt(
            form,
            lambda: pilots.update_criterion(
                session, current_actor(), criterion_id, form.raw(), version=form.version.data
            ),
        )
        if updated is not None:
            flash(f"Saved the criterion {updated.metric}.", "success")
            return redirect(url_for("pilots.show", pilot_id=pilot_id, _anchor="criteria"))
        pilot = pilots.get_pilot(session, pilot_id)
        criterion = pilots.get_criterion(session, criterion_id, pilot_id)
    return render_template(
        "pilots/criterion_form.html", form=form, pilot=pilot, criterion=criterion
    ), refused_status(form)


@bp.route("/pilots/<int:pilot_id>/criteria/<int:criterion_id>/amend", methods=["POST"])
@permission(Role.EDITOR)
def amend_criterion(pilot_id: int, criterion_id: int):
    session = get_session()
    criterion = pilots.get_criterion(session, criterion_id, pilot_id)
    form = amendment_form(criterion, pilots.effective_terms(criterion))
    if form.validate_on_submit():
        done = attempt(
            form,
            lambda: pilots.amend_criterion(
                session, current_actor(), criterion_id, reason=form.reason.data, changes=form.changes()
            ),
        )
        if done is not None:
            flash("The amendment is recorded beside the registered criterion.", "success")
            return redirect(url_for("pilots.show", pilot_id=pilot_id, _anchor=f"criterion-{criterion_id}"))
    return _show(pilot_id, status=refused_status(form), amend={criterion_id: form})


@bp.route("/pilots/<int:pilot_id>/criteria/<int:criterion_id>/result", methods=["POST"])
@permission(Role.EDITOR)
def record_result(pilot_id: int, criterion_id: int):
    session = get_session()
    criterion = pilots.get_criterion(session, criterion_id, pilot_id)
    form: ResultForm = result_form(criterion)
    amendments = len(criterion.amendments)
    if form.validate_on_submit():
        done = attempt(
            form,
            lambda: pilots.record_result(
                session,
                current_actor(),
                criterion_id,
                form.actual.data,
                version=form.version.data,
                reason=form.reason.data,
            ),
        )
        if done is not None:
            verdict = "no result" if done.met is None else ("met" if done.met else "not met")
            amended = len(done.amendments) > amendments
            kept = " The change and its reason are kept beside it." if amended else ""
            flash(f"Recorded the result of {done.metric}: {verdict}.{kept}", "success")
            return redirect(url_for("pilots.show", pilot_id=pilot_id, _anchor="criteria"))
    return _show(pilot_id, status=refused_status(form), results={criterion_id: form})


# --- mutual action plan ----------------------------------------------------------------------------------


@bp.route("/pilots/<int:pilot_id>/milestones", methods=["POST"])
@permission(Role.EDITOR)
def add_milestone(pilot_id: int):
    form = MilestoneForm()
    if form.validate_on_submit():
        data = {name: form[name].data for name in ("title", "due_on", "side", "owner_name")}
        added = attempt(form, lambda: pilots.add_milestone(get_session(), current_actor(), pilot_id, data))
        if added is not None:
            flash(f"Added the milestone {added.title}.", "success")
            return redirect(url_for("pilots.show", pilot_id=pilot_id, _anchor="plan"))
    return _show(pilot_id, status=refused_status(form), milestone_form=form)


@bp.route("/pilots/<int:pilot_id>/milestones/<int:milestone_id>/done", methods=["POST"])
@permission(Role.EDITOR)
def milestone_done(pilot_id: int, milestone_id: int):
    session = get_session()
    pilot = pilots.get_pilot(session, pilot_id)
    if milestone_id not in {m.id for m in pilot.milestones}:
        raise NotFound(f"There is no milestone with id {milestone_id} on this pilot.")
    form = ActionForm()
    done = request.form.get("done") != "0"
    seen = request.form.get("version", "")
    if form.validate_on_submit():
        milestone = attempt(
            form,
            lambda: pilots.set_milestone_done(
                session,
                current_actor(),
                milestone_id,
                done=done,
                version=int(seen) if is_id(seen) else None,
            ),
        )
        if milestone is not None:
            flash(f"{milestone.title}: {'done' if done else 'reopened'}.", "success")
        else:
            flash(" ".join(form.form_errors) or "Nothing was changed.", "error")
    return redirect(url_for("pilots.show", pilot_id=pilot_id, _anchor="plan"))
