"""Required strings in the OpenAPI document agree with the server (issue 19): every string property of every
JSON request body is sent as "" and as "   " in an otherwise valid request, and the document must refuse
exactly the values the server refuses (a 422 problem+json naming the field). The document refuses a value by
its enum, its date format, its minLength or its pattern (`\\S`: "contains a non-space character").

A new operation with a string in its body fails here until it has a valid request in REQUESTS below.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from ecp_tracker.domain.roles import Role
from tests.factories.analysis import add
from tests.factories.testimonials import TODAY as TODAY_DATE

TODAY = TODAY_DATE.isoformat()

PROBLEM = "application/problem+json"
BLANKS = ("", "   ")
WRITES = {"post", "patch", "put"}


# --- the document --------------------------------------------------------------------------------------


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _is_string(schema: dict) -> bool:
    kind = schema.get("type")
    return kind == "string" or (isinstance(kind, list) and "string" in kind)


def string_properties(document: dict, schema: dict, prefix: str = "") -> dict[str, dict]:
    """{dotted name: property schema} of every string a client may send, lists as `name.0`."""
    found: dict[str, dict] = {}
    for name, prop in _resolve(document, schema).get("properties", {}).items():
        prop = _resolve(document, prop)
        if prop.get("readOnly"):
            continue
        if prop.get("type") == "array":
            items = _resolve(document, prop.get("items", {}))
            if "properties" in items:
                found |= string_properties(document, items, f"{prefix}{name}.0.")
            elif _is_string(items):
                found[f"{prefix}{name}.0"] = items
        elif "properties" in prop:
            found |= string_properties(document, prop, f"{prefix}{name}.")
        elif _is_string(prop):
            found[f"{prefix}{name}"] = prop
    return found


def body_strings(document: dict) -> dict[str, dict[str, dict]]:
    """{"POST /api/v1/accounts": {field: property schema}} for every write with strings in its JSON body."""
    found = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {}) if method in WRITES else {}
            if "application/json" in content:
                strings = string_properties(document, content["application/json"]["schema"])
                if strings:
                    found[f"{method.upper()} {path}"] = strings
    return found


def document_refuses(prop: dict, value: str) -> bool:
    """Whether a client reading the property knows the value is invalid."""
    if "enum" in prop and value not in prop["enum"]:
        return True
    if prop.get("format") == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return True
    if len(value) < prop.get("minLength", 0):
        return True
    return "pattern" in prop and not re.search(prop["pattern"], value)


# --- valid requests, one per operation -----------------------------------------------------------------


class World:
    """Makes what a request needs through the API, as an admin, fresh for every call."""

    def __init__(self, api, db_session) -> None:
        self.api = api
        self.db_session = db_session
        self.serial = itertools.count(1)
        self._review: int | None = None

    def n(self) -> int:
        return next(self.serial)

    def made(self, path: str, body: dict) -> dict:
        response = self.api.post(path, json=body)
        assert response.status_code in {200, 201}, (path, body, response.get_json())
        return response.get_json()

    def version(self, path: str) -> int:
        response = self.api.get(path)
        assert response.status_code == 200, (path, response.get_json())
        return response.get_json()["version"]

    def account(self) -> int:
        return self.made("/api/v1/accounts", {"name": f"Blank Co {self.n()}"})["id"]

    def contact(self) -> tuple[int, int]:
        account = self.account()
        contact = self.made(f"/api/v1/accounts/{account}/contacts", {"name": "Kim", "dmu_role": "champion"})
        return account, contact["id"]

    def pilot(self, *, start: bool = False) -> dict:
        pilot = self.made(
            "/api/v1/pilots",
            {
                "account_id": self.account(),
                "name": f"Pilot {self.n()}",
                "planned_end_date": TODAY_DATE.replace(year=TODAY_DATE.year + 1).isoformat(),
                "criteria": [{"description": "Faster", "metric": "p95 ms", "target": 200}],
            },
        )
        if start:
            self.made(f"/api/v1/pilots/{pilot['id']}/transitions", {"to": "active"})
        return pilot

    def criterion(self, *, start: bool = False) -> str:
        pilot = self.pilot(start=start)
        return f"/api/v1/pilots/{pilot['id']}/criteria/{pilot['criteria'][0]['id']}"

    def discount(self) -> dict:
        return self.made(
            "/api/v1/discounts",
            {
                "account_id": self.account(),
                "kind": "percent",
                "amount": 10,
                "list_price": 100,
                "reason": "Early adopter",
                "starts_on": TODAY,
                "promises": [{"kind": "logo", "due_on": TODAY}],
            },
        )

    def experiment(self, *, start: bool = False) -> dict:
        """A draft experiment aimed at tier A of the active ICP, started when asked."""
        self.icp()
        experiment = self.made("/api/v1/experiments", EXPERIMENT | {"name": f"Experiment {self.n()}"})
        if start:
            experiment = self.made(
                f"/api/v1/experiments/{experiment['id']}/start", {"version": experiment["version"]}
            )
        return experiment

    def icp(self) -> None:
        """An active ICP version with a tier A holding a few accounts (made once)."""
        if not getattr(self, "_icp", False):
            icp = self.made(
                "/api/v1/icp/versions",
                {
                    "name": "Blank ICP",
                    "criteria": [{"trait": "industry", "value": "Fintech", "points": 60}],
                    "tiers": [{"name": "A", "min_score": 60}, {"name": "C", "min_score": 0}],
                },
            )
            self.made(f"/api/v1/icp/versions/{icp['id']}/activate", {"version": icp["version"]})
            for _ in range(4):
                self.made("/api/v1/accounts", {"name": f"Fintech {self.n()}", "industry": "Fintech"})
            self._icp = True

    def interview(self) -> int:
        body = {"account_id": self.account(), "held_on": TODAY, "kind": "discovery"}
        return self.made("/api/v1/interviews", body)["id"]

    def testimonial(self, **body: Any) -> int:
        body = {"account_id": self.account(), "body": "Pipelines went from hours to minutes.", **body}
        return self.made("/api/v1/testimonials", body)["id"]

    def consented_testimonial(self) -> int:
        return self.testimonial(
            consent_scope="public_named",
            consent_statement="You may quote us on the website.",
            consented_by="Kim Novak",
            consented_on=TODAY,
        )

    def approved_testimonial(self) -> int:
        testimonial = self.consented_testimonial()
        self.made(f"/api/v1/testimonials/{testimonial}/transitions", {"to": "approved"})
        return testimonial

    def review(self) -> int:
        if self._review is None:
            for i in range(20):
                add(self.db_session, f"Fin {i}", industry="Fintech", stage="customer" if i < 18 else "lost")
            self.db_session.commit()
            self._review = self.made("/api/v1/reviews", {"period": "2026-11"})["id"]
        return self._review


Request = Callable[[World], tuple[str, dict]]


def _versioned(make_path: Callable[[World], str], **body: Any) -> Request:
    def request(w: World) -> tuple[str, dict]:
        path = make_path(w)
        return path, {**body, "version": w.version(path)}

    return request


def _contact(w: World) -> tuple[str, dict]:
    account = w.account()
    contact = w.made(f"/api/v1/accounts/{account}/contacts", {"name": "Kim", "dmu_role": "champion"})
    path = f"/api/v1/accounts/{account}/contacts/{contact['id']}"
    return path, {"name": "Kim", "dmu_role": "champion", "version": contact["version"]}


def _finding(w: World) -> str:
    interview = w.interview()
    finding = w.made(f"/api/v1/interviews/{interview}/findings", {"kind": "pain_point", "theme": "Speed"})
    return f"/api/v1/interviews/{interview}/findings/{finding['id']}"


def _ended_pilot(w: World) -> str:
    pilot = w.pilot(start=True)["id"]
    w.made(f"/api/v1/pilots/{pilot}/transitions", {"to": "succeeded"})
    return f"/api/v1/pilots/{pilot}/outcome"


def _milestone(w: World) -> tuple[str, dict]:
    pilot = w.pilot()["id"]
    milestone = w.made(f"/api/v1/pilots/{pilot}/milestones", {"title": "Kick-off", "due_on": TODAY})
    return f"/api/v1/milestones/{milestone['id']}", {"done": True, "version": milestone["version"]}


def _archetype(w: World) -> tuple[str, dict]:
    archetype = w.made("/api/v1/archetypes", {"name": f"Archetype {w.n()}"})
    return f"/api/v1/archetypes/{archetype['id']}", {
        "name": f"Renamed {w.n()}",
        "version": archetype["version"],
    }


def _trait(w: World) -> tuple[str, dict]:
    body = {"label": f"Trait {w.n()}", "kind": "category", "allowed_values": ["a", "b"]}
    trait = w.made("/api/v1/traits", body)
    path = f"/api/v1/traits/{trait['id']}"
    return path, {"label": f"Relabelled {w.n()}", "allowed_values": ["a", "b"], "version": trait["version"]}


def _result(w: World) -> tuple[str, dict]:
    criterion = w.criterion(start=True)
    version = next(
        c["version"]
        for c in w.api.get(criterion.rsplit("/criteria/", 1)[0]).get_json()["criteria"]
        if criterion.endswith(f"/{c['id']}")
    )
    return f"{criterion}/result", {"actual": 150, "version": version}


def _criterion_patch(w: World) -> tuple[str, dict]:
    pilot = w.pilot()
    criterion = pilot["criteria"][0]
    return f"/api/v1/pilots/{pilot['id']}/criteria/{criterion['id']}", {"version": criterion["version"]}


def _user(w: World) -> int:
    body = {"email": f"u{w.n()}@example.com", "name": "Una", "role": "viewer", "password": "long enough pw"}
    return w.made("/api/v1/users", body)["id"]


def _icp(w: World) -> str:
    body = {"name": f"ICP {w.n()}", "tiers": [{"name": "A", "min_score": 10}]}
    return f"/api/v1/icp/versions/{w.made('/api/v1/icp/versions', body)['id']}"


def _collection(w: World) -> str:
    n = w.n()
    return (
        f"/api/v1/collections/{w.made('/api/v1/collections', {'slug': f'wall-{n}', 'title': 'Wall'})['id']}"
    )


EXPERIMENT = {
    "hypothesis": "Calls aimed at tier A convert more of them.",
    "metric": "converted",
    "min_lift": 0.1,
    "holdout_share": 0.25,
    "baseline_rate": 0.1,
    "planned_end": TODAY_DATE.replace(year=TODAY_DATE.year + 1).isoformat(),
    "target_kind": "tier",
    "target_tier": "A",
}

REQUESTS: dict[str, Request] = {
    "POST /api/v1/experiments": lambda w: (
        w.icp() or "/api/v1/experiments",
        EXPERIMENT | {"name": f"Experiment {w.n()}", "custom_metric": "", "stratify_by": "", "seed": 7},
    ),
    "PATCH /api/v1/experiments/{experiment_id}": _versioned(
        lambda w: f"/api/v1/experiments/{w.experiment()['id']}"
    ),
    "POST /api/v1/experiments/{experiment_id}/amendments": lambda w: (
        f"/api/v1/experiments/{w.experiment(start=True)['id']}/amendments",
        {"reason": "Sales wants a bigger lift", "hypothesis": "Calls convert more.", "min_lift": 0.2},
    ),
    "POST /api/v1/users": lambda w: (
        "/api/v1/users",
        {"email": f"u{w.n()}@example.com", "name": "Una", "role": "viewer", "password": "long enough pw"},
    ),
    "PATCH /api/v1/users/{user_id}": _versioned(lambda w: f"/api/v1/users/{_user(w)}"),
    "POST /api/v1/accounts": lambda w: ("/api/v1/accounts", {"name": f"Blank Co {w.n()}"}),
    "PATCH /api/v1/accounts/{account_id}": _versioned(lambda w: f"/api/v1/accounts/{w.account()}"),
    "POST /api/v1/accounts/{account_id}/contacts": lambda w: (
        f"/api/v1/accounts/{w.account()}/contacts",
        {"name": "Kim", "dmu_role": "champion"},
    ),
    "PATCH /api/v1/accounts/{account_id}/contacts/{contact_id}": _contact,
    "POST /api/v1/archetypes": lambda w: ("/api/v1/archetypes", {"name": f"Archetype {w.n()}"}),
    "PATCH /api/v1/archetypes/{archetype_id}": _archetype,
    "POST /api/v1/traits": lambda w: (
        "/api/v1/traits",
        {"label": f"Trait {w.n()}", "kind": "category", "allowed_values": ["a", "b"]},
    ),
    "PATCH /api/v1/traits/{definition_id}": _trait,
    "POST /api/v1/pilots": lambda w: (
        "/api/v1/pilots",
        {
            "account_id": w.account(),
            "name": "Latency pilot",
            "criteria": [{"description": "Faster", "metric": "p95 ms", "target": 200}],
        },
    ),
    "PATCH /api/v1/pilots/{pilot_id}": _versioned(lambda w: f"/api/v1/pilots/{w.pilot()['id']}"),
    "POST /api/v1/pilots/{pilot_id}/transitions": lambda w: (
        f"/api/v1/pilots/{w.pilot()['id']}/transitions",
        {"to": "active"},
    ),
    "POST /api/v1/pilots/{pilot_id}/outcome": lambda w: (_ended_pilot(w), {"outcome": "pending"}),
    "POST /api/v1/pilots/{pilot_id}/criteria": lambda w: (
        f"/api/v1/pilots/{w.pilot()['id']}/criteria",
        {"description": "Fewer tickets", "metric": "tickets", "target": 5},
    ),
    "PATCH /api/v1/pilots/{pilot_id}/criteria/{criterion_id}": _criterion_patch,
    "POST /api/v1/pilots/{pilot_id}/criteria/{criterion_id}/amendments": lambda w: (
        f"{w.criterion(start=True)}/amendments",
        {"reason": "The customer moved the goal", "target": 250},
    ),
    "POST /api/v1/pilots/{pilot_id}/criteria/{criterion_id}/result": _result,
    "POST /api/v1/pilots/{pilot_id}/milestones": lambda w: (
        f"/api/v1/pilots/{w.pilot()['id']}/milestones",
        {"title": "Kick-off", "due_on": TODAY},
    ),
    "PATCH /api/v1/milestones/{milestone_id}": _milestone,
    "POST /api/v1/discounts": lambda w: (
        "/api/v1/discounts",
        {
            "account_id": w.account(),
            "kind": "percent",
            "amount": 10,
            "list_price": 100,
            "reason": "Early adopter",
            "starts_on": TODAY,
            "promises": [{"kind": "logo", "due_on": TODAY}],
        },
    ),
    "POST /api/v1/promises": lambda w: (
        "/api/v1/promises",
        {"discount_id": w.discount()["id"], "kind": "testimonial", "due_on": TODAY},
    ),
    "POST /api/v1/promises/{promise_id}/fulfil": lambda w: (
        f"/api/v1/promises/{w.discount()['promises'][0]['id']}/fulfil",
        {},
    ),
    "POST /api/v1/interviews": lambda w: (
        "/api/v1/interviews",
        {
            "account_id": w.account(),
            "held_on": TODAY,
            "kind": "discovery",
            "findings": [{"kind": "pain_point", "theme": "Speed"}],
        },
    ),
    "PATCH /api/v1/interviews/{interview_id}": _versioned(lambda w: f"/api/v1/interviews/{w.interview()}"),
    "POST /api/v1/interviews/{interview_id}/findings": lambda w: (
        f"/api/v1/interviews/{w.interview()}/findings",
        {"kind": "pain_point", "theme": "Speed"},
    ),
    "PATCH /api/v1/interviews/{interview_id}/findings/{finding_id}": _versioned(_finding),
    "POST /api/v1/icp/versions": lambda w: (
        "/api/v1/icp/versions",
        {
            "name": f"ICP {w.n()}",
            "criteria": [{"trait": "industry", "value": "Fintech", "points": 10}],
            "tiers": [{"name": "A", "min_score": 10}],
        },
    ),
    "PATCH /api/v1/icp/versions/{version_id}": lambda w: (
        lambda path: (
            path,
            {
                "version": w.version(path),
                "criteria": [{"trait": "industry", "value": "Fintech", "points": 10}],
                "tiers": [{"name": "A", "min_score": 10}],
            },
        )
    )(_icp(w)),
    "POST /api/v1/reviews": lambda w: ("/api/v1/reviews", {"period": f"{2000 + w.n()}-11"}),
    "POST /api/v1/reviews/{review_id}/decisions": lambda w: (
        f"/api/v1/reviews/{w.review()}/decisions",
        {"trait": "industry", "value": "Fintech", "decision": "reject", "rationale": "Too early"},
    ),
    "POST /api/v1/testimonials": lambda w: (
        "/api/v1/testimonials",
        {"account_id": w.account(), "body": "Pipelines went from hours to minutes."},
    ),
    "PATCH /api/v1/testimonials/{testimonial_id}": _versioned(
        lambda w: f"/api/v1/testimonials/{w.testimonial()}"
    ),
    "POST /api/v1/testimonials/{testimonial_id}/transitions": lambda w: (
        f"/api/v1/testimonials/{w.consented_testimonial()}/transitions",
        {"to": "approved"},
    ),
    "POST /api/v1/testimonials/{testimonial_id}/withdraw-consent": lambda w: (
        f"/api/v1/testimonials/{w.consented_testimonial()}/withdraw-consent",
        {},
    ),
    "POST /api/v1/testimonials/{testimonial_id}/usages": lambda w: (
        f"/api/v1/testimonials/{w.approved_testimonial()}/usages",
        {"channel": "internal", "place": "/"},
    ),
    "POST /api/v1/testimonial-requests": lambda w: (
        "/api/v1/testimonial-requests",
        {"account_id": w.account()},
    ),
    "POST /api/v1/collections": lambda w: (
        "/api/v1/collections",
        {"slug": f"wall-{w.n()}", "title": "Wall"},
    ),
    "PATCH /api/v1/collections/{collection_id}": _versioned(_collection),
}


def _set(body: dict, field: str, value: str) -> dict:
    """A copy of the body with `field` (dotted; `name.0` is an item of a list of strings) set. A list of
    strings gets the value as one more item: a blank item may be dropped, the valid items are still there."""
    body = copy.deepcopy(body)
    parts = field.split(".")
    target: Any = body
    for part, following in itertools.pairwise(parts):
        if isinstance(target, list):
            target = target[int(part)]  # a list of objects: the valid request has its first item
        else:
            target = target.setdefault(part, [] if following.isdigit() else {})
    if parts[-1].isdigit():
        target.append(value)
    else:
        target[parts[-1]] = value
    return body


def _names(errors: dict, field: str) -> bool:
    return any(key == field or field.startswith(f"{key}.") or key.startswith(f"{field}.") for key in errors)


def server_refuses(world: World, operation: str, field: str, value: str) -> bool:
    method = operation.split(" ", 1)[0].lower()
    path, body = REQUESTS[operation](world)
    response = getattr(world.api, method)(path, json=_set(body, field, value))
    if response.status_code == 422:
        assert response.mimetype == PROBLEM
        errors = response.get_json().get("errors", {})
        assert _names(errors, field), (operation, field, repr(value), response.get_json())
        return True
    assert response.status_code in {200, 201}, (operation, field, repr(value), response.get_json())
    return False


@pytest.fixture
def document(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def test_every_write_with_strings_has_a_valid_request_here(document):
    assert set(body_strings(document)) == set(REQUESTS)


@pytest.mark.parametrize("operation", sorted(REQUESTS))
def test_the_document_refuses_the_blank_strings_the_server_refuses(api_as, db_session, document, operation):
    world = World(api_as(Role.ADMIN), db_session)
    method = operation.split(" ", 1)[0].lower()
    path, body = REQUESTS[operation](world)
    valid = getattr(world.api, method)(path, json=body)
    assert valid.status_code in {200, 201}, (operation, valid.get_json())
    disagree = []
    for field, prop in body_strings(document)[operation].items():
        for value in BLANKS:
            server, doc = server_refuses(world, operation, field, value), document_refuses(prop, value)
            if server != doc:
                disagree.append(
                    f"{field} = {value!r}: server {'refuses' if server else 'accepts'}, "
                    f"the document {'refuses' if doc else 'allows'} ({prop})"
                )
    assert not disagree, f"{operation}:\n" + "\n".join(disagree)
