"""Help pages: every area's docs/ Markdown rendered in the app (tables, heading anchors, links between pages),
for every role, and nothing in the app sends a user to a repository file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ecp_tracker.domain.roles import Role
from ecp_tracker.web.help.markdown import heading_id
from ecp_tracker.web.help.views import PAGES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("role", list(Role))
def test_every_help_page_renders_for_every_role(client_as, db_session, role):
    client = client_as(role)
    index = client.get("/help/").get_data(as_text=True)
    for slug, _group in PAGES:
        assert f'href="/help/{slug}"' in index
        page = client.get(f"/help/{slug}")
        assert page.status_code == 200, slug
        title = (ROOT / "docs" / f"{slug}.md").read_text(encoding="utf-8").splitlines()[0].removeprefix("# ")
        assert f'<h1 id="{heading_id(title)}">' in page.get_data(as_text=True)


def test_markdown_tables_anchors_and_links_are_rendered(client_as, db_session):
    viewer = client_as(Role.VIEWER)
    page = viewer.get("/help/import-export").get_data(as_text=True)
    assert "<table>" in page and "<th>preset</th>" in page
    assert 'id="one-name-per-value-crm-picklists-and-your-own-map"' in page
    api = viewer.get("/help/api").get_data(as_text=True)
    assert 'href="/help/testimonials#public-walls-feed-and-embed"' in api
    assert 'href="/help/statistics"' in api
    assert ".md" not in "".join(re.findall(r'href="([^"]+)"', api))
    testimonials = viewer.get("/help/testimonials").get_data(as_text=True)
    assert 'id="public-walls-feed-and-embed"' in testimonials


def test_unknown_pages_and_signed_out_visitors(client, client_as, db_session):
    assert client_as(Role.VIEWER).get("/help/../README").status_code == 404
    assert client_as(Role.VIEWER).get("/help/nothing-here").status_code == 404
    response = client.get("/help/statistics")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_help_link_opens_the_current_areas_page(client_as, db_session):
    viewer = client_as(Role.VIEWER)
    assert 'href="/help/accounts">Help</a>' in viewer.get("/accounts/").get_data(as_text=True)
    assert 'href="/help/pilots">Help</a>' in viewer.get("/pilots/").get_data(as_text=True)
    assert 'href="/help/">Help</a>' in viewer.get("/").get_data(as_text=True)


# The analysis page's pointer to docs/statistics.md is changed (to /help/statistics) on the evidence engine's
# branch, which owns web/analysis/; remove this entry when both are merged.
CHANGED_ELSEWHERE: set[str] = set()


def test_no_page_tells_a_user_to_open_a_repository_file():
    templates = [
        *ROOT.glob("ecp_tracker/**/templates/**/*.html"),
        *ROOT.glob("ecp_tracker/templates/**/*.html"),
    ]
    offenders = [
        str(path.relative_to(ROOT))
        for path in templates
        if re.search(r"docs/[a-z-]+\.md|DESIGN\.md|README\.md", path.read_text(encoding="utf-8"))
    ]
    assert [path for path in offenders if path not in CHANGED_ELSEWHERE] == []
