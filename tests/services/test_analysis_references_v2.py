"""Issue 16: published stratified references imported as accounts and analysed through `flask analyze --json`.

Each table becomes accounts: the stratum is the acquisition channel, the compared groups a custom category
trait, a positive outcome stage `customer` and a negative one `lost`. The reference numbers are the published
ones, written here with their source.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from scipy.stats import chi2


def write_csv(path: Path, rows: list[tuple[str, str, int, int]], trait: str) -> Path:
    """rows: (stratum, group, positives, negatives)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "acquisition_channel", "stage", "converted_on", f"trait:{trait}"])
        number = 0
        for stratum, group, positives, negatives in rows:
            for stage, count in (("customer", positives), ("lost", negatives)):
                for _ in range(count):
                    number += 1
                    writer.writerow(
                        [
                            f"Case {number:05d}",
                            stratum,
                            stage,
                            "2020-01-01" if stage == "customer" else "",
                            group,
                        ]
                    )
    return path


def analyse(app, tmp_path, rows, trait) -> dict:
    runner = app.test_cli_runner()
    imported = runner.invoke(args=["import", "accounts", str(write_csv(tmp_path / "t.csv", rows, trait))])
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(
        args=["analyze", "--outcome", "converted", "--stratify-by", "acquisition_channel", "--json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def one(document: dict, trait: str, value: str) -> dict:
    (found,) = [r for r in document["results"] if r["trait"] == f"trait:{trait}" and r["value"] == value]
    return found


# R documentation, ?mantelhaen.test, "Agresti (1990), pages 231--237, Penicillin and Rabbits": cured or died
# by penicillin level, injected at once or 1.5 hours late. R prints common odds ratio 7, 95% CI 1.026713 to
# 47.725133 (Robins-Breslow-Greenland), whatever the continuity correction.
RABBITS = [
    ("Level 1/8", "immediate", 0, 6), ("Level 1/8", "delayed", 0, 5),
    ("Level 1/4", "immediate", 3, 3), ("Level 1/4", "delayed", 0, 6),
    ("Level 1/2", "immediate", 6, 0), ("Level 1/2", "delayed", 2, 4),
    ("Level 1", "immediate", 5, 1), ("Level 1", "delayed", 6, 0),
    ("Level 4", "immediate", 2, 0), ("Level 4", "delayed", 5, 0),
]  # fmt: skip


def test_penicillin_and_rabbits_mantel_haenszel(app, tmp_path):
    document = analyse(app, tmp_path, RABBITS, "injection")
    immediate = one(document, "injection", "immediate")
    assert immediate["adjusted_odds_ratio"] == pytest.approx(7.0, abs=5e-7)
    assert immediate["adjusted_odds_ratio_ci"] == pytest.approx([1.026713, 47.725133], abs=5e-7)
    delayed = one(document, "injection", "delayed")  # the mirror: one test, the same q
    assert delayed["adjusted_odds_ratio"] == pytest.approx(1 / 7.0)
    assert delayed["adjusted_q_value"] == immediate["adjusted_q_value"]
    assert immediate["adjusted_p_value"] == pytest.approx(immediate["adjusted_q_value"])  # m = 1, not 2


# Agresti (2002), Categorical Data Analysis, 2nd ed., Table 2.6 (Radelet and Pierce 1991): death penalty
# verdicts in Florida by defendant's and victim's race. Published percentages: overall 11.0% of white and 7.9%
# of black defendants received the death penalty; with white victims 11.3% vs 22.9%, with black victims
# 0.0% vs 2.8%; marginal odds ratio 1.45, conditional (white victims) 0.43: Simpson's paradox.
FLORIDA = [
    ("White victim", "white", 53, 414), ("White victim", "black", 11, 37),
    ("Black victim", "white", 0, 16), ("Black victim", "black", 4, 139),
]  # fmt: skip


def test_florida_death_penalty_reverses_within_victims_race(app, tmp_path):
    document = analyse(app, tmp_path, FLORIDA, "defendant")
    white = one(document, "defendant", "white")
    assert round(white["rate_with"] * 100, 1) == 11.0 and round(white["rate_without"] * 100, 1) == 7.9
    assert white["difference"] > 0  # crude: white defendants more often
    assert white["adjusted_odds_ratio"] < 1 and white["adjusted_difference"] < 0  # within victims: less often
    assert white["adjusted_difference_ci"][1] < 0
    assert white["recommendation"] != "graduate"
    assert "zero_cell" in white["flags"]
    detail_rates = {(s, g): p / (p + n) for s, g, p, n in FLORIDA}
    assert round(detail_rates[("White victim", "black")] * 100, 1) == 22.9


# Agresti (2002), section 6.3: smoking and lung cancer in eight Chinese cities (Liu 1992). Published:
# Mantel-Haenszel odds ratio 2.17 (95% CI 1.98 to 2.38), CMH statistic 280.1 (df 1), Breslow-Day 5.2 (df 7,
# P = 0.64). The CMH tail at 280.1 is about 7e-63: 1 - cdf would print 0.
CHINA = [
    ("Beijing", 126, 100, 35, 61), ("Shanghai", 908, 688, 497, 807), ("Shenyang", 913, 747, 336, 598),
    ("Nanjing", 235, 172, 58, 121), ("Harbin", 402, 308, 121, 215), ("Zhengzhou", 182, 156, 72, 98),
    ("Taiyuan", 60, 99, 11, 43), ("Nanchang", 104, 89, 21, 36),
]  # fmt: skip


def test_china_smoking_and_lung_cancer_never_prints_p_zero(app, tmp_path):
    rows = []
    for city, smoker_cases, smoker_controls, other_cases, other_controls in CHINA:
        rows.append((city, "smoker", smoker_cases, smoker_controls))
        rows.append((city, "non-smoker", other_cases, other_controls))
    document = analyse(app, tmp_path, rows, "smoking")
    smoker = one(document, "smoking", "smoker")
    assert round(smoker["adjusted_odds_ratio"], 2) == 2.17
    assert [round(v, 2) for v in smoker["adjusted_odds_ratio_ci"]] == [1.98, 2.38]
    assert smoker["adjusted_p_value"] > 0 and smoker["adjusted_q_value"] > 0
    assert smoker["adjusted_p_value"] == pytest.approx(chi2.sf(280.1, 1), rel=0.05)
    assert round(smoker["heterogeneity_p_value"], 2) == 0.64
    assert all(r["p_value"] is None or r["p_value"] > 0 for r in document["results"])
