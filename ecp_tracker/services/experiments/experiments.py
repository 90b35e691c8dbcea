"""Experiments: drafts, the start (the arms drawn once, with a recorded seed), amendments of the frozen terms,
custom outcomes, the finish, and the results per arm with the verdict (docs/experiments.md)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload

from ecp_tracker.analysis.experiments import (
    Arm,
    ArmCounts,
    Design,
    ExperimentResult,
    assign,
    experiment_result,
    holdout_size,
    sample_size_line,
)
from ecp_tracker.domain.accounts import CONVERTED_STAGES
from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import Conflict, InvalidFields, NotFound, ValidationError, check_version
from ecp_tracker.domain.experiments import (
    AMENDABLE_FIELDS,
    ExperimentStatus,
    Metric,
    TargetKind,
    check_editable,
    check_transition,
    clean_terms,
)
from ecp_tracker.domain.icp import EXCLUDED
from ecp_tracker.models import (
    Account,
    Experiment,
    ExperimentAmendment,
    ExperimentArm,
    Interview,
    Pilot,
    Review,
    SavedView,
)
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.accounts.importing.presets import neutralise
from ecp_tracker.services.accounts.listing import AccountFilters, filtered_statement
from ecp_tracker.services.icp.scoring import NO_TIER, active_version, tiers_of
from ecp_tracker.services.shared import audit
from ecp_tracker.services.shared.csv_stream import csv_chunks
from ecp_tracker.services.shared.derived import score_columns

FRACTIONS = ("min_lift", "holdout_share", "baseline_rate")
OWN_FIELDS = (
    "name",
    "hypothesis",
    "metric",
    "custom_metric",
    "min_lift",
    "holdout_share",
    "baseline_rate",
    "stratify_by",
    "planned_end",
    "seed",
    "target_kind",
)


def list_experiments(session: Session) -> Sequence[Experiment]:
    return session.scalars(select(Experiment).order_by(Experiment.id.desc())).all()


def get_experiment(session: Session, experiment_id: int) -> Experiment:
    experiment = session.get(Experiment, experiment_id)
    if experiment is None:
        raise NotFound("There is no experiment with that id.")
    return experiment


def tier_choices(session: Session) -> list[str]:
    """The tiers of the version in force, best first, then `excluded` and `none`."""
    version = active_version(session)
    if version is None:
        return []
    return [t.name for t in tiers_of(version)] + [EXCLUDED, NO_TIER]


def _target(session: Session, actor: Actor, body: Mapping[str, Any], kind: str | None) -> dict[str, Any]:
    """The target's fields, checked: a tier of the version in force, or one of the user's saved views."""
    if kind == TargetKind.TIER.value:
        tier = str(body.get("target_tier") or "").strip()
        choices = tier_choices(session)
        if not choices:
            raise ValidationError(
                "No ICP version is active, so there are no tiers to target.", field="target_tier"
            )
        if tier not in choices:
            raise ValidationError(f"The tier is one of {', '.join(choices)}.", field="target_tier")
        return {"target_tier": tier, "target_view_id": None, "target_label": f"ICP tier {tier}"}
    raw = body.get("target_view_id")
    try:
        view_id = int(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        view_id = None
    view = session.get(SavedView, view_id) if view_id is not None else None
    if view is None or view.user_id != actor.user_id:
        raise ValidationError("Choose one of your saved views.", field="target_view_id")
    return {"target_tier": None, "target_view_id": view.id, "target_label": f"Saved view {view.name}"}


def _review(session: Session, raw: Any) -> int | None:
    if raw in (None, ""):
        return None
    try:
        review = session.get(Review, int(raw))
    except (TypeError, ValueError):
        review = None
    if review is None:
        raise ValidationError("There is no review with that id.", field="review_id")
    return review.id


def _apply(experiment: Experiment, clean: Mapping[str, Any]) -> None:
    for key, value in clean.items():
        if key in FRACTIONS and value is not None:
            value = Decimal(str(round(value, 4)))
        setattr(experiment, key, value)


def create_experiment(session: Session, actor: Actor, body: Mapping[str, Any], today: date) -> Experiment:
    """A draft: nothing is drawn until it starts."""
    clean = clean_terms({k: body.get(k) for k in OWN_FIELDS}, partial=False, today=today)
    target = _target(session, actor, body, clean["target_kind"])
    review_id = _review(session, body.get("review_id"))
    experiment = Experiment(status=ExperimentStatus.DRAFT.value, owner_id=actor.user_id, review_id=review_id)
    _apply(experiment, clean | target)
    audit.log_write(session, actor, experiment, summary=experiment.name)
    return experiment


def update_experiment(
    session: Session,
    actor: Actor,
    experiment_id: int,
    body: Mapping[str, Any],
    *,
    version: int | None,
    today: date,
) -> Experiment:
    """Edit a draft freely; a running experiment only its name, planned end and review (frozen terms are
    amended with a reason instead); a finished one not at all."""
    experiment = get_experiment(session, experiment_id)
    check_version(experiment, version, f"The experiment {experiment.name}")
    given = {k for k in body if k in (*OWN_FIELDS, "target_tier", "target_view_id", "review_id")}
    check_editable(ExperimentStatus(experiment.status), given)
    clean = clean_terms({k: body[k] for k in given if k in OWN_FIELDS}, partial=True, today=today)
    if {"target_kind", "target_tier", "target_view_id"} & given:
        kind = clean.get("target_kind", experiment.target_kind)
        merged = {"target_tier": experiment.target_tier, "target_view_id": experiment.target_view_id} | {
            k: body[k] for k in ("target_tier", "target_view_id") if k in body
        }
        clean |= _target(session, actor, merged, kind)
    if "review_id" in given:
        clean["review_id"] = _review(session, body.get("review_id"))
    metric = clean.get("metric", experiment.metric)
    if metric == Metric.CUSTOM.value and not clean.get("custom_metric", experiment.custom_metric):
        raise ValidationError(
            "Say what the custom yes/no records (e.g. 'booked a demo').", field="custom_metric"
        )
    _apply(experiment, clean)
    audit.log_write(session, actor, experiment, summary=experiment.name)
    return experiment


# --- the target and the draw --------------------------------------------------------------------------------


def target_statement(session: Session, experiment: Experiment) -> Select[tuple[Account]]:
    """The live accounts the target selects now (at the start, the arms are drawn from these)."""
    if experiment.target_kind == TargetKind.TIER.value:
        filters = AccountFilters(tier=(experiment.target_tier or "",))
    else:
        view = session.get(SavedView, experiment.target_view_id) if experiment.target_view_id else None
        if view is None:
            raise ValidationError(
                "The saved view this experiment targets no longer exists.", field="target_view_id"
            )
        filters = replace(AccountFilters.from_query(view.filters), include_archived=False)
    return filtered_statement(filters, score_columns(session))


def _target_filters(session: Session, experiment: Experiment) -> dict[str, Any]:
    if experiment.target_kind == TargetKind.TIER.value:
        return {"tier": [experiment.target_tier]}
    view = session.get(SavedView, experiment.target_view_id)
    return dict(view.filters) if view is not None else {}


def target_ids(session: Session, experiment: Experiment) -> list[int]:
    stmt = target_statement(session, experiment).with_only_columns(Account.id).order_by(None)
    return sorted(session.scalars(stmt))


def target_count(session: Session, experiment: Experiment) -> int | None:
    """How many accounts a draft's target selects now; None when its saved view was deleted since."""
    try:
        return len(target_ids(session, experiment))
    except ValidationError:
        return None


