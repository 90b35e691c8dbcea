"""Contacts at an account: add, edit, archive."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from wtforms import SelectChoice

from ecp_tracker.db import get_session
from ecp_tracker.domain.roles import Role
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.accounts import accounts, archetypes, contacts
from ecp_tracker.services.accounts.contacts import ContactInput
from ecp_tracker.web.contacts.forms import ArchiveForm, ContactForm
from ecp_tracker.web.forms_support import attempt, status_for

bp = Blueprint(
    "contacts", __name__, url_prefix="/accounts/<int:account_id>/contacts", template_folder="templates"
)


def _form(session, **kwargs) -> ContactForm:
    form = ContactForm(**kwargs)
    form.archetype_id.choices = [SelectChoice("", "None")] + [
        SelectChoice(str(a.id), a.name) for a in archetypes.list_archetypes(session)
    ]
    return form


def _input(form: ContactForm) -> ContactInput:
    return ContactInput(
        name=form.name.data or "",
        dmu_role=form.dmu_role.data,
        email=form.email.data or None,
        title=form.title.data or None,
        archetype_id=int(form.archetype_id.data) if form.archetype_id.data else None,
        is_champion=bool(form.is_champion.data),
    )


@bp.route("/new", methods=["GET", "POST"])
@permission(Role.EDITOR)
def new(account_id: int):
    session = get_session()
    account = accounts.get_account(session, account_id)
    form = _form(session)
    if form.validate_on_submit():
        contact = attempt(
            form, lambda: contacts.add_contact(session, current_actor(), account_id, _input(form))
        )
        if contact is not None:
            flash(f"{contact.name} is now a contact at {account.name}.", "success")
            return redirect(url_for("accounts.show", account_id=account_id, _anchor="contacts"))
    return render_template("contacts/form.html", form=form, account=account, contact=None), status_for(form)


@bp.route("/<int:contact_id>/edit", methods=["GET", "POST"])
@permission(Role.EDITOR)
def edit(account_id: int, contact_id: int):
    session = get_session()
    account = accounts.get_account(session, account_id)
    contact = contacts.get_contact(session, contact_id, account_id)
    form = _form(session, obj=contact)
    if not form.is_submitted():
        form.archetype_id.data = str(contact.archetype_id or "")
    if form.validate_on_submit():
        updated = attempt(
            form,
            lambda: contacts.update_contact(
                session, current_actor(), contact_id, _input(form), version=form.version.data
            ),
        )
        if updated is not None:
            flash(f"Saved {updated.name}.", "success")
            return redirect(url_for("accounts.show", account_id=account_id, _anchor="contacts"))
    return render_template(
        "contacts/form.html", form=form, account=account, contact=contact, archive_form=ArchiveForm()
    ), status_for(form)


@bp.route("/<int:contact_id>/archive", methods=["POST"])
@permission(Role.EDITOR)
def archive(account_id: int, contact_id: int):
    form = ArchiveForm()
    if form.validate_on_submit():
        session = get_session()
        contacts.get_contact(session, contact_id, account_id)
        contact = attempt(
            form, lambda: contacts.set_archived(session, current_actor(), contact_id, archived=True)
        )
        if contact is not None:
            flash(f"{contact.name} is archived; the record is kept.", "success")
    return redirect(url_for("accounts.show", account_id=account_id, _anchor="contacts"))
