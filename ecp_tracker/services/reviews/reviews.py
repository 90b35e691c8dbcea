"""The monthly review: open a month (freezing its snapshot), read what changed since the last review, record
the meeting's decisions, finalise (immutable from then on) and build the next draft ICP version from the
graduations and exclusions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import InvalidFields, NotFound, StaleEdit, ValidationError
from ecp_tracker.domain.reviews import (
    MAX_DECIDERS,
    MAX_RATIONALE,
    Decision,
    ReviewStatus,
    against_evidence,
    fingerprint,
    parse_period,
    period_before,
    readiness,
)
from ecp_tracker.models import IcpVersion, Review, ReviewDecision
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.analysis.outcomes import OUTCOMES
from ecp_tracker.services.icp import scoring, versions
from ecp_tracker.services.reviews.snapshot import (
    CANDIDATE_RECOMMENDATIONS,
    DEFAULT_OUTCOMES,
    PRIMARY_OUTCOME,
    take,
)
from ecp_tracker.services.shared import audit, settings
from ecp_tracker.services.shared.raw_input import day, whole_number

TARGET_KEY = "reviews.top_tier_target"
DEFAULT_TARGET = 0.8
DEFAULT_POINTS = 20


def top_tier_target(session: Session) -> float:
    return float(settings.load(session, {TARGET_KEY: DEFAULT_TARGET})[TARGET_KEY])


def set_top_tier_target(session: Session, actor: Actor, raw: Any) -> float:
    text = str(raw if raw is not None else "").strip()
    try:
        value = float(text.removesuffix("%").strip())
    except ValueError:
        raise ValidationError("Give the target as a share such as 80% or 0.8.", field="target") from None
    if text.endswith("%") or value > 1:
        value /= 100
    if not 0 < value <= 1:
        raise ValidationError("The target lies between 0 and 100%.", field="target")
    settings.store(session, actor, {TARGET_KEY: value})
    return value


# --- reading ---------------------------------------------------------------------------------------------


def list_reviews(session: Session) -> list[Review]:
    return list(session.scalars(select(Review).order_by(Review.period.desc(), Review.revision.desc())))


def get_review(session: Session, review_id: int) -> Review:
    review = session.get(Review, review_id)
    if review is None:
        raise NotFound(f"There is no review with id {review_id}.")
    return review


def superseded_by(session: Session, review: Review) -> Review | None:
    """The correction that supersedes this review, if one was opened."""
    return session.scalars(select(Review).where(Review.supersedes_id == review.id)).first()


def latest_of_period(session: Session, period: str) -> Review | None:
    """The latest revision of a month's review: the one a correction would supersede."""
    stmt = select(Review).where(Review.period == period).order_by(Review.revision.desc())
    return session.scalars(stmt).first()


def _previous(session: Session, review: Review) -> Review | None:
    """The latest finalised, not superseded review of an earlier month."""
    stmt = (
        select(Review)
        .where(Review.period < review.period, Review.status == ReviewStatus.FINALISED)
        .order_by(Review.period.desc(), Review.revision.desc())
    )
    return session.scalars(stmt).first()


def _earlier(session: Session, review: Review) -> list[Review]:
    """Every finalised review of an earlier month (the latest revision of each), oldest first."""
    found: dict[str, Review] = {}
    stmt = select(Review).where(Review.period < review.period, Review.status == ReviewStatus.FINALISED)
    for row in session.scalars(stmt.order_by(Review.period, Review.revision)):
        found[row.period] = row
    return list(found.values())


def results_of(snapshot: Mapping[str, Any], outcome: str = PRIMARY_OUTCOME) -> dict[tuple[str, str], dict]:
    block = (snapshot.get("outcomes") or {}).get(outcome) or {}
    return {(r["trait"], r["value"]): r for r in block.get("results") or []}


@dataclass(frozen=True)
class Candidate:
    trait: str
    value: str
    label: str
    result: dict[str, Any]
    looks: int  # reviews that have looked at it as a candidate, this one included
    history: tuple[str | None, ...]  # the recommendation at earlier reviews, oldest first (None: not tested)
    ready: str | None  # the repeated-looks rule: graduate / exclude, or None
    new: bool  # not a candidate at the previous review
    decision: ReviewDecision | None
    revisit: bool  # deferred at an earlier review


@dataclass(frozen=True)
class Changes:
    previous: Review | None
    new_candidates: list[tuple[str, str]]
    recommendation_changes: list[tuple[str, str, str | None, str | None]]  # trait, value, before, now
    tier_moves: dict[tuple[str, str], int]  # (from, to) -> accounts; empty when the versions differ
    tier_moves_comparable: bool