def design_of(experiment: Experiment, terms: Terms | None = None) -> Design:
    terms = terms or effective_terms(experiment)
    return Design(min_lift=float(terms.min_lift), baseline_rate=float(experiment.baseline_rate))


def planning_line(session: Session, experiment: Experiment) -> str:
    """The sample-size line: before the start for the accounts the target selects now, then for the arms."""
    if experiment.status == ExperimentStatus.DRAFT.value:
        found = target_count(session, experiment)
        if found is None:
            return "The saved view this experiment targets no longer exists: give it another target to start."
        n = found
    else:
        n = len(experiment.arms)
    return sample_size_line(n, float(experiment.holdout_share), design_of(experiment))


def start_experiment(
    session: Session, actor: Actor, experiment_id: int, *, version: int | None, today: date
) -> Experiment:
    """Freeze the terms and draw the arms from the target's accounts, once: the seed is recorded (drawn from
    `secrets` when none was given), the arms stored per account; accounts joining the target later are not
    added."""
    experiment = get_experiment(session, experiment_id)
    check_version(experiment, version, f"The experiment {experiment.name}")
    check_transition(ExperimentStatus(experiment.status), ExperimentStatus.RUNNING)
    if experiment.planned_end < today:
        raise ValidationError("The planned end has passed: move it before starting.", field="planned_end")
    ids = target_ids(session, experiment)
    share = float(experiment.holdout_share)
    if holdout_size(share, len(ids)) < 1 or holdout_size(share, len(ids)) >= len(ids):
        raise ValidationError(
            f"The target selects {len(ids)} accounts: too few for a campaign arm and a holdout.",
            field="target_kind",
        )
    strata: dict[int, str] | None = None
    if experiment.stratify_by:
        column = getattr(Account, experiment.stratify_by)
        strata = {
            account_id: (value or "")
            for account_id, value in session.execute(select(Account.id, column).where(Account.id.in_(ids)))
        }
    if experiment.seed is None:
        experiment.seed = secrets.randbits(63)
    arms = assign(ids, share, experiment.seed, strata)
    now = utcnow()
    experiment.status = ExperimentStatus.RUNNING.value
    experiment.started_at = experiment.frozen_at = now
    experiment.started_on = today
    experiment.target_filters = _target_filters(session, experiment)
    for account_id in ids:
        session.add(
            ExperimentArm(
                experiment=experiment,
                account_id=account_id,
                arm=arms[account_id].value,
                stratum=(strata or {}).get(account_id, "")[:120],
            )
        )
    holdout = sum(1 for arm in arms.values() if arm is Arm.HOLDOUT)
    audit.log_write(
        session,
        actor,
        experiment,
        action="start",
        summary=f"{experiment.name}: {len(ids) - holdout} in the campaign, {holdout} held out",
        extra_changes={"arms": [None, {"target": len(ids) - holdout, "holdout": holdout}]},
    )
    return experiment


