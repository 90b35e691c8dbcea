"""The account list: parsing filters from a query string, every filter, sorting, paging, and a bounded
number of SQL statements whatever the number of accounts (no N+1)."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.accounts import size_band
from ecp_tracker.domain.errors import InvalidFields
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Account, Archetype, User, account_archetypes
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.accounts import accounts, traits
from ecp_tracker.services.accounts.listing import AccountFilters, list_accounts
from tests.conftest import TEST_ACTOR
from tests.helpers import counting

TODAY = date(2026, 11, 1)


def filters(**query: str | list[str]) -> AccountFilters:
    return AccountFilters.from_query({k: v if isinstance(v, list) else [v] for k, v in query.items()})


def names(session: Session, flt: AccountFilters, **options: int) -> list[str]:
    session.expire_all()
    return [a.name for a in list_accounts(session, flt, **options).items]


def problem_fields(query: dict[str, list[str]]) -> list[str]:
    with pytest.raises(InvalidFields) as caught:
        AccountFilters.from_query(query)
    return [field for field, _ in caught.value.problems]


# --- parsing a query string -----------------------------------------------------------------------------


def test_from_query_reads_multiple_values_and_custom_traits():
    flt = AccountFilters.from_query(
        {
            "q": ["  acme  "],
            "stage": ["customer", "churned", " "],
            "archetype": ["Tech enthusiast"],
            "industry": ["Robotics", "Food"],
            "size_band": ["1-10", "1001+"],
            "region": ["EMEA"],
            "country": ["Norway"],
            "acquisition_channel": ["Referral"],
            "owner": ["3", "none"],
            "trait:funding_stage": ["Seed", "Series A"],
            "trait:uses_sso": ["yes"],
            "trait:empty": [""],
            "include_archived": ["true"],
            "sort": ["-employees"],
            "page": ["2"],
        }
    )
    assert flt.q == "acme"
    assert flt.stage == ("customer", "churned")
    assert flt.archetype == ("Tech enthusiast",)
    assert flt.industry == ("Robotics", "Food")
    assert flt.size_band == ("1-10", "1001+")
    assert (flt.region, flt.country, flt.acquisition_channel) == (("EMEA",), ("Norway",), ("Referral",))
    assert flt.owner == ("3", "none")
    assert dict(flt.traits) == {"funding_stage": ("Seed", "Series A"), "uses_sso": ("yes",)}
    assert flt.include_archived is True
    assert (flt.sort, flt.descending) == ("employees", True)
    assert flt.active_count == 11


def test_from_query_defaults():
    flt = AccountFilters.from_query({})
    assert flt == AccountFilters()
    assert (flt.sort, flt.descending, flt.include_archived, flt.active_count) == ("name", False, False, 0)
    assert flt.to_query() == {}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"stage": ["won"]}, "stage"),
        ({"stage": ["customer", "won"]}, "stage"),
        ({"size_band": ["10-20"]}, "size_band"),
        ({"sort": ["colour"]}, "sort"),
        ({"sort": ["-colour"]}, "sort"),
        ({"owner": ["ada@example.com"]}, "owner"),
        ({"owner": ["-1"]}, "owner"),
    ],
)
def test_from_query_refuses_unknown_values(query, field):
    assert problem_fields(query) == [field]


def test_from_query_names_every_bad_filter_at_once():
    fields = problem_fields({"stage": ["won"], "size_band": ["huge"], "owner": ["bob"], "sort": ["x"]})
    assert sorted(fields) == ["owner", "size_band", "sort", "stage"]


@pytest.mark.parametrize(
    "flt",
    [
        AccountFilters(),
        AccountFilters(
            q="acme",
            stage=("customer", "pilot"),
            archetype=("Game changer",),
            industry=("Robotics",),
            size_band=("11-50", "1001+"),
            region=("EMEA",),
            country=("Norway", "Sweden"),
            acquisition_channel=("Referral",),
            owner=("7", "none"),
            traits={"funding_stage": ("Seed",), "tech_stack": ("Go", "Rust")},
            include_archived=True,
            sort="updated_at",
            descending=True,
        ),
        AccountFilters(sort="name", descending=True),
        AccountFilters(sort="employees"),
    ],
)
def test_to_query_round_trips(flt):
    assert AccountFilters.from_query(flt.to_query()) == flt


# --- filtering ------------------------------------------------------------------------------------------


def quick_user(session: Session, email: str, name: str) -> User:
    """A user to own accounts (no password hashing: nobody signs in as them)."""
    user = User(email=email, name=name, password_hash="not-a-real-hash", role="editor", session_version=1)
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def book(db_session: Session) -> dict[str, int]:
    """A small, varied book of accounts; returns the owners' ids."""
    editor = quick_user(db_session, "ada@ourstartup.example", "Ada")
    admin = quick_user(db_session, "grace@ourstartup.example", "Grace")
    traits.create_definition(
        db_session, TEST_ACTOR, label="Funding stage", kind="category", allowed_values=["Seed", "Series A"]
    )
    traits.create_definition(db_session, TEST_ACTOR, label="Tech stack", kind="tags")
    rows = [
        {
            "name": "Alpha Robotics",
            "domain": "alpha.example",
            "stage": "customer",
            "converted_on": "2026-03-01",
            "industry": "Robotics",
            "employees": 10,
            "region": "EMEA",
            "country": "Norway",
            "acquisition_channel": "Referral",
            "owner": editor.id,
            "archetypes": ["Tech enthusiast"],
            "trait:funding_stage": "Seed",
            "trait:tech_stack": "Python; Go",
        },
        {
            "name": "Beta 100% Foods",
            "domain": "beta-foods.example",
            "stage": "pilot",
            "industry": "Food",
            "employees": 11,
            "region": "North America",
            "country": "USA",
            "acquisition_channel": "Outbound",
            "archetypes": ["Game changer"],
            "trait:funding_stage": "Series A",
        },
        {
            "name": "Gamma_Labs",
            "domain": "gamma.example",
            "stage": "prospect",
            "industry": "Robotics",
            "employees": 1001,
            "region": "EMEA",
            "country": "Germany",
            "acquisition_channel": "Inbound",
            "owner": admin.id,
            "archetypes": ["Tech enthusiast", "Game changer"],
            "trait:tech_stack": "Rust",
        },
        {
            "name": "Delta Co",
            "domain": "zeta-widgets.example",
            "stage": "lost",
            "industry": "Energy",
            "employees": 200,
            "region": "APAC",
            "country": "Japan",
            "acquisition_channel": "Inbound",
        },
        {
            "name": "Epsilon Archived",
            "stage": "customer",
            "converted_on": "2026-01-05",
            "industry": "Robotics",
            "employees": 10,
            "region": "EMEA",
            "country": "Norway",
            "acquisition_channel": "Referral",
            "owner": editor.id,
            "archetypes": ["Tech enthusiast"],
            "trait:funding_stage": "Seed",
        },
    ]
    made = [accounts.create_account(db_session, TEST_ACTOR, row, today=TODAY) for row in rows]
    accounts.set_archived(db_session, TEST_ACTOR, made[-1].id, archived=True)
    db_session.commit()
    return {"editor": editor.id, "admin": admin.id}


