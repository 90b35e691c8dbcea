"""/api/v1/reviews: open a month, read the snapshot with its hash, decide, finalise into a draft ICP,
Markdown; a second review of a month, a decision on a value not in the snapshot and any change after
finalising are refused with a clear message; viewers read only."""

from __future__ import annotations

import hashlib
import json

from ecp_tracker.domain.roles import Role
from tests.factories.analysis import add

PROBLEM = "application/problem+json"


def _evidence(db_session):
    for i in range(20):
        add(db_session, f"Fin {i}", industry="Fintech", stage="customer" if i < 18 else "lost")
        add(db_session, f"Ret {i}", industry="Retail", stage="customer" if i < 4 else "lost")
    db_session.commit()


def test_a_whole_review_through_the_api(api_as, db_session):
    _evidence(db_session)
    editor, viewer = api_as(Role.EDITOR), api_as(Role.VIEWER)
    assert viewer.post("/api/v1/reviews", json={"period": "2026-11"}).status_code == 403
    created = editor.post("/api/v1/reviews", json={"period": "2026-11"})
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    canonical = json.dumps(body["snapshot"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert body["snapshot_sha256"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert {"trait": "industry", "value": "Fintech"} in [
        {"trait": c["trait"], "value": c["value"]} for c in body["candidates"]
    ]
    again = editor.post("/api/v1/reviews", json={"period": "2026-11"})
    assert (
        again.status_code == 422
        and again.mimetype == PROBLEM
        and "exists already" in again.get_json()["detail"]
    )

    review = f"/api/v1/reviews/{body['id']}"
    wrong = editor.post(f"{review}/decisions", json={
        "trait": "industry", "value": "Gambling", "decision": "graduate", "rationale": "Why not",
    })  # fmt: skip
    assert wrong.status_code == 422 and "value" in wrong.get_json()["errors"]
    decided = editor.post(f"{review}/decisions", json={
        "trait": "industry", "value": "Fintech", "decision": "graduate", "rationale": "Lift", "points": 40,
    })  # fmt: skip
    assert decided.status_code == 201 and decided.get_json()["against_evidence"] is True  # first look only

    finalised = editor.post(f"{review}/finalize")
    assert finalised.status_code == 200
    draft_id = finalised.get_json()["draft_icp_version_id"]
    draft = viewer.get(f"/api/v1/icp/versions/{draft_id}").get_json()
    assert draft["status"] == "draft"
    assert any(c["trait"] == "industry" and c.get("value") == "Fintech" for c in draft["criteria"])

    refused = editor.post(f"{review}/decisions", json={
        "trait": "industry", "value": "Retail", "decision": "reject", "rationale": "No",
    })  # fmt: skip
    assert refused.status_code == 409 and "finalised" in refused.get_json()["detail"]
    assert editor.post(f"{review}/finalize").status_code == 409

    text = viewer.get(f"{review}/markdown")
    assert text.mimetype == "text/markdown"
    page = text.get_data(as_text=True)
    assert "# ECP to ICP review, 2026-11" in page and body["snapshot_sha256"] in page
    assert "Fintech: graduate**, 40 points. **Against the evidence.**" in page
    listed = viewer.get("/api/v1/reviews").get_json()
    assert listed["total"] == 1 and listed["items"][0]["status"] == "finalised"


def test_the_openapi_document_lists_the_review_operations(api_as):
    paths = api_as(Role.VIEWER).get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/reviews", "/api/v1/reviews/{review_id}", "/api/v1/reviews/{review_id}/decisions",
                 "/api/v1/reviews/{review_id}/finalize", "/api/v1/reviews/{review_id}/markdown"):  # fmt: skip
        assert path in paths
