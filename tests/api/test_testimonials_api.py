"""/api/v1/testimonials (transitions, withdraw-consent, usages), /api/v1/testimonial-requests and
/api/v1/collections: the PMM's flow, 422 naming the field, PATCH with version (missing 422, stale 409),
401 / 403, the pagination envelope, problem+json, and the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import AuditEvent, Testimonial
from tests.factories.testimonials import TODAY, make_account, make_testimonial, public_consent

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def consent_json(**changes):
    raw = public_consent(**changes)
    return {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in raw.items()}


def test_the_pmm_flow_through_the_api(api_as, db_session, client):
    account = make_account(db_session)
    api = api_as(Role.EDITOR)
    made = api.post(
        "/api/v1/testimonial-requests",
        json={"account_id": account.id, "message": "Two lines?", "valid_days": 14},
    )
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["status"] == "created" and body["url"].startswith("http://localhost/collect/")
    again = api.get(f"/api/v1/testimonial-requests/{body['id']}").get_json()
    assert "url" not in again and again["testimonial_id"] == body["testimonial_id"]

    # the customer answers on the public form
    token = body["url"].rsplit("/", 1)[1]
    page = client.get(f"/collect/{token}").get_data(as_text=True)
    digest = page.split('name="statement_digest" type="hidden" value="')[1].split('"')[0]
    answered = client.post(
        f"/collect/{token}",
        data={
            "body": "Great.",
            "rating": "4",
            "name": "Kim Novak",
            "consent_scope": "public_named",
            "consent": "y",
            "statement_digest": digest,
        },
    )
    assert answered.status_code == 200
    testimonial_id = body["testimonial_id"]
    for status in ("approved", "published"):
        response = api.post(f"/api/v1/testimonials/{testimonial_id}/transitions", json={"to": status})
        assert response.status_code == 200, response.get_json()
    t = response.get_json()
    assert t["status"] == "published" and t["public_today"] is True and t["public_problem"] is None
    assert [s["to_status"] for s in t["steps"]] == ["requested", "received", "approved", "published"]
    assert t["steps"][1]["by"] == "customer (collection link)"

    wall = api.post("/api/v1/collections", json={"slug": "proof", "title": "Proof", "tags": []})
    assert wall.status_code == 201
    assert client.get("/wall/proof.json").get_json()["testimonials"][0]["text"] == "Great."
    usage = api.post(
        f"/api/v1/testimonials/{testimonial_id}/usages", json={"channel": "website", "place": "/"}
    )
    assert usage.status_code == 201 and usage.get_json()["uses_this_quarter"] == 1
    assert usage.get_json()["fatigued"] is False
    assert len(api.get(f"/api/v1/testimonials/{testimonial_id}/usages").get_json()) == 1

    withdrawn = api.post(
        f"/api/v1/testimonials/{testimonial_id}/withdraw-consent", json={"note": "phone call"}
    )
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["status"] == "retired" and withdrawn.get_json()["public_today"] is False
    assert client.get("/wall/proof.json").get_json()["testimonials"] == []
    assert_problem(api.post(f"/api/v1/testimonials/{testimonial_id}/withdraw-consent", json={}), 409)


def test_create_list_and_filters(api_as, db_session):
    account = make_account(db_session)
    api = api_as(Role.EDITOR)
    created = api.post(
        "/api/v1/testimonials",
        json={
            "account_id": account.id,
            "body": "Fast dashboards.",
            "rating": 5,
            "use_cases": ["Sync"],
            **consent_json(),
        },
    )
    assert created.status_code == 201, created.get_json()
    assert (
        created.get_json()["use_cases"] == ["Sync"] and created.get_json()["consent_scope"] == "public_named"
    )
    make_testimonial(db_session, account, body="Slow setup.")
    listing = api.get("/api/v1/testimonials?q=fast&per_page=10").get_json()
    assert set(listing) == {"items", "total", "page", "per_page"}
    assert listing["total"] == 1 and listing["items"][0]["body"] == "Fast dashboards."
    assert api.get("/api/v1/testimonials?tag=sync").get_json()["total"] == 1
    assert api.get("/api/v1/testimonials?status=received&status=approved").get_json()["total"] == 2
    body = assert_problem(api.get("/api/v1/testimonials?status=lost"), 422)
    assert "status.0" in body["errors"] or "status" in body["errors"]


def test_bad_input_is_422_naming_the_field_and_writes_nothing(api_as, db_session):
    account = make_account(db_session)
    api = api_as(Role.EDITOR)
    before = db_session.scalar(select(func.count(AuditEvent.id)))
    body = assert_problem(api.post("/api/v1/testimonials", json={"account_id": account.id, "body": ""}), 422)
    assert "body" in body["errors"]
    body = assert_problem(
        api.post("/api/v1/testimonials", json={"account_id": account.id, "body": "x", "rating": 9}), 422
    )
    assert "rating" in body["errors"]
    body = assert_problem(api.post("/api/v1/testimonials", json={"account_id": 999, "body": "x"}), 422)
    assert "account_id" in body["errors"]
    body = assert_problem(
        api.post(
            "/api/v1/testimonials",
            json={
                "account_id": account.id,
                "body": "x",
                **consent_json(consented_on=TODAY + timedelta(days=3)),
            },
        ),
        422,
    )
    assert "consented_on" in body["errors"]
    body = assert_problem(api.post("/api/v1/collections", json={"slug": "Bad Slug", "title": "T"}), 422)
    assert "slug" in body["errors"]
    body = assert_problem(
        api.post("/api/v1/testimonial-requests", json={"account_id": account.id, "valid_days": 0}), 422
    )
    assert "valid_days" in body["errors"]
    db_session.expire_all()
    assert db_session.scalar(select(func.count(AuditEvent.id))) == before
    assert db_session.scalar(select(func.count(Testimonial.id))) == 0


def test_patch_needs_the_current_version(api_as, db_session):
    t = make_testimonial(db_session, make_account(db_session), status=["approved"])
    api = api_as(Role.EDITOR)
    body = assert_problem(api.patch(f"/api/v1/testimonials/{t.id}", json={"rating": 3}), 422)
    assert "version" in body["errors"]
    current = api.get(f"/api/v1/testimonials/{t.id}").get_json()
    body = assert_problem(
        api.patch(f"/api/v1/testimonials/{t.id}", json={"body": "Edited.", "version": current["version"]}),
        422,
    )
    assert "edit_reason" in body["errors"]
    ok = api.patch(
        f"/api/v1/testimonials/{t.id}",
        json={"body": "Edited.", "edit_reason": "Shorter", "version": current["version"]},
    )
    assert ok.status_code == 200
    edited = ok.get_json()
    assert edited["edited"] and edited["original_body"] == "Pipelines went from hours to minutes."
    assert edited["revisions"][0]["reason"] == "Shorter"
    stale = api.patch(f"/api/v1/testimonials/{t.id}", json={"rating": 1, "version": current["version"]})
    assert_problem(stale, 409)
    assert api.get(f"/api/v1/testimonials/{t.id}").get_json()["rating"] is None

    wall = api.post("/api/v1/collections", json={"slug": "proof", "title": "Proof"}).get_json()
    assert_problem(api.patch(f"/api/v1/collections/{wall['id']}", json={"title": "X"}), 422)
    assert_problem(api.patch(f"/api/v1/collections/{wall['id']}", json={"title": "X", "version": 99}), 409)
    offline = api.patch(
        f"/api/v1/collections/{wall['id']}", json={"archived": True, "version": wall["version"]}
    )
    assert offline.status_code == 200 and offline.get_json()["archived_at"] is not None


def test_transitions_are_checked(api_as, db_session):
    t = make_testimonial(db_session, make_account(db_session))
    api = api_as(Role.EDITOR)
    body = assert_problem(api.post(f"/api/v1/testimonials/{t.id}/transitions", json={"to": "published"}), 422)
    assert "to" in body["errors"]
    body = assert_problem(api.post(f"/api/v1/testimonials/{t.id}/transitions", json={"to": "rejected"}), 422)
    assert "note" in body["errors"]
    assert_problem(api.post(f"/api/v1/testimonials/{t.id}/transitions", json={"to": "gone"}), 422)
    assert_problem(api.post("/api/v1/testimonials/999/transitions", json={"to": "approved"}), 404)


def test_roles_and_authentication(api_as, db_session, client):
    t = make_testimonial(db_session, make_account(db_session), **public_consent())
    viewer = api_as(Role.VIEWER)
    assert viewer.get("/api/v1/testimonials").status_code == 200
    assert viewer.get(f"/api/v1/testimonials/{t.id}").status_code == 200
    assert viewer.get("/api/v1/testimonial-requests").status_code == 200
    assert viewer.get("/api/v1/collections").status_code == 200
    for method, path, payload in (
        ("post", "/api/v1/testimonials", {"account_id": 1, "body": "x"}),
        ("patch", f"/api/v1/testimonials/{t.id}", {"version": 1}),
        ("post", f"/api/v1/testimonials/{t.id}/transitions", {"to": "approved"}),
        ("post", f"/api/v1/testimonials/{t.id}/withdraw-consent", {}),
        ("post", f"/api/v1/testimonials/{t.id}/usages", {"channel": "internal", "place": "x"}),
        ("post", "/api/v1/testimonial-requests", {"account_id": 1}),
        ("post", "/api/v1/collections", {"slug": "x", "title": "x"}),
    ):
        assert_problem(getattr(viewer, method)(path, json=payload), 403)
        assert_problem(getattr(client, method)(path, json=payload), 401)
    assert_problem(client.get("/api/v1/testimonials"), 401)
    db_session.expire_all()
    assert db_session.get(Testimonial, t.id).status == "received"


def test_the_openapi_document_describes_the_resources(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    for path in (
        "/api/v1/testimonials",
        "/api/v1/testimonials/{testimonial_id}",
        "/api/v1/testimonials/{testimonial_id}/transitions",
        "/api/v1/testimonials/{testimonial_id}/withdraw-consent",
        "/api/v1/testimonials/{testimonial_id}/usages",
        "/api/v1/testimonial-requests",
        "/api/v1/testimonial-requests/{request_id}",
        "/api/v1/collections",
        "/api/v1/collections/{collection_id}",
    ):
        assert path in paths, path
    schemas = spec["components"]["schemas"]
    assert "consent_scope" in schemas["Testimonial"]["properties"]
    assert "version" in schemas["TestimonialPatch"]["required"]


def test_walls_are_listed_a_page_at_a_time(api_as):
    api = api_as(Role.EDITOR)
    for slug in ("alpha", "beta", "gamma"):
        assert api.post("/api/v1/collections", json={"slug": slug, "title": slug.title()}).status_code == 201
    body = api.get("/api/v1/collections?per_page=2&page=2").get_json()
    assert (body["total"], body["page"], [c["slug"] for c in body["items"]]) == (3, 2, ["gamma"])


def test_used_on_is_served_as_an_iso_date_as_the_schema_says(api_as, db_session):
    t = make_testimonial(db_session, make_account(db_session), status=["approved"])
    api = api_as(Role.EDITOR)
    day = (TODAY - timedelta(days=3)).isoformat()
    made = api.post(
        f"/api/v1/testimonials/{t.id}/usages", json={"channel": "internal", "place": "/", "used_on": day}
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["used_on"] == day
    assert [u["used_on"] for u in api.get(f"/api/v1/testimonials/{t.id}/usages").get_json()] == [day]
    assert [u["used_on"] for u in api.get(f"/api/v1/testimonials/{t.id}").get_json()["usages"]] == [day]
    today = api.post(f"/api/v1/testimonials/{t.id}/usages", json={"channel": "internal", "place": "/p"})
    assert today.get_json()["used_on"] == TODAY.isoformat()


def test_withdraw_consent_takes_no_body_as_the_document_says(api_as, db_session):
    """Every field of the withdrawal is optional, so the body is too (requestBody required: false)."""
    t = make_testimonial(db_session, make_account(db_session), status=["approved"], **public_consent())
    api = api_as(Role.EDITOR)
    withdrawn = api.post(f"/api/v1/testimonials/{t.id}/withdraw-consent")
    assert withdrawn.status_code == 200, withdrawn.get_json()
    assert withdrawn.get_json()["consent_withdrawn_on"] == TODAY.isoformat()