def test_no_filter_lists_active_accounts_by_name(db_session, book):
    assert names(db_session, AccountFilters()) == [
        "Alpha Robotics",
        "Beta 100% Foods",
        "Delta Co",
        "Gamma_Labs",
    ]
    assert "Epsilon Archived" in names(db_session, filters(include_archived="1"))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ALPHA", ["Alpha Robotics"]),
        ("  beta   100 ", ["Beta 100% Foods"]),
        ("zeta-widg", ["Delta Co"]),  # the domain only
        ("example", ["Alpha Robotics", "Beta 100% Foods", "Delta Co", "Gamma_Labs"]),
        ("%", ["Beta 100% Foods"]),  # a literal percent sign, not a wildcard
        ("_", ["Gamma_Labs"]),  # a literal underscore, not a wildcard
        ("a_l", ["Gamma_Labs"]),
        ("0%", ["Beta 100% Foods"]),
        ("nothing like it", []),
    ],
)
def test_search_in_name_and_domain(db_session, book, q, expected):
    assert names(db_session, filters(q=q)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"stage": ["customer", "pilot"]}, ["Alpha Robotics", "Beta 100% Foods"]),
        ({"stage": ["lost"]}, ["Delta Co"]),
        ({"archetype": ["tech ENTHUSIAST"]}, ["Alpha Robotics", "Gamma_Labs"]),
        (
            {"archetype": ["Game changer", "Tech enthusiast"]},
            ["Alpha Robotics", "Beta 100% Foods", "Gamma_Labs"],
        ),
        ({"archetype": ["Visionary founder"]}, []),
        ({"industry": ["Robotics"]}, ["Alpha Robotics", "Gamma_Labs"]),
        ({"industry": ["Food", "Energy"]}, ["Beta 100% Foods", "Delta Co"]),
        ({"size_band": ["1-10"]}, ["Alpha Robotics"]),
        ({"size_band": ["11-50"]}, ["Beta 100% Foods"]),
        ({"size_band": ["51-200"]}, ["Delta Co"]),
        ({"size_band": ["201-1000"]}, []),
        ({"size_band": ["1001+"]}, ["Gamma_Labs"]),
        ({"size_band": ["1-10", "1001+"]}, ["Alpha Robotics", "Gamma_Labs"]),
        ({"region": ["EMEA"]}, ["Alpha Robotics", "Gamma_Labs"]),
        ({"country": ["USA", "Japan"]}, ["Beta 100% Foods", "Delta Co"]),
        ({"acquisition_channel": ["Inbound"]}, ["Delta Co", "Gamma_Labs"]),
        ({"owner": ["none"]}, ["Beta 100% Foods", "Delta Co"]),
        ({"trait:funding_stage": ["seed"]}, ["Alpha Robotics"]),
        ({"trait:funding_stage": ["Seed", "Series A"]}, ["Alpha Robotics", "Beta 100% Foods"]),
        ({"trait:tech_stack": ["go"]}, ["Alpha Robotics"]),
        ({"trait:tech_stack": ["Python", "Rust"]}, ["Alpha Robotics", "Gamma_Labs"]),
        ({"trait:tech_stack": ["COBOL"]}, []),
        ({"trait:unknown_trait": ["x"]}, []),
        # several filters narrow each other down
        ({"industry": ["Robotics"], "stage": ["customer"]}, ["Alpha Robotics"]),
        ({"region": ["EMEA"], "archetype": ["Game changer"]}, ["Gamma_Labs"]),
        ({"trait:funding_stage": ["Seed"], "trait:tech_stack": ["Rust"]}, []),
        (
            {"q": ["a"], "size_band": ["11-50", "51-200"], "acquisition_channel": ["Outbound"]},
            ["Beta 100% Foods"],
        ),
    ],
)
def test_filters(db_session, book, query, expected):
    assert names(db_session, AccountFilters.from_query(query)) == expected


