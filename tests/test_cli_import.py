"""`flask import accounts` and `flask export accounts`: summaries, problem lines on stderr, exit codes."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Account, AuditEvent
from tests.conftest import add_user

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def owners(db_session: Session) -> None:
    add_user(db_session, Role.EDITOR, email="ada@ourstartup.example", name="Ada")
    add_user(db_session, Role.EDITOR, email="grace@ourstartup.example", name="Grace")


def csv_file(tmp_path: Path, text: str | bytes, name: str = "accounts.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return str(path)


def account_count(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(Account.id)))


def names(session: Session) -> list[str]:
    session.expire_all()
    return sorted(session.scalars(select(Account.name)))


def test_import_hubspot_sample(runner, db_session, owners, tmp_path):
    path = shutil.copy(DATA / "hubspot-companies.csv", tmp_path / "hubspot.csv")
    result = runner.invoke(args=["import", "accounts", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "Preset: hubspot" in result.stdout
    assert "Ignored columns: Record ID (not used by ECP Tracker)" in result.stdout
    assert "Imported 3 rows: 3 created, 0 updated, 0 unchanged." in result.stdout
    assert "Values renamed: " in result.stdout and "Referrals -> Referral (CRM map)" in result.stdout
    assert names(db_session) == ["Kumo Logistics", "Nordlys Robotics", "Pescado & Sons, Ltd"]
    actors = set(db_session.scalars(select(AuditEvent.actor_label).where(AuditEvent.entity == "account")))
    assert actors == {"cli"}
    again = runner.invoke(args=["import", "accounts", str(path)])
    assert "Imported 3 rows: 0 created, 0 updated, 3 unchanged." in again.stdout
    assert account_count(db_session) == 3


@pytest.mark.parametrize(
    ("sample", "created"),
    [("salesforce-accounts-api.csv", 2), ("salesforce-accounts-report.csv", 1)],
)
def test_import_salesforce_samples(runner, db_session, tmp_path, sample, created):
    path = shutil.copy(DATA / sample, tmp_path / sample)
    result = runner.invoke(args=["import", "accounts", str(path)])
    assert result.exit_code == 0, result.output
    assert "Preset: salesforce" in result.stdout
    assert "not a stage" in result.stdout  # TYPE / Account Type is reported as ignored, and why
    assert account_count(db_session) == created


def test_problems_go_to_stderr_one_line_each_and_nothing_is_written(runner, db_session, tmp_path):
    path = csv_file(
        tmp_path, "name,employees,archetypes\nGood,5,\nBad,many,\n\n,3,\nOdd,2,Wizard\n", "bad.csv"
    )
    result = runner.invoke(args=["import", "accounts", path])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("row 3, column employees: Employees must be a whole number")
    assert lines[1] == "row 5, column name: Enter the account's name."
    assert lines[2].startswith("row 6, column archetypes: Unknown archetype 'Wizard'")
    assert lines[3] == "Error: 3 problems in bad.csv; nothing was imported."
    assert len(lines) == 4
    assert account_count(db_session) == 0


def test_non_utf8_file_is_refused(runner, db_session, tmp_path):
    path = csv_file(tmp_path, "name\nZürich AG\n".encode("latin-1"))
    result = runner.invoke(args=["import", "accounts", path])
    assert result.exit_code == 1
    assert result.stderr.startswith("row 2: The file is not UTF-8: byte 0xFC at byte 6 of the file")
    assert account_count(db_session) == 0


def test_dry_run_writes_nothing(runner, db_session, tmp_path):
    path = csv_file(tmp_path, "name,trait:tier\nA,gold\nB,silver\n")
    result = runner.invoke(args=["import", "accounts", path, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "New traits would be created: tier" in result.stdout
    assert (
        "Dry run of 2 rows, nothing was written: would be 2 created, 0 updated, 0 unchanged." in result.stdout
    )
    assert account_count(db_session) == 0


def test_date_format_option(runner, db_session, tmp_path):
    path = csv_file(tmp_path, "name,stage,converted_on\nA,customer,03/04/2026\n")
    refused = runner.invoke(args=["import", "accounts", path])
    assert refused.exit_code == 1
    assert "--date-format" in refused.stderr
    result = runner.invoke(args=["import", "accounts", path, "--date-format", "%d/%m/%Y"])
    assert result.exit_code == 0, result.output
    db_session.expire_all()
    assert str(db_session.scalar(select(Account.converted_on))) == "2026-04-03"


def test_preset_option_is_used(runner, db_session, tmp_path):
    path = shutil.copy(DATA / "hubspot-companies.csv", tmp_path / "h.csv")
    result = runner.invoke(args=["import", "accounts", str(path), "--preset", "salesforce"])
    assert result.exit_code == 1
    assert result.stderr.startswith("row 1, column name: The file has no column for the account name")


@pytest.mark.parametrize(
    "args",
    [
        ["import", "accounts"],
        ["import", "accounts", "missing.csv"],
        ["import", "accounts", "{file}", "--preset", "pipedrive"],
        ["import", "accounts", "{file}", "--date-format", "%Q"],
        ["import", "accounts", "{file}", "--date-format", "%d/%m"],
        ["export", "accounts", "--stage", "won"],
    ],
)
def test_usage_errors_exit_2(runner, db_session, tmp_path, args):
    path = csv_file(tmp_path, "name\nA\n")
    result = runner.invoke(args=[a.replace("{file}", path) for a in args])
    assert result.exit_code == 2, result.output
    assert account_count(db_session) == 0


def test_export_to_stdout_with_filters(runner, db_session, tmp_path):
    data = "name,stage,converted_on,archetypes\n=Formula Co,pilot,,Game changer\nPlain,customer,2026-01-05,\n"
    assert runner.invoke(args=["import", "accounts", csv_file(tmp_path, data)]).exit_code == 0
    result = runner.invoke(args=["export", "accounts"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert [r["name"] for r in rows] == ["'=Formula Co", "Plain"]
    assert rows[0]["archetypes"] == "Game changer"
    only = runner.invoke(args=["export", "accounts", "--stage", "customer"])
    assert [r["name"] for r in csv.DictReader(io.StringIO(only.stdout, newline=""))] == ["Plain"]
    only = runner.invoke(args=["export", "accounts", "--archetype", "game changer", "--q", "formula"])
    assert [r["name"] for r in csv.DictReader(io.StringIO(only.stdout, newline=""))] == ["'=Formula Co"]


def test_export_to_a_file_reimports_unchanged(runner, db_session, tmp_path, owners):
    sample = shutil.copy(DATA / "hubspot-companies.csv", tmp_path / "h.csv")
    assert runner.invoke(args=["import", "accounts", str(sample)]).exit_code == 0
    out = tmp_path / "export.csv"
    result = runner.invoke(args=["export", "accounts", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Exported 3 accounts to {out}.\n"
    again = runner.invoke(args=["import", "accounts", str(out)])
    assert again.exit_code == 0, again.output
    assert "Preset: native" in again.stdout
    assert "Imported 3 rows: 0 created, 0 updated, 3 unchanged." in again.stdout


def test_import_summary_counts_the_cells_read_as_not_recorded(runner, db_session, tmp_path):
    path = csv_file(tmp_path, "name,industry,country,notes\nA,N/A,-,n/a\nB,n/a,Norway,\nC,Software,?,-\n")
    result = runner.invoke(args=["import", "accounts", path, "--dry-run"])
    assert result.exit_code == 0, result.output
    line = "Cells read as not recorded (N/A, -, null, none, ? and the like): industry 2, country 2"
    assert line in result.stdout  # the notes column is not a trait
    other = csv_file(tmp_path, "name,industry\nA,Software\n", "b.csv")
    plain = runner.invoke(args=["import", "accounts", other])
    assert plain.exit_code == 0 and "not recorded" not in plain.stdout
