"""In a real browser: first run creates the admin, who adds an editor and a viewer; roles hold."""

from __future__ import annotations

from tests.e2e.conftest import screenshot
from tests.e2e.steps import PASSWORD, add_user, sign_in, sign_out


def test_first_run_admin_adds_editor_and_viewer_cannot_reach_admin(page):
    page.goto("/")
    page.wait_for_url("**/setup")
    screenshot(page, "01-setup")
    page.get_by_label("Your name").fill("Fiona Founder")
    page.get_by_label("Your e-mail").fill("fiona@startup.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create admin account").click()
    page.get_by_role("heading", name="Dashboard").wait_for()
    assert "you are its admin" in page.content()
    screenshot(page, "02-dashboard-admin")

    add_user(page, "Eddie Editor", "eddie@startup.example", "editor")
    add_user(page, "Vera Viewer", "vera@startup.example", "viewer")
    screenshot(page, "03-admin-users")
    page.goto("/admin/audit")
    assert page.locator("tbody tr").count() >= 3
    screenshot(page, "04-audit")
    sign_out(page)

    sign_in(page, "eddie@startup.example")
    page.get_by_role("heading", name="Dashboard").wait_for()
    assert "signed in as <strong>editor</strong>" in page.content()
    assert page.get_by_role("link", name="Admin").count() == 0
    sign_out(page)

    sign_in(page, "vera@startup.example")
    page.get_by_role("heading", name="Dashboard").wait_for()
    response = page.goto("/admin/users")
    assert response.status == 403
    assert page.get_by_role("heading", name="Not allowed").is_visible()
    screenshot(page, "05-viewer-forbidden")


def test_phone_layout_is_readable(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto("/login")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing forces sideways scrolling on a phone
    screenshot(page, "06-login-phone")
    context.close()
