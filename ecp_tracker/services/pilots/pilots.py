"""Pilots: planning, the status lifecycle, pre-registered success criteria with amendments, results,
the outcome (which moves the account), and the mutual action plan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from ecp_tracker.domain.accounts import Stage
from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import (
    Conflict,
    InvalidFields,
    NotFound,
    ValidationError,
    check_version,
    problems_under,
)
from ecp_tracker.domain.numbers import is_id, parse_decimal
from ecp_tracker.domain.pilots import (
    Direction,
    PilotOutcome,
    PilotStatus,
    Scorecard,
    check_pilot_dates,
    check_prices,
    check_transition,
    criterion_met,
)
from ecp_tracker.models import CriterionAmendment, Milestone, Pilot, SuccessCriterion, User
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.accounts import read_only
from ecp_tracker.services.shared import audit, raw_input
from ecp_tracker.services.shared.lookup import child_row

CRITERION_FIELDS = ("description", "metric", "target", "unit", "direction")
# The field an amendment names when it changes the result of an ended pilot (it leaves the terms alone).
RESULT_FIELD = "actual"
PILOT_FIELDS = (
    "name",
    "hypothesis",
    "owner_id",
    "start_date",
    "planned_end_date",
    "list_price",
    "pilot_price",
    "price_reason",
)


# --- reading ---------------------------------------------------------------------------------------------


def get_pilot(session: Session, pilot_id: int) -> Pilot:
    """A pilot with account, owner, criteria (and amendments) and milestones, in a fixed number of queries."""
    stmt = (
        select(Pilot)
        .where(Pilot.id == pilot_id)
        .options(
            joinedload(Pilot.account),
            joinedload(Pilot.owner),
            selectinload(Pilot.criteria).selectinload(SuccessCriterion.amendments),
            selectinload(Pilot.milestones),
        )
    )
    pilot = session.scalar(stmt)
    if pilot is None:
        raise NotFound(f"There is no pilot with id {pilot_id}.")
    return pilot


def _plain_pilot(session: Session, pilot_id: int) -> Pilot:
    """The pilot alone (its relationships load when used): for writes that need little of it."""
    pilot = session.get(Pilot, pilot_id)
    if pilot is None:
        raise NotFound(f"There is no pilot with id {pilot_id}.")
    return pilot


def get_criterion(session: Session, criterion_id: int, pilot_id: int | None = None) -> SuccessCriterion:
    missing = f"There is no success criterion with id {criterion_id} on this pilot."
    return child_row(
        session, SuccessCriterion, criterion_id, parent="pilot_id", parent_id=pilot_id, missing=missing
    )


@dataclass(frozen=True)
class CriterionTerms:
    """What a criterion asks for now: the registered values, or the newest amendment's."""

    description: str
    metric: str
    target: Decimal
    unit: str
    direction: Direction
    amended: bool


def registered_terms(criterion: SuccessCriterion) -> CriterionTerms:
    """What the criterion asked for when it was registered (before any amendment)."""
    return CriterionTerms(
        description=criterion.description,
        metric=criterion.metric,
        target=Decimal(criterion.target),
        unit=criterion.unit,
        direction=Direction(criterion.direction),
        amended=False,
    )


def changes_terms(amendment: CriterionAmendment) -> bool:
    """Whether the amendment changes what the criterion asks for (not only its recorded result)."""
    return any(name in CRITERION_FIELDS for name in amendment.changes)


def effective_terms(criterion: SuccessCriterion) -> CriterionTerms:
    values: dict[str, Any] = {name: getattr(criterion, name) for name in CRITERION_FIELDS}
    for amendment in criterion.amendments:
        for name, (_old, new) in amendment.changes.items():
            if name in CRITERION_FIELDS:
                values[name] = Decimal(str(new)) if name == "target" else new
    return CriterionTerms(
        description=values["description"],
        metric=values["metric"],
        target=Decimal(values["target"]),
        unit=values["unit"],
        direction=Direction(values["direction"]),
        amended=any(changes_terms(a) for a in criterion.amendments),
    )


def number_text(value: Decimal) -> str:
    """A target as people write it: 300, not 300.0000 or 3E+2."""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def scorecard(pilot: Pilot) -> Scorecard:
    recorded = [c for c in pilot.criteria if c.met is not None]
    return Scorecard(
        total=len(pilot.criteria),
        recorded=len(recorded),
        met=sum(1 for c in recorded if c.met),
        outcome=PilotOutcome(pilot.outcome),
    )


