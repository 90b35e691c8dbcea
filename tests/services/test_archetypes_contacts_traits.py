"""Archetypes (stats, names, archiving), contacts and DMU coverage, trait definitions, saved views."""

from __future__ import annotations

import math
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.errors import InvalidFields, NotFound, StaleEdit, ValidationError
from ecp_tracker.models import Account, Archetype, AuditEvent, Contact, SavedView, TraitDefinition, User
from ecp_tracker.services.accounts import accounts, archetypes, contacts, saved_views, traits
from ecp_tracker.services.accounts.contacts import ContactInput
from ecp_tracker.services.accounts.listing import AccountFilters
from tests.conftest import TEST_ACTOR

TODAY = date(2026, 11, 1)
Z_95 = 1.959963984540054  # the 97.5% quantile of the standard normal


def archetype(session: Session, name: str) -> Archetype:
    return session.scalar(select(Archetype).where(Archetype.name == name))


def new_account(session: Session, name: str, stage: str = "prospect", *kinds: str, **raw: object) -> Account:
    dates = {}
    if stage in {"customer", "churned"}:
        dates["converted_on"] = "2026-03-01"
    if stage == "churned":
        dates["churned_on"] = "2026-08-01"
    account = accounts.create_account(
        session,
        TEST_ACTOR,
        {"name": name, "stage": stage, "archetypes": list(kinds), **dates, **raw},
        today=TODAY,
    )
    session.commit()
    return account


def events(session: Session, entity: str, entity_id: int) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id)
        )
    )


def count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


# --- archetypes -----------------------------------------------------------------------------------------


def test_the_five_builtin_archetypes_exist(db_session):
    assert [a.name for a in archetypes.list_archetypes(db_session)] == [
        "Digital transformer",
        "Game changer",
        "Tech enthusiast",
        "Underdog supporter",
        "Visionary founder",
    ]
    assert all(a.builtin and a.description for a in archetypes.list_archetypes(db_session))


def wilson(successes: int, total: int) -> tuple[float, float]:
    """The Wilson score interval written out (Wilson 1927), independent of the code under test."""
    p = successes / total
    centre = (p + Z_95**2 / (2 * total)) / (1 + Z_95**2 / total)
    half = Z_95 * math.sqrt(p * (1 - p) / total + Z_95**2 / (4 * total**2)) / (1 + Z_95**2 / total)
    return centre - half, centre + half


def test_archetype_stats(db_session):
    tech, game = "Tech enthusiast", "Game changer"
    new_account(db_session, "P1", "prospect", tech)
    new_account(db_session, "P2", "pilot", tech)
    new_account(db_session, "P3", "pilot", tech, game)
    new_account(db_session, "C1", "customer", tech, game)
    new_account(db_session, "C2", "churned", tech)
    new_account(db_session, "L1", "lost", tech)
    new_account(db_session, "L2", "lost", game)
    new_account(db_session, "L3", "lost", game)
    new_account(db_session, "Nobody's", "customer")
    archived = new_account(db_session, "C3", "customer", tech)
    accounts.set_archived(db_session, TEST_ACTOR, archived.id, archived=True)
    db_session.commit()

    stats = {
        s.archetype.name: s
        for s in archetypes.archetype_stats(db_session, archetypes.list_archetypes(db_session))
    }
    assert list(stats) == [
        "Digital transformer",
        "Game changer",
        "Tech enthusiast",
        "Underdog supporter",
        "Visionary founder",
    ]
    t = stats[tech]
    assert (t.accounts, t.in_pilot, t.decided, t.converted) == (6, 2, 3, 2)
    assert (t.conversion.successes, t.conversion.total) == (2, 3)
    assert t.conversion.value == pytest.approx(2 / 3)
    assert (t.conversion.low, t.conversion.high) == pytest.approx(wilson(2, 3), abs=1e-9)
    g = stats[game]
    assert (g.accounts, g.in_pilot, g.decided, g.converted) == (4, 1, 3, 1)
    assert (g.conversion.low, g.conversion.high) == pytest.approx(wilson(1, 3), abs=1e-9)
    v = stats["Visionary founder"]
    assert (v.accounts, v.in_pilot, v.decided, v.converted, v.conversion) == (0, 0, 0, 0, None)


