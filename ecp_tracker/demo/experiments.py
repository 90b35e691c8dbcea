"""The demo's experiments: one finished (a demo-call campaign aimed at tier B, which worked) and one running
(outbound aimed at tier A, measured by conversion, stratified by channel), the finished one discussed in the
latest review."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecp_tracker.domain.actors import Actor
from ecp_tracker.models import Experiment, Review
from ecp_tracker.services.experiments import experiments

FINISHED = {
    "name": "Demo calls for tier B",
    "hypothesis": "A founder call offering a demo makes tier B accounts book one: tier B is worth the calls.",
    "metric": "custom",
    "custom_metric": "Booked a demo",
    "min_lift": "0.10",
    "holdout_share": "0.3",
    "baseline_rate": "0.10",
    "target_kind": "tier",
    "target_tier": "B",
    "seed": "20260301",
}
RUNNING = {
    "name": "Outbound sequence for tier A",
    "hypothesis": "The new outbound sequence converts more tier A accounts than leaving them to inbound.",
    "metric": "converted",
    "min_lift": "0.08",
    "holdout_share": "0.2",
    "baseline_rate": "0.15",
    "target_kind": "tier",
    "target_tier": "A",
    "stratify_by": "acquisition_channel",
}
BOOKED = {"target": 0.35, "holdout": 0.10}  # the demo's made-up truth: the calls work


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 30), tzinfo=UTC)


def load_experiments(
    session: Session, actor: Actor, today: date, created: list[str], existing: list[str]
) -> None:
    if session.scalar(select(Experiment.id).limit(1)) is not None:
        existing.append("experiments")
        return
    latest = session.scalar(select(Review).order_by(Review.period.desc(), Review.revision.desc()).limit(1))
    start = today - timedelta(days=75)
    body = {**FINISHED, "planned_end": (today - timedelta(days=15)).isoformat()}
    body["review_id"] = latest.id if latest else None
    finished = experiments.create_experiment(session, actor, body, start)
    experiments.start_experiment(session, actor, finished.id, version=finished.version, today=start)
    finished.started_at = finished.frozen_at = _at(start)
    rng = random.Random(7)  # noqa: S311 (made-up demo outcomes)
    outcomes = {arm.account_id: rng.random() < BOOKED[arm.arm] for arm in finished.arms}
    experiments.record_outcomes(session, actor, finished.id, outcomes)
    experiments.finish_experiment(session, actor, finished.id, version=finished.version)
    finished.finished_at = _at(today - timedelta(days=14))
    created.append(f"experiment {finished.name}")

    start = today - timedelta(days=14)
    running = experiments.create_experiment(
        session, actor, {**RUNNING, "planned_end": (today + timedelta(days=45)).isoformat()}, start
    )
    experiments.start_experiment(session, actor, running.id, version=running.version, today=start)
    running.started_at = running.frozen_at = _at(start)
    created.append(f"experiment {running.name}")
