"""Your profile: change your password, create and revoke your personal API tokens."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import login_user

from ecp_tracker.db import get_session
from ecp_tracker.permissions import SIGNED_IN, current_actor, permission
from ecp_tracker.services.users import tokens, users
from ecp_tracker.web.forms_support import attempt
from ecp_tracker.web.page_forms import dispatch
from ecp_tracker.web.profile.forms import PasswordForm, TokenCreateForm, TokenRevokeForm

bp = Blueprint("profile", __name__, url_prefix="/profile", template_folder="templates")


def _render(status: int = 200, **forms: object):
    page = {
        "token_form": TokenCreateForm(formdata=None),
        "password_form": PasswordForm(formdata=None),
        "revoke_form": TokenRevokeForm(),
        "new_token": None,
        **forms,
    }
    page["tokens"] = tokens.list_tokens(get_session(), g.user)
    return render_template("profile/index.html", **page), status


@bp.route("/")
@permission(SIGNED_IN)
def index():
    return _render()


@bp.route("/", methods=["POST"])
@permission(SIGNED_IN)
def act():
    """The profile page's forms post here, so a refused one is shown at the page's own address."""
    return dispatch({"token": create_token, "password": change_password})


@bp.route("/tokens", methods=["POST"])
@permission(SIGNED_IN)
def create_token():
    form = TokenCreateForm()
    if form.validate_on_submit():
        created = attempt(
            form, lambda: tokens.create_token(get_session(), current_actor(), g.user, name=form.name.data)
        )
        if created is not None:
            # Shown once, in this response only: never flashed (the session cookie is signed, not encrypted).
            return _render(201, new_token=created[1], new_token_name=created[0].name)
    return _render(422, token_form=form)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@permission(SIGNED_IN)
def revoke_token(token_id: int):
    form = TokenRevokeForm()
    if form.validate_on_submit():
        token = attempt(form, lambda: tokens.revoke_token(get_session(), current_actor(), g.user, token_id))
        if token is not None:
            flash(f"Token “{token.name}” is revoked; programs using it are now refused.", "success")
        else:
            flash(" ".join(form.form_errors), "error")
    return redirect(url_for("profile.index"))


@bp.route("/password", methods=["POST"])
@permission(SIGNED_IN)
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        done = attempt(
            form,
            lambda: (
                users.change_password(
                    get_session(),
                    current_actor(),
                    g.user,
                    current=form.current_password.data,
                    new=form.new_password.data,
                )
                or True
            ),
        )
        if done:
            login_user(g.user)  # keep this session; every other session of yours is signed out
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(url_for("profile.index"))
    return _render(422, password_form=form)