def trait_labels_of(review: Review) -> dict[str, str]:
    """The trait labels the snapshot's analysis used, by trait name (`trait:tech_stack` -> its label)."""
    return {
        result["trait"]: result.get("label") or result["trait"]
        for outcome in (review.snapshot.get("outcomes") or {}).values()
        for result in outcome.get("results", [])
    }


def candidates(session: Session, review: Review) -> list[Candidate]:
    """The primary outcome's results the meeting decides on: every value the engine calls graduate, exclude
    or promising, and every value deferred at an earlier review, with its looks and readiness."""
    earlier = _earlier(session, review)
    earlier_results = [results_of(r.snapshot) for r in earlier]
    previous = earlier_results[-1] if earlier_results else {}
    deferred = {
        (d.trait, d.value)
        for r in earlier
        for d in r.decisions
        if d.decision == Decision.DEFER and (d.revisit_on is None or d.revisit_on <= _month_end(review))
    }
    decisions = {(d.trait, d.value): d for d in review.decisions}
    found = []
    for key, result in results_of(review.snapshot).items():
        is_candidate = result.get("recommendation") in CANDIDATE_RECOMMENDATIONS
        if not (is_candidate or key in deferred or key in decisions):
            continue
        history = tuple((results.get(key) or {}).get("recommendation") for results in earlier_results)
        looks = 1 + sum(1 for rec in history if rec in CANDIDATE_RECOMMENDATIONS)
        found.append(
            Candidate(
                trait=key[0],
                value=key[1],
                label=result.get("label") or key[0],
                result=result,
                looks=looks,
                history=history,
                ready=readiness([*history, result.get("recommendation")]),
                new=(previous.get(key) or {}).get("recommendation") not in CANDIDATE_RECOMMENDATIONS,
                decision=decisions.get(key),
                revisit=key in deferred,
            )
        )
    order = {"graduate": 0, "exclude": 1, "promising": 2}
    return sorted(found, key=lambda c: (order.get(c.result.get("recommendation"), 3), c.label, c.value))


def _month_end(review: Review) -> date:
    bounds = parse_period(review.period)
    return bounds[1] - timedelta(days=1) if bounds else date.max


def changes(session: Session, review: Review) -> Changes:
    previous = _previous(session, review)
    if previous is None:
        return Changes(None, [], [], {}, False)
    before, now = results_of(previous.snapshot), results_of(review.snapshot)
    new_candidates = [
        key
        for key, result in now.items()
        if result.get("recommendation") in CANDIDATE_RECOMMENDATIONS
        and (before.get(key) or {}).get("recommendation") not in CANDIDATE_RECOMMENDATIONS
    ]
    moved = []
    for key in sorted(set(before) | set(now)):
        was = (before.get(key) or {}).get("recommendation")
        is_ = (now.get(key) or {}).get("recommendation")
        if was != is_:
            moved.append((key[0], key[1], was, is_))
    old_version = (previous.snapshot.get("icp_version") or {}).get("id")
    new_version = (review.snapshot.get("icp_version") or {}).get("id")
    comparable = old_version is not None and old_version == new_version
    tier_moves: dict[tuple[str, str], int] = {}
    if comparable:
        tier_of = {i: tier for tier, ids in previous.snapshot.get("tiers", {}).items() for i in ids}
        for tier, ids in review.snapshot.get("tiers", {}).items():
            for account_id in ids:
                was_tier = tier_of.get(account_id, "new")
                if was_tier != tier:
                    tier_moves[was_tier, tier] = tier_moves.get((was_tier, tier), 0) + 1
    return Changes(previous, new_candidates, moved, dict(sorted(tier_moves.items())), comparable)


def history(session: Session, review: Review) -> list[dict[str, Any]]:
    """The feedback loop over time: each finalised review's top-tier shares, then this one's."""
    rows = []
    for row in [*_earlier(session, review), review]:
        feedback = row.snapshot.get("feedback") or {}
        shares = feedback.get("shares") or {}
        rows.append(
            {
                "period": row.period,
                "target": feedback.get("target_share"),
                **{name: (shares.get(name) or {}).get("share") for name in ("new_accounts", "conversions")},
            }
        )
    return rows


# --- writing ---------------------------------------------------------------------------------------------