def late_milestones(pilot: Pilot, today: date | None = None) -> list[Milestone]:
    if PilotStatus(pilot.status).is_ended:
        return []  # the plan of an ended pilot is history, not a to-do list
    today = today or raw_input.today()
    return [m for m in pilot.milestones if m.done_on is None and m.due_on < today]


# --- input -----------------------------------------------------------------------------------------------


def _clean_pilot(session: Session, raw: Mapping[str, Any], *, require_name: bool) -> dict[str, Any]:
    problems: list[tuple[str, str]] = []
    clean: dict[str, Any] = {}
    if "name" in raw or require_name:
        name = " ".join(str(raw.get("name") or "").split())
        if not name:
            problems.append(("name", "Give the pilot a name."))
        elif len(name) > 200:
            problems.append(("name", "Use at most 200 characters."))
        clean["name"] = name
    for key in ("hypothesis", "price_reason"):
        if key in raw:
            clean[key] = str(raw[key] or "").strip()
    if "owner_id" in raw:
        owner = raw["owner_id"]
        if owner in (None, ""):
            clean["owner_id"] = None
        elif is_id(str(owner)) and session.get(User, int(owner)) is not None:
            clean["owner_id"] = int(owner)
        else:
            problems.append(("owner_id", f"There is no user {owner!r}."))
    for key in ("start_date", "planned_end_date"):
        if key in raw:
            clean[key] = raw_input.day(raw[key], key, problems)
    for key in ("list_price", "pilot_price"):
        if key in raw:
            clean[key] = raw_input.money(raw[key], key, problems)
    if problems:
        raise InvalidFields(problems)
    return clean


def _check_pilot(pilot: Pilot) -> None:
    problems: list[tuple[str, str]] = []
    for check in (
        lambda: check_pilot_dates(pilot.start_date, pilot.planned_end_date, pilot.end_date),
        lambda: check_prices(pilot.list_price, pilot.pilot_price, pilot.price_reason or ""),
    ):
        try:
            check()
        except ValidationError as error:
            problems.append((error.field or "", error.message))
    if problems:
        raise InvalidFields(problems)


# --- pilots ----------------------------------------------------------------------------------------------


def plan_pilot(
    session: Session,
    actor: Actor,
    account_id: int,
    raw: Mapping[str, Any],
    criteria: Mapping[int, Mapping[str, Any]],
) -> Pilot:
    """Plan a pilot with its success criteria, all or nothing.

    `criteria` holds each row by its position in the input; every row is checked, and a row's problems are
    named `criteria.<position>.<field>`, so one answer lists them all. The caller rolls back on the error.
    """
    pilot = create_pilot(session, actor, account_id, raw)
    problems: list[tuple[str, str]] = []
    for position, row in sorted(criteria.items()):
        try:
            add_criterion(session, actor, pilot.id, row)
        except ValidationError as error:
            problems += problems_under(f"criteria.{position}", error)
    if problems:
        raise InvalidFields(problems)
    return pilot


def create_pilot(session: Session, actor: Actor, account_id: int, raw: Mapping[str, Any]) -> Pilot:
    account = read_only.open_account(session, account_id)
    clean = _clean_pilot(session, raw, require_name=True)
    pilot = Pilot(
        account_id=account_id,
        status=PilotStatus.PLANNED.value,
        outcome=PilotOutcome.PENDING.value,
        **{"hypothesis": "", "price_reason": "", **clean},
    )
    _check_pilot(pilot)
    audit.log_write(session, actor, pilot, summary=f"{pilot.name} with {account.name}")
    return pilot


def update_pilot(
    session: Session, actor: Actor, pilot_id: int, raw: Mapping[str, Any], *, version: int | None
) -> Pilot:
    pilot = get_pilot(session, pilot_id)
    check_version(pilot, version, pilot.name)
    clean = _clean_pilot(session, raw, require_name=False)
    if (
        "start_date" in clean
        and clean["start_date"] != pilot.start_date
        and pilot.status != PilotStatus.PLANNED
    ):
        raise InvalidFields([("start_date", "The start date is fixed once the pilot has started.")])
    for key, value in clean.items():
        setattr(pilot, key, value)
    _check_pilot(pilot)
    audit.log_write(session, actor, pilot, summary=pilot.name)
    return pilot


