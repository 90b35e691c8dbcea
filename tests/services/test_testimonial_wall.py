"""What a public wall may show: only published testimonials with current public consent on the day asked
(expiry and withdrawal take effect with no job run), in the collection's tags, and anonymous ones without the
person's name, company, domain or logo. Also collections themselves, the library (filters, full-text search,
a bounded number of statements), the proof coverage matrix and the CSV export."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from ecp_tracker.domain.errors import InvalidFields, NotFound, StaleEdit
from ecp_tracker.models import Archetype, Collection, Testimonial
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.testimonials import library as testimonial_library
from ecp_tracker.services.testimonials import testimonials
from ecp_tracker.services.testimonials import wall as testimonial_wall
from ecp_tracker.services.testimonials.library import TestimonialFilters
from tests.conftest import TEST_ACTOR
from tests.factories.testimonials import TODAY, make_account, make_contact, make_testimonial, public_consent
from tests.helpers import counting

SECRETS = ("Kim", "Novak", "Acme", "acmepay")  # what must never appear for an anonymous testimonial


def published(session, account, *, scope="public_named", body="Pipelines went from hours to minutes.", **raw):
    return make_testimonial(
        session, account, body=body, status=["approved", "published"], **{**public_consent(scope), **raw}
    )


def wall_of(session, tags=(), slug="fintech-proof"):
    collection = testimonial_wall.create_collection(
        session, TEST_ACTOR, {"slug": slug, "title": "Fintech proof", "tags": list(tags)}
    )
    session.commit()
    return collection


def shown(session, collection, day=None) -> list[int]:
    return [item.id for item in testimonial_wall.wall(session, collection, day)]


def test_only_published_testimonials_with_current_public_consent_are_shown(db_session):
    account = make_account(db_session)
    named = published(db_session, account)
    internal_published_then = make_testimonial(db_session, account, status=["approved"])
    approved_only = make_testimonial(db_session, account, status=["approved"], **public_consent())
    received = make_testimonial(db_session, account, **public_consent())
    collection = wall_of(db_session)
    assert shown(db_session, collection) == [named.id]
    assert internal_published_then.id not in shown(db_session, collection)
    assert {approved_only.id, received.id}.isdisjoint(shown(db_session, collection))


def test_expiry_removes_it_on_its_day_without_a_job(db_session):
    account = make_account(db_session)
    expiring = published(
        db_session,
        account,
        consented_on=TODAY - timedelta(days=700),
        consent_expires_on=TODAY + timedelta(days=3),
    )
    collection = wall_of(db_session)
    assert shown(db_session, collection) == [expiring.id]
    assert shown(db_session, collection, TODAY + timedelta(days=2)) == [expiring.id]
    assert shown(db_session, collection, TODAY + timedelta(days=3)) == []  # nothing was run in between
    assert db_session.get(Testimonial, expiring.id).status == "published"  # still: the query decides


def test_withdrawal_removes_it_at_once(db_session):
    account = make_account(db_session)
    kept = published(db_session, account, body="Support answers within the hour.")
    withdrawn = published(db_session, account)
    collection = wall_of(db_session)
    assert set(shown(db_session, collection)) == {kept.id, withdrawn.id}
    testimonials.withdraw_consent(db_session, TEST_ACTOR, withdrawn.id)
    db_session.commit()
    assert shown(db_session, collection) == [kept.id]


def test_a_withdrawal_dated_in_the_past_counts_even_if_status_stays(db_session):
    account = make_account(db_session)
    t = published(db_session, account)
    db_session.get(Testimonial, t.id).consent_withdrawn_on = TODAY  # e.g. changed by an import, no retire
    db_session.commit()
    assert shown(db_session, wall_of(db_session)) == []


def test_tag_filter_and_archived_accounts(db_session):
    fintech = make_account(db_session, "Ledgerly")
    other = make_account(db_session, "Freightly")
    tagged = published(db_session, fintech, use_cases=["Fintech reporting"])
    untagged = published(db_session, other, body="Our trucks report in real time.")
    collection = wall_of(db_session, tags=["fintech REPORTING"])
    assert shown(db_session, collection) == [tagged.id]
    everything = wall_of(db_session, slug="all")
    assert set(shown(db_session, everything)) == {tagged.id, untagged.id}
    other.archived_at = utcnow()
    db_session.add(other)
    db_session.commit()
    assert shown(db_session, everything) == [tagged.id]


def test_anonymous_output_never_names_the_customer(db_session):
    account = make_account(db_session, industry="Fintech")
    contact = make_contact(db_session, account)
    anonymous = published(
        db_session,
        account,
        scope="public_anonymous",
        contact_id=contact.id,
        body="Reconciliation went from two days to twenty minutes.",
        media_url="https://video.example/kim-novak",
        kind="video",
    )
    # later the account is renamed to a word the quote happens to use: still blanked out
    account.name = "Twenty Minutes Inc"
    db_session.add(account)
    db_session.commit()
    items = testimonial_wall.wall(db_session, wall_of(db_session))
    assert [item.id for item in items] == [anonymous.id]
    item = items[0]
    assert item.anonymous and item.person is None and item.company is None
    assert not item.logo_allowed and item.video_url is None
    assert item.attribution == "Head of Data, a fintech company"
    assert item.text == "Reconciliation went from two days to […] minutes."
    text = json.dumps(testimonial_wall.feed(wall_of(db_session, slug="second"), items, TODAY))
    for secret in (*SECRETS, "Twenty Minutes", "video.example"):
        assert secret.casefold() not in text.casefold(), secret


def test_named_and_logo_scopes(db_session):
    account = make_account(db_session)
    contact = make_contact(db_session, account)
    named = published(db_session, account, contact_id=contact.id)
    logo = published(db_session, account, scope="logo", kind="logo", body="", contact_id=contact.id)
    anonymous_logo = published(db_session, account, scope="public_anonymous", kind="logo", body="")
    items = {item.id: item for item in testimonial_wall.wall(db_session, wall_of(db_session))}
    assert items[named.id].attribution == "Kim Novak, Head of Data, Acme Pay"
    assert not items[named.id].logo_allowed
    assert items[logo.id].logo_allowed and items[logo.id].company == "Acme Pay"
    assert anonymous_logo.id not in items  # an anonymous logo permission cannot be shown


def test_collections_are_checked(db_session):
    with pytest.raises(InvalidFields) as caught:
        testimonial_wall.create_collection(db_session, TEST_ACTOR, {"slug": "Fintech Proof!", "title": ""})
    assert set(caught.value.errors) == {"slug", "title"}
    db_session.rollback()
    collection = wall_of(db_session)
    with pytest.raises(InvalidFields, match="already uses"):
        testimonial_wall.create_collection(
            db_session, TEST_ACTOR, {"slug": "fintech-proof", "title": "Again"}
        )
    db_session.rollback()
    with pytest.raises(StaleEdit):
        testimonial_wall.update_collection(
            db_session, TEST_ACTOR, collection.id, {"title": "New"}, version=collection.version + 1
        )
    db_session.rollback()
    testimonial_wall.update_collection(
        db_session, TEST_ACTOR, collection.id, {"archived": True}, version=collection.version
    )
    db_session.commit()
    with pytest.raises(NotFound):
        testimonial_wall.live_collection(db_session, "fintech-proof")
    assert db_session.get(Collection, collection.id).archived_at is not None


# --- the library -----------------------------------------------------------------------------------------


def test_library_filters_and_search(db_session):
    fintech = make_account(db_session, "Ledgerly", industry="Fintech")
    logistics = make_account(db_session, "Freightly", industry="Logistics")
    game_changer = db_session.query(Archetype).filter_by(name="Game changer").one()
    fintech.archetypes.append(game_changer)
    db_session.commit()
    fast = published(
        db_session, fintech, body="Dashboards are FAST now; reconciliation is déjà vu.", rating="5"
    )
    slow = make_testimonial(
        db_session, logistics, body="Setup was slow but support was great.", rating="3", themes=["support"]
    )
    expiring = published(
        db_session,
        logistics,
        body="Faster month-end close.",
        consented_on=TODAY - timedelta(days=700),
        consent_expires_on=TODAY + timedelta(days=10),
    )

    def ids(**query):
        filters = TestimonialFilters.from_query(
            {k: v if isinstance(v, list) else [v] for k, v in query.items()}
        )
        return [t.id for t in testimonial_library.library(db_session, filters).page.items]

    assert ids() == [expiring.id, slow.id, fast.id]
    assert ids(q="fast") == [expiring.id, fast.id]  # "faster" starts with "fast"
    assert ids(q="FAST deja") == [fast.id]
    assert ids(q='"month-end close"') == [expiring.id]
    assert ids(q="ast") == []  # only at the start of a word
    assert ids(q="100%_") == []
    assert ids(status="received") == [slow.id]
    assert ids(consent_scope=["public_named"]) == [expiring.id, fast.id]
    assert ids(tag="SUPPORT") == [slow.id]
    assert ids(archetype="game changer") == [fast.id]
    assert ids(industry="logistics") == [expiring.id, slow.id]
    assert ids(rating="4") == [fast.id]
    assert ids(expiring="1") == [expiring.id]
    assert ids(account_id=str(fintech.id)) == [fast.id]
    with pytest.raises(InvalidFields) as caught:
        TestimonialFilters.from_query({"status": ["lost"], "rating": ["9"]})
    assert set(caught.value.errors) == {"status", "rating"}


def test_library_and_wall_issue_a_bounded_number_of_statements(app, db_session):
    def grow(n):
        for i in range(n):
            account = make_account(db_session, f"Bulk {len(db_session.query(Testimonial).all())} {i}")
            t = published(db_session, account, use_cases=["Sync", f"Case {i}"], themes=["speed"])
            testimonials.add_usage(
                db_session, TEST_ACTOR, t.id, {"channel": "website", "place": "https://x.example"}
            )
        db_session.commit()

    collection = wall_of(db_session)
    measured = []
    for n in (3, 30):
        grow(n)
        with app.app_context():
            session = app.extensions["ecp_db"].session_factory()
            with counting(app) as statements:
                library = testimonial_library.library(
                    session, TestimonialFilters(q="pipelines"), per_page=100
                )
                testimonial_wall.wall(session, session.get(Collection, collection.id))
            session.close()
        assert library.page.total == len(db_session.query(Testimonial).all())
        measured.append(len(statements))
    assert measured[0] == measured[1] <= 10


def test_proof_coverage_counts_usable_public_testimonials(db_session):
    archetypes = {a.name: a for a in db_session.query(Archetype).all()}
    ledgerly = make_account(db_session, "Ledgerly")
    ledgerly.archetypes.extend([archetypes["Game changer"], archetypes["Tech enthusiast"]])
    freightly = make_account(db_session, "Freightly")
    freightly.archetypes.append(archetypes["Game changer"])
    db_session.commit()
    published(db_session, ledgerly, use_cases=["Reporting", "Sync"])
    make_testimonial(db_session, freightly, status=["approved"], use_cases=["Reporting"], **public_consent())
    make_testimonial(db_session, freightly, status=["approved"], use_cases=["Reporting"])  # internal: no
    published(
        db_session,
        freightly,
        use_cases=["Sync"],
        consented_on=TODAY - timedelta(days=800),
        consent_expires_on=TODAY + timedelta(days=1),
    )
    coverage = testimonial_library.coverage(db_session)
    assert coverage.use_cases == ["Reporting", "Sync"]
    assert coverage.count("Game changer", "Reporting") == 2
    assert coverage.count("Game changer", "Sync") == 2
    assert coverage.count("Tech enthusiast", "Reporting") == 1
    assert coverage.count("Visionary founder", "Sync") == 0
    assert coverage.use_case_totals == {"Reporting": 2, "Sync": 2} and coverage.total == 3
    later = testimonial_library.coverage(db_session, TODAY + timedelta(days=1))  # one consent has expired
    assert later.count("Game changer", "Sync") == 1 and later.total == 2
    assert coverage.empty_cells == len(coverage.archetypes) * 2 - 4


def test_csv_export_is_formula_safe_and_complete(db_session):
    account = make_account(db_session, "=HYPERLINK(evil)", domain="evil.example")
    t = published(db_session, account, body="+SUM(A1) great", use_cases=["@risk", "Sync"])
    out = io.StringIO(newline="")
    assert testimonial_library.export_testimonials(db_session, TestimonialFilters(), out) == 1
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["id"] == str(t.id)
    assert rows[0]["account"] == "'=HYPERLINK(evil)"
    assert rows[0]["body"] == "'+SUM(A1) great"
    assert rows[0]["use_cases"] == "'@risk; Sync"
    assert rows[0]["public_today"] == "yes" and rows[0]["uses"] == "0"
    assert rows[0]["consent_scope"] == "public_named"


def test_wall_counts_match_the_walls(db_session):
    account = make_account(db_session)
    published(db_session, account, use_cases=["Sync"], themes=["speed"])
    published(db_session, account, body="Reporting in a day.", use_cases=["Reporting"])
    make_testimonial(db_session, account, body="Internal.", use_cases=["Sync"], status=["approved"])
    walls = [
        wall_of(db_session),
        wall_of(db_session, tags=["sync", "SPEED"], slug="sync"),
        wall_of(db_session, tags=["nothing"], slug="empty"),
    ]
    counts = testimonial_wall.wall_counts(db_session, walls)
    assert (
        counts
        == {w.id: len(testimonial_wall.wall(db_session, w)) for w in walls}
        == {
            walls[0].id: 2,
            walls[1].id: 1,
            walls[2].id: 0,
        }
    )
