"""Account pages: recording, editing with optimistic locking, archiving, filters, saved views, contacts."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs

from sqlalchemy import func, select

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Account, AuditEvent, Contact, SavedView
from ecp_tracker.services.accounts import accounts, traits
from tests.conftest import TEST_ACTOR

FULL_FORM = {
    "name": "Nordlys Robotics",
    "domain": "https://www.Nordlys.example/about",
    "industry": "Robotics",
    "employees": "38",
    "annual_revenue": "2100000",
    "founded_year": "2019",
    "country": "Norway",
    "region": "EMEA",
    "acquisition_channel": "Referral",
    "stage": "customer",
    "converted_on": "2026-03-01",
    "contract_value": "24000",
    "nps": "9",
    "referrals": "2",
    "archetypes": ["Game changer", "Tech enthusiast"],
    "notes": "Met at a robotics meetup.",
}


def _account(db_session, name):
    db_session.expire_all()
    return db_session.scalar(select(Account).where(Account.name == name))


def test_editor_records_an_account_with_every_field(client_as, db_session):
    traits.create_definition(
        db_session, TEST_ACTOR, label="Funding stage", kind="category", allowed_values=["Seed"]
    )
    db_session.commit()
    response = client_as(Role.EDITOR).post(
        "/accounts/new", data={**FULL_FORM, "trait__funding_stage": "Seed"}
    )
    assert response.status_code == 302
    account = _account(db_session, "Nordlys Robotics")
    assert account.domain == "nordlys.example"
    assert account.employees == 38 and account.nps == 9 and str(account.converted_on) == "2026-03-01"
    assert sorted(a.name for a in account.archetypes) == ["Game changer", "Tech enthusiast"]
    assert [t.value for t in account.traits] == ["Seed"]
    page = client_as(Role.VIEWER).get(f"/accounts/{account.id}").get_data(as_text=True)
    assert "Nordlys Robotics" in page and "11-50" in page and "Seed" in page
    assert "No champion is known" in page and "No economic buyer is known" in page


def test_bad_account_input_names_every_field_and_writes_nothing(client_as, db_session):
    editor = client_as(Role.EDITOR)
    before = db_session.scalar(select(func.count(AuditEvent.id)))
    bad = {
        **FULL_FORM,
        "employees": "lots",
        "nps": "11",
        "converted_on": "01/03/2026",
        "domain": "not a domain",
    }
    response = editor.post("/accounts/new", data=bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for message in (
        "Employees must be a whole number",
        "NPS must be at most 10",
        "YYYY-MM-DD",
        "is not a web domain",
    ):
        assert message in page, message
    assert _account(db_session, "Nordlys Robotics") is None
    assert db_session.scalar(select(func.count(AuditEvent.id))) == before


def test_new_account_form_records_its_first_contacts_and_refuses_a_bad_row_whole(client_as, db_session):
    editor = client_as(Role.EDITOR)
    form_page = editor.get("/accounts/new").get_data(as_text=True)
    assert 'name="contacts-2-name"' in form_page and "Role in the decision, contact 1" in form_page
    rows = {
        "contacts-0-name": "Ines Alvarez",
        "contacts-0-email": "ines@nordlys.example",
        "contacts-0-dmu_role": "economic_buyer",
        "contacts-2-name": "Tor Berg",
        "contacts-2-dmu_role": "end_user",
        "contacts-2-is_champion": "y",
    }
    refused = editor.post("/accounts/new", data={**FULL_FORM, **rows, "contacts-1-name": "Nobody"})
    assert refused.status_code == 422
    assert "Choose their role in the decision." in refused.get_data(as_text=True)
    assert _account(db_session, "Nordlys Robotics") is None
    assert db_session.scalar(select(func.count(Contact.id))) == 0
    response = editor.post("/accounts/new", data={**FULL_FORM, **rows}, follow_redirects=True)
    assert "Nordlys Robotics is recorded with 2 contacts." in response.get_data(as_text=True)
    account = _account(db_session, "Nordlys Robotics")
    assert sorted((c.name, c.dmu_role, c.is_champion) for c in account.contacts) == [
        ("Ines Alvarez", "economic_buyer", False),
        ("Tor Berg", "end_user", True),
    ]


def test_customer_without_conversion_date_is_refused(client_as, db_session):
    response = client_as(Role.EDITOR).post("/accounts/new", data={**FULL_FORM, "converted_on": ""})
    assert response.status_code == 422
    assert "needs the date it converted" in response.get_data(as_text=True)


def test_stale_edit_is_refused_and_shows_the_other_change(client_as, db_session):
    account = accounts.create_account(db_session, TEST_ACTOR, {"name": "Kumo Logistics", "stage": "prospect"})
    db_session.commit()
    seen = account.version
    editor = client_as(Role.EDITOR)
    first = editor.post(
        f"/accounts/{account.id}/edit", data={"name": "Kumo Logistics", "stage": "pilot", "version": seen}
    )
    assert first.status_code == 302
    second = editor.post(
        f"/accounts/{account.id}/edit", data={"name": "Kumo Logistics KK", "stage": "lost", "version": seen}
    )
    assert second.status_code == 422
    page = second.get_data(as_text=True)
    assert "changed by someone else" in page and "The other person" in page
    current = _account(db_session, "Kumo Logistics")
    assert current is not None and current.stage == "pilot"


def test_archive_and_restore_keep_the_record(client_as, db_session):
    account = accounts.create_account(db_session, TEST_ACTOR, {"name": "Pescado & Sons"})
    db_session.commit()
    editor = client_as(Role.EDITOR)
    editor.post(f"/accounts/{account.id}/archive")

    def rows(url):
        return editor.get(url).get_data(as_text=True).split("<tbody>")[1]

    assert "Pescado" not in rows("/accounts/")
    assert "Pescado" in rows("/accounts/?include_archived=1")
    editor.post(f"/accounts/{account.id}/restore")
    assert "Pescado" in rows("/accounts/")
    actions = db_session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.entity == "account", AuditEvent.entity_id == str(account.id)
        )
    ).all()
    assert set(actions) == {"create", "archive", "restore"}


def test_filters_and_saved_views(client_as, db_session):
    for name, channel, archetype in (
        ("Alpha Pay", "Referral", "Game changer"),
        ("Beta Pay", "Outbound", "Game changer"),
        ("Gamma Pay", "Referral", "Tech enthusiast"),
    ):
        accounts.create_account(
            db_session,
            TEST_ACTOR,
            {"name": name, "industry": "Fintech", "acquisition_channel": channel, "archetypes": [archetype]},
        )
    db_session.commit()
    editor = client_as(Role.EDITOR)
    query = "archetype=Game+changer&industry=Fintech&acquisition_channel=Referral"
    page = editor.get(f"/accounts/?{query}").get_data(as_text=True)
    assert "Alpha Pay" in page and "Beta Pay" not in page and "Gamma Pay" not in page
    response = editor.post(
        "/accounts/views", data={"name": "Fintech game changers via referral", "query": query}
    )
    assert response.status_code == 302
    view = db_session.scalar(select(SavedView))
    assert view.filters["archetype"] == ["Game changer"]
    listed = editor.get("/accounts/").get_data(as_text=True)
    assert "Fintech game changers via referral" in listed
    assert "via referral" not in client_as(Role.VIEWER).get("/accounts/").get_data(as_text=True)
    bad = editor.get("/accounts/?stage=winning")
    assert bad.status_code == 200 and "Filter ignored: Unknown stage" in bad.get_data(as_text=True)


def back_link(page: str) -> str:
    match = re.search(r'<p class="subnav"><a href="([^"]+)">← Accounts</a></p>', page)
    assert match, "no back link to the list"
    return html.unescape(match.group(1))


def test_the_back_link_returns_to_the_list_as_it_was_left(client_as, db_session):
    account = accounts.create_account(
        db_session,
        TEST_ACTOR,
        {"name": "Alpha Pay", "industry": "Fintech", "acquisition_channel": "Referral"},
    )
    db_session.commit()
    editor = client_as(Role.EDITOR)
    assert back_link(editor.get(f"/accounts/{account.id}").get_data(as_text=True)) == "/accounts/"
    editor.get("/accounts/?industry=Fintech&acquisition_channel=Referral&sort=-created_at&q=pay&page=1")
    link = back_link(editor.get(f"/accounts/{account.id}").get_data(as_text=True))
    path, _, query = link.partition("?")
    assert path == "/accounts/"
    assert parse_qs(query) == {
        "industry": ["Fintech"],
        "acquisition_channel": ["Referral"],
        "sort": ["-created_at"],
        "q": ["pay"],
    }
    # still there after an edit, and the plain list again once the filters are cleared
    editor.get(f"/accounts/{account.id}/edit")
    assert back_link(editor.get(f"/accounts/{account.id}").get_data(as_text=True)) == link
    editor.get("/accounts/")
    assert back_link(editor.get(f"/accounts/{account.id}").get_data(as_text=True)) == "/accounts/"


def test_the_back_link_only_ever_leads_to_our_own_list(client_as, db_session):
    account = accounts.create_account(db_session, TEST_ACTOR, {"name": "Alpha Pay"})
    db_session.commit()
    editor = client_as(Role.EDITOR)
    with editor.session_transaction() as cookie:
        cookie["accounts_list"] = {"stage": ["//evil.example"], "next": ["https://evil.example"]}
    assert back_link(editor.get(f"/accounts/{account.id}").get_data(as_text=True)) == "/accounts/"
    with editor.session_transaction() as cookie:
        cookie["accounts_list"] = {"q": ["x"], "next": ["https://evil.example"], "page": ["2"]}
    assert back_link(editor.get(f"/accounts/{account.id}").get_data(as_text=True)) == "/accounts/?q=x&page=2"
    with editor.session_transaction() as cookie:
        cookie["accounts_list"] = "https://evil.example/"
    assert back_link(editor.get(f"/accounts/{account.id}").get_data(as_text=True)) == "/accounts/"


def test_contacts_and_dmu_warnings(client_as, db_session):
    account = accounts.create_account(db_session, TEST_ACTOR, {"name": "Vetrano Medical"})
    db_session.commit()
    editor = client_as(Role.EDITOR)
    response = editor.post(
        f"/accounts/{account.id}/contacts/new",
        data={"name": "Giulia Rossi", "dmu_role": "economic_buyer", "email": "giulia@vetrano.example"},
    )
    assert response.status_code == 302
    page = editor.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert "Giulia Rossi" in page and "No champion is known" in page and "No economic buyer" not in page
    bad = editor.post(f"/accounts/{account.id}/contacts/new", data={"name": "", "dmu_role": "boss"})
    assert bad.status_code == 422
    assert db_session.scalar(select(func.count(Contact.id))) == 1


def test_archetype_pages_and_chart(client_as, db_session):
    accounts.create_account(
        db_session,
        TEST_ACTOR,
        {"name": "Won", "stage": "customer", "converted_on": "2026-01-05", "archetypes": ["Game changer"]},
    )
    accounts.create_account(
        db_session, TEST_ACTOR, {"name": "Lost one", "stage": "lost", "archetypes": ["Game changer"]}
    )
    db_session.commit()
    viewer = client_as(Role.VIEWER)
    index = viewer.get("/archetypes/").get_data(as_text=True)
    assert "50% (" in index  # 1 of 2 decided game changers converted
    chart = viewer.get("/archetypes/chart.svg")
    assert chart.mimetype == "image/svg+xml" and b"<svg" in chart.data and b"Game changer" in chart.data
    assert viewer.post("/archetypes/", data={"name": "Skeptic"}).status_code == 403
    admin = client_as(Role.ADMIN)
    assert (
        admin.post("/archetypes/", data={"name": "Skeptic", "description": "Needs proof"}).status_code == 302
    )
    duplicate = admin.post("/archetypes/", data={"name": "game CHANGER"})
    assert duplicate.status_code == 422 and "already is an archetype" in duplicate.get_data(as_text=True)


def test_traits_admin(client_as, db_session):
    admin = client_as(Role.ADMIN)
    response = admin.post(
        "/traits/", data={"label": "Funding stage", "kind": "category", "allowed_values": "Seed\nSeries A\n"}
    )
    assert response.status_code == 302
    missing = admin.post("/traits/", data={"label": "Tier", "kind": "category", "allowed_values": ""})
    assert missing.status_code == 422 and "needs its allowed values" in missing.get_data(as_text=True)
    assert client_as(Role.EDITOR).get("/traits/").status_code == 403
    form_page = admin.get("/accounts/new").get_data(as_text=True)
    assert "Funding stage" in form_page and "Series A" in form_page


def test_export_streams_the_filtered_list(client_as, db_session):
    accounts.create_account(db_session, TEST_ACTOR, {"name": "=HYPERLINK(evil)", "industry": "Fintech"})
    accounts.create_account(db_session, TEST_ACTOR, {"name": "Plain Co", "industry": "Retail"})
    db_session.commit()
    response = client_as(Role.VIEWER).get("/accounts/export.csv?industry=Fintech")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert "'=HYPERLINK(evil)" in body and "Plain Co" not in body


def test_filter_menus_are_cached_until_the_data_changes(app_factory):
    app = app_factory(FILTER_MENU_CACHE_SECONDS=30)
    session = app.extensions["ecp_db"].session_factory()
    from tests.conftest import add_user, login

    add_user(session, Role.VIEWER)
    accounts.create_account(session, TEST_ACTOR, {"name": "First Co", "industry": "Fintech"})
    session.commit()
    client = app.test_client()
    login(client, "viewer@example.com")
    assert 'value="Fintech"' in client.get("/accounts/").get_data(as_text=True)
    cached = app.extensions["ecp_menu_cache"]["filter_options"]
    client.get("/accounts/")
    assert app.extensions["ecp_menu_cache"]["filter_options"] is cached  # nothing changed: not rebuilt
    accounts.create_account(session, TEST_ACTOR, {"name": "Second Co", "industry": "Robotics"})
    session.commit()
    session.close()
    page = client.get("/accounts/").get_data(as_text=True)
    assert "Second Co" in page
    assert 'value="Robotics"' in page  # a write brings new values into the menus at once