def transition(
    session: Session,
    actor: Actor,
    pilot_id: int,
    to: str,
    *,
    on: date | None = None,
    planned_end_date: date | None = None,
) -> Pilot:
    """Move the pilot to status `to` on day `on` (default today). Starting freezes its criteria (and may set
    the planned end); extending needs a later planned end; ending sets the end date. Everything is checked
    before anything changes."""
    pilot = get_pilot(session, pilot_id)
    try:
        target = PilotStatus(to)
    except ValueError:
        raise ValidationError(f"Unknown status {to!r}.", field="to") from None
    current = PilotStatus(pilot.status)
    check_transition(current, target)
    today = raw_input.today()
    start, planned_end, end = pilot.start_date, pilot.planned_end_date, pilot.end_date
    if target is PilotStatus.ACTIVE:
        if not pilot.criteria:
            raise ValidationError("Agree at least one success criterion before the pilot starts.", field="to")
        start = on or start or today
        planned_end = planned_end_date or planned_end
        if planned_end is None:
            raise ValidationError(
                "Set the planned end date before the pilot starts.", field="planned_end_date"
            )
    elif target is PilotStatus.EXTENDED:
        if planned_end_date is None or (planned_end and planned_end_date <= planned_end):
            raise ValidationError(
                "Extending needs a new planned end, later than the current one.", field="planned_end_date"
            )
        planned_end = planned_end_date
    else:
        end = on or today
        if end > today:
            raise ValidationError("A pilot ends today or earlier, not in the future.", field="on")
    # a planned pilot that is cancelled never ran: its planned start may lie after the day it was cancelled
    never_ran = current is PilotStatus.PLANNED and target is not PilotStatus.ACTIVE
    check_pilot_dates(None if never_ran else start, planned_end, None if never_ran else end)

    pilot.start_date, pilot.planned_end_date, pilot.end_date = start, planned_end, end
    pilot.status = target.value
    now = utcnow()
    if target is PilotStatus.ACTIVE:
        pilot.criteria_frozen_at = now
    audit.log_write(session, actor, pilot, action=f"status:{target.value}", summary=pilot.name)
    if target is PilotStatus.ACTIVE:
        for criterion in pilot.criteria:
            criterion.frozen_at = now
            audit.log_write(session, actor, criterion, action="freeze", summary=criterion.metric)
        if pilot.account.stage == Stage.PROSPECT.value:
            pilot.account.stage = Stage.PILOT.value
            audit.log_write(session, actor, pilot.account, summary=f"pilot {pilot.name} started")
    return pilot


def record_outcome(
    session: Session,
    actor: Actor,
    pilot_id: int,
    outcome: str,
    *,
    contract_value: Any = None,
    converted_on: date | None = None,
    mark_account_lost: bool = False,
) -> Pilot:
    """Converted: the account becomes a customer (from `converted_on`). Not converted: optionally lost."""
    pilot = get_pilot(session, pilot_id)
    if pilot.outcome != PilotOutcome.PENDING.value:
        raise Conflict(
            f"The outcome ({pilot.outcome.replace('_', ' ')}) is already recorded; "
            "it moved the account, so change the account itself if it was wrong."
        )
    try:
        result = PilotOutcome(outcome)
    except ValueError:
        raise ValidationError(f"Unknown outcome {outcome!r}.", field="outcome") from None
    if not PilotStatus(pilot.status).is_ended and result is not PilotOutcome.PENDING:
        raise ValidationError("Record the outcome once the pilot has ended.", field="outcome")
    account = pilot.account
    if result is PilotOutcome.CONVERTED:
        problems: list[tuple[str, str]] = []
        value = raw_input.money(contract_value, "contract_value", problems)
        if value is None and not problems:
            problems.append(("contract_value", "Enter the contract value the customer signed."))
        day = converted_on or raw_input.today()
        if day > raw_input.today():
            problems.append(("converted_on", "The conversion date cannot be in the future."))
        if pilot.start_date and day < pilot.start_date:
            problems.append(("converted_on", "The conversion date cannot be before the pilot started."))
        if problems:
            raise InvalidFields(problems)
        pilot.contract_value, pilot.converted_on = value, day
        if account.stage != Stage.CUSTOMER.value:
            account.stage = Stage.CUSTOMER.value
            account.converted_on = account.converted_on or day
            account.churned_on = None
            account.contract_value = value
            audit.log_write(session, actor, account, summary=f"converted by pilot {pilot.name}")
    else:
        pilot.contract_value, pilot.converted_on = None, None
        if (
            result is PilotOutcome.NOT_CONVERTED
            and mark_account_lost
            and account.stage
            in {
                Stage.PROSPECT.value,
                Stage.PILOT.value,
            }
        ):
            account.stage = Stage.LOST.value
            audit.log_write(session, actor, account, summary=f"lost after pilot {pilot.name}")
    pilot.outcome = result.value
    audit.log_write(session, actor, pilot, action=f"outcome:{result.value}", summary=pilot.name)
    return pilot