def test_stats_without_decided_accounts_have_no_rate(db_session):
    new_account(db_session, "P1", "pilot", "Underdog supporter")
    [stats] = archetypes.archetype_stats(db_session, [archetype(db_session, "Underdog supporter")])
    assert (stats.accounts, stats.in_pilot, stats.decided, stats.conversion) == (1, 1, 0, None)


def test_create_archetype_is_audited_and_duplicates_are_refused_case_insensitively(db_session):
    created = archetypes.create_archetype(
        db_session, TEST_ACTOR, name="  Quiet   pragmatist ", description=" x "
    )
    db_session.commit()
    assert (created.name, created.description, created.builtin) == ("Quiet pragmatist", "x", False)
    assert events(db_session, "archetype", created.id)[0].action == "create"
    for clash in ("quiet PRAGMATIST", "TECH ENTHUSIAST"):
        with pytest.raises(ValidationError) as caught:
            archetypes.create_archetype(db_session, TEST_ACTOR, name=clash)
        db_session.rollback()
        assert caught.value.field == "name"
    with pytest.raises(ValidationError) as caught:
        archetypes.create_archetype(db_session, TEST_ACTOR, name="   ")
    assert caught.value.field == "name"
    db_session.rollback()
    assert count(db_session, Archetype) == 6


def test_rename_archetype(db_session):
    game = archetype(db_session, "Game changer")
    with pytest.raises(ValidationError) as caught:
        archetypes.update_archetype(
            db_session, TEST_ACTOR, game.id, version=game.version, name="tech enthusiast", description=""
        )
    db_session.rollback()
    assert caught.value.field == "name"
    db_session.expire_all()
    assert archetype(db_session, "Game changer") is not None

    # a change of case of its own name is fine
    renamed = archetypes.update_archetype(
        db_session, TEST_ACTOR, game.id, version=game.version, name="Game Changer", description="Rebels."
    )
    db_session.commit()
    assert (renamed.name, renamed.description, renamed.version) == ("Game Changer", "Rebels.", 2)
    assert events(db_session, "archetype", game.id)[-1].changes["name"] == ["Game changer", "Game Changer"]


def test_rename_archetype_with_a_stale_version_changes_nothing(db_session):
    game = archetype(db_session, "Game changer")
    for version in (game.version + 1, None):
        with pytest.raises(StaleEdit):
            archetypes.update_archetype(
                db_session, TEST_ACTOR, game.id, version=version, name="Renamed", description=""
            )
        db_session.rollback()
    db_session.expire_all()
    assert archetype(db_session, "Game changer").version == 1


def test_archived_archetypes_stay_on_accounts_but_are_not_offered(db_session):
    account = new_account(db_session, "Acme", "prospect", "Tech enthusiast", "Game changer")
    tech = archetype(db_session, "Tech enthusiast")
    archetypes.set_archived(db_session, TEST_ACTOR, tech.id, archived=True)
    db_session.commit()
    assert events(db_session, "archetype", tech.id)[-1].action == "archive"

    db_session.expire_all()
    assert [a.name for a in accounts.get_account(db_session, account.id).archetypes] == [
        "Game changer",
        "Tech enthusiast",
    ]
    assert "tech enthusiast" not in accounts.archetype_lookup(db_session)
    assert "game changer" in accounts.archetype_lookup(db_session)
    assert "Tech enthusiast" not in [a.name for a in archetypes.list_archetypes(db_session)]
    assert "Tech enthusiast" in [
        a.name for a in archetypes.list_archetypes(db_session, include_archived=True)
    ]
    with pytest.raises(InvalidFields) as caught:
        accounts.create_account(db_session, TEST_ACTOR, {"name": "New", "archetypes": ["Tech enthusiast"]})
    db_session.rollback()
    assert [field for field, _ in caught.value.problems] == ["archetypes"]
    # the archived archetype still counts in its stats
    [stats] = archetypes.archetype_stats(db_session, [archetype(db_session, "Tech enthusiast")])
    assert stats.accounts == 1

    archetypes.set_archived(db_session, TEST_ACTOR, tech.id, archived=False)
    db_session.commit()
    assert events(db_session, "archetype", tech.id)[-1].action == "restore"
    assert "tech enthusiast" in accounts.archetype_lookup(db_session)