def test_owner_filter_by_id_and_none(db_session, book):
    assert names(db_session, filters(owner=str(book["editor"]))) == ["Alpha Robotics"]
    assert names(db_session, filters(owner=[str(book["admin"]), "none"])) == [
        "Beta 100% Foods",
        "Delta Co",
        "Gamma_Labs",
    ]
    assert names(db_session, filters(owner=[str(book["editor"]), str(book["admin"])])) == [
        "Alpha Robotics",
        "Gamma_Labs",
    ]
    assert names(db_session, filters(owner=str(book["editor"]), include_archived="yes")) == [
        "Alpha Robotics",
        "Epsilon Archived",
    ]


def test_archived_accounts_match_filters_only_when_included(db_session, book):
    flt = filters(**{"trait:funding_stage": "Seed"})
    assert names(db_session, flt) == ["Alpha Robotics"]
    included = AccountFilters.from_query({**flt.to_query(), "include_archived": ["1"]})
    assert names(db_session, included) == ["Alpha Robotics", "Epsilon Archived"]


# --- sorting and paging ---------------------------------------------------------------------------------


@pytest.fixture
def sized(db_session: Session) -> list[tuple[int, int]]:
    """Accounts with tied headcounts and equal-ish names; returns (id, employees) in creation order."""
    made = []
    for index, employees in enumerate([50, 20, 50, 20, 50, 35]):
        account = accounts.create_account(
            db_session,
            TEST_ACTOR,
            {"name": f"Company {'FEDCBA'[index]}", "employees": employees, "region": "EMEA"},
            today=TODAY,
        )
        made.append((account.id, employees))
    db_session.commit()
    return made


def ids(session: Session, flt: AccountFilters, **options: int) -> list[int]:
    session.expire_all()
    return [a.id for a in list_accounts(session, flt, **options).items]


def test_sort_ascending_breaks_ties_by_id(db_session, sized):
    expected = [account_id for account_id, _ in sorted(sized, key=lambda pair: (pair[1], pair[0]))]
    assert ids(db_session, filters(sort="employees")) == expected


def test_sort_descending_is_the_exact_reverse(db_session, sized):
    ascending = ids(db_session, filters(sort="employees"))
    assert ids(db_session, filters(sort="-employees")) == ascending[::-1]
    expected = [account_id for account_id, _ in sorted(sized, key=lambda pair: (-pair[1], -pair[0]))]
    assert ids(db_session, filters(sort="-employees")) == expected


def test_sort_by_name_both_ways(db_session, sized):
    by_name = [f"Company {c}" for c in "ABCDEF"]
    assert names(db_session, filters(sort="name")) == by_name
    assert names(db_session, filters(sort="-name")) == by_name[::-1]


def test_sort_by_a_column_with_one_value_keeps_the_id_order(db_session, sized):
    in_creation_order = [account_id for account_id, _ in sized]
    assert ids(db_session, filters(sort="region")) == sorted(in_creation_order)
    assert ids(db_session, filters(sort="-region")) == sorted(in_creation_order, reverse=True)


