"""Interview pages: the filtered list and its CSV export, an interview with its findings (added, edited and
archived on the same page), the interview form, and the themes page with its chart."""

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
from ecp_tracker.domain.accounts import DmuRole
from ecp_tracker.domain.errors import InvalidFields, StaleEdit
from ecp_tracker.domain.interviews import FindingKind, InterviewKind, Outcome
from ecp_tracker.domain.roles import Role
from ecp_tracker.models.base import utcnow
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.accounts import accounts
from ecp_tracker.services.interviews import export as interview_export
from ecp_tracker.services.interviews import interviews
from ecp_tracker.services.interviews import themes as interview_themes
from ecp_tracker.services.interviews.interviews import InterviewFilters
from ecp_tracker.services.interviews.themes import ThemeFilters
from ecp_tracker.services.shared import audit
from ecp_tracker.services.users import users
from ecp_tracker.web.account_picker import named_account, pick_account
from ecp_tracker.web.charts import narrow_layout
from ecp_tracker.web.downloads import csv_download
from ecp_tracker.web.form_rows import to_rows
from ecp_tracker.web.forms_support import attempt, refused_status, status_for
from ecp_tracker.web.interviews.charts import themes_chart
from ecp_tracker.web.interviews.forms import (
    ActionForm,
    FindingFields,
    FindingForm,
    finding_form,
    interview_form,
)
from ecp_tracker.web.list_args import filters_from_request, page_number
from ecp_tracker.web.page_forms import dispatch, posted_id

bp = Blueprint("interviews", __name__, template_folder="templates")
PER_PAGE = 25
CHART_THEMES = 15


def _labels() -> dict[str, object]:
    return {
        "interview_kinds": list(InterviewKind),
        "finding_kinds": list(FindingKind),
        "interview_kind_labels": {k.value: k.label for k in InterviewKind},
        "finding_kind_labels": {k.value: k.label for k in FindingKind},
        "dmu_roles": {r.value: r.label for r in DmuRole},
        "outcomes": Outcome,
    }


@bp.route("/interviews/")
@permission(Role.VIEWER)
def index():
    session = get_session()
    filters = filters_from_request(InterviewFilters.from_query, InterviewFilters)
    page = interviews.list_interviews(session, filters, page=page_number(), per_page=PER_PAGE)
    account = None
    if filters.account_id is not None:
        account = next((i.account for i in page.items), None) or accounts.get_account(
            session, filters.account_id
        )
    return render_template(
        "interviews/index.html",
        page=page,
        filters=filters,
        query=filters.to_query(),
        account=account,
        themes=interviews.themes_in_use(session),
        **_labels(),
    )


@bp.route("/interviews/export.csv")
@permission(Role.VIEWER)
def export():
    """The filtered interviews as CSV, one row per finding, streamed; formula-like cells are neutralised."""
    filters = filters_from_request(InterviewFilters.from_query, InterviewFilters)
    rows = interview_export.export_rows(get_session(), filters)
    filename = f"interviews-{utcnow().date().isoformat()}.csv"
    return csv_download(rows, filename)


@bp.route("/interviews/themes")
@permission(Role.VIEWER)
def themes():
    filters = filters_from_request(ThemeFilters.from_query, ThemeFilters)
    report = interview_themes.theme_report(get_session(), filters)
    return render_template(
        "interviews/themes.html",
        report=report,
        filters=filters,
        query=filters.to_query(),
        charted=min(len(report.rows), CHART_THEMES),
        **_labels(),
    )


@bp.route("/interviews/themes.svg")
@permission(Role.VIEWER)
def themes_svg():
    filters = filters_from_request(ThemeFilters.from_query, ThemeFilters)
    report = interview_themes.theme_report(get_session(), filters)
    svg = themes_chart(report, limit=CHART_THEMES, narrow=narrow_layout())
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=60"})


# --- one interview ---------------------------------------------------------------------------------------