def test_unknown_archetype_is_not_found(db_session):
    with pytest.raises(NotFound):
        archetypes.get_archetype(db_session, 999)


# --- contacts -------------------------------------------------------------------------------------------


@pytest.fixture
def account(db_session: Session) -> Account:
    return new_account(db_session, "Acme")


def test_add_contact(db_session, account):
    tech = archetype(db_session, "Tech enthusiast")
    contact = contacts.add_contact(
        db_session,
        TEST_ACTOR,
        account.id,
        ContactInput(
            name="  Ada   Lovelace ",
            dmu_role="economic_buyer",
            email=" Ada@Acme.Example ",
            title=" CFO ",
            archetype_id=tech.id,
        ),
    )
    db_session.commit()
    db_session.expire_all()
    stored = db_session.get(Contact, contact.id)
    assert (stored.name, stored.email, stored.title, stored.dmu_role) == (
        "Ada Lovelace",
        "ada@acme.example",
        "CFO",
        "economic_buyer",
    )
    assert stored.archetype.name == "Tech enthusiast"
    assert stored.is_champion is False
    assert stored.version == 1
    [event] = events(db_session, "contact", contact.id)
    assert event.action == "create" and event.changes["dmu_role"] == [None, "economic_buyer"]


def test_a_champion_is_flagged_as_one(db_session, account):
    contact = contacts.add_contact(
        db_session, TEST_ACTOR, account.id, ContactInput(name="Bo", dmu_role="champion")
    )
    assert contact.is_champion is True


def test_bad_contacts_are_refused_naming_every_field(db_session, account):
    before = count(db_session, AuditEvent)
    with pytest.raises(InvalidFields) as caught:
        contacts.add_contact(
            db_session,
            TEST_ACTOR,
            account.id,
            ContactInput(
                name=" ", dmu_role="janitor", email="not-an-email", title="x" * 121, archetype_id=999
            ),
        )
    db_session.rollback()
    assert [field for field, _ in caught.value.problems] == [
        "name",
        "dmu_role",
        "email",
        "title",
        "archetype_id",
    ]
    assert count(db_session, Contact) == 0
    assert count(db_session, AuditEvent) == before


@pytest.mark.parametrize("email", ["ada at acme.example", "ada @acme.example", "a" * 250 + "@acme.example"])
def test_bad_email_is_refused(db_session, account, email):
    with pytest.raises(InvalidFields) as caught:
        contacts.add_contact(
            db_session, TEST_ACTOR, account.id, ContactInput(name="Ada", dmu_role="end_user", email=email)
        )
    assert [field for field, _ in caught.value.problems] == ["email"]


def test_contact_at_a_missing_account_is_not_found(db_session):
    with pytest.raises(NotFound):
        contacts.add_contact(db_session, TEST_ACTOR, 999, ContactInput(name="Ada", dmu_role="champion"))


