"""Forms for custom trait definitions (admin)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from ecp_tracker.domain.accounts import TraitKind

KIND_HELP = {
    TraitKind.BOOLEAN: "Yes or no, e.g. 'Uses Salesforce'",
    TraitKind.CATEGORY: "One of a fixed list, e.g. 'Funding stage'",
    TraitKind.NUMBER: "A number, e.g. 'Engineers on staff'",
    TraitKind.TAGS: "Any number of tags, e.g. a tech stack",
}


class TraitEditForm(FlaskForm):
    label = StringField("Label", validators=[InputRequired("Enter a label."), Length(max=120)])
    allowed_values = TextAreaField(
        "Allowed values",
        validators=[Optional(), Length(max=10_000)],
        render_kw={"rows": 4},
        description="One per line. Required for a category; optional for tags (limits them to the list).",
    )
    description = TextAreaField(
        "Description", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}
    )
    externally_observable = BooleanField(
        "Externally observable: can be seen from outside (website, LinkedIn, job ads) before a first call"
    )
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def allowed_list(self) -> list[str]:
        return [line.strip() for line in (self.allowed_values.data or "").splitlines() if line.strip()]


class TraitCreateForm(TraitEditForm):
    kind = SelectField(
        "Kind", choices=[SelectChoice(k.value, f"{k.value}: {KIND_HELP[k]}") for k in TraitKind]
    )
    key = StringField(
        "Key",
        validators=[Optional(), Length(max=60)],
        description="Used in CSV columns (trait:<key>) and the API. Left empty, it is made from the label.",
    )


class ArchiveForm(FlaskForm):
    """Only the CSRF token."""
