"""ICP pages: start a draft, edit it (problems named by line), preview, activate and roll back, the diff, the
one-page ICP (HTML and Markdown), adding an analysis result to the draft, scoring a prospect list, roles."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import IcpVersion
from ecp_tracker.services.accounts import accounts
from ecp_tracker.services.icp import versions
from tests.conftest import TEST_ACTOR

TODAY = date(2026, 11, 1)
CRITERIA = "archetype | Game changer | 40\nindustry | Fintech | 25\nindustry | Gambling | exclude"
TIERS = "A 60\nB 30\nC 0"


def make(session: Session, **raw: object):
    account = accounts.create_account(session, TEST_ACTOR, raw, today=TODAY)
    session.commit()
    return account


@pytest.fixture
def book(db_session):
    return {
        "top": make(db_session, name="Top Co", industry="Fintech", archetypes="Game changer").id,
        "casino": make(db_session, name="Casino Co", industry="Gambling").id,
    }


def draft_page(editor, name="Pages ICP") -> str:
    response = editor.post("/icp/", data={"name": name})
    assert response.status_code == 302
    return response.headers["Location"]


def version_of(session: Session, number: int) -> IcpVersion:
    session.expire_all()
    return versions.version_by_number(session, number)


def test_build_preview_activate_and_roll_back_through_the_pages(client_as, db_session, book):
    editor = client_as(Role.EDITOR)
    edit_url = draft_page(editor)
    assert edit_url.endswith("/icp/1/edit")
    form = editor.get(edit_url).get_data(as_text=True)
    assert "A 60" in form  # a fresh draft starts with the default tiers
    version = version_of(db_session, 1)
    saved = editor.post(
        edit_url,
        data={
            "name": "Pages ICP",
            "narrative": "",
            "criteria": CRITERIA,
            "tiers": TIERS,
            "version": version.version,
        },
    )
    assert saved.status_code == 302
    shown = editor.get("/icp/1").get_data(as_text=True)
    assert "Game changer" in shown and "+40" in shown and "exclude" in shown

    preview = editor.get("/icp/1/preview").get_data(as_text=True)
    assert "2 accounts would change tier" in preview
    assert "Top Co" in preview and "Casino Co" in preview

    assert editor.post("/icp/1/activate").status_code == 302
    assert version_of(db_session, 1).status == "active"
    page = editor.get(f"/accounts/{book['top']}").get_data(as_text=True)
    assert "Tier A" in page and "<strong>65</strong>" in page
    listed = editor.get("/accounts/?tier=excluded").get_data(as_text=True)
    assert "Casino Co" in listed and "Top Co" not in listed

    second = draft_page(editor, "Second")  # copies version 1
    assert second.endswith("/icp/2/edit")
    editor.post(
        second,
        data={
            "name": "Second",
            "criteria": "industry | Fintech | 25",
            "tiers": TIERS,
            "version": version_of(db_session, 2).version,
        },
    )
    editor.post("/icp/2/activate")
    assert "Tier C" in editor.get(f"/accounts/{book['top']}").get_data(as_text=True)
    diff = editor.get("/icp/diff?from=1&to=2").get_data(as_text=True)
    assert '<li class="removed">' in diff and "archetype = Game changer (+40)" in diff
    editor.post("/icp/1/activate")  # roll back
    assert version_of(db_session, 1).status == "active" and version_of(db_session, 2).status == "retired"
    assert "Tier A" in editor.get(f"/accounts/{book['top']}").get_data(as_text=True)


def test_edit_problems_name_the_line_and_change_nothing(client_as, db_session):
    editor = client_as(Role.EDITOR)
    edit_url = draft_page(editor)
    version = version_of(db_session, 1)
    response = editor.post(
        edit_url,
        data={
            "name": "Pages ICP",
            "criteria": "industry | Fintech | 25\nsize_band | huge | 10",
            "tiers": "A 10\nB 20",
            "version": version.version,
        },
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Line 2: &#39;huge&#39; is not a value of company size" in text
    assert "Line 2:" in text and "tiers may not overlap" in text
    assert version_of(db_session, 1).criteria == []


def test_an_active_version_is_not_edited(client_as, db_session):
    editor = client_as(Role.EDITOR)
    draft_page(editor)
    editor.post("/icp/1/activate")
    version = version_of(db_session, 1)
    response = editor.post(
        "/icp/1/edit", data={"name": "Changed", "criteria": "", "tiers": TIERS, "version": version.version}
    )
    assert response.status_code == 302
    assert version_of(db_session, 1).name == "Pages ICP"


def test_add_to_draft_records_the_analysis_evidence(client_as, db_session):
    for i in range(6):
        make(db_session, name=f"Fin {i}", industry="Fintech", stage="customer", converted_on="2026-06-01")
        make(db_session, name=f"Shop {i}", industry="Retail", stage="lost")
    editor = client_as(Role.EDITOR)
    response = editor.post(
        "/icp/draft/criteria",
        data={"trait": "industry", "value": "Fintech", "points": "30", "next": "/analysis/"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/analysis/")
    draft = db_session.scalar(select(IcpVersion))
    criterion = draft.criteria[0]
    assert (criterion.trait, criterion.value, criterion.points) == ("industry", "Fintech", 30)
    assert criterion.evidence["n_with"] == 6 and criterion.evidence["n_without"] == 6
    assert criterion.evidence["rate_with"] == 1.0 and criterion.evidence["rate_without"] == 0.0


def test_one_page_in_html_and_markdown(client_as, db_session, book):
    editor = client_as(Role.EDITOR)
    edit_url = draft_page(editor)
    editor.post(
        edit_url,
        data={
            "name": "Pages ICP",
            "criteria": CRITERIA,
            "tiers": TIERS,
            "version": version_of(db_session, 1).version,
        },
    )
    html = editor.get("/icp/1/one-page").get_data(as_text=True)
    assert "print.css" in html and "Exclusions (anti-ICP)" in html
    markdown = editor.get("/icp/1/one-page.md").get_data(as_text=True)
    assert "| archetype | Game changer | +40 |" in markdown
    assert "- industry = Gambling:" in markdown
    assert "| A | 60 | 1 |" in markdown  # Top Co is the one account in tier A


def test_prospect_list_comes_back_scored_and_nothing_is_stored(client_as, db_session, book):
    editor = client_as(Role.EDITOR)
    editor.post(
        draft_page(editor),
        data={
            "name": "P",
            "criteria": CRITERIA,
            "tiers": TIERS,
            "version": version_of(db_session, 1).version,
        },
    )
    editor.post("/icp/1/activate")
    prospects = (
        "name,industry,archetypes,employees\n"
        "New Fintech,Fintech,Game changer,40\n"
        "Bad Count,Fintech,,lots\n"
        "New Casino,Gambling,,\n"
    )
    response = editor.post(
        "/icp/prospects",
        data={"file": (io.BytesIO(prospects.encode()), "p.csv"), "preset": "auto", "version": "1"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302  # to the job's page (the job ran inline in tests)
    job_page = response.headers["Location"]
    page = editor.get(job_page).get_data(as_text=True)
    assert "Scored 3 rows" in page and "1 could not be read" in page
    tiers = re.findall(r"<tr><td>(\w+)</td><td class=\"num\">(\d+)</td></tr>", page)
    assert sorted(tiers) == [("A", "1"), ("excluded", "1"), ("unscored", "1")]
    response = editor.get(f"{job_page}/scored.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "filename=p-scored-icp-1.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    response.close()  # the file is sent from disk
    assert rows[0] == [
        "name", "industry", "archetypes", "employees", "icp_score", "icp_tier", "icp_reasons", "icp_problem",
    ]  # fmt: skip
    assert rows[1][4:] == ["65", "A", "archetype=Game changer (+40); industry=Fintech (+25)", ""]
    assert rows[2][:4] == ["Bad Count", "Fintech", "", "lots"]  # kept as it was
    assert rows[2][4:7] == ["", "unscored", ""]
    assert rows[2][7] == "row 3: employees: Employees must be a whole number, not 'lots'."
    assert rows[3][4:7] == ["0", "excluded", "industry=Gambling (excluded)"]
    assert client_as(Role.VIEWER).get(job_page).status_code == 403  # scoring and its results: editors
    assert accounts.get_account(db_session, book["top"])  # the stored accounts are still the only ones
    assert db_session.scalar(select(IcpVersion.id).where(IcpVersion.number == 2)) is None


def test_an_unreadable_prospect_list_ends_its_job_with_the_reason(client_as, db_session, book):
    editor = client_as(Role.EDITOR)
    editor.post(
        draft_page(editor),
        data={
            "name": "P",
            "criteria": CRITERIA,
            "tiers": TIERS,
            "version": version_of(db_session, 1).version,
        },
    )
    editor.post("/icp/1/activate")
    response = editor.post(
        "/icp/prospects",
        data={"file": (io.BytesIO(b"colour,size\nred,3\n"), "odd.csv"), "preset": "auto", "version": "1"},
        content_type="multipart/form-data",
    )
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "errorbox" in page and "Nothing was written." in page
    assert editor.get(response.headers["Location"] + "/scored.csv").status_code == 404
    assert editor.get("/accounts/import/1").status_code == 404  # a scoring job is not an account import


def test_a_viewer_reads_the_pages_but_cannot_write(client_as, db_session):
    editor, viewer = client_as(Role.EDITOR), client_as(Role.VIEWER)
    draft_page(editor)
    assert viewer.get("/icp/").status_code == 200
    assert viewer.get("/icp/1").status_code == 200
    assert viewer.get("/icp/1/preview").status_code == 200
    assert viewer.post("/icp/1/activate").status_code == 403
    assert viewer.post("/icp/", data={"name": "x"}).status_code == 403
    assert version_of(db_session, 1).status == "draft"
