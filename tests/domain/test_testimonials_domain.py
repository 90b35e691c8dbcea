"""Testimonial rules without a database: the workflow, when consent allows public use (expiry and withdrawal
on their day), months arithmetic, search words, and what an anonymous attribution may say."""

from __future__ import annotations

from datetime import date

import pytest

from ecp_tracker.domain.errors import ValidationError
from ecp_tracker.domain.testimonials import (
    Consent,
    ConsentScope,
    TestimonialStatus,
    add_months,
    anonymous_attribution,
    check_transition,
    identifying_mentions,
    identifying_terms,
    quarter_start,
    redact,
    search_terms,
    search_text,
)


def consent(scope=ConsentScope.PUBLIC_NAMED, **changes) -> Consent:
    values = {
        "scope": scope,
        "statement": "I agree.",
        "consented_by": "Kim Novak",
        "consented_on": date(2026, 1, 10),
        "expires_on": date(2028, 1, 10),
        "withdrawn_on": None,
        **changes,
    }
    return Consent(**values)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("requested", "received", True),
        ("requested", "approved", False),
        ("received", "approved", True),
        ("received", "published", False),
        ("approved", "published", True),
        ("published", "retired", True),
        ("retired", "approved", True),
        ("rejected", "received", False),
        ("published", "requested", False),
    ],
)
def test_workflow(current, target, allowed):
    if allowed:
        check_transition(TestimonialStatus(current), TestimonialStatus(target))
    else:
        with pytest.raises(ValidationError) as caught:
            check_transition(TestimonialStatus(current), TestimonialStatus(target))
        assert caught.value.field == "to"


def test_consent_is_public_only_between_its_dates():
    c = consent()
    assert not c.publicly_usable_on(date(2026, 1, 9))  # before it was given
    assert c.publicly_usable_on(date(2026, 1, 10))
    assert c.publicly_usable_on(date(2028, 1, 9))
    assert not c.publicly_usable_on(date(2028, 1, 10))  # expires on its day
    assert c.problem_for_public_use(date(2028, 1, 10)) == "consent expired on 2028-01-10"


def test_withdrawal_takes_effect_on_its_day():
    c = consent(withdrawn_on=date(2026, 6, 1))
    assert c.publicly_usable_on(date(2026, 5, 31))
    assert not c.publicly_usable_on(date(2026, 6, 1))
    assert "withdrawn" in c.problem_for_public_use(date(2026, 6, 2))


def test_internal_or_unrecorded_consent_is_never_public():
    assert not consent(ConsentScope.INTERNAL).publicly_usable_on(date(2026, 3, 1))
    assert consent(ConsentScope.INTERNAL).current_on(date(2026, 3, 1))
    assert not consent(consented_on=None).publicly_usable_on(date(2026, 3, 1))
    assert not consent(statement="  ").publicly_usable_on(date(2026, 3, 1))
    for scope in (ConsentScope.PUBLIC_ANONYMOUS, ConsentScope.PUBLIC_NAMED, ConsentScope.LOGO):
        assert consent(scope).publicly_usable_on(date(2026, 3, 1))


def test_months_and_quarters():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 23), 24) == date(2028, 11, 23)
    assert add_months(date(2026, 12, 5), 1) == date(2027, 1, 5)
    assert quarter_start(date(2026, 5, 17)) == date(2026, 4, 1)
    assert quarter_start(date(2026, 12, 31)) == date(2026, 10, 1)


def test_search_words_are_folded_and_prefixes():
    assert search_text("Équipe: FAST-moving, 50% faster!") == " equipe fast moving 50 faster "
    assert search_terms('fast "Moving  50" équipe fast') == ["moving 50", "fast", "equipe"]
    assert search_terms("%_") == []


def test_identifying_words_are_found_and_blanked():
    terms = identifying_terms("Kim Novak", "Acme Pay", "www.acmepay.example")
    assert identifying_mentions("ACME made Novak's week; see acmepay.example", terms) == [
        "ACME",
        "Novak",
        "acmepay.example",
    ]
    assert identifying_mentions("Acmeish tools, paycheck", terms) == []  # whole words only
    assert redact("Kim Novak at Acme Pay loves it", terms) == "[…] at […] loves it"


def test_anonymous_attribution_never_names_the_customer():
    terms = identifying_terms("Kim Novak", "Acme Pay", "acmepay.example")
    assert anonymous_attribution("Head of Data", "Fintech", terms) == "Head of Data, a fintech company"
    assert anonymous_attribution("CTO at Acme", "SaaS", terms) == "A customer, a SaaS company"
    assert anonymous_attribution("", "Education", terms) == "A customer, an education company"
    assert anonymous_attribution(None, None, terms) == "A customer"


def test_consent_dates_problem_refuses_an_expiry_on_or_before_the_day_given():
    from datetime import date

    from ecp_tracker.domain.testimonials import consent_dates_problem

    given = date(2026, 3, 1)
    message = "The consent must expire after the day it was given."
    assert consent_dates_problem(given, date(2026, 3, 1)) == message
    assert consent_dates_problem(given, date(2026, 2, 1)) == message
    assert consent_dates_problem(given, date(2026, 3, 2)) is None
    assert consent_dates_problem(None, date(2026, 3, 2)) is None


def test_withdrawn_consent_closes_the_statuses_that_rely_on_it():
    from datetime import date

    from ecp_tracker.domain.testimonials import next_statuses

    withdrawn = date(2026, 5, 1)
    retired, received = TestimonialStatus.RETIRED, TestimonialStatus.RECEIVED
    assert next_statuses(retired) == [TestimonialStatus.APPROVED]
    assert next_statuses(retired, withdrawn_on=withdrawn) == []
    assert next_statuses(received, withdrawn_on=withdrawn) == [TestimonialStatus.REJECTED]
    assert next_statuses(TestimonialStatus.APPROVED, withdrawn_on=withdrawn) == [TestimonialStatus.RETIRED]
    with pytest.raises(ValidationError, match="withdrawn on 2026-05-01"):
        check_transition(retired, TestimonialStatus.APPROVED, withdrawn_on=withdrawn)
    check_transition(TestimonialStatus.APPROVED, TestimonialStatus.RETIRED, withdrawn_on=withdrawn)
