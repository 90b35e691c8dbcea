"""Characters Python calls digits but int() refuses (superscripts) are bad input, never a server error."""

from __future__ import annotations

import pytest

from ecp_tracker.domain.roles import Role


@pytest.mark.parametrize(
    ("path", "shows"),
    [
        ("/accounts/?owner=%C2%B2", "Filter ignored"),  # the bad filter is named, the list still shows
        ("/pilots/new?account_id=%C2%B2", "which account?"),  # not an id: the account picker
        ("/interviews/new?account_id=%C2%B2", "which account?"),
        ("/archetypes/?page=%C2%B2", "Archetypes"),  # page 1
        ("/admin/audit?user=%C2%B2", "Audit"),  # no user filter
    ],
)
def test_superscript_numbers_are_not_a_server_error(client_as, path, shows):
    response = client_as(Role.ADMIN).get(path)
    assert response.status_code == 200, path
    assert shows in response.get_data(as_text=True), path


HUGE = "9" * 25


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/testimonials/?page={HUGE}", 200),  # not a page number: page 1
        (f"/testimonials/new?account_id={HUGE}", 404),  # no account has such an id
        (f"/accounts/?page={HUGE}", 200),
        (f"/pilots/{HUGE}", 400),  # in the URL: the database refuses the number, answered as bad input
    ],
)
def test_numbers_too_large_for_the_database_are_not_a_server_error(client_as, path, status):
    response = client_as(Role.ADMIN).get(path)
    assert response.status_code == status, (path, response.status_code)


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("get", f"/api/v1/accounts?page={HUGE}", None, 422),  # page is bounded in the schema
        ("get", f"/api/v1/testimonials?account_id={HUGE}", None, 422),
        # an id above 32 bits is no record's: 422 naming it, as the document's maximum says
        ("post", "/api/v1/testimonials", {"account_id": int(HUGE), "body": "Great."}, 422),
        ("get", f"/api/v1/pilots?page={HUGE}", None, 422),
    ],
)
def test_api_numbers_too_large_are_problems_not_server_errors(api_as, method, path, body, status):
    client = api_as(Role.EDITOR)
    response = getattr(client, method)(path, json=body) if body else getattr(client, method)(path)
    assert response.status_code == status, (path, response.status_code)
    assert response.mimetype == "application/problem+json"
    if status == 422:
        assert response.get_json()["errors"], path
