"""The one permission check: every endpoint declares who may use it, and `enforce` runs before each request.

Levels: PUBLIC (no sign-in), SIGNED_IN (any active user, for their own things), or a Role (viewer, editor,
admin; each includes the ones below). An endpoint that declares nothing is refused, so a forgotten
declaration fails closed. Web pages authenticate with the session cookie; the API only with a Bearer token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ecp_tracker.db import get_session
from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import User
from ecp_tracker.problems import is_api_request, problem
from ecp_tracker.services.users import tokens

PUBLIC = "public"
SIGNED_IN = "signed_in"
# Endpoints owned by libraries: static files and the generated OpenAPI document.
LIBRARY_PUBLIC_ENDPOINTS = {"static", "api-docs.openapi_json"}

F = TypeVar("F", bound=Callable[..., Any])


def permission(level: str | Role) -> Callable[[F], F]:
    """Declare who may call a view: PUBLIC, SIGNED_IN, Role.VIEWER, Role.EDITOR or Role.ADMIN."""

    def mark(view: F) -> F:
        view.permission = level  # type: ignore[attr-defined]
        return view

    return mark


def declared_permission(endpoint: str) -> str | Role | None:
    if endpoint in LIBRARY_PUBLIC_ENDPOINTS:
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "permission", None)


def _bearer_user() -> User | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return tokens.user_for_token(get_session(), token.strip())


def _session_user() -> User | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def enforce() -> Response | None:
    """before_request: authenticate, then refuse what the endpoint's declared level does not allow."""
    g.user = _bearer_user() if is_api_request() else _session_user()
    if request.endpoint is None:
        return None  # no route: the 404 handler answers
    level = declared_permission(request.endpoint)
    if level == PUBLIC:
        return None
    if level is None:
        current_app.logger.error("endpoint %s declares no permission; refused", request.endpoint)
        abort(403)
    if g.user is None:
        if is_api_request():
            return problem(
                401,
                "Unauthorized",
                "Send a valid personal API token: 'Authorization: Bearer <token>'.",
                headers={"WWW-Authenticate": 'Bearer realm="ecp-tracker"'},
            )
        return redirect(url_for("auth.login", next=_here()))
    if level != SIGNED_IN and not g.user.can(Role(level)):
        abort(403)
    return None


def _here() -> str:
    path = request.full_path
    return path[:-1] if path.endswith("?") else path


def current_actor() -> Actor:
    user: User = g.user
    return Actor(user_id=user.id, label=user.email)


def safe_next(target: str | None, default: str) -> str:
    """`target` when it is a path on this site, otherwise `default` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target):
        return default
    return target
