"""services.analysis and analysis_data: who is in each outcome's population, counts per trait value (checked
by hand on a small workspace), settings, the cache, and a fixed number of SQL statements whatever the size."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecp_tracker.analysis.counts import StratumCounts
from ecp_tracker.domain.errors import ValidationError
from ecp_tracker.models import Account, AuditEvent
from ecp_tracker.services.accounts import accounts, traits
from ecp_tracker.services.accounts.vocabulary import trait_catalogue
from ecp_tracker.services.analysis import analysis
from ecp_tracker.services.analysis.outcomes import OUTCOMES
from ecp_tracker.services.analysis.population import (
    band_of,
    binary_counts,
    number_bands,
    population,
)
from tests.conftest import TEST_ACTOR
from tests.factories.analysis import TODAY, add
from tests.helpers import counting


@pytest.fixture
def small(db_session: Session) -> Session:
    """Ten accounts whose counts are easy to check by hand."""
    traits.create_definition(db_session, TEST_ACTOR, key="stack", label="Tech stack", kind="tags")
    traits.create_definition(db_session, TEST_ACTOR, key="sf", label="Uses Salesforce", kind="boolean")
    traits.create_definition(db_session, TEST_ACTOR, key="team", label="Data team size", kind="number")
    rows = [
        # name, stage, channel, archetypes, stack, sf, team
        ("A1", "customer", "Referral", ["Game changer"], ["AWS", "dbt"], "yes", "3"),
        ("A2", "customer", "Referral", ["Game changer", "Tech enthusiast"], ["AWS"], "yes", "5"),
        ("A3", "churned", "Outbound", ["Game changer"], ["GCP"], "no", "8"),
        ("A4", "lost", "Outbound", ["Tech enthusiast"], ["AWS", "GCP"], "no", "13"),
        ("A5", "lost", "Outbound", ["Underdog supporter"], [], "yes", "21"),
        ("A6", "lost", None, ["Underdog supporter"], ["dbt"], None, None),
        ("A7", "customer", "Referral", ["Visionary founder"], ["dbt"], "no", "34"),
        ("P1", "prospect", "Referral", ["Game changer"], ["AWS"], "yes", "2"),  # not decided: not counted
        ("P2", "pilot", "Outbound", ["Game changer"], ["AWS"], "yes", "2"),  # not decided: not counted
    ]
    for name, stage, channel, archetypes, stack, sf, team in rows:
        fields = {"stage": stage, "acquisition_channel": channel, "archetypes": archetypes}
        if stack:
            fields["trait:stack"] = stack
        if sf:
            fields["trait:sf"] = sf
        if team:
            fields["trait:team"] = team
        add(db_session, name, **fields)
    add(db_session, "Gone", stage="customer", archetypes=["Game changer"], acquisition_channel="Referral")
    gone = db_session.scalar(select(Account).where(Account.name == "Gone"))
    accounts.set_archived(db_session, TEST_ACTOR, gone.id, archived=True)
    db_session.commit()
    return db_session


def counts_by_value(session: Session, outcome: str, trait_names: list[str], stratify_by: str | None = None):
    catalogue = {t.name: t for t in trait_catalogue(session)}
    stratum = catalogue[stratify_by] if stratify_by else None
    pop = population(session, OUTCOMES[outcome], stratum)
    total, positives, counts = binary_counts(session, pop, [catalogue[n] for n in trait_names])
    return total, positives, {(c.trait, c.value): dict(c.strata) for c in counts}


def test_converted_counts_only_decided_unarchived_accounts(small):
    total, positives, counts = counts_by_value(small, "converted", ["archetype"])
    assert (total, positives) == (7, 4)  # A1-A7; customers and churned A1, A2, A3, A7
    # Game changer: A1, A2 (customers), A3 (churned): 3 of 3; the rest: A4 A5 A6 lost, A7 customer: 1 of 4
    assert counts[("archetype", "Game changer")] == {"": StratumCounts(3, 3, 1, 4)}
    # Tech enthusiast: A2 (customer), A4 (lost) -> 1 of 2; the rest 3 of 5
    assert counts[("archetype", "Tech enthusiast")] == {"": StratumCounts(1, 2, 3, 5)}


def test_tags_count_each_account_once_and_unknown_accounts_are_left_out(small):
    _, _, counts = counts_by_value(small, "converted", ["trait:stack"])
    # A5 has no stack: unknown, so 6 known accounts (A1 A2 A3 A4 A6 A7) of which 4 converted
    assert counts[("trait:stack", "AWS")] == {"": StratumCounts(2, 3, 2, 3)}  # A1 A2 conv, A4 lost
    assert counts[("trait:stack", "dbt")] == {"": StratumCounts(2, 3, 2, 3)}  # A1 A7 conv, A6 lost
    assert counts[("trait:stack", "GCP")] == {"": StratumCounts(1, 2, 3, 4)}  # A3 conv, A4 lost


def test_boolean_tests_yes_against_no_and_numbers_are_banded(small):
    _, _, counts = counts_by_value(small, "converted", ["trait:sf", "trait:team"])
    assert ("trait:sf", "no") not in counts  # "no" is the rest of "yes", not a second test
    # yes: A1 A2 conv, A5 lost; no: A3 A7 conv, A4 lost; A6 unknown
    assert counts[("trait:sf", "yes")] == {"": StratumCounts(2, 3, 2, 3)}
    team = {value: c[""] for (trait, value), c in counts.items() if trait == "trait:team"}
    assert sum(c.with_n for c in team.values()) == 6  # every known account in exactly one band
    assert all(c.with_n + c.without_n == 6 for c in team.values())


def test_stratified_counts_per_channel_with_unrecorded_channel_as_its_own_stratum(small):
    _, _, counts = counts_by_value(small, "converted", ["archetype"], stratify_by="acquisition_channel")
    game_changer = counts[("archetype", "Game changer")]
    assert game_changer["Referral"] == StratumCounts(2, 2, 1, 1)  # A1 A2 vs A7
    assert game_changer["Outbound"] == StratumCounts(1, 1, 0, 2)  # A3 vs A4 A5
    assert game_changer["(not recorded)"] == StratumCounts(0, 0, 0, 1)  # A6


@pytest.mark.parametrize("text", ["N/A", "n/a", "-", "null", "None", "?", " na "])
def test_text_meaning_not_recorded_is_unknown_for_built_in_and_custom_traits(db_session, text):
    traits.create_definition(
        db_session, TEST_ACTOR, key="crm", label="CRM", kind="category",
        allowed_values=["HubSpot", "Salesforce", text.strip()],
    )  # fmt: skip
    for i in range(3):
        add(db_session, f"H{i}", stage="customer", industry="SaaS", **{"trait:crm": "HubSpot"})
        add(db_session, f"S{i}", stage="lost", industry="Retail", **{"trait:crm": "Salesforce"})
    add(db_session, "Blank", stage="lost", industry=text, acquisition_channel=text, **{"trait:crm": text})
    db_session.commit()
    _, _, counts = counts_by_value(db_session, "converted", ["industry", "trait:crm"])
    values = {(trait, value) for trait, value in counts}
    assert values == {
        ("industry", "SaaS"),
        ("industry", "Retail"),
        ("trait:crm", "HubSpot"),
        ("trait:crm", "Salesforce"),
    }  # no value of its own for the blank account ...
    assert counts[("industry", "SaaS")][""].total == 6  # ... and it is not among the known accounts either
    assert counts[("trait:crm", "HubSpot")][""].total == 6
    _, _, by_channel = counts_by_value(
        db_session, "converted", ["industry"], stratify_by="acquisition_channel"
    )
    assert set(by_channel[("industry", "SaaS")]) == {"(not recorded)"}  # a blank channel is not a channel


def test_number_bands_split_at_the_tertiles():
    from decimal import Decimal

    values = [Decimal(v) for v in (1, 2, 3, 4, 5, 6, 7, 8, 9)]
    bands = number_bands(Counter(values))
    # issue 16: nine values split evenly, 3/3/3 (they used to split 4/3/2)
    assert [label for _, label in bands] == ["≤ 3", "> 3 and ≤ 6", "> 6"]
    assert [[band_of(v, bands) for v in values].count(label) for _, label in bands] == [3, 3, 3]
    ten = [Decimal(v) for v in range(1, 11)]
    ten_bands = number_bands(Counter(ten))
    assert [[band_of(v, ten_bands) for v in ten].count(label) for _, label in ten_bands] == [4, 3, 3]
    assert [label for _, label in number_bands(Counter([Decimal(3), Decimal(3), Decimal(5)]))] == ["3", "5"]
    # weights count: 1 once, 2 eight times -> the tertiles fall on 2
    assert [
        label for _, label in number_bands({Decimal(1): 1, Decimal(2): 8, Decimal(3): 1, Decimal(4): 1})
    ] == [
        "≤ 2",
        "> 2",
    ]


def test_outcome_populations(small):
    # churned: among converted A1 A2 A3 A7, A3 churned
    assert counts_by_value(small, "churned", ["archetype"])[:2] == (4, 1)
    # gave_testimonial: accounts that piloted or bought (P2, A1 A2 A3 A7); nobody has given one yet
    assert counts_by_value(small, "gave_testimonial", ["archetype"])[:2] == (5, 0)


def test_run_reports_every_outcome_without_error(small):
    for outcome in OUTCOMES:
        report = analysis.run(small, outcome, today=TODAY)
        document = report.to_json()
        assert document["outcome"] == outcome
        assert isinstance(document["results"], list)


def test_stratifying_leaves_the_stratifying_trait_out(small):
    report = analysis.run(small, "converted", stratify_by="acquisition_channel", today=TODAY)
    assert all(r["trait"] != "acquisition_channel" for r in report.to_json()["results"])
    assert report.to_json()["stratified_by"] == "acquisition_channel"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"stratify_by": "archetype"}, "stratify_by"),  # several values per account: cannot stratify
        ({"stratify_by": "trait:stack"}, "stratify_by"),
        ({"stratify_by": "shoe_size"}, "stratify_by"),
        ({"fdr": 1.5}, "fdr"),
    ],
)
def test_bad_parameters_name_the_field(small, kwargs, field):
    with pytest.raises(ValidationError) as caught:
        analysis.run(small, "converted", **kwargs)
    assert caught.value.field == field


def test_unknown_outcome_and_continuous_stratification_are_refused(small):
    with pytest.raises(ValidationError) as caught:
        analysis.run(small, "happiness")
    assert caught.value.field == "outcome"
    with pytest.raises(ValidationError) as caught:
        analysis.run(small, "nps", stratify_by="acquisition_channel")
    assert caught.value.field == "stratify_by"


def test_settings_are_validated_stored_audited_and_used(small):
    with pytest.raises(ValidationError) as caught:
        analysis.save_settings(small, TEST_ACTOR, fdr=0.9, min_lift=0.15, min_group=5, traits=[])
    assert caught.value.field == "fdr"
    with pytest.raises(ValidationError) as caught:
        analysis.save_settings(small, TEST_ACTOR, fdr=0.1, min_lift=0.15, min_group=5, traits=["trait:nope"])
    assert caught.value.field == "traits"
    small.rollback()
    assert analysis.load_settings(small).fdr == 0.10  # nothing was stored
    events_before = small.scalar(select(func.count(AuditEvent.id)))
    analysis.save_settings(
        small, TEST_ACTOR, fdr=0.05, min_lift=0.2, min_group=3, traits=["archetype", "trait:stack"]
    )
    small.commit()
    settings = analysis.load_settings(small)
    assert (settings.fdr, settings.min_lift, settings.min_group) == (0.05, 0.2, 3)
    assert small.scalar(select(func.count(AuditEvent.id))) > events_before
    report = analysis.run(small, "converted", today=TODAY)
    assert report.to_json()["fdr"] == 0.05
    assert {r["trait"] for r in report.to_json()["results"]} <= {"archetype", "trait:stack"}


def test_cache_returns_the_same_result_until_the_data_changes(small):
    cache = analysis.AnalysisCache()
    first = analysis.run(small, "converted", cache=cache, today=TODAY)
    assert analysis.run(small, "converted", cache=cache, today=TODAY) is first
    add(small, "New customer", stage="customer", archetypes=["Game changer"])
    small.commit()
    second = analysis.run(small, "converted", cache=cache, today=TODAY)
    assert second is not first
    assert second.to_json()["population"] == first.to_json()["population"] + 1


def _add_accounts(session: Session, start: int, stop: int) -> None:
    for i in range(start, stop):
        add(
            session,
            f"Account {i}",
            stage=("customer", "lost", "churned")[i % 3],
            acquisition_channel=("Referral", "Outbound")[i % 2],
            archetypes=[("Game changer", "Tech enthusiast", "Underdog supporter")[i % 3]],
            industry=("SaaS", "Retail")[i % 2],
            employees=10 + i,
            nps=i % 11,
            **{"trait:stack": ["AWS", "dbt"][: 1 + i % 2], "trait:team": str(i % 7)},
        )
    session.commit()


@pytest.mark.parametrize(
    ("outcome", "stratify_by"),
    [("converted", "acquisition_channel"), ("converted", None), ("nps", None), ("time_to_churn", "industry")],
)
def test_statement_count_does_not_grow_with_the_accounts(app, db_session, outcome, stratify_by):
    traits.create_definition(db_session, TEST_ACTOR, key="stack", label="Tech stack", kind="tags")
    traits.create_definition(db_session, TEST_ACTOR, key="team", label="Data team size", kind="number")
    measured = []
    for start, stop in ((0, 30), (30, 100)):
        _add_accounts(db_session, start, stop)
        with counting(app) as statements:
            report = analysis.run(db_session, outcome, stratify_by=stratify_by, today=TODAY)
        assert report.to_json()["results"]
        measured.append(len(statements))
    assert measured[0] == measured[1], measured


def test_gave_testimonial_counts_accounts_with_an_approved_testimonial(small):
    from ecp_tracker.services.testimonials import testimonials

    a1 = small.scalar(select(Account).where(Account.name == "A1"))
    a3 = small.scalar(select(Account).where(Account.name == "A3"))
    approved = testimonials.create_testimonial(
        small, TEST_ACTOR, a1.id, {"body": "It saved us a week a month."}
    )
    testimonials.transition(small, TEST_ACTOR, approved.id, "approved")
    testimonials.create_testimonial(small, TEST_ACTOR, a3.id, {"body": "Not approved yet."})  # received only
    small.commit()
    assert counts_by_value(small, "gave_testimonial", ["archetype"])[:2] == (5, 1)