def test_update_contact_with_version(db_session, account):
    contact = contacts.add_contact(
        db_session, TEST_ACTOR, account.id, ContactInput(name="Ada", dmu_role="end_user")
    )
    db_session.commit()
    contacts.update_contact(
        db_session,
        TEST_ACTOR,
        contact.id,
        ContactInput(name="Ada", dmu_role="influencer", email="ada@acme.example"),
        version=1,
    )
    db_session.commit()
    db_session.expire_all()
    stored = db_session.get(Contact, contact.id)
    assert (stored.dmu_role, stored.email, stored.version) == ("influencer", "ada@acme.example", 2)
    event = events(db_session, "contact", contact.id)[-1]
    assert event.action == "update"
    assert event.changes == {"dmu_role": ["end_user", "influencer"], "email": [None, "ada@acme.example"]}

    for stale in (1, None):
        with pytest.raises(StaleEdit):
            contacts.update_contact(
                db_session,
                TEST_ACTOR,
                contact.id,
                ContactInput(name="Eve", dmu_role="champion"),
                version=stale,
            )
        db_session.rollback()
    with pytest.raises(InvalidFields) as caught:
        contacts.update_contact(
            db_session, TEST_ACTOR, contact.id, ContactInput(name="Eve", dmu_role="boss"), version=2
        )
    db_session.rollback()
    assert [field for field, _ in caught.value.problems] == ["dmu_role"]
    db_session.expire_all()
    stored = db_session.get(Contact, contact.id)
    assert (stored.name, stored.dmu_role, stored.version) == ("Ada", "influencer", 2)
    assert len(events(db_session, "contact", contact.id)) == 2


def test_archive_contact(db_session, account):
    kept = contacts.add_contact(
        db_session, TEST_ACTOR, account.id, ContactInput(name="Kept", dmu_role="end_user")
    )
    gone = contacts.add_contact(
        db_session, TEST_ACTOR, account.id, ContactInput(name="Gone", dmu_role="end_user")
    )
    contacts.set_archived(db_session, TEST_ACTOR, gone.id, archived=True)
    db_session.commit()
    assert [c.name for c in contacts.list_contacts(db_session, account.id)] == ["Kept"]
    assert [c.name for c in contacts.list_contacts(db_session, account.id, include_archived=True)] == [
        "Gone",
        "Kept",
    ]
    assert events(db_session, "contact", gone.id)[-1].action == "archive"
    contacts.set_archived(db_session, TEST_ACTOR, gone.id, archived=False)
    db_session.commit()
    assert events(db_session, "contact", gone.id)[-1].action == "restore"
    assert len(contacts.list_contacts(db_session, account.id)) == 2
    assert kept.archived_at is None


def test_get_contact_checks_the_account(db_session, account):
    other = new_account(db_session, "Other")
    contact = contacts.add_contact(
        db_session, TEST_ACTOR, account.id, ContactInput(name="Ada", dmu_role="end_user")
    )
    assert contacts.get_contact(db_session, contact.id, account.id) is contact
    with pytest.raises(NotFound):
        contacts.get_contact(db_session, contact.id, other.id)


CHAMPION_WARNING = "No champion is known: who inside the account pushes for you?"
BUYER_WARNING = "No economic buyer is known: who signs the cheque?"


def test_dmu_coverage_warnings(db_session, account):
    def add(name: str, role: str, **extra: object) -> Contact:
        return contacts.add_contact(
            db_session, TEST_ACTOR, account.id, ContactInput(name=name, dmu_role=role, **extra)
        )

    assert contacts.dmu_coverage([]).warnings == [CHAMPION_WARNING, BUYER_WARNING]
    user = add("User", "end_user")
    assert contacts.dmu_coverage([user]).warnings == [CHAMPION_WARNING, BUYER_WARNING]
    buyer = add("Buyer", "economic_buyer")
    assert contacts.dmu_coverage([user, buyer]).warnings == [CHAMPION_WARNING]
    # an influencer marked as champion counts as one
    flagged = add("Flagged", "influencer", is_champion=True)
    coverage = contacts.dmu_coverage([user, buyer, flagged])
    assert (coverage.has_champion, coverage.has_economic_buyer, coverage.warnings) == (True, True, [])
    assert contacts.dmu_coverage([flagged]).warnings == [BUYER_WARNING]
    # archived contacts do not count
    contacts.set_archived(db_session, TEST_ACTOR, buyer.id, archived=True)
    assert contacts.dmu_coverage([user, buyer, flagged]).warnings == [BUYER_WARNING]


# --- trait definitions ----------------------------------------------------------------------------------


