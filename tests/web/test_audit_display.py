"""Timelines show what people read: names instead of ids, labels of values, minutes; the dashboard's recent
activity leaves sign-ins to the audit trail."""

from __future__ import annotations

import re

from ecp_tracker.domain.roles import Role
from ecp_tracker.services.accounts import accounts
from ecp_tracker.web.audit_display import action_label, field_label, show_value
from tests.conftest import TEST_ACTOR

RAW = re.compile(r"owner_id|dmu_role|is_champion|economic_buyer|\{'|\d{2}:\d{2}:\d{2}\.\d+|: (True|False)\b")


def test_an_account_timeline_names_people_and_labels_values(client_as, people, db_session):
    owner = people[Role.EDITOR]
    account = accounts.create_account(db_session, TEST_ACTOR, {"name": "Vetrano Medical"})
    db_session.commit()
    editor = client_as(Role.EDITOR)
    editor.post(
        f"/accounts/{account.id}/contacts/new",
        data={"name": "Giulia Rossi", "dmu_role": "economic_buyer", "is_champion": "y"},
    )
    accounts.update_account(
        db_session, TEST_ACTOR, account.id, {"name": "Vetrano Medical", "owner": owner.email}, version=1
    )
    db_session.commit()
    page = editor.get(f"/accounts/{account.id}").get_data(as_text=True)
    history = page[page.index("<th>When (UTC)</th>") :]
    assert "Owner: <ins>Editor User</ins>" in history
    assert "Role in the decision: <ins>economic buyer</ins>" in history
    assert "Champion: <ins>yes</ins>" in history
    visible = re.sub(r"<[^>]+>", " ", history)  # attributes (a <time datetime>) are for machines
    assert not RAW.search(visible), RAW.search(visible)


def test_the_dashboard_leaves_sign_ins_out(client_as, db_session):
    admin = client_as(Role.ADMIN)
    accounts.create_account(db_session, TEST_ACTOR, {"name": "Orbit Co"})
    db_session.commit()
    page = admin.get("/").get_data(as_text=True)
    assert "Orbit Co" in page and "badge-login" not in page
    assert "badge-login" in admin.get("/admin/audit").get_data(as_text=True)  # still on the audit trail


def test_values_are_shown_as_words():
    names = {("user", 2): "Ada Park"}
    assert field_label("owner_id") == "Owner" and field_label("trait:data_team") == "Trait data team"
    assert show_value("owner_id", 2, names) == "Ada Park"
    assert show_value("owner_id", 9, names) == "#9 (removed)"
    assert show_value("last_login_at", "2026-11-30T09:15:42.123456+00:00", {}) == "2026-11-30 09:15"
    assert show_value("criteria", {"target": "10", "met": False}, {}) == "Target: 10; Met: no"
    assert show_value("stage", "not_converted", {}) == "not converted"
    assert show_value("tags", ["a", "b"], {}) == "a, b"
    assert action_label("status:approved") == "status → approved"
