"""In a real browser: import accounts whose conversions make two traits graduate, put both into a draft ICP
from the analysis page, see the preview matrix, activate, see accounts re-tiered with reasons that add up,
then activate a re-weighted version and roll back to the first."""

from __future__ import annotations

import csv
import re

from tests.e2e.conftest import screenshot
from tests.e2e.steps import add_from_analysis, ensure_editor, score_on_page, sign_in

INDUSTRY, OTHER_INDUSTRY = "Quantum fintech", "Quantum retail"
REGION, OTHER_REGION = "Nordics", "Andes"
# (industry, region) -> (accounts, converted): each trait lifts conversion by 40 points
CELLS = {
    (INDUSTRY, REGION): (20, 18),
    (INDUSTRY, OTHER_REGION): (20, 12),
    (OTHER_INDUSTRY, REGION): (20, 12),
    (OTHER_INDUSTRY, OTHER_REGION): (20, 2),
}


def accounts_csv(tmp_path) -> str:
    lines = ["name,industry,region,acquisition_channel,stage,converted_on"]
    for (industry, region), (total, converted) in CELLS.items():
        for i in range(total):
            won = i < converted
            name = f"{industry} {region} {i:02d}"
            outcome = "customer,2026-05-01" if won else "lost,"
            lines.append(f"{name},{industry},{region},Partner,{outcome}")
    path = tmp_path / "icp-accounts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_icp_from_analysis_preview_activate_and_roll_back(page, tmp_path):
    ensure_editor(page)
    sign_in(page, "ivan@startup.example")
    page.goto("/accounts/import/")
    page.set_input_files("input[type=file]", accounts_csv(tmp_path))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name=re.compile(r"Import 80 rows")).click()
    page.get_by_role("heading", name="Imported").wait_for(timeout=30_000)

    number = add_from_analysis(page, INDUSTRY, 40)
    assert add_from_analysis(page, REGION, 30) == number  # the same draft
    screenshot(page, "40-analysis-added-to-draft")

    page.goto(f"/icp/{number}")
    criteria = page.locator("section", has=page.get_by_role("heading", name="Criteria")).inner_text()
    assert INDUSTRY in criteria and REGION in criteria and "graduate" in criteria  # the evidence it rests on
    page.get_by_role("link", name="Preview and activate").click()
    matrix = page.locator("table.icp-matrix")
    matrix.wait_for()
    cells = {
        row.locator("th").text_content().strip(): [int(c) for c in row.locator("td").all_inner_texts()]
        for row in matrix.locator("tbody tr").all()
    }
    assert sum(cells["none"]) == sum(total for total, _ in CELLS.values())  # nobody has a tier yet
    screenshot(page, "41-icp-preview")
    page.get_by_role("button", name=f"Activate version {number}").click()
    page.get_by_text(f"Activated version {number}").wait_for()

    page.goto("/accounts/?tier=A&sort=-score")
    top = page.locator("table.data tbody tr").first
    assert f"{INDUSTRY} {REGION}" in top.inner_text()
    top.get_by_role("link").first.click()
    tier, score, points = score_on_page(page)
    assert (tier, score) == ("A", 70) and sum(points) == score
    account_url = page.url
    screenshot(page, "42-account-tier-a")

    page.goto("/icp/")
    page.get_by_label("Name").fill("Region counts less")
    page.get_by_role("button", name="Start draft").click()
    criteria_box = page.get_by_label("Criteria")
    criteria_box.fill(criteria_box.input_value().replace(f"{REGION} | 30", f"{REGION} | 10"))
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"/icp/\d+$"))
    second = re.search(r"/icp/(\d+)", page.url).group(1)
    page.get_by_role("link", name="Preview and activate").click()
    page.get_by_role("button", name=f"Activate version {second}").click()
    page.goto(account_url)
    assert score_on_page(page)[:2] == ("B", 50)

    page.goto(f"/icp/{number}")
    page.get_by_role("button", name="Roll back to this version").click()
    page.get_by_text(f"Rolled back to version {number}").wait_for()
    page.goto(account_url)
    tier, score, points = score_on_page(page)
    assert (tier, score) == ("A", 70) and sum(points) == score

    prospects = tmp_path / "prospects.csv"
    prospects.write_text(
        f"name,industry,region\nFresh lead,{INDUSTRY},{REGION}\nCold lead,{OTHER_INDUSTRY},{OTHER_REGION}\n",
        encoding="utf-8",
    )
    page.goto("/icp/prospects")
    page.get_by_label("Prospect list (CSV)").set_input_files(str(prospects))
    page.get_by_role("button", name="Score the list").click()
    page.get_by_text("Scored 2 rows").wait_for(timeout=30_000)  # the job page refreshes itself until done
    screenshot(page, "43-prospects-scored")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the scored list").click()
    with open(download_info.value.path(), encoding="utf-8", newline="") as handle:
        rows = {row[0]: row for row in csv.reader(handle)}
    assert rows["Fresh lead"][-4:-2] == ["70", "A"] and rows["Cold lead"][-3] != "A"
