"""/api/v1/icp/versions and the `icp` object on accounts: validation (422 naming the field), optimistic
locking, drafts only editable, preview, activation and rollback, the tier filter, and the OpenAPI document;
the account page, the CSV export and the API carry the same score."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy.orm import Session

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Account
from ecp_tracker.services.accounts import accounts
from tests.conftest import TEST_ACTOR

TODAY = date(2026, 11, 1)
BODY = {
    "name": "API ICP",
    "criteria": [
        {"trait": "archetype", "value": "Game changer", "points": 40},
        {"trait": "industry", "value": "Fintech", "points": 25},
        {"trait": "industry", "value": "Gambling", "exclude": True},
    ],
    "tiers": [{"name": "A", "min_score": 60}, {"name": "B", "min_score": 30}, {"name": "C", "min_score": 0}],
}


def make(session: Session, **raw: object) -> Account:
    account = accounts.create_account(session, TEST_ACTOR, raw, today=TODAY)
    session.commit()
    return account


def test_draft_preview_activate_and_roll_back(api_as, db_session):
    top = make(db_session, name="Top", industry="Fintech", archetypes="Game changer")
    make(db_session, name="Casino", industry="Gambling")
    editor = api_as(Role.EDITOR)
    created = editor.post("/api/v1/icp/versions", json=BODY)
    assert created.status_code == 201, created.get_json()
    first = created.get_json()
    assert first["status"] == "draft" and first["number"] == 1

    shown = editor.get(f"/api/v1/icp/versions/{first['id']}/preview").get_json()
    cells = {(c["current"], c["new"]): c["accounts"] for c in shown["matrix"]}
    assert cells[("none", "A")] == 1 and cells[("none", "excluded")] == 1
    assert shown["moved"]["total"] == 2

    assert editor.post(f"/api/v1/icp/versions/{first['id']}/activate").get_json()["status"] == "active"
    account = editor.get(f"/api/v1/accounts/{top.id}").get_json()
    assert account["icp"] == {
        "version": 1,
        "score": 65,
        "tier": "A",
        "reasons": [
            {"trait": "archetype", "value": "Game changer", "points": 40},
            {"trait": "industry", "value": "Fintech", "points": 25},
        ],
    }
    assert sum(r["points"] for r in account["icp"]["reasons"]) == account["icp"]["score"]
    listed = editor.get("/api/v1/accounts?tier=excluded").get_json()
    assert [a["name"] for a in listed["items"]] == ["Casino"]

    second = editor.post(
        "/api/v1/icp/versions", json={**BODY, "name": "Narrow", "criteria": BODY["criteria"][1:]}
    )
    second_id = second.get_json()["id"]
    editor.post(f"/api/v1/icp/versions/{second_id}/activate")
    assert editor.get(f"/api/v1/accounts/{top.id}").get_json()["icp"]["tier"] == "C"
    rolled = editor.post(f"/api/v1/icp/versions/{first['id']}/activate")
    assert rolled.get_json()["status"] == "active"
    assert editor.get(f"/api/v1/accounts/{top.id}").get_json()["icp"]["tier"] == "A"
    statuses = {v["number"]: v["status"] for v in editor.get("/api/v1/icp/versions").get_json()["items"]}
    assert statuses == {1: "active", 2: "retired"}


def test_bad_input_is_a_422_naming_the_field(api_as):
    editor = api_as(Role.EDITOR)
    bad = {**BODY, "criteria": [{"trait": "size_band", "value": "huge", "points": 5}]}
    response = editor.post("/api/v1/icp/versions", json=bad)
    assert response.status_code == 422
    assert "criteria.0.value" in response.get_json()["errors"]
    response = editor.post(
        "/api/v1/icp/versions",
        json={**BODY, "tiers": [{"name": "A", "min_score": 0}, {"name": "B", "min_score": 5}]},
    )
    assert response.status_code == 422 and "tiers.1.min_score" in response.get_json()["errors"]
    response = editor.post(
        "/api/v1/icp/versions", json={**BODY, "criteria": [{"trait": "nope", "value": "x"}]}
    )
    assert response.status_code == 422 and "criteria.0.trait" in response.get_json()["errors"]
    assert editor.get("/api/v1/icp/versions").get_json()["total"] == 0


def test_patch_needs_the_version_and_only_edits_a_draft(api_as):
    editor = api_as(Role.EDITOR)
    draft = editor.post("/api/v1/icp/versions", json=BODY).get_json()
    url = f"/api/v1/icp/versions/{draft['id']}"
    assert editor.patch(url, json={"name": "No version"}).status_code == 422
    assert editor.patch(url, json={"name": "Stale", "version": draft["version"] + 5}).status_code == 409
    patched = editor.patch(url, json={"name": "Renamed", "version": draft["version"]})
    assert patched.status_code == 200 and patched.get_json()["name"] == "Renamed"
    editor.post(f"{url}/activate")
    current = editor.get(url).get_json()
    refused = editor.patch(url, json={"name": "Changed", "version": current["version"]})
    assert refused.status_code == 409
    assert editor.get(url).get_json()["name"] == "Renamed"


def test_a_viewer_reads_but_cannot_write(api_as):
    editor, viewer = api_as(Role.EDITOR), api_as(Role.VIEWER)
    draft = editor.post("/api/v1/icp/versions", json=BODY).get_json()
    assert viewer.get(f"/api/v1/icp/versions/{draft['id']}").status_code == 200
    assert viewer.post("/api/v1/icp/versions", json=BODY).status_code == 403
    assert viewer.post(f"/api/v1/icp/versions/{draft['id']}/activate").status_code == 403


def test_the_openapi_document_has_the_icp_endpoints(api_as):
    spec = api_as(Role.VIEWER).get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/icp/versions",
        "/api/v1/icp/versions/{version_id}",
        "/api/v1/icp/versions/{version_id}/preview",
        "/api/v1/icp/versions/{version_id}/activate",
    ):
        assert path in spec["paths"]
    assert "icp" in spec["components"]["schemas"]["Account"]["properties"]


def test_export_api_and_page_carry_the_same_score(api_as, client_as, db_session):
    top = make(db_session, name="Top", industry="Fintech", archetypes="Game changer")
    editor = api_as(Role.EDITOR)
    version = editor.post("/api/v1/icp/versions", json=BODY).get_json()
    editor.post(f"/api/v1/icp/versions/{version['id']}/activate")
    api_score = editor.get(f"/api/v1/accounts/{top.id}").get_json()["icp"]
    page = client_as(Role.VIEWER)
    exported = page.get("/accounts/export.csv").get_data(as_text=True)
    row = next(r for r in csv.DictReader(io.StringIO(exported)) if r["name"] == "Top")
    assert (int(row["icp_score"]), row["icp_tier"]) == (api_score["score"], api_score["tier"])
    # the export shows each trait's label; the API keeps its name
    assert row["icp_reasons"] == "Archetype=Game changer (+40); Industry=Fintech (+25)"
    assert [r["trait"] for r in api_score["reasons"]] == ["archetype", "industry"]
    html = page.get(f"/accounts/{top.id}").get_data(as_text=True)
    assert "65" in html and "Tier A" in html