def finish_experiment(
    session: Session, actor: Actor, experiment_id: int, *, version: int | None
) -> Experiment:
    experiment = get_experiment(session, experiment_id)
    check_version(experiment, version, f"The experiment {experiment.name}")
    check_transition(ExperimentStatus(experiment.status), ExperimentStatus.FINISHED)
    experiment.status = ExperimentStatus.FINISHED.value
    experiment.finished_at = utcnow()
    audit.log_write(session, actor, experiment, action="finish", summary=experiment.name)
    return experiment


# --- amendments ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """The terms that apply: the registered ones with every amendment applied in order."""

    hypothesis: str
    metric: str
    min_lift: Decimal
    amended: tuple[str, ...]  # the fields some amendment changed


def effective_terms(experiment: Experiment) -> Terms:
    values: dict[str, Any] = {
        "hypothesis": experiment.hypothesis,
        "metric": experiment.metric,
        "min_lift": experiment.min_lift,
    }
    amended: list[str] = []
    for amendment in experiment.amendments:
        for key, (_, new) in amendment.changes.items():
            values[key] = Decimal(str(new)) if key == "min_lift" else new
            if key not in amended:
                amended.append(key)
    return Terms(values["hypothesis"], values["metric"], values["min_lift"], tuple(amended))


def amend_experiment(
    session: Session, actor: Actor, experiment_id: int, *, reason: str, changes: Mapping[str, Any]
) -> ExperimentAmendment:
    """Change a frozen term of a running experiment, keeping the registered value and saying why."""
    experiment = get_experiment(session, experiment_id)
    if experiment.status == ExperimentStatus.DRAFT.value:
        raise Conflict("The experiment has not started: edit it directly, no amendment is needed.")
    if experiment.status != ExperimentStatus.RUNNING.value:
        raise Conflict("Only a running experiment's terms can be amended.")
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise InvalidFields([("reason", "Say why the term changes (at least a few words).")])
    if "holdout_share" in changes:
        raise ValidationError(
            "The holdout share drew the arms at the start; they are never redrawn.", field="holdout_share"
        )
    given = {k: v for k, v in changes.items() if k in AMENDABLE_FIELDS and v not in (None, "")}
    clean = clean_terms(given, partial=True)
    current = effective_terms(experiment)
    diff: dict[str, list[Any]] = {}
    for key, value in clean.items():
        old = getattr(current, key)
        if key == "min_lift":
            value = Decimal(str(round(value, 4)))
            if value != old:
                diff[key] = [str(old.normalize()), str(value.normalize())]
        elif value != old:
            diff[key] = [old, value]
    if diff.get("metric", [None, None])[1] == Metric.CUSTOM.value and not experiment.custom_metric:
        raise ValidationError("A custom metric needs its description, set before the start.", field="metric")
    if not diff:
        raise InvalidFields(
            [(next(iter(AMENDABLE_FIELDS)), "The amendment changes nothing; give a new value.")]
        )
    amendment = ExperimentAmendment(
        experiment=experiment,
        reason=reason,
        changes=diff,
        amended_by_id=actor.user_id,
        amended_by_label=actor.label,
    )
    session.add(amendment)
    audit.log_write(session, actor, amendment, summary=f"{experiment.name}: {reason[:120]}")
    return amendment


# --- custom outcomes ----------------------------------------------------------------------------------------

YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


