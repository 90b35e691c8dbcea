"""Streaming CSV exports give their database connection back however they end (issues 15 and 19).

These tests run on a real connection pool (a SQLite file, or a PostgreSQL schema of their own), not on the
single shared connection the other tests use, so a connection left checked out shows in `pool.checkedout()`.
"""

from __future__ import annotations

import gc

import pytest
from flask import Flask

from ecp_tracker.demo.workspace import DEMO_LOGINS
from ecp_tracker.services.accounts import export as account_export

EXPORTS = ("/accounts/export.csv", "/pilots/export.csv", "/testimonials/export.csv", "/interviews/export.csv")
VIEWER = DEMO_LOGINS[2]


def _checked_out(app: Flask) -> int:
    return app.extensions["ecp_db"].engine.pool.checkedout()


@pytest.fixture
def viewer(pooled_app):
    client = pooled_app.test_client()
    response = client.post("/login", data={"email": VIEWER.email, "password": VIEWER.password})
    assert response.status_code == 302
    return client


@pytest.fixture
def no_gc():
    """The garbage collector would return a leaked connection sooner or later: keep it out of the count."""
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def test_200_exports_in_a_row_leave_no_connection_checked_out(pooled_app, viewer, no_gc):
    for round_ in range(50):
        for url in EXPORTS:
            response = viewer.get(url)
            assert response.status_code == 200, url
            assert response.get_data(as_text=True).count("\n") > 1, url
            assert _checked_out(pooled_app) == 0, (round_, url)


def test_exports_are_not_kept_in_caches(viewer):
    for url in EXPORTS:
        assert viewer.get(url).headers["Cache-Control"] == "no-store", url


def test_aborted_downloads_give_their_connection_back(pooled_app, viewer, no_gc):
    for _ in range(20):
        for url in EXPORTS:
            response = viewer.get(url, buffered=False)
            assert response.status_code == 200
            next(response.response)  # the client reads the first chunk, then goes away
            response.close()
            assert _checked_out(pooled_app) == 0, url


def test_downloads_never_read_give_their_connection_back(pooled_app, viewer, no_gc):
    for _ in range(20):
        for url in EXPORTS:
            viewer.get(url, buffered=False).close()
            assert _checked_out(pooled_app) == 0, url


def test_a_failing_export_gives_its_connection_back(pooled_app, viewer, no_gc, monkeypatch):
    real_rows = account_export._rows

    def failing_rows(session, filters):
        rows = real_rows(session, filters)
        yield next(rows)
        yield next(rows)
        raise RuntimeError("the database went away mid-export")

    monkeypatch.setattr(account_export, "_rows", failing_rows)
    for _ in range(20):
        with pytest.raises(RuntimeError, match="went away"):
            viewer.get("/accounts/export.csv").get_data()
        assert _checked_out(pooled_app) == 0


ODD_VALUES = ("99999999999999999999", "-1", "abc", "", "1e5", "%00", "\u00e9\u00e8", "0x10")
PARAMS = (
    "outcome",
    "due",
    "stage",
    "page",
    "per_page",
    "sort",
    "q",
    "owner",
    "archetype",
    "size_band",
    "status",
)
PAGES = ("/accounts/", "/pilots/", "/testimonials/", "/interviews/", *EXPORTS)


@pytest.mark.parametrize("path", PAGES)
def test_odd_query_values_on_lists_and_exports_are_never_a_server_error(pooled_app, viewer, path):
    for param in PARAMS:
        for value in ODD_VALUES:
            response = viewer.get(path, query_string={param: value})
            assert response.status_code in (200, 400), (path, param, value, response.status_code)
            response.get_data()
            response.close()
    gc.collect()
    assert _checked_out(pooled_app) == 0
