"""An archived account is read-only until restored (issue 19): one rule (services.accounts.read_only) for its
own fields, its contacts and every record added to it, through the API, the web forms, a collection link and
an import. Restoring is the one write it takes."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Account, Contact, Discount, Interview, Pilot, Testimonial, TestimonialRequest
from ecp_tracker.services.accounts import accounts
from ecp_tracker.services.accounts.importing.importer import import_accounts
from ecp_tracker.services.testimonials import collection_requests
from tests.conftest import TEST_ACTOR
from tests.factories.testimonials import make_account, make_contact

PROBLEM = "application/problem+json"
RESTORE_FIRST = "is archived; restore it first."


@pytest.fixture
def archived(db_session):
    """An archived account with a contact, and a collection link made while it was open."""
    account = make_account(db_session, "Dormant Data")
    contact = make_contact(db_session, account)
    link = collection_requests.create_request(db_session, TEST_ACTOR, account.id, {"contact_id": contact.id})
    db_session.commit()
    accounts.set_archived(db_session, TEST_ACTOR, account.id, archived=True)
    db_session.commit()
    return {"account": account.id, "contact": contact.id, "token": link.token}


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def refused(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["detail"].endswith(f"Dormant Data {RESTORE_FIRST}")
    if field is not None:
        assert body["errors"] == {field: [f"Dormant Data {RESTORE_FIRST}"]}
    return body


def test_the_account_and_its_contacts_are_not_changed_through_the_api(api_as, db_session, archived):
    api = api_as(Role.EDITOR)
    account_id, contact_id = archived["account"], archived["contact"]
    version = api.get(f"/api/v1/accounts/{account_id}").get_json()["version"]
    refused(api.patch(f"/api/v1/accounts/{account_id}", json={"version": version, "notes": "x"}), 409)
    refused(
        api.post(
            f"/api/v1/accounts/{account_id}/contacts", json={"name": "New Person", "dmu_role": "end_user"}
        ),
        409,
    )
    contact_version = db_session.get(Contact, contact_id).version
    refused(
        api.patch(
            f"/api/v1/accounts/{account_id}/contacts/{contact_id}",
            json={"version": contact_version, "name": "Renamed", "dmu_role": "champion"},
        ),
        409,
    )
    db_session.expire_all()
    assert db_session.get(Account, account_id).notes in ("", None)
    assert count(db_session, Contact) == 1
    assert db_session.get(Contact, contact_id).name == "Kim Novak"


def test_no_record_is_added_to_an_archived_account_through_the_api(api_as, db_session, archived):
    api = api_as(Role.EDITOR)
    account_id = archived["account"]
    before = {m: count(db_session, m) for m in (Pilot, Testimonial, TestimonialRequest, Discount, Interview)}
    refused(
        api.post("/api/v1/pilots", json={"account_id": account_id, "name": "Late pilot"}), 422, "account_id"
    )
    refused(
        api.post("/api/v1/testimonials", json={"account_id": account_id, "body": "Great."}), 422, "account_id"
    )
    refused(api.post("/api/v1/testimonial-requests", json={"account_id": account_id}), 422, "account_id")
    refused(
        api.post(
            "/api/v1/discounts",
            json={
                "account_id": account_id,
                "kind": "percent",
                "amount": 10,
                "list_price": 1000,
                "reason": "Early adopter",
                "starts_on": "2026-10-01",
            },
        ),
        422,
        "account_id",
    )
    refused(
        api.post(
            "/api/v1/interviews",
            json={"account_id": account_id, "kind": "discovery", "held_on": "2026-10-01"},
        ),
        422,
        "account_id",
    )
    assert {m: count(db_session, m) for m in before} == before


def test_restoring_opens_the_account_again(api_as, archived):
    api = api_as(Role.EDITOR)
    account_id = archived["account"]
    assert api.post(f"/api/v1/accounts/{account_id}/restore").status_code == 200
    version = api.get(f"/api/v1/accounts/{account_id}").get_json()["version"]
    assert (
        api.patch(f"/api/v1/accounts/{account_id}", json={"version": version, "notes": "x"}).status_code
        == 200
    )
    assert (
        api.post(
            f"/api/v1/accounts/{account_id}/contacts", json={"name": "New Person", "dmu_role": "end_user"}
        ).status_code
        == 201
    )
    assert api.post("/api/v1/pilots", json={"account_id": account_id, "name": "Pilot"}).status_code == 201


def test_the_account_edit_form_is_refused(client_as, db_session, archived):
    editor = client_as(Role.EDITOR)
    account_id = archived["account"]
    version = db_session.get(Account, account_id).version
    response = editor.post(
        f"/accounts/{account_id}/edit",
        data={"version": version, "name": "Dormant Data", "stage": "prospect", "notes": "changed"},
    )
    assert response.status_code == 422
    assert f"Dormant Data {RESTORE_FIRST}" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Account, account_id).notes in ("", None)


def test_a_collection_link_of_an_archived_account_is_closed(client, db_session, archived):
    page = client.get(f"/collect/{archived['token']}")
    assert page.status_code == 410
    assert "no longer open" in page.get_data(as_text=True)
    answer = client.post(
        f"/collect/{archived['token']}",
        data={"body": "Good.", "name": "Kim Novak", "consent_scope": "public_named", "consent": "y"},
    )
    assert answer.status_code == 410
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).where(Testimonial.status == "received")) == 0


def test_an_import_does_not_update_an_archived_account(db_session, archived):
    data = b"name,domain,employees\nDormant Data,dormantdata.example,40\n"
    report = import_accounts(db_session, TEST_ACTOR, io.BytesIO(data))
    assert not report.ok
    assert [re.sub(r"\(id \d+\)", "(id N)", p.reason) for p in report.problems] == [
        f"This row matches the account 'Dormant Data' (id N): Dormant Data {RESTORE_FIRST}"
    ]
    db_session.rollback()
    assert db_session.get(Account, archived["account"]).employees is None