def test_trait_keys_are_slugs_of_the_label_or_the_given_key(db_session):
    one = traits.create_definition(db_session, TEST_ACTOR, label="  Funding   Stage! ", kind="boolean")
    two = traits.create_definition(
        db_session, TEST_ACTOR, label="Seats", key="Team Size (FTE)", kind="number"
    )
    db_session.commit()
    assert (one.key, one.label, one.kind) == ("funding_stage", "Funding Stage!", "boolean")
    assert (two.key, two.label) == ("team_size_fte", "Seats")
    assert [e.action for e in events(db_session, "trait_definition", one.id)] == ["create"]


def test_duplicate_trait_key_is_refused(db_session):
    traits.create_definition(db_session, TEST_ACTOR, label="Funding stage", kind="boolean")
    db_session.commit()
    with pytest.raises(ValidationError) as caught:
        traits.create_definition(db_session, TEST_ACTOR, label="FUNDING-stage", kind="number")
    db_session.rollback()
    assert caught.value.field == "key"
    assert count(db_session, TraitDefinition) == 1


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"label": " ", "kind": "boolean"}, "label"),
        ({"label": "!!!", "kind": "boolean"}, "key"),
        ({"label": "Colour", "kind": "colour"}, "kind"),
        ({"label": "Plan", "kind": "category"}, "allowed_values"),
        ({"label": "Plan", "kind": "category", "allowed_values": [" ", ""]}, "allowed_values"),
    ],
)
def test_bad_trait_definitions_are_refused(db_session, options, field):
    with pytest.raises(ValidationError) as caught:
        traits.create_definition(db_session, TEST_ACTOR, **options)
    db_session.rollback()
    assert caught.value.field == field
    assert count(db_session, TraitDefinition) == 0


def test_allowed_values_are_cleaned_and_only_kept_where_they_apply(db_session):
    category = traits.create_definition(
        db_session,
        TEST_ACTOR,
        label="Plan",
        kind="category",
        allowed_values=[" Free ", "Pro", "free", "", "PRO  "],
    )
    number = traits.create_definition(
        db_session, TEST_ACTOR, label="Seats", kind="number", allowed_values=["1"]
    )
    assert category.allowed_values == ["Free", "Pro"]
    assert number.allowed_values == []


def test_update_trait_definition_keeps_key_and_kind(db_session):
    definition = traits.create_definition(
        db_session, TEST_ACTOR, label="Plan", kind="category", allowed_values=["Free", "Pro"]
    )
    db_session.commit()
    updated = traits.update_definition(
        db_session,
        TEST_ACTOR,
        definition.id,
        version=1,
        label="Pricing plan",
        allowed_values=["Free", "Pro", "Enterprise"],
        description="What they pay for.",
        externally_observable=True,
    )
    db_session.commit()
    db_session.expire_all()
    stored = db_session.get(TraitDefinition, updated.id)
    assert (stored.key, stored.kind, stored.label) == ("plan", "category", "Pricing plan")
    assert stored.allowed_values == ["Free", "Pro", "Enterprise"]
    assert (stored.description, stored.externally_observable, stored.version) == (
        "What they pay for.",
        True,
        2,
    )
    assert events(db_session, "trait_definition", definition.id)[-1].changes["label"] == [
        "Plan",
        "Pricing plan",
    ]
    with pytest.raises(TypeError):
        traits.update_definition(  # there is no way to change the kind
            db_session,
            TEST_ACTOR,
            definition.id,
            version=2,
            label="Plan",
            kind="number",
            allowed_values=[],
            description="",
            externally_observable=False,
        )
    # the kind still applies: a category cannot lose all its allowed values
    with pytest.raises(ValidationError) as caught:
        traits.update_definition(
            db_session,
            TEST_ACTOR,
            definition.id,
            version=2,
            label="Plan",
            allowed_values=[],
            description="",
            externally_observable=False,
        )
    db_session.rollback()
    assert caught.value.field == "allowed_values"
    db_session.expire_all()
    assert db_session.get(TraitDefinition, definition.id).allowed_values == ["Free", "Pro", "Enterprise"]


