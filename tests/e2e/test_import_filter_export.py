"""In a real browser, as a new user would: import a HubSpot export, fix the rows the report names, re-import
without duplicates, tag a game changer, filter to "Game changers in fintech acquired via referral", export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.steps import ensure_editor, sign_in

HEADER = (
    "Record ID,Company name,Company Domain Name,Industry,Number of Employees,Annual Revenue,Country/Region,"
    "State/Region,City,Lifecycle Stage,Original Source Type,Company owner,Create Date,Became a Customer Date"
)
ROWS = [
    "1,Ledgerly,ledgerly.example,Financial Services,40,2000000,Germany,Berlin,Berlin,Customer,Referrals,,"
    "2026-01-10 09:00,2026-02-01 00:00",
    "2,Coinpath,coinpath.example,Financial Services,many,,Germany,Bayern,Munich,Opportunity,Referrals,,"
    "2026-01-11 09:00,",
    "3,Freightly,freightly.example,Logistics,300,,France,,Lyon,Lead,Paid Social,,2026-01-12 09:00,",
    "4,Paywise,paywise.example,Financial Services,12,,Spain,,Madrid,Lead,Organic Search,,2026-01-13 09:00,",
]


def write_file(tmp_path, rows) -> str:
    path = tmp_path / "hubspot-companies.csv"
    path.write_text("\ufeff" + "\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return str(path)


def upload(page, path: str) -> None:
    page.goto("/accounts/import/")
    page.set_input_files("input[type=file]", path)
    page.get_by_role("button", name="Check the file").click()
    page.locator("h2", has_text="Ready to import").or_(page.locator("h2", has_text="to fix first")).wait_for(
        timeout=20_000
    )


def clipped_tables(page) -> list[str]:
    """Tables wider than the card around them (so part of them is cut off or needs a sideways scroll)."""
    return page.evaluate(
        """Array.from(document.querySelectorAll('.card table')).filter(
             t => t.scrollWidth > t.closest('.card').clientWidth).map(t => t.innerText.slice(0, 40))"""
    )


def test_import_fix_reimport_filter_export(page, tmp_path):
    ensure_editor(page)
    sign_in(page, "ivan@startup.example")

    upload(page, write_file(tmp_path, ROWS))
    report = page.content()
    assert "1 problem to fix first" in report and "Nothing was written" in report
    assert (
        page.locator("tbody tr", has_text="employees").first.inner_text().startswith("3")
    )  # spreadsheet row 3
    screenshot(page, "10-import-refused")
    # Every column is read on the page, at a desktop width and on a phone: nothing is cut off by its card.
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert clipped_tables(page) == [], width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator("td.samples").get_by_text("Ledgerly", exact=True).count() == 1
    page.set_viewport_size({"width": 1366, "height": 900})

    fixed = [row.replace(",many,", ",25,") for row in ROWS]
    upload(page, write_file(tmp_path, fixed))
    assert "All 4 rows are valid: 4 accounts would be created" in page.content()
    screenshot(page, "11-import-checked")
    page.get_by_role("button", name="Import 4 rows").click()
    page.get_by_role("heading", name="Imported").wait_for(timeout=30_000)
    assert "4</strong> accounts created" in page.content()

    upload(page, write_file(tmp_path, fixed))  # the same file again: nothing new
    assert "0 accounts would be created, 0 updated and 4 left as they are" in page.content()

    page.goto("/accounts/?q=ledgerly")
    page.get_by_role("link", name="Ledgerly").click()
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Game changer").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved Ledgerly.").wait_for()

    page.goto("/accounts/")
    page.locator("summary", has_text="Archetype").click()
    page.get_by_label("Game changer").check()
    page.locator("summary", has_text="Industry").click()
    page.get_by_label("Financial Services").check()
    page.locator("summary", has_text="Acquisition channel").click()
    page.get_by_label("Referral").check()
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(1)  # waits for the filtered page to load
    assert "Ledgerly" in rows.first.inner_text()
    screenshot(page, "12-filtered")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export these (1)").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8")
    exported = list(csv.DictReader(io.StringIO(text)))
    assert [row["name"] for row in exported] == ["Ledgerly"]
    assert exported[0]["archetypes"] == "Game changer" and exported[0]["acquisition_channel"] == "Referral"