def _form_for(session, account, interview=None, *, new: bool = False):
    kwargs = {"formdata": request.form} if request.method == "POST" else {}
    if new and request.method == "GET":
        kwargs["data"] = {
            "held_on": utcnow().date().isoformat(),
            "interviewer_id": str(current_actor().user_id or ""),
        }
    people = [u for u in users.list_users(session) if u.active]
    return interview_form(list(account.contacts), people, interview, new=new, **kwargs)


def _create(session, account_id: int, form):
    """The interview and the finding rows filled in, in one transaction."""
    rows: dict[int, FindingFields] = {i: row.form for i, row in enumerate(form.findings.entries)}
    findings = {i: fields.raw() for i, fields in rows.items() if not fields.is_blank()}
    raw = {**form.raw(), "account_id": account_id}
    try:
        return interviews.record_interview(session, current_actor(), raw, findings)
    except InvalidFields as error:
        raise to_rows(form, form.findings, error, row_label="Finding") from None


@bp.route("/interviews/new", methods=["GET", "POST"])
@bp.route("/accounts/<int:account_id>/interviews/new", methods=["GET", "POST"])
@permission(Role.EDITOR)
def new(account_id: int | None = None):
    session = get_session()
    account = named_account(account_id)
    if account is None:
        return pick_account(
            "interviews.new",
            title="Record an interview",
            heading="Record an interview: with which account?",
            hint="Or open the account's page and choose “Record an interview” there.",
        )
    form = _form_for(session, account, new=True)
    if form.validate_on_submit():
        interview = attempt(form, lambda: _create(session, account.id, form))
        if interview is not None:
            flash(f"Recorded the interview with {account.name}. Tag more findings below.", "success")
            return redirect(url_for("interviews.show", interview_id=interview.id))
    return render_template(
        "interviews/form.html",
        form=form,
        account=account,
        interview=None,
        themes=interviews.themes_in_use(session),
    ), status_for(form)


@bp.route("/interviews/<int:interview_id>")
@permission(Role.VIEWER)
def show(interview_id: int):
    return _show(interview_id)


def _show(interview_id: int, status: int = 200, **forms):
    """The interview page; `forms` replaces a default form by the refused one (with its messages)."""
    session = get_session()
    interview = interviews.get_interview(session, interview_id)
    edit_forms = {f.id: finding_form(f, formdata=None) for f in interview.findings}
    edit_forms.update(forms.pop("edit_forms", {}))
    records = {
        "interview": [str(interview.id)],
        "interview_finding": [str(f.id) for f in interview.findings],
    }
    return render_template(
        "interviews/show.html",
        interview=interview,
        account=interview.account,
        current=[f for f in interview.findings if f.archived_at is None],
        archived=[f for f in interview.findings if f.archived_at is not None],
        edit_forms=edit_forms,
        add_form=forms.pop("add_form", None) or finding_form(formdata=None),
        action_form=ActionForm(formdata=None),
        themes=interviews.themes_in_use(session),
        events=audit.timeline(session, records, limit=30),
        **_labels(),
    ), status


@bp.route("/interviews/<int:interview_id>/edit", methods=["GET", "POST"])
@permission(Role.EDITOR)
def edit(interview_id: int):
    session = get_session()
    interview = interviews.get_interview(session, interview_id)
    form = _form_for(session, interview.account, interview)
    conflict = None
    if form.validate_on_submit():
        updated = attempt(
            form,
            lambda: interviews.update_interview(
                session, current_actor(), interview_id, form.raw(), version=form.version.data
            ),
        )
        if updated is not None:
            flash(f"Saved the interview with {updated.account.name}.", "success")
            return redirect(url_for("interviews.show", interview_id=interview_id))
        interview = interviews.get_interview(session, interview_id)
        if isinstance(getattr(form, "domain_error", None), StaleEdit):
            conflict = audit.timeline(session, {"interview": [str(interview_id)]}, limit=1)
            form.version.data = interview.version  # the editor has now seen the other change
    return render_template(
        "interviews/form.html",
        form=form,
        account=interview.account,
        interview=interview,
        conflict=conflict,
        themes=[],
    ), refused_status(form)


