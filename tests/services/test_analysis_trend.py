"""Issue 16: a number trait gets a trend test beside its bands, through the real import, `flask analyze
--json`, the API and the analysis page. The test itself is checked against Agresti's published table in
tests/analysis/test_trend.py; here the question is whether the accounts' numbers reach it intact."""

from __future__ import annotations

import csv
import json

from ecp_tracker.analysis.trend import trend_test
from ecp_tracker.domain.roles import Role
from ecp_tracker.services.accounts import traits
from tests.conftest import TEST_ACTOR

# seats bought -> (accounts, converted): conversion rises with the number of seats
SEATS = {1: (12, 2), 2: (12, 4), 3: (12, 5), 5: (12, 8), 8: (12, 10), 13: (12, 11)}


def write_csv(path):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "stage", "converted_on", "trait:seats"])
        for seats, (accounts, converted) in SEATS.items():
            for i in range(accounts):
                won = i < converted
                writer.writerow(
                    [
                        f"Seats {seats} co {i:02d}",
                        "customer" if won else "lost",
                        "2026-01-05" if won else "",
                        seats,
                    ]
                )
    return path


def test_a_number_trait_has_its_trend_beside_its_bands(app, tmp_path, client_as, db_session):
    traits.create_definition(db_session, TEST_ACTOR, key="seats", label="Seats bought", kind="number")
    db_session.commit()
    runner = app.test_cli_runner()
    imported = runner.invoke(args=["import", "accounts", str(write_csv(tmp_path / "seats.csv"))])
    assert imported.exit_code == 0, imported.output
    document = json.loads(runner.invoke(args=["analyze", "--outcome", "converted", "--json"]).output)
    (trend,) = [t for t in document["trends"] if t["trait"] == "trait:seats"]
    expected = trend_test("trait:seats", SEATS)
    assert trend["accounts"] == 72 and trend["distinct_values"] == 6
    assert trend["z"] == expected.z and trend["p_value"] == expected.p_value
    assert trend["direction"] == "rises" and trend["p_value"] < 0.001
    assert any(r["trait"] == "trait:seats" for r in document["results"])  # the bands are still tested
    text = runner.invoke(args=["analyze", "--outcome", "converted"]).output
    assert "Trend of trait:seats: the rate rises with the number (z " in text
    viewer = client_as(Role.VIEWER)
    page = viewer.get("/analysis/?outcome=converted").get_data(as_text=True)
    assert "<strong>Seats bought</strong>, as a number: the rate <em>rises</em> with it (trend test p" in page
    download = viewer.get("/analysis/results.json?outcome=converted").get_json()
    assert download["trends"] == document["trends"]
