"""Archetype pages: the built-in early-adopter types and any added, with accounts and conversion."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from ecp_tracker.db import get_session
from ecp_tracker.domain.roles import Role
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.accounts import archetypes
from ecp_tracker.services.accounts.listing import AccountFilters, list_accounts
from ecp_tracker.web.archetypes.forms import ArchetypeForm, ArchiveForm
from ecp_tracker.web.charts import narrow_layout, rates_chart
from ecp_tracker.web.forms_support import attempt, status_for

bp = Blueprint("archetypes", __name__, url_prefix="/archetypes", template_folder="templates")


def _index(form: ArchetypeForm, status: int = 200):
    session = get_session()
    stats = archetypes.archetype_stats(session, archetypes.list_archetypes(session, include_archived=True))
    return render_template("archetypes/index.html", stats=stats, form=form), status


@bp.route("/")
@permission(Role.VIEWER)
def index():
    return _index(ArchetypeForm(formdata=None))


@bp.route("/", methods=["POST"])
@permission(Role.ADMIN)
def create():
    form = ArchetypeForm()
    if form.validate_on_submit():
        created = attempt(
            form,
            lambda: archetypes.create_archetype(
                get_session(), current_actor(), name=form.name.data, description=form.description.data or ""
            ),
        )
        if created is not None:
            flash(f"Added the archetype {created.name}.", "success")
            return redirect(url_for("archetypes.show", archetype_id=created.id))
    return _index(form, status_for(form))


@bp.route("/chart.svg")
@permission(Role.VIEWER)
def chart():
    session = get_session()
    stats = archetypes.archetype_stats(session, archetypes.list_archetypes(session))
    svg = rates_chart(
        [s.archetype.name for s in stats],
        [s.conversion for s in stats],
        title="Conversion by archetype",
        narrow=narrow_layout(),
    )
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=60"})


@bp.route("/<int:archetype_id>")
@permission(Role.VIEWER)
def show(archetype_id: int):
    session = get_session()
    archetype = archetypes.get_archetype(session, archetype_id)
    form = ArchetypeForm(obj=archetype, formdata=None)
    return _show(archetype, form)


def _show(archetype, form, status: int = 200):
    session = get_session()
    (stats,) = archetypes.archetype_stats(session, [archetype])
    page_number = request.args.get("page", "1")
    page = list_accounts(
        session,
        AccountFilters(archetype=(archetype.name,)),
        page=int(page_number)
        if page_number.isascii() and page_number.isdigit() and int(page_number) > 0
        else 1,
        per_page=25,
    )
    return render_template(
        "archetypes/show.html",
        archetype=archetype,
        stats=stats,
        page=page,
        form=form,
        archive_form=ArchiveForm(),
    ), status


@bp.route("/<int:archetype_id>/edit", methods=["POST"])
@bp.route("/<int:archetype_id>", methods=["POST"])  # the page's form: a refused edit stays at its address
@permission(Role.ADMIN)
def edit(archetype_id: int):
    session = get_session()
    archetype = archetypes.get_archetype(session, archetype_id)
    form = ArchetypeForm()
    if form.validate_on_submit():
        updated = attempt(
            form,
            lambda: archetypes.update_archetype(
                session,
                current_actor(),
                archetype_id,
                version=form.version.data,
                name=form.name.data,
                description=form.description.data or "",
            ),
        )
        if updated is not None:
            flash(f"Saved {updated.name}.", "success")
            return redirect(url_for("archetypes.show", archetype_id=archetype_id))
        archetype = archetypes.get_archetype(session, archetype_id)
    return _show(archetype, form, status_for(form))


@bp.route("/<int:archetype_id>/archive", methods=["POST"])
@permission(Role.ADMIN)
def archive(archetype_id: int):
    form = ArchiveForm()
    if form.validate_on_submit():
        session = get_session()
        current = archetypes.get_archetype(session, archetype_id)
        archived = current.archived_at is None
        result = attempt(
            form, lambda: archetypes.set_archived(session, current_actor(), archetype_id, archived=archived)
        )
        if result is not None:
            flash(
                f"{result.name} is archived: kept on its accounts, no longer offered for new ones."
                if archived
                else f"{result.name} is restored.",
                "success",
            )
    return redirect(url_for("archetypes.show", archetype_id=archetype_id))
