"""The account service: create with every field, archetypes and traits, collected problems, uniqueness,
stage rules, optimistic locking, archive / restore, and one audit event per write."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.errors import InvalidFields, NotFound, StaleEdit, ValidationError
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Account, AuditEvent, Contact, User
from ecp_tracker.services.accounts import accounts, traits
from ecp_tracker.services.accounts.contacts import ContactInput
from ecp_tracker.services.accounts.listing import AccountFilters, list_accounts
from tests.conftest import TEST_ACTOR, add_user

TODAY = date(2026, 11, 1)


@pytest.fixture
def definitions(db_session: Session) -> None:
    """One custom trait of each kind."""
    traits.create_definition(db_session, TEST_ACTOR, label="Uses SSO", kind="boolean")
    traits.create_definition(
        db_session, TEST_ACTOR, label="Funding stage", kind="category", allowed_values=["Seed", "Series A"]
    )
    traits.create_definition(db_session, TEST_ACTOR, label="Seats", kind="number")
    traits.create_definition(db_session, TEST_ACTOR, label="Tech stack", kind="tags")
    db_session.commit()


@pytest.fixture
def owner(db_session: Session) -> User:
    return add_user(db_session, Role.EDITOR, email="ada@ourstartup.example", name="Ada")


def create(session: Session, **raw: object) -> Account:
    account = accounts.create_account(session, TEST_ACTOR, raw, today=TODAY)
    session.commit()
    return account


def update(session: Session, account: Account, version: int | None = None, **raw: object) -> Account:
    result = accounts.update_account(
        session,
        TEST_ACTOR,
        account.id,
        raw,
        version=account.version if version is None else version,
        today=TODAY,
    )
    session.commit()
    return result


def reload(session: Session, account_id: int) -> Account:
    session.expire_all()
    return accounts.get_account(session, account_id)


def trait_values(account: Account) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for row in account.traits:
        values.setdefault(row.definition.key, []).append(row.value)
    return values


def account_events(session: Session, account_id: int | None = None) -> list[AuditEvent]:
    session.expire_all()
    stmt = select(AuditEvent).where(AuditEvent.entity == "account").order_by(AuditEvent.id)
    if account_id is not None:
        stmt = stmt.where(AuditEvent.entity_id == str(account_id))
    return list(session.scalars(stmt))


def count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def refused(session: Session, raw: dict[str, object]) -> InvalidFields:
    with pytest.raises(InvalidFields) as caught:
        accounts.create_account(session, TEST_ACTOR, raw, today=TODAY)
    session.rollback()
    return caught.value


# --- create --------------------------------------------------------------------------------------------


def test_create_with_every_field(db_session, definitions, owner):
    account = create(
        db_session,
        name="  Nordlys   Robotics ",
        domain="https://www.Nordlys.example/about",
        industry=" Robotics ",
        employees="38",
        annual_revenue="2,100,000",
        founded_year="2019",
        country="Norway",
        region="EMEA",
        acquisition_channel="Referral",
        stage="Customer",
        converted_on="2026-03-01",
        contract_value="24000.5",
        nps="9",
        referrals="2",
        owner="ADA@ourstartup.example",
        notes="Met at a robotics meetup.",
        archetypes="game CHANGER; Tech Enthusiast",
        **{
            "trait:uses_sso": "Y",
            "trait:funding_stage": "series a",
            "trait:seats": "1,200",
            "trait:tech_stack": "Python; Postgres;python",
        },
    )
    stored = reload(db_session, account.id)
    assert stored.name == "Nordlys Robotics"
    assert stored.name_key == "nordlys robotics"
    assert stored.domain == "nordlys.example"
    assert stored.industry == "Robotics"
    assert stored.employees == 38
    assert stored.annual_revenue == Decimal("2100000.00")
    assert stored.founded_year == 2019
    assert (stored.country, stored.region, stored.acquisition_channel) == ("Norway", "EMEA", "Referral")
    assert stored.stage == "customer"
    assert stored.converted_on == date(2026, 3, 1)
    assert stored.churned_on is None
    assert stored.contract_value == Decimal("24000.50")
    assert (stored.nps, stored.referrals) == (9, 2)
    assert stored.owner_id == owner.id and stored.owner.name == "Ada"
    assert stored.notes == "Met at a robotics meetup."
    assert stored.version == 1
    assert stored.archived_at is None
    assert sorted(a.name for a in stored.archetypes) == ["Game changer", "Tech enthusiast"]
    assert trait_values(stored) == {
        "uses_sso": ["yes"],
        "funding_stage": ["Series A"],
        "seats": ["1200"],
        "tech_stack": ["Python", "Postgres"],
    }


def test_minimal_account_is_a_prospect(db_session):
    stored = reload(db_session, create(db_session, name="Solo").id)
    assert stored.stage == "prospect"
    assert stored.notes == ""
    assert stored.archetypes == [] and stored.traits == []
    assert stored.owner_id is None


@pytest.mark.parametrize(
    ("word", "stored"),
    [("yes", "yes"), ("Y", "yes"), ("TRUE", "yes"), ("1", "yes"), ("no", "no"), ("n", "no"), ("False", "no")],
)
def test_boolean_trait_words(db_session, definitions, word, stored):
    account = create(db_session, name="Bool", **{"trait:uses_sso": word})
    assert trait_values(reload(db_session, account.id)) == {"uses_sso": [stored]}


@pytest.mark.parametrize(
    ("key", "value", "stored"),
    [
        ("funding_stage", "SEED", ["Seed"]),
        ("funding_stage", "  series   A ", ["Series A"]),
        ("seats", "2.50", ["2.5"]),
        ("seats", "-3", ["-3"]),
        ("tech_stack", "Go;Rust; go ;;RUST", ["Go", "Rust"]),
        ("tech_stack", ["Go", "Rust", "go"], ["Go", "Rust"]),
        ("tech_stack", "", None),
    ],
)
def test_trait_values_are_canonical(db_session, definitions, key, value, stored):
    account = create(db_session, name="Traits", **{f"trait:{key}": value})
    assert trait_values(reload(db_session, account.id)).get(key) == stored


@pytest.mark.parametrize(
    ("key", "value"),
    [("uses_sso", "maybe"), ("funding_stage", "Series Z"), ("seats", "a dozen"), ("seats", "Infinity")],
)
def test_trait_values_that_do_not_fit_are_refused(db_session, definitions, key, value):
    error = refused(db_session, {"name": "Bad trait", f"trait:{key}": value})
    assert [field for field, _ in error.problems] == [f"trait:{key}"]
    assert count(db_session, Account) == 0


def test_owner_by_id(db_session, owner):
    assert create(db_session, name="By id", owner=owner.id).owner_id == owner.id
    assert create(db_session, name="By id text", owner=str(owner.id)).owner_id == owner.id


def test_unknown_owner_is_refused(db_session, owner):
    for unknown in ("nobody@example.com", owner.id + 1000):
        with pytest.raises(ValidationError) as caught:
            accounts.create_account(db_session, TEST_ACTOR, {"name": "Orphan", "owner": unknown}, today=TODAY)
        db_session.rollback()
        assert caught.value.field == "owner"
    assert count(db_session, Account) == 0


def test_every_problem_is_collected_at_once(db_session, definitions):
    before = count(db_session, AuditEvent)
    error = refused(
        db_session,
        {
            "name": "Broken Co",
            "employees": "lots",
            "annual_revenue": "-5",
            "nps": "11",
            "converted_on": "01/03/2026",
            "archetypes": ["Tech enthusiast", "Space cowboy"],
            "trait:funding_stage": "Series Z",
            "trait:no_such_trait": "x",
        },
    )
    fields = [field for field, _ in error.problems]
    assert set(fields) == {
        "employees",
        "annual_revenue",
        "nps",
        "converted_on",
        "archetypes",
        "trait:funding_stage",
        "trait:no_such_trait",
    }
    assert len(fields) == 7
    messages = dict(error.problems)
    assert "whole number" in messages["employees"]
    assert "negative" in messages["annual_revenue"]
    assert "at most 10" in messages["nps"]
    assert "YYYY-MM-DD" in messages["converted_on"]
    assert "Space cowboy" in messages["archetypes"]
    assert "Series Z" in messages["trait:funding_stage"]
    assert "no_such_trait" in messages["trait:no_such_trait"]
    assert set(error.errors) == set(fields)
    assert count(db_session, Account) == 0
    assert count(db_session, AuditEvent) == before


def test_name_is_required(db_session):
    assert refused(db_session, {"name": "  "}).problems[0][0] == "name"
    assert refused(db_session, {"industry": "Robotics"}).problems[0][0] == "name"


# --- uniqueness -----------------------------------------------------------------------------------------


def test_names_are_unique_whatever_the_case_and_spacing(db_session):
    first = create(db_session, name="Acme Corp")
    error = refused(db_session, {"name": "  ACME    corp "})
    assert [field for field, _ in error.problems] == ["name"]
    assert str(first.id) in error.problems[0][1]
    assert count(db_session, Account) == 1


def test_domains_are_unique_after_normalisation(db_session):
    create(db_session, name="Acme", domain="acme.com")
    error = refused(db_session, {"name": "Acme Two", "domain": "https://www.ACME.com/pricing"})
    assert [field for field, _ in error.problems] == ["domain"]


def test_name_and_domain_clashes_are_reported_together(db_session):
    create(db_session, name="Acme", domain="acme.com")
    error = refused(db_session, {"name": "acme", "domain": "acme.com"})
    assert sorted(field for field, _ in error.problems) == ["domain", "name"]


def test_an_archived_account_still_holds_its_name(db_session):
    account = create(db_session, name="Acme")
    accounts.set_archived(db_session, TEST_ACTOR, account.id, archived=True)
    db_session.commit()
    assert [field for field, _ in refused(db_session, {"name": "ACME"}).problems] == ["name"]


def test_update_keeps_its_own_name_and_refuses_anothers(db_session):
    create(db_session, name="Acme", domain="acme.com")
    other = create(db_session, name="Other", domain="other.com")
    update(db_session, other, name="OTHER", domain="www.other.com")
    assert reload(db_session, other.id).name == "OTHER"
    with pytest.raises(InvalidFields) as caught:
        update(db_session, other, name="acme", domain="acme.com")
    db_session.rollback()
    assert sorted(field for field, _ in caught.value.problems) == ["domain", "name"]
    stored = reload(db_session, other.id)
    assert (stored.name, stored.domain) == ("OTHER", "other.com")


# --- stage rules ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"stage": "customer"}, "converted_on"),
        ({"stage": "churned", "converted_on": "2026-03-01"}, "churned_on"),
        ({"stage": "churned", "converted_on": "2026-03-01", "churned_on": "2026-02-01"}, "churned_on"),
        ({"stage": "prospect", "converted_on": "2026-03-01"}, "converted_on"),
        ({"stage": "pilot", "converted_on": "2026-03-01"}, "converted_on"),
        ({"stage": "lost", "converted_on": "2026-03-01"}, "converted_on"),
        ({"stage": "customer", "converted_on": "2026-03-01", "churned_on": "2026-04-01"}, "churned_on"),
        ({"stage": "customer", "converted_on": "2026-11-02"}, "converted_on"),
    ],
)
def test_stage_rules_are_enforced_on_create(db_session, raw, field):
    with pytest.raises(ValidationError) as caught:
        accounts.create_account(db_session, TEST_ACTOR, {"name": "Staged", **raw}, today=TODAY)
    db_session.rollback()
    assert caught.value.field == field
    assert count(db_session, Account) == 0


def test_unknown_stage_is_refused(db_session):
    error = refused(db_session, {"name": "Staged", "stage": "won"})
    assert [field for field, _ in error.problems] == ["stage"]


def test_stage_rules_are_enforced_on_update(db_session):
    account = create(db_session, name="Staged")
    with pytest.raises(ValidationError) as caught:
        update(db_session, account, stage="churned", converted_on="2026-03-01")
    db_session.rollback()
    assert caught.value.field == "churned_on"
    assert reload(db_session, account.id).stage == "prospect"
    update(db_session, account, stage="churned", converted_on="2026-03-01", churned_on="2026-10-01")
    stored = reload(db_session, account.id)
    assert (stored.stage, stored.churned_on) == ("churned", date(2026, 10, 1))


# --- update: optimistic locking, audit ------------------------------------------------------------------


def test_update_with_a_stale_version_changes_nothing(db_session):
    account = create(db_session, name="Acme", industry="Robotics")
    update(db_session, account, version=1, industry="Food")
    events_before = len(account_events(db_session, account.id))
    with pytest.raises(StaleEdit) as caught:
        accounts.update_account(
            db_session,
            TEST_ACTOR,
            account.id,
            {"industry": "Energy", "name": "Renamed"},
            version=1,
            today=TODAY,
        )
    db_session.rollback()
    assert caught.value.field == "version"
    assert caught.value.current["version"] == 2
    stored = reload(db_session, account.id)
    assert (stored.name, stored.industry, stored.version) == ("Acme", "Food", 2)
    assert len(account_events(db_session, account.id)) == events_before


def test_update_without_a_version_is_refused(db_session):
    account = create(db_session, name="Acme", industry="Robotics")
    with pytest.raises(ValidationError) as caught:
        accounts.update_account(db_session, TEST_ACTOR, account.id, {"industry": "Food"}, version=None)
    db_session.rollback()
    assert caught.value.field == "version"
    assert not isinstance(caught.value, StaleEdit)
    stored = reload(db_session, account.id)
    assert (stored.industry, stored.version) == ("Robotics", 1)


def test_update_of_a_missing_account_is_not_found(db_session):
    with pytest.raises(NotFound):
        accounts.update_account(db_session, TEST_ACTOR, 4242, {"industry": "Food"}, version=1)


def test_update_only_what_is_given(db_session, owner):
    account = create(db_session, name="Acme", industry="Robotics", employees="12", owner=owner.email)
    update(db_session, account, employees="")
    stored = reload(db_session, account.id)
    assert stored.employees is None
    assert (stored.industry, stored.owner_id, stored.version) == ("Robotics", owner.id, 2)
    update(db_session, stored, owner="")
    assert reload(db_session, account.id).owner_id is None


def test_create_and_update_each_leave_one_audit_event_with_the_changes(db_session, definitions):
    account = create(
        db_session,
        name="Acme",
        employees="12",
        annual_revenue="1500000",
        archetypes=["Tech enthusiast"],
        **{"trait:funding_stage": "Seed"},
    )
    [created] = account_events(db_session, account.id)
    assert created.action == "create"
    assert created.actor_label == TEST_ACTOR.label
    assert created.changes["name"] == [None, "Acme"]
    assert created.changes["employees"] == [None, 12]
    assert created.changes["annual_revenue"] == [None, "1500000.00"]
    assert created.changes["stage"] == [None, "prospect"]
    assert created.changes["archetypes"] == [[], ["Tech enthusiast"]]
    assert created.changes["trait:funding_stage"] == [None, ["Seed"]]
    assert "version" not in created.changes and "name_key" not in created.changes

    update(db_session, account, employees="40", industry="Robotics")
    events = account_events(db_session, account.id)
    assert len(events) == 2
    assert events[1].action == "update"
    assert events[1].changes == {"employees": [12, 40], "industry": [None, "Robotics"]}
    assert count(db_session, AuditEvent) == len(account_events(db_session)) + 4  # + the 4 trait definitions


def test_a_change_of_archetypes_only_bumps_the_version_and_is_audited(db_session):
    account = create(db_session, name="Acme", archetypes=["Game changer"])
    update(db_session, account, archetypes="tech ENTHUSIAST; Game changer")
    stored = reload(db_session, account.id)
    assert stored.version == 2
    assert [a.name for a in stored.archetypes] == ["Game changer", "Tech enthusiast"]
    event = account_events(db_session, account.id)[-1]
    assert set(event.changes) == {"archetypes"}
    old, new = event.changes["archetypes"]
    assert (old, sorted(new)) == (["Game changer"], ["Game changer", "Tech enthusiast"])

    update(db_session, stored, archetypes=[])
    stored = reload(db_session, account.id)
    assert (stored.version, stored.archetypes) == (3, [])
    assert account_events(db_session, account.id)[-1].changes == {
        "archetypes": [["Game changer", "Tech enthusiast"], []]
    }


def test_the_same_archetypes_in_another_order_are_no_change(db_session):
    account = create(db_session, name="Acme", archetypes=["Game changer", "Tech enthusiast"])
    update(db_session, account, archetypes=["Tech enthusiast", "game changer"])
    assert reload(db_session, account.id).version == 1
    assert account_events(db_session, account.id)[-1].changes == {}


def test_a_change_of_traits_only_bumps_the_version_and_is_audited(db_session, definitions):
    account = create(db_session, name="Acme", **{"trait:funding_stage": "Seed", "trait:seats": "10"})
    update(db_session, account, **{"trait:funding_stage": "series a"})
    stored = reload(db_session, account.id)
    assert stored.version == 2
    assert trait_values(stored) == {"funding_stage": ["Series A"], "seats": ["10"]}
    assert account_events(db_session, account.id)[-1].changes == {
        "trait:funding_stage": [["Seed"], ["Series A"]]
    }

    update(db_session, stored, **{"trait:seats": ""})
    stored = reload(db_session, account.id)
    assert stored.version == 3
    assert trait_values(stored) == {"funding_stage": ["Series A"]}
    assert account_events(db_session, account.id)[-1].changes == {"trait:seats": [["10"], None]}


def test_changing_some_tags_keeps_the_others(db_session, definitions):
    account = create(db_session, name="Acme", **{"trait:tech_stack": "Python; Go"})
    update(db_session, account, **{"trait:tech_stack": "Python; Rust"})
    stored = reload(db_session, account.id)
    assert trait_values(stored) == {"tech_stack": ["Python", "Rust"]}
    assert stored.version == 2
    assert account_events(db_session, account.id)[-1].changes == {
        "trait:tech_stack": [["Python", "Go"], ["Python", "Rust"]]
    }
    # the same tags in another order are no change
    update(db_session, stored, **{"trait:tech_stack": ["Rust", "Python"]})
    stored = reload(db_session, account.id)
    assert (stored.version, trait_values(stored)) == (2, {"tech_stack": ["Python", "Rust"]})


def test_the_same_trait_value_is_no_change(db_session, definitions):
    account = create(db_session, name="Acme", **{"trait:funding_stage": "Seed"})
    update(db_session, account, **{"trait:funding_stage": "SEED"})
    assert reload(db_session, account.id).version == 1


def test_update_collects_problems_and_changes_nothing(db_session, definitions):
    account = create(db_session, name="Acme", employees="12")
    with pytest.raises(InvalidFields) as caught:
        update(db_session, account, name=" ", employees="0", nps="-1", **{"trait:uses_sso": "perhaps"})
    db_session.rollback()
    assert [field for field, _ in caught.value.problems] == ["name", "employees", "nps", "trait:uses_sso"]
    stored = reload(db_session, account.id)
    assert (stored.name, stored.employees, stored.version) == ("Acme", 12, 1)


# --- archive and restore --------------------------------------------------------------------------------


def test_archive_and_restore_are_audited_and_filter_the_list(db_session):
    kept = create(db_session, name="Kept")
    gone = create(db_session, name="Gone")
    accounts.set_archived(db_session, TEST_ACTOR, gone.id, archived=True)
    db_session.commit()
    assert reload(db_session, gone.id).is_archived
    assert [a.name for a in list_accounts(db_session, AccountFilters()).items] == ["Kept"]
    archived_too = list_accounts(db_session, AccountFilters(include_archived=True))
    assert [a.name for a in archived_too.items] == ["Gone", "Kept"] and archived_too.total == 2
    assert accounts.count_accounts(db_session) == 1

    event = account_events(db_session, gone.id)[-1]
    assert event.action == "archive"
    assert event.changes["archived_at"][0] is None and event.changes["archived_at"][1]

    # archiving twice writes nothing more
    accounts.set_archived(db_session, TEST_ACTOR, gone.id, archived=True)
    db_session.commit()
    assert len(account_events(db_session, gone.id)) == 2

    accounts.set_archived(db_session, TEST_ACTOR, gone.id, archived=False)
    db_session.commit()
    assert not reload(db_session, gone.id).is_archived
    event = account_events(db_session, gone.id)[-1]
    assert event.action == "restore"
    assert event.changes["archived_at"][1] is None
    assert [a.id for a in list_accounts(db_session, AccountFilters()).items] == [gone.id, kept.id]


def test_archive_of_a_missing_account_is_not_found(db_session):
    with pytest.raises(NotFound):
        accounts.set_archived(db_session, TEST_ACTOR, 999, archived=True)


# --- an account with its first contacts ------------------------------------------------------------------


def test_an_account_is_recorded_with_its_contacts_in_one_call(db_session):
    account = accounts.record_account(
        db_session,
        TEST_ACTOR,
        {"name": "Vetrano Medical"},
        {
            0: ContactInput(name="Giulia Rossi", dmu_role="economic_buyer", email="Giulia@Vetrano.example"),
            2: ContactInput(name="Marco Bianchi", dmu_role="end_user", title="Lab lead", is_champion=True),
        },
    )
    db_session.commit()
    people = db_session.scalars(select(Contact).where(Contact.account_id == account.id).order_by(Contact.id))
    assert [(c.name, c.email, c.title, c.dmu_role, c.is_champion) for c in people] == [
        ("Giulia Rossi", "giulia@vetrano.example", None, "economic_buyer", False),
        ("Marco Bianchi", None, "Lab lead", "end_user", True),
    ]
    created = db_session.scalars(select(AuditEvent.entity).where(AuditEvent.action == "create")).all()
    assert sorted(created) == ["account", "contact", "contact"]


@pytest.mark.parametrize("account_name", ["Vetrano Medical", ""])
def test_a_bad_contact_row_refuses_the_whole_account_naming_row_and_field(db_session, account_name):
    before = db_session.scalar(select(func.count(AuditEvent.id)))
    with pytest.raises(InvalidFields) as caught:
        accounts.record_account(
            db_session,
            TEST_ACTOR,
            {"name": account_name},
            {
                0: ContactInput(name="Giulia Rossi", dmu_role="economic_buyer"),
                1: ContactInput(name="", dmu_role="boss", email="not an address"),
            },
        )
    db_session.rollback()
    fields = {field for field, _ in caught.value.problems}
    assert {"contacts.1.name", "contacts.1.dmu_role", "contacts.1.email"} <= fields
    assert not any(f.startswith("contacts.0.") for f in fields)
    assert ("name" in fields) == (account_name == "")  # the account's own problems come in the same answer
    assert db_session.scalar(select(func.count(Account.id))) == 0
    assert db_session.scalar(select(func.count(Contact.id))) == 0
    assert db_session.scalar(select(func.count(AuditEvent.id))) == before
