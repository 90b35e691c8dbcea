"""Accounts, contacts, testimonials and consent for the testimonial, wall and collection tests."""

from __future__ import annotations

from datetime import timedelta

from ecp_tracker.models.base import utcnow
from ecp_tracker.services.accounts import accounts, contacts
from ecp_tracker.services.accounts.contacts import ContactInput
from ecp_tracker.services.testimonials import testimonials
from tests.conftest import TEST_ACTOR

TODAY = utcnow().date()


def make_account(session, name="Acme Pay", **raw):
    domain = "".join(ch for ch in name.lower() if ch.isalnum()) + ".example"
    account = accounts.create_account(session, TEST_ACTOR, {"name": name, "domain": domain, **raw})
    session.commit()
    return account


def make_contact(session, account, name="Kim Novak", title="Head of Data"):
    contact = contacts.add_contact(
        session, TEST_ACTOR, account.id, ContactInput(name=name, dmu_role="champion", title=title)
    )
    session.commit()
    return contact


def public_consent(scope="public_named", on=None, **changes):
    return {
        "consent_scope": scope,
        "consented_by": "Kim Novak",
        "consented_on": on or TODAY - timedelta(days=10),
        "consent_statement": "I agree that my words may be used publicly.",
        **changes,
    }


def make_testimonial(session, account, *, body="Pipelines went from hours to minutes.", status=None, **raw):
    made = testimonials.create_testimonial(session, TEST_ACTOR, account.id, {"body": body, **raw})
    for step in status or []:
        testimonials.transition(session, TEST_ACTOR, made.id, step)
    session.commit()
    return made
