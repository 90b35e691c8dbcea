"""JSON API under /api/v1, documented by a generated OpenAPI 3 document at /api/v1/openapi.json."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from ecp_tracker.api.accounts import bp as accounts_bp
from ecp_tracker.api.analysis import bp as analysis_bp
from ecp_tracker.api.catalog import archetypes_bp, traits_bp
from ecp_tracker.api.icp import bp as icp_bp
from ecp_tracker.api.interviews import bp as interviews_bp
from ecp_tracker.api.me import bp as me_bp
from ecp_tracker.api.pilots import discounts_bp, milestones_bp, pilots_bp, promises_bp
from ecp_tracker.api.schemas import ProblemSchema
from ecp_tracker.api.testimonials import collections_bp, requests_bp, testimonials_bp
from ecp_tracker.api.users import bp as users_bp
from ecp_tracker.extensions import csrf

BLUEPRINTS = (
    me_bp,
    users_bp,
    accounts_bp,
    archetypes_bp,
    traits_bp,
    pilots_bp,
    milestones_bp,
    discounts_bp,
    promises_bp,
    interviews_bp,
    analysis_bp,
    icp_bp,
    testimonials_bp,
    requests_bp,
    collections_bp,
)


class ProblemApi(Api):
    """flask-smorest, documenting errors as problem+json and leaving error handling to the app's handler."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        # smorest would answer every HTTP error of the whole app as JSON; errors.py answers API errors
        # with problem+json and page errors with HTML.
        return None


def init_api(app: Flask) -> None:
    """One Api object per app: it holds that app's OpenAPI document."""
    app.config.update(
        API_TITLE="ECP Tracker API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = ProblemApi(
        app,
        spec_kwargs={
            "info": {
                "description": "Personal API tokens (created on the profile page) authenticate as "
                "'Authorization: Bearer <token>'. "
                "Errors are application/problem+json. Lists take ?page=&per_page= and return "
                "{items, total, page, per_page}. PATCH requires the record's version (stale: 409)."
            },
            "security": [{"bearerAuth": []}],
        },
    )
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)  # Bearer tokens only, no cookies: cross-site requests carry no credentials
    app.extensions["ecp_api"] = api