def parse_outcome(raw: Any) -> bool:
    """yes / no (true / false, 1 / 0, y / n); anything else raises ValueError."""
    if isinstance(raw, bool):
        return raw
    text = str(raw or "").strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(text)


def record_outcomes(session: Session, actor: Actor, experiment_id: int, outcomes: Mapping[int, Any]) -> int:
    """The custom yes/no of accounts in the experiment (account id -> yes / no); all or nothing. Returns how
    many changed. Recorded once the experiment has started, also after it finished: the outcome of a finished
    experiment is often known only later, and until every one is recorded its verdict stays "too early"."""
    experiment = get_experiment(session, experiment_id)
    if experiment.status == ExperimentStatus.DRAFT.value:
        raise Conflict("Outcomes are recorded once the experiment has started.", field="outcomes")
    if effective_terms(experiment).metric != Metric.CUSTOM.value:
        raise ValidationError(
            "This experiment's metric is not a custom yes/no: nothing to record.", field="outcomes"
        )
    if not outcomes:
        raise ValidationError("Give at least one account and its outcome.", field="outcomes")
    arms = {arm.account_id: arm for arm in experiment.arms}
    problems: list[tuple[str, str]] = []
    parsed: dict[int, bool] = {}
    for account_id, raw in outcomes.items():
        if account_id not in arms:
            problems.append(("outcomes", f"Account {account_id} is not in this experiment."))
            continue
        try:
            parsed[account_id] = parse_outcome(raw)
        except ValueError:
            problems.append(("outcomes", f"The outcome of account {account_id} is yes or no, not {raw!r}."))
    if problems:
        raise InvalidFields(problems)
    changed = 0
    now = utcnow()
    for account_id, value in parsed.items():
        arm = arms[account_id]
        if arm.outcome is value:
            continue
        arm.outcome = value
        arm.outcome_recorded_at = now
        audit.log_write(session, actor, arm, summary=f"{experiment.name}: account {account_id}")
        changed += 1
    return changed


# --- results ------------------------------------------------------------------------------------------------


def _positive(metric: str, started_on: date, until: date | None) -> Any:
    """Whether an account has the metric's yes: an event on or after the start (and, once the experiment is
    finished, on or before the day it finished)."""

    def within(column: Any) -> Any:
        return and_(column >= started_on, column <= until) if until is not None else column >= started_on

    converted = and_(Account.stage.in_(CONVERTED_STAGES), within(Account.converted_on))
    piloted = exists().where(Pilot.account_id == Account.id, within(Pilot.start_date))
    if metric == Metric.CONVERTED.value:
        return converted
    if metric == Metric.PILOT_STARTED.value:
        return piloted
    interviewed = exists().where(
        Interview.account_id == Account.id, within(Interview.held_on), Interview.archived_at.is_(None)
    )
    return or_(converted, piloted, interviewed)


def arm_counts(session: Session, experiment: Experiment, metric: str) -> dict[str, ArmCounts]:
    """Per arm: the accounts drawn, those whose outcome is known, and those with the outcome; in one query."""
    if metric == Metric.CUSTOM.value:
        measured = ExperimentArm.outcome.is_not(None)
        positive: Any = ExperimentArm.outcome.is_(True)
    else:
        measured = ExperimentArm.id.is_not(None)
        until = experiment.finished_at.date() if experiment.finished_at else None
        positive = _positive(metric, experiment.started_on or date.min, until)
    rows = session.execute(
        select(
            ExperimentArm.arm,
            func.count(),
            func.sum(case((measured, 1), else_=0)),
            func.sum(case((and_(measured, positive), 1), else_=0)),
        )
        .join(Account, Account.id == ExperimentArm.account_id)
        .where(ExperimentArm.experiment_id == experiment.id)
        .group_by(ExperimentArm.arm)
    ).all()
    found = {arm: ArmCounts(int(n), int(m or 0), int(p or 0)) for arm, n, m, p in rows}
    return {arm.value: found.get(arm.value, ArmCounts(0, 0, 0)) for arm in Arm}


def results(session: Session, experiment: Experiment, today: date) -> ExperimentResult | None:
    """None before the start."""
    if experiment.status == ExperimentStatus.DRAFT.value:
        return None
    terms = effective_terms(experiment)
    counts = arm_counts(session, experiment, terms.metric)
    ended = experiment.status == ExperimentStatus.FINISHED.value or today >= experiment.planned_end
    return experiment_result(
        counts[Arm.TARGET.value], counts[Arm.HOLDOUT.value], design_of(experiment, terms), ended=ended
    )


