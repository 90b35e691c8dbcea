"""Testimonial forms: the testimonial, an edit (with its reason), status changes, recorded consent,
withdrawal, usage, a promise link and the settings. They check shape only; the services apply the rules."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from ecp_tracker.domain.testimonials import ConsentScope, TestimonialKind, UsageChannel
from ecp_tracker.models import Contact, GiveGet, Testimonial
from ecp_tracker.web.validators import optional_text

KINDS = [SelectChoice(k.value, k.label) for k in TestimonialKind]
SCOPES = [SelectChoice(s.value, s.label) for s in ConsentScope]
RATINGS = [SelectChoice("", "No rating")] + [SelectChoice(str(n), "★" * n) for n in range(5, 0, -1)]


def contact_choices(contacts: list[Contact]) -> list[SelectChoice]:
    return [SelectChoice("", "Nobody in particular")] + [
        SelectChoice(str(c.id), f"{c.name}{' · ' + c.title if c.title else ''}") for c in contacts
    ]


def promise_choices(promises: list[GiveGet], empty: str = "None") -> list[SelectChoice]:
    return [SelectChoice("", empty)] + [
        SelectChoice(str(p.id), f"{p.kind.replace('_', ' ')} due {p.due_on.isoformat()}") for p in promises
    ]


class TestimonialFields(FlaskForm):
    __test__ = False

    kind = SelectField("Kind", choices=KINDS, default=TestimonialKind.QUOTE.value)
    contact_id = SelectField("Who said it", choices=[], default="")
    body = TextAreaField(
        "The customer's words",
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 6},
        description="Exactly as the customer wrote or said it; for a video its transcript, for a case study "
        "its summary.",
    )
    rating = SelectField("Rating", choices=RATINGS, default="")
    author_name = optional_text("Name shown", 120, "Empty: the contact's name")
    author_title = optional_text("Job title shown", 120, "Empty: the contact's title")
    source = optional_text("Source", 200, "Where it came from: e-mail, call, G2 review, ...")
    media_url = optional_text("Link", 500, "The video or review page (https://...)", type="url")
    use_cases = optional_text("Use cases", 500, "Comma-separated, e.g. Real-time dashboards, Warehouse sync")
    themes = optional_text("Themes", 500, "Comma-separated, e.g. speed, support, price")
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def raw(self) -> dict[str, Any]:
        names = ("kind", "contact_id", "body", "rating", "author_name", "author_title", "source", "media_url")
        data: dict[str, Any] = {name: self[name].data or "" for name in names}
        data["use_cases"] = self.use_cases.data or ""
        data["themes"] = self.themes.data or ""
        return data


class NewTestimonialForm(TestimonialFields):
    status = SelectField(
        "It is",
        choices=[
            SelectChoice("received", "Received: I have the customer's words"),
            SelectChoice("requested", "Requested: I asked for it and am waiting"),
        ],
        default="received",
    )
    promise_id = SelectField("Delivers the promise", choices=[], default="")
    consent_scope = SelectField("Consent given", choices=SCOPES, default=ConsentScope.INTERNAL.value)
    consented_by = optional_text("Consent given by", 120, "The person's name")
    consented_on = optional_text("Consent given on", 10, type="date")
    consent_expires_on = optional_text("Consent expires on", 10, "Empty: the usual duration", type="date")
    consent_statement = TextAreaField(
        "Consent statement they agreed to",
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3},
        description="The words the customer agreed to, as they saw them (e.g. in your e-mail).",
    )

    def raw(self) -> dict[str, Any]:
        data = super().raw()
        data["promise_id"] = self.promise_id.data or None
        if self.consent_scope.data != ConsentScope.INTERNAL.value or (self.consented_by.data or "").strip():
            for name in (
                "consent_scope",
                "consented_by",
                "consented_on",
                "consent_expires_on",
                "consent_statement",
            ):
                data[name] = self[name].data or ""
        return data


class EditTestimonialForm(TestimonialFields):
    edit_reason = optional_text(
        "Why the text changes", 2000, "Needed once it is approved; the original words are kept"
    )

    def raw(self) -> dict[str, Any]:
        return {**super().raw(), "edit_reason": self.edit_reason.data or ""}


def testimonial_form(
    form_class: type[TestimonialFields],
    contacts: list[Contact],
    testimonial: Testimonial | None = None,
    **kwargs: Any,
) -> Any:
    if testimonial is not None and "formdata" not in kwargs:
        kwargs["data"] = {
            "kind": testimonial.kind,
            "contact_id": str(testimonial.contact_id or ""),
            "body": testimonial.body,
            "rating": str(testimonial.rating or ""),
            "author_name": testimonial.author_name,
            "author_title": testimonial.author_title,
            "source": testimonial.source,
            "media_url": testimonial.media_url or "",
            "use_cases": ", ".join(testimonial.tag_names("use_case")),
            "themes": ", ".join(testimonial.tag_names("theme")),
            "version": testimonial.version,
        }
    form = form_class(**kwargs)
    form.contact_id.choices = contact_choices(contacts)
    return form


class TransitionForm(FlaskForm):
    to = StringField(validators=[InputRequired("Choose the next status.")])
    note = optional_text("Note", 2000, placeholder="Note (needed to reject)")


class ConsentForm(FlaskForm):
    """Record the consent the customer gave (e.g. by e-mail), replacing the consent recorded before."""

    consent_scope = SelectField("Scope", choices=SCOPES)
    consented_by = StringField("Given by", validators=[InputRequired("Say who gave it."), Length(max=120)])
    consented_on = StringField(
        "Given on", validators=[InputRequired("Give the date."), Length(max=10)], render_kw={"type": "date"}
    )
    consent_expires_on = optional_text("Expires on", 10, "Empty: the usual duration", type="date")
    consent_statement = TextAreaField(
        "Statement they agreed to",
        validators=[InputRequired("Record the statement they agreed to."), Length(max=2000)],
        render_kw={"rows": 3},
    )
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def raw(self) -> dict[str, Any]:
        names = ("consent_scope", "consented_by", "consented_on", "consent_expires_on", "consent_statement")
        return {name: self[name].data or "" for name in names}


class WithdrawForm(FlaskForm):
    on = DateField("Withdrawn on", validators=[Optional()], description="Today if left empty")
    note = optional_text("How they told us", 500, placeholder="e.g. e-mail of 3 March to Ada")
    confirm = BooleanField("Yes: take it out of every public place now")


class UsageForm(FlaskForm):
    channel = SelectField("Channel", choices=[SelectChoice(c.value, c.label) for c in UsageChannel])
    place = StringField("Where", validators=[InputRequired("Say where it was used."), Length(max=500)])
    used_on = optional_text("On", 10, "Today if left empty", type="date")
    note = optional_text("Note", 2000)


class PromiseLinkForm(FlaskForm):
    promise_id = SelectField("Promise", choices=[], validators=[InputRequired("Choose the promise.")])


class SettingsForm(FlaskForm):
    company_name = optional_text(
        "Your company's name",
        120,
        "What customers read on the collection form, its thank-you page and the e-mail: “Your testimonial "
        "reached the team at …”.",
    )
    consent_statement = TextAreaField(
        "Consent statement",
        validators=[InputRequired("Write the consent statement."), Length(max=2000)],
        render_kw={"rows": 5},
        description="Shown on the collection form; stored with each testimonial exactly as shown.",
    )
    consent_months = optional_text("Consent lasts (months)", 3, inputmode="numeric")
    fatigue_threshold = optional_text("Fatigue warning after (uses per quarter)", 3, inputmode="numeric")
    follow_up_days = optional_text("Follow up after (days)", 3, inputmode="numeric")
    request_valid_days = optional_text("Collection links work for (days)", 3, inputmode="numeric")
    send_email = BooleanField("E-mail collection links and reminders (needs a mail server: MAIL_SERVER)")

    def raw(self) -> dict[str, Any]:
        names = (
            "company_name",
            "consent_statement",
            "consent_months",
            "fatigue_threshold",
            "follow_up_days",
            "request_valid_days",
        )
        return {**{name: self[name].data or "" for name in names}, "send_email": bool(self.send_email.data)}
