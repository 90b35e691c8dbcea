"""Pilot forms: the pilot (with its first criteria when new), criteria, amendments, results, status,
outcome and milestones. They check shape only; the pilot service applies the rules."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from ecp_tracker.domain.pilots import Direction
from ecp_tracker.models import Pilot, SuccessCriterion, User
from ecp_tracker.services.pilots.pilots import CriterionTerms
from ecp_tracker.web.validators import optional_text

DIRECTIONS = [
    SelectChoice(Direction.AT_LEAST.value, "at least (≥)"),
    SelectChoice(Direction.AT_MOST.value, "at most (≤)"),
]
NEW_PILOT_CRITERIA = 3


class CriterionFields(Form):
    """One criterion row of the new-pilot form (no CSRF of its own); a row left blank is skipped."""

    description = optional_text(
        "Criterion", 2000, placeholder="e.g. Analysts stop waiting for overnight batches"
    )
    metric = optional_text("Metric", 120, placeholder="e.g. p95 query latency")
    direction = SelectField("Direction", choices=DIRECTIONS, default=Direction.AT_LEAST.value)
    target = optional_text("Target", 30, inputmode="decimal")
    unit = optional_text("Unit", 40, placeholder="e.g. ms")

    def is_blank(self) -> bool:
        return not any(
            (self[name].data or "").strip() for name in ("description", "metric", "target", "unit")
        )

    def raw(self) -> dict[str, Any]:
        return {
            name: self[name].data or "" for name in ("description", "metric", "target", "unit", "direction")
        }


class PilotForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired("Give the pilot a name."), Length(max=200)])
    hypothesis = TextAreaField(
        "Hypothesis",
        validators=[Optional(), Length(max=20_000)],
        description="What you expect the pilot to show, in one or two sentences.",
        render_kw={"rows": 3},
    )
    owner_id = SelectField("Owner (our side)", choices=[], default="")
    start_date = optional_text(
        "Start", 10, "Planned start; set on the day it starts if left empty", type="date"
    )
    planned_end_date = optional_text("Planned end", 10, "Needed before the pilot starts", type="date")
    list_price = optional_text("List price", 20, "What the product costs normally", inputmode="decimal")
    pilot_price = optional_text(
        "Pilot price", 20, "What the customer pays for the pilot", inputmode="decimal"
    )
    price_reason = TextAreaField(
        "Price reason",
        validators=[Optional(), Length(max=2000)],
        description="Required when the pilot price is above the list price.",
        render_kw={"rows": 2},
    )
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    start_fixed = False  # once started, the start date is not sent (the service refuses changing it)

    def raw(self) -> dict[str, Any]:
        names = ["name", "hypothesis", "planned_end_date", "list_price", "pilot_price", "price_reason"]
        if not self.start_fixed:
            names.append("start_date")
        data: dict[str, Any] = {name: self[name].data or "" for name in names}
        data["owner_id"] = self.owner_id.data or None
        return data


class NewPilotForm(PilotForm):
    criteria = FieldList(FormField(CriterionFields), min_entries=NEW_PILOT_CRITERIA, max_entries=10)


def pilot_form(
    owners: list[User], pilot: Pilot | None = None, *, new: bool = False, **kwargs: Any
) -> PilotForm:
    form_class = NewPilotForm if new else PilotForm
    if pilot is not None and "formdata" not in kwargs:
        kwargs["data"] = {
            "name": pilot.name,
            "hypothesis": pilot.hypothesis,
            "owner_id": str(pilot.owner_id or ""),
            "start_date": pilot.start_date.isoformat() if pilot.start_date else "",
            "planned_end_date": pilot.planned_end_date.isoformat() if pilot.planned_end_date else "",
            "list_price": "" if pilot.list_price is None else str(pilot.list_price),
            "pilot_price": "" if pilot.pilot_price is None else str(pilot.pilot_price),
            "price_reason": pilot.price_reason,
            "version": pilot.version,
        }
    form = form_class(**kwargs)
    form.owner_id.choices = [SelectChoice("", "Nobody")] + [SelectChoice(str(u.id), u.name) for u in owners]
    if pilot is not None and pilot.status != "planned":
        form.start_fixed = True
        form.start_date.render_kw = {"type": "date", "readonly": True}
        form.start_date.description = "Fixed once the pilot has started"
    return form


class CriterionForm(FlaskForm):
    """Add or edit a criterion while the pilot is planned."""

    description = StringField(
        "Criterion", validators=[InputRequired("Describe the criterion."), Length(max=2000)]
    )
    metric = StringField("Metric", validators=[InputRequired("Name the metric."), Length(max=120)])
    direction = SelectField("Direction", choices=DIRECTIONS, default=Direction.AT_LEAST.value)
    target = StringField(
        "Target",
        validators=[InputRequired("Give the target."), Length(max=30)],
        render_kw={"inputmode": "decimal"},
    )
    unit = optional_text("Unit", 40)
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def raw(self) -> dict[str, Any]:
        return {
            name: self[name].data or "" for name in ("description", "metric", "target", "unit", "direction")
        }


def criterion_form(criterion: SuccessCriterion | None = None, **kwargs: Any) -> CriterionForm:
    if criterion is not None:  # posted values, when there are any, take precedence
        kwargs["data"] = {
            "description": criterion.description,
            "metric": criterion.metric,
            "direction": criterion.direction,
            "target": _plain_number(criterion.target),
            "unit": criterion.unit,
            "version": criterion.version,
        }
    return CriterionForm(**kwargs)


def _plain_number(value: Any) -> str:
    text = format(value, "f") if value is not None else ""
    return text.rstrip("0").rstrip(".") if "." in text else text


class AmendmentForm(FlaskForm):
    """Change a frozen criterion of a running pilot; the registered values stay as they were."""

    reason = TextAreaField(
        "Reason for the change",
        validators=[InputRequired("Say why the criterion changes."), Length(max=2000)],
        render_kw={"rows": 2},
    )
    description = optional_text("Criterion", 2000)
    metric = optional_text("Metric", 120)
    direction = SelectField("Direction", choices=DIRECTIONS)
    target = optional_text("Target", 30, inputmode="decimal")
    unit = optional_text("Unit", 40)

    def changes(self) -> dict[str, Any]:
        return {
            name: self[name].data or "" for name in ("description", "metric", "target", "unit", "direction")
        }


def amendment_form(criterion: SuccessCriterion, terms: CriterionTerms, **kwargs: Any) -> AmendmentForm:
    kwargs["data"] = {  # posted values, when there are any, take precedence
        "description": terms.description,
        "metric": terms.metric,
        "direction": terms.direction.value,
        "target": _plain_number(terms.target),
        "unit": terms.unit,
    }
    return AmendmentForm(prefix=f"amend{criterion.id}", **kwargs)


class ResultForm(FlaskForm):
    """The measured value; once the pilot has ended, a change to a recorded result needs its reason."""

    actual = optional_text("Measured value", 30, inputmode="decimal")
    reason = optional_text("Reason for the change", 2000)
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


def result_form(criterion: SuccessCriterion, **kwargs: Any) -> ResultForm:
    kwargs["data"] = {"actual": _plain_number(criterion.actual), "version": criterion.version}
    return ResultForm(prefix=f"result{criterion.id}", **kwargs)


class TransitionForm(FlaskForm):
    """The next status comes from the button pressed (`to`); extending needs the new planned end."""

    to = StringField(validators=[InputRequired("Choose the next status.")])
    on = DateField("Ended on", validators=[Optional()], description="Today if left empty")
    planned_end_date = DateField("New planned end", validators=[Optional()])
    confirm = BooleanField("Yes")


class OutcomeForm(FlaskForm):
    """Converted (the account becomes a customer) or not converted (optionally the account is lost)."""

    outcome = StringField(validators=[InputRequired("Choose the outcome.")])
    contract_value = optional_text(
        "Contract value", 20, "Annual, in the workspace currency", inputmode="decimal"
    )
    converted_on = DateField("Signed on", validators=[Optional()], description="Today if left empty")
    confirm = BooleanField("Yes")
    mark_account_lost = BooleanField("Also mark the account lost")


class MilestoneForm(FlaskForm):
    title = StringField("Milestone", validators=[InputRequired("Say what has to happen."), Length(max=200)])
    due_on = StringField(
        "Due", validators=[InputRequired("Give the due date."), Length(max=10)], render_kw={"type": "date"}
    )
    side = SelectField(
        "Whose",
        choices=[SelectChoice("ours", "Ours"), SelectChoice("customer", "Customer's")],
        default="ours",
    )
    owner_name = optional_text("Owner", 120, placeholder="Who does it")


class ActionForm(FlaskForm):
    """Mark a milestone done or reopen it: only the CSRF token."""