def require_results(session: Session, experiment: Experiment, today: date) -> ExperimentResult:
    found = results(session, experiment, today)
    if found is None:
        raise Conflict("The experiment has not started: there are no results yet.")
    return found


def result_json(result: ExperimentResult | None) -> dict[str, Any] | None:
    if result is None:
        return None

    def arm(counts: ArmCounts, rate: Any) -> dict[str, Any]:
        return {
            "assigned": counts.assigned,
            "measured": counts.measured,
            "positive": counts.positive,
            "rate": rate.value if rate else None,
            "rate_low": rate.low if rate else None,
            "rate_high": rate.high if rate else None,
        }

    return {
        "target": arm(result.target, result.target_rate),
        "holdout": arm(result.holdout, result.holdout_rate),
        "lift": result.lift,
        "lift_low": result.lift_low,
        "lift_high": result.lift_high,
        "p_value": result.p_value,
        "min_lift": result.min_lift,
        "detectable_lift": result.detectable_lift,
        "verdict": result.verdict.value,
        "explanation": result.explanation,
    }


def discussed_in(
    session: Session, review_id: int, today: date
) -> list[tuple[Experiment, ExperimentResult | None]]:
    """The experiments linked to a review, with their results as of today (None for a draft)."""
    found = session.scalars(
        select(Experiment).where(Experiment.review_id == review_id).order_by(Experiment.id)
    ).all()
    return [(experiment, results(session, experiment, today)) for experiment in found]


def arms_of_account(session: Session, account_id: int) -> list[ExperimentArm]:
    """The account's arms in every experiment, newest experiment first (for the account page)."""
    return list(
        session.scalars(
            select(ExperimentArm)
            .options(joinedload(ExperimentArm.experiment))
            .where(ExperimentArm.account_id == account_id)
            .order_by(ExperimentArm.experiment_id.desc())
        )
    )


ARM_HEADER = ("experiment_id", "account_id", "account", "arm", "stratum", "outcome")


def arm_rows(session: Session, experiment: Experiment) -> list[list[Any]]:
    """The arms as rows of ARM_HEADER's columns, in account id order (outcome: yes, no or blank)."""
    rows: list[list[Any]] = []
    for arm, name in session.execute(
        select(ExperimentArm, Account.name)
        .join(Account, Account.id == ExperimentArm.account_id)
        .where(ExperimentArm.experiment_id == experiment.id)
        .order_by(ExperimentArm.account_id)
    ):
        outcome = "" if arm.outcome is None else ("yes" if arm.outcome else "no")
        rows.append([experiment.id, arm.account_id, name, arm.arm, arm.stratum, outcome])
    return rows


def arm_csv(session: Session, experiment: Experiment) -> Iterator[str]:
    """The arms as CSV text; cells a spreadsheet would run as a formula are neutralised as in the account
    export."""
    rows = ([neutralise(str(cell)) for cell in row] for row in arm_rows(session, experiment))
    return (text for text, _ in csv_chunks(ARM_HEADER, rows))


def experiment_json(session: Session, experiment: Experiment, today: date) -> dict[str, Any]:
    terms = effective_terms(experiment)
    counts = {a.value: 0 for a in Arm}
    for arm in experiment.arms:
        counts[arm.arm] += 1
    return {
        "id": experiment.id,
        "name": experiment.name,
        "status": experiment.status,
        "hypothesis": experiment.hypothesis,
        "metric": experiment.metric,
        "custom_metric": experiment.custom_metric,
        "min_lift": float(experiment.min_lift),
        "holdout_share": float(experiment.holdout_share),
        "baseline_rate": float(experiment.baseline_rate),
        "target_kind": experiment.target_kind,
        "target_tier": experiment.target_tier,
        "target_view_id": experiment.target_view_id,
        "target_label": experiment.target_label,
        "target_filters": experiment.target_filters,
        "stratify_by": experiment.stratify_by,
        "planned_end": experiment.planned_end.isoformat(),
        "seed": str(experiment.seed) if experiment.seed is not None else None,
        "started_at": experiment.started_at.isoformat() if experiment.started_at else None,
        "finished_at": experiment.finished_at.isoformat() if experiment.finished_at else None,
        "review_id": experiment.review_id,
        "arms": counts,
        "effective": {
            "hypothesis": terms.hypothesis,
            "metric": terms.metric,
            "min_lift": float(terms.min_lift),
        },
        "amendments": [
            {
                "id": a.id,
                "reason": a.reason,
                "changes": a.changes,
                "amended_by": a.amended_by_label,
                "amended_at": a.amended_at.isoformat(),
            }
            for a in experiment.amendments
        ],
        "sample_size": planning_line(session, experiment),
        "version": experiment.version,
    }
