"""The themes page's numbers against the hand-counted workspace in interview_fixtures.py: accounts and
findings per theme and finding kind, by outcome, archetype and DMU role, the interviewed accounts per group,
the filters, the first spelling, and a fixed number of SQL statements at 10 and 100 interviews."""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from ecp_tracker.domain.errors import ValidationError
from ecp_tracker.domain.interviews import Outcome
from ecp_tracker.models import Archetype, InterviewFinding
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.interviews.themes import Tally, ThemeFilters, ThemeReport, theme_report
from tests.factories.interviews import add_interviews, build_workspace
from tests.helpers import HARNESS, counting

C, N, OPEN = Outcome.CONVERTED, Outcome.NOT_CONVERTED, Outcome.OPEN


def row(report: ThemeReport, kind: str, theme: str):
    (found,) = [r for r in report.rows if r.kind.value == kind and r.theme == theme]
    return found


def archetype_id(db_session, name: str) -> int:
    return db_session.query(Archetype.id).filter(Archetype.name == name).scalar()


def test_rows_are_themes_per_kind_widest_first(db_session):
    build_workspace(db_session)
    report = theme_report(db_session)
    assert [(r.kind.value, r.theme, r.total.accounts, r.total.findings) for r in report.rows] == [
        ("pain_point", "Onboarding", 3, 4),  # Alpha (twice), Bravo, Echo; not Delta's archived finding
        ("pain_point", "Data quality", 3, 3),  # fewer converted accounts than Onboarding: second
        ("objection", "Price", 2, 3),  # Charlie said it twice in one interview: one account
        ("desired_impact", "Faster reports", 1, 1),  # finding kinds in their order on a tie
        ("decision_trigger", "New CFO", 1, 1),
    ]
    assert "Security" not in {r.theme for r in report.rows}  # its interview is archived
    assert report.finding_count == 12


def test_counts_by_outcome(db_session):
    build_workspace(db_session)
    report = theme_report(db_session)
    onboarding = row(report, "pain_point", "Onboarding")
    assert onboarding.by_outcome == {C: Tally(2, 3), N: Tally(0, 0), OPEN: Tally(1, 1)}
    assert onboarding.interviews == 4
    assert row(report, "pain_point", "Data quality").by_outcome == {
        C: Tally(1, 1),
        N: Tally(2, 2),
        OPEN: Tally(0, 0),
    }
    assert row(report, "objection", "Price").by_outcome == {C: Tally(1, 1), N: Tally(1, 2), OPEN: Tally(0, 0)}
    # the denominators: accounts interviewed (Foxtrot is archived, i7 is archived but Alpha has others)
    assert report.population.by_outcome == {C: 2, N: 2, OPEN: 1}
    share = report.share(onboarding, C)
    assert (share.accounts, share.interviewed, share.value) == (2, 2, 1.0)
    assert report.difference(onboarding) == 1.0
    assert report.difference(row(report, "pain_point", "Data quality")) == pytest.approx(0.5 - 1.0)


def test_counts_by_archetype(db_session):
    build_workspace(db_session)
    report = theme_report(db_session)
    game, tech, underdog = (
        archetype_id(db_session, n) for n in ("Game changer", "Tech enthusiast", "Underdog supporter")
    )
    onboarding = row(report, "pain_point", "Onboarding")
    assert onboarding.archetype_total(game) == Tally(2, 3)  # Alpha and Bravo, converted both
    assert onboarding.archetype_outcome(game, C) == Tally(2, 3)
    assert onboarding.archetype_total(tech) == Tally(1, 1)  # Bravo has two archetypes: counted under both
    assert onboarding.archetype_total(None) == Tally(1, 1)  # Echo has none
    assert onboarding.archetype_total(underdog) == Tally(0, 0)
    quality = row(report, "pain_point", "Data quality")
    assert (
        quality.archetype_total(game),
        quality.archetype_total(tech),
        quality.archetype_total(underdog),
    ) == (
        Tally(1, 1),
        Tally(1, 1),
        Tally(1, 1),
    )
    assert quality.archetype_outcome(tech, N) == Tally(1, 1)  # Delta, lost
    population = report.population
    assert population.by_archetype[game] == {C: 2, N: 0, OPEN: 0}
    assert population.by_archetype[tech] == {C: 1, N: 1, OPEN: 0}
    assert population.by_archetype[underdog] == {C: 0, N: 1, OPEN: 0}
    assert population.by_archetype[None] == {C: 0, N: 0, OPEN: 1}
    # columns: archetypes with interviewed accounts, by name, "No archetype" last
    assert [name for _, name in report.archetypes] == [
        "Game changer",
        "Tech enthusiast",
        "Underdog supporter",
        "No archetype",
    ]


