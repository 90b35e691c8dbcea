"""In a real browser: a PMM asks a customer for a testimonial -> the customer opens the link in a fresh
browser (no account, no session) and answers -> the PMM approves and publishes -> the quote is on the public
wall and in its feed -> the customer withdraws consent -> it is gone from the wall and the feed at once."""

from __future__ import annotations

import json

from tests.e2e.conftest import screenshot
from tests.e2e.steps import ensure_editor, sign_in

QUOTE = "Quillfin closes the month in one day now; our analysts stopped waiting for the nightly batch."


def wall_texts(browser, live_server) -> tuple[str, list[str]]:
    """The wall and its feed as a visitor sees them: a fresh browser, nobody signed in."""
    visitor = browser.new_context(base_url=live_server)
    page = visitor.new_page()
    page.goto("/wall/fintech-proof")
    wall = page.locator("main").inner_text()
    feed = json.loads(page.request.get(f"{live_server}/wall/fintech-proof.json").text())
    visitor.close()
    return wall, [item["text"] for item in feed["testimonials"]]


def test_request_answer_publish_withdraw(page, browser, live_server):
    ensure_editor(page)
    sign_in(page, "ivan@startup.example")
    page.goto("/accounts/new")
    page.get_by_label("Name", exact=True).fill("Quillfin Payments")
    page.get_by_label("Industry").fill("Fintech")
    page.get_by_role("button", name="Record account").click()
    page.get_by_text("Quillfin Payments is recorded.").wait_for()
    account_url = page.url

    page.goto("/testimonials/collections/new")
    page.get_by_label("Title").fill("Fintech proof")
    page.get_by_label("Address").fill("fintech-proof")
    page.get_by_role("button", name="Create the wall").click()
    page.get_by_text("is live at /wall/fintech-proof").wait_for()

    page.goto(account_url)
    page.get_by_role("link", name="Ask for a testimonial").click()
    page.get_by_label("Your note to them").fill("Two lines on the month-end close would be wonderful.")
    page.get_by_role("button", name="Create the link").click()
    link = page.locator("#collect-link").input_value()
    assert "/collect/" in link
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy the link").click()
    page.get_by_text("Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link
    screenshot(page, "30-collection-link")

    customer = browser.new_context(base_url=live_server)  # the customer's own browser: no session
    form = customer.new_page()
    form.goto(link)
    assert "Two lines on the month-end close" in form.content()
    form.get_by_label("Your testimonial").fill(QUOTE)
    form.get_by_label("5 stars").check()
    form.get_by_label("Your name").fill("Kim Novak")
    form.get_by_label("Your job title").fill("Head of Finance")
    form.locator('input[name="consent_scope"][value="public_named"]').check()
    form.get_by_role("button", name="Send").click()
    form.locator(".field.has-error", has_text="Tick the box").wait_for()  # the consent is never assumed
    form.get_by_label("I agree to the consent statement above.").check()
    screenshot(form, "31-collect-form")
    form.get_by_role("button", name="Send").click()
    form.get_by_role("heading", name="Thank you!").wait_for()
    form.goto(link)
    assert "already been used" in form.content()
    customer.close()

    page.goto("/testimonials/?status=received")
    page.get_by_role("row", name="Quillfin Payments").get_by_role("link").first.click()
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("The testimonial is now approved.").wait_for()
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("The testimonial is now published.").wait_for()
    testimonial_url = page.url
    screenshot(page, "32-testimonial-published")

    wall, feed = wall_texts(browser, live_server)
    assert QUOTE in wall and "Kim Novak, Head of Finance, Quillfin Payments" in wall
    assert feed == [QUOTE]

    page.goto(testimonial_url)
    page.locator("summary", has_text="The customer withdrew consent").click()
    page.get_by_label("How they told us").fill("E-mail to Ivan")
    page.get_by_label("Yes: take it out of every public place now").check()
    page.get_by_role("button", name="Withdraw consent").click()
    page.get_by_text("Consent withdrawn").first.wait_for()
    assert "retired" in page.locator("h1").inner_text()

    wall, feed = wall_texts(browser, live_server)
    assert QUOTE not in wall and feed == []
