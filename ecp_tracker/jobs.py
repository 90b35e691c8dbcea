"""Running an upload-page import: in a background thread (progress in a file), or inline in tests.

Like a CLI command, the runner owns its session and commits once: the whole import or nothing.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from flask import Flask

from ecp_tracker.domain.actors import Actor
from ecp_tracker.models import ImportJob
from ecp_tracker.services.accounts.importing import jobs as import_jobs
from ecp_tracker.services.accounts.importing.importer import import_accounts


def upload_path(app: Flask, stored_name: str) -> Path:
    return Path(app.config["IMPORT_DIR"]) / stored_name


def progress_file(app: Flask, job: ImportJob) -> import_jobs.ProgressFile:
    return import_jobs.ProgressFile(upload_path(app, job.stored_name).with_suffix(".progress"))


FINAL = {"done", "failed"}  # no later step reads the file (a checked or refused file may be run or re-mapped)


def remove_upload(app: Flask, stored_name: str) -> None:
    """Delete a job's uploaded file and its progress file."""
    path = upload_path(app, stored_name)
    path.unlink(missing_ok=True)
    path.with_suffix(".progress").unlink(missing_ok=True)


def purge_old_uploads(app: Flask, *, now: float | None = None) -> int:
    """Delete uploads older than IMPORT_RETENTION_DAYS (jobs left checked and never run); how many went."""
    folder = Path(app.config["IMPORT_DIR"])
    if not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - app.config["IMPORT_RETENTION_DAYS"] * 86400
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def start(app: Flask, job_id: int, *, dry_run: bool) -> None:
    purge_old_uploads(app)
    if app.config["IMPORT_IN_BACKGROUND"]:
        threading.Thread(target=run, args=(app, job_id), kwargs={"dry_run": dry_run}, daemon=True).start()
    else:
        run(app, job_id, dry_run=dry_run)


def run(app: Flask, job_id: int, *, dry_run: bool) -> None:
    """Check (dry run) or import the job's file, and record the report on the job."""
    with app.app_context():
        session = app.extensions["ecp_db"].session_factory()
        status, stored_name = "failed", None
        try:
            job = session.get(ImportJob, job_id)
            stored_name = job.stored_name
            actor = Actor(job.user.id, job.user.email)
            progress = progress_file(app, job)
            phase = "checking" if dry_run else "importing"
            with upload_path(app, job.stored_name).open("rb") as stream:
                report = import_accounts(
                    session,
                    actor,
                    stream,
                    preset=job.preset,
                    dry_run=dry_run,
                    date_format=job.date_format,
                    columns=job.columns or None,
                    progress=lambda rows: progress.update(rows, phase),
                )
            if dry_run or not report.ok:
                session.rollback()
                job = session.get(ImportJob, job_id)
                status = "checked" if report.ok else "refused"
            else:
                status = "done"
            import_jobs.finish(session, actor, job, status=status, report=report)
            session.commit()
        except Exception as error:  # a crash must still end the job, with a message the user can act on
            app.logger.exception("import job %s failed", job_id)
            status = "failed"
            session.rollback()
            job = session.get(ImportJob, job_id)
            if job is not None:
                import_jobs.finish(
                    session,
                    Actor(job.user_id, "import runner"),
                    job,
                    status="failed",
                    error=f"The import stopped unexpectedly ({type(error).__name__}); nothing was written.",
                )
                session.commit()
        finally:
            session.close()
        if stored_name is not None and status in FINAL:
            remove_upload(app, stored_name)
