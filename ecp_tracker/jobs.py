"""Running a job on an uploaded file (an account import, a prospect list to score): in a background thread
(progress in a file beside the upload), or inline in tests. The runner dispatches on the job's kind.

Like a CLI command, the runner owns its session and commits once: the whole import or nothing.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import DomainError
from ecp_tracker.models import IcpVersion, ImportJob
from ecp_tracker.services.accounts.importing import jobs as import_jobs
from ecp_tracker.services.accounts.importing.importer import import_accounts
from ecp_tracker.services.icp import prospects


def upload_path(app: Flask, stored_name: str) -> Path:
    return Path(app.config["IMPORT_DIR"]) / stored_name


def save_upload(app: Flask, upload: FileStorage) -> str:
    """Store an uploaded file under a random name in IMPORT_DIR; its stored name."""
    folder = Path(app.config["IMPORT_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.csv"
    upload.save(folder / stored_name)
    return stored_name


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


def start(app: Flask, job_id: int, *, dry_run: bool = False) -> None:
    """Run the job now (tests) or in a background thread; `dry_run` only checks an account import."""
    purge_old_uploads(app)
    if app.config["IMPORT_IN_BACKGROUND"]:
        threading.Thread(target=run, args=(app, job_id), kwargs={"dry_run": dry_run}, daemon=True).start()
    else:
        run(app, job_id, dry_run=dry_run)


def result_path(app: Flask, job: ImportJob) -> Path:
    """Where a prospect-scoring job writes the scored rows (kept after the upload goes, until retention)."""
    return upload_path(app, job.stored_name).with_suffix(".scored.csv")


def _import_accounts(app: Flask, session: Session, actor: Actor, job: ImportJob, *, dry_run: bool) -> str:
    """Check (dry run) or import the file: the account import's two passes."""
    progress = progress_file(app, job)
    phase = "checked" if dry_run else "imported"
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
        job = session.get(ImportJob, job.id)
        status = "checked" if report.ok else "refused"
    else:
        status = "done"
    import_jobs.finish(session, actor, job, status=status, report=report)
    return status


def _score_prospects(app: Flask, session: Session, actor: Actor, job: ImportJob, *, dry_run: bool) -> str:
    """Score the file against the job's ICP version into its result file: the import's checking pass, then
    the criteria; nothing is written to the accounts."""
    progress = progress_file(app, job)
    version = session.get(IcpVersion, job.icp_version_id)
    with upload_path(app, job.stored_name).open("rb") as stream:
        report = prospects.score_file(
            session,
            actor,
            stream,
            result_path(app, job),
            version,
            preset=job.preset,
            progress=lambda rows: progress.update(rows, "scored"),
        )
    import_jobs.finish(session, actor, job, status="done", report=report)
    return "done"


RUNNERS: dict[str, Callable[..., str]] = {
    import_jobs.ACCOUNTS: _import_accounts,
    import_jobs.PROSPECTS: _score_prospects,
}


def run(app: Flask, job_id: int, *, dry_run: bool = False) -> None:
    """Run the job by its kind and record the report on the job; a failure ends it with a message."""
    with app.app_context():
        session = app.extensions["ecp_db"].session_factory()
        status, stored_name = "failed", None
        try:
            job = session.get(ImportJob, job_id)
            stored_name = job.stored_name
            actor = Actor(job.user.id, job.user.email)
            status = RUNNERS[job.kind](app, session, actor, job, dry_run=dry_run)
            session.commit()
        except Exception as error:  # a crash must still end the job, with a message the user can act on
            status = "failed"
            session.rollback()
            if isinstance(error, DomainError):  # the file itself cannot be read (no header, not CSV, ...)
                message = f"{error.message} Nothing was written."
            else:
                app.logger.exception("job %s failed", job_id)
                message = f"The job stopped unexpectedly ({type(error).__name__}); nothing was written."
            job = session.get(ImportJob, job_id)
            if job is not None:
                import_jobs.finish(
                    session, Actor(job.user_id, "job runner"), job, status="failed", error=message
                )
                session.commit()
        finally:
            session.close()
        if stored_name is not None and status in FINAL:
            remove_upload(app, stored_name)
