"""/api/v1/interviews: the list with filters and the pagination envelope, one interview with its findings,
creating (with findings, all or nothing), PATCH with version (missing 422, stale 409), DELETE = archive,
findings under interviews/{id}/findings, the themes report, roles (401/403) and problem+json errors."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import AuditEvent, Interview, InterviewFinding
from tests.factories.interviews import TODAY, add_contact, build_workspace, make_account

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def audit_count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(AuditEvent.id)))


def acme(session):
    account = make_account(session, "Acme Analytics", "pilot", ["Game changer"])
    contact = add_contact(session, account, "Ann Novak", "champion")
    session.commit()
    return account, contact


def body(account_id: int, **overrides) -> dict:
    return {
        "account_id": account_id,
        "held_on": (TODAY - timedelta(days=2)).isoformat(),
        "kind": "discovery",
        "summary": "Their analysts wait for overnight batches.",
        **overrides,
    }


def test_anonymous_gets_401_and_a_viewer_cannot_write(client, api_as, db_session):
    assert_problem(client.get("/api/v1/interviews"), 401)
    account, _ = acme(db_session)
    viewer = api_as(Role.VIEWER)
    assert viewer.get("/api/v1/interviews").status_code == 200
    assert_problem(viewer.post("/api/v1/interviews", json=body(account.id)), 403)
    assert db_session.scalar(select(func.count(Interview.id))) == 0


def test_an_editor_records_an_interview_with_findings(api_as, db_session, people):
    account, contact = acme(db_session)
    editor = api_as(Role.EDITOR)
    before = audit_count(db_session)
    findings = [
        {"kind": "pain_point", "theme": "Data quality", "text": "Stale dashboards"},
        {"kind": "objection", "theme": " data QUALITY "},
    ]
    response = editor.post(
        "/api/v1/interviews", json=body(account.id, contact_id=contact.id, findings=findings)
    )
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["account"] == {"id": account.id, "name": "Acme Analytics", "stage": "pilot"}
    assert created["contact"] == {"id": contact.id, "name": "Ann Novak", "dmu_role": "champion"}
    assert created["interviewer"] == "editor@example.com"  # the caller, when not given
    assert created["held_on"] == (TODAY - timedelta(days=2)).isoformat() and created["version"] == 1
    assert [(f["kind"], f["theme"]) for f in created["findings"]] == [
        ("pain_point", "Data quality"),
        ("objection", "Data quality"),  # stored in the first spelling
    ]
    assert audit_count(db_session) == before + 3
    one = editor.get(f"/api/v1/interviews/{created['id']}").get_json()
    assert one == created


def test_bad_input_is_422_naming_the_field_and_writes_nothing(api_as, db_session):
    account, _ = acme(db_session)
    other = make_account(db_session, "Other", "prospect", [])
    stranger = add_contact(db_session, other, "Sam", "end_user")
    db_session.commit()
    editor = api_as(Role.EDITOR)
    before = audit_count(db_session)
    cases = [
        (body(account.id, held_on=(TODAY + timedelta(days=1)).isoformat()), "held_on"),
        (body(account.id, held_on="yesterday"), "held_on"),
        (body(account.id, kind="chat"), "kind"),
        (body(account.id, contact_id=stranger.id), "contact_id"),
        (body(999_999), "account_id"),
        ({"account_id": account.id, "kind": "discovery"}, "held_on"),
        (
            body(
                account.id,
                findings=[{"kind": "pain_point", "theme": "Ok"}, {"kind": "objection", "theme": " "}],
            ),
            "findings.1.theme",
        ),
        (body(account.id, findings=[{"kind": "gripe", "theme": "x"}]), "findings.0.kind"),
    ]
    for payload, field in cases:
        problem = assert_problem(editor.post("/api/v1/interviews", json=payload), 422)
        assert field in problem["errors"], (field, problem)
    assert audit_count(db_session) == before
    assert db_session.scalar(select(func.count(Interview.id))) == 0


def test_patch_needs_the_current_version(api_as, db_session):
    account, contact = acme(db_session)
    editor = api_as(Role.EDITOR)
    created = editor.post("/api/v1/interviews", json=body(account.id)).get_json()
    url = f"/api/v1/interviews/{created['id']}"
    problem = assert_problem(editor.patch(url, json={"summary": "No version"}), 422)
    assert "version" in problem["errors"]
    changed = editor.patch(url, json={"summary": "Edited", "contact_id": contact.id, "version": 1})
    assert changed.status_code == 200 and changed.get_json()["version"] == 2
    assert changed.get_json()["contact"]["name"] == "Ann Novak"
    before = audit_count(db_session)
    problem = assert_problem(editor.patch(url, json={"summary": "Stale", "version": 1}), 409)
    assert "changed by someone else" in problem["detail"]
    assert editor.get(url).get_json()["summary"] == "Edited"
    problem = assert_problem(editor.patch(url, json={"held_on": "2999-01-01", "version": 2}), 422)
    assert "held_on" in problem["errors"]
    assert audit_count(db_session) == before


def test_delete_archives_and_restore_brings_back(api_as, db_session):
    account, _ = acme(db_session)
    editor = api_as(Role.EDITOR)
    created = editor.post("/api/v1/interviews", json=body(account.id)).get_json()
    url = f"/api/v1/interviews/{created['id']}"
    assert editor.delete(url).status_code == 204
    assert editor.get("/api/v1/interviews").get_json()["total"] == 0
    listed = editor.get("/api/v1/interviews?include_archived=true").get_json()
    assert listed["total"] == 1 and listed["items"][0]["archived_at"]
    assert_problem(editor.post(f"{url}/findings", json={"kind": "objection", "theme": "Price"}), 409)
    restored = editor.post(f"{url}/restore")
    assert restored.status_code == 200 and restored.get_json()["archived_at"] is None
    assert_problem(editor.get("/api/v1/interviews/999999"), 404)


def test_findings_under_an_interview(api_as, db_session):
    account, _ = acme(db_session)
    editor = api_as(Role.EDITOR)
    created = editor.post("/api/v1/interviews", json=body(account.id)).get_json()
    url = f"/api/v1/interviews/{created['id']}/findings"
    added = editor.post(url, json={"kind": "pain_point", "theme": "Onboarding", "text": "Took weeks"})
    assert added.status_code == 201
    finding = added.get_json()
    assert (finding["theme"], finding["version"], finding["archived_at"]) == ("Onboarding", 1, None)
    assert_problem(editor.post(url, json={"kind": "pain_point"}), 422)
    one = f"{url}/{finding['id']}"
    assert editor.get(one).get_json() == finding
    assert "version" in assert_problem(editor.patch(one, json={"theme": "Setup"}), 422)["errors"]
    patched = editor.patch(one, json={"theme": "Setup", "version": 1})
    assert patched.status_code == 200 and patched.get_json()["theme"] == "Setup"
    assert_problem(editor.patch(one, json={"text": "late", "version": 1}), 409)
    assert editor.delete(one).status_code == 204
    listed = editor.get(url).get_json()
    assert len(listed) == 1 and listed[0]["archived_at"]  # archived findings stay visible here
    in_list = editor.get("/api/v1/interviews").get_json()["items"][0]
    assert in_list["findings"] == []  # lists show current findings only
    assert editor.post(f"{one}/restore").get_json()["archived_at"] is None
    assert_problem(editor.get(f"{url}/999999"), 404)
    # a finding is reached only through its own interview
    other = editor.post("/api/v1/interviews", json=body(account.id)).get_json()
    assert_problem(editor.get(f"/api/v1/interviews/{other['id']}/findings/{finding['id']}"), 404)
    kinds = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity == "interview_finding").order_by(AuditEvent.id)
    ).all()
    assert kinds == ["create", "update", "archive", "restore"]
    assert db_session.scalar(select(func.count(InterviewFinding.id))) == 1


def test_the_list_filters_and_paginates(api_as, db_session):
    space = build_workspace(db_session)
    viewer = api_as(Role.VIEWER)
    page = viewer.get("/api/v1/interviews?per_page=3&page=2").get_json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (7, 2, 3, 3)
    onboarding = viewer.get("/api/v1/interviews?theme=ONBOARDING&finding_kind=pain_point").get_json()
    assert onboarding["total"] == 5
    alpha = viewer.get(f"/api/v1/interviews?account_id={space.accounts['Alpha'].id}&kind=win_loss").get_json()
    assert [i["kind"] for i in alpha["items"]] == ["win_loss"]
    problem = assert_problem(viewer.get("/api/v1/interviews?kind=chat"), 422)
    assert "kind" in str(problem["errors"])
    assert_problem(viewer.get("/api/v1/interviews?per_page=1000"), 422)


def test_the_themes_report(api_as, db_session):
    space = build_workspace(db_session)
    viewer = api_as(Role.VIEWER)
    report = viewer.get("/api/v1/interviews/themes").get_json()
    assert report["interviewed"] == {"converted": 2, "not_converted": 2, "open": 1}
    first = report["themes"][0]
    assert (first["kind"], first["theme"], first["accounts"], first["findings"], first["interviews"]) == (
        "pain_point",
        "Onboarding",
        3,
        4,
        4,
    )
    assert first["by_outcome"] == {
        "converted": {"accounts": 2, "findings": 3},
        "not_converted": {"accounts": 0, "findings": 0},
        "open": {"accounts": 1, "findings": 1},
    }
    game = next(a for a in first["by_archetype"] if a["archetype"] == "Game changer")
    assert (game["accounts"], game["converted"]) == (2, 2)
    assert {r["dmu_role"]: r["accounts"] for r in first["by_role"]} == {
        "champion": 1,
        "economic_buyer": 1,
        "end_user": 1,
        "veto_holder": 1,
    }
    objections = viewer.get("/api/v1/interviews/themes?finding_kind=objection").get_json()
    assert [t["theme"] for t in objections["themes"]] == ["Price"]
    assert_problem(viewer.get("/api/v1/interviews/themes?interview_kind=chat"), 422)
    assert space  # the workspace is what the numbers above were counted from


def test_the_openapi_document_lists_the_interview_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/interviews",
        "/api/v1/interviews/themes",
        "/api/v1/interviews/{interview_id}",
        "/api/v1/interviews/{interview_id}/restore",
        "/api/v1/interviews/{interview_id}/findings",
        "/api/v1/interviews/{interview_id}/findings/{finding_id}",
        "/api/v1/interviews/{interview_id}/findings/{finding_id}/restore",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/interviews/{interview_id}"]) >= {"get", "patch", "delete"}
