"""Every chart has a phone layout: `?layout=narrow` draws it about as wide as a phone's screen (so its text is
shown near its drawn size), and the page lets the browser pick it below 40rem with a <picture> source."""

from __future__ import annotations

import re

import pytest

from ecp_tracker.domain.roles import Role
from ecp_tracker.services.reviews import reviews
from tests.conftest import TEST_ACTOR
from tests.factories.interviews import build_workspace
from tests.factories.pilots import make_account, make_pilot

# (the page that shows the chart, the chart's address)
CHARTS = [
    ("/", "/charts/pilots-per-month.svg"),
    ("/pilots/?view=timeline", "/pilots/timeline.svg"),
    ("/archetypes/", "/archetypes/chart.svg"),
    ("/interviews/themes", "/interviews/themes.svg"),
    ("/reviews/", "/reviews/feedback.svg"),
]
PHONE_PX = 390
# A phone chart may be a little wider than the screen (its labels vary): shrunk to fit, its text stays
# readable.
NARROW_MAX_PX = 1.15 * PHONE_PX


def width_px(svg: bytes) -> float:
    """The drawn width of a matplotlib SVG in CSS pixels (matplotlib writes points: 1pt = 4/3 px)."""
    found = re.search(rb'<svg[^>]*\swidth="([\d.]+)pt"', svg)
    assert found, svg[:300]
    return float(found[1]) * 4 / 3


@pytest.fixture
def viewer(client_as, db_session):
    account = make_account(db_session, "Chart Co")
    make_pilot(db_session, account, name="Chart pilot", start=True)
    build_workspace(db_session)  # interviews with findings, for the themes chart
    reviews.open_review(db_session, TEST_ACTOR, "2026-11")  # the reviews page charts once there is one
    db_session.commit()
    return client_as(Role.VIEWER)


@pytest.mark.parametrize(("page", "chart"), CHARTS)
def test_a_chart_is_drawn_for_a_phone_and_the_page_offers_it(viewer, page, chart):
    wide = viewer.get(chart)
    narrow = viewer.get(chart + "?layout=narrow")
    assert narrow.status_code == 200 and narrow.mimetype == "image/svg+xml"
    assert width_px(narrow.data) <= NARROW_MAX_PX < width_px(wide.data)
    html = viewer.get(page).get_data(as_text=True)
    assert f'<source media="(max-width: 40rem)" srcset="{chart}?layout=narrow">' in html
    assert f'<img src="{chart}"' in html  # the desktop chart stays the default (and the one without CSS)


def test_the_phone_layout_keeps_the_charts_query(viewer):
    html = viewer.get("/interviews/themes?finding_kind=pain_point").get_data(as_text=True)
    assert 'srcset="/interviews/themes.svg?finding_kind=pain_point&amp;layout=narrow"' in html
