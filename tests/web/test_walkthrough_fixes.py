"""Small things a new user met on the walk-through: the favicon."""

from __future__ import annotations


def test_favicon_ico_answers_without_a_session(client, db_session):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.headers["Location"].endswith("/static/favicon.svg")
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    icon.close()
