"""The public collection form refuses a NUL character with the field named, as every other form, the API and
the import do (issue 19), and saves nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from ecp_tracker.domain.errors import InvalidFields
from ecp_tracker.models import Testimonial
from ecp_tracker.services.shared.raw_input import NUL_MESSAGE
from ecp_tracker.services.testimonials import collection_requests
from ecp_tracker.services.testimonials.collection_requests import statement_digest
from ecp_tracker.services.testimonials.settings import load_settings
from tests.conftest import TEST_ACTOR
from tests.factories.testimonials import make_account, make_contact


@pytest.fixture
def token(db_session) -> str:
    account = make_account(db_session, "Acme Pay")
    contact = make_contact(db_session, account)
    made = collection_requests.create_request(db_session, TEST_ACTOR, account.id, {"contact_id": contact.id})
    db_session.commit()
    return made.token


def received(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(Testimonial.id)).where(Testimonial.status == "received"))


def answer(session, **changes) -> dict[str, object]:
    digest = statement_digest(load_settings(session).consent_statement)
    return {
        "body": "Our analysts stopped waiting for the nightly batch.",
        "rating": "5",
        "name": "Kim Novak",
        "title": "Head of Data",
        "consent_scope": "public_anonymous",
        "consent": True,
        "statement_digest": digest,
        **changes,
    }


@pytest.mark.parametrize("field", ["body", "name", "title", "rating", "consent_scope"])
def test_the_service_names_the_field_with_a_nul(db_session, token, field):
    value = {"rating": "5\x00", "consent_scope": "public_anonymous\x00"}.get(field, "Kim\x00 Novak")
    with pytest.raises(InvalidFields) as refused:
        collection_requests.submit(db_session, token, answer(db_session, **{field: value}))
    assert (field, NUL_MESSAGE) in refused.value.problems
    db_session.rollback()
    assert received(db_session) == 0


def test_the_page_says_which_field_holds_the_nul(client, db_session, token):
    html = client.get(f"/collect/{token}").get_data(as_text=True)
    digest = re.search(r'name="statement_digest" type="hidden" value="([^"]+)"', html).group(1)
    data = {
        **answer(db_session, body="Fast\x00 and calm.", consent="y"),
        "statement_digest": digest,
        "website": "",
    }
    response = client.post(f"/collect/{token}", data=data)
    assert response.status_code == 422
    assert "Your testimonial: Remove the NUL character" in response.get_data(as_text=True)
    assert received(db_session) == 0
