"""JSON bodies json.loads accepts but no record can hold (issue 19): 400 or 422 problem+json, never a 500."""

from __future__ import annotations

import pytest

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Account

CREATES = ("/api/v1/accounts", "/api/v1/archetypes", "/api/v1/traits", "/api/v1/testimonials")


def _post(client, url, raw: str):
    return client.post(url, data=raw.encode("utf-8"), content_type="application/json")


@pytest.mark.parametrize("url", CREATES)
def test_a_lone_surrogate_is_a_400_problem(api_as, url):
    response = _post(api_as(Role.ADMIN), url, '{"name": "x\\ud800y", "stage": "prospect"}')
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "surrogate" in response.get_json()["detail"]


@pytest.mark.parametrize("url", CREATES)
def test_deeply_nested_json_is_a_400_problem(api_as, url):
    response = _post(api_as(Role.ADMIN), url, "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "deeper" in response.get_json()["detail"]


def test_nul_characters_are_refused_naming_the_field(api_as, db_session):
    response = _post(
        api_as(Role.ADMIN), "/api/v1/accounts", '{"name": "Acme\\u0000 Ltd", "stage": "prospect"}'
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"name": ["Text may not contain NUL characters (\\u0000)."]}
    assert db_session.query(Account).count() == 0


def test_brackets_inside_strings_do_not_count_as_nesting(api_as):
    response = _post(
        api_as(Role.ADMIN), "/api/v1/accounts", '{"name": "' + "[{" * 40 + '", "stage": "prospect"}'
    )
    assert response.status_code == 201, response.get_json()


def test_openapi_documents_errors_as_problem_json(client):
    document = client.get("/api/v1/openapi.json").get_json()
    responses = document["components"]["responses"]
    for name in ("DEFAULT_ERROR", "UNPROCESSABLE_ENTITY"):
        assert list(responses[name]["content"]) == ["application/problem+json"], name
    patch = document["paths"]["/api/v1/accounts/{account_id}"]["patch"]["responses"]
    assert patch["default"] == {"$ref": "#/components/responses/DEFAULT_ERROR"}