def test_pages_cover_every_account_once(db_session, sized):
    flt = filters(sort="employees")
    everything = ids(db_session, flt)
    pages = [list_accounts(db_session, flt, page=number, per_page=4) for number in (1, 2, 3)]
    assert [p.total for p in pages] == [6, 6, 6]
    assert [len(p.items) for p in pages] == [4, 2, 0]
    assert [p.pages for p in pages] == [2, 2, 2]
    assert (pages[0].has_next, pages[1].has_next, pages[1].has_prev) == (True, False, True)
    assert [a.id for p in pages for a in p.items] == everything


def test_page_size_is_capped(db_session, sized):
    assert list_accounts(db_session, AccountFilters(), per_page=5000).per_page == 100
    assert list_accounts(db_session, AccountFilters(), per_page=0).per_page == 1


def test_total_counts_the_filtered_accounts(db_session, sized):
    page = list_accounts(db_session, filters(size_band="11-50"), per_page=2)
    assert page.total == 6
    assert len(page.items) == 2
    page = list_accounts(db_session, filters(sort="employees", q="company a"), per_page=2)
    assert (page.total, [a.name for a in page.items]) == (1, ["Company A"])


# --- a bounded number of statements (no N+1) ------------------------------------------------------------


def add_owners(session: Session, count: int) -> list[int]:
    now = utcnow()
    session.execute(
        insert(User.__table__),
        [
            {
                "email": f"owner{i}@bulk.example",
                "name": f"Owner {i:03d}",
                "password_hash": "not-a-real-hash",
                "role": "editor",
                "active": True,
                "session_version": 1,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(count)
        ],
    )
    return list(session.scalars(select(User.id).where(User.email.like("%@bulk.example")).order_by(User.id)))


def add_accounts(session: Session, start: int, stop: int, owner_ids: list[int]) -> None:
    """Accounts `start`..`stop` with a different owner each (in turn) and two archetypes, by Core inserts."""
    now = utcnow()
    archetype_ids = list(session.scalars(select(Archetype.id).order_by(Archetype.id).limit(2)))
    rows = [
        {
            "name": f"Bulk {i:05d}",
            "name_key": f"bulk {i:05d}",
            "stage": "prospect",
            "notes": "",
            "employees": 1 + i % 1500,
            "industry": f"Industry {i % 7}",
            "owner_id": owner_ids[i % len(owner_ids)],
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(start, stop)
    ]
    session.execute(insert(Account.__table__), rows)
    new_ids = session.scalars(
        select(Account.id).where(
            Account.name_key >= f"bulk {start:05d}", Account.name_key < f"bulk {stop:05d}"
        )
    ).all()
    assert len(new_ids) == stop - start
    session.execute(
        insert(account_archetypes),
        [{"account_id": a, "archetype_id": b} for a in new_ids for b in archetype_ids],
    )
    session.commit()


def list_page_statements(app: Flask) -> tuple[int, int]:
    """(statements, rows) for listing the first page and reading what the list page shows of each row."""
    session = app.extensions["ecp_db"].session_factory()
    try:
        with counting(app) as statements:
            page = list_accounts(session, AccountFilters(), per_page=50)
            shown = [
                (
                    a.name,
                    a.owner.name if a.owner else "",
                    [x.name for x in a.archetypes],
                    size_band(a.employees),
                )
                for a in page.items
            ]
        assert all(owner and len(kinds) == 2 for _, owner, kinds, _ in shown)
        return len(statements), len(shown)
    finally:
        session.close()


def test_the_list_issues_the_same_statements_for_10_and_1000_accounts(app, db_session):
    owner_ids = add_owners(db_session, 60)
    add_accounts(db_session, 0, 10, owner_ids)
    small, small_rows = list_page_statements(app)
    add_accounts(db_session, 10, 1000, owner_ids)
    large, large_rows = list_page_statements(app)
    assert (small_rows, large_rows) == (10, 50)
    assert 1 <= small <= 4
    assert large == small


def page_statements(app: Flask, viewer) -> int:
    with counting(app) as statements:
        response = viewer.get("/accounts/")
    assert response.status_code == 200
    assert "Owner 001" in response.get_data(as_text=True)
    return len(statements)


def test_the_list_page_issues_the_same_statements_for_10_and_1000_accounts(app, db_session, client_as):
    viewer = client_as(Role.VIEWER)
    owner_ids = add_owners(db_session, 60)
    add_accounts(db_session, 0, 10, owner_ids)
    small = page_statements(app, viewer)
    add_accounts(db_session, 10, 1000, owner_ids)
    large_page = viewer.get("/accounts/").get_data(as_text=True)
    assert "Bulk 00024" in large_page and "Bulk 00025" not in large_page
    assert "1000 accounts" in large_page
    large = page_statements(app, viewer)
    assert small > 0
    assert large == small
