"""/api/v1/pilots (criteria, amendments, results, transitions, outcome, milestones), /api/v1/milestones,
/api/v1/discounts and /api/v1/promises: the founder's flow, frozen criteria (409), the 422/409 rules for
PATCH, roles, lists with the pagination envelope, and problem+json errors naming the field."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import (
    Account,
    AuditEvent,
    CriterionAmendment,
    Discount,
    GiveGet,
    Pilot,
    SuccessCriterion,
)
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.accounts import accounts
from ecp_tracker.services.pilots import discounts, pilots
from tests.conftest import TEST_ACTOR

PROBLEM = "application/problem+json"
TODAY = utcnow().date()
LATENCY = {
    "description": "95th-percentile latency of their dashboard queries.",
    "metric": "p95 query latency",
    "target": 300,
    "unit": "ms",
    "direction": "at_most",
}
ANALYSTS = {
    "description": "Analysts running a query every week.",
    "metric": "weekly active analysts",
    "target": "8",
    "unit": "analysts",
    "direction": "at_least",
}
SOURCES = {"description": "Sources syncing daily.", "metric": "sources connected", "target": 5}
PREFIXES = ("/api/v1/pilots", "/api/v1/milestones", "/api/v1/discounts", "/api/v1/promises")


def days(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def ok(response, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def written(session: Session) -> tuple[Any, ...]:
    """What the requests committed."""
    session.expire_all()
    return (
        session.scalar(select(func.count(AuditEvent.id))),
        session.execute(select(Pilot.id, Pilot.status, Pilot.name, Pilot.version).order_by(Pilot.id)).all(),
        session.execute(
            select(
                SuccessCriterion.id,
                SuccessCriterion.target,
                SuccessCriterion.actual,
                SuccessCriterion.version,
            )
        ).all(),
        session.scalar(select(func.count(CriterionAmendment.id))),
        session.execute(select(Account.id, Account.stage, Account.version)).all(),
        session.scalar(select(func.count(Discount.id))),
        session.execute(select(GiveGet.id, GiveGet.fulfilled_on)).all(),
    )


@pytest.fixture
def account(db_session: Session) -> Account:
    made = accounts.create_account(
        db_session, TEST_ACTOR, {"name": "Acme Analytics", "archetypes": ["Game changer"]}, today=TODAY
    )
    db_session.commit()
    return made


@pytest.fixture
def editor(api_as):
    return api_as(Role.EDITOR)


@pytest.fixture
def viewer(api_as):
    return api_as(Role.VIEWER)


def create(api, account: Account, **extra: Any) -> dict:
    body = {
        "account_id": account.id,
        "name": "Warehouse sync pilot",
        "hypothesis": "A managed pipeline keeps their warehouse fresh.",
        "start_date": days(-10),
        "planned_end_date": days(30),
        "list_price": 3000,
        "pilot_price": "1500.50",
        "criteria": [LATENCY, ANALYSTS, SOURCES],
        **extra,
    }
    return ok(api.post("/api/v1/pilots", json=body), 201)


def start(api, pilot: dict) -> dict:
    return ok(api.post(f"/api/v1/pilots/{pilot['id']}/transitions", json={"to": "active", "on": days(-7)}))


# --- the founder's flow ----------------------------------------------------------------------------------


def test_the_founders_flow(editor, viewer, account):
    pilot = create(editor, account)
    assert (pilot["status"], pilot["outcome"], pilot["version"]) == ("planned", "pending", 1)
    assert pilot["account"] == {"id": account.id, "name": "Acme Analytics", "stage": "prospect"}
    assert (pilot["list_price"], pilot["pilot_price"], pilot["start_date"]) == (3000.0, 1500.5, days(-10))
    assert [c["metric"] for c in pilot["criteria"]] == [
        "p95 query latency",
        "weekly active analysts",
        "sources connected",
    ]
    assert pilot["scorecard"] == {
        "total": 3,
        "recorded": 0,
        "met": 0,
        "complete": False,
        "verdict": "results pending",
        "agreement": None,
    }
    latency = pilot["criteria"][0]
    assert (latency["target"], latency["direction"], latency["frozen_at"], latency["amendments"]) == (
        300.0,
        "at_most",
        None,
        [],
    )
    assert latency["effective"] == {
        "description": LATENCY["description"],
        "metric": "p95 query latency",
        "target": 300.0,
        "unit": "ms",
        "direction": "at_most",
        "amended": False,
    }
    # while planned, a criterion can be edited
    base = f"/api/v1/pilots/{pilot['id']}"
    edited = ok(
        editor.patch(f"{base}/criteria/{latency['id']}", json={"target": 280, "version": latency["version"]})
    )
    assert (edited["target"], edited["version"]) == (280.0, 2)

    started = start(editor, pilot)
    assert (started["status"], started["start_date"]) == ("active", days(-7))
    assert started["criteria_frozen_at"] and all(c["frozen_at"] for c in started["criteria"])
    assert started["account"]["stage"] == "pilot"

    # once started, no silent edit: 409 telling to amend, and nothing changes
    frozen = started["criteria"][0]
    refused = assert_problem(
        editor.patch(f"{base}/criteria/{frozen['id']}", json={"target": 999, "version": frozen["version"]}),
        409,
    )
    assert "amendment" in refused["detail"]
    assert ok(editor.get(f"{base}/criteria/{frozen['id']}"))["target"] == 280.0

    amendment = ok(
        editor.post(
            f"{base}/criteria/{frozen['id']}/amendments",
            json={"reason": "Their warehouse is in another region.", "target": 350},
        ),
        201,
    )
    assert amendment["changes"] == {"target": [280.0, 350.0]}
    assert amendment["reason"] == "Their warehouse is in another region."
    assert amendment["amended_by"].startswith("editor@")

    shown = ok(viewer.get(base))["criteria"][0]
    assert shown["target"] == 280.0  # the registered value stays
    assert (shown["effective"]["target"], shown["effective"]["amended"]) == (350.0, True)
    assert [a["id"] for a in shown["amendments"]] == [amendment["id"]]
    listed = ok(viewer.get(f"{base}/criteria/{frozen['id']}/amendments"))
    assert listed == [amendment]

    # results against the effective terms
    for criterion, actual in zip(ok(viewer.get(f"{base}/criteria")), (320, "9", 3), strict=True):
        result = ok(
            editor.post(
                f"{base}/criteria/{criterion['id']}/result",
                json={"actual": actual, "version": criterion["version"]},
            )
        )
        assert result["actual"] == float(actual)
    card = ok(viewer.get(base))["scorecard"]
    assert (card["met"], card["recorded"], card["verdict"]) == (2, 3, "missed 1 of 3")

    ok(editor.post(f"{base}/transitions", json={"to": "succeeded", "on": days(-1)}))
    converted = ok(
        editor.post(
            f"{base}/outcome",
            json={"outcome": "converted", "contract_value": 48000.5, "converted_on": days(0)},
        )
    )
    assert (converted["outcome"], converted["contract_value"], converted["converted_on"]) == (
        "converted",
        48000.5,
        days(0),
    )
    assert converted["scorecard"]["agreement"].startswith("disagrees: converted although")
    customer = ok(viewer.get(f"/api/v1/accounts/{account.id}"))
    assert (customer["stage"], customer["converted_on"], customer["contract_value"]) == (
        "customer",
        days(0),
        48000.5,
    )


def test_not_converted_can_mark_the_account_lost(editor, account):
    pilot = create(editor, account)
    start(editor, pilot)
    ok(editor.post(f"/api/v1/pilots/{pilot['id']}/transitions", json={"to": "failed"}))
    done = ok(
        editor.post(
            f"/api/v1/pilots/{pilot['id']}/outcome",
            json={"outcome": "not_converted", "mark_account_lost": True},
        )
    )
    assert (done["outcome"], done["account"]["stage"], done["end_date"]) == ("not_converted", "lost", days(0))


# --- refusals: 409, 422, nothing written ------------------------------------------------------------------


def test_patching_a_frozen_criterion_writes_nothing(editor, account, db_session):
    pilot = start(editor, create(editor, account))
    criterion = pilot["criteria"][1]
    before = written(db_session)
    for body in (
        {"target": 1, "version": criterion["version"]},
        {"description": "Changed", "version": criterion["version"]},
        {"direction": "at_most", "version": criterion["version"]},
    ):
        assert_problem(
            editor.patch(f"/api/v1/pilots/{pilot['id']}/criteria/{criterion['id']}", json=body), 409
        )
    assert_problem(editor.post(f"/api/v1/pilots/{pilot['id']}/criteria", json=LATENCY), 409)
    assert written(db_session) == before


def test_patch_requires_the_version(editor, account, db_session):
    pilot = create(editor, account)
    criterion = pilot["criteria"][0]
    milestone = ok(
        editor.post(
            f"/api/v1/pilots/{pilot['id']}/milestones", json={"title": "Kick-off", "due_on": days(1)}
        ),
        201,
    )
    before = written(db_session)
    for url, body in (
        (f"/api/v1/pilots/{pilot['id']}", {"name": "Renamed"}),
        (f"/api/v1/pilots/{pilot['id']}/criteria/{criterion['id']}", {"target": 1}),
        (f"/api/v1/milestones/{milestone['id']}", {"done": True}),
    ):
        missing = assert_problem(editor.patch(url, json=body), 422)
        assert "version" in missing["errors"]
        stale = assert_problem(editor.patch(url, json={**body, "version": 0}), 409)
        assert stale["errors"] == {"version": [stale["detail"]]}
    assert written(db_session) == before
    assert ok(editor.get(f"/api/v1/pilots/{pilot['id']}/milestones"))[0]["done_on"] is None

    start(editor, pilot)
    after_start = written(db_session)
    frozen = ok(editor.get(f"/api/v1/pilots/{pilot['id']}/criteria/{criterion['id']}"))
    result_url = f"/api/v1/pilots/{pilot['id']}/criteria/{criterion['id']}/result"
    assert "version" in assert_problem(editor.post(result_url, json={"actual": 1}), 422)["errors"]
    assert_problem(editor.post(result_url, json={"actual": 1, "version": frozen["version"] - 1}), 409)
    assert written(db_session) == after_start


def test_patch_with_the_current_version(editor, account):
    pilot = create(editor, account)
    changed = ok(
        editor.patch(
            f"/api/v1/pilots/{pilot['id']}",
            json={"name": "Renamed pilot", "planned_end_date": days(45), "version": pilot["version"]},
        )
    )
    assert (changed["name"], changed["planned_end_date"], changed["version"]) == (
        "Renamed pilot",
        days(45),
        2,
    )
    refused = assert_problem(
        editor.patch(f"/api/v1/pilots/{pilot['id']}", json={"pilot_price": 3500, "version": 2}), 422
    )
    assert "price_reason" in refused["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"to": "succeeded"}, "to"),  # planned -> succeeded is not a transition
        ({"to": "extended", "planned_end_date": "2099-01-01"}, "to"),
        ({"to": "paused"}, "to"),
        ({}, "to"),
        ({"to": "active", "on": "yesterday"}, "on"),
        ({"to": "active", "planned_end_date": "1999-01-01"}, "planned_end_date"),
        ({"to": "cancelled", "on": "2999-01-01"}, "on"),
    ],
)
def test_invalid_transitions_are_refused_naming_the_field(editor, account, db_session, body, field):
    pilot = create(editor, account)
    before = written(db_session)
    refused = assert_problem(editor.post(f"/api/v1/pilots/{pilot['id']}/transitions", json=body), 422)
    assert field in refused["errors"]
    assert written(db_session) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"list_price": -1}, "list_price"),
        ({"pilot_price": 3000.01}, "price_reason"),
        ({"start_date": "2026-01-10", "planned_end_date": "2026-01-09"}, "planned_end_date"),
        ({"start_date": "next week"}, "start_date"),
        ({"owner_id": 999999}, "owner_id"),
        ({"account_id": 999999}, "account_id"),
        ({"account_id": "abc"}, "account_id"),
        ({"criteria": [LATENCY, {**ANALYSTS, "target": "many"}]}, "criteria.1.target"),
        ({"criteria": [{"metric": "m", "target": 1}]}, "criteria.0.description"),
        ({"criteria": [{**LATENCY, "direction": "up"}]}, "criteria.0.direction"),
        ({"status": "active"}, "status"),  # the status changes only by transitions
    ],
)
def test_creating_a_pilot_is_refused_naming_the_field(editor, account, db_session, body, field):
    before = written(db_session)
    refused = assert_problem(
        editor.post(
            "/api/v1/pilots", json={"account_id": account.id, "name": "P", "list_price": 3000, **body}
        ),
        422,
    )
    assert field in refused["errors"], refused
    assert written(db_session) == before


def test_amendments_and_results_are_refused_with_reasons(editor, account, db_session):
    pilot = create(editor, account)
    criterion = pilot["criteria"][0]
    url = f"/api/v1/pilots/{pilot['id']}/criteria/{criterion['id']}"
    before = written(db_session)
    assert_problem(editor.post(f"{url}/amendments", json={"reason": "Too early to amend.", "target": 1}), 409)
    assert_problem(editor.post(f"{url}/result", json={"actual": 1, "version": 1}), 409)
    start(editor, pilot)
    after_start = written(db_session)
    assert "reason" in assert_problem(editor.post(f"{url}/amendments", json={"target": 1}), 422)["errors"]
    assert (
        "reason"
        in assert_problem(editor.post(f"{url}/amendments", json={"reason": "x", "target": 1}), 422)["errors"]
    )
    assert (
        "target"
        in assert_problem(editor.post(f"{url}/amendments", json={"reason": "No change at all."}), 422)[
            "errors"
        ]
    )
    assert (
        "actual"
        in assert_problem(editor.post(f"{url}/result", json={"actual": "fast", "version": 2}), 422)["errors"]
    )
    assert written(db_session) == after_start
    assert before != after_start


def test_after_the_end_a_result_changes_only_with_a_reason(editor, viewer, account, db_session):
    pilot = start(editor, create(editor, account))
    criterion = pilot["criteria"][0]
    url = f"/api/v1/pilots/{pilot['id']}/criteria/{criterion['id']}"
    first = ok(editor.post(f"{url}/result", json={"actual": 280, "version": criterion["version"]}))
    ok(editor.post(f"/api/v1/pilots/{pilot['id']}/transitions", json={"to": "failed", "on": days(-1)}))
    before = written(db_session)
    for body in ({"actual": 320}, {"actual": 320, "reason": ""}, {"actual": None, "reason": None}):
        problem = assert_problem(
            editor.post(f"{url}/result", json={**body, "version": first["version"]}), 422
        )
        assert "reason" in problem["errors"], problem
    assert written(db_session) == before
    amended = ok(
        editor.post(
            f"{url}/result",
            json={"actual": 320, "version": first["version"], "reason": "Measured on the wrong cluster."},
        )
    )
    assert (amended["actual"], amended["met"], amended["effective"]["amended"]) == (320.0, False, False)
    (amendment,) = amended["amendments"]
    assert (amendment["changes"], amendment["reason"]) == (
        {"actual": ["280", "320"]},
        "Measured on the wrong cluster.",
    )
    assert ok(viewer.get(f"{url}/amendments")) == [amendment]


def test_missing_records(viewer, editor, account):
    pilot = create(editor, account)
    assert_problem(viewer.get("/api/v1/pilots/999999"), 404)
    assert_problem(viewer.get(f"/api/v1/pilots/{pilot['id']}/criteria/999999"), 404)
    other = create(editor, account, name="Another pilot")
    # a criterion is found only under its own pilot
    assert_problem(viewer.get(f"/api/v1/pilots/{other['id']}/criteria/{pilot['criteria'][0]['id']}"), 404)
    assert_problem(editor.patch("/api/v1/milestones/999999", json={"done": True, "version": 1}), 404)
    assert_problem(viewer.get("/api/v1/discounts/999999"), 404)
    assert_problem(editor.post("/api/v1/promises/999999/fulfil", json={}), 404)


# --- the mutual action plan ------------------------------------------------------------------------------


def test_milestones(editor, viewer, account):
    pilot = create(editor, account)
    url = f"/api/v1/pilots/{pilot['id']}/milestones"
    late = ok(
        editor.post(
            url,
            json={
                "title": "Warehouse access",
                "due_on": days(-2),
                "side": "customer",
                "owner_name": "Their CTO",
            },
        ),
        201,
    )
    ok(editor.post(url, json={"title": "Decision meeting", "due_on": days(20)}), 201)
    assert (late["side"], late["late"], late["done_on"]) == ("customer", True, None)
    listed = ok(viewer.get(url))
    assert [(m["title"], m["side"], m["late"]) for m in listed] == [
        ("Warehouse access", "customer", True),
        ("Decision meeting", "ours", False),
    ]
    done = ok(
        editor.patch(
            f"/api/v1/milestones/{late['id']}",
            json={"done": True, "done_on": days(-1), "version": late["version"]},
        )
    )
    assert (done["done_on"], done["late"]) == (days(-1), False)
    reopened = ok(
        editor.patch(f"/api/v1/milestones/{late['id']}", json={"done": False, "version": done["version"]})
    )
    assert (reopened["done_on"], reopened["late"]) == (None, True)
    refused = assert_problem(editor.post(url, json={"title": "T", "due_on": "soon", "side": "theirs"}), 422)
    assert {"side"} <= set(refused["errors"])
    assert "due_on" in assert_problem(editor.post(url, json={"title": "T", "due_on": "soon"}), 422)["errors"]


# --- lists ------------------------------------------------------------------------------------------------


@pytest.fixture
def several(editor, account, db_session, people) -> dict[str, dict]:
    other = accounts.create_account(
        db_session, TEST_ACTOR, {"name": "Beta Foods", "archetypes": ["Tech enthusiast"]}, today=TODAY
    )
    db_session.commit()
    made = {
        "planned": create(editor, account, name="Planned pilot", owner_id=people[Role.EDITOR].id),
        "soon": start(editor, create(editor, account, name="Ending soon", planned_end_date=days(5))),
        "overdue": start(editor, create(editor, other, name="Overdue pilot", planned_end_date=days(-2))),
    }
    return made


def test_the_pilot_list_has_the_pagination_envelope_and_filters(viewer, several, people):
    body = ok(viewer.get("/api/v1/pilots?per_page=2&page=2"))
    assert set(body) == {"items", "total", "page", "per_page"}
    assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (3, 2, 2, 1)
    item = body["items"][0]
    assert {"id", "account_id", "account", "name", "status", "owner", "list_price", "version"} <= set(item)
    assert "criteria" not in item  # the list stays light; GET /pilots/{id} has them

    def names(query: str) -> list[str]:
        return sorted(p["name"] for p in ok(viewer.get(f"/api/v1/pilots?{query}"))["items"])

    assert names("status=active") == ["Ending soon", "Overdue pilot"]
    assert names("status=planned&status=active") == ["Ending soon", "Overdue pilot", "Planned pilot"]
    assert names("due=soon") == ["Ending soon"]
    assert names("due=overdue") == ["Overdue pilot"]
    assert names("q=beta") == ["Overdue pilot"]
    assert names("archetype=Tech%20enthusiast") == ["Overdue pilot"]
    assert names(f"owner={people[Role.EDITOR].id}") == ["Planned pilot"]
    assert names("owner=none") == ["Ending soon", "Overdue pilot"]
    for query, field in (
        ("status=paused", "status"),
        ("due=later", "due"),
        ("owner=ada", "owner"),
        ("per_page=101", "per_page"),
    ):
        assert field in assert_problem(viewer.get(f"/api/v1/pilots?{query}"), 422)["errors"], query
    assert ok(viewer.get("/api/v1/pilots?colour=red"))["total"] == 3  # unknown parameters are ignored


# --- discounts and promises -------------------------------------------------------------------------------


def grant_body(account: Account, **extra: Any) -> dict:
    return {
        "account_id": account.id,
        "kind": "percent",
        "amount": 25,
        "list_price": 3000,
        "reason": "Early design partner.",
        "starts_on": days(-30),
        "ends_on": days(335),
        "promises": [
            {"kind": "testimonial", "due_on": days(-5)},
            {"kind": "reference_calls", "due_on": days(30), "quantity": 3},
        ],
        **extra,
    }


def test_discounts_and_the_ledger(editor, viewer, account, db_session):
    pilot = create(editor, account)
    discount = ok(editor.post("/api/v1/discounts", json=grant_body(account, pilot_id=pilot["id"])), 201)
    assert (discount["effective_price"], discount["value"], discount["depth"], discount["discount_band"]) == (
        2250.0,
        750.0,
        25.0,
        "11-25%",
    )
    assert (discount["pilot_id"], discount["account"]["name"], discount["granted_by"]) == (
        pilot["id"],
        "Acme Analytics",
        "editor@example.com",
    )
    assert [(p["kind"], p["quantity"], p["overdue"]) for p in discount["promises"]] == [
        ("testimonial", 1, True),
        ("reference_calls", 3, False),
    ]
    free = ok(
        editor.post(
            "/api/v1/discounts",
            json=grant_body(
                account, kind="free_period", amount=2, promises=[], starts_on=days(-1), ends_on=None
            ),
        ),
        201,
    )
    assert (free["value"], free["depth"], free["discount_band"], free["promises"]) == (
        6000.0,
        100.0,
        "51%+",
        [],
    )
    assert ok(viewer.get(f"/api/v1/discounts/{discount['id']}")) == discount

    page = ok(viewer.get(f"/api/v1/discounts?account_id={account.id}&per_page=1"))
    assert (page["total"], page["per_page"], [d["id"] for d in page["items"]]) == (2, 1, [free["id"]])
    assert ok(viewer.get("/api/v1/discounts?account_id=999999"))["total"] == 0

    added = ok(
        editor.post("/api/v1/promises", json={"discount_id": free["id"], "kind": "logo", "due_on": days(7)}),
        201,
    )
    assert (added["account_id"], added["account"], added["overdue"]) == (account.id, "Acme Analytics", False)
    assert ok(viewer.get("/api/v1/promises"))["total"] == 3
    overdue = ok(viewer.get("/api/v1/promises?overdue=true"))
    assert [p["kind"] for p in overdue["items"]] == ["testimonial"]

    testimonial = overdue["items"][0]
    refused = assert_problem(
        editor.post(f"/api/v1/promises/{testimonial['id']}/fulfil", json={"fulfilled_on": days(1)}), 422
    )
    assert "fulfilled_on" in refused["errors"]
    kept = ok(
        editor.post(
            f"/api/v1/promises/{testimonial['id']}/fulfil",
            json={
                "fulfilled_on": days(-1),
                "note": "Quote on the website.",
                "version": testimonial["version"],
            },
        )
    )
    assert (kept["fulfilled_on"], kept["note"], kept["overdue"]) == (days(-1), "Quote on the website.", False)
    assert_problem(
        editor.post(f"/api/v1/promises/{testimonial['id']}/fulfil", json={"version": testimonial["version"]}),
        409,
    )
    assert ok(viewer.get("/api/v1/promises?open=true"))["total"] == 2
    assert ok(viewer.get("/api/v1/promises?overdue=true"))["total"] == 0
    assert ok(viewer.get(f"/api/v1/promises?discount_id={discount['id']}"))["total"] == 2
    totals = discounts.ledger_totals(db_session)
    assert (totals.value_granted, totals.open_promises) == (6750, 2)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"amount": 101}, "amount"),
        ({"kind": "fixed", "amount": 3000.01}, "amount"),
        ({"ends_on": "2000-01-01"}, "ends_on"),
        ({"list_price": -5}, "list_price"),
        ({"kind": "free_period", "amount": 0.5}, "amount"),
        ({"kind": "gift"}, "kind"),
        ({"reason": ""}, "reason"),
        ({"account_id": 999999}, "account_id"),
        ({"pilot_id": 999999}, "pilot_id"),
        ({"promises": [{"kind": "hug", "due_on": "2026-01-01"}]}, "promises.0.kind"),
        ({"promises": [{"kind": "logo", "due_on": "later"}]}, "promises.0.due_on"),
        ({"promises": [{"kind": "logo", "due_on": "2026-01-01", "quantity": 0}]}, "promises.0.quantity"),
    ],
)
def test_refused_discounts_name_the_field_and_write_nothing(editor, account, db_session, extra, field):
    before = written(db_session)
    refused = assert_problem(editor.post("/api/v1/discounts", json=grant_body(account, **extra)), 422)
    assert field in refused["errors"], refused
    assert written(db_session) == before


def test_promise_refusals(editor, account, db_session):
    discount = discounts.grant_discount(
        db_session,
        TEST_ACTOR,
        account.id,
        {k: v for k, v in grant_body(account).items() if k != "account_id"},
    )
    db_session.commit()
    before = written(db_session)
    for body, field in (
        ({"discount_id": 999999, "kind": "logo", "due_on": days(1)}, "discount_id"),
        ({"discount_id": discount.id, "kind": "praise", "due_on": days(1)}, "kind"),
        ({"discount_id": discount.id, "kind": "logo", "due_on": "someday"}, "due_on"),
        ({"discount_id": discount.id, "kind": "logo"}, "due_on"),
    ):
        assert field in assert_problem(editor.post("/api/v1/promises", json=body), 422)["errors"]
    assert written(db_session) == before


# --- roles --------------------------------------------------------------------------------------------------


def concrete(rule: str, ids: dict[str, int]) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(ids[m.group(1)]), rule)


@pytest.fixture
def ids(editor, account, db_session) -> dict[str, int]:
    pilot = start(editor, create(editor, account))
    milestone = pilots.add_milestone(
        db_session, TEST_ACTOR, pilot["id"], {"title": "Kick-off", "due_on": days(1)}
    )
    discount = discounts.grant_discount(
        db_session,
        TEST_ACTOR,
        account.id,
        {k: v for k, v in grant_body(account).items() if k != "account_id"},
    )
    db_session.commit()
    return {
        "pilot_id": pilot["id"],
        "criterion_id": pilot["criteria"][0]["id"],
        "milestone_id": milestone.id,
        "discount_id": discount.id,
        "promise_id": discount.promises[0].id,
    }


def routes(app, methods: set[str]) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIXES):
            found.extend((rule.rule, method) for method in sorted((rule.methods or set()) & methods))
    return found


def test_a_viewer_reads_everything_and_writes_nothing(app, viewer, ids, db_session):
    reads = routes(app, {"GET"})
    writes = routes(app, {"POST", "PATCH", "PUT", "DELETE"})
    assert len(reads) >= 9 and len(writes) >= 12
    for rule, _method in reads:
        assert viewer.get(concrete(rule, ids)).status_code == 200, rule
    before = written(db_session)
    for rule, method in writes:
        response = viewer.open(
            concrete(rule, ids),
            method=method,
            json={"version": 1, "to": "succeeded", "done": True, "reason": "x" * 9},
        )
        assert_problem(response, 403)
    assert written(db_session) == before


def test_anonymous_calls_get_401(app, client, ids):
    for rule, method in routes(app, {"GET", "POST", "PATCH"}):
        assert_problem(client.open(concrete(rule, ids), method=method, json={}), 401)


def test_the_openapi_document_describes_the_new_resources(client):
    doc = ok(client.get("/api/v1/openapi.json"))
    paths = doc["paths"]
    expected = {
        "/api/v1/pilots": {"get", "post"},
        "/api/v1/pilots/{pilot_id}": {"get", "patch"},
        "/api/v1/pilots/{pilot_id}/transitions": {"post"},
        "/api/v1/pilots/{pilot_id}/outcome": {"post"},
        "/api/v1/pilots/{pilot_id}/criteria": {"get", "post"},
        "/api/v1/pilots/{pilot_id}/criteria/{criterion_id}": {"get", "patch"},
        "/api/v1/pilots/{pilot_id}/criteria/{criterion_id}/amendments": {"get", "post"},
        "/api/v1/pilots/{pilot_id}/criteria/{criterion_id}/result": {"post"},
        "/api/v1/pilots/{pilot_id}/milestones": {"get", "post"},
        "/api/v1/milestones/{milestone_id}": {"patch"},
        "/api/v1/discounts": {"get", "post"},
        "/api/v1/discounts/{discount_id}": {"get"},
        "/api/v1/promises": {"get", "post"},
        "/api/v1/promises/{promise_id}/fulfil": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    schemas = doc["components"]["schemas"]
    assert "version" in schemas["PilotPatch"]["required"]
    assert "version" in schemas["CriterionPatch"]["required"]
    assert set(schemas["Transition"]["properties"]["to"]["enum"]) == {
        "planned",
        "active",
        "extended",
        "succeeded",
        "failed",
        "cancelled",
    }
    assert {"items", "total", "page", "per_page"} <= set(schemas["PilotPage"]["properties"])
    patch = paths["/api/v1/pilots/{pilot_id}/criteria/{criterion_id}"]["patch"]
    assert "409" in patch["responses"] or "default" in patch["responses"]