def _archive_interview(interview_id: int, *, archived: bool):
    form = ActionForm()
    if form.validate_on_submit():
        done = attempt(
            form,
            lambda: interviews.set_interview_archived(
                get_session(), current_actor(), interview_id, archived=archived, version=form.version.data
            ),
        )
        if done is not None:
            flash(
                "The interview is archived: kept, but no longer listed or counted on the themes page."
                if archived
                else "The interview is restored.",
                "success",
            )
        else:
            flash(" ".join(form.form_errors) or "Nothing was changed.", "error")
    return redirect(url_for("interviews.show", interview_id=interview_id))


@bp.route("/interviews/<int:interview_id>/archive", methods=["POST"])
@permission(Role.EDITOR)
def archive(interview_id: int):
    return _archive_interview(interview_id, archived=True)


@bp.route("/interviews/<int:interview_id>/restore", methods=["POST"])
@permission(Role.EDITOR)
def restore(interview_id: int):
    return _archive_interview(interview_id, archived=False)


# --- findings --------------------------------------------------------------------------------------------


@bp.route("/interviews/<int:interview_id>", methods=["POST"])
@permission(Role.EDITOR)
def act(interview_id: int):
    """The interview page's finding forms post here, so a refused one is shown at the page's own address."""
    return dispatch(
        {
            "add_finding": add_finding,
            "finding": lambda interview_id: edit_finding(interview_id, posted_id("finding_id")),
        },
        interview_id=interview_id,
    )


@bp.route("/interviews/<int:interview_id>/findings", methods=["POST"])
@permission(Role.EDITOR)
def add_finding(interview_id: int):
    form: FindingForm = finding_form()
    if form.validate_on_submit():
        added = attempt(
            form,
            lambda: interviews.add_finding(get_session(), current_actor(), interview_id, form.raw()),
        )
        if added is not None:
            flash(f"Added the finding {added.theme}.", "success")
            return redirect(url_for("interviews.show", interview_id=interview_id, _anchor="findings"))
    return _show(interview_id, status=refused_status(form), add_form=form)


@bp.route("/interviews/<int:interview_id>/findings/<int:finding_id>", methods=["POST"])
@permission(Role.EDITOR)
def edit_finding(interview_id: int, finding_id: int):
    session = get_session()
    finding = interviews.get_finding(session, finding_id, interview_id)
    form = finding_form(finding)
    if form.validate_on_submit():
        saved = attempt(
            form,
            lambda: interviews.update_finding(
                session, current_actor(), finding_id, form.raw(), version=form.version.data
            ),
        )
        if saved is not None:
            flash(f"Saved the finding {saved.theme}.", "success")
            return redirect(
                url_for("interviews.show", interview_id=interview_id, _anchor=f"finding-{finding_id}")
            )
    return _show(interview_id, status=refused_status(form), edit_forms={finding_id: form})


def _archive_finding(interview_id: int, finding_id: int, *, archived: bool):
    session = get_session()
    interviews.get_finding(session, finding_id, interview_id)
    form = ActionForm()
    if form.validate_on_submit():
        done = attempt(
            form,
            lambda: interviews.set_finding_archived(
                session, current_actor(), finding_id, archived=archived, version=form.version.data
            ),
        )
        if done is not None:
            flash(f"{'Archived' if archived else 'Restored'} the finding {done.theme}.", "success")
        else:
            flash(" ".join(form.form_errors) or "Nothing was changed.", "error")
    return redirect(url_for("interviews.show", interview_id=interview_id, _anchor="findings"))


@bp.route("/interviews/<int:interview_id>/findings/<int:finding_id>/archive", methods=["POST"])
@permission(Role.EDITOR)
def archive_finding(interview_id: int, finding_id: int):
    return _archive_finding(interview_id, finding_id, archived=True)


@bp.route("/interviews/<int:interview_id>/findings/<int:finding_id>/restore", methods=["POST"])
@permission(Role.EDITOR)
def restore_finding(interview_id: int, finding_id: int):
    return _archive_finding(interview_id, finding_id, archived=False)