def test_counts_by_dmu_role(db_session):
    build_workspace(db_session)
    report = theme_report(db_session)
    assert row(report, "pain_point", "Onboarding").by_role == {
        "champion": Tally(1, 1),  # Ann at Alpha
        "economic_buyer": Tally(1, 1),  # Ben at Alpha
        "end_user": Tally(1, 1),
        "veto_holder": Tally(1, 1),
    }
    assert row(report, "pain_point", "Data quality").by_role == {"champion": Tally(2, 2), None: Tally(1, 1)}
    assert row(report, "objection", "Price").by_role == {
        "economic_buyer": Tally(1, 1),
        "champion": Tally(1, 2),
    }
    assert report.population.by_role == {
        "champion": 2,
        "economic_buyer": 1,
        "end_user": 1,
        "veto_holder": 1,
        None: 1,
    }
    assert [label for _, label in report.roles] == [
        "Champion",
        "Economic buyer",
        "End user",
        "Veto holder",
        "No contact recorded",
    ]


def test_filters_by_finding_kind_and_interview_kind(db_session):
    build_workspace(db_session)
    pains = theme_report(db_session, ThemeFilters(finding_kind=("pain_point",)))
    assert [r.theme for r in pains.rows] == ["Onboarding", "Data quality"]
    assert pains.population.by_outcome == {C: 2, N: 2, OPEN: 1}  # interviewed accounts do not depend on it
    win_loss = theme_report(db_session, ThemeFilters(interview_kind=("win_loss",)))
    assert [(r.theme, r.total) for r in win_loss.rows] == [
        ("Price", Tally(2, 3)),
        ("Onboarding", Tally(1, 1)),  # Alpha, converted: before Data quality (Charlie, lost)
        ("Data quality", Tally(1, 1)),
    ]
    assert win_loss.population.by_outcome == {C: 1, N: 1, OPEN: 0}  # Alpha (i2) and Charlie (i4)
    both = theme_report(db_session, ThemeFilters(finding_kind=("objection",), interview_kind=("discovery",)))
    assert both.rows == []


def test_bad_filters_name_the_field():
    with pytest.raises(ValidationError) as caught:
        ThemeFilters.from_query({"finding_kind": ["gripe"], "interview_kind": ["chat"]})
    assert set(caught.value.errors) == {"finding_kind", "interview_kind"}
    filters = ThemeFilters(finding_kind=("pain_point",), interview_kind=("survey", "support"))
    assert ThemeFilters.from_query(filters.to_query()) == filters


def test_a_theme_is_shown_in_its_first_spelling_and_counted_across_spellings(db_session):
    space = build_workspace(db_session)
    # a spelling the services would not store (written around them): still the same theme
    now = utcnow()
    db_session.execute(
        insert(InterviewFinding.__table__),
        [
            {
                "interview_id": space.interviews["i4"].id,
                "kind": "pain_point",
                "theme": "onboarding",
                "text": "",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        ],
    )
    db_session.commit()
    onboarding = row(theme_report(db_session), "pain_point", "Onboarding")
    assert onboarding.total == Tally(4, 5)  # Charlie joins
    assert onboarding.by_outcome[N] == Tally(1, 1)


def test_an_empty_workspace(db_session):
    report = theme_report(db_session)
    assert report.rows == [] and report.population.total == 0 and report.archetypes == []


def count_statements(app, read) -> tuple[int, object]:
    session = app.extensions["ecp_db"].session_factory()
    try:
        with counting(app) as statements:
            result = read(session)
        return len([s for s in statements if not s.lstrip().upper().startswith(HARNESS)]), result
    finally:
        session.close()


def test_the_same_statements_for_10_and_100_interviews(app, db_session):
    def read(session):
        report = theme_report(session, ThemeFilters(interview_kind=("discovery", "win_loss", "survey")))
        return [(r.theme, r.total.accounts, r.total.findings) for r in report.rows]

    add_interviews(db_session, 10, "small")
    small, small_rows = count_statements(app, read)
    add_interviews(db_session, 90, "large")
    large, large_rows = count_statements(app, read)
    assert small == large == 8
    assert sum(f for _, _, f in small_rows) == 20 and sum(f for _, _, f in large_rows) == 200
