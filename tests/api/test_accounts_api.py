"""/api/v1/accounts (with contacts), /api/v1/archetypes and /api/v1/traits: lists and filters, writes with
validation and optimistic locking, archive / restore, roles, and the OpenAPI document."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Account, Archetype, AuditEvent, Contact, TraitDefinition
from ecp_tracker.services.accounts import accounts, contacts, traits
from ecp_tracker.services.accounts.contacts import ContactInput
from tests.conftest import TEST_ACTOR

PROBLEM = "application/problem+json"
TODAY = date(2026, 11, 1)


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def stored(session: Session, account_id: int) -> Account:
    session.expire_all()
    return accounts.get_account(session, account_id)


@pytest.fixture
def definitions(db_session: Session) -> None:
    traits.create_definition(db_session, TEST_ACTOR, label="Uses SSO", kind="boolean")
    traits.create_definition(
        db_session, TEST_ACTOR, label="Funding stage", kind="category", allowed_values=["Seed", "Series A"]
    )
    traits.create_definition(db_session, TEST_ACTOR, label="Seats", kind="number")
    traits.create_definition(db_session, TEST_ACTOR, label="Tech stack", kind="tags")
    db_session.commit()


def make(session: Session, **raw: object) -> Account:
    account = accounts.create_account(session, TEST_ACTOR, raw, today=TODAY)
    session.commit()
    return account


@pytest.fixture
def book(db_session: Session, definitions, people) -> dict[str, int]:
    made = [
        make(
            db_session,
            name="Alpha Robotics",
            domain="alpha.example",
            stage="customer",
            converted_on="2026-03-01",
            industry="Robotics",
            employees=10,
            acquisition_channel="Referral",
            owner=people[Role.EDITOR].id,
            archetypes=["Tech enthusiast"],
            **{"trait:funding_stage": "Seed", "trait:tech_stack": "Python; Go"},
        ),
        make(
            db_session,
            name="Beta Foods",
            domain="beta.example",
            stage="pilot",
            industry="Food",
            employees=40,
            acquisition_channel="Outbound",
            archetypes=["Game changer"],
            **{"trait:funding_stage": "Series A"},
        ),
        make(
            db_session,
            name="Gamma Labs",
            stage="churned",
            converted_on="2026-01-01",
            churned_on="2026-06-01",
            industry="Robotics",
            employees=1500,
            acquisition_channel="Inbound",
            archetypes=["Tech enthusiast", "Game changer"],
            **{"trait:tech_stack": "Rust"},
        ),
        make(db_session, name="Delta Co", stage="lost", industry="Energy"),
    ]
    return {a.name: a.id for a in made}


def item_names(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["name"] for item in response.get_json()["items"]]


# --- list -----------------------------------------------------------------------------------------------


def test_list_envelope(api_as, book):
    response = api_as(Role.VIEWER).get("/api/v1/accounts?per_page=2&page=2")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    assert (body["total"], body["page"], body["per_page"]) == (4, 2, 2)
    assert [item["name"] for item in body["items"]] == ["Delta Co", "Gamma Labs"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Alpha Robotics", "Beta Foods", "Delta Co", "Gamma Labs"]),
        ("?stage=customer&stage=churned", ["Alpha Robotics", "Gamma Labs"]),
        ("?archetype=game%20changer", ["Beta Foods", "Gamma Labs"]),
        ("?trait:funding_stage=seed", ["Alpha Robotics"]),
        ("?trait:tech_stack=Rust&trait:tech_stack=Go", ["Alpha Robotics", "Gamma Labs"]),
        ("?q=ALPHA", ["Alpha Robotics"]),
        ("?q=beta.exa", ["Beta Foods"]),
        ("?industry=Robotics&stage=customer", ["Alpha Robotics"]),
        ("?acquisition_channel=Inbound&acquisition_channel=Outbound", ["Beta Foods", "Gamma Labs"]),
        ("?size_band=1001%2B", ["Gamma Labs"]),
        ("?owner=none&industry=Robotics", ["Gamma Labs"]),
        ("?sort=-employees&industry=Robotics", ["Gamma Labs", "Alpha Robotics"]),
    ],
)
def test_list_filters(api_as, book, query, expected):
    assert item_names(api_as(Role.VIEWER).get(f"/api/v1/accounts{query}")) == expected


def test_list_filter_by_owner_id(api_as, book, people):
    viewer = api_as(Role.VIEWER)
    assert item_names(viewer.get(f"/api/v1/accounts?owner={people[Role.EDITOR].id}")) == ["Alpha Robotics"]


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("stage=won", {"stage"}),
        ("stage=customer&stage=won", {"stage"}),
        ("size_band=huge", {"size_band"}),
        ("sort=colour", {"sort"}),
        ("owner=ada", {"owner"}),
        ("stage=won&owner=ada&sort=colour", {"stage", "owner", "sort"}),
        ("include_archived=perhaps", {"include_archived"}),
        ("per_page=500", {"per_page"}),
        ("page=0", {"page"}),
    ],
)
def test_bad_filters_are_422_problems_naming_the_field(api_as, book, query, fields):
    body = assert_problem(api_as(Role.VIEWER).get(f"/api/v1/accounts?{query}"), 422)
    assert set(body["errors"]) == fields


# --- create ---------------------------------------------------------------------------------------------


def test_post_creates_an_account_with_archetypes_and_traits(api_as, db_session, definitions, people):
    editor = people[Role.EDITOR]
    response = api_as(Role.EDITOR).post(
        "/api/v1/accounts",
        json={
            "name": "Nordlys Robotics",
            "domain": "https://www.Nordlys.example/",
            "industry": "Robotics",
            "employees": 38,
            "annual_revenue": 2100000,
            "founded_year": 2019,
            "stage": "customer",
            "converted_on": "2026-03-01",
            "contract_value": "24000.50",
            "nps": 9,
            "owner_id": editor.id,
            "archetypes": ["game changer", "Tech enthusiast"],
            "traits": {
                "uses_sso": "yes",
                "funding_stage": "seed",
                "seats": "120",
                "tech_stack": ["Go", "Rust"],
            },
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["id"] and body["version"] == 1
    assert (body["name"], body["domain"], body["stage"]) == (
        "Nordlys Robotics",
        "nordlys.example",
        "customer",
    )
    assert (body["employees"], body["size_band"], body["revenue_band"]) == (38, "11-50", "1M-10M")
    assert body["converted_on"] == "2026-03-01"
    assert body["contract_value"] == 24000.5
    assert (body["owner_id"], body["owner"]) == (editor.id, editor.email)
    assert sorted(body["archetypes"]) == ["Game changer", "Tech enthusiast"]
    assert body["traits"] == {
        "uses_sso": "yes",
        "funding_stage": "Seed",
        "seats": "120",
        "tech_stack": ["Go", "Rust"],
    }

    account = stored(db_session, body["id"])
    assert account.employees == 38 and account.owner_id == editor.id
    [event] = db_session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "account", AuditEvent.entity_id == str(account.id))
    ).all()
    assert event.action == "create"
    assert (event.actor_id, event.actor_label) == (editor.id, editor.email)
    assert event.changes["name"] == [None, "Nordlys Robotics"]
    assert sorted(event.changes["archetypes"][1]) == ["Game changer", "Tech enthusiast"]
    assert event.changes["trait:tech_stack"] == [None, ["Go", "Rust"]]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (
            {
                "name": "Broken Co",
                "employees": -3,
                "annual_revenue": -5,
                "nps": 11,
                "domain": "not a domain",
                "archetypes": ["Space cowboy"],
                "traits": {"funding_stage": "Series Z", "no_such_trait": "x"},
            },
            {
                "employees",
                "annual_revenue",
                "nps",
                "domain",
                "archetypes",
                "traits.funding_stage",
                "traits.no_such_trait",
            },
        ),
        ({}, {"name"}),
        ({"name": 5, "owner_id": "ada", "archetypes": "Game changer"}, {"name", "owner_id", "archetypes"}),
        # Not of the type the document says: refused by the schema, before any value is judged.
        (
            {"name": "Typed", "employees": "lots", "nps": 7.5, "owner_id": 1.0, "converted_on": "yesterday"},
            {"employees", "nps", "owner_id", "converted_on"},
        ),
        ({"name": "Blank", "converted_on": "", "annual_revenue": ""}, {"converted_on", "annual_revenue"}),
        ({"name": "Extra", "colour": "red"}, {"colour"}),
        ({"name": "Staged", "stage": "customer"}, {"converted_on"}),
    ],
)
def test_invalid_bodies_are_422_naming_every_field_and_write_nothing(
    api_as, db_session, definitions, body, fields
):
    editor = api_as(Role.EDITOR)
    events = count(db_session, AuditEvent)
    problem = assert_problem(editor.post("/api/v1/accounts", json=body), 422)
    assert set(problem["errors"]) == fields
    assert all(isinstance(m, str) and m for messages in problem["errors"].values() for m in messages)
    assert count(db_session, Account) == 0
    assert count(db_session, AuditEvent) == events


def test_duplicate_name_is_422_on_name(api_as, db_session, book):
    problem = assert_problem(
        api_as(Role.EDITOR).post("/api/v1/accounts", json={"name": "  alpha ROBOTICS"}), 422
    )
    assert set(problem["errors"]) == {"name"}
    assert "Alpha Robotics" in problem["errors"]["name"][0]
    assert count(db_session, Account) == 4


# --- read -----------------------------------------------------------------------------------------------


def test_get_one_account(api_as, book, people):
    response = api_as(Role.VIEWER).get(f"/api/v1/accounts/{book['Alpha Robotics']}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["size_band"] == "1-10"
    assert body["revenue_band"] is None
    assert body["owner"] == people[Role.EDITOR].email
    assert body["archetypes"] == ["Tech enthusiast"]
    assert body["traits"] == {"funding_stage": "Seed", "tech_stack": ["Python", "Go"]}
    assert (body["stage"], body["converted_on"], body["version"]) == ("customer", "2026-03-01", 1)
    assert body["archived_at"] is None


def test_get_a_missing_account_is_404(api_as, people):
    assert_problem(api_as(Role.VIEWER).get("/api/v1/accounts/4242"), 404)


# --- update ---------------------------------------------------------------------------------------------


def test_patch_with_version(api_as, db_session, book):
    account_id = book["Beta Foods"]
    response = api_as(Role.EDITOR).patch(
        f"/api/v1/accounts/{account_id}",
        json={
            "version": 1,
            "employees": 60,
            "archetypes": ["Visionary founder"],
            "traits": {"uses_sso": "no"},
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["version"], body["employees"], body["size_band"]) == (2, 60, "51-200")
    assert body["archetypes"] == ["Visionary founder"]
    assert body["traits"] == {"funding_stage": "Series A", "uses_sso": "no"}
    assert body["name"] == "Beta Foods"
    event = db_session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity == "account", AuditEvent.entity_id == str(account_id))
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.action == "update"
    assert event.changes == {
        "employees": [40, 60],
        "archetypes": [["Game changer"], ["Visionary founder"]],
        "trait:uses_sso": [None, ["no"]],
    }


def test_patch_without_version_is_422_and_changes_nothing(api_as, db_session, book):
    account_id = book["Beta Foods"]
    editor = api_as(Role.EDITOR)
    events = count(db_session, AuditEvent)
    problem = assert_problem(editor.patch(f"/api/v1/accounts/{account_id}", json={"industry": "Energy"}), 422)
    assert "version" in problem["errors"]
    account = stored(db_session, account_id)
    assert (account.industry, account.version) == ("Food", 1)
    assert count(db_session, AuditEvent) == events


def test_patch_with_a_stale_version_is_409_and_changes_nothing(api_as, db_session, book):
    account_id = book["Beta Foods"]
    editor = api_as(Role.EDITOR)
    assert (
        editor.patch(f"/api/v1/accounts/{account_id}", json={"version": 1, "industry": "Agri"}).status_code
        == 200
    )
    events = count(db_session, AuditEvent)
    assert_problem(
        editor.patch(
            f"/api/v1/accounts/{account_id}", json={"version": 1, "industry": "Energy", "name": "Renamed"}
        ),
        409,
    )
    account = stored(db_session, account_id)
    assert (account.name, account.industry, account.version) == ("Beta Foods", "Agri", 2)
    assert count(db_session, AuditEvent) == events


def test_invalid_patch_is_422_and_changes_nothing(api_as, db_session, book):
    account_id = book["Beta Foods"]
    problem = assert_problem(
        api_as(Role.EDITOR).patch(
            f"/api/v1/accounts/{account_id}",
            json={"version": 1, "name": "Alpha Robotics", "domain": "alpha.example"},
        ),
        422,
    )
    assert set(problem["errors"]) == {"name", "domain"}
    account = stored(db_session, account_id)
    assert (account.name, account.domain, account.version) == ("Beta Foods", "beta.example", 1)


# --- archive and restore --------------------------------------------------------------------------------


def test_delete_archives_and_restore_brings_back(api_as, db_session, book):
    account_id = book["Delta Co"]
    editor = api_as(Role.EDITOR)
    response = editor.delete(f"/api/v1/accounts/{account_id}")
    assert response.status_code == 204
    assert response.get_data() == b""
    assert stored(db_session, account_id).archived_at is not None
    assert count(db_session, Account) == 4  # nothing is deleted
    assert "Delta Co" not in item_names(editor.get("/api/v1/accounts"))
    assert "Delta Co" in item_names(editor.get("/api/v1/accounts?include_archived=true"))
    archived = editor.get(f"/api/v1/accounts/{account_id}").get_json()
    assert archived["archived_at"]

    response = editor.post(f"/api/v1/accounts/{account_id}/restore")
    assert response.status_code == 200
    assert response.get_json()["archived_at"] is None
    assert "Delta Co" in item_names(editor.get("/api/v1/accounts"))
    actions = db_session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity == "account", AuditEvent.entity_id == str(account_id))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["create", "archive", "restore"]


def test_delete_of_a_missing_account_is_404(api_as, people):
    assert_problem(api_as(Role.EDITOR).delete("/api/v1/accounts/4242"), 404)


# --- contacts -------------------------------------------------------------------------------------------


def test_contacts(api_as, db_session, book):
    account_id = book["Alpha Robotics"]
    editor = api_as(Role.EDITOR)
    url = f"/api/v1/accounts/{account_id}/contacts"
    response = editor.post(
        url, json={"name": "Ada Lovelace", "dmu_role": "champion", "email": "Ada@Alpha.Example"}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert (created["account_id"], created["email"], created["is_champion"], created["version"]) == (
        account_id,
        "ada@alpha.example",
        True,
        1,
    )
    listed = api_as(Role.VIEWER).get(url)
    assert listed.status_code == 200
    assert [c["name"] for c in listed.get_json()] == ["Ada Lovelace"]

    contact_url = f"{url}/{created['id']}"
    response = editor.patch(
        contact_url, json={"version": 1, "name": "Ada Lovelace", "dmu_role": "economic_buyer", "title": "CFO"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert (response.get_json()["dmu_role"], response.get_json()["version"]) == ("economic_buyer", 2)

    events = count(db_session, AuditEvent)
    assert_problem(editor.patch(contact_url, json={"version": 1, "name": "Eve", "dmu_role": "champion"}), 409)
    problem = assert_problem(editor.patch(contact_url, json={"name": "Eve", "dmu_role": "champion"}), 422)
    assert "version" in problem["errors"]
    other = book["Beta Foods"]
    assert_problem(
        editor.patch(
            f"/api/v1/accounts/{other}/contacts/{created['id']}",
            json={"version": 2, "name": "Eve", "dmu_role": "champion"},
        ),
        404,
    )
    db_session.expire_all()
    contact = db_session.get(Contact, created["id"])
    assert (contact.name, contact.dmu_role, contact.title, contact.version) == (
        "Ada Lovelace",
        "economic_buyer",
        "CFO",
        2,
    )
    assert count(db_session, AuditEvent) == events


def test_invalid_contact_is_422_naming_every_field(api_as, db_session, book):
    url = f"/api/v1/accounts/{book['Alpha Robotics']}/contacts"
    problem = assert_problem(
        api_as(Role.EDITOR).post(url, json={"name": "Ada", "dmu_role": "boss", "email": "ada at alpha"}), 422
    )
    assert set(problem["errors"]) == {"dmu_role", "email"}
    assert count(db_session, Contact) == 0
    problem = assert_problem(api_as(Role.EDITOR).post(url, json={"email": "ada@alpha.example"}), 422)
    assert set(problem["errors"]) == {"name", "dmu_role"}


def test_contacts_of_a_missing_account_are_404(api_as, people):
    assert_problem(api_as(Role.VIEWER).get("/api/v1/accounts/4242/contacts"), 404)


def test_archived_contacts_are_not_listed(api_as, db_session, book):
    account_id = book["Alpha Robotics"]
    contact = contacts.add_contact(
        db_session, TEST_ACTOR, account_id, ContactInput(name="Gone", dmu_role="end_user")
    )
    contacts.set_archived(db_session, TEST_ACTOR, contact.id, archived=True)
    db_session.commit()
    assert api_as(Role.VIEWER).get(f"/api/v1/accounts/{account_id}/contacts").get_json() == []


# --- archetypes and traits ------------------------------------------------------------------------------


def test_viewers_read_archetypes_and_traits(api_as, definitions):
    viewer = api_as(Role.VIEWER)
    response = viewer.get("/api/v1/archetypes")
    assert response.status_code == 200
    names = [a["name"] for a in response.get_json()]
    assert "Tech enthusiast" in names and len(names) == 5
    assert all(a["builtin"] and a["version"] == 1 for a in response.get_json())
    response = viewer.get("/api/v1/traits")
    assert response.status_code == 200
    by_key = {t["key"]: t for t in response.get_json()}
    assert set(by_key) == {"uses_sso", "funding_stage", "seats", "tech_stack"}
    assert by_key["funding_stage"]["kind"] == "category"
    assert by_key["funding_stage"]["allowed_values"] == ["Seed", "Series A"]


def test_admin_creates_and_renames_archetypes(api_as, db_session):
    admin = api_as(Role.ADMIN)
    response = admin.post(
        "/api/v1/archetypes", json={"name": "Quiet pragmatist", "description": "Buys what works."}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert (created["name"], created["builtin"], created["version"]) == ("Quiet pragmatist", False, 1)

    problem = assert_problem(admin.post("/api/v1/archetypes", json={"name": "QUIET PRAGMATIST"}), 422)
    assert set(problem["errors"]) == {"name"}

    url = f"/api/v1/archetypes/{created['id']}"
    response = admin.patch(url, json={"version": 1, "name": "Quiet Pragmatist", "description": "x"})
    assert response.status_code == 200
    assert (response.get_json()["name"], response.get_json()["version"]) == ("Quiet Pragmatist", 2)
    assert_problem(admin.patch(url, json={"version": 1, "name": "Again"}), 409)
    assert "version" in assert_problem(admin.patch(url, json={"name": "Again"}), 422)["errors"]
    db_session.expire_all()
    assert db_session.get(Archetype, created["id"]).name == "Quiet Pragmatist"


def test_admin_defines_and_changes_traits(api_as, db_session):
    admin = api_as(Role.ADMIN)
    response = admin.post(
        "/api/v1/traits",
        json={"label": "Funding stage", "kind": "category", "allowed_values": ["Seed", "Series A"]},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert (created["key"], created["kind"], created["version"]) == ("funding_stage", "category", 1)

    assert set(
        assert_problem(admin.post("/api/v1/traits", json={"label": "Plan", "kind": "category"}), 422)[
            "errors"
        ]
    ) == {"allowed_values"}
    assert set(
        assert_problem(admin.post("/api/v1/traits", json={"label": "Funding STAGE", "kind": "boolean"}), 422)[
            "errors"
        ]
    ) == {"key"}
    assert set(
        assert_problem(admin.post("/api/v1/traits", json={"label": "Colour", "kind": "colour"}), 422)[
            "errors"
        ]
    ) == {"kind"}

    url = f"/api/v1/traits/{created['id']}"
    problem = assert_problem(
        admin.patch(
            url, json={"version": 1, "label": "Funding", "kind": "number", "allowed_values": ["Seed"]}
        ),
        422,
    )
    assert "kind" in problem["errors"]
    response = admin.patch(
        url,
        json={"version": 1, "label": "Funding round", "allowed_values": ["Seed", "Series A", "Series B"]},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["label"], body["kind"], body["key"], body["version"]) == (
        "Funding round",
        "category",
        "funding_stage",
        2,
    )
    assert_problem(admin.patch(url, json={"version": 1, "label": "Stale"}), 409)
    db_session.expire_all()
    definition = db_session.get(TraitDefinition, created["id"])
    assert (definition.label, definition.kind, definition.version) == ("Funding round", "category", 2)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/archetypes", {"name": "Editor's pick"}),
        ("patch", "/api/v1/archetypes/{archetype}", {"version": 1, "name": "Editor's pick"}),
        ("post", "/api/v1/traits", {"label": "Editor's trait", "kind": "boolean"}),
        ("patch", "/api/v1/traits/{trait}", {"version": 1, "label": "Editor's trait"}),
    ],
)
def test_editors_cannot_change_archetypes_or_traits(api_as, db_session, world, method, path, body):
    editor = api_as(Role.EDITOR)  # creating its token is audited
    events = count(db_session, AuditEvent)
    response = getattr(editor, method)(path.format(**world), json=body)
    assert_problem(response, 403)
    assert count(db_session, AuditEvent) == events


# --- a viewer writes nothing ----------------------------------------------------------------------------


@pytest.fixture
def world(db_session: Session, definitions, people) -> dict[str, int]:
    account = make(db_session, name="Acme")
    contact = contacts.add_contact(
        db_session, TEST_ACTOR, account.id, ContactInput(name="Ada", dmu_role="champion")
    )
    db_session.commit()
    return {
        "account": account.id,
        "contact": contact.id,
        "archetype": db_session.scalar(select(Archetype.id).where(Archetype.name == "Game changer")),
        "trait": db_session.scalar(select(TraitDefinition.id).where(TraitDefinition.key == "uses_sso")),
    }


WRITES = [
    ("post", "/api/v1/accounts", {"name": "Viewer Co"}),
    ("patch", "/api/v1/accounts/{account}", {"version": 1, "industry": "Energy"}),
    ("delete", "/api/v1/accounts/{account}", None),
    ("post", "/api/v1/accounts/{account}/restore", None),
    ("post", "/api/v1/accounts/{account}/contacts", {"name": "Eve", "dmu_role": "end_user"}),
    (
        "patch",
        "/api/v1/accounts/{account}/contacts/{contact}",
        {"version": 1, "name": "Eve", "dmu_role": "end_user"},
    ),
    ("post", "/api/v1/archetypes", {"name": "Viewer's pick"}),
    ("patch", "/api/v1/archetypes/{archetype}", {"version": 1, "name": "Viewer's pick"}),
    ("post", "/api/v1/traits", {"label": "Viewer's trait", "kind": "boolean"}),
    ("patch", "/api/v1/traits/{trait}", {"version": 1, "label": "Viewer's trait"}),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_a_viewer_token_gets_403_on_every_write(api_as, db_session, world, method, path, body):
    viewer = api_as(Role.VIEWER)  # creating its token is audited
    events = count(db_session, AuditEvent)
    response = getattr(viewer, method)(path.format(**world), json=body)
    assert_problem(response, 403)
    assert count(db_session, AuditEvent) == events
    account = stored(db_session, world["account"])
    assert (account.version, account.archived_at, account.industry) == (1, None, None)


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_no_token_gets_401_on_every_write(client, world, method, path, body):
    assert_problem(getattr(client, method)(path.format(**world), json=body), 401)


# --- the OpenAPI document -------------------------------------------------------------------------------


def test_openapi_lists_the_account_endpoints(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    paths = doc["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/accounts"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/accounts/{account_id}"])
    assert "post" in paths["/api/v1/accounts/{account_id}/restore"]
    assert {"get", "post"} <= set(paths["/api/v1/accounts/{account_id}/contacts"])
    assert "patch" in paths["/api/v1/accounts/{account_id}/contacts/{contact_id}"]
    assert {"get", "post"} <= set(paths["/api/v1/archetypes"])
    assert "patch" in paths["/api/v1/archetypes/{archetype_id}"]
    assert {"get", "post"} <= set(paths["/api/v1/traits"])
    assert "patch" in paths["/api/v1/traits/{definition_id}"]
    parameters = {p["name"] for p in paths["/api/v1/accounts"]["get"]["parameters"]}
    assert {"q", "stage", "archetype", "include_archived", "page", "per_page"} <= parameters
