"""Experiment services: drafts checked field by field, the start drawing reproducible arms once (frozen:
later target members are not added, nothing redrawn), amendments beside the registered terms, custom
outcomes, results per arm, and every write audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecp_tracker.analysis.experiments import Arm, Verdict, assign
from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import Conflict, InvalidFields, StaleEdit, ValidationError
from ecp_tracker.models import Account, AuditEvent, Experiment, ExperimentArm
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.accounts import accounts
from ecp_tracker.services.accounts.listing import AccountFilters
from ecp_tracker.services.accounts.saved_views import delete_view, save_view
from ecp_tracker.services.experiments import experiments
from ecp_tracker.services.icp import versions
from tests.conftest import TEST_ACTOR
from tests.factories.experiments import ICP

TODAY = utcnow().date()


def body(**overrides: object) -> dict:
    return {
        "name": "Fintech outbound",
        "hypothesis": "Aiming the outbound sequence at tier A raises conversion.",
        "metric": "converted",
        "min_lift": "0.1",
        "holdout_share": "0.2",
        "baseline_rate": "0.1",
        "planned_end": (TODAY + timedelta(days=30)).isoformat(),
        "target_kind": "tier",
        "target_tier": "A",
        "stratify_by": "",
        "seed": "",
        **overrides,
    }


@pytest.fixture
def workspace(db_session: Session) -> list[int]:
    """An active ICP and 50 tier-A accounts (half partner, half outbound) plus 10 tier C."""
    version = versions.create_draft(db_session, TEST_ACTOR, ICP)
    versions.activate(db_session, TEST_ACTOR, version.id)
    ids = []
    for i in range(60):
        account = accounts.create_account(
            db_session,
            TEST_ACTOR,
            {
                "name": f"Account {i:02}",
                "industry": "Fintech" if i < 50 else "Retail",
                "acquisition_channel": "partner" if i % 2 else "outbound",
            },
            today=TODAY,
        )
        if i < 50:
            ids.append(account.id)
    db_session.commit()
    return ids


def events(session: Session, entity: str, action: str | None = None) -> int:
    stmt = select(func.count(AuditEvent.id)).where(AuditEvent.entity == entity)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return session.scalar(stmt)


def started(session: Session, **overrides: object) -> Experiment:
    experiment = experiments.create_experiment(session, TEST_ACTOR, body(**overrides), TODAY)
    experiments.start_experiment(session, TEST_ACTOR, experiment.id, version=experiment.version, today=TODAY)
    session.commit()
    return experiment


def stored_arms(session: Session, experiment: Experiment) -> dict[int, str]:
    session.expire_all()
    rows = session.execute(
        select(ExperimentArm.account_id, ExperimentArm.arm).where(
            ExperimentArm.experiment_id == experiment.id
        )
    )
    return {a: b for a, b in rows}


def test_a_draft_names_every_bad_field_and_writes_nothing(db_session, workspace):
    before = db_session.scalar(select(func.count(Experiment.id)))
    with pytest.raises(InvalidFields) as caught:
        experiments.create_experiment(
            db_session,
            TEST_ACTOR,
            body(min_lift="1.5", holdout_share="0.9", metric="clicks", planned_end="2020-01-01", seed="x"),
            TODAY,
        )
    fields = {field for field, _ in caught.value.problems}
    assert fields == {"min_lift", "holdout_share", "metric", "planned_end", "seed"}
    with pytest.raises(ValidationError) as tier:
        experiments.create_experiment(db_session, TEST_ACTOR, body(target_tier="Z"), TODAY)
    assert tier.value.field == "target_tier"
    with pytest.raises(InvalidFields) as custom:
        experiments.create_experiment(db_session, TEST_ACTOR, body(metric="custom"), TODAY)
    assert custom.value.field == "custom_metric"
    db_session.rollback()
    assert db_session.scalar(select(func.count(Experiment.id))) == before


def test_start_draws_the_holdout_from_the_target_with_a_recorded_seed(db_session, workspace):
    experiment = started(db_session)
    assert experiment.status == "running" and experiment.frozen_at is not None
    assert experiment.seed is not None  # drawn from secrets, recorded
    arms = stored_arms(db_session, experiment)
    assert sorted(arms) == sorted(workspace)  # exactly the tier's accounts
    assert sum(1 for a in arms.values() if a == "holdout") == 10
    # reproducible: the recorded seed and the target's ids give the stored arms again
    redrawn = assign(workspace, 0.2, experiment.seed)
    assert {k: v.value for k, v in redrawn.items()} == arms
    assert events(db_session, "experiment", "start") == 1


def test_the_same_seed_gives_the_same_arms_and_stratifies_by_channel(db_session, workspace):
    first = started(db_session, seed="424242", stratify_by="acquisition_channel")
    second = started(db_session, name="Again", seed="424242", stratify_by="acquisition_channel")
    assert stored_arms(db_session, first) == stored_arms(db_session, second)
    channel = {a: b for a, b in db_session.execute(select(Account.id, Account.acquisition_channel))}
    held = [channel[i] for i, arm in stored_arms(db_session, first).items() if arm == "holdout"]
    assert held.count("partner") == 5 and held.count("outbound") == 5  # 20% of 25 each
    other = started(db_session, name="Other seed", seed="424243", stratify_by="acquisition_channel")
    assert stored_arms(db_session, other) != stored_arms(db_session, first)


def test_once_started_the_arms_and_terms_are_frozen(db_session, workspace):
    experiment = started(db_session, seed="7")
    arms = stored_arms(db_session, experiment)
    newcomer = accounts.create_account(
        db_session, TEST_ACTOR, {"name": "Late Fintech", "industry": "Fintech"}
    )
    db_session.commit()
    for change in ({"hypothesis": "Something else entirely."}, {"holdout_share": "0.3"}, {"seed": "8"}):
        with pytest.raises(Conflict) as caught:
            experiments.update_experiment(
                db_session, TEST_ACTOR, experiment.id, change, version=experiment.version, today=TODAY
            )
        assert caught.value.field == next(iter(change))
        db_session.rollback()
    with pytest.raises(Conflict):
        experiments.start_experiment(
            db_session, TEST_ACTOR, experiment.id, version=experiment.version, today=TODAY
        )
    db_session.rollback()
    experiments.update_experiment(
        db_session, TEST_ACTOR, experiment.id, {"name": "Renamed"}, version=experiment.version, today=TODAY
    )
    db_session.commit()
    after = stored_arms(db_session, experiment)
    assert after == arms and newcomer.id not in after
    with pytest.raises(StaleEdit):
        experiments.update_experiment(
            db_session, TEST_ACTOR, experiment.id, {"name": "X"}, version=1, today=TODAY
        )


def test_amendments_keep_the_registered_terms_beside_them(db_session, workspace):
    experiment = started(db_session)
    with pytest.raises(InvalidFields) as short:
        experiments.amend_experiment(
            db_session, TEST_ACTOR, experiment.id, reason="no", changes={"min_lift": "0.2"}
        )
    assert short.value.field == "reason"
    with pytest.raises(ValidationError) as share:
        experiments.amend_experiment(
            db_session,
            TEST_ACTOR,
            experiment.id,
            reason="Sales asked for more",
            changes={"holdout_share": "0.3"},
        )
    assert share.value.field == "holdout_share"
    db_session.rollback()
    experiments.amend_experiment(
        db_session,
        TEST_ACTOR,
        experiment.id,
        reason="Board wants a bigger effect",
        changes={"min_lift": "0.15"},
    )
    db_session.commit()
    db_session.expire_all()
    terms = experiments.effective_terms(experiment)
    assert str(terms.min_lift) == "0.15" and terms.amended == ("min_lift",)
    assert str(experiment.min_lift) == "0.1000"  # the registered value
    assert experiment.amendments[0].changes == {"min_lift": ["0.1", "0.15"]}
    assert events(db_session, "experiment_amendment", "create") == 1


def test_results_count_conversions_after_the_start_per_arm(db_session, workspace):
    experiment = started(db_session, seed="11")
    arms = stored_arms(db_session, experiment)
    campaign = [i for i, a in arms.items() if a == "target"][:12]
    holdout = [i for i, a in arms.items() if a == "holdout"][:1]
    for account_id in campaign + holdout:
        account = db_session.get(Account, account_id)
        accounts.update_account(
            db_session,
            TEST_ACTOR,
            account_id,
            {"stage": "customer", "converted_on": TODAY.isoformat()},
            version=account.version,
            today=TODAY,
        )
    db_session.commit()
    result = experiments.results(db_session, experiment, TODAY)
    assert (result.target.assigned, result.target.positive) == (40, 12)
    assert (result.holdout.assigned, result.holdout.positive) == (10, 1)
    assert result.verdict is Verdict.TOO_EARLY  # the planned end is a month away
    later = experiments.results(db_session, experiment, TODAY + timedelta(days=31))
    assert later.verdict is Verdict.DID_NOT_WORK  # 30% vs 10% at 40 vs 10 accounts could be luck


def test_custom_outcomes_are_recorded_while_running_and_checked(db_session, workspace):
    experiment = started(db_session, metric="custom", custom_metric="Booked a demo")
    arms = stored_arms(db_session, experiment)
    some = sorted(arms)[:3]
    with pytest.raises(InvalidFields) as bad:
        experiments.record_outcomes(db_session, TEST_ACTOR, experiment.id, {some[0]: "maybe", 999999: "yes"})
    assert bad.value.field == "outcomes" and len(bad.value.problems) == 2
    db_session.rollback()
    assert (
        experiments.record_outcomes(db_session, TEST_ACTOR, experiment.id, {some[0]: "yes", some[1]: "no"})
        == 2
    )
    db_session.commit()
    counts = experiments.arm_counts(db_session, experiment, "custom")
    assert sum(c.measured for c in counts.values()) == 2
    assert sum(c.positive for c in counts.values()) == 1
    assert events(db_session, "experiment_arm", "update") == 2
    result = experiments.results(db_session, experiment, TODAY + timedelta(days=31))
    assert result.verdict is Verdict.TOO_EARLY and "48 of the 50 accounts" in result.explanation


def test_a_saved_view_target_is_drawn_from_the_view_and_its_filters_kept(db_session, workspace, people):
    user = next(iter(people.values()))
    actor = Actor(user.id, user.email)
    view = save_view(
        db_session, actor, user.id, name="Partners", filters=AccountFilters(acquisition_channel=("partner",))
    )
    db_session.commit()
    experiment = experiments.create_experiment(
        db_session, actor, body(target_kind="view", target_view_id=str(view.id)), TODAY
    )
    experiments.start_experiment(db_session, actor, experiment.id, version=experiment.version, today=TODAY)
    db_session.commit()
    partners = set(db_session.scalars(select(Account.id).where(Account.acquisition_channel == "partner")))
    assert set(stored_arms(db_session, experiment)) == partners
    assert experiment.target_filters == {"acquisition_channel": ["partner"]}
    with pytest.raises(ValidationError) as other:
        experiments.create_experiment(
            db_session, TEST_ACTOR, body(target_kind="view", target_view_id=str(view.id)), TODAY
        )
    assert other.value.field == "target_view_id"  # someone else's view


def test_a_finished_experiment_counts_only_what_happened_until_it_finished(db_session, workspace):
    experiment = started(db_session, seed="5")
    target = next(arm.account_id for arm in experiment.arms if arm.arm == "target")
    experiments.finish_experiment(db_session, TEST_ACTOR, experiment.id, version=experiment.version)
    experiment.started_on = TODAY - timedelta(days=10)
    experiment.finished_at = experiment.finished_at - timedelta(days=2)  # ran from 10 to 2 days ago
    db_session.commit()
    account = db_session.get(Account, target)
    accounts.update_account(
        db_session,
        TEST_ACTOR,
        target,
        {"stage": "customer", "converted_on": TODAY.isoformat()},
        version=account.version,
        today=TODAY,
    )
    db_session.commit()
    assert experiments.results(db_session, experiment, TODAY).target.positive == 0


def test_finish_and_then_nothing_changes(db_session, workspace):
    experiment = started(db_session)
    experiments.finish_experiment(db_session, TEST_ACTOR, experiment.id, version=experiment.version)
    db_session.commit()
    assert experiment.status == "finished"
    with pytest.raises(Conflict):
        experiments.update_experiment(
            db_session, TEST_ACTOR, experiment.id, {"name": "X"}, version=experiment.version, today=TODAY
        )
    result = experiments.results(db_session, experiment, TODAY)
    assert result.verdict is not Verdict.TOO_EARLY  # finished counts as ended
    rows = experiments.arm_rows(db_session, experiment)
    assert len(rows) == 50 and {r[3] for r in rows} == {Arm.TARGET.value, Arm.HOLDOUT.value}
    text = "".join(experiments.arm_csv(db_session, experiment))
    assert text.splitlines()[0] == "experiment_id,account_id,account,arm,stratum,outcome"
    assert len(text.splitlines()) == 51
    assert events(db_session, "experiment", "finish") == 1


def test_sample_size_line_before_the_start(db_session, workspace):
    experiment = experiments.create_experiment(db_session, TEST_ACTOR, body(), TODAY)
    line = experiments.planning_line(db_session, experiment)
    assert line.startswith("With 50 accounts and a 20% holdout")
    assert "can be seen" in line


def test_custom_outcomes_can_still_be_recorded_after_the_finish(db_session, workspace):
    """Finishing with outcomes missing must not leave the verdict "too early" for good."""
    experiment = started(db_session, metric="custom", custom_metric="Booked a demo")
    experiments.finish_experiment(db_session, TEST_ACTOR, experiment.id, version=experiment.version)
    db_session.commit()
    assert experiments.results(db_session, experiment, TODAY).verdict is Verdict.TOO_EARLY
    arms = stored_arms(db_session, experiment)
    outcomes = {account_id: "yes" if arm == Arm.TARGET.value else "no" for account_id, arm in arms.items()}
    assert experiments.record_outcomes(db_session, TEST_ACTOR, experiment.id, outcomes) == len(arms)
    db_session.commit()
    assert experiments.results(db_session, experiment, TODAY).verdict is not Verdict.TOO_EARLY


def test_a_draft_whose_saved_view_was_deleted_still_reads(db_session, workspace, people, client_as):
    """Deleting the view a draft targets leaves the draft readable (page, API, list), saying what to do."""
    from ecp_tracker.domain.roles import Role

    user = people[Role.EDITOR]
    actor = Actor(user.id, user.email)
    view = save_view(db_session, actor, user.id, name="Soon gone", filters=AccountFilters(q="Fin"))
    db_session.commit()
    experiment = experiments.create_experiment(
        db_session, actor, body(target_kind="view", target_view_id=str(view.id)), TODAY
    )
    delete_view(db_session, actor, user.id, view.id)
    db_session.commit()
    line = experiments.planning_line(db_session, experiment)
    assert line.startswith("The saved view this experiment targets no longer exists")
    editor = client_as(Role.EDITOR)
    page = editor.get(f"/experiments/{experiment.id}")
    assert page.status_code == 200 and "no longer exists" in page.get_data(as_text=True)
    assert editor.get("/experiments/").status_code == 200
    with pytest.raises(ValidationError):  # and it cannot start until it has another target
        experiments.start_experiment(
            db_session, actor, experiment.id, version=experiment.version, today=TODAY
        )
