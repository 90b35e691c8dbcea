"""The README says what the product does on the day: the demo's numbers, no promise of what is not built."""

from __future__ import annotations

import re
from pathlib import Path

from ecp_tracker.demo.history import HISTORY_COUNT
from ecp_tracker.demo.workspace import ACCOUNT_COUNT

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_the_demo_account_count_is_the_one_flask_demo_loads():
    counts = {int(n) for n in re.findall(r"(\d+) accounts \(", README)}
    assert counts == {ACCOUNT_COUNT + HISTORY_COUNT}
    assert f"{ACCOUNT_COUNT} early customers" in README and f"{HISTORY_COUNT} decided accounts" in README


def test_the_opening_promises_nothing_that_is_not_built(app):
    """Each feature the opening names has its page in the app, and nothing is promised for later."""
    opening = README.split("## ", 1)[0]
    assert "next release" not in opening and "coming soon" not in opening.lower()
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    promised = {
        "versioned ICP": "/icp/",
        "monthly review": "/reviews/",
        "testimonials": "/testimonials/",
        "pilots": "/pilots/",
    }
    for phrase, page in promised.items():
        assert phrase in opening, phrase
        assert page in rules, (phrase, page)
