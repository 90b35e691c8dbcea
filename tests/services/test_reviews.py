"""services.reviews: opening a month freezes a snapshot whose hash does not move when accounts change; one
review per month; decisions on the snapshot's values only; finalising freezes everything and builds the next
draft ICP from the graduations, each criterion carrying its evidence and its decision."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ecp_tracker.domain.errors import InvalidFields, StaleEdit, ValidationError
from ecp_tracker.domain.reviews import fingerprint
from ecp_tracker.models import Account, IcpVersion, Review
from ecp_tracker.services.accounts import accounts
from ecp_tracker.services.reviews import reviews
from ecp_tracker.services.reviews.markdown import to_markdown
from tests.conftest import TEST_ACTOR
from tests.factories.analysis import add

TODAY = date(2026, 12, 3)


@pytest.fixture
def evidence(db_session: Session) -> Session:
    """Fintech converts 18 of 20, the rest 4 of 20: a value the engine calls graduate."""
    for i in range(20):
        add(db_session, f"Fin {i}", industry="Fintech", stage="customer" if i < 18 else "lost")
        add(db_session, f"Ret {i}", industry="Retail", stage="customer" if i < 4 else "lost")
    db_session.commit()
    return db_session


def test_opening_freezes_a_snapshot_that_does_not_change_with_the_accounts(evidence):
    review = reviews.open_review(evidence, TEST_ACTOR, "2026-11", today=TODAY)
    evidence.commit()
    frozen, digest = review.snapshot, review.snapshot_sha256
    assert digest == fingerprint(frozen)
    fintech = reviews.results_of(frozen)[("industry", "Fintech")]
    assert fintech["recommendation"] == "graduate" and fintech["n_with"] == 20
    assert set(frozen["outcomes"]) == {"converted", "churned"}
    for account in evidence.scalars(select(Account).where(Account.industry == "Fintech")).all()[:10]:
        accounts.update_account(
            evidence, TEST_ACTOR, account.id, {"stage": "lost", "converted_on": None}, version=account.version
        )
    evidence.commit()
    evidence.expire_all()
    again = evidence.get(Review, review.id)
    assert again.snapshot == frozen and again.snapshot_sha256 == digest == fingerprint(again.snapshot)


def test_one_review_per_month_and_bad_input_named(evidence):
    reviews.open_review(evidence, TEST_ACTOR, "2026-11", today=TODAY)
    with pytest.raises(ValidationError, match="exists already") as caught:
        reviews.open_review(evidence, TEST_ACTOR, "2026-11", today=TODAY)
    assert caught.value.field == "period"
    with pytest.raises(InvalidFields) as caught:
        reviews.open_review(evidence, TEST_ACTOR, "2026-13", ["converted", "happiness"], today=TODAY)
    assert {field for field, _ in caught.value.problems} == {"period", "outcomes"}


def test_decisions_refer_to_the_snapshot_and_name_every_problem(evidence):
    review = reviews.open_review(evidence, TEST_ACTOR, "2026-11", today=TODAY)
    with pytest.raises(InvalidFields) as caught:
        reviews.decide(
            evidence, TEST_ACTOR, review.id, {"trait": "industry", "value": "Gambling", "decision": "x"}
        )
    assert {field for field, _ in caught.value.problems} == {"value", "decision", "rationale"}
    with pytest.raises(InvalidFields) as caught:
        reviews.decide(
            evidence, TEST_ACTOR, review.id,
            {"trait": "industry", "value": "Retail", "decision": "defer", "rationale": "Wait"},
        )  # fmt: skip
    assert [field for field, _ in caught.value.problems] == ["revisit_on"]
    first = reviews.decide(
        evidence, TEST_ACTOR, review.id,
        {"trait": "industry", "value": "Fintech", "decision": "graduate", "rationale": "Clear", "points": 30},
    )  # fmt: skip
    # the first review to see it: the repeated-looks rule does not call it ready yet, so it is on the record
    assert (first.ready, first.against_evidence, first.points) == (None, True, 30)


def test_finalising_freezes_the_review_and_drafts_the_next_icp(evidence):
    review = reviews.open_review(evidence, TEST_ACTOR, "2026-11", today=TODAY)
    decision = reviews.decide(
        evidence, TEST_ACTOR, review.id,
        {"trait": "industry", "value": "Fintech", "decision": "graduate", "rationale": "Clear", "points": 40},
    )  # fmt: skip
    reviews.decide(
        evidence, TEST_ACTOR, review.id,
        {"trait": "industry", "value": "Retail", "decision": "defer", "rationale": "More data",
         "revisit_on": "2027-01-31"},
    )  # fmt: skip
    reviews.finalise(evidence, TEST_ACTOR, review.id)
    evidence.commit()
    draft = evidence.get(IcpVersion, review.draft_icp_version_id)
    assert draft.status == "draft"
    (criterion,) = [c for c in draft.criteria if c.trait == "industry"]
    assert (criterion.value, criterion.points, criterion.graduation_decision_id) == (
        "Fintech",
        40,
        decision.id,
    )
    assert criterion.evidence["review"] == "2026-11" and criterion.evidence["n_with"] == 20
    for change in (
        lambda: reviews.decide(evidence, TEST_ACTOR, review.id, {"trait": "industry", "value": "Retail"}),
        lambda: reviews.update_notes(
            evidence, TEST_ACTOR, review.id, attendees="x", notes="y", expected_version=None
        ),
        lambda: reviews.finalise(evidence, TEST_ACTOR, review.id),
    ):
        with pytest.raises(StaleEdit, match="finalised"):
            change()


def test_the_next_review_counts_looks_and_calls_a_value_ready_after_two(evidence):
    november = reviews.open_review(evidence, TEST_ACTOR, "2026-11", today=TODAY)
    reviews.finalise(evidence, TEST_ACTOR, november.id)
    december = reviews.open_review(evidence, TEST_ACTOR, "2026-12", today=TODAY)
    (fintech,) = [c for c in reviews.candidates(evidence, december) if c.value == "Fintech"]
    assert (fintech.looks, fintech.ready, fintech.new) == (2, "graduate", False)
    row = reviews.decide(
        evidence, TEST_ACTOR, december.id,
        {"trait": "industry", "value": "Fintech", "decision": "graduate", "rationale": "Held twice"},
    )  # fmt: skip
    assert (row.ready, row.against_evidence, row.points) == ("graduate", False, 20)
    assert reviews.changes(evidence, december).previous.id == november.id


def test_a_finalised_month_is_corrected_by_a_review_that_supersedes_it(evidence):
    first = reviews.open_review(evidence, TEST_ACTOR, "2026-11", today=TODAY)
    with pytest.raises(ValidationError, match="once finalised"):
        reviews.open_review(evidence, TEST_ACTOR, "2026-11", supersedes=first.id, today=TODAY)
    reviews.finalise(evidence, TEST_ACTOR, first.id)
    second = reviews.open_review(evidence, TEST_ACTOR, "2026-11", supersedes=first.id, today=TODAY)
    assert (second.revision, second.supersedes_id) == (2, first.id)


def test_flask_reviews_open_and_export(app, evidence, tmp_path):
    runner = app.test_cli_runner()
    opened = runner.invoke(args=["reviews", "open", "2026-11", "--outcome", "converted"])
    assert opened.exit_code == 0, opened.output
    found = re.search(r"Opened review (\d+) of 2026-11", opened.output)
    assert found and "snapshot SHA-256" in opened.output
    review_id = found.group(1)
    again = runner.invoke(args=["reviews", "open", "2026-11"])
    assert again.exit_code == 1 and "exists already" in again.output
    bad = runner.invoke(args=["reviews", "open", "Nov"])
    assert bad.exit_code == 1 and "2026-11" in bad.output
    out = tmp_path / "review.md"
    exported = runner.invoke(args=["reviews", "export", review_id, "--format", "markdown", "--out", str(out)])
    assert exported.exit_code == 0 and out.read_text().startswith("# ECP to ICP review, 2026-11")
    assert runner.invoke(args=["reviews", "export", "999999"]).exit_code == 1


def test_the_markdown_names_a_decided_trait_by_its_label(db_session):
    """Company size, not size_band: the record reads as the pages do."""
    for i in range(20):
        add(db_session, f"Big {i}", employees=120, stage="customer" if i < 18 else "lost")
        add(db_session, f"Small {i}", employees=10, stage="customer" if i < 4 else "lost")
    db_session.commit()
    review = reviews.open_review(db_session, TEST_ACTOR, "2026-11", today=TODAY)
    labels = reviews.trait_labels_of(review)
    assert labels["size_band"] != "size_band"
    decision = {"trait": "size_band", "value": "51-200", "decision": "graduate", "rationale": "Big converts"}
    reviews.decide(db_session, TEST_ACTOR, review.id, decision)
    text = to_markdown(db_session, review)
    assert f"- **{labels['size_band']} = 51-200: graduate**" in text and "size_band" not in text
