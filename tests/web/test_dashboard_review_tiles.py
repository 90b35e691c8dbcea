"""The dashboard's review tiles: when the next review is due with what it will decide, and the last finalised
review's ICP feedback loop (the share of the month's new accounts and conversions in the top tier, against the
target)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ecp_tracker.domain.roles import Role
from ecp_tracker.services.accounts import accounts
from ecp_tracker.services.icp import versions
from ecp_tracker.services.reviews import reviews
from tests.conftest import TEST_ACTOR


def _month_with_an_icp(db_session) -> str:
    """40 accounts recorded this month, 20 Fintech (16 converted today) and 20 Retail (4 converted today); an
    active ICP puts Fintech in tier A."""
    today = datetime.now(UTC).date()
    for i in range(20):
        for industry, won in (("Fintech", 16), ("Retail", 4)):
            stage = "customer" if i < won else "lost"
            raw = {"name": f"{industry} {i}", "industry": industry, "stage": stage}
            raw |= {"converted_on": today.isoformat()} if stage == "customer" else {}
            accounts.create_account(db_session, TEST_ACTOR, raw, today=today)
    body = {
        "name": "Fintech first",
        "tiers": [{"name": "A", "min_score": 60}, {"name": "B", "min_score": 0}],
        "criteria": [{"trait": "industry", "value": "Fintech", "points": 60, "evidence": {"note": "test"}}],
    }
    versions.activate(db_session, TEST_ACTOR, versions.create_draft(db_session, TEST_ACTOR, body).id)
    db_session.commit()
    return today.strftime("%Y-%m")


def _tile(page: str, label: str) -> tuple[str, str]:
    """(class, number) of the tile whose label starts with `label`."""
    found = re.search(
        r'<(?:div|a) class="tile([^"]*)"[^>]*><span class="tile-number">([^<]+)</span>'
        r'<span class="tile-label">' + re.escape(label),
        page,
    )
    assert found, label
    return found.group(1).strip(), found.group(2)


def test_the_last_reviews_feedback_loop_is_on_the_dashboard(client_as, db_session):
    period = _month_with_an_icp(db_session)
    viewer = client_as(Role.VIEWER)
    before = viewer.get("/").get_data(as_text=True)
    assert "ICP feedback loop at" not in before  # no review yet: nothing to report
    assert "Next review" in before and "candidate trait value" in before
    review = reviews.open_review(db_session, TEST_ACTOR, period)
    db_session.commit()
    assert "ICP feedback loop at" not in viewer.get("/").get_data(as_text=True)  # open, not yet the record
    reviews.finalise(db_session, TEST_ACTOR, review.id)
    db_session.commit()
    page = viewer.get("/").get_data(as_text=True)
    assert f"the {period} review" in page and "against the 80% target" in page
    assert _tile(page, "of new accounts in tier A (20 of 40)") == ("tile-bad", "50%")  # below the target
    assert _tile(page, "of conversions in tier A (16 of 20)") == ("tile-ok", "80%")  # at the target
    assert _tile(page, "of pilots started in tier A (0 of 0)") == ("", "—")
    assert f'href="/reviews/{review.id}"' in page


def test_the_next_review_tiles_count_todays_candidates(client_as, db_session):
    _month_with_an_icp(db_session)
    page = client_as(Role.VIEWER).get("/").get_data(as_text=True)
    assert _tile(page, "candidate trait values today") == ("", "2")  # Fintech to graduate, Retail to exclude
    assert _tile(page, "ready (held at two reviews in a row)") == ("", "0")  # no review has looked yet
    assert re.search(r"The review of \d{4}-\d{2}</a>\s+is due", page)
