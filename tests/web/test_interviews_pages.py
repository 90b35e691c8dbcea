"""Interview pages: recording an interview with findings from an account, editing (stale edits refused),
findings added, edited, archived and restored on the interview page, the filtered list with CSV export, the
themes page and its chart, the account page's section, and that viewers read but never write (CSRF too)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import func, select

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import AuditEvent, Interview, InterviewFinding
from ecp_tracker.services.interviews import interviews
from tests.conftest import PASSWORD, TEST_ACTOR, add_user
from tests.factories.interviews import TODAY, add_contact, build_workspace, make_account


def audit_count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(AuditEvent.id)))


def fresh(session, model, record_id):
    session.expire_all()
    return session.get(model, record_id)


def acme(session):
    account = make_account(session, "Acme Analytics", "pilot", ["Game changer"])
    add_contact(session, account, "Ann Novak", "champion")
    session.commit()
    return account


def one_interview(session, account, *themes: str) -> Interview:
    interview = interviews.create_interview(
        session,
        TEST_ACTOR,
        {"account_id": account.id, "held_on": TODAY - timedelta(days=2), "kind": "discovery"},
    )
    for theme in themes:
        interviews.add_finding(session, TEST_ACTOR, interview.id, {"kind": "pain_point", "theme": theme})
    session.commit()
    return interview


NEW = {
    "held_on": (TODAY - timedelta(days=1)).isoformat(),
    "kind": "win_loss",
    "summary": "Chose us over the incumbent.",
    "findings-0-kind": "decision_trigger",
    "findings-0-theme": "New CFO",
    "findings-0-text": "The new CFO wanted numbers by Monday.",
    "findings-1-kind": "pain_point",
    "findings-1-theme": "  data quality ",
    "findings-1-text": "",
}


# --- recording and editing -------------------------------------------------------------------------------


def test_editor_records_an_interview_with_findings_from_the_account(client_as, db_session, people):
    account = acme(db_session)
    one_interview(db_session, account, "Data quality")
    editor = client_as(Role.EDITOR)
    page = editor.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert 'id="interviews"' in page and f"/accounts/{account.id}/interviews/new" in page
    form = editor.get(f"/accounts/{account.id}/interviews/new").get_data(as_text=True)
    assert "Ann Novak (champion)" in form and 'list="known-themes"' in form
    assert '<option value="Data quality">' in form  # known themes are suggested
    me = people[Role.EDITOR].id
    assert f'<option selected value="{me}">' in form  # the interviewer is the signed-in user unless changed
    contact = account.contacts[0]
    response = editor.post(
        f"/accounts/{account.id}/interviews/new", data={**NEW, "contact_id": contact.id, "interviewer_id": me}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    interview = db_session.scalar(select(Interview).where(Interview.kind == "win_loss"))
    assert response.headers["Location"] == f"/interviews/{interview.id}"
    assert (interview.interviewer_id, interview.contact_id) == (me, contact.id)
    assert [(f.kind, f.theme) for f in interview.findings] == [
        ("decision_trigger", "New CFO"),
        ("pain_point", "Data quality"),  # the existing spelling
    ]  # the third, empty row was skipped
    shown = editor.get(f"/interviews/{interview.id}").get_data(as_text=True)
    assert "Win/loss with Acme Analytics" in shown and "The new CFO wanted numbers by Monday." in shown
    assert "Ann Novak" in shown and "Add a finding" in shown
    account_page = editor.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert f"/interviews/{interview.id}" in account_page and "Win/loss" in account_page


def test_a_bad_finding_row_is_named_and_nothing_is_written(client_as, db_session):
    account = acme(db_session)
    editor = client_as(Role.EDITOR)
    before = audit_count(db_session)
    bad = {
        **NEW,
        "findings-1-theme": "",
        "findings-1-text": "A finding without a theme",
    }
    response = editor.post(f"/accounts/{account.id}/interviews/new", data=bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Theme: Give the finding a theme" in page
    assert "Check the finding rows marked below." in page
    gripe = editor.post(f"/accounts/{account.id}/interviews/new", data={**NEW, "findings-0-kind": "gripe"})
    assert gripe.status_code == 422 and "Not a valid choice" in gripe.get_data(as_text=True)
    assert audit_count(db_session) == before
    assert db_session.scalar(select(func.count(Interview.id))) == 0
    future = {**NEW, "held_on": (TODAY + timedelta(days=3)).isoformat()}
    response = editor.post(f"/accounts/{account.id}/interviews/new", data=future)
    assert response.status_code == 422
    assert "Held on: An interview is recorded once it has happened" in response.get_data(as_text=True)
    assert audit_count(db_session) == before


def test_the_account_picker_leads_to_the_form(client_as, db_session):
    account = acme(db_session)
    editor = client_as(Role.EDITOR)
    picker = editor.get("/interviews/new?q=acme").get_data(as_text=True)
    assert f"/accounts/{account.id}/interviews/new" in picker
    assert editor.get(f"/interviews/new?account_id={account.id}").status_code == 200


def test_editing_an_interview_and_a_stale_edit(client_as, db_session):
    account = acme(db_session)
    interview = one_interview(db_session, account)
    editor = client_as(Role.EDITOR)
    form = editor.get(f"/interviews/{interview.id}/edit").get_data(as_text=True)
    assert f'name="version" type="hidden" value="{interview.version}"' in form
    data = {"held_on": interview.held_on.isoformat(), "kind": "survey", "summary": "NPS follow-up"}
    response = editor.post(f"/interviews/{interview.id}/edit", data={**data, "version": interview.version})
    assert response.status_code == 302
    assert fresh(db_session, Interview, interview.id).kind == "survey"
    before = audit_count(db_session)
    stale = editor.post(f"/interviews/{interview.id}/edit", data={**data, "summary": "Late", "version": 1})
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "Someone else changed this interview" in page and "changed by someone else" in page
    assert fresh(db_session, Interview, interview.id).summary == "NPS follow-up"
    assert audit_count(db_session) == before


def test_findings_are_added_edited_archived_and_restored_on_the_page(client_as, db_session):
    account = acme(db_session)
    interview = one_interview(db_session, account)
    editor = client_as(Role.EDITOR)
    url = f"/interviews/{interview.id}"
    response = editor.post(
        f"{url}/findings", data={"kind": "objection", "theme": "Price", "text": "Too dear"}
    )
    assert response.status_code == 302 and response.headers["Location"] == f"{url}#findings"
    finding = db_session.scalar(select(InterviewFinding).where(InterviewFinding.theme == "Price"))
    refused = editor.post(f"{url}/findings", data={"kind": "objection", "theme": ""})
    assert refused.status_code == 422 and "Theme: Give the finding a theme." in refused.get_data(as_text=True)
    prefix = f"finding{finding.id}-"
    edit = {prefix + "kind": "pain_point", prefix + "theme": "Budget", prefix + "text": "No budget this year"}
    response = editor.post(f"{url}/findings/{finding.id}", data={**edit, prefix + "version": finding.version})
    assert response.status_code == 302
    assert fresh(db_session, InterviewFinding, finding.id).theme == "Budget"
    stale = editor.post(f"{url}/findings/{finding.id}", data={**edit, prefix + "version": 1})
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "changed by someone else" in page and '<details class="amend" open>' in page
    current = fresh(db_session, InterviewFinding, finding.id)
    response = editor.post(f"{url}/findings/{finding.id}/archive", data={"version": current.version})
    assert response.status_code == 302
    assert fresh(db_session, InterviewFinding, finding.id).archived_at is not None
    page = editor.get(url).get_data(as_text=True)
    assert "Archived findings" in page and "No findings tagged yet." in page
    response = editor.post(f"{url}/findings/{finding.id}/restore", data={})
    assert fresh(db_session, InterviewFinding, finding.id).archived_at is None
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity == "interview_finding").order_by(AuditEvent.id)
    ).all()
    assert actions == ["create", "update", "archive", "restore"]


def test_archiving_an_interview(client_as, db_session):
    account = acme(db_session)
    interview = one_interview(db_session, account, "Price")
    editor = client_as(Role.EDITOR)
    response = editor.post(f"/interviews/{interview.id}/archive", data={"version": interview.version})
    assert response.status_code == 302
    assert fresh(db_session, Interview, interview.id).archived_at is not None
    page = editor.get(f"/interviews/{interview.id}").get_data(as_text=True)
    assert "archived" in page and "Add a finding" not in page and "Restore" in page
    assert "Price" not in editor.get("/interviews/").get_data(as_text=True)
    assert "Price" in editor.get("/interviews/?include_archived=1").get_data(as_text=True)
    editor.post(f"/interviews/{interview.id}/restore", data={})
    assert fresh(db_session, Interview, interview.id).archived_at is None
    stale = editor.post(f"/interviews/{interview.id}/archive", data={"version": 99}, follow_redirects=True)
    assert "changed by someone else" in stale.get_data(as_text=True)
    assert fresh(db_session, Interview, interview.id).archived_at is None


# --- reading ---------------------------------------------------------------------------------------------


def test_the_list_filters_paginates_and_exports(client_as, db_session):
    space = build_workspace(db_session)
    viewer = client_as(Role.VIEWER)
    page = viewer.get("/interviews/").get_data(as_text=True)
    assert "7 interviews." in page and "Record an interview" not in page
    assert "Export these as CSV" in page
    page = viewer.get("/interviews/?theme=onboarding&finding_kind=pain_point").get_data(as_text=True)
    assert "5 interviews match the filters." in page
    assert 'href="/interviews/export.csv?theme=onboarding&amp;finding_kind=pain_point"' in page
    alpha = space.accounts["Alpha"].id
    page = viewer.get(f"/interviews/?account_id={alpha}").get_data(as_text=True)
    assert "2 interviews match" in page and "Account: <strong>Alpha</strong>" in page
    warned = viewer.get("/interviews/?kind=chat").get_data(as_text=True)
    assert "Filter ignored: Unknown kind" in warned and "7 interviews." in warned
    paged = viewer.get("/interviews/?page=2").get_data(as_text=True)
    assert viewer.get("/interviews/?page=2").status_code == 200 and "7 interviews." in paged
    response = viewer.get("/interviews/export.csv?theme=price")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sorted({r["account"] for r in rows}) == ["Alpha", "Charlie"] and len(rows) == 5


def test_the_themes_page_and_its_chart(client_as, db_session):
    space = build_workspace(db_session)
    viewer = client_as(Role.VIEWER)
    response = viewer.get("/interviews/themes")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<strong>5</strong> accounts interviewed" in page
    assert "2 converted, 2 not converted (lost),\n  1 still open" in page
    assert '<img src="/interviews/themes.svg"' in page
    for heading in ("Converted or not", "By archetype", "By role of the person interviewed"):
        assert heading in page
    assert "Underdog supporter" in page and "No archetype" in page and "Veto holder" in page
    # links to the interviews behind a theme
    assert "/interviews/?theme=Onboarding&amp;finding_kind=pain_point" in page
    filtered = viewer.get("/interviews/themes?finding_kind=objection").get_data(as_text=True)
    assert "Price" in filtered and "Onboarding" not in filtered.split("Converted or not")[1]
    svg = viewer.get("/interviews/themes.svg?finding_kind=pain_point")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    text = svg.get_data(as_text=True)
    assert text.lstrip().startswith("<?xml") and "Onboarding" in text and "2 of 2" in text
    # themes are user text: escaped on the page and in the chart, never read as markup or mathematics
    i6 = space.interviews["i6"]
    for theme in ("--><script>alert(1)</script>", "Budget $5k to $10k", "Cost $x^$", r"$\nosuch$"):
        interviews.add_finding(db_session, TEST_ACTOR, i6.id, {"kind": "objection", "theme": theme})
    db_session.commit()
    svg = viewer.get("/interviews/themes.svg")
    assert svg.status_code == 200 and "<script" not in svg.get_data(as_text=True)
    assert "<script>alert" not in viewer.get("/interviews/themes").get_data(as_text=True)
    empty = viewer.get("/interviews/themes?interview_kind=survey").get_data(as_text=True)
    assert "No findings match." in empty
    assert viewer.get("/interviews/themes.svg?interview_kind=survey").status_code == 200


def test_a_viewer_reads_but_does_not_see_or_use_the_writes(client_as, db_session):
    account = acme(db_session)
    interview = one_interview(db_session, account, "Price")
    finding = interview.findings[0]
    viewer = client_as(Role.VIEWER)
    page = viewer.get(f"/interviews/{interview.id}").get_data(as_text=True)
    assert "Price" in page and "Edit interview" not in page and "Add a finding" not in page
    assert "Record an interview" not in viewer.get(f"/accounts/{account.id}").get_data(as_text=True)
    before = audit_count(db_session)
    writes = [
        ("GET", f"/accounts/{account.id}/interviews/new", {}),
        ("POST", f"/accounts/{account.id}/interviews/new", NEW),
        ("GET", f"/interviews/{interview.id}/edit", {}),
        (
            "POST",
            f"/interviews/{interview.id}/edit",
            {"kind": "survey", "held_on": "2026-01-01", "version": 1},
        ),
        ("POST", f"/interviews/{interview.id}/archive", {}),
        ("POST", f"/interviews/{interview.id}/restore", {}),
        ("POST", f"/interviews/{interview.id}/findings", {"kind": "objection", "theme": "X"}),
        ("POST", f"/interviews/{interview.id}/findings/{finding.id}", {}),
        ("POST", f"/interviews/{interview.id}/findings/{finding.id}/archive", {}),
        ("POST", f"/interviews/{interview.id}/findings/{finding.id}/restore", {}),
    ]
    for method, url, data in writes:
        assert viewer.open(url, method=method, data=data).status_code == 403, url
    assert audit_count(db_session) == before


def test_a_write_without_the_csrf_token_is_refused(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    session = app.extensions["ecp_db"].session_factory()
    add_user(session, Role.EDITOR)
    account = acme(session)
    interview = one_interview(session, account)
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"email": "editor@example.com", "password": PASSWORD, "csrf_token": token})
    before = audit_count(session)
    response = client.post(
        f"/interviews/{interview.id}/findings", data={"kind": "objection", "theme": "Price"}
    )
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
    assert audit_count(session) == before
    page = client.get(f"/interviews/{interview.id}").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        f"/interviews/{interview.id}/findings",
        data={"kind": "objection", "theme": "Price", "csrf_token": token},
    )
    assert response.status_code == 302
    assert audit_count(session) == before + 1
    session.close()
