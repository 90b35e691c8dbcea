"""Sign-in, sign-out and the first-run page that creates the first admin."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import login_user, logout_user

from ecp_tracker.db import get_session
from ecp_tracker.extensions import limiter
from ecp_tracker.permissions import PUBLIC, SIGNED_IN, permission, safe_next
from ecp_tracker.services.users import users
from ecp_tracker.web.auth.forms import LoginForm, LogoutForm, SetupForm
from ecp_tracker.web.forms_support import attempt, status_for

bp = Blueprint("auth", __name__, template_folder="templates")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@permission(PUBLIC)
@limiter.limit(_login_limit, methods=["POST"])
def login():
    session = get_session()
    if users.count_users(session) == 0:
        return redirect(url_for("auth.setup"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = users.authenticate(session, form.email.data, form.password.data)
        if user is None:
            form.form_errors.append("That e-mail and password do not match an active user.")
        else:
            users.record_login(session, user)
            session.commit()
            login_user(user, remember=form.remember.data)
            flash(f"Welcome back, {user.name}.", "success")
            return redirect(safe_next(form.next.data, url_for("dashboard.index")))
    return render_template("auth/login.html", form=form), status_for(form)


@bp.route("/setup", methods=["GET", "POST"])
@permission(PUBLIC)
@limiter.limit(_login_limit, methods=["POST"])
def setup():
    session = get_session()
    if users.count_users(session) > 0:
        flash("The workspace is already set up. Sign in, or ask an admin for an account.", "info")
        return redirect(url_for("auth.login"))
    form = SetupForm()
    if form.validate_on_submit():
        admin = attempt(
            form,
            lambda: users.create_first_admin(
                session, email=form.email.data, name=form.name.data, password=form.password.data
            ),
        )
        if admin is not None:
            login_user(admin)
            flash("Your workspace is ready and you are its admin. Add your team under Admin.", "success")
            return redirect(url_for("dashboard.index"))
    return render_template("auth/setup.html", form=form), status_for(form)


@bp.route("/logout", methods=["POST"])
@permission(SIGNED_IN)
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        session = get_session()
        users.end_sessions(session, g.user)
        session.commit()
        logout_user()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
