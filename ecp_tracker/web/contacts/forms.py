"""The contact form."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from ecp_tracker.domain.accounts import DmuRole
from ecp_tracker.web.validators import valid_email


class ContactForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired("Enter the contact's name."), Length(max=120)])
    dmu_role = SelectField(
        "Role in the decision",
        choices=[SelectChoice(r.value, r.label) for r in DmuRole],
        description="Champion: pushes for you inside. Economic buyer: signs. Veto holder: can stop it.",
    )
    title = StringField("Job title", validators=[Optional(), Length(max=120)])
    email = StringField("E-mail", validators=[Optional(), valid_email])
    archetype_id = SelectField("Archetype", choices=[], default="")
    is_champion = BooleanField("Champions our product (whatever their formal role)")
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class ArchiveForm(FlaskForm):
    """Only the CSRF token."""
