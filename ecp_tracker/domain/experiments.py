"""Experiments: statuses, metrics, targets, what may change when, and the checks of their terms."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from ecp_tracker.domain.errors import Conflict, InvalidFields


class ExperimentStatus(StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    FINISHED = "finished"

    @property
    def label(self) -> str:
        return self.value.capitalize()


TRANSITIONS: dict[ExperimentStatus, frozenset[ExperimentStatus]] = {
    ExperimentStatus.DRAFT: frozenset({ExperimentStatus.RUNNING}),
    ExperimentStatus.RUNNING: frozenset({ExperimentStatus.FINISHED}),
    ExperimentStatus.FINISHED: frozenset(),
}


class Metric(StrEnum):
    CONVERTED = "converted"
    RESPONDED = "responded"
    PILOT_STARTED = "pilot_started"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return {
            "converted": "Converted",
            "responded": "Responded",
            "pilot_started": "Pilot started",
            "custom": "Custom yes/no",
        }[self.value]

    @property
    def meaning(self) -> str:
        """What counts as a yes, in words (docs/experiments.md)."""
        return {
            "converted": "converted (customer or churned) on or after the start",
            "responded": "an interview held or a pilot started on or after the start, or converted since",
            "pilot_started": "a pilot starting on or after the start",
            "custom": "recorded yes for the account",
        }[self.value]


class TargetKind(StrEnum):
    TIER = "tier"  # an ICP tier of the version in force
    VIEW = "view"  # a saved account view


STRATIFY_BY = ("acquisition_channel", "industry", "region", "country", "stage")

# Registered when the experiment starts; changed afterwards only by an amendment with a reason.
FROZEN_FIELDS = ("hypothesis", "metric", "min_lift", "holdout_share")
# Of those, what an amendment may change: the arms were drawn with the holdout share and are never redrawn.
AMENDABLE_FIELDS = ("hypothesis", "metric", "min_lift")
# Drawn or fixed by the start (the arms depend on them): never change once running.
DRAW_FIELDS = ("target_kind", "target_tier", "target_view_id", "stratify_by", "baseline_rate", "seed")
EDITABLE_WHILE_RUNNING = ("name", "planned_end", "review_id")


def check_transition(current: ExperimentStatus, target: ExperimentStatus) -> None:
    if target not in TRANSITIONS[current]:
        raise Conflict(
            f"A {current.value} experiment cannot become {target.value}.",
            field="status",
        )


def check_editable(status: ExperimentStatus, fields: set[str]) -> None:
    """A draft changes freely; a running experiment only its name, planned end and review; a finished one not
    at all (amendments are separate)."""
    if status is ExperimentStatus.DRAFT:
        return
    if status is ExperimentStatus.FINISHED:
        raise Conflict("A finished experiment does not change.", field=sorted(fields)[0] if fields else None)
    frozen = sorted(fields - set(EDITABLE_WHILE_RUNNING))
    if frozen:
        raise Conflict(
            f"{frozen[0]} was frozen when the experiment started"
            + ("; amend it with a reason instead." if frozen[0] in AMENDABLE_FIELDS else "."),
            field=frozen[0],
        )


def _fraction(value: Any, field: str, problems: list[tuple[str, str]], *, what: str) -> float | None:
    if value is None or value == "":
        problems.append((field, f"Give the {what} (a share between 0 and 1, e.g. 0.2)."))
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.append((field, f"The {what} is a number between 0 and 1, not {value!r}."))
        return None
    if number != number or not 0 < number < 1:  # NaN too
        problems.append((field, f"The {what} must lie strictly between 0 and 1 (0.2 means 20%)."))
        return None
    return number


def clean_terms(body: Mapping[str, Any], *, partial: bool, today: date | None = None) -> dict[str, Any]:
    """The experiment's own fields, checked: names the field of every problem at once (InvalidFields)."""
    problems: list[tuple[str, str]] = []
    clean: dict[str, Any] = {}

    def given(name: str) -> bool:
        return name in body or not partial

    if given("name"):
        name = " ".join(str(body.get("name") or "").split())
        if not name:
            problems.append(("name", "Give the experiment a name."))
        elif len(name) > 200:
            problems.append(("name", "Use at most 200 characters."))
        clean["name"] = name
    if given("hypothesis"):
        hypothesis = str(body.get("hypothesis") or "").strip()
        if len(hypothesis) < 5:
            problems.append(
                ("hypothesis", "State the hypothesis (what the campaign should change, and why).")
            )
        clean["hypothesis"] = hypothesis
    if given("metric"):
        metric = body.get("metric")
        if metric not in {m.value for m in Metric}:
            problems.append(("metric", f"The metric is one of {', '.join(m.value for m in Metric)}."))
        clean["metric"] = metric
    if given("custom_metric"):
        clean["custom_metric"] = " ".join(str(body.get("custom_metric") or "").split())[:120]
    if clean.get("metric") == Metric.CUSTOM.value and not clean.get("custom_metric") and not partial:
        problems.append(("custom_metric", "Say what the custom yes/no records (e.g. 'booked a demo')."))
    for field, what in (
        ("min_lift", "minimum lift"),
        ("holdout_share", "holdout share"),
        ("baseline_rate", "expected holdout rate"),
    ):
        if given(field):
            clean[field] = _fraction(body.get(field), field, problems, what=what)
            if field == "holdout_share" and clean[field] is not None and not 0.05 <= clean[field] <= 0.5:
                problems.append(("holdout_share", "Hold out between 5% and 50% of the target (0.05 to 0.5)."))
    if given("planned_end"):
        planned_end = body.get("planned_end")
        if isinstance(planned_end, str) and planned_end:
            try:
                planned_end = date.fromisoformat(planned_end)
            except ValueError:
                problems.append(
                    ("planned_end", f"The planned end is a date (YYYY-MM-DD), not {planned_end!r}.")
                )
                planned_end = False  # already reported
        if planned_end is False:
            pass
        elif planned_end is None or planned_end == "":
            problems.append(("planned_end", "Give the planned end date."))
        elif today is not None and isinstance(planned_end, date) and planned_end < today:
            problems.append(("planned_end", "The planned end cannot be in the past."))
        clean["planned_end"] = planned_end if isinstance(planned_end, date) else None
    if given("target_kind"):
        kind = body.get("target_kind")
        if kind not in {k.value for k in TargetKind}:
            problems.append(("target_kind", "The target is an ICP tier (tier) or a saved view (view)."))
        clean["target_kind"] = kind
    if given("stratify_by"):
        stratify = body.get("stratify_by") or None
        if stratify is not None and stratify not in STRATIFY_BY:
            problems.append(("stratify_by", f"Stratify by one of {', '.join(STRATIFY_BY)}, or nothing."))
        clean["stratify_by"] = stratify
    if given("seed"):
        seed = body.get("seed")
        if seed is None or seed == "":
            clean["seed"] = None
        else:
            try:
                clean["seed"] = int(seed)
            except (TypeError, ValueError):
                problems.append(("seed", f"The seed is a whole number, not {seed!r}."))
            else:
                if not 0 <= clean["seed"] < 2**63:
                    problems.append(("seed", "The seed is a whole number from 0 to 2^63 - 1."))
    if problems:
        raise InvalidFields(problems)
    return clean
