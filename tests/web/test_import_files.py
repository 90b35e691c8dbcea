"""Uploaded files do not stay in IMPORT_DIR forever (issue 19): gone when the job ends, or after retention."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import select

from ecp_tracker import jobs
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import ImportJob
from tests.helpers import upload_csv

CSV = b"name,stage\nAcme Files Ltd,prospect\n"


def test_the_upload_is_deleted_when_the_import_is_done(app, client_as, db_session):
    editor = client_as(Role.EDITOR)
    assert upload_csv(editor, CSV).status_code == 302
    job = db_session.scalar(select(ImportJob).order_by(ImportJob.id.desc()))
    path = jobs.upload_path(app, job.stored_name)
    assert job.status == "checked"
    assert path.exists()  # kept: the checked file is what "Import" runs
    editor.post(f"/accounts/import/{job.id}/run")
    db_session.expire_all()
    assert db_session.get(ImportJob, job.id).status == "done"
    assert not path.exists()
    assert not path.with_suffix(".progress").exists()


def test_uploads_older_than_the_retention_are_purged(app):
    folder = Path(app.config["IMPORT_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    old, fresh = folder / "old-upload-test.csv", folder / "fresh-upload-test.csv"
    old.write_text("x")
    fresh.write_text("x")
    eight_days_ago = time.time() - 8 * 86400
    os.utime(old, (eight_days_ago, eight_days_ago))
    assert app.config["IMPORT_RETENTION_DAYS"] == 7
    assert jobs.purge_old_uploads(app) >= 1
    assert not old.exists()
    assert fresh.exists()
    fresh.unlink()
