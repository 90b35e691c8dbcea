"""The dashboard: pilot and discount tiles, the short lists, the pilots-per-month chart, and a fixed number of
SQL statements whatever the number of pilots."""

from __future__ import annotations

from datetime import timedelta

from ecp_tracker.domain.roles import Role
from ecp_tracker.services.pilots import discounts, pilots
from tests.conftest import TEST_ACTOR
from tests.factories.pilots import TODAY, make_account, make_pilot
from tests.helpers import statements_for


def tile(page: str, label: str) -> str:
    """The number shown on the tile with `label`."""
    end = page.index(f'<span class="tile-label">{label}')
    start = page.rindex('<span class="tile-number">', 0, end) + len('<span class="tile-number">')
    return page[start : page.index("</span>", start)]


def seed(session, suffix: str = ""):
    """Two running pilots (one ending soon, one overdue), a planned one, a converted one, and discounts."""
    soon = make_pilot(
        session, make_account(session, f"Soon Co{suffix}"), name=f"Ends soon{suffix}", start=True
    )
    soon.planned_end_date = TODAY + timedelta(days=6)
    late = make_pilot(session, make_account(session, f"Late Co{suffix}"), name=f"Overdue{suffix}", start=True)
    late.planned_end_date = TODAY - timedelta(days=4)
    make_pilot(session, make_account(session, f"Plan Co{suffix}"), name=f"Planned{suffix}")
    won = make_pilot(session, make_account(session, f"Won Co{suffix}", stage="pilot"), start=True)
    session.commit()
    pilots.transition(session, TEST_ACTOR, won.id, "succeeded", on=TODAY)
    pilots.record_outcome(
        session, TEST_ACTOR, won.id, "converted", contract_value="12000", converted_on=TODAY
    )
    discounts.grant_discount(
        session,
        TEST_ACTOR,
        soon.account_id,
        {
            "kind": "fixed",
            "amount": "250",
            "list_price": "1000",
            "reason": "Design partner",
            "starts_on": TODAY.replace(day=1).isoformat(),
            "promises": [{"kind": "case_study", "due_on": (TODAY - timedelta(days=2)).isoformat()}],
        },
    )
    session.commit()


def test_an_empty_workspace_shows_zeros(client_as):
    page = client_as(Role.VIEWER).get("/").get_data(as_text=True)
    assert tile(page, "active pilots") == "0"
    assert tile(page, "discount value granted this month") == "0"
    assert "No running pilot ends in the next 14 days." in page and "Nothing overdue." in page
    assert "How ECP Tracker works" in page  # what was there stays


def test_tiles_and_short_lists(client_as, db_session):
    seed(db_session)
    page = client_as(Role.VIEWER).get("/").get_data(as_text=True)
    assert tile(page, "active pilots") == "2"
    assert tile(page, "ending in the next 14 days") == "1"
    assert tile(page, "past their planned end") == "1"
    assert tile(page, "overdue give-to-get promises") == "1"
    assert tile(page, "discount value granted this month") == "250"
    assert "Ends soon" in page and "ends in 6 days" in page
    assert "Overdue" in page and "4 days past its planned end" in page
    assert "Soon Co</a>:\n      case study" in page
    assert "/pilots/?due=soon" in page and "/discounts/#owed" in page
    assert "/charts/pilots-per-month.svg" in page


def test_the_pilots_per_month_chart_is_an_svg(client_as, db_session):
    seed(db_session)
    response = client_as(Role.VIEWER).get("/charts/pilots-per-month.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data and b"Converted" in response.data
    assert client_as(Role.VIEWER).get("/pilots/timeline.svg").mimetype == "image/svg+xml"


def test_the_dashboard_issues_the_same_statements_for_few_and_many_pilots(app, client_as, db_session):
    viewer = client_as(Role.VIEWER)
    seed(db_session)
    small = statements_for(app, viewer, "/")
    for i in range(6):
        seed(db_session, f" {i}")
    assert statements_for(app, viewer, "/") == small