def open_review(
    session: Session,
    actor: Actor,
    period: Any,
    outcomes: Sequence[str] | None = None,
    *,
    supersedes: int | None = None,
    today: date | None = None,
) -> Review:
    """Open the review of a month, freezing its snapshot. One review per month; a finalised one is corrected
    by a new review that names it in `supersedes`."""
    problems: list[tuple[str, str]] = []
    period = str(period or "").strip()
    bounds = parse_period(period)
    if bounds is None:
        problems.append(("period", f"A period is a month such as 2026-11, not {period!r}."))
    chosen = list(dict.fromkeys(outcomes or DEFAULT_OUTCOMES))
    if PRIMARY_OUTCOME not in chosen:
        chosen.insert(0, PRIMARY_OUTCOME)
    unknown = [name for name in chosen if name not in OUTCOMES]
    if unknown:
        problems.append(("outcomes", f"Unknown outcome {unknown[0]!r}; use any of {', '.join(OUTCOMES)}."))
    if problems:
        raise InvalidFields(problems)
    existing = latest_of_period(session, period)
    revision, superseded = 1, None
    if existing is not None:
        if supersedes is None:
            raise ValidationError(
                f"The review of {period} exists already (review {existing.id}); open a correction that "
                "supersedes it once it is finalised.",
                field="period",
            )
        if supersedes != existing.id or existing.status != ReviewStatus.FINALISED:
            raise ValidationError(
                f"Only the latest review of {period}, once finalised, can be superseded "
                f"(review {existing.id}).",
                field="supersedes",
            )
        revision, superseded = existing.revision + 1, existing
    elif supersedes is not None:
        raise ValidationError(f"There is no review of {period} to supersede.", field="supersedes")
    now = utcnow()
    today = today or now.date()
    version = scoring.active_version(session)
    snapshot = take(
        session,
        period,
        bounds[0],
        bounds[1],
        chosen,
        version,
        cutoff=now,
        today=today,
        top_tier_target=top_tier_target(session),
    )
    review = Review(
        period=period,
        revision=revision,
        status=ReviewStatus.OPEN,
        cutoff_at=now,
        outcomes=chosen,
        snapshot=snapshot,
        snapshot_sha256=fingerprint(snapshot),
        icp_version_id=version.id if version else None,
        attendees="",
        notes="",
        supersedes_id=superseded.id if superseded else None,
    )
    session.add(review)
    audit.log_write(session, actor, review, summary=f"Review of {period} opened")
    return review


def _open(review: Review) -> None:
    if review.status != ReviewStatus.OPEN:
        raise StaleEdit(
            f"The review of {review.period} is finalised and cannot change; open a correction that "
            "supersedes it."
        )


def update_notes(
    session: Session, actor: Actor, review_id: int, *, attendees: str, notes: str, expected_version: Any
) -> Review:
    review = get_review(session, review_id)
    _open(review)
    if expected_version is not None and int(expected_version) != review.version:
        raise StaleEdit(
            "The review's notes were changed by someone else; reload to see them.",
            current={"attendees": review.attendees, "notes": review.notes, "version": review.version},
        )
    if len(attendees) > 2000 or len(notes) > 50_000:
        raise ValidationError("Attendees are at most 2,000 characters and notes 50,000.", field="notes")
    review.attendees, review.notes = attendees.strip(), notes.strip()
    audit.log_write(session, actor, review, summary=f"Review of {review.period}: notes")
    return review


def decide(session: Session, actor: Actor, review_id: int, raw: Mapping[str, Any]) -> ReviewDecision:
    """Record (or replace, while the review is open) the decision on one trait value of the snapshot."""
    review = get_review(session, review_id)
    _open(review)
    problems: list[tuple[str, str]] = []
    trait, value = str(raw.get("trait") or "").strip(), str(raw.get("value") or "").strip()
    result = results_of(review.snapshot).get((trait, value))
    if not trait:
        problems.append(("trait", "Name the trait the decision is on."))
    if not value:
        problems.append(("value", "Name the trait value the decision is on."))
    if result is None and trait and value:
        problems.append(("value", f"{trait}={value} is not among the results this review froze."))
    try:
        decision = Decision(str(raw.get("decision") or "").strip())
    except ValueError:
        problems.append(("decision", f"Decide one of {', '.join(d.value for d in Decision)}."))
        decision = None
    rationale = str(raw.get("rationale") or "").strip()
    if not rationale:
        problems.append(("rationale", "Say why: the rationale is part of the record."))
    elif len(rationale) > MAX_RATIONALE:
        problems.append(("rationale", f"The rationale is at most {MAX_RATIONALE:,} characters."))
    deciders = str(raw.get("deciders") or "").strip()
    if len(deciders) > MAX_DECIDERS:
        problems.append(("deciders", f"Deciders are at most {MAX_DECIDERS} characters."))
    revisit_on = day(raw.get("revisit_on"), "revisit_on", problems)
    if decision is Decision.DEFER and revisit_on is None and not any(f == "revisit_on" for f, _ in problems):
        problems.append(("revisit_on", "A deferred decision needs a date to look again."))
    if revisit_on is not None and revisit_on <= review.cutoff_at.date():
        problems.append(("revisit_on", "The date to look again lies after the review."))
    points = whole_number(raw.get("points"), "points", problems, low=1, high=1000)
    if problems:
        raise InvalidFields(problems)
    assert decision is not None and result is not None
    earlier = [results_of(r.snapshot).get((trait, value)) or {} for r in _earlier(session, review)]
    ready = readiness([*(r.get("recommendation") for r in earlier), result.get("recommendation")])
    row = next((d for d in review.decisions if (d.trait, d.value) == (trait, value)), None)
    if row is None:
        row = ReviewDecision(trait=trait, value=value)
        review.decisions.append(row)
    row.decision = decision
    row.points = (points or DEFAULT_POINTS) if decision is Decision.GRADUATE else None
    row.rationale, row.deciders = rationale, deciders
    row.revisit_on = revisit_on if decision is Decision.DEFER else None
    row.recommendation = result.get("recommendation")
    row.ready = ready
    row.against_evidence = against_evidence(decision, ready)
    audit.log_write(session, actor, row, summary=f"Review of {review.period}: {trait}={value} {decision}")
    review.updated_at = utcnow()
    return row


