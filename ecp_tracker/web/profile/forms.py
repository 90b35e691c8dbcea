"""Forms on the profile page."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from ecp_tracker.services.users.tokens import MAX_NAME_LENGTH
from ecp_tracker.web.validators import confirm_field, new_password_field


class TokenCreateForm(FlaskForm):
    name = StringField(
        "Token name",
        validators=[InputRequired("Give the token a name."), Length(max=MAX_NAME_LENGTH)],
        description="Where the token will be used, e.g. 'CRM sync' or 'my laptop'.",
    )


class TokenRevokeForm(FlaskForm):
    """Only the CSRF token: the token to revoke is in the URL."""


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password.")],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = new_password_field("New password")
    confirm = confirm_field("new_password", "Repeat the new password")
