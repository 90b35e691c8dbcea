"""Forms for signing in and first-run setup."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField
from wtforms.validators import InputRequired, Length

from ecp_tracker.web.validators import confirm_field, email_field, name_field, new_password_field


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password."), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me signed in on this device")
    next = HiddenField()


class SetupForm(FlaskForm):
    name = name_field("Your name")
    email = email_field("Your e-mail")
    password = new_password_field()
    confirm = confirm_field("password")


class LogoutForm(FlaskForm):
    """Sign-out is a POST with a CSRF token, so another site cannot sign you out."""
