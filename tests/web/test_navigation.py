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


def main_menu(html: str) -> list[tuple[str, bool]]:
    """The main menu's entries, each with whether it is marked current."""
    nav = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "no main menu on the page"
    return [
        (label, bool(current))
        for current, label in re.findall(
            r"<a href=\"[^\"]+\"( aria-current=\"page\")?>([^<]+)</a>", nav.group(1)
        )
    ]


def test_interviews_have_their_own_main_menu_entry_and_sub_menu(client_as):
    editor = client_as(Role.EDITOR)
    page = editor.get("/interviews/").get_data(as_text=True)
    menu = main_menu(page)
    assert [label for label, _ in menu][:5] == [
        "Dashboard",
        "Accounts",
        "Pilots",
        "Testimonials",
        "Interviews",
    ]
    assert [label for label, current in menu if current] == ["Interviews"]
    links, current = subnav_links(page)
    assert (links, current) == (["Themes"], "Interviews")
    themes = editor.get("/interviews/themes").get_data(as_text=True)
    assert [label for label, current in main_menu(themes) if current] == ["Interviews"]
    assert subnav_links(themes) == (["Interviews"], "Themes")
    # the customer evidence menu keeps the testimonial pages only
    library, _ = subnav_links(editor.get("/testimonials/").get_data(as_text=True))
    assert {"Requests", "Public walls", "Proof coverage"} <= set(library)
    assert "Interviews" not in library and "Themes" not in library
    assert "Settings" not in library  # admins only


def test_the_admin_menu(client_as):
    links, current = subnav_links(client_as(Role.ADMIN).get("/admin/audit").get_data(as_text=True))
    assert (links, current) == (["Users"], "Audit trail")
