"""UC Berkeley graduate admissions, fall 1973, six largest departments: Simpson's paradox.

Data: Bickel PJ, Hammel EA, O'Connell JW (1975), Sex bias in graduate admissions: data from Berkeley,
Science 187:398-404; R's ``datasets::UCBAdmissions`` (the same counts are in Penn State STAT 504, lesson 3).
Published numbers: crude sample odds ratio 1.84 (R's ?UCBAdmissions prints 1.83 for the sample odds ratio
1198*1278 / (1493*557) = 1.8410, truncated); ``mantelhaen.test(UCBAdmissions, correct = FALSE)``: common
odds ratio 0.9046968, 95% CI 0.7719074-1.0603298, X-squared 1.5246, p = 0.2169; Breslow-Day homogeneity
chi-square 18.83 on 5 df, p = 0.0021 (SAS PROC FREQ CMH output for these data, STAT 504 lesson 3).
Issue 7 names these numbers too.
"""

from __future__ import annotations

import json

import pytest

from ecp_tracker.analysis.binary import analyze_binary
from ecp_tracker.analysis.counts import tabulate
from ecp_tracker.analysis.settings import AnalysisSettings

# department: (men admitted, men rejected, women admitted, women rejected)
UCB_ADMISSIONS = {
    "A": (512, 313, 89, 19),
    "B": (353, 207, 17, 8),
    "C": (120, 205, 202, 391),
    "D": (138, 279, 131, 244),
    "E": (53, 138, 94, 299),
    "F": (22, 351, 24, 317),
}
TRAIT = "trait:applicant_group"


def applicants(with_department: bool) -> list[tuple[bool, str | None, dict[str, set[str]]]]:
    """One row per applicant, as the services layer would pass accounts: admitted = converted."""
    rows = []
    for department, (men_in, men_out, women_in, women_out) in UCB_ADMISSIONS.items():
        stratum = department if with_department else None
        for group, admitted, rejected in (("male", men_in, men_out), ("female", women_in, women_out)):
            rows += [(True, stratum, {TRAIT: {group}})] * admitted
            rows += [(False, stratum, {TRAIT: {group}})] * rejected
    return rows


def analyse(with_department: bool):
    rows = applicants(with_department)
    counts = tabulate(rows, [TRAIT])
    return analyze_binary(
        "converted",
        counts,
        population=len(rows),
        positives=sum(1 for outcome, _, _ in rows if outcome),
        stratified_by="acquisition_channel" if with_department else None,
        settings=AnalysisSettings(),
        labels={"acquisition_channel": "department", TRAIT: "applicant group"},
    )


def result_for(analysis, value):
    return next(r for r in analysis.results if r.value == value)


def test_adjusting_for_department_reverses_the_crude_effect():
    analysis = analyse(with_department=True)
    assert (analysis.population, analysis.positives) == (4526, 1755)
    male = result_for(analysis, "male")
    assert (male.n_with, male.n_without) == (2691, 1835)
    assert round(male.rate_with, 3) == 0.445 and round(male.rate_without, 3) == 0.304
    assert round(male.odds_ratio, 2) == 1.84  # conditional MLE; the sample odds ratio is 1.8410 too
    assert male.p_value < 1e-15
    assert male.adjusted_odds_ratio == pytest.approx(0.9046968, rel=1e-6)
    assert male.adjusted_odds_ratio_ci[0] == pytest.approx(0.7719074, rel=1e-6)
    assert male.adjusted_odds_ratio_ci[1] == pytest.approx(1.0603298, rel=1e-6)
    assert male.adjusted_p_value == pytest.approx(0.2169, abs=5e-5)
    assert male.heterogeneity_p_value == pytest.approx(0.0021, abs=5e-5)
    assert male.recommendation == "confounded"
    assert male.flags == ("effect_differs_by_stratum",)
    # issue 16: the adjusted OR 0.905 (p 0.22) is not clearly below 1, so no reversal flag; the crude
    # figure clearly changes once department is taken into account (confounding: changes)
    assert male.confounding == "changes"
    assert male.more_accounts_needed is None
    assert "that comes with department" in male.explanation
    assert "45% vs 30%" in male.explanation


def test_the_json_reports_what_issue_7_names():
    document = json.loads(json.dumps(analyse(with_department=True).to_json(), allow_nan=False))
    assert document["stratified_by"] == "acquisition_channel"
    male = next(r for r in document["results"] if r["value"] == "male")
    assert round(male["odds_ratio"], 2) == 1.84
    assert round(male["adjusted_odds_ratio"], 3) == 0.905
    assert [round(v, 3) for v in male["adjusted_odds_ratio_ci"]] == [0.772, 1.060]
    assert round(male["adjusted_p_value"], 3) == 0.217
    assert round(male["heterogeneity_p_value"], 3) == 0.002
    assert male["recommendation"] == "confounded"
    assert "simpson_reversal" not in male["flags"]
    # issue 16: the adjusted OR 0.905 (p 0.22) is not clearly below 1, so no reversal flag; the crude
    # figure clearly changes once department is taken into account (confounding: changes)
    assert male["confounding"] == "changes"


def test_per_department_tables_are_kept_for_the_detail_page():
    male = result_for(analyse(with_department=True), "male")
    assert [s.label for s in male.strata] == list("ABCDEF")
    department_a = male.strata[0]
    assert (department_a.counts.with_pos, department_a.counts.with_n) == (512, 825)
    assert (department_a.counts.without_pos, department_a.counts.without_n) == (89, 108)
    # Department A alone: odds ratio 0.3492 for men (SAS, STAT 504: 2.8636 for rejection, 1 / 2.8636 = 0.3492)
    assert department_a.odds_ratio == pytest.approx(1 / 2.8636, rel=1e-4)
    assert all(s.informative for s in male.strata)


def test_without_adjustment_the_crude_effect_looks_like_a_finding():
    male = result_for(analyse(with_department=False), "male")
    assert male.adjusted_odds_ratio is None and male.adjusted_p_value is None
    assert male.heterogeneity_p_value is None
    assert male.flags == ()
    # 14 points, just under the declared +15: a real difference that may be too small to matter
    assert male.difference == pytest.approx(1198 / 2691 - 557 / 1835)
    assert male.recommendation == "promising"
