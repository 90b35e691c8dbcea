"""The multivariable check through the service (docs/statistics.md): one Firth model over the candidates of
the stored accounts, counted by covariate pattern in SQL, shown beside each candidate in the document."""

from __future__ import annotations

from ecp_tracker.services.analysis import analysis
from tests.factories.analysis import TODAY, near_copies


def test_of_two_stored_near_copies_the_model_keeps_the_driver_and_says_the_copy_vanishes(db_session):
    near_copies(db_session)
    report = analysis.run(db_session, "converted", stratify_by="acquisition_channel", today=TODAY)
    document = report.to_json()
    screened = {r["trait"]: r for r in document["results"]}
    driver, copy = screened["trait:driver"], screened["trait:copy"]
    # screening alone finds both
    assert driver["recommendation"] in {"graduate", "promising"}
    assert copy["recommendation"] in {"graduate", "promising"}
    model = document["model"]
    assert model["method"] == "firth_logistic" and model["fitted"] and model["note"] is None
    assert model["adjusted_for"] == "acquisition_channel"
    assert {(t["trait"], t["value"]) for t in model["terms"]} >= {
        ("trait:driver", "yes"),
        ("trait:copy", "yes"),
    }
    assert model["accounts"] == 240  # every account has both traits recorded
    assert driver["model"]["status"] == "holds" and driver["model"]["odds_ratio_ci"][0] > 1
    assert copy["model"]["status"] == "vanishes"
    low, high = copy["model"]["odds_ratio_ci"]
    assert low < 1 < high
    for result in document["results"]:
        if result["recommendation"] not in {"graduate", "exclude", "promising"}:
            assert result["model"] is None


def test_without_candidates_there_is_no_model(db_session):
    from tests.factories.analysis import add

    for i in range(12):
        add(
            db_session,
            f"Acc {i}",
            stage="customer" if i % 2 else "lost",
            industry=("SaaS", "Retail")[i % 3 == 0],
        )
    db_session.commit()
    document = analysis.run(db_session, "converted", today=TODAY).to_json()
    assert document["model"] is None
    assert all(r["model"] is None for r in document["results"])


def test_a_number_band_candidate_is_not_in_the_model_and_the_others_are(db_session):
    from ecp_tracker.services.accounts import traits
    from tests.conftest import TEST_ACTOR
    from tests.factories.analysis import add

    traits.create_definition(db_session, TEST_ACTOR, key="team", label="Data team size", kind="number")
    for i in range(90):
        big = i % 3 == 0  # the top tertile of team sizes converts, and so does the archetype it comes with
        add(
            db_session,
            f"Acc {i}",
            stage="customer" if big or i % 7 == 0 else "lost",
            archetypes=["Game changer" if big else "Tech enthusiast"],
            **{"trait:team": str(10 + i % 3 if big else i % 3)},
        )
    db_session.commit()
    document = analysis.run(db_session, "converted", today=TODAY).to_json()
    by_value = {(r["trait"], r["value"]): r for r in document["results"]}
    bands = [r for (trait, _), r in by_value.items() if trait == "trait:team" and r["model"] is not None]
    assert bands and all(r["model"]["status"] == "not_in_model" for r in bands)
    assert by_value[("archetype", "Game changer")]["model"]["status"] == "holds"  # separation: still finite
    assert document["model"]["fitted"]