# --- criteria --------------------------------------------------------------------------------------------


def _clean_criterion(raw: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    problems: list[tuple[str, str]] = []
    clean: dict[str, Any] = {}
    for key, limit in (("description", 2000), ("metric", 120), ("unit", 40)):
        if key in raw or (not partial and key != "unit"):
            text = " ".join(str(raw.get(key) or "").split())
            if not text and key != "unit":
                problems.append((key, f"Enter the {key}."))
            elif len(text) > limit:
                problems.append((key, f"Use at most {limit} characters."))
            clean[key] = text
    if "target" in raw or not partial:
        value = raw.get("target")
        number = (
            parse_decimal(str(value)) if value not in (None, "") and not isinstance(value, bool) else None
        )
        if number is None:
            problems.append(("target", "Enter the target as a number, e.g. 95 or 0.5."))
        elif abs(number) >= raw_input.MEASURE_LIMIT:
            problems.append(("target", raw_input.MEASURE_TOO_LARGE))
        else:
            clean["target"] = number
    if "direction" in raw or not partial:
        direction = str(raw.get("direction") or Direction.AT_LEAST.value)
        if direction not in {d.value for d in Direction}:
            problems.append(("direction", "Direction is at_least or at_most."))
        clean["direction"] = direction
    if problems:
        raise InvalidFields(problems)
    return clean


def add_criterion(session: Session, actor: Actor, pilot_id: int, raw: Mapping[str, Any]) -> SuccessCriterion:
    pilot = _plain_pilot(session, pilot_id)
    if pilot.status != PilotStatus.PLANNED.value:
        raise Conflict("Criteria are agreed before the pilot starts; this one has started, so amend instead.")
    clean = _clean_criterion(raw, partial=False)
    clean.setdefault("unit", "")
    criterion = SuccessCriterion(position=len(pilot.criteria), **clean)
    pilot.criteria.append(criterion)
    audit.log_write(session, actor, criterion, summary=f"{clean['metric']} on {pilot.name}")
    return criterion


def update_criterion(
    session: Session, actor: Actor, criterion_id: int, raw: Mapping[str, Any], *, version: int | None
) -> SuccessCriterion:
    """Edit a criterion while its pilot is planned; once it has started, only an amendment can change it."""
    criterion = get_criterion(session, criterion_id)
    if criterion.frozen_at is not None or criterion.pilot.status != PilotStatus.PLANNED.value:
        raise Conflict(
            "This criterion was frozen when the pilot started; record an amendment with a reason instead."
        )
    check_version(criterion, version, "The criterion")
    for key, value in _clean_criterion(raw, partial=True).items():
        setattr(criterion, key, value)
    audit.log_write(session, actor, criterion, summary=criterion.metric)
    return criterion


def amend_criterion(
    session: Session, actor: Actor, criterion_id: int, *, reason: str, changes: Mapping[str, Any]
) -> CriterionAmendment:
    """Change a frozen criterion of a running pilot, keeping the registered values and saying why."""
    criterion = get_criterion(session, criterion_id)
    pilot = criterion.pilot
    if criterion.frozen_at is None:
        raise Conflict("The pilot has not started: edit the criterion itself, no amendment is needed.")
    if not PilotStatus(pilot.status).is_running:
        raise Conflict("Only the criteria of a running pilot can be amended.")
    reason = reason.strip()
    if len(reason) < 5:
        raise InvalidFields([("reason", "Say why the criterion changes (at least a few words).")])
    clean = _clean_criterion({k: v for k, v in changes.items() if k in CRITERION_FIELDS}, partial=True)
    current = effective_terms(criterion)
    diff: dict[str, list[Any]] = {}
    for key, value in clean.items():
        old = getattr(current, key)
        if key == "target":
            if old != value:  # numerically: 300 and 300.0000 are the same target
                diff[key] = [number_text(old), number_text(value)]
            continue
        old_plain = old.value if isinstance(old, Direction) else old
        if old_plain != value:
            diff[key] = [old_plain, value]
    if not diff:
        raise InvalidFields([("target", "The amendment changes nothing; give at least one new value.")])
    amendment = CriterionAmendment(
        criterion_id=criterion.id,
        reason=reason,
        changes=diff,
        amended_by_id=actor.user_id,
        amended_by_label=actor.label,
    )
    criterion.amendments.append(amendment)
    if criterion.actual is not None:
        terms = effective_terms(criterion)
        criterion.met = criterion_met(terms.direction, terms.target, criterion.actual)
    audit.log_write(session, actor, amendment, summary=f"{criterion.metric}: {reason[:120]}")
    return amendment


def record_result(
    session: Session,
    actor: Actor,
    criterion_id: int,
    actual: Any,
    *,
    version: int | None,
    reason: str | None = None,
) -> SuccessCriterion:
    """The measured value; met / not met follows from the (amended) target and direction.

    Once the pilot has ended its results are the record it ended on: changing or clearing a recorded result
    is then an amendment with a reason, kept beside the criterion like an amendment of its terms. A result
    first recorded after the end needs no reason."""
    criterion = get_criterion(session, criterion_id)
    pilot = criterion.pilot
    if pilot.status == PilotStatus.PLANNED.value:
        raise Conflict("Results are recorded once the pilot has started.")
    check_version(criterion, version, "The criterion")
    number: Decimal | None = None
    if actual not in (None, ""):
        number = parse_decimal(str(actual)) if not isinstance(actual, bool) else None
        if number is None:
            raise InvalidFields([("actual", f"Enter the measured value as a number, not {str(actual)!r}.")])
        if abs(number) >= raw_input.MEASURE_LIMIT:
            raise InvalidFields([("actual", raw_input.MEASURE_TOO_LARGE)])
    old = criterion.actual
    amendment = None
    if PilotStatus(pilot.status).is_ended and old is not None:
        amendment = _result_amendment(criterion, actor, old, number, reason)
    criterion.actual = number
    terms = effective_terms(criterion)
    criterion.met = criterion_met(terms.direction, terms.target, number)
    if amendment is not None:
        criterion.amendments.append(amendment)
        summary = f"{criterion.metric} result: {amendment.reason[:120]}"
        audit.log_write(session, actor, amendment, summary=summary)
    audit.log_write(session, actor, criterion, action="result", summary=criterion.metric)
    return criterion


def _result_amendment(
    criterion: SuccessCriterion, actor: Actor, old: Decimal, new: Decimal | None, reason: str | None
) -> CriterionAmendment:
    """The amendment that changes the result of an ended pilot from `old` to `new`, with its reason."""
    if new is not None and new == old:
        raise InvalidFields(
            [(RESULT_FIELD, f"The result is already {number_text(old)}; give the corrected value.")]
        )
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise InvalidFields(
            [("reason", "The pilot has ended: say why its result changes (at least a few words).")]
        )
    return CriterionAmendment(
        criterion_id=criterion.id,
        reason=reason,
        changes={RESULT_FIELD: [number_text(old), None if new is None else number_text(new)]},
        amended_by_id=actor.user_id,
        amended_by_label=actor.label,
    )


# --- mutual action plan ----------------------------------------------------------------------------------


def add_milestone(session: Session, actor: Actor, pilot_id: int, raw: Mapping[str, Any]) -> Milestone:
    pilot = _plain_pilot(session, pilot_id)
    problems: list[tuple[str, str]] = []
    title = " ".join(str(raw.get("title") or "").split())
    if not title:
        problems.append(("title", "Say what has to happen."))
    due = raw_input.day(raw.get("due_on"), "due_on", problems)
    if due is None and not any(f == "due_on" for f, _ in problems):
        problems.append(("due_on", "Give the due date."))
    side = str(raw.get("side") or "ours")
    if side not in {"ours", "customer"}:
        problems.append(("side", "The owner's side is ours or customer."))
    if problems:
        raise InvalidFields(problems)
    milestone = Milestone(
        pilot_id=pilot.id,
        title=title[:200],
        due_on=due,
        side=side,
        owner_name=str(raw.get("owner_name") or "")[:120],
    )
    audit.log_write(session, actor, milestone, summary=f"{title[:80]} ({pilot.name})")
    return milestone


def set_milestone_done(
    session: Session,
    actor: Actor,
    milestone_id: int,
    *,
    done: bool,
    on: date | None = None,
    version: int | None = None,
) -> Milestone:
    """Tick a milestone off (on day `on`, default today) or reopen it; a given `version` must be current."""
    milestone = session.get(Milestone, milestone_id)
    if milestone is None:
        raise NotFound(f"There is no milestone with id {milestone_id}.")
    if version is not None:
        check_version(milestone, version, f"The milestone {milestone.title}")
    milestone.done_on = (on or raw_input.today()) if done else None
    audit.log_write(session, actor, milestone, action="done" if done else "reopen", summary=milestone.title)
    return milestone


def pilots_of_account(session: Session, account_id: int) -> Sequence[Pilot]:
    return session.scalars(
        select(Pilot).where(Pilot.account_id == account_id).order_by(Pilot.id.desc())
    ).all()
