"""The CSV upload page: upload, automatic check (column mapping, validation report), import with progress."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for

from ecp_tracker import jobs
from ecp_tracker.db import get_session
from ecp_tracker.domain.roles import Role
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.accounts import traits
from ecp_tracker.services.accounts.importing import jobs as import_jobs
from ecp_tracker.services.accounts.importing import values as import_values
from ecp_tracker.services.accounts.importing.importer import preview_rows
from ecp_tracker.services.accounts.importing.presets import NATIVE_COLUMNS
from ecp_tracker.services.accounts.importing.value_maps import MAPPED_FIELDS
from ecp_tracker.web.forms_support import attempt, status_for
from ecp_tracker.web.imports.forms import RunForm, UploadForm

bp = Blueprint("imports", __name__, url_prefix="/accounts/import", template_folder="templates")


@bp.route("/", methods=["GET", "POST"])
@permission(Role.EDITOR)
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        stored_name = jobs.save_upload(current_app, form.file.data)
        job = attempt(
            form,
            lambda: import_jobs.create_job(
                get_session(),
                current_actor(),
                g.user,
                filename=Path(form.file.data.filename or "upload.csv").name,
                stored_name=stored_name,
                preset=form.preset.data,
                date_format=form.date_format.data,
            ),
        )
        if job is not None:
            jobs.start(current_app._get_current_object(), job.id, dry_run=True)
            return redirect(url_for("imports.show", job_id=job.id))
    return render_template("imports/upload.html", form=form), status_for(form)


def _file_preview(job) -> list[list[str]]:
    path = jobs.upload_path(current_app, job.stored_name)
    if not path.exists():
        return []
    with path.open("rb") as stream:
        return preview_rows(stream)


@bp.route("/<int:job_id>")
@permission(Role.EDITOR)
def show(job_id: int):
    session = get_session()
    job = import_jobs.get_job(session, job_id, g.user)
    progress = jobs.progress_file(current_app, job).read() if job.running else {}
    rows = [] if job.running else _file_preview(job)
    headers = [cell.strip() or f"(column {i + 1})" for i, cell in enumerate(rows[0])] if rows else []
    report = job.report or {}
    targets = {header: (report.get("mapping") or {}).get(header, "") for header in headers}
    fields = [*NATIVE_COLUMNS, *(f"trait:{d.key}" for d in traits.list_definitions(session))]
    return render_template(
        "imports/show.html",
        job=job,
        report=report,
        progress=progress,
        preview=rows,
        headers=headers,
        targets=targets,
        fields=fields,
        value_fields=[(f, import_values.FIELD_LABELS[f]) for f in MAPPED_FIELDS],
        existing=import_values.existing_values(session),
        run_form=RunForm(),
    )


@bp.route("/<int:job_id>/columns", methods=["POST"])
@permission(Role.EDITOR)
def columns(job_id: int):
    """Map columns by hand and check the file again."""
    form = RunForm()
    session = get_session()
    job = import_jobs.get_job(session, job_id, g.user)
    if form.validate_on_submit():
        chosen = {
            request.form[f"header-{i}"]: request.form.get(f"column-{i}", "")
            for i in range(500)
            if f"header-{i}" in request.form
        }
        if attempt(form, lambda: import_jobs.set_columns(session, current_actor(), job, chosen) or True):
            jobs.start(current_app._get_current_object(), job.id, dry_run=True)
        else:
            flash(" ".join(form.form_errors), "error")
    return redirect(url_for("imports.show", job_id=job_id))


@bp.route("/<int:job_id>/values", methods=["POST"])
@permission(Role.EDITOR)
def map_values(job_id: int):
    """Map the file's values to existing ones (remembered for the workspace) and check the file again."""
    form = RunForm()
    session = get_session()
    job = import_jobs.get_job(session, job_id, g.user)
    if form.validate_on_submit():
        chosen = {
            name: {
                request.form[f"value-{name}-{i}"]: request.form.get(f"becomes-{name}-{i}", "")
                for i in range(import_values.MAX_SHOWN)
                if f"value-{name}-{i}" in request.form
            }
            for name in MAPPED_FIELDS
        }

        def save() -> bool:
            import_values.save_map(session, current_actor(), chosen)
            import_jobs.recheck(session, current_actor(), job, action="map_values")
            return True

        if attempt(form, save):
            jobs.start(current_app._get_current_object(), job.id, dry_run=True)
        else:
            flash(" ".join(form.form_errors), "error")
    return redirect(url_for("imports.show", job_id=job_id))


@bp.route("/<int:job_id>/run", methods=["POST"])
@permission(Role.EDITOR)
def run(job_id: int):
    form = RunForm()
    session = get_session()
    job = import_jobs.get_job(session, job_id, g.user)
    if form.validate_on_submit():
        if attempt(form, lambda: import_jobs.start_import(session, current_actor(), job) or True):
            jobs.start(current_app._get_current_object(), job.id, dry_run=False)
        else:
            flash(" ".join(form.form_errors), "error")
    return redirect(url_for("imports.show", job_id=job_id))
