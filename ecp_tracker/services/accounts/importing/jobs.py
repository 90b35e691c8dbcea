"""Jobs on an uploaded CSV, started from a page: created, checked, run, and reported on.

A job's kind says what its runner does with the file: `accounts` (the account import: checked, then written
all or nothing) or `prospects` (a prospect list scored against an ICP version into a result file, with the
import's own checking pass and nothing written).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import NotFound, ValidationError
from ecp_tracker.models import ImportJob, User
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.accounts.importing.presets import mappable_field
from ecp_tracker.services.shared import audit

PRESETS = ("auto", "native", "hubspot", "salesforce")
ACCOUNTS, PROSPECTS = "accounts", "prospects"
KINDS = (ACCOUNTS, PROSPECTS)
FIRST_STATUS = {ACCOUNTS: "checking", PROSPECTS: "scoring"}


def create_job(
    session: Session,
    actor: Actor,
    user: User,
    *,
    filename: str,
    stored_name: str,
    preset: str,
    date_format: str | None,
    kind: str = ACCOUNTS,
    icp_version_id: int | None = None,
) -> ImportJob:
    if kind not in KINDS:
        raise ValidationError(f"A job is one of {', '.join(KINDS)}, not {kind!r}.", field="kind")
    if preset not in PRESETS:
        raise ValidationError(f"Preset must be one of {', '.join(PRESETS)}.", field="preset")
    if (kind == PROSPECTS) != (icp_version_id is not None):
        raise ValidationError("A prospect list is scored against one ICP version.", field="version")
    job = ImportJob(
        user_id=user.id,
        kind=kind,
        icp_version_id=icp_version_id,
        filename=filename[:255] or "upload.csv",
        stored_name=stored_name,
        preset=preset,
        date_format=date_format or None,
        status=FIRST_STATUS[kind],
        columns={},
        report={},
        error="",
    )
    audit.log_write(session, actor, job, summary=job.filename)
    return job


def get_job(session: Session, job_id: int, user: User, *, kind: str = ACCOUNTS) -> ImportJob:
    """A job of `user`'s of that kind (admins see everyone's)."""
    job = session.get(ImportJob, job_id)
    if job is None or job.kind != kind or (job.user_id != user.id and user.role != "admin"):
        raise NotFound("There is no import with that id." if kind == ACCOUNTS else "There is no such job.")
    return job


def report_data(report: Any) -> dict[str, Any]:
    """An ImportReport as JSON-ready data (problems as a list of {row, column, reason})."""
    data = dataclasses.asdict(report)
    data["ok"] = bool(getattr(report, "ok", not data.get("problems")))
    return data


def set_columns(session: Session, actor: Actor, job: ImportJob, columns: dict[str, str]) -> None:
    """Map columns by hand (header -> field, "" to ignore); the file is then checked again."""
    if job.running or job.status == "done":
        raise ValidationError(
            "This import is running or finished; upload the file again to change its columns."
        )
    for header, target in columns.items():
        if target and not mappable_field(target):
            raise ValidationError(
                f"{target!r} is not a field the column {header!r} can be mapped to.", field=header
            )
    job.columns = dict(columns)
    job.status = "checking"
    job.report = {}
    audit.log_write(session, actor, job, action="map_columns", summary=job.filename)


def recheck(session: Session, actor: Actor, job: ImportJob, *, action: str) -> None:
    """Check the file again (after the workspace's value map changed); refused once it runs or is done."""
    if job.running or job.status == "done":
        raise ValidationError("This import is running or finished; upload the file again to check it again.")
    job.status = "checking"
    job.report = {}
    audit.log_write(session, actor, job, action=action, summary=job.filename)


def start_import(session: Session, actor: Actor, job: ImportJob) -> None:
    """Move a checked job on to importing; anything else is refused."""
    if job.status != "checked":
        raise ValidationError("Only a checked file without problems can be imported; upload it again.")
    job.status = "importing"
    audit.log_write(session, actor, job, action="import", summary=job.filename)


def finish(
    session: Session, actor: Actor, job: ImportJob, *, status: str, report: Any = None, error: str = ""
) -> None:
    job.status = status
    if report is not None:
        job.report = report if isinstance(report, dict) else report_data(report)
    job.error = error
    if status in {"done", "failed", "refused", "checked"}:
        job.finished_at = utcnow()
    audit.log_write(session, actor, job, action=status, summary=job.filename)


class ProgressFile:
    """Rows processed so far, in a small file beside the upload, readable by any worker on this host."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def update(self, rows: int, phase: str) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"rows": rows, "phase": phase}))
        os.replace(temporary, self.path)

    def read(self) -> dict[str, Any]:
        try:
            return json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