def finalise(session: Session, actor: Actor, review_id: int, *, expected_version: Any = None) -> Review:
    """Freeze the review and build the next draft ICP version: the active version plus the graduated
    criteria and the exclusions, each with the snapshot's evidence and the decision that put it there."""
    review = get_review(session, review_id)
    _open(review)
    if expected_version is not None and int(expected_version) != review.version:
        raise StaleEdit("The review was changed by someone else; reload it first.")
    review.status = ReviewStatus.FINALISED
    review.finalised_at = utcnow()
    chosen = [d for d in review.decisions if d.decision in (Decision.GRADUATE, Decision.EXCLUDE)]
    if chosen:
        review.draft_icp_version_id = _next_draft(session, actor, review, chosen).id
    if review.supersedes_id is not None:
        older = session.get(Review, review.supersedes_id)
        audit.log_write(
            session, actor, older, action="supersede", summary=f"Superseded by review {review.id}"
        )
    audit.log_write(session, actor, review, action="finalise", summary=f"Review of {review.period} finalised")
    return review


def _next_draft(session: Session, actor: Actor, review: Review, chosen: list[ReviewDecision]) -> IcpVersion:
    active = scoring.active_version(session)
    criteria = [versions.criterion_json(c) for c in active.criteria] if active is not None else []
    decided = {(d.trait, d.value): d for d in chosen}
    criteria = [c for c in criteria if (c["trait"], c.get("value")) not in decided]
    frozen = results_of(review.snapshot)
    for (trait, value), decision in decided.items():
        evidence = {
            "outcome": PRIMARY_OUTCOME,
            "stratified_by": ((review.snapshot.get("outcomes") or {}).get(PRIMARY_OUTCOME) or {}).get(
                "stratified_by"
            ),
            "on": review.cutoff_at.date().isoformat(),
            "review": review.period,
            **{
                k: v
                for k, v in (frozen.get((trait, value)) or {}).items()
                if k not in ("trait", "value", "label")
            },
        }
        entry: dict[str, Any] = {"trait": trait, "value": value, "evidence": evidence}
        entry |= {"exclude": True} if decision.decision == Decision.EXCLUDE else {"points": decision.points}
        criteria.append(entry)
    body = {
        "name": f"After the {review.period} review",
        "narrative": active.narrative if active is not None else "",
        "tiers": active.tiers if active is not None else versions.DEFAULT_TIERS,
        "criteria": criteria,
    }
    draft = versions.create_draft(session, actor, body)
    for criterion in draft.criteria:
        decision = decided.get((criterion.trait, criterion.value or ""))
        if decision is not None:
            criterion.graduation_decision_id = decision.id
    session.flush()
    return draft


def decision_of_criterion(session: Session, decision_id: int | None) -> tuple[ReviewDecision, Review] | None:
    """The decision (and its review) that put an ICP criterion there."""
    if decision_id is None:
        return None
    decision = session.get(ReviewDecision, decision_id)
    return None if decision is None else (decision, decision.review)


def next_review_date(session: Session, today: date) -> tuple[str, date]:
    """The month the next review covers (the latest month without a finalised review, up to last month) and
    the first working day after that month, when the meeting is due."""
    last_month_end = today.replace(day=1) - timedelta(days=1)
    latest = session.scalar(select(func.max(Review.period)).where(Review.status == ReviewStatus.FINALISED))
    period = period_before(today)
    if latest is not None and latest >= period:
        following = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        period = today.strftime("%Y-%m")
        due = following
    else:
        due = last_month_end + timedelta(days=1)
    while due.weekday() >= 5:
        due += timedelta(days=1)
    return period, due


def snapshot_intact(review: Review) -> bool:
    return fingerprint(review.snapshot) == review.snapshot_sha256


def decision_count(review: Review) -> dict[str, int]:
    counts = {d.value: 0 for d in Decision}
    for row in review.decisions:
        counts[row.decision] = counts.get(row.decision, 0) + 1
    return counts
