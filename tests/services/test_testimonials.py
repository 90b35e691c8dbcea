"""Testimonial services: recording (bad input names the field and writes nothing), the workflow with who and
when of every step, edits that keep the customer's words, optimistic locking, consent recorded, withdrawn and
expired, anonymity before publishing, the give-to-get promise a testimonial fulfils, usage and fatigue,
settings, the dashboard counts, and the audit trail of every write."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ecp_tracker.domain.errors import Conflict, InvalidFields, StaleEdit, ValidationError
from ecp_tracker.models import AuditEvent, GiveGet, Testimonial, TestimonialRevision, TestimonialUsage
from ecp_tracker.services.pilots import discounts
from ecp_tracker.services.testimonials import settings as testimonial_settings
from ecp_tracker.services.testimonials import testimonials
from tests.conftest import TEST_ACTOR
from tests.factories.testimonials import TODAY, make_account, make_contact, make_testimonial, public_consent
from tests.helpers import audit_count


def count(session, model) -> int:
    return session.scalar(select(func.count(model.id)))


def test_recording_a_testimonial_with_tags_consent_and_audit(db_session):
    account = make_account(db_session)
    contact = make_contact(db_session, account)
    before = audit_count(db_session)
    made = testimonials.create_testimonial(
        db_session,
        TEST_ACTOR,
        account.id,
        {
            "kind": "quote",
            "contact_id": contact.id,
            "body": "  Pipelines went from hours to minutes.  ",
            "rating": "5",
            "use_cases": "Warehouse sync, real-time dashboards, warehouse SYNC",
            "themes": ["speed"],
            **public_consent(),
        },
    )
    db_session.commit()
    t = testimonials.get_testimonial(db_session, made.id)
    assert t.status == "received" and t.body == t.original_body == "Pipelines went from hours to minutes."
    assert t.author_name == "Kim Novak" and t.author_title == "Head of Data"
    assert t.tag_names("use_case") == ["Warehouse sync", "real-time dashboards"]
    assert t.tag_names("theme") == ["speed"]
    assert t.consent_expires_on == testimonials.add_months(TODAY - timedelta(days=10), 24)
    assert [(s.from_status, s.to_status, s.by_label) for s in t.steps] == [(None, "received", "test setup")]
    assert t.search_text.startswith(" pipelines went")
    assert audit_count(db_session) == before + 1
    event = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.entity == "testimonial" and event.action == "create"
    assert event.changes["use_cases"] == [None, ["Warehouse sync", "real-time dashboards"]]


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"rating": "6"}, "rating"),
        ({"kind": "poem"}, "kind"),
        ({"media_url": "javascript:alert(1)"}, "media_url"),
        ({"use_cases": ["x" * 81]}, "use_cases"),
        ({"consent_scope": "public_named", "consented_by": "Kim"}, "consented_on"),
        ({"consent_scope": "everyone"}, "consent_scope"),
        (public_consent(consented_on=TODAY + timedelta(days=1)), "consented_on"),
        (public_consent(consent_expires_on=TODAY - timedelta(days=20)), "consent_expires_on"),
        ({"contact_id": 999}, "contact_id"),
        ({"promise_id": 999}, "promise_id"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(db_session, raw, field):
    account = make_account(db_session)
    before = audit_count(db_session)
    with pytest.raises(InvalidFields) as caught:
        testimonials.create_testimonial(db_session, TEST_ACTOR, account.id, {"body": "Good.", **raw})
    db_session.rollback()
    assert field in caught.value.errors, caught.value.errors
    assert audit_count(db_session) == before
    assert count(db_session, Testimonial) == 0


def test_workflow_records_who_and_when_and_refuses_skipping(db_session):
    account = make_account(db_session)
    made = make_testimonial(db_session, account, **public_consent())
    with pytest.raises(ValidationError) as caught:
        testimonials.transition(db_session, TEST_ACTOR, made.id, "published")
    assert caught.value.field == "to" and "approved" in caught.value.message
    db_session.rollback()
    editor = TEST_ACTOR.__class__(user_id=None, label="pmm@example.com")
    testimonials.transition(db_session, editor, made.id, "approved", note="Checked with the champion")
    testimonials.transition(db_session, editor, made.id, "published")
    testimonials.transition(db_session, editor, made.id, "retired", note="Old product name")
    db_session.commit()
    t = testimonials.get_testimonial(db_session, made.id)
    assert [(s.from_status, s.to_status) for s in t.steps] == [
        (None, "received"),
        ("received", "approved"),
        ("approved", "published"),
        ("published", "retired"),
    ]
    assert {s.by_label for s in t.steps[1:]} == {"pmm@example.com"}
    assert t.steps[1].note == "Checked with the champion" and t.steps[1].at is not None
    actions = db_session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity == "testimonial", AuditEvent.entity_id == str(t.id))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["create", "status:approved", "status:published", "status:retired"]


def test_rejecting_needs_a_reason(db_session):
    made = make_testimonial(db_session, make_account(db_session))
    with pytest.raises(ValidationError) as caught:
        testimonials.transition(db_session, TEST_ACTOR, made.id, "rejected")
    assert caught.value.field == "note"
    db_session.rollback()
    testimonials.transition(db_session, TEST_ACTOR, made.id, "rejected", note="Off-topic")
    db_session.commit()
    assert db_session.get(Testimonial, made.id).status == "rejected"


def test_publishing_needs_current_public_consent(db_session):
    account = make_account(db_session)
    internal = make_testimonial(db_session, account, status=["approved"])
    with pytest.raises(ValidationError, match="internal only"):
        testimonials.transition(db_session, TEST_ACTOR, internal.id, "published")
    db_session.rollback()
    expired = make_testimonial(
        db_session,
        account,
        status=["approved"],
        **public_consent(on=TODAY - timedelta(days=800), consent_expires_on=TODAY),
    )
    with pytest.raises(ValidationError, match="expired"):
        testimonials.transition(db_session, TEST_ACTOR, expired.id, "published")
    db_session.rollback()
    reference = make_testimonial(
        db_session, account, kind="reference", body="", status=["approved"], **public_consent()
    )
    with pytest.raises(ValidationError, match="reference"):
        testimonials.transition(db_session, TEST_ACTOR, reference.id, "published")


def test_an_anonymous_testimonial_naming_the_customer_is_not_published(db_session):
    account = make_account(db_session)
    contact = make_contact(db_session, account)
    made = make_testimonial(
        db_session,
        account,
        body="Acme's data team (thanks Kim!) ships twice as fast.",
        contact_id=contact.id,
        status=["approved"],
        **public_consent("public_anonymous"),
    )
    with pytest.raises(ValidationError) as caught:
        testimonials.transition(db_session, TEST_ACTOR, made.id, "published")
    assert "Acme" in caught.value.message and "Kim" in caught.value.message
    db_session.rollback()
    fresh = db_session.get(Testimonial, made.id)
    testimonials.update_testimonial(
        db_session,
        TEST_ACTOR,
        made.id,
        {"body": "The data team ships twice as fast.", "edit_reason": "Anonymised for the wall"},
        version=fresh.version,
    )
    testimonials.transition(db_session, TEST_ACTOR, made.id, "published")
    db_session.commit()
    t = testimonials.get_testimonial(db_session, made.id)
    assert t.status == "published"
    assert t.original_body == "Acme's data team (thanks Kim!) ships twice as fast."  # never lost


def test_editing_an_approved_text_keeps_the_original_and_needs_a_reason(db_session):
    made = make_testimonial(db_session, make_account(db_session), status=["approved"])
    version = db_session.get(Testimonial, made.id).version
    with pytest.raises(InvalidFields) as caught:
        testimonials.update_testimonial(
            db_session, TEST_ACTOR, made.id, {"body": "Pipelines: hours to minutes."}, version=version
        )
    assert "edit_reason" in caught.value.errors
    db_session.rollback()
    testimonials.update_testimonial(
        db_session,
        TEST_ACTOR,
        made.id,
        {"body": "Pipelines: hours to minutes.", "edit_reason": "Shorter for the homepage"},
        version=version,
    )
    db_session.commit()
    t = testimonials.get_testimonial(db_session, made.id)
    assert t.body == "Pipelines: hours to minutes." and t.edited
    assert t.original_body == "Pipelines went from hours to minutes."
    assert [(r.old_body, r.new_body, r.reason) for r in t.revisions] == [
        ("Pipelines went from hours to minutes.", "Pipelines: hours to minutes.", "Shorter for the homepage")
    ]
    assert t.search_text == " pipelines hours to minutes "
    with pytest.raises(InvalidFields) as emptied:
        testimonials.update_testimonial(
            db_session, TEST_ACTOR, made.id, {"body": "", "edit_reason": "x"}, version=t.version
        )
    assert "body" in emptied.value.errors


def test_optimistic_locking(db_session):
    made = make_testimonial(db_session, make_account(db_session))
    version = db_session.get(Testimonial, made.id).version
    testimonials.update_testimonial(db_session, TEST_ACTOR, made.id, {"rating": "4"}, version=version)
    db_session.commit()
    before = audit_count(db_session)
    with pytest.raises(StaleEdit):
        testimonials.update_testimonial(db_session, TEST_ACTOR, made.id, {"rating": "1"}, version=version)
    db_session.rollback()
    with pytest.raises(ValidationError) as missing:
        testimonials.update_testimonial(db_session, TEST_ACTOR, made.id, {"rating": "1"}, version=None)
    assert missing.value.field == "version"
    db_session.rollback()
    assert db_session.get(Testimonial, made.id).rating == 4
    assert audit_count(db_session) == before


def test_withdrawal_retires_a_published_testimonial_and_is_audited(db_session):
    made = make_testimonial(
        db_session, make_account(db_session), status=["approved", "published"], **public_consent()
    )
    testimonials.withdraw_consent(db_session, TEST_ACTOR, made.id, note="E-mail to Ada")
    db_session.commit()
    t = testimonials.get_testimonial(db_session, made.id)
    assert t.consent_withdrawn_on == TODAY and t.status == "retired"
    assert "Consent withdrawn" in t.steps[-1].note
    assert testimonials.public_use_problem(t) == f"consent was withdrawn on {TODAY.isoformat()}"
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "testimonial")).all()
    assert "withdraw_consent" in actions
    with pytest.raises(Conflict):
        testimonials.withdraw_consent(db_session, TEST_ACTOR, made.id)
    db_session.rollback()
    with pytest.raises(ValidationError) as future:
        testimonials.withdraw_consent(
            db_session,
            TEST_ACTOR,
            make_testimonial(db_session, make_account(db_session, "Other Co"), **public_consent()).id,
            on=TODAY + timedelta(days=1),
        )
    assert future.value.field == "on"


def test_new_consent_after_withdrawal_must_be_given_since(db_session):
    made = make_testimonial(db_session, make_account(db_session), **public_consent())
    testimonials.withdraw_consent(db_session, TEST_ACTOR, made.id, on=TODAY - timedelta(days=2))
    db_session.commit()
    version = db_session.get(Testimonial, made.id).version
    with pytest.raises(InvalidFields) as caught:
        testimonials.update_testimonial(
            db_session, TEST_ACTOR, made.id, public_consent(on=TODAY - timedelta(days=5)), version=version
        )
    assert "consented_on" in caught.value.errors
    db_session.rollback()
    testimonials.update_testimonial(
        db_session, TEST_ACTOR, made.id, public_consent("public_anonymous", on=TODAY), version=version
    )
    db_session.commit()
    t = db_session.get(Testimonial, made.id)
    assert t.consent_withdrawn_on is None and t.consent_scope == "public_anonymous"


def test_a_received_testimonial_fulfils_its_promise(db_session):
    account = make_account(db_session)
    discount = discounts.grant_discount(
        db_session,
        TEST_ACTOR,
        account.id,
        {
            "kind": "percent",
            "amount": "20",
            "list_price": "1000",
            "reason": "Design partner",
            "starts_on": TODAY,
            "promises": [
                {"kind": "testimonial", "due_on": TODAY + timedelta(days=30)},
                {"kind": "feedback_sessions", "due_on": TODAY + timedelta(days=30)},
            ],
        },
    )
    db_session.commit()
    promise, sessions = sorted(discount.promises, key=lambda p: p.kind != "testimonial")
    assert [p.id for p in discounts.linkable_promises(db_session, account.id)] == [promise.id]
    requested = testimonials.create_testimonial(
        db_session, TEST_ACTOR, account.id, {"promise_id": promise.id}, status="requested"
    )
    db_session.commit()
    assert db_session.get(GiveGet, promise.id).testimonial_id == requested.id
    assert db_session.get(GiveGet, promise.id).fulfilled_on is None  # asked for, not delivered
    version = db_session.get(Testimonial, requested.id).version
    testimonials.update_testimonial(db_session, TEST_ACTOR, requested.id, {"body": "Great."}, version=version)
    testimonials.transition(db_session, TEST_ACTOR, requested.id, "received")
    db_session.commit()
    db_session.expire_all()
    assert db_session.get(GiveGet, promise.id).fulfilled_on == TODAY
    assert db_session.get(GiveGet, sessions.id).fulfilled_on is None
    fulfil_events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "give_get", AuditEvent.action == "fulfil")
    ).all()
    assert len(fulfil_events) == 1
    # a feedback session cannot be delivered by a testimonial
    with pytest.raises(InvalidFields) as caught:
        testimonials.link_promise(db_session, TEST_ACTOR, requested.id, sessions.id)
    assert "promise_id" in caught.value.errors


def test_linking_a_delivered_testimonial_fulfils_at_once(db_session):
    account = make_account(db_session)
    discount = discounts.grant_discount(
        db_session,
        TEST_ACTOR,
        account.id,
        {
            "kind": "fixed",
            "amount": "100",
            "list_price": "1000",
            "reason": "Logo on the website",
            "starts_on": TODAY,
            "promises": [{"kind": "logo", "due_on": TODAY + timedelta(days=3)}],
        },
    )
    made = make_testimonial(db_session, account, kind="logo", body="")
    testimonials.link_promise(db_session, TEST_ACTOR, made.id, discount.promises[0].id)
    db_session.commit()
    db_session.expire_all()
    assert db_session.get(GiveGet, discount.promises[0].id).fulfilled_on == TODAY


def test_usage_needs_public_consent_outside_and_warns_of_fatigue(db_session):
    account = make_account(db_session)
    internal = make_testimonial(db_session, account, status=["approved"])
    with pytest.raises(InvalidFields) as caught:
        testimonials.add_usage(
            db_session, TEST_ACTOR, internal.id, {"channel": "website", "place": "https://example.com"}
        )
    assert "channel" in caught.value.errors and "internal only" in caught.value.errors["channel"][0]
    db_session.rollback()
    recorded = testimonials.add_usage(
        db_session, TEST_ACTOR, internal.id, {"channel": "internal", "place": "All-hands deck"}
    )
    assert recorded.usage.used_on == TODAY and recorded.uses_this_quarter == 1 and not recorded.fatigued
    public = make_testimonial(db_session, account, status=["approved", "published"], **public_consent())
    for index in range(4):
        recorded = testimonials.add_usage(
            db_session, TEST_ACTOR, public.id, {"channel": "ad", "place": f"Campaign {index}"}
        )
    assert recorded.uses_this_quarter == 5 and not recorded.fatigued  # the default threshold is 5
    recorded = testimonials.add_usage(
        db_session, TEST_ACTOR, public.id, {"channel": "social", "place": "LinkedIn"}
    )
    db_session.commit()
    assert recorded.uses_this_quarter == 6 and recorded.fatigued
    assert testimonials.fatigued_accounts(db_session) == {account.id: 6}
    assert testimonials.fatigued_accounts(db_session, day=TODAY + timedelta(days=100)) == {}  # next quarter
    with pytest.raises(InvalidFields) as bad:
        testimonials.add_usage(
            db_session, TEST_ACTOR, public.id, {"channel": "fax", "place": "", "used_on": "tomorrow"}
        )
    assert {"channel", "place", "used_on"} <= set(bad.value.errors)
    requested = testimonials.create_testimonial(db_session, TEST_ACTOR, account.id, {}, status="requested")
    with pytest.raises(InvalidFields, match="not approved"):
        testimonials.add_usage(db_session, TEST_ACTOR, requested.id, {"channel": "internal", "place": "x"})
    assert count(db_session, TestimonialUsage) == 6


def test_settings_are_checked_and_stored(db_session):
    assert testimonial_settings.load_settings(db_session) == testimonial_settings.DEFAULTS
    with pytest.raises(InvalidFields) as caught:
        testimonial_settings.save_settings(
            db_session,
            TEST_ACTOR,
            {
                "consent_statement": "ok",
                "consent_months": "0",
                "fatigue_threshold": "x",
                "follow_up_days": "7",
                "request_valid_days": "30",
            },
        )
    assert set(caught.value.errors) == {"consent_statement", "consent_months", "fatigue_threshold"}
    db_session.rollback()
    testimonial_settings.save_settings(
        db_session,
        TEST_ACTOR,
        {
            "consent_statement": "You may quote me on your website for a year.",
            "consent_months": "12",
            "fatigue_threshold": "2",
            "follow_up_days": "3",
            "request_valid_days": "10",
            "send_email": "on",
        },
    )
    db_session.commit()
    stored = testimonial_settings.load_settings(db_session)
    assert stored.consent_months == 12 and stored.fatigue_threshold == 2 and stored.send_email
    made = make_testimonial(db_session, make_account(db_session), **public_consent(on=TODAY))
    assert made.consent_expires_on == testimonials.add_months(TODAY, 12)
    assert "workspace_setting" in set(db_session.scalars(select(AuditEvent.entity)))


def test_dashboard_counts(db_session):
    account = make_account(db_session)
    make_testimonial(db_session, account)
    make_testimonial(db_session, account)
    make_testimonial(
        db_session,
        account,
        status=["approved"],
        **public_consent(on=TODAY - timedelta(days=700), consent_expires_on=TODAY + timedelta(days=20)),
    )
    make_testimonial(db_session, account, status=["approved"], **public_consent())
    counts = testimonials.dashboard_counts(db_session)
    assert counts.waiting_for_approval == 2 and counts.consent_expiring == 1
    assert testimonials.dashboard_counts(db_session, TODAY + timedelta(days=20)).consent_expiring == 0


def test_revisions_are_rows_of_their_own(db_session):
    made = make_testimonial(db_session, make_account(db_session))
    version = db_session.get(Testimonial, made.id).version
    testimonials.update_testimonial(db_session, TEST_ACTOR, made.id, {"body": "Typo fixed."}, version=version)
    db_session.commit()
    assert count(db_session, TestimonialRevision) == 1  # a received text is edited without a reason, but kept


def test_withdrawn_consent_closes_approve_and_publish_until_a_new_consent(db_session):
    made = make_testimonial(
        db_session, make_account(db_session), status=["approved", "published"], **public_consent()
    )
    testimonials.withdraw_consent(db_session, TEST_ACTOR, made.id)
    db_session.commit()
    assert db_session.get(Testimonial, made.id).status == "retired"
    with pytest.raises(ValidationError, match=r"Consent was withdrawn on .* cannot become approved"):
        testimonials.transition(db_session, TEST_ACTOR, made.id, "approved")
    db_session.rollback()
    assert db_session.get(Testimonial, made.id).status == "retired"
    version = db_session.get(Testimonial, made.id).version
    testimonials.update_testimonial(
        db_session, TEST_ACTOR, made.id, public_consent(on=TODAY), version=version
    )
    testimonials.transition(db_session, TEST_ACTOR, made.id, "approved")  # a new consent opens it again
    db_session.commit()
    assert db_session.get(Testimonial, made.id).status == "approved"
