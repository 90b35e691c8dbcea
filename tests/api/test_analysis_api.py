"""GET /api/v1/analysis: the analysis document of docs/api.md, its errors, roles, and the OpenAPI document."""

from __future__ import annotations

import json

import pytest

from ecp_tracker.domain.roles import Role
from tests.factories.analysis import add

RESULT_KEYS = [
    "trait", "value", "n_with", "n_without", "rate_with", "rate_without", "odds_ratio", "odds_ratio_ci",
    "difference", "difference_ci", "p_value", "q_value", "adjusted_odds_ratio", "adjusted_odds_ratio_ci",
    "adjusted_p_value", "adjusted_q_value", "heterogeneity_p_value", "recommendation", "flags",
    "more_accounts_needed", "explanation",
    # evidence engine v2 (issue 16) adds fields and renames none
    "adjusted_difference", "adjusted_difference_ci", "confounding", "corrected_difference", "model",
]  # fmt: skip


def seed(session) -> None:
    for i in range(20):
        add(
            session,
            f"Acc {i}",
            stage=("customer", "lost", "churned", "prospect")[i % 4],
            acquisition_channel=("Referral", "Outbound")[i % 2],
            archetypes=["Game changer" if i % 3 else "Tech enthusiast"],
            industry=("SaaS", "Retail", "Fintech")[i % 3],
        )
    session.commit()


def test_binary_analysis_has_exactly_the_contract_keys(api_as, db_session):
    seed(db_session)
    response = api_as(Role.VIEWER).get(
        "/api/v1/analysis?outcome=converted&stratify_by=acquisition_channel&fdr=0.1"
    )
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {
        "outcome",
        "population",
        "positives",
        "stratified_by",
        "fdr",
        "results",
        "model",
        "trends",
    }
    assert body["population"] == 15 and body["stratified_by"] == "acquisition_channel" and body["fdr"] == 0.1
    assert body["results"]
    for result in body["results"]:
        assert set(result) == set(RESULT_KEYS)
    # hand count of the seed: decided are i % 4 != 3; game changers i % 3 != 0; converted i % 4 in (0, 2)
    decided = [i for i in range(20) if i % 4 != 3]
    game_changers = [i for i in decided if i % 3]
    (game_changer,) = [r for r in body["results"] if r["value"] == "Game changer"]
    assert (game_changer["n_with"], game_changer["n_without"]) == (
        len(game_changers),
        15 - len(game_changers),
    )
    assert game_changer["rate_with"] == pytest.approx(
        sum(1 for i in game_changers if i % 4 in (0, 2)) / len(game_changers)
    )
    json.dumps(body, allow_nan=False)  # nulls, never NaN or Infinity
    assert b"NaN" not in response.data and b"Infinity" not in response.data


def test_unstratified_adjusted_fields_are_null(api_as, db_session):
    seed(db_session)
    body = api_as(Role.VIEWER).get("/api/v1/analysis?outcome=converted").get_json()
    assert body["stratified_by"] is None
    assert body["results"]
    assert all(r["adjusted_odds_ratio"] is None and r["adjusted_q_value"] is None for r in body["results"])


def test_errors_are_problems_naming_the_field(api_as, db_session):
    client = api_as(Role.VIEWER)
    for url, field in (
        ("/api/v1/analysis", "outcome"),
        ("/api/v1/analysis?outcome=happiness", "outcome"),
        ("/api/v1/analysis?outcome=converted&fdr=2", "fdr"),
        ("/api/v1/analysis?outcome=converted&stratify_by=shoe_size", "stratify_by"),
    ):
        response = client.get(url)
        assert response.status_code == 422, url
        assert response.mimetype == "application/problem+json"
        assert field in json.dumps(response.get_json()), url


def test_needs_a_token(client):
    response = client.get("/api/v1/analysis?outcome=converted")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_documented_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/analysis"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"outcome", "stratify_by", "fdr"}
