"""ICP pages: the versions, one version (criteria with evidence, tiers with today's counts), editing a draft,
the difference between two versions, the re-tier preview with activation, and adding analysis results."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from ecp_tracker import jobs
from ecp_tracker.db import get_session
from ecp_tracker.domain.errors import DomainError, InvalidFields
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import IcpVersion
from ecp_tracker.permissions import current_actor, permission, safe_next
from ecp_tracker.services.accounts.importing import jobs as import_jobs
from ecp_tracker.services.accounts.importing.presets import PRESET_NAMES
from ecp_tracker.services.icp import one_page as one_page_service
from ecp_tracker.services.icp import preview, quality, scoring, versions
from ecp_tracker.web.forms_support import attempt, refused_status, status_for
from ecp_tracker.web.icp.forms import (
    ActionForm,
    AddToDraftForm,
    DraftForm,
    NewDraftForm,
    ProspectFileForm,
    criteria_text,
    tiers_text,
)

bp = Blueprint("icp", __name__, url_prefix="/icp", template_folder="templates")


def _version(number: int):
    try:
        return versions.version_by_number(get_session(), number)
    except DomainError:
        abort(404)


@bp.route("/")
@permission(Role.VIEWER)
def index():
    session = get_session()
    active = scoring.active_version(session)
    counts = scoring.tier_counts(session, active) if active else {}
    return render_template(
        "icp/index.html",
        versions=versions.list_versions(session),
        active=active,
        counts=counts,
        form=NewDraftForm(formdata=None),
    )


@bp.route("/", methods=["POST"])
@permission(Role.EDITOR)
def create():
    form = NewDraftForm()
    if form.validate_on_submit():
        made = attempt(
            form, lambda: versions.new_draft_from_active(get_session(), current_actor(), form.name.data)
        )
        if made is not None:
            flash(f"Started draft version {made.number}.", "success")
            return redirect(url_for("icp.edit", number=made.number))
    flash(" ".join(m for ms in form.errors.values() for m in ms) or "The draft was not started.", "error")
    return redirect(url_for("icp.index"))


@bp.route("/<int:number>")
@permission(Role.VIEWER)
def show(number: int):
    session = get_session()
    version = _version(number)
    active = scoring.active_version(session)
    return render_template(
        "icp/show.html",
        version=version,
        active=active,
        counts=scoring.tier_counts(session, version),
        sorting=quality.sorting_quality(session, version),
        form=ActionForm(),
    )


def _refused(form: DraftForm, error: InvalidFields) -> None:
    """Problems named `criteria.2.value` become `Line 3: ...` on the criteria box (and likewise for tiers)."""
    for field, message in error.problems:
        head, _, rest = field.partition(".")
        box = form._fields.get(head)
        if box is None:
            form.form_errors.append(message)
            continue
        line = rest.split(".")[0]
        box.errors = [*box.errors, f"Line {int(line) + 1}: {message}" if line.isdigit() else message]


@bp.route("/<int:number>/edit", methods=["GET", "POST"])
@permission(Role.EDITOR)
def edit(number: int):
    version = _version(number)
    if version.status != "draft":
        flash(
            f"Version {number} is {version.status}; only a draft is edited. Start a new draft instead.",
            "error",
        )
        return redirect(url_for("icp.show", number=number))
    form = DraftForm()
    if not form.is_submitted():
        data = versions.version_json(version)
        form.name.data, form.narrative.data, form.version.data = (
            version.name,
            version.narrative,
            version.version,
        )
        form.criteria.data, form.tiers.data = criteria_text(data["criteria"]), tiers_text(version.tiers)
    elif form.validate():
        session = get_session()
        try:
            versions.update_draft(session, current_actor(), version.id, form.body(), form.version.data)
            session.commit()
            flash(f"Saved draft version {number}.", "success")
            return redirect(url_for("icp.show", number=number))
        except InvalidFields as error:
            session.rollback()
            _refused(form, error)
        except DomainError as error:
            session.rollback()
            form.form_errors.append(error.message)
            form.domain_error = error  # type: ignore[attr-defined]
    return render_template("icp/edit.html", version=version, form=form), refused_status(form)


@bp.route("/<int:number>/preview")
@permission(Role.VIEWER)
def preview_page(number: int):
    session = get_session()
    version = _version(number)
    page = request.args.get("page", "1")
    result = preview.preview(session, version, page=int(page) if page.isdigit() else 1, per_page=25)
    return render_template("icp/preview.html", version=version, preview=result, form=ActionForm())


@bp.route("/<int:number>/activate", methods=["POST"])
@permission(Role.EDITOR)
def activate(number: int):
    version = _version(number)
    form = ActionForm()
    if form.validate_on_submit():
        rollback = version.status == "retired"
        done = attempt(form, lambda: versions.activate(get_session(), current_actor(), version.id))
        if done is not None:
            flash(
                f"{'Rolled back to' if rollback else 'Activated'} version {number}; "
                "every account is now scored by it.",
                "success",
            )
            return redirect(url_for("icp.show", number=number))
    flash(" ".join(form.form_errors) or "The version was not activated.", "error")
    return redirect(url_for("icp.preview_page", number=number))


@bp.route("/diff")
@permission(Role.VIEWER)
def diff():
    old, new = request.args.get("from", ""), request.args.get("to", "")
    if not (old.isdigit() and new.isdigit()):
        abort(404)
    before, after = _version(int(old)), _version(int(new))
    result = versions.diff(before, after)
    return render_template(
        "icp/diff.html",
        before=before,
        after=after,
        diff=result,
        all_versions=versions.list_versions(get_session()),
    )


@bp.route("/draft/criteria", methods=["POST"])
@permission(Role.EDITOR)
def add_to_draft():
    """From the analysis page: put a graduate (or exclude) result into the newest draft."""
    form = AddToDraftForm()
    back = safe_next(form.next.data, url_for("analysis.index"))
    if not form.validate_on_submit():
        flash("Give the points as a whole number.", "error")
        return redirect(back)
    draft = attempt(
        form,
        lambda: versions.add_to_draft(
            get_session(),
            current_actor(),
            trait=form.trait.data,
            value=form.value.data,
            points=form.points.data,
            exclude=bool(form.exclude.data),
        ),
    )
    if draft is None:
        flash(" ".join(form.form_errors + [m for ms in form.errors.values() for m in ms]), "error")
        return redirect(back)
    what = "an exclusion" if form.exclude.data else f"{form.points.data or 20} points"
    flash(f"Added {form.value.data} to draft version {draft.number} as {what}.", "success")
    return redirect(back)


@bp.route("/<int:number>/one-page")
@permission(Role.VIEWER)
def one_page(number: int):
    """The printable one-page ICP (a print stylesheet drops the menu and buttons)."""
    page = one_page_service.one_page(get_session(), _version(number))
    return render_template("icp/one_page.html", page=page)


@bp.route("/<int:number>/one-page.md")
@permission(Role.VIEWER)
def one_page_markdown(number: int):
    page = one_page_service.one_page(get_session(), _version(number))
    return Response(
        page.markdown(),
        mimetype="text/markdown",
        headers={"Content-Disposition": f'attachment; filename="icp-version-{number}.md"'},
    )


def _prospect_form() -> ProspectFileForm:
    session = get_session()
    form = ProspectFileForm()
    form.preset.choices = [("auto", "Detect"), *((name, name) for name in PRESET_NAMES)]
    choices = [
        (str(v.number), f"{v.number} · {v.name} ({v.status})") for v in versions.list_versions(session)
    ]
    active = scoring.active_version(session)
    form.version.choices = choices
    if not form.is_submitted() and active is not None:
        form.version.data = str(active.number)
    return form


@bp.route("/prospects")
@permission(Role.VIEWER)
def prospects():
    return render_template("icp/prospects.html", form=_prospect_form())


@bp.route("/prospects", methods=["POST"])
@permission(Role.EDITOR)
def score_prospects():
    """Upload a prospect list: a job scores it (progress on its page) into a CSV to download."""
    form = _prospect_form()
    if form.validate_on_submit():
        version = _version(int(form.version.data))
        app = current_app._get_current_object()
        job = attempt(
            form,
            lambda: import_jobs.create_job(
                get_session(),
                current_actor(),
                g.user,
                filename=Path(form.file.data.filename or "prospects.csv").name,
                stored_name=jobs.save_upload(app, form.file.data),
                preset=form.preset.data,
                date_format=None,
                kind=import_jobs.PROSPECTS,
                icp_version_id=version.id,
            ),
        )
        if job is not None:
            jobs.start(app, job.id)
            return redirect(url_for("icp.prospect_job", job_id=job.id))
    return render_template("icp/prospects.html", form=form), status_for(form)


@bp.route("/prospects/<int:job_id>")
@permission(Role.EDITOR)
def prospect_job(job_id: int):
    """A prospect list being scored (refreshing itself with the rows so far), then its tier counts."""
    session = get_session()
    job = import_jobs.get_job(session, job_id, g.user, kind=import_jobs.PROSPECTS)
    progress = jobs.progress_file(current_app, job).read() if job.running else {}
    ready = job.status == "done" and jobs.result_path(current_app, job).exists()
    version = session.get(IcpVersion, job.icp_version_id)
    return render_template("icp/prospect_job.html", job=job, progress=progress, ready=ready, version=version)


@bp.route("/prospects/<int:job_id>/scored.csv")
@permission(Role.EDITOR)
def prospect_download(job_id: int):
    job = import_jobs.get_job(get_session(), job_id, g.user, kind=import_jobs.PROSPECTS)
    path = jobs.result_path(current_app, job)
    if job.status != "done" or not path.exists():
        abort(404)
    name = f"{Path(job.filename).stem}-scored-icp-{job.report.get('version')}.csv"
    return send_file(path, mimetype="text/csv", as_attachment=True, download_name=name)
