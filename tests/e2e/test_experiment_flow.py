"""In a real browser, on the demo workspace: an editor creates an experiment aimed at ICP tier C, reads the
sample-size line, starts it (the arms drawn with the seed typed in), and reads the results per arm, the
verdict and the arms on an account's page; the demo's finished experiment reads as worked."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.e2e.conftest import page_on, screenshot
from tests.e2e.test_first_run import sign_in


@pytest.fixture
def page(browser, demo_server):
    yield from page_on(browser, demo_server)


def test_create_start_and_read_an_experiment(page):
    sign_in(page, "editor@northwind.example", "demo-editor-pass")
    page.goto("/experiments/")
    page.get_by_role("link", name="Demo calls for tier B").click()
    page.get_by_role("heading", name="Results: Worked").wait_for()

    page.goto("/experiments/")
    page.get_by_role("link", name="New experiment").click()
    page.get_by_label("Name").fill("Webinar invite for tier C")
    page.get_by_label("Hypothesis").fill("A webinar invite makes tier C accounts start a pilot.")
    page.get_by_label("Target").select_option(label="ICP tier C")
    page.get_by_label("Metric", exact=True).select_option(label="Pilot started")
    page.get_by_label("Minimum lift worth acting on").fill("0.1")
    page.get_by_label("Holdout share").fill("0.25")
    page.get_by_label("Expected rate without the campaign").fill("0.05")
    page.get_by_label("Stratify the draw by").select_option(label="Acquisition channel")
    page.get_by_label("Planned end").fill((date.today() + timedelta(days=40)).isoformat())  # noqa: DTZ011
    page.get_by_label("Seed").fill("31337")
    page.get_by_role("button", name="Save the draft").click()

    page.get_by_text("Saved the draft Webinar invite for tier C").wait_for()
    line = page.locator("#sample-size").inner_text()
    assert re.search(r"With \d+ accounts and a 25% holdout, a lift of [\d.]+ points", line), line
    page.get_by_role("button", name="Start the experiment").click()
    page.get_by_text(re.compile(r"Started: \d+ accounts drawn with seed 31337")).wait_for()
    results = page.locator("#results").inner_text()
    assert "Results: Too early" in results and "The planned end has not come yet" in results
    assert "Campaign" in results and "Holdout" in results
    assert "Stratified by\nAcquisition channel" in page.locator("#terms").inner_text()
    screenshot(page, "experiment-running")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the arms (CSV)").click()
    rows = download.value.path().read_text(encoding="utf-8").splitlines()
    assert rows[0] == "experiment_id,account_id,account,arm,stratum,outcome"
    account_id = rows[1].split(",")[1]
    page.goto(f"/accounts/{account_id}")
    assert "Webinar invite for tier C" in page.locator("#experiments").inner_text()
