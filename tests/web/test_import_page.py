"""The upload page: check first (mapping and every bad row), then import all or nothing; jobs are private."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Account, ImportJob, WorkspaceSetting
from tests.conftest import add_user
from tests.helpers import upload_csv

DATA = Path(__file__).resolve().parents[1] / "data"


def test_check_then_import_a_hubspot_export(client_as, db_session):
    for email in ("ada@ourstartup.example", "grace@ourstartup.example"):  # the owners the export names
        add_user(db_session, Role.EDITOR, email=email)
    editor = client_as(Role.EDITOR)
    response = upload_csv(editor, (DATA / "hubspot-companies.csv").read_bytes(), "hubspot-companies.csv")
    assert response.status_code == 302
    report = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ready to import" in report and "Read as <strong>hubspot</strong>" in report
    assert "Company Domain Name" in report and "Record ID" in report  # mapped and ignored columns are shown
    assert db_session.scalar(select(func.count(Account.id))) == 0  # the check wrote nothing
    job = db_session.scalar(select(ImportJob))
    done = editor.post(f"/accounts/import/{job.id}/run", follow_redirects=True).get_data(as_text=True)
    assert "Imported" in done and "3</strong> accounts created" in done
    db_session.expire_all()
    assert db_session.scalar(select(func.count(Account.id))) == 3
    again = editor.post(f"/accounts/import/{job.id}/run", follow_redirects=True).get_data(as_text=True)
    assert "Only a checked file" in again  # a finished job cannot run twice
    assert db_session.scalar(select(func.count(Account.id))) == 3


def test_a_bad_row_is_named_and_nothing_is_written(client_as, db_session):
    editor = client_as(Role.EDITOR)
    content = b"name,employees,stage\nGood Co,10,prospect\nBad Co,ten,prospect\n"
    response = upload_csv(editor, content)
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 problem to fix first" in page
    assert '<td data-label="Row">3</td><td data-label="Column"><code>employees</code></td>' in page
    job = db_session.scalar(select(ImportJob))
    refused = editor.post(f"/accounts/import/{job.id}/run", follow_redirects=True)
    assert "Only a checked file" in refused.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Account.id))) == 0


def test_upload_form_refuses_other_files(client_as, db_session):
    editor = client_as(Role.EDITOR)
    response = upload_csv(editor, b"%PDF-1.4", "deck.pdf")
    assert response.status_code == 422 and "Upload a .csv file." in response.get_data(as_text=True)
    assert editor.post("/accounts/import/", data={"preset": "auto"}).status_code == 422
    assert db_session.scalar(select(func.count(ImportJob.id))) == 0


def test_jobs_are_private_to_their_owner_and_admins(client_as, people, db_session):
    editor = client_as(Role.EDITOR)
    response = upload_csv(editor, b"name\nSolo Co\n")
    location = response.headers["Location"]
    assert editor.get(location).status_code == 200
    assert client_as(Role.ADMIN).get(location).status_code == 200
    assert client_as(Role.VIEWER).get(location).status_code == 403


def test_columns_can_be_mapped_by_hand(client_as, db_session):
    editor = client_as(Role.EDITOR)
    response = upload_csv(editor, b"Company,Segment,Headcount\nOrbit Co,Fintech,12\n")
    location = response.headers["Location"]
    page = editor.get(location).get_data(as_text=True)
    assert "no column for the account name" in page
    assert "<span>Orbit Co</span>" in page  # each column shows its first values as read
    job = db_session.scalar(select(ImportJob))
    form = {"header-0": "Company", "column-0": "name", "header-1": "Segment", "column-1": "industry"}
    form |= {"header-2": "Headcount", "column-2": "employees"}
    checked = editor.post(f"/accounts/import/{job.id}/columns", data=form, follow_redirects=True)
    assert "All 1 rows are valid" in checked.get_data(as_text=True)
    editor.post(f"/accounts/import/{job.id}/run")
    account = db_session.scalar(select(Account))
    assert (account.name, account.industry, account.employees) == ("Orbit Co", "Fintech", 12)
    bad = editor.post(
        f"/accounts/import/{job.id}/columns", data={"header-0": "Company", "column-0": "password"}
    )
    assert bad.status_code == 302
    assert db_session.scalar(select(func.count(Account.id))) == 1


def test_the_preview_shows_each_value_and_maps_it_to_an_existing_one(client_as, db_session):
    editor = client_as(Role.EDITOR)
    existing = upload_csv(editor, b"name,acquisition_channel\nOld Co,Word of mouth\n")
    job = db_session.scalar(select(ImportJob))
    editor.post(f"/accounts/import/{job.id}/run")
    content = (DATA / "hubspot-companies-internal-values.csv").read_bytes()
    location = upload_csv(editor, content, "internal.csv").headers["Location"]
    assert existing.status_code == 302
    page = editor.get(location).get_data(as_text=True)
    assert '<label for="becomes-acquisition_channel-' in page and ">DIRECT_TRAFFIC</label>" in page
    assert 'placeholder="Direct"' in page and "CRM map" in page  # what it becomes, and why
    assert '<option value="Word of mouth">' in page  # existing values are offered
    job_id = int(location.rstrip("/").rsplit("/", 1)[1])
    fields = {"value-acquisition_channel-0": "REFERRALS", "becomes-acquisition_channel-0": "Word of mouth"}
    rechecked = editor.post(f"/accounts/import/{job_id}/values", data=fields, follow_redirects=True)
    text = rechecked.get_data(as_text=True)
    assert 'value="Word of mouth"' in text and "your map" in text
    editor.post(f"/accounts/import/{job_id}/run")
    db_session.expire_all()
    aurora = db_session.scalar(select(Account).where(Account.name == "Aurora Ledger"))
    assert aurora.acquisition_channel == "Word of mouth"
    channels = set(db_session.scalars(select(Account.acquisition_channel).distinct()))
    assert channels == {"Word of mouth", "Direct", "Organic search"}


def test_value_mapping_is_refused_for_viewers_and_bad_values(client_as, db_session):
    editor = client_as(Role.EDITOR)
    location = upload_csv(editor, b"name,industry\nSolo Co,Fintech\n").headers["Location"]
    job_id = int(location.rstrip("/").rsplit("/", 1)[1])
    viewer = client_as(Role.VIEWER)
    assert viewer.post(f"/accounts/import/{job_id}/values", data={}).status_code == 403
    bad = {"value-industry-0": "Fintech", "becomes-industry-0": "x" * 121}
    page = editor.post(f"/accounts/import/{job_id}/values", data=bad, follow_redirects=True)
    assert "longer than 120 characters" in page.get_data(as_text=True)
    assert db_session.get(WorkspaceSetting, "import.value_map") is None


def test_the_preview_counts_the_cells_read_as_not_recorded(client_as, db_session):
    editor = client_as(Role.EDITOR)
    content = b"name,industry,acquisition_channel,notes\nA,N/A,-,n/a\nB,n/a,Referral,\nC,Software,null,?\n"
    page = editor.get(upload_csv(editor, content).headers["Location"]).get_data(as_text=True)
    assert "Ready to import" in page and "Cells read as not recorded" in page
    assert "<tr><td>industry</td><td>2</td></tr>" in page
    assert "<tr><td>acquisition_channel</td><td>2</td></tr>" in page
    assert "<tr><td>notes</td>" not in page  # not a trait
    clean = editor.get(upload_csv(editor, b"name,industry\nD,Software\n").headers["Location"])
    assert "Cells read as not recorded" not in clean.get_data(as_text=True)
