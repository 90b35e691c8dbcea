"""The analysis chooser (a GET form) and the admin settings form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField, SelectMultipleField
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

NO_ADJUSTMENT = "none"


class AnalysisChoiceForm(FlaskForm):
    """Which outcome, adjusted for what. A GET form: nothing changes, so no CSRF token."""

    class Meta:
        csrf = False

    outcome = SelectField("Outcome", choices=[])
    adjust = SelectField("Adjust for", choices=[])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AnalysisSettingsForm(FlaskForm):
    fdr = DecimalField(
        "False-discovery rate",
        places=2,
        validators=[InputRequired("Enter a rate such as 0.10."), NumberRange(0.01, 0.49)],
        description="Of the traits graduated, at most this share may be luck on average (0.10 = 1 in 10).",
    )
    min_lift = IntegerField(
        "Minimum lift (percentage points)",
        validators=[InputRequired("Enter a number of percentage points."), NumberRange(1, 99)],
        description="A trait graduates only if it raises the rate by at least this much (15 = +15 points).",
    )
    min_probability = IntegerField(
        "Minimum share of favourable pairs (continuous outcomes, %)",
        validators=[InputRequired("Enter a percentage such as 60."), NumberRange(51, 99)],
        description="Contract value, NPS, days to convert: a value graduates only if, of all pairs of one "
        "account with it and one without, at least this share favour it (60 = 6 in 10).",
    )
    min_hazard_ratio = DecimalField(
        "Minimum hazard ratio (time to churn)",
        places=2,
        validators=[InputRequired("Enter a ratio such as 1.25."), NumberRange(1.01, 10)],
        description="A value graduates on time to churn only if churn is at least this many times slower "
        "(1.25: at most 0.8 times as fast as the rest).",
    )
    min_group = IntegerField(
        "Minimum group size",
        validators=[InputRequired("Enter a number of accounts."), NumberRange(2, 1000)],
        description="Fewer accounts with (or without) a value than this: insufficient data.",
    )
    traits = MultiCheckboxField(
        "Traits that take part",
        choices=[],
        description="None ticked: every trait takes part.",
    )
