"""Two people saving at the same moment (issue 19): the loser gets the 409 or 422 a lone request gets.

Real races: two threads send their requests together (a barrier releases them) against an app on a pooled
database (a SQLite file, or a PostgreSQL schema of its own), so each request has its own connection and the
database decides who wins. Many trials, because a race is only sometimes lost at the database.
"""

from __future__ import annotations

import threading
import uuid
from html.parser import HTMLParser

import pytest

from ecp_tracker.models import Account, User
from ecp_tracker.services.accounts import accounts
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
        winner = next(body for status, body in results if status == 200)
        for status, body in results:
            if status == 409:
                assert body["title"] == "Edit conflict"
                assert "someone else" in body["detail"]
                assert body["current"]["notes"] == winner["notes"]  # the other person's change, quoted
                assert body["current"]["version"] == version + 1
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


# PATCH of each versioned resource: (list to take a record from, the field the two people change)
PATCHED = [
    ("/api/v1/pilots", "hypothesis"),
    ("/api/v1/testimonials", "source"),
    ("/api/v1/collections", "intro"),
    ("/api/v1/interviews", "summary"),
    ("/api/v1/users", "name"),
]


@pytest.mark.parametrize(("listing", "field"), PATCHED, ids=[url.rsplit("/", 1)[1] for url, _ in PATCHED])
def test_simultaneous_patches_give_200_and_409_quoting_the_other_change(pooled_app, listing, field):
    headers = _admin_api(pooled_app)
    client = pooled_app.test_client()
    listed = client.get(listing, headers=headers).get_json()
    items = listed["items"] if isinstance(listed, dict) else listed
    record_id = items[-1]["id"]
    url = f"{listing}/{record_id}"
    for trial in range(TRIALS):
        version = client.get(url, headers=headers).get_json()["version"]
        results = _together(
            pooled_app,
            [
                (headers, "PATCH", url, {"version": version, field: f"{trial} by {who}"})
                for who in ("ann", "bob")
            ],
        )
        assert sorted(status for status, _ in results) == [200, 409], (trial, results)
        winner = next(body for status, body in results if status == 200)
        loser = next(body for status, body in results if status == 409)
        assert loser["title"] == "Edit conflict" and "someone else" in loser["detail"]
        assert loser["current"][field] == winner[field], loser
        assert loser["current"]["version"] == winner["version"] == version + 1
        assert "password_hash" not in loser["current"]
        assert client.get(url, headers=headers).get_json()[field] == winner[field]


# Creates racing for one unique value: (url, body for a fresh value, the field named in the 422)
CREATED = [
    ("/api/v1/collections", lambda key: {"slug": f"wall-{key}", "title": f"Wall {key}", "tags": []}, "slug"),
    ("/api/v1/archetypes", lambda key: {"name": f"Archetype {key}"}, "name"),
    (
        "/api/v1/users",
        lambda key: {
            "email": f"{key}@northwind.example",
            "name": "Race",
            "role": "viewer",
            "password": "x" * 12,
        },
        "email",
    ),
]


@pytest.mark.parametrize(("url", "body", "field"), CREATED, ids=[c[2] for c in CREATED])
def test_simultaneous_creates_of_one_unique_value_give_201_and_422_naming_it(pooled_app, url, body, field):
    headers = _admin_api(pooled_app)
    for trial in range(TRIALS):
        made = body(f"race{uuid.uuid4().hex[:10]}{trial}")
        results = _together(pooled_app, [(headers, "POST", url, made) for _ in range(2)])
        assert sorted(status for status, _ in results) == [201, 422], (trial, results)
        refused = next(body for status, body in results if status == 422)
        assert field in refused["errors"], refused


def _signed_in(app):
    client = app.test_client()
    response = client.post("/login", data={"email": "admin@northwind.example", "password": "demo-admin-pass"})
    assert response.status_code == 302
    return client


class _FormValues(HTMLParser):
    """The values a browser would send back from a page's form (inputs, checked boxes, selected options)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and (a.get("type") not in ("checkbox", "radio") or "checked" in a):
            self.values[name] = a.get("value") or ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and ("selected" in a or self._select not in self.values):
            self.values[self._select] = a.get("value") or ""
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def _form_values(client, url) -> dict[str, str]:
    parser = _FormValues()
    parser.feed(client.get(url).get_data(as_text=True))
    return parser.values


def _save_form(client, barrier, account_id, data, results, index):
    barrier.wait()
    response = client.post(f"/accounts/{account_id}/edit", data=data)
    results[index] = (response.status_code, response.get_data(as_text=True))


def test_simultaneous_saves_of_the_account_edit_form_refuse_one_with_the_other_change(pooled_app):
    session = pooled_app.extensions["ecp_db"].session_factory()
    name = f"Form race {uuid.uuid4().hex[:8]}"
    account_id = accounts.create_account(session, TEST_ACTOR, {"name": name, "stage": "prospect"}).id
    session.commit()
    session.close()
    clients = [_signed_in(pooled_app), _signed_in(pooled_app)]
    for trial in range(TRIALS):
        shown = _form_values(clients[0], f"/accounts/{account_id}/edit")
        barrier = threading.Barrier(2)
        results: list = [None, None]
        threads = [
            threading.Thread(
                target=_save_form,
                args=(
                    clients[i],
                    barrier,
                    account_id,
                    {**shown, "notes": f"{trial} {who}"},
                    results,
                    i,
                ),
            )
            for i, who in enumerate(("ann", "bob"))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(status for status, _ in results) == [302, 422], (trial, [r[0] for r in results])
        page = next(text for status, text in results if status == 422)
        assert "changed by someone else" in page and "The other person" in page
