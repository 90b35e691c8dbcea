"""ECP Tracker: find your Ideal Customer Profile from the evidence of your Early Customer Profile."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Any) -> Flask:
    """Build the app from a config object (see config.py): extensions, blueprints, error handlers, CLI.

    Imports happen here, not at module level, so that importing `ecp_tracker.domain` or
    `ecp_tracker.analysis` from a plain script does not pull in Flask.
    """
    from flask import Flask
    from werkzeug.middleware.proxy_fix import ProxyFix

    from ecp_tracker import cli, db, errors, permissions
    from ecp_tracker.api import init_api
    from ecp_tracker.extensions import CONTENT_SECURITY_POLICY, csrf, limiter, login_manager, talisman
    from ecp_tracker.services.analysis.analysis import AnalysisCache
    from ecp_tracker.services.icp.scoring import STORED_SCORES
    from ecp_tracker.services.shared import derived
    from ecp_tracker.web import register_web

    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not configured")
    if app.config.get("TRUST_PROXY_HEADERS"):
        hops = int(app.config["TRUST_PROXY_HEADERS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    else:
        app.wsgi_app = _DropForwardedHeaders(app.wsgi_app)  # type: ignore[method-assign]

    db.init_app(app)
    app.extensions["ecp_analysis_cache"] = AnalysisCache()
    derived.register(STORED_SCORES)  # accounts carry the active ICP version's score, kept in step with writes
    csrf.init_app(app)
    limiter.init_app(app)
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
    )
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)

    app.before_request(permissions.enforce)
    app.after_request(_no_store_when_signed_in)
    errors.register_error_handlers(app)
    register_web(app)
    init_api(app)
    cli.register(app)
    return app


class _DropForwardedHeaders:
    """Behind no trusted proxy, X-Forwarded-* come from the client: drop them, so that a client cannot say
    "I came over HTTPS" and skip the HTTPS redirect (flask-talisman believes X-Forwarded-Proto)."""

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        for key in [k for k in environ if k.startswith("HTTP_X_FORWARDED_")]:
            del environ[key]
        return self.wsgi_app(environ, start_response)


def _no_store_when_signed_in(response: Any) -> Any:
    """Pages and downloads for a signed-in person are not kept by the browser or a shared cache."""
    from flask import g

    private = {"text/html", "text/csv", "application/json", "application/problem+json"}
    signed_in = getattr(g, "user", None) is not None
    if signed_in and "Cache-Control" not in response.headers and response.mimetype in private:
        response.headers["Cache-Control"] = "no-store"
    return response


def _load_user(session_id: str):
    from ecp_tracker.db import get_session
    from ecp_tracker.services.users.users import load_session_user

    return load_session_user(get_session(), session_id)
