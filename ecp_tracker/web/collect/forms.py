"""The customer's form: their words, rating, name and title, how we may use it, the consent tick, and a
honeypot field people never see (bots fill it in). Length limits here are the ones the service enforces."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ecp_tracker.domain.testimonials import ConsentScope
from ecp_tracker.services.testimonials.collection_requests import MAX_BODY, MAX_NAME

LONG = "Please keep it to %(max)d characters."


class CollectForm(FlaskForm):
    body = TextAreaField(
        "Your testimonial",
        validators=[Optional(), Length(max=MAX_BODY, message=LONG)],
        render_kw={"rows": 7, "maxlength": MAX_BODY},
    )
    rating = RadioField(
        "How would you rate working with us?",
        choices=[SelectChoice(str(n), f"{n} star{'s' if n != 1 else ''}") for n in range(5, 0, -1)],
        validators=[Optional()],
        validate_choice=False,
    )
    name = StringField(
        "Your name",
        validators=[Optional(), Length(max=MAX_NAME, message=LONG)],
        render_kw={"maxlength": MAX_NAME, "autocomplete": "name"},
    )
    title = StringField(
        "Your job title",
        validators=[Optional(), Length(max=MAX_NAME, message=LONG)],
        render_kw={"maxlength": MAX_NAME, "autocomplete": "organization-title"},
    )
    consent_scope = RadioField(
        "How may we use it?",
        choices=[SelectChoice(s.value, s.label) for s in ConsentScope],
        validators=[Optional()],
        validate_choice=False,
    )
    consent = BooleanField("I agree to the consent statement above.")
    statement_digest = HiddenField()
    website = StringField(
        "Leave this field empty",
        render_kw={"tabindex": "-1", "autocomplete": "off"},
    )

    def raw(self) -> dict[str, Any]:
        return {
            name: self[name].data
            for name in ("body", "rating", "name", "title", "consent_scope", "consent", "statement_digest")
        }
