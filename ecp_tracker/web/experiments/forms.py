"""Forms of the experiment pages. The service checks every value; these forms only carry them."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import HiddenInput

from ecp_tracker.domain.experiments import STRATIFY_BY, Metric

STRATA_LABELS = {
    "acquisition_channel": "Acquisition channel",
    "industry": "Industry",
    "region": "Region",
    "country": "Country",
    "stage": "Stage",
}


class ExperimentForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired("Give the experiment a name.")])
    hypothesis = TextAreaField(
        "Hypothesis", description="What the campaign should change, and why. Frozen when it starts."
    )
    target = SelectField(
        "Target", description="An ICP tier of the version in force, or one of your saved views."
    )
    metric = SelectField("Metric", choices=[SelectChoice(m.value, m.label) for m in Metric])
    custom_metric = StringField(
        "Custom yes/no", description="For a custom metric: what the yes records, e.g. booked a demo."
    )
    min_lift = StringField(
        "Minimum lift worth acting on", description="A difference of rates: 0.1 means 10 points."
    )
    holdout_share = StringField("Holdout share", default="0.2", description="0.05 to 0.5: 0.2 holds out 20%.")
    baseline_rate = StringField(
        "Expected rate without the campaign",
        description="The holdout's expected rate, e.g. 0.1: it sets the sample-size line.",
    )
    stratify_by = SelectField(
        "Stratify the draw by",
        choices=[SelectChoice("", "Nothing"), *(SelectChoice(s, STRATA_LABELS[s]) for s in STRATIFY_BY)],
    )
    planned_end = DateField("Planned end", validators=[Optional()])
    seed = StringField("Seed", description="Leave blank: one is drawn from a secure source and recorded.")
    review_id = SelectField("Discussed in review", choices=[])

    def raw(self) -> dict:
        kind, _, ref = (self.target.data or "").partition(":")
        return {
            "name": self.name.data,
            "hypothesis": self.hypothesis.data,
            "metric": self.metric.data,
            "custom_metric": self.custom_metric.data,
            "min_lift": self.min_lift.data,
            "holdout_share": self.holdout_share.data,
            "baseline_rate": self.baseline_rate.data,
            "stratify_by": self.stratify_by.data,
            "planned_end": self.planned_end.data,
            "seed": self.seed.data,
            "target_kind": kind,
            "target_tier": ref if kind == "tier" else None,
            "target_view_id": ref if kind == "view" else None,
            "review_id": self.review_id.data or None,
        }


class VersionForm(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class AmendForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[InputRequired("Say why the term changes.")])
    hypothesis = TextAreaField("New hypothesis", validators=[Optional()])
    metric = SelectField(
        "New metric",
        choices=[SelectChoice("", "Unchanged"), *(SelectChoice(m.value, m.label) for m in Metric)],
    )
    min_lift = StringField(
        "New minimum lift", validators=[Optional()], description="e.g. 0.15 for 15 points."
    )


class OutcomesForm(FlaskForm):
    outcomes = FileField(
        "Outcomes file",
        description="A CSV with the columns account_id and outcome (yes or no): the arms export, filled in.",
    )
