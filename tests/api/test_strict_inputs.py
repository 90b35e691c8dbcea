"""JSON bodies hold the types the OpenAPI document states (issue 19, found by schemathesis): an id or other
integer sent as a float (`2.58e-42`, `1.0`) and a date sent as "" are refused 422 naming the field, and
nothing is stored; leaving a defaulted date out still means today."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import Schema, fields
from sqlalchemy import func, select

from ecp_tracker.api.schemas.common import DateInput, JsonBoolean, JsonNumber
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import (
    AuditEvent,
    Discount,
    Interview,
    Pilot,
    SuccessCriterion,
    Testimonial,
    TestimonialRequest,
    TestimonialUsage,
)
from tests.factories.analysis import add
from tests.factories.pilots import make_account as make_pilot_account
from tests.factories.pilots import make_pilot
from tests.factories.testimonials import TODAY, make_account, make_contact, make_testimonial

PROBLEM = "application/problem+json"


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def refused(response, field: str) -> dict:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert field in body["errors"] and field in body["detail"], body
    return body


def test_a_float_contact_id_on_a_testimonial_request_is_refused_and_nothing_is_stored(api_as, db_session):
    account = make_account(db_session)
    make_contact(db_session, account)
    api = api_as(Role.EDITOR)
    before = (count(db_session, TestimonialRequest), count(db_session, AuditEvent))
    for contact_id in (2.58e-42, 1.0, 1.5):
        response = api.post(
            "/api/v1/testimonial-requests", json={"account_id": account.id, "contact_id": contact_id}
        )
        assert refused(response, "contact_id")["errors"]["contact_id"] == ["Not a valid integer."]
    refused(api.post("/api/v1/testimonial-requests", json={"account_id": float(account.id)}), "account_id")
    assert (count(db_session, TestimonialRequest), count(db_session, AuditEvent)) == before
    # the same request with integers is stored
    made = api.post("/api/v1/testimonial-requests", json={"account_id": account.id, "contact_id": None})
    assert made.status_code == 201, made.get_json()


@pytest.mark.parametrize(
    ("path", "body", "field", "model"),
    [
        (
            "/api/v1/testimonials",
            {"account_id": "ACCOUNT", "body": "Fast.", "contact_id": 0.5},
            "contact_id",
            Testimonial,
        ),
        (
            "/api/v1/testimonials",
            {"account_id": "ACCOUNT", "body": "Fast.", "rating": 4.0},
            "rating",
            Testimonial,
        ),
        (
            "/api/v1/interviews",
            {"account_id": 1e-300, "held_on": "TODAY", "kind": "discovery"},
            "account_id",
            Interview,
        ),
        ("/api/v1/pilots", {"account_id": "ACCOUNT", "name": "P", "owner_id": 2.5}, "owner_id", Pilot),
        (
            "/api/v1/discounts",
            {
                "account_id": "ACCOUNT",
                "kind": "percent",
                "amount": 10,
                "list_price": 100,
                "reason": "Early",
                "starts_on": "TODAY",
                "promises": [{"kind": "logo", "due_on": "TODAY", "quantity": 1.0}],
            },
            "promises.0.quantity",
            Discount,
        ),
    ],
)
def test_floats_for_integers_are_refused_in_every_body(api_as, db_session, path, body, field, model):
    account = make_account(db_session)
    fill = {"ACCOUNT": account.id, "TODAY": TODAY.isoformat()}
    body = {
        key: (
            [{k: fill.get(v, v) for k, v in item.items()} for item in value]
            if isinstance(value, list)
            else fill.get(value, value)
        )
        if isinstance(value, str | list)
        else value
        for key, value in body.items()
    }
    api = api_as(Role.EDITOR)
    before = (count(db_session, model), count(db_session, AuditEvent))
    refused(api.post(path, json=body), field)
    assert (count(db_session, model), count(db_session, AuditEvent)) == before


def test_an_empty_used_on_is_refused_and_leaving_it_out_means_today(api_as, db_session):
    t = make_testimonial(db_session, make_account(db_session), status=["approved"])
    api = api_as(Role.EDITOR)
    before = (count(db_session, TestimonialUsage), count(db_session, AuditEvent))
    for used_on in ("", "  ", None, 20261101, "1 Nov 2026", "2026-02-30"):
        response = api.post(
            f"/api/v1/testimonials/{t.id}/usages",
            json={"channel": "internal", "place": "/", "used_on": used_on},
        )
        refused(response, "used_on")
    assert (count(db_session, TestimonialUsage), count(db_session, AuditEvent)) == before
    made = api.post(f"/api/v1/testimonials/{t.id}/usages", json={"channel": "internal", "place": "/"})
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["used_on"] == TODAY.isoformat()


@pytest.mark.parametrize(
    ("path", "body", "field", "model"),
    [
        ("/api/v1/testimonials", {"body": "Fast.", "consented_on": ""}, "consented_on", Testimonial),
        ("/api/v1/interviews", {"held_on": "", "kind": "discovery"}, "held_on", Interview),
        ("/api/v1/pilots", {"name": "P", "start_date": ""}, "start_date", Pilot),
        ("/api/v1/pilots", {"name": "P", "list_price": ""}, "list_price", Pilot),
        ("/api/v1/accounts", {"churned_on": "", "employees": ""}, "churned_on", None),
    ],
)
def test_an_empty_date_or_number_is_refused_not_read_as_null(api_as, db_session, path, body, field, model):
    account = make_account(db_session)
    body = {"name": "Blank Co", **body} if path == "/api/v1/accounts" else {"account_id": account.id, **body}
    api = api_as(Role.EDITOR)
    before = count(db_session, AuditEvent), model and count(db_session, model)
    refused(api.post(path, json=body), field)
    assert (count(db_session, AuditEvent), model and count(db_session, model)) == before


def _input_fields(schema: Schema, prefix: str = "") -> list[tuple[str, fields.Field]]:
    found = []
    for name, field in schema.load_fields.items():
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested):
            found += _input_fields(inner.schema, f"{prefix}{name}.")
        else:
            found.append((f"{prefix}{name}", inner))
    return found


def test_every_json_body_field_is_as_strict_as_its_documented_type(app):
    """A guard for schemas to come: in every operation's JSON body an integer is strict (no floats, no text),
    a boolean is JSON true/false, and a plain Raw field documents no number, integer or date it would not
    check (JsonNumber and DateInput do), nor a String field a date."""
    loose: list[str] = []
    bodies = 0
    for endpoint, view in app.view_functions.items():
        for parameter in getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", []):
            if parameter["in"] != "json":
                continue
            bodies += 1
            schema = parameter["schema"]
            schema = schema() if isinstance(schema, type) else schema
            for name, field in _input_fields(schema):
                metadata: dict[str, Any] = field.metadata
                if isinstance(field, fields.Integer) and not field.strict:
                    loose.append(f"{endpoint}: {name} (an integer, not strict)")
                if isinstance(field, fields.Boolean) and not isinstance(field, JsonBoolean):
                    loose.append(f"{endpoint}: {name} (a boolean reading 'yes' and 1)")
                if type(field) is fields.Raw and (
                    metadata.get("type") in {"number", "integer"} or metadata.get("format") == "date"
                ):
                    loose.append(f"{endpoint}: {name} (a Raw field documented as {metadata})")
                if type(field) is fields.String and metadata.get("format") == "date":
                    loose.append(f"{endpoint}: {name} (any text, documented as a date)")
                if isinstance(field, JsonNumber | DateInput):
                    assert field.metadata.get("type"), name
    assert bodies > 30
    assert not loose, "\n".join(loose)


def test_ids_above_32_bits_are_refused_and_the_document_says_so(api_as, db_session, client):
    account = make_account(db_session)
    api = api_as(Role.EDITOR)
    before = count(db_session, TestimonialRequest), count(db_session, AuditEvent)
    body = {"account_id": account.id, "contact_id": 2**31}
    refused(api.post("/api/v1/testimonial-requests", json=body), "contact_id")
    refused(api.get(f"/api/v1/testimonial-requests?account_id={2**31}"), "account_id")
    # below 32 bits too: PostgreSQL refused -7293373290 for its integer column (schemathesis, a promise)
    body = {"discount_id": -7293373290, "kind": "feedback_sessions", "quantity": 1, "due_on": "2026-12-01"}
    refused(api.post("/api/v1/promises", json=body), "discount_id")
    refused(api.get(f"/api/v1/testimonial-requests?account_id=-{2**31 + 1}"), "account_id")
    assert (count(db_session, TestimonialRequest), count(db_session, AuditEvent)) == before
    for path in (f"/api/v1/accounts/{2**31}", f"/api/v1/testimonials/{10**25}"):  # 404 on both databases
        missing = api.get(path)
        assert missing.status_code == 404 and missing.mimetype == PROBLEM, path
        assert "2,147,483,647" in missing.get_json()["detail"]

    document = client.get("/api/v1/openapi.json").get_json()
    create = document["components"]["schemas"]["TestimonialRequestCreate"]["properties"]
    assert create["contact_id"]["maximum"] == create["account_id"]["maximum"] == 2**31 - 1
    listing = document["paths"]["/api/v1/testimonial-requests"]["get"]["parameters"]
    assert next(p for p in listing if p["name"] == "account_id")["schema"]["maximum"] == 2**31 - 1
    assert document["paths"]["/api/v1/testimonial-requests"]["post"]["responses"]["422"] == {
        "$ref": "#/components/responses/UNPROCESSABLE_ENTITY"
    }
    for response in document["components"]["responses"].values():
        assert list(response["content"]) == ["application/problem+json"]


def test_a_blank_stage_is_refused_not_read_as_prospect(api_as, db_session):
    """The document lists the stages; the account cleaner reads "" as prospect (a blank import cell), which
    in a PATCH would quietly reset a customer. The API refuses it naming the field and changes nothing."""
    api = api_as(Role.EDITOR)
    made = api.post(
        "/api/v1/accounts", json={"name": "Staged Co", "stage": "customer", "converted_on": TODAY.isoformat()}
    )
    assert made.status_code == 201, made.get_json()
    account = made.get_json()
    before = count(db_session, AuditEvent)
    for stage in ("", "   ", "Customer"):
        response = api.patch(
            f"/api/v1/accounts/{account['id']}", json={"stage": stage, "version": account["version"]}
        )
        message = refused(response, "stage")["errors"]["stage"]
        assert message == [f"Stage must be one of prospect, pilot, customer, churned, lost, not {stage!r}."]
    assert count(db_session, AuditEvent) == before
    assert api.get(f"/api/v1/accounts/{account['id']}").get_json()["stage"] == "customer"


def test_a_blank_trait_of_a_decision_is_named_as_the_trait(api_as, db_session):
    """A decision names its trait and value; a blank trait was reported as an unknown value."""
    for i in range(20):
        add(db_session, f"Fin {i}", industry="Fintech", stage="customer" if i < 18 else "lost")
    db_session.commit()
    api = api_as(Role.EDITOR)
    review = api.post("/api/v1/reviews", json={"period": "2026-11"}).get_json()["id"]
    decision = {"trait": "industry", "value": "Fintech", "decision": "reject", "rationale": "Too early"}
    blank_trait = refused(
        api.post(f"/api/v1/reviews/{review}/decisions", json={**decision, "trait": "  "}), "trait"
    )
    assert blank_trait["errors"] == {"trait": ["Name the trait the decision is on."]}
    blank_value = refused(
        api.post(f"/api/v1/reviews/{review}/decisions", json={**decision, "value": " "}), "value"
    )
    assert blank_value["errors"] == {"value": ["Name the trait value the decision is on."]}
    assert api.get(f"/api/v1/reviews/{review}").get_json()["decisions"] == []
    assert api.post(f"/api/v1/reviews/{review}/decisions", json=decision).status_code == 201


def test_a_target_or_result_beyond_its_column_is_refused_on_both_databases(api_as, db_session, client):
    """Found by schemathesis against PostgreSQL: a criterion's target of 7e16 reached the INSERT, which
    PostgreSQL refuses for a Numeric(18, 4) column (a 400 about ids) and SQLite stored. Now a 422 naming the
    field, nothing stored, on both; the document states the range."""
    pilot = make_pilot(db_session, make_pilot_account(db_session), start=True)
    criterion = pilot.criteria[0]
    api = api_as(Role.EDITOR)
    before = count(db_session, SuccessCriterion), count(db_session, AuditEvent)
    for target in (7.152755539016457e16, -1e14, "100000000000000"):
        body = {"description": "Fewer tickets", "metric": "tickets", "target": target}
        response = api.post(f"/api/v1/pilots/{pilot.id}/criteria", json=body)
        if response.status_code == 409:  # criteria are frozen once started: check the create body instead
            response = api.post(
                "/api/v1/pilots",
                json={"account_id": pilot.account_id, "name": "Big", "criteria": [body]},
            )
            assert refused(response, "criteria.0.target")["errors"]["criteria.0.target"] == [
                "Use at most 14 digits before the decimal point."
            ]
        else:
            refused(response, "target")
    result = f"/api/v1/pilots/{pilot.id}/criteria/{criterion.id}/result"
    response = api.post(result, json={"actual": 1e16, "version": criterion.version})
    assert refused(response, "actual")["errors"]["actual"] == [
        "Use at most 14 digits before the decimal point."
    ]
    assert (count(db_session, SuccessCriterion), count(db_session, AuditEvent)) == before
    largest = api.post(result, json={"actual": 99_999_999_999_999.5, "version": criterion.version})
    assert largest.status_code == 200, largest.get_json()

    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for prop in (
        schemas["CriterionCreate"]["properties"]["target"],
        schemas["Result"]["properties"]["actual"],
    ):
        assert (prop["minimum"], prop["maximum"]) == (-99_999_999_999_999, 99_999_999_999_999)


def test_a_nul_in_a_query_parameter_is_a_422_naming_it(api_as, db_session):
    """Found by schemathesis against PostgreSQL: a NUL in a search or filter reached the query, which
    PostgreSQL refuses for text (a 400 about ids); SQLite found nothing. Now a 422 naming the parameter."""
    make_account(db_session)
    api = api_as(Role.VIEWER)
    for path, name in (
        ("/api/v1/accounts?q=a%00b", "q"),
        ("/api/v1/testimonials?page=1&tag=%0bN%00", "tag"),
        ("/api/v1/interviews?theme=x&theme=%00", "theme"),
    ):
        response = api.get(path)
        assert refused(response, name)["errors"][name] == ["Text may not contain NUL characters (\\u0000)."]
    assert api.get("/api/v1/accounts?q=Acme").get_json()["total"] == 1


def test_text_that_is_no_number_is_refused_where_the_document_says_number(api_as, db_session):
    """A number field takes a JSON number or numeric text ("1500.50"); "AAA" is refused even where the service
    would not read it (a pending pilot's contract value: schemathesis found it accepted)."""
    api = api_as(Role.EDITOR)
    pilot = make_pilot(db_session, make_pilot_account(db_session, "Numbers Co"))
    db_session.commit()
    before = count(db_session, AuditEvent)
    body = {"outcome": "pending", "contract_value": "AAA", "converted_on": "2000-01-01"}
    response = api.post(f"/api/v1/pilots/{pilot.id}/outcome", json=body)
    assert refused(response, "contract_value")["errors"]["contract_value"] == ["Not a valid number."]
    assert count(db_session, AuditEvent) == before
    for text in ("Infinity", "NaN", "1e"):
        assert api.post("/api/v1/pilots", json={"name": f"P {text}", "list_price": text}).status_code == 422
