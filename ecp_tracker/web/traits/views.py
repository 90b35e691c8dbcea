"""Custom trait definitions: what can be recorded about an account beyond the built-in fields."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from ecp_tracker.db import get_session
from ecp_tracker.domain.roles import Role
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.accounts import traits
from ecp_tracker.web.forms_support import attempt, status_for
from ecp_tracker.web.traits.forms import ArchiveForm, TraitCreateForm, TraitEditForm

bp = Blueprint("traits", __name__, url_prefix="/traits", template_folder="templates")


@bp.route("/", methods=["GET", "POST"])
@permission(Role.ADMIN)
def index():
    session = get_session()
    form = TraitCreateForm()
    if form.validate_on_submit():
        created = attempt(
            form,
            lambda: traits.create_definition(
                session,
                current_actor(),
                label=form.label.data,
                kind=form.kind.data,
                key=form.key.data or None,
                allowed_values=form.allowed_list(),
                description=form.description.data or "",
                externally_observable=form.externally_observable.data,
            ),
        )
        if created is not None:
            flash(f"Added the trait {created.label} (trait:{created.key}).", "success")
            return redirect(url_for("traits.index"))
    definitions = traits.list_definitions(session, include_archived=True)
    return render_template(
        "traits/index.html", form=form, definitions=definitions, archive_form=ArchiveForm()
    ), status_for(form)


@bp.route("/<int:definition_id>", methods=["GET", "POST"])
@permission(Role.ADMIN)
def edit(definition_id: int):
    session = get_session()
    definition = traits.get_definition(session, definition_id)
    form = TraitEditForm(obj=definition)
    if not form.is_submitted():
        form.allowed_values.data = "\n".join(definition.allowed_values)
    if form.validate_on_submit():
        updated = attempt(
            form,
            lambda: traits.update_definition(
                session,
                current_actor(),
                definition_id,
                version=form.version.data,
                label=form.label.data,
                allowed_values=form.allowed_list(),
                description=form.description.data or "",
                externally_observable=form.externally_observable.data,
            ),
        )
        if updated is not None:
            flash(f"Saved {updated.label}.", "success")
            return redirect(url_for("traits.index"))
    return render_template("traits/edit.html", form=form, definition=definition), status_for(form)


@bp.route("/<int:definition_id>/archive", methods=["POST"])
@permission(Role.ADMIN)
def archive(definition_id: int):
    form = ArchiveForm()
    if form.validate_on_submit():
        session = get_session()
        archived = traits.get_definition(session, definition_id).archived_at is None
        result = attempt(
            form, lambda: traits.set_archived(session, current_actor(), definition_id, archived=archived)
        )
        if result is not None:
            flash(f"{result.label} is {'archived (values are kept)' if archived else 'restored'}.", "success")
    return redirect(url_for("traits.index"))
