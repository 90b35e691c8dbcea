"""Steps the browser tests share: signing in and out, adding users, the editor most flows sign in as, and
reading or building an ICP from the analysis page. Test modules import them from here, not from each other."""

from __future__ import annotations

import re

PASSWORD = "a long enough password"


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")


def add_user(page, name: str, email: str, role: str) -> None:
    page.goto("/admin/users")
    page.get_by_label("Name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Role").select_option(role)
    page.get_by_label("Initial password").fill(PASSWORD)
    page.get_by_role("button", name="Add user").click()
    page.get_by_text(f"{name} ({email}) can now sign in as {role}.").wait_for()


def ensure_editor(page) -> None:
    """First run (if this server is new): an admin, who adds the editor used below."""
    page.goto("/login")
    if "/setup" in page.url:
        page.get_by_label("Your name").fill("Fiona Founder")
        page.get_by_label("Your e-mail").fill("fiona@startup.example")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Repeat the password").fill(PASSWORD)
        page.get_by_role("button", name="Create admin account").click()
        page.get_by_role("heading", name="Dashboard").wait_for()
    else:
        sign_in(page, "fiona@startup.example")
    page.goto("/admin/users")
    if "ivan@startup.example" not in page.content():
        add_user(page, "Ivan Importer", "ivan@startup.example", "editor")
    page.get_by_role("button", name="Sign out").click()


def score_on_page(page) -> tuple[str, int, list[int]]:
    card = page.locator("#icp")
    tier = re.search(r"Tier (\w+)", card.inner_text()).group(1)
    score = int(card.locator("tfoot th.num").inner_text())
    points = [int(p) for p in card.locator("tbody td.num").all_inner_texts()]
    return tier, score, points


def add_from_analysis(page, value: str, points: int) -> str:
    page.goto("/analysis/")
    row = page.locator("table.analysis-table tbody tr", has=page.get_by_role("link", name=value, exact=True))
    row.get_by_label(f"Points for {value}").fill(str(points))
    row.get_by_role("button", name="Add to draft ICP").click()
    flash = page.get_by_text(re.compile(f"Added {value} to draft version"))
    flash.wait_for()
    return re.search(r"draft version (\d+)", flash.inner_text()).group(1)
