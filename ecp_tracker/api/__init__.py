"""JSON API under /api/v1, documented by a generated OpenAPI 3 document at /api/v1/openapi.json."""

from __future__ import annotations

import http
import threading
from typing import Any

from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from ecp_tracker.api.accounts import bp as accounts_bp
from ecp_tracker.api.analysis import bp as analysis_bp
from ecp_tracker.api.bodies import MAX_ID, check_json_body, is_id_name
from ecp_tracker.api.catalog import archetypes_bp, traits_bp
from ecp_tracker.api.experiments import bp as experiments_bp
from ecp_tracker.api.icp import bp as icp_bp
from ecp_tracker.api.interviews import bp as interviews_bp
from ecp_tracker.api.me import bp as me_bp
from ecp_tracker.api.pilots import discounts_bp, milestones_bp, pilots_bp, promises_bp
from ecp_tracker.api.reviews import bp as reviews_bp
from ecp_tracker.api.schemas.common import ProblemSchema
from ecp_tracker.api.testimonials import collections_bp, requests_bp, testimonials_bp
from ecp_tracker.api.users import bp as users_bp
from ecp_tracker.extensions import csrf
from ecp_tracker.problems import PROBLEM_TYPE

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
    reviews_bp,
    experiments_bp,
    testimonials_bp,
    requests_bp,
    collections_bp,
)


def _tighten_schema(schema: Any) -> None:
    """Every integer id (a property or list item named id or *_id) at most MAX_ID, as the checks hold it."""
    if not isinstance(schema, dict):
        return
    for name, prop in (schema.get("properties") or {}).items():
        if isinstance(prop, dict):
            target = prop.get("items", prop) if prop.get("type") == "array" else prop
            if is_id_name(name) and isinstance(target, dict) and target.get("type") == "integer":
                target.setdefault("maximum", MAX_ID)
            _tighten_schema(prop)
    if isinstance(schema.get("items"), dict):
        _tighten_schema(schema["items"])


def tighten(document: dict[str, Any]) -> dict[str, Any]:
    """The document says what the checks hold: integer ids in paths, queries and bodies stay below 2**31."""
    for schema in document.get("components", {}).get("schemas", {}).values():
        _tighten_schema(schema)
    for path_item in document.get("paths", {}).values():
        lists = [path_item.get("parameters", [])]
        lists += [op.get("parameters", []) for op in path_item.values() if isinstance(op, dict)]
        for parameters in lists:
            for parameter in parameters:
                schema = parameter.get("schema", {})
                target = schema.get("items", schema) if schema.get("type") == "array" else schema
                if target.get("type") == "integer" and (
                    parameter["in"] == "path" or is_id_name(parameter["name"])
                ):
                    target.setdefault("maximum", MAX_ID)
    return document


class ProblemApi(Api):
    """flask-smorest, documenting errors as problem+json and leaving error handling to the app's handler."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        """As smorest's, but error responses are documented as application/problem+json, as they are sent."""
        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            content_type = PROBLEM_TYPE if status >= 400 else self.DEFAULT_RESPONSE_CONTENT_TYPE
            prepare_response(response, self.spec, content_type)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def _register_error_handlers(self) -> None:
        # smorest would answer every HTTP error of the whole app as JSON; errors.py answers API errors
        # with problem+json and page errors with HTML.
        return None

    def _init_spec(self, **kwargs: Any) -> None:
        super()._init_spec(**kwargs)
        self._undocumented: list[tuple[Any, str, Any]] = []
        self._documenting = threading.Lock()
        build = self.spec.to_dict

        def to_dict() -> dict[str, Any]:
            self.document_blueprints()
            return tighten(build())

        # Whoever reads the document (openapi.json, `flask openapi print`) reads it complete.
        self.spec.to_dict = to_dict  # type: ignore[method-assign]

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        """Register the views now and describe them in the document when it is first read.

        Describing 70 blueprints' schemas is most of the cost of building an app (about 100 ms), and most
        processes (a CLI command, each test's app) never serve the document.
        """
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))

    def document_blueprints(self) -> None:
        with self._documenting:
            while self._undocumented:
                blp, name, parameters = self._undocumented.pop(0)
                blp.register_views_in_doc(self, self._app, self.spec, name=name, parameters=parameters)
                self.spec.tag({"name": name, "description": blp.description})


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
    app.before_request(check_json_body)  # after permissions.enforce: who is asking is checked first
    app.extensions["ecp_api"] = api
