"""Forms for managing users and filtering the audit trail."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import HiddenInput

from ecp_tracker.domain.roles import Role
from ecp_tracker.web.validators import email_field, name_field, new_password_field

ROLE_CHOICES = [SelectChoice(role.value, f"{role.label}: {role.description}") for role in Role]


class UserCreateForm(FlaskForm):
    name = name_field()
    email = email_field()
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.EDITOR.value)
    password = new_password_field("Initial password")


class UserEditForm(FlaskForm):
    name = name_field()
    role = SelectField("Role", choices=ROLE_CHOICES)
    active = BooleanField("Active (may sign in and use the API)")
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired("The record version is missing.")])


class AuditFilterForm(FlaskForm):
    """A GET form: no CSRF token, nothing is changed."""

    class Meta:
        csrf = False

    entity = SelectField("Record type", choices=[], validate_choice=False)
    user = SelectField("User", choices=[], validate_choice=False)
    page = IntegerField(validators=[Optional()], widget=HiddenInput())
