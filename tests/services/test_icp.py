"""ICP versions: validation naming the field, draft -> active -> retired with rollback, diffs, and scores
that add up and follow every way an account is written (form/API service, bulk import, archetypes, traits)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ecp_tracker.domain.errors import InvalidFields, StaleEdit, ValidationError
from ecp_tracker.models import Account, AuditEvent, IcpVersion
from ecp_tracker.services.accounts import accounts, archetypes, traits
from ecp_tracker.services.accounts.importing.importer import import_accounts
from ecp_tracker.services.accounts.listing import AccountFilters, list_accounts
from ecp_tracker.services.icp import preview, scoring, versions
from tests.conftest import TEST_ACTOR

TODAY = date(2026, 11, 1)

BODY = {
    "name": "First ICP",
    "narrative": "Game changers in fintech.",
    "criteria": [
        {"trait": "archetype", "value": "game changer", "points": 40},
        {"trait": "industry", "value": "Fintech", "points": 25},
        {"trait": "trait:seats", "min": 10, "max": 100, "points": 10},
        {"trait": "industry", "value": "Gambling", "exclude": True},
    ],
    "tiers": [{"name": "A", "min_score": 60}, {"name": "B", "min_score": 30}, {"name": "C", "min_score": 0}],
}


@pytest.fixture
def seats(db_session: Session) -> None:
    traits.create_definition(db_session, TEST_ACTOR, label="Seats", kind="number")
    traits.create_definition(
        db_session, TEST_ACTOR, label="Funding", kind="category", allowed_values=["Seed", "Series A"]
    )
    db_session.commit()


def make(session: Session, **raw: object) -> Account:
    account = accounts.create_account(session, TEST_ACTOR, raw, today=TODAY)
    session.commit()
    return account


def active(session: Session, body: dict | None = None) -> IcpVersion:
    version = versions.create_draft(session, TEST_ACTOR, body or BODY)
    versions.activate(session, TEST_ACTOR, version.id)
    session.commit()
    return version


def score_of(session: Session, account_id: int) -> scoring.AccountScore:
    session.expire_all()
    return scoring.account_scores(session, [account_id])[account_id]


def problems(error: InvalidFields) -> dict[str, str]:
    return dict(error.problems)


def test_a_draft_keeps_its_criteria_canonical_with_evidence_fields(db_session, seats):
    version = versions.create_draft(db_session, TEST_ACTOR, BODY)
    db_session.commit()
    data = versions.version_json(versions.get_version(db_session, version.id))
    assert data["status"] == "draft" and data["number"] == 1
    assert data["criteria"][0]["value"] == "Game changer"  # the archetype's own spelling
    assert data["criteria"][2] == {
        "trait": "trait:seats",
        "min": 10.0,
        "max": 100.0,
        "points": 10,
        "evidence": None,
        "graduation_decision_id": None,
    }
    assert data["criteria"][3]["exclude"] is True and "points" not in data["criteria"][3]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"criteria": [{"trait": "shoe_size", "value": "9", "points": 5}]}, "criteria.0.trait"),
        ({"criteria": [{"trait": "size_band", "value": "2-9", "points": 5}]}, "criteria.0.value"),
        ({"criteria": [{"trait": "trait:funding", "value": "Series Z", "points": 5}]}, "criteria.0.value"),
        ({"criteria": [{"trait": "archetype", "value": "Nobody", "points": 5}]}, "criteria.0.value"),
        ({"criteria": [{"trait": "industry", "value": "Fintech", "points": "many"}]}, "criteria.0.points"),
        ({"criteria": [{"trait": "trait:seats", "min": 50, "max": 10, "points": 5}]}, "criteria.0.max"),
        ({"tiers": []}, "tiers"),
        ({"tiers": [{"name": "A", "min_score": 10}, {"name": "B", "min_score": 30}]}, "tiers.1.min_score"),
        ({"tiers": [{"name": "A", "min_score": 10}, {"name": "B", "min_score": 10}]}, "tiers.1.min_score"),
        ({"tiers": [{"name": "excluded", "min_score": 10}]}, "tiers.0.name"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(db_session, seats, change, field):
    with pytest.raises(InvalidFields) as caught:
        versions.create_draft(db_session, TEST_ACTOR, {**BODY, **change})
    assert field in problems(caught.value)
    db_session.rollback()
    assert db_session.scalar(select(IcpVersion.id)) is None


def test_only_a_draft_changes_and_exactly_one_version_is_active(db_session, seats):
    first = active(db_session)
    with pytest.raises(StaleEdit):
        versions.update_draft(db_session, TEST_ACTOR, first.id, {"name": "Changed"}, first.version)
    db_session.rollback()
    second = versions.create_draft(db_session, TEST_ACTOR, {**BODY, "name": "Second"})
    db_session.commit()
    with pytest.raises(StaleEdit):  # an old version number is refused
        versions.update_draft(db_session, TEST_ACTOR, second.id, {"name": "x"}, second.version - 1)
    db_session.rollback()
    with pytest.raises(ValidationError):
        versions.update_draft(db_session, TEST_ACTOR, second.id, {"name": "x"}, None)
    db_session.rollback()
    versions.update_draft(
        db_session, TEST_ACTOR, second.id, {"criteria": BODY["criteria"][:2]}, second.version
    )
    versions.activate(db_session, TEST_ACTOR, second.id)
    db_session.commit()
    db_session.expire_all()
    statuses = {v.number: v.status for v in versions.list_versions(db_session)}
    assert statuses == {1: "retired", 2: "active"}
    assert versions.get_version(db_session, first.id).name == "First ICP"  # readable forever, unchanged

    versions.activate(db_session, TEST_ACTOR, first.id)  # rollback
    db_session.commit()
    db_session.expire_all()
    assert {v.number: v.status for v in versions.list_versions(db_session)} == {1: "active", 2: "retired"}
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity == "icp_version").order_by(AuditEvent.id)
    ).all()
    assert actions[-2:] == ["retire", "rollback"]


def test_diff_lists_added_removed_and_reweighted_criteria(db_session, seats):
    old = versions.create_draft(db_session, TEST_ACTOR, BODY)
    changed = [
        {"trait": "archetype", "value": "Game changer", "points": 50},
        {"trait": "industry", "value": "Fintech", "points": 25},
        {"trait": "region", "value": "EMEA", "points": 5},
    ]
    new = versions.create_draft(db_session, TEST_ACTOR, {**BODY, "criteria": changed})
    result = versions.diff(old, new).to_json()
    assert [c["value"] for c in result["added"]] == ["EMEA"]
    assert [c["value"] for c in result["removed"]] == ["10 to 100", "Gambling"]
    assert result["changed"] == [
        {
            "from": {"trait": "archetype", "value": "Game changer", "points": 40, "exclude": False},
            "to": {"trait": "archetype", "value": "Game changer", "points": 50, "exclude": False},
        }
    ]
    assert result["tiers"] is None


def test_score_is_the_sum_of_the_reasons_and_exclusion_wins(db_session, seats):
    active(db_session)
    both = make(
        db_session, name="Both", industry="Fintech", archetypes="Game changer", **{"trait:seats": "40"}
    )
    gamble = make(db_session, name="Gamble", industry="Gambling", archetypes="Game changer")
    plain = make(db_session, name="Plain", industry="Retail")
    top = score_of(db_session, both.id)
    assert top.score == 75 == sum(r["points"] for r in top.reasons)
    assert top.tier == "A"
    assert [r["trait"] for r in top.reasons] == ["archetype", "industry", "trait:seats"]
    excluded = score_of(db_session, gamble.id)
    assert excluded.tier == "excluded" and excluded.score == 40
    assert any(r.get("exclude") for r in excluded.reasons)
    assert score_of(db_session, plain.id).to_json() == {"version": 1, "score": 0, "tier": "C", "reasons": []}


def test_scores_follow_edits_archetypes_traits_and_archiving_an_archetype(db_session, seats):
    active(db_session)
    account = make(db_session, name="Moving", industry="Retail")
    assert score_of(db_session, account.id).tier == "C"
    accounts.update_account(
        db_session, TEST_ACTOR, account.id, {"industry": "Fintech"}, version=account.version, today=TODAY
    )
    db_session.commit()
    assert score_of(db_session, account.id).score == 25
    account = accounts.get_account(db_session, account.id)
    accounts.update_account(
        db_session,
        TEST_ACTOR,
        account.id,
        {"archetypes": "Game changer", "trait:seats": "12"},
        version=account.version,
        today=TODAY,
    )
    db_session.commit()
    assert (score_of(db_session, account.id).score, score_of(db_session, account.id).tier) == (75, "A")
    game_changer = next(a for a in archetypes.list_archetypes(db_session) if a.name == "Game changer")
    archetypes.set_archived(db_session, TEST_ACTOR, game_changer.id, archived=True)
    db_session.commit()
    assert (
        score_of(db_session, account.id).score == 35
    )  # as the analysis: an archived archetype counts for none


def test_scores_follow_the_bulk_import(db_session, seats):
    active(db_session)
    csv = (
        "name,industry,archetypes,trait:seats\n"
        "Imported A,Fintech,Game changer,50\n"
        "Imported B,Gambling,,\n"
        "Imported C,Retail,,200\n"
    )
    report = import_accounts(db_session, TEST_ACTOR, io.BytesIO(csv.encode()), today=TODAY)
    assert report.ok
    db_session.commit()
    by_name = {a.name: a.id for a in db_session.scalars(select(Account))}
    tiers = {name: score_of(db_session, i).tier for name, i in by_name.items()}
    assert tiers == {"Imported A": "A", "Imported B": "excluded", "Imported C": "C"}


def test_list_filters_by_tier_and_sorts_by_score(db_session, seats):
    active(db_session)
    make(db_session, name="Low", industry="Retail")
    make(db_session, name="Mid", archetypes="Game changer")
    make(db_session, name="High", industry="Fintech", archetypes="Game changer")
    make(db_session, name="Out", industry="Gambling")
    page = list_accounts(db_session, AccountFilters.from_query({"sort": ["-score"]}))
    assert [a.name for a in page.items] == ["High", "Mid", "Low", "Out"]
    page = list_accounts(db_session, AccountFilters.from_query({"tier": ["B", "excluded"]}))
    assert sorted(a.name for a in page.items) == ["Mid", "Out"]


def test_no_active_version_means_no_score_and_an_empty_tier_filter(db_session, seats):
    account = make(db_session, name="Alone", industry="Fintech")
    assert scoring.account_scores(db_session, [account.id]) == {}
    assert list_accounts(db_session, AccountFilters.from_query({"tier": ["A"]})).total == 0


def test_preview_counts_who_moves_and_why(db_session, seats):
    active(db_session)
    make(db_session, name="Fin", industry="Fintech")  # 25: C now
    make(db_session, name="Game", archetypes="Game changer")  # 40: B now
    make(db_session, name="Shop", industry="Retail")  # 0: C now
    draft = versions.create_draft(
        db_session,
        TEST_ACTOR,
        {**BODY, "criteria": [{"trait": "industry", "value": "Fintech", "points": 70}]},
    )
    db_session.commit()
    result = preview.preview(db_session, draft)
    assert result.count("C", "A") == 1  # Fin
    assert result.count("B", "C") == 1  # Game
    assert result.count("C", "C") == 1  # Shop stays
    assert result.moved_total == 2
    movers = {m.name: m for m in result.movers}
    assert set(movers) == {"Fin", "Game"}
    assert movers["Fin"].gained == [{"trait": "industry", "value": "Fintech", "points": 70}]
    assert movers["Game"].lost == [{"trait": "archetype", "value": "Game changer", "points": 40}]


def test_tier_counts_cover_every_live_account(db_session, seats):
    version = active(db_session)
    make(db_session, name="One", industry="Fintech", archetypes="Game changer")
    make(db_session, name="Two", industry="Gambling")
    counts = scoring.tier_counts(db_session, version)
    assert counts == {"A": 1, "B": 0, "C": 0, "excluded": 1, "none": 0}
