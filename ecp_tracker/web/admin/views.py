"""Admin pages: add users, change roles, deactivate, and browse the audit trail."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from wtforms import SelectChoice

from ecp_tracker.db import get_session
from ecp_tracker.domain.numbers import is_id
from ecp_tracker.domain.roles import Role
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.shared import audit
from ecp_tracker.services.users import users
from ecp_tracker.web.admin.forms import AuditFilterForm, UserCreateForm, UserEditForm
from ecp_tracker.web.forms_support import attempt, status_for

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.route("/users", methods=["GET", "POST"])
@permission(Role.ADMIN)
def users_index():
    session = get_session()
    form = UserCreateForm()
    if form.validate_on_submit():
        user = attempt(
            form,
            lambda: users.create_user(
                session,
                current_actor(),
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                password=form.password.data,
            ),
        )
        if user is not None:
            flash(f"{user.name} ({user.email}) can now sign in as {user.role}.", "success")
            return redirect(url_for("admin.users_index"))
    return render_template("admin/users.html", form=form, users=users.list_users(session)), status_for(form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@permission(Role.ADMIN)
def user_edit(user_id: int):
    session = get_session()
    user = users.get_user(session, user_id)
    form = UserEditForm(obj=user)
    if form.validate_on_submit():
        updated = attempt(
            form,
            lambda: users.update_user(
                session,
                current_actor(),
                user_id,
                version=form.version.data,
                name=form.name.data,
                role=form.role.data,
                active=form.active.data,
            ),
        )
        if updated is not None:
            flash(
                f"Saved {updated.name}: {updated.role}, {'active' if updated.active else 'deactivated'}.",
                "success",
            )
            return redirect(url_for("admin.users_index"))
        user = users.get_user(session, user_id)
        form.version.data = user.version  # the editor has now seen the other change and may save over it
    history = audit.list_events(session, entity="user", entity_id=str(user_id), per_page=20).items
    return render_template("admin/user_edit.html", form=form, user=user, history=history), status_for(form)


@bp.route("/audit")
@permission(Role.ADMIN)
def audit_index():
    session = get_session()
    form = AuditFilterForm(request.args)
    form.entity.choices = [SelectChoice("", "All records")] + [
        SelectChoice(e, e.replace("_", " ")) for e in audit.entities_in_use(session)
    ]
    form.user.choices = [SelectChoice("", "Everyone")] + [
        SelectChoice(str(u.id), f"{u.name} <{u.email}>") for u in users.list_users(session)
    ]
    actor_id = int(form.user.data) if is_id(form.user.data or "") else None
    page = audit.list_events(
        session, entity=form.entity.data or None, actor_id=actor_id, page=form.page.data or 1, per_page=50
    )
    filters = {"entity": form.entity.data or "", "user": form.user.data or ""}
    return render_template("admin/audit.html", form=form, page=page, filters=filters)
