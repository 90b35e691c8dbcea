"""Shared form field definitions, so the same input is checked the same way on every form."""

from __future__ import annotations

from typing import Any

from wtforms import EmailField, Field, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Optional, ValidationError

from ecp_tracker.domain.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from ecp_tracker.services.shared.emails import email_problem


def valid_email(_form: Any, field: Field) -> None:
    """The one e-mail rule (services.shared.emails), on every form that takes an address."""
    if field.data and field.data.strip():
        problem = email_problem(field.data)
        if problem:
            raise ValidationError(problem)


def email_field(label: str = "E-mail") -> EmailField:
    return EmailField(
        label,
        validators=[InputRequired("Enter an e-mail address."), valid_email],
        render_kw={"autocomplete": "email"},
    )


def name_field(label: str = "Name") -> StringField:
    return StringField(label, validators=[InputRequired("Enter a name."), Length(max=120)])


def new_password_field(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            InputRequired("Enter a password."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=f"Use {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters.",
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def confirm_field(other: str, label: str = "Repeat the password") -> PasswordField:
    return PasswordField(
        label,
        validators=[InputRequired("Repeat the password."), EqualTo(other, "The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )


def optional_text(label: str, max_length: int, description: str = "", **render_kw: Any) -> StringField:
    """A text that may be left empty, at most `max_length` characters; `render_kw` become HTML attributes."""
    return StringField(
        label,
        validators=[Optional(), Length(max=max_length)],
        description=description,
        render_kw=render_kw or None,
    )
