"""In a real browser, a whole monthly review: an ICP in force, the month opened (its candidates and the
feedback loop's numbers), one trait graduated and one deferred, the review finalised into a draft ICP, the
draft previewed and activated, and the accounts re-tiered by it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import page_on, screenshot
from tests.e2e.steps import add_from_analysis, ensure_editor, score_on_page, sign_in

INDUSTRY, OTHER_INDUSTRY = "Orbital fintech", "Orbital retail"
REGION, OTHER_REGION = "Lagrange", "Hill country"
# (industry, region) -> (accounts, converted): each trait lifts conversion by 40 points
CELLS = {
    (INDUSTRY, REGION): (20, 18),
    (INDUSTRY, OTHER_REGION): (20, 12),
    (OTHER_INDUSTRY, REGION): (20, 12),
    (OTHER_INDUSTRY, OTHER_REGION): (20, 2),
}


@pytest.fixture
def page(browser, fresh_server):
    yield from page_on(browser, fresh_server)


def accounts_csv(tmp_path, converted_on: str) -> str:
    lines = ["name,industry,region,acquisition_channel,stage,converted_on"]
    for (industry, region), (total, converted) in CELLS.items():
        for i in range(total):
            outcome = f"customer,{converted_on}" if i < converted else "lost,"
            lines.append(f"{industry} {region} {i:02d},{industry},{region},Partner,{outcome}")
    path = tmp_path / "review-accounts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def activate(page, number: str) -> None:
    page.goto(f"/icp/{number}")
    page.get_by_role("link", name="Preview and activate").click()
    page.get_by_role("button", name=f"Activate version {number}").click()
    page.get_by_text(f"Activated version {number}").wait_for()


def tier_of(page, name: str) -> tuple[str, int]:
    page.goto("/accounts/?q=" + name.replace(" ", "+"))
    page.get_by_role("link", name=name, exact=True).click()
    card = page.locator("#icp").inner_text()
    tier, score = re.search(r"Tier (\w+) · score (-?\d+)", card).groups()
    if int(score):
        _, total, points = score_on_page(page)
        assert sum(points) == total == int(score)  # the reasons add up to the score
    return tier, int(score)


def decide(page, label: str, decision: str, rationale: str, **fields: str) -> None:
    card = page.locator("article.criterion-row", has=page.get_by_role("heading", name=re.compile(label)))
    card.locator("summary").click()
    card.get_by_label("Decision").select_option(decision)
    for name, value in fields.items():
        card.get_by_label(name).fill(value)
    card.get_by_label("Rationale").fill(rationale)
    card.get_by_role("button", name="Record the decision").click()
    page.get_by_text(re.compile(f"Decided: {decision}")).first.wait_for()


def test_a_whole_review_from_the_open_month_to_re_tiered_accounts(page, tmp_path):
    ensure_editor(page)
    sign_in(page, "ivan@startup.example")
    today = datetime.now(UTC).date()
    page.goto("/accounts/import/")
    page.set_input_files("input[type=file]", accounts_csv(tmp_path, today.isoformat()))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name=re.compile(r"Import 80 rows")).click()
    page.get_by_role("heading", name="Imported").wait_for(timeout=30_000)

    first = add_from_analysis(page, INDUSTRY, 60)  # version 1: the industry alone, in force for the month
    activate(page, first)
    assert tier_of(page, f"{OTHER_INDUSTRY} {REGION} 00") == ("C", 0)

    page.goto("/reviews/")
    period = today.strftime("%Y-%m")  # the accounts were recorded this month
    page.get_by_label("Month").fill(period)
    page.get_by_role("button", name="Open the review").click()
    page.wait_for_url(re.compile(r"/reviews/\d+$"))
    review_url = page.url
    assert f"Review of {period}" in page.get_by_role("heading", level=1).inner_text()
    feedback = page.locator("#feedback").inner_text()
    # 80 accounts recorded this month, the 40 of the industry in tier A; 44 converted, 30 of them in A
    assert re.search(r"New accounts\s+40 of 80\s+50%", feedback), feedback
    assert re.search(r"Conversions\s+30 of 44\s+68%", feedback), feedback
    candidates = page.locator("#candidates").inner_text()
    assert f"region = {REGION}" in candidates and "not ready yet" in candidates
    assert f"industry = {INDUSTRY} graduate new in ICP version {first}: +60" in candidates  # held already
    screenshot(page, "50-review-open")

    decide(page, f"region = {REGION}", "graduate", "Lagrange converts; sales agrees.", Points="30")
    revisit = (today + timedelta(days=30)).isoformat()
    decide(
        page,
        f"region = {OTHER_REGION}",
        "defer",
        "Too early to exclude a region.",
        **{"Look again on": revisit},
    )
    candidates = page.locator("#candidates").inner_text()
    assert "against the evidence" in candidates  # graduated at the first look, before the rule says ready
    assert f"look again on {revisit}" in candidates
    page.get_by_role("button", name="Finalise the review").click()
    page.get_by_text(re.compile(r"Finalised the review")).wait_for()
    assert page.get_by_role("button", name="Record the decision").count() == 0  # read-only from now on
    in_force = page.get_by_role("link", name="One-page ICP in force")
    assert in_force.get_attribute("href") == f"/icp/{first}/one-page"
    assert page.get_by_role("link", name="One-page ICP of the draft").count() == 1
    screenshot(page, "51-review-finalised")

    page.locator("#outcome").get_by_role("link", name=re.compile(r"ICP version \d+")).click()
    second = re.search(r"/icp/(\d+)", page.url).group(1)
    criteria = page.locator("section", has=page.get_by_role("heading", name="Criteria")).inner_text()
    assert INDUSTRY in criteria and REGION in criteria and "+30" in criteria
    page.get_by_role("link", name="Preview and activate").click()
    matrix = page.locator("table.icp-matrix")
    matrix.wait_for()
    assert "40" in matrix.inner_text()  # the 40 Lagrange accounts move up a tier
    screenshot(page, "52-review-draft-preview")
    page.get_by_role("button", name=f"Activate version {second}").click()
    page.get_by_text(f"Activated version {second}").wait_for()

    assert tier_of(page, f"{OTHER_INDUSTRY} {REGION} 00") == ("B", 30)
    assert tier_of(page, f"{INDUSTRY} {REGION} 00") == ("A", 90)
    assert tier_of(page, f"{OTHER_INDUSTRY} {OTHER_REGION} 00") == ("C", 0)

    page.goto(review_url)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as Markdown").click()
    markdown = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert markdown.startswith(f"# ECP to ICP review, {period}") and "- Status: finalised" in markdown
    assert f"**region = {REGION}: graduate**" in markdown
    assert f"**region = {OTHER_REGION}: defer**, revisit on {revisit}" in markdown