def test_update_trait_definition_with_a_stale_version_changes_nothing(db_session):
    definition = traits.create_definition(db_session, TEST_ACTOR, label="Plan", kind="boolean")
    db_session.commit()
    for stale in (2, None):
        with pytest.raises(StaleEdit):
            traits.update_definition(
                db_session,
                TEST_ACTOR,
                definition.id,
                version=stale,
                label="Changed",
                allowed_values=[],
                description="",
                externally_observable=True,
            )
        db_session.rollback()
    db_session.expire_all()
    stored = db_session.get(TraitDefinition, definition.id)
    assert (stored.label, stored.externally_observable, stored.version) == ("Plan", False, 1)


def test_archived_trait_definitions_no_longer_take_values(db_session):
    definition = traits.create_definition(db_session, TEST_ACTOR, label="Uses SSO", kind="boolean")
    traits.set_archived(db_session, TEST_ACTOR, definition.id, archived=True)
    db_session.commit()
    assert "uses_sso" not in traits.definitions_by_key(db_session)
    assert [d.key for d in traits.list_definitions(db_session, include_archived=True)] == ["uses_sso"]
    assert events(db_session, "trait_definition", definition.id)[-1].action == "archive"
    with pytest.raises(InvalidFields) as caught:
        accounts.create_account(db_session, TEST_ACTOR, {"name": "Acme", "trait:uses_sso": "yes"})
    assert [field for field, _ in caught.value.problems] == ["trait:uses_sso"]


# --- saved views ----------------------------------------------------------------------------------------


def quick_user(session: Session, email: str) -> int:
    """A user who owns saved views (no password hashing: nobody signs in as them)."""
    user = User(email=email, name=email.split("@")[0], password_hash="not-a-real-hash", session_version=1)
    session.add(user)
    session.commit()
    return user.id


def test_saved_views_are_saved_overwritten_by_name_and_deleted_by_their_owner(db_session):
    editor, viewer = quick_user(db_session, "ed@example.com"), quick_user(db_session, "vi@example.com")
    customers = AccountFilters(stage=("customer",), traits={"funding_stage": ("Seed",)})
    view = saved_views.save_view(
        db_session, TEST_ACTOR, editor, name="  Seed   customers ", filters=customers
    )
    db_session.commit()
    assert view.name == "Seed customers"
    assert view.filters == {"stage": ["customer"], "trait:funding_stage": ["Seed"]}
    assert AccountFilters.from_query(view.filters) == customers

    # the same name again overwrites
    pilots = AccountFilters(stage=("pilot",), sort="employees", descending=True)
    again = saved_views.save_view(db_session, TEST_ACTOR, editor, name="Seed customers", filters=pilots)
    db_session.commit()
    assert again.id == view.id
    db_session.expire_all()
    assert [v.filters for v in saved_views.list_views(db_session, editor)] == [
        {"stage": ["pilot"], "sort": ["-employees"]}
    ]
    # another user's view of the same name is their own
    theirs = saved_views.save_view(db_session, TEST_ACTOR, viewer, name="Seed customers", filters=customers)
    db_session.commit()
    assert theirs.id != view.id
    assert count(db_session, SavedView) == 2

    # nobody deletes someone else's view
    with pytest.raises(NotFound):
        saved_views.delete_view(db_session, TEST_ACTOR, viewer, view.id)
    db_session.rollback()
    with pytest.raises(NotFound):
        saved_views.delete_view(db_session, TEST_ACTOR, editor, 9999)
    db_session.rollback()
    assert count(db_session, SavedView) == 2

    saved_views.delete_view(db_session, TEST_ACTOR, editor, view.id)
    db_session.commit()
    assert saved_views.list_views(db_session, editor) == []
    assert [v.id for v in saved_views.list_views(db_session, viewer)] == [theirs.id]
    assert events(db_session, "saved_view", view.id)[-1].action == "delete"


def test_saved_view_needs_a_name(db_session):
    owner = quick_user(db_session, "ed@example.com")
    for name in ("  ", "x" * 81):
        with pytest.raises(ValidationError) as caught:
            saved_views.save_view(db_session, TEST_ACTOR, owner, name=name, filters=AccountFilters())
        assert caught.value.field == "name"
    assert count(db_session, SavedView) == 0
