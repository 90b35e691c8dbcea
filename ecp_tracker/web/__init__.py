"""Server-rendered pages: one blueprint per area, each in web/<area>/views.py."""

from __future__ import annotations

from flask import Flask, g, redirect, render_template, request, url_for

from ecp_tracker.domain.roles import Role
from ecp_tracker.permissions import PUBLIC, permission
from ecp_tracker.problems import is_api_request
from ecp_tracker.services.shared.raw_input import parameter_with_nul
from ecp_tracker.web.accounts import bp as accounts_bp
from ecp_tracker.web.admin import bp as admin_bp
from ecp_tracker.web.analysis import bp as analysis_bp
from ecp_tracker.web.archetypes import bp as archetypes_bp
from ecp_tracker.web.audit_display import audit_rows
from ecp_tracker.web.auth import bp as auth_bp
from ecp_tracker.web.collect import bp as collect_bp
from ecp_tracker.web.collections import bp as collections_bp
from ecp_tracker.web.contacts import bp as contacts_bp
from ecp_tracker.web.dashboard import bp as dashboard_bp
from ecp_tracker.web.discounts import bp as discounts_bp
from ecp_tracker.web.experiments import bp as experiments_bp
from ecp_tracker.web.help import bp as help_bp
from ecp_tracker.web.help.views import help_url
from ecp_tracker.web.icp import bp as icp_bp
from ecp_tracker.web.imports import bp as imports_bp
from ecp_tracker.web.interviews import bp as interviews_bp
from ecp_tracker.web.navigation import nav_items, subnav
from ecp_tracker.web.pilots import bp as pilots_bp
from ecp_tracker.web.profile import bp as profile_bp
from ecp_tracker.web.reviews import bp as reviews_bp
from ecp_tracker.web.template_helpers import register_template_helpers
from ecp_tracker.web.testimonial_requests import bp as testimonial_requests_bp
from ecp_tracker.web.testimonials import bp as testimonials_bp
from ecp_tracker.web.traits import bp as traits_bp
from ecp_tracker.web.wall import bp as wall_bp


def register_web(app: Flask) -> None:
    for blueprint in (
        auth_bp,
        dashboard_bp,
        profile_bp,
        admin_bp,
        accounts_bp,
        contacts_bp,
        archetypes_bp,
        traits_bp,
        imports_bp,
        pilots_bp,
        discounts_bp,
        analysis_bp,
        icp_bp,
        reviews_bp,
        experiments_bp,
        interviews_bp,
        testimonials_bp,
        testimonial_requests_bp,
        collections_bp,
        collect_bp,
        wall_bp,
        help_bp,
    ):
        app.register_blueprint(blueprint)
    register_template_helpers(app)

    @app.route("/favicon.ico")
    @permission(PUBLIC)
    def favicon():  # browsers ask for it whatever the page's <link rel="icon"> says
        return redirect(url_for("static", filename="favicon.svg"), code=301)

    @app.before_request
    def refuse_nul_in_the_address():
        """A NUL character in a page's query string is bad input on both databases (PostgreSQL cannot compare
        text holding one): a 400 page naming the parameter. The API answers the same with a 422."""
        key = None if is_api_request() else parameter_with_nul(request.args.to_dict(flat=False))
        if key is None:
            return None
        text = f"The address's parameter {key.replace(chr(0), '')!r} holds a NUL character (\\u0000)."
        return render_template("errors/error.html", status=400, title="Bad request", text=text), 400

    app.jinja_env.globals["audit_rows"] = audit_rows  # a global: macros imported without context use it too

    @app.context_processor
    def layout_context() -> dict[str, object]:
        user = g.get("user")
        return {
            "nav_items": nav_items,
            "subnav": subnav,
            "help_url": help_url,
            "signed_in_user": user,
            "is_admin": bool(user and user.can(Role.ADMIN)),
            "can_edit": bool(user and user.can(Role.EDITOR)),
            "workspace_name": app.config["WORKSPACE_NAME"],
        }
