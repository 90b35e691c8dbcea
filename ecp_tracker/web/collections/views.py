"""Collection pages (signed in): the public walls, each with a preview of what it shows today, its public
address, JSON feed and a copy-paste embed snippet; creating, editing, taking offline and back online."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ecp_tracker.db import get_session
from ecp_tracker.domain.errors import StaleEdit
from ecp_tracker.domain.roles import Role
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.shared import raw_input
from ecp_tracker.services.testimonials import wall as testimonial_wall
from ecp_tracker.web.collections.forms import ActionForm, collection_form
from ecp_tracker.web.forms_support import attempt, status_for

bp = Blueprint("collections", __name__, url_prefix="/testimonials/collections", template_folder="templates")


@bp.route("/")
@permission(Role.VIEWER)
def index():
    session = get_session()
    walls = testimonial_wall.list_collections(session)
    return render_template(
        "collections/index.html", walls=walls, shown=testimonial_wall.wall_counts(session, walls)
    )


@bp.route("/new", methods=["GET", "POST"])
@permission(Role.EDITOR)
def new():
    form = collection_form()
    if form.validate_on_submit():
        made = attempt(
            form, lambda: testimonial_wall.create_collection(get_session(), current_actor(), form.raw())
        )
        if made is not None:
            flash(f"The wall {made.title} is live at /wall/{made.slug}.", "success")
            return redirect(url_for("collections.show", collection_id=made.id))
    return render_template("collections/form.html", form=form, collection=None), status_for(form)


@bp.route("/<int:collection_id>")
@permission(Role.VIEWER)
def show(collection_id: int):
    session = get_session()
    collection = testimonial_wall.get_collection(session, collection_id)
    items = testimonial_wall.wall(session, collection, raw_input.today())
    embed_url = url_for("wall.embed", slug=collection.slug, _external=True)
    return render_template(
        "collections/show.html",
        collection=collection,
        items=items,
        wall_url=url_for("wall.show", slug=collection.slug, _external=True),
        feed_url=url_for("wall.feed", slug=collection.slug, _external=True),
        # the snippet is HTML for another site (its values escaped), shown here as text to copy
        snippet=str(render_template("wall/snippet.html", collection=collection, embed_url=embed_url)),
        action_form=ActionForm(),
    )


@bp.route("/<int:collection_id>/edit", methods=["GET", "POST"])
@permission(Role.EDITOR)
def edit(collection_id: int):
    session = get_session()
    collection = testimonial_wall.get_collection(session, collection_id)
    form = collection_form(collection, **({"formdata": request.form} if request.method == "POST" else {}))
    if form.validate_on_submit():
        saved = attempt(
            form,
            lambda: testimonial_wall.update_collection(
                session, current_actor(), collection_id, form.raw(), version=form.version.data
            ),
        )
        if saved is not None:
            flash(f"Saved the wall {saved.title}.", "success")
            return redirect(url_for("collections.show", collection_id=collection_id))
        collection = testimonial_wall.get_collection(session, collection_id)
        if isinstance(getattr(form, "domain_error", None), StaleEdit):
            form.version.data = collection.version
            return render_template("collections/form.html", form=form, collection=collection), 409
    return render_template("collections/form.html", form=form, collection=collection), status_for(form)


def _set_archived(collection_id: int, *, archived: bool):
    form = ActionForm()
    if form.validate_on_submit():
        done = attempt(
            form,
            lambda: testimonial_wall.set_collection_archived(
                get_session(), current_actor(), collection_id, archived=archived
            ),
        )
        if done is not None:
            flash(f"The wall {done.title} is {'offline' if archived else 'online again'}.", "success")
    return redirect(url_for("collections.show", collection_id=collection_id))


@bp.route("/<int:collection_id>/archive", methods=["POST"])
@permission(Role.EDITOR)
def archive(collection_id: int):
    return _set_archived(collection_id, archived=True)


@bp.route("/<int:collection_id>/restore", methods=["POST"])
@permission(Role.EDITOR)
def restore(collection_id: int):
    return _set_archived(collection_id, archived=False)
