"""A refused form is shown at the address of the page it was filled in on, with what was typed: every form
posts to its own page's address, so the address bar never shows an action that a reload cannot open."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from ecp_tracker.domain.roles import Role
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.accounts import accounts, archetypes
from ecp_tracker.services.interviews import interviews
from ecp_tracker.services.pilots import pilots
from ecp_tracker.services.testimonials import testimonials
from tests.conftest import TEST_ACTOR, add_user

TODAY = utcnow().date()
KEPT = "Kept-as-typed 7731"


def action_of_form_with(page: str, field: str) -> str:
    """The address the form holding the input `field` posts to (the page's own when it has no action)."""
    for match in re.finditer(r"<form\b([^>]*)>(.*?)</form>", page, re.S):
        if f'name="{field}"' in match.group(2):
            action = re.search(r'action="([^"]*)"', match.group(1))
            return html.unescape(action.group(1)).split("#")[0] if action else ""
    raise AssertionError(f"no form with the field {field}")


@pytest.fixture
def records(db_session):
    account = accounts.create_account(db_session, TEST_ACTOR, {"name": "Kumo Logistics"})
    pilot = pilots.create_pilot(
        db_session,
        TEST_ACTOR,
        account.id,
        {"name": "Latency pilot", "planned_end_date": TODAY + timedelta(30)},
    )
    testimonial = testimonials.create_testimonial(db_session, TEST_ACTOR, account.id, {"body": "Fast."})
    interview = interviews.create_interview(
        db_session, TEST_ACTOR, {"account_id": account.id, "held_on": TODAY, "kind": "discovery"}
    )
    user = add_user(db_session, Role.VIEWER, email="vera@example.com", name="Vera Viewer")
    db_session.commit()
    return {
        "account": account,
        "pilot": pilot,
        "testimonial": testimonial,
        "interview": interview,
        "user": user,
        "archetype": archetypes.list_archetypes(db_session)[0],
    }


# (role, address of the page, the field holding the kept value, what else is posted to be refused)
CASES = {
    "new account": (Role.EDITOR, "/accounts/new", "name", {"employees": "lots"}),
    "account edit": (Role.EDITOR, "/accounts/{account}/edit", "name", {"employees": "lots"}),
    "new pilot": (Role.EDITOR, "/accounts/{account}/pilots/new", "name", {"list_price": "lots"}),
    "pilot edit": (Role.EDITOR, "/pilots/{pilot}/edit", "name", {"list_price": "lots"}),
    "new testimonial": (
        Role.EDITOR,
        "/accounts/{account}/testimonials/new",
        "source",
        {"kind": "quote", "body": "", "consented_on": "soon"},
    ),
    "testimonial edit": (Role.EDITOR, "/testimonials/{testimonial}/edit", "source", {"media_url": "nowhere"}),
    "new interview": (Role.EDITOR, "/accounts/{account}/interviews/new", "summary", {"held_on": "soon"}),
    "interview edit": (Role.EDITOR, "/interviews/{interview}/edit", "summary", {"held_on": "soon"}),
    "new discount": (
        Role.EDITOR,
        "/accounts/{account}/discounts/new",
        "reason",
        {"kind": "percent", "amount": "500", "list_price": "1000"},
    ),
    "new user": (Role.ADMIN, "/admin/users", "name", {"email": "not-an-address", "role": "editor"}),
    "user edit": (Role.ADMIN, "/admin/users/{user}", "name", {"role": "emperor", "version": "1"}),
    # the forms on a record's page
    "pilot page: a milestone": (
        Role.EDITOR,
        "/pilots/{pilot}",
        "title",
        {"form": "milestone", "due_on": "x"},
    ),
    "testimonial page: the consent": (
        Role.EDITOR,
        "/testimonials/{testimonial}",
        "consented_by",
        {"form": "consent", "consent_scope": "public_named", "consented_on": "soon", "version": "1"},
    ),
    "interview page: a finding": (
        Role.EDITOR,
        "/interviews/{interview}",
        "text",
        {"form": "add_finding", "kind": "pain_point", "theme": ""},
    ),
    "archetype page": (Role.ADMIN, "/archetypes/{archetype}", "description", {"name": ""}),
    "profile: a token": (Role.VIEWER, "/profile/", "name", {"form": "token", "name": KEPT + "x" * 300}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_refused_form_stays_at_its_pages_address_with_what_was_typed(client_as, records, case):
    role, address, field, refused = CASES[case]
    url = address.format(**{name: record.id for name, record in records.items()})
    client = client_as(role)
    page = client.get(url)
    assert page.status_code == 200, case
    assert action_of_form_with(page.get_data(as_text=True), field) in {"", url}, case
    response = client.post(url, data={field: KEPT, **refused})
    assert response.status_code in {409, 422}, (case, response.status_code)
    assert response.request.path == url
    body = response.get_data(as_text=True)
    assert KEPT in body, case  # the value typed is in the refused form
    assert action_of_form_with(body, field) in {"", url}, case  # and sending it again goes to the same page
