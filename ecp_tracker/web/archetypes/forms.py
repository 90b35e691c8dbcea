"""Forms for archetypes (admin)."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput


class ArchetypeForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired("Enter a name."), Length(max=80)])
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3},
        description="How to recognise this type, and what to expect from them.",
    )
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class ArchiveForm(FlaskForm):
    """Only the CSRF token."""
