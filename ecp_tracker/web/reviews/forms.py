"""Forms of the review pages: open a month, decide on a candidate, the meeting's notes, finalise, and the
top-tier target of the feedback loop. The service checks every value; these forms only carry them."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from ecp_tracker.domain.reviews import MAX_DECIDERS, MAX_RATIONALE, Decision

DECISION_LABELS = {
    Decision.GRADUATE: "Graduate into the ICP",
    Decision.EXCLUDE: "Exclude (anti-ICP)",
    Decision.DEFER: "Defer to a later review",
    Decision.REJECT: "Reject",
}


class OpenReviewForm(FlaskForm):
    period = StringField(
        "Month",
        validators=[InputRequired("Give the month, such as 2026-11.")],
        description="The month the review covers, as YYYY-MM.",
    )
    outcomes = SelectMultipleField(
        "Outcomes",
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        description="Conversion is always tested: its results are the candidates.",
    )
    supersedes = IntegerField(widget=HiddenInput(), validators=[Optional()])


class DecisionForm(FlaskForm):
    trait = StringField(widget=HiddenInput(), validators=[InputRequired()])
    value = StringField(widget=HiddenInput(), validators=[InputRequired()])
    decision = SelectField(
        "Decision",
        choices=[
            SelectChoice("", "Choose…"),
            *(SelectChoice(d.value, t) for d, t in DECISION_LABELS.items()),
        ],
        validators=[InputRequired("Choose a decision.")],
    )
    points = IntegerField(
        "Points",
        validators=[Optional(), NumberRange(min=1, max=1000)],
        description="For a graduation; 20 when left empty.",
    )
    revisit_on = DateField("Look again on", validators=[Optional()], description="For a deferral.")
    rationale = TextAreaField(
        "Rationale",
        validators=[
            InputRequired("Say why: the rationale is part of the record."),
            Length(max=MAX_RATIONALE),
        ],
        render_kw={"rows": 2},
    )
    deciders = StringField("Decided by", validators=[Optional(), Length(max=MAX_DECIDERS)])

    def raw(self) -> dict[str, Any]:
        return {
            "trait": self.trait.data,
            "value": self.value.data,
            "decision": self.decision.data,
            "points": self.points.data,
            "revisit_on": self.revisit_on.data,
            "rationale": self.rationale.data,
            "deciders": self.deciders.data,
        }


class NotesForm(FlaskForm):
    attendees = StringField("Attendees", validators=[Optional(), Length(max=2000)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=50_000)], render_kw={"rows": 6})
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class FinaliseForm(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class TargetForm(FlaskForm):
    target = StringField(
        "Top-tier target",
        validators=[InputRequired("Give the target, such as 80%.")],
        description="The share of new accounts and conversions the top tier should hold, such as 80%.",
    )
