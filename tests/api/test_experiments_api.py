"""/api/v1/experiments: create, edit the draft, start (arms drawn once), read results and arms, amend, record
custom outcomes, finish; bad input is a 422 naming the field; viewers read only; every write is audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import AuditEvent
from ecp_tracker.models.base import utcnow
from tests.factories.experiments import fintech_workspace

PROBLEM = "application/problem+json"
END = (utcnow().date() + timedelta(days=30)).isoformat()
BODY = {
    "name": "Tier A outbound",
    "hypothesis": "Outbound aimed at tier A converts more of them.",
    "metric": "custom",
    "custom_metric": "Booked a demo",
    "min_lift": 0.1,
    "holdout_share": 0.2,
    "baseline_rate": 0.1,
    "planned_end": END,
    "target_kind": "tier",
    "target_tier": "A",
    "seed": 2026,
}


def _workspace(db_session):
    fintech_workspace(db_session, 30)


def test_an_experiment_through_the_api(api_as, db_session):
    _workspace(db_session)
    editor, viewer = api_as(Role.EDITOR), api_as(Role.VIEWER)
    assert viewer.post("/api/v1/experiments", json=BODY).status_code == 403
    created = editor.post("/api/v1/experiments", json=BODY)
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert body["status"] == "draft" and body["sample_size"].startswith("With 30 accounts and a 20% holdout")
    url = f"/api/v1/experiments/{body['id']}"
    assert editor.get(f"{url}/results").status_code == 409  # nothing drawn yet

    patched = editor.patch(url, json={"name": "Tier A outbound v2", "version": body["version"]})
    assert patched.status_code == 200 and patched.get_json()["name"] == "Tier A outbound v2"
    stale = editor.patch(url, json={"name": "Old", "version": body["version"]})
    assert stale.status_code == 409

    started = editor.post(f"{url}/start", json={"version": patched.get_json()["version"]})
    assert started.status_code == 200, started.get_data(as_text=True)
    assert started.get_json()["arms"] == {"target": 24, "holdout": 6}
    assert started.get_json()["seed"] == "2026"
    arms = viewer.get(f"{url}/arms").get_json()
    assert len(arms) == 30 and sum(a["arm"] == "holdout" for a in arms) == 6
    frozen = editor.patch(url, json={"hypothesis": "Changed", "version": started.get_json()["version"]})
    assert frozen.status_code == 409 and "hypothesis" in frozen.get_json()["errors"]

    first = arms[0]["account_id"]
    recorded = editor.post(f"{url}/outcomes", json={"outcomes": [{"account_id": first, "outcome": True}]})
    assert recorded.status_code == 200 and recorded.get_json() == {"changed": 1}
    assert (
        viewer.post(
            f"{url}/outcomes", json={"outcomes": [{"account_id": first, "outcome": False}]}
        ).status_code
        == 403
    )
    amended = editor.post(f"{url}/amendments", json={"reason": "Sales wants a bigger lift", "min_lift": 0.2})
    assert amended.status_code == 201 and amended.get_json()["changes"] == {"min_lift": ["0.1", "0.2"]}
    read = viewer.get(url).get_json()
    assert read["min_lift"] == 0.1 and read["effective"]["min_lift"] == 0.2

    result = viewer.get(f"{url}/results")
    assert result.status_code == 200
    data = result.get_json()
    assert data["verdict"] == "too_early"
    assert data["target"]["assigned"] + data["holdout"]["assigned"] == 30
    assert data["target"]["measured"] + data["holdout"]["measured"] == 1

    finished = editor.post(f"{url}/finish", json={"version": read["version"]})
    assert finished.status_code == 200 and finished.get_json()["status"] == "finished"
    listed = viewer.get("/api/v1/experiments").get_json()
    assert [e["id"] for e in listed["items"]] == [body["id"]]
    audited = db_session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.entity.like("experiment%"))
    )
    assert audited == 6  # create, update, start, outcome, amendment, finish


def test_bad_input_is_a_422_naming_the_field(api_as, db_session):
    _workspace(db_session)
    editor = api_as(Role.EDITOR)
    for change, field in (
        ({"holdout_share": 0.9}, "holdout_share"),
        ({"min_lift": "lots"}, "min_lift"),
        ({"metric": "clicks"}, "metric"),
        ({"target_tier": "Z"}, "target_tier"),
        ({"planned_end": "2020-01-01"}, "planned_end"),
        ({"seed": -1}, "seed"),
    ):
        response = editor.post("/api/v1/experiments", json={**BODY, **change})
        assert response.status_code == 422, (change, response.get_data(as_text=True))
        assert response.mimetype == PROBLEM and field in response.get_json()["errors"], change
    assert editor.get("/api/v1/experiments").get_json()["items"] == []
    assert editor.get("/api/v1/experiments/999").status_code == 404
