"""The account form (with a field per custom trait), filters, and saved views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, StopValidation
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from ecp_tracker.domain.accounts import DmuRole, Stage, TraitKind
from ecp_tracker.models import Account, Archetype, TraitDefinition, User
from ecp_tracker.services.accounts.contacts import ContactInput
from ecp_tracker.services.accounts.fields import COLUMN_FIELDS
from ecp_tracker.web.validators import optional_text, valid_email

NEW_ACCOUNT_CONTACTS = 3


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ContactFields(Form):
    """One contact row of the new-account form (no CSRF of its own); a row left blank is skipped."""

    name = optional_text("Name", 120)
    email = StringField("E-mail", validators=[Optional(), valid_email])
    title = optional_text("Job title", 120)
    dmu_role = SelectField(
        "Role in the decision",
        choices=[SelectChoice("", "—"), *(SelectChoice(r.value, r.label) for r in DmuRole)],
        default="",
    )
    is_champion = BooleanField("Champion")

    def is_blank(self) -> bool:
        texts = (self[name].data or "" for name in ("name", "email", "title"))
        return not any(t.strip() for t in texts) and not self.dmu_role.data and not self.is_champion.data

    def validate_dmu_role(self, field: SelectField) -> None:
        if not field.data and not self.is_blank():
            raise StopValidation("Choose their role in the decision.")

    def contact(self) -> ContactInput:
        return ContactInput(
            name=self.name.data or "",
            dmu_role=self.dmu_role.data or "",
            email=self.email.data or None,
            title=self.title.data or None,
            is_champion=bool(self.is_champion.data),
        )


class AccountForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired("Enter the account's name."), Length(max=200)])
    domain = optional_text("Web domain", 253, "e.g. acme.com: used to recognise the account on re-import")
    industry = optional_text("Industry", 120, list="industries")
    employees = optional_text("Employees", 12, inputmode="numeric")
    annual_revenue = optional_text("Annual revenue", 20, "In the workspace currency", inputmode="decimal")
    founded_year = optional_text("Founded (year)", 4, inputmode="numeric")
    country = optional_text("Country", 80, list="countries")
    region = optional_text("Region", 80, list="regions")
    acquisition_channel = optional_text("Acquisition channel", 80, "How they found you", list="channels")
    stage = SelectField(
        "Stage", choices=[SelectChoice(s.value, s.label) for s in Stage], default=Stage.PROSPECT.value
    )
    converted_on = optional_text(
        "Converted on", 10, "Required for customers and churned accounts", type="date"
    )
    churned_on = optional_text("Churned on", 10, "Only for churned accounts", type="date")
    contract_value = optional_text(
        "Contract value", 20, "Annual, in the workspace currency", inputmode="decimal"
    )
    nps = optional_text("NPS (0-10)", 2, inputmode="numeric")
    referrals = optional_text("Referrals", 7, "Accounts they referred to you", inputmode="numeric")
    owner = SelectField("Owner", choices=[], default="")
    archetypes = MultiCheckboxField("Archetypes", choices=[], validate_choice=True)
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=20_000)], render_kw={"rows": 4})
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    trait_fields: dict[str, str]

    def raw(self) -> dict[str, Any]:
        """The submitted values as the account service takes them."""
        data: dict[str, Any] = {name: self[name].data for name in COLUMN_FIELDS}
        data["owner"] = self.owner.data or None
        data["archetypes"] = list(self.archetypes.data or [])
        for key, field_name in self.trait_fields.items():
            data[f"trait:{key}"] = self[field_name].data
        return data


def _trait_field(definition: TraitDefinition):
    kind = TraitKind(definition.kind)
    label = definition.label + ("" if definition.externally_observable else " (internal)")
    help_text = definition.description
    if kind == TraitKind.BOOLEAN:
        choices = [SelectChoice("", "Unknown"), SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
        return SelectField(label, choices=choices, description=help_text)
    if kind == TraitKind.CATEGORY:
        choices = [SelectChoice("", "Unknown")] + [SelectChoice(v, v) for v in definition.allowed_values]
        return SelectField(label, choices=choices, description=help_text)
    if kind == TraitKind.TAGS and definition.allowed_values:
        return MultiCheckboxField(
            label, choices=[SelectChoice(v, v) for v in definition.allowed_values], description=help_text
        )
    if kind == TraitKind.TAGS:
        return StringField(label, description=help_text or "Separate tags with ;")
    return StringField(label, description=help_text, render_kw={"inputmode": "decimal"})


def account_form(
    definitions: Sequence[TraitDefinition],
    archetypes: Sequence[Archetype],
    owners: Sequence[User],
    account: Account | None = None,
    **kwargs: Any,
) -> AccountForm:
    """An AccountForm with one field per active trait definition, filled from `account` on GET; a new
    account's form also has rows for its first contacts."""
    fields: dict[str, Any] = {f"trait__{d.key}": _trait_field(d) for d in definitions}
    if account is None:
        # Posted rows come only from the form data: WTForms pads to min_entries by re-reading the last posted
        # index, so a gap in the posted numbering (rows 0 and 2) would otherwise record row 2 twice.
        blank_rows = 0 if request.method == "POST" else NEW_ACCOUNT_CONTACTS
        fields["contacts"] = FieldList(FormField(ContactFields), min_entries=blank_rows, max_entries=20)
    form_class = type("AccountFormWithTraits", (AccountForm,), fields)
    if account is not None and "formdata" not in kwargs:
        kwargs["data"] = account_form_data(account, definitions)
    form = form_class(**kwargs)
    form.trait_fields = {d.key: f"trait__{d.key}" for d in definitions}
    form.owner.choices = [SelectChoice("", "Nobody")] + [SelectChoice(str(u.id), u.name) for u in owners]
    names = [a.name for a in archetypes]
    if account is not None:
        names += [a.name for a in account.archetypes if a.name not in names]  # keep archived ones it has
    form.archetypes.choices = [SelectChoice(n, n) for n in names]
    return form


def account_form_data(account: Account, definitions: Sequence[TraitDefinition]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in COLUMN_FIELDS:
        value = getattr(account, name)
        data[name] = (
            "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else str(value))
        )
    data["stage"] = account.stage
    data["owner"] = str(account.owner_id) if account.owner_id else ""
    data["archetypes"] = [a.name for a in account.archetypes]
    data["version"] = account.version
    values: dict[str, list[str]] = {}
    for row in account.traits:
        values.setdefault(row.definition.key, []).append(row.value)
    for definition in definitions:
        current = values.get(definition.key, [])
        if definition.kind == TraitKind.TAGS and definition.allowed_values:
            data[f"trait__{definition.key}"] = current
        elif definition.kind == TraitKind.TAGS:
            data[f"trait__{definition.key}"] = "; ".join(current)
        else:
            data[f"trait__{definition.key}"] = current[0] if current else ""
    return data


class ActionForm(FlaskForm):
    """Archive, restore, delete a saved view: only the CSRF token."""


class SavedViewForm(FlaskForm):
    name = StringField(
        "Save these filters as", validators=[InputRequired("Give the view a name."), Length(max=80)]
    )
    query = StringField(widget=HiddenInput())
