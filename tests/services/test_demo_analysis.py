"""The demo workspace shows a founder what the analysis is for: a trait that graduates, one that only looks
good through its acquisition channel, and one that is promising; every recommendation explains itself."""

from __future__ import annotations

from datetime import date

import pytest

from ecp_tracker.demo import workspace as demo
from ecp_tracker.services.analysis import analysis

TODAY = date(2026, 11, 23)


@pytest.fixture
def demo_session(db_session):
    demo.load_demo(db_session, today=TODAY)
    db_session.commit()
    return db_session


def by_value(report) -> dict[tuple[str, str], dict]:
    return {(r["trait"], r["value"]): r for r in report.to_json()["results"]}


def test_demo_analysis_has_a_graduate_a_confounded_and_a_promising_trait(demo_session):
    report = analysis.run(demo_session, "converted", stratify_by="acquisition_channel", today=TODAY)
    results = by_value(report)
    assert results[("archetype", "Game changer")]["recommendation"] == "graduate"
    salesforce = results[("trait:uses_salesforce", "yes")]
    assert salesforce["recommendation"] == "confounded"
    assert salesforce["q_value"] <= 0.1 < salesforce["adjusted_q_value"]  # looked good only through channel
    assert any(r["recommendation"] == "promising" for r in results.values())
    assert report.decided >= 30  # past the "still an Early Customer Profile" stage


def test_every_demo_recommendation_explains_itself_in_one_sentence(demo_session):
    for outcome in ("converted", "churned", "referred", "nps", "time_to_churn"):
        for result in analysis.run(demo_session, outcome, today=TODAY).to_json()["results"]:
            sentence = result["explanation"]
            assert sentence.endswith(".") and sentence.count(". ") == 0, sentence
            assert "q-value" not in sentence and "p-value" not in sentence, sentence


def test_demo_shows_other_outcomes_too(demo_session):
    referred = by_value(analysis.run(demo_session, "referred", today=TODAY))
    assert referred[("archetype", "Visionary founder")]["recommendation"] == "graduate"
    churn = by_value(analysis.run(demo_session, "time_to_churn", today=TODAY))
    tech = churn[("archetype", "Tech enthusiast")]  # they bore quickly and churn sooner
    assert tech["hazard_ratio"] > 1 and tech["recommendation"] in ("exclude", "promising")
