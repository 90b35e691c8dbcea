"""Two people saving at the same moment (issue 19): the loser gets the 409 or 422 a lone request gets.

Real races: two threads send their requests together (a barrier releases them) against an app on a pooled
database (a SQLite file, or a PostgreSQL schema of its own), so each request has its own connection and the
database decides who wins. Many trials, because a race is only sometimes lost at the database.
"""

from __future__ import annotations

import threading
import uuid

from ecp_tracker.models import Account, User
from ecp_tracker.services.users import tokens
from tests.conftest import TEST_ACTOR

TRIALS = 12


def _admin_api(app):
    session = app.extensions["ecp_db"].session_factory()
    admin = session.query(User).filter_by(email="admin@northwind.example").one()
    _token, plain = tokens.create_token(session, TEST_ACTOR, admin, name=f"race {uuid.uuid4().hex[:8]}")
    session.commit()
    session.close()
    return {"Authorization": f"Bearer {plain}"}


def _together(app, calls):
    """Run each (method, url, json) at once on its own client; the responses' (status, body)."""
    barrier = threading.Barrier(len(calls))
    results: list[tuple[int, dict] | None] = [None] * len(calls)

    def run(index, headers, method, url, body):
        client = app.test_client()
        barrier.wait()
        response = client.open(url, method=method, json=body, headers=headers)
        results[index] = (response.status_code, response.get_json(silent=True) or {})

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_simultaneous_patches_of_one_account_give_200_and_409_never_500(pooled_app):
    headers = _admin_api(pooled_app)
    session = pooled_app.extensions["ecp_db"].session_factory()
    account_id = session.query(Account.id).order_by(Account.id).limit(1).scalar()
    session.close()
    client = pooled_app.test_client()
    for trial in range(TRIALS):
        version = client.get(f"/api/v1/accounts/{account_id}", headers=headers).get_json()["version"]
        results = _together(
            pooled_app,
            [
                (
                    headers,
                    "PATCH",
                    f"/api/v1/accounts/{account_id}",
                    {"version": version, "notes": f"{trial} {who}"},
                )
                for who in ("ann", "bob")
            ],
        )
        statuses = sorted(status for status, _ in results)
        assert statuses == [200, 409], (trial, results)
        for status, body in results:
            if status == 409:
                assert body["title"] == "Edit conflict"
                assert "someone else" in body["detail"]
        after = client.get(f"/api/v1/accounts/{account_id}", headers=headers).get_json()
        assert after["version"] == version + 1


def test_simultaneous_creates_with_one_name_give_201_and_422_never_500(pooled_app):
    headers = _admin_api(pooled_app)
    for trial in range(TRIALS):
        name = f"Race {uuid.uuid4().hex[:10]} {trial}"
        results = _together(
            pooled_app,
            [(headers, "POST", "/api/v1/accounts", {"name": name, "stage": "prospect"}) for _ in range(2)],
        )
        statuses = sorted(status for status, _ in results)
        assert statuses == [201, 422], (trial, results)
        refused = next(body for status, body in results if status == 422)
        assert "name" in refused["errors"], refused


def test_simultaneous_patches_of_one_user_give_200_and_409_never_500(pooled_app):
    headers = _admin_api(pooled_app)
    client = pooled_app.test_client()
    listed = client.get("/api/v1/users", headers=headers).get_json()["items"]
    user_id = next(u["id"] for u in listed if u["email"] == "viewer@northwind.example")
    for trial in range(TRIALS):
        version = client.get(f"/api/v1/users/{user_id}", headers=headers).get_json()["version"]
        results = _together(
            pooled_app,
            [
                (
                    headers,
                    "PATCH",
                    f"/api/v1/users/{user_id}",
                    {"version": version, "name": f"Vera {trial} {who}"},
                )
                for who in ("ann", "bob")
            ],
        )
        assert sorted(status for status, _ in results) == [200, 409], (trial, results)
