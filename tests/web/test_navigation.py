"""The sub-menus come from one table: each area's links, shown by role, the current page marked."""

from __future__ import annotations

import re

from ecp_tracker.domain.roles import Role


def subnav_links(html: str) -> tuple[list[str], str | None]:
    nav = re.search(r'<nav class="subnav"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "no sub-menu on the page"
    links = re.findall(r"<a href=\"[^\"]+\">([^<]+)</a>", nav.group(1))
    current = re.search(r"<strong>([^<]+)</strong>", nav.group(1))
    return links, current.group(1) if current else None


def test_accounts_area_links_follow_the_role(client_as):
    viewer_links, current = subnav_links(client_as(Role.VIEWER).get("/accounts/").get_data(as_text=True))
    assert current == "Accounts"
    assert viewer_links == ["Archetypes"]
    admin_links, _ = subnav_links(client_as(Role.ADMIN).get("/archetypes/").get_data(as_text=True))
    assert admin_links == ["Accounts", "Traits", "Import"]


def test_interviews_sit_in_the_customer_evidence_menu(client_as):
    links, current = subnav_links(client_as(Role.EDITOR).get("/interviews/").get_data(as_text=True))
    assert current == "Interviews"
    assert {"Library", "Requests", "Public walls", "Themes"} <= set(links)
    assert "Settings" not in links  # admins only


def test_the_admin_menu(client_as):
    links, current = subnav_links(client_as(Role.ADMIN).get("/admin/audit").get_data(as_text=True))
    assert (links, current) == (["Users"], "Audit trail")
