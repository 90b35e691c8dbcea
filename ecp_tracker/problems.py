"""RFC 9457 problem+json responses for the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, jsonify, request

PROBLEM_TYPE = "application/problem+json"


def is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def problem(
    status: int,
    title: str,
    detail: str = "",
    *,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail or title,
    }
    if errors:
        body["errors"] = dict(errors)
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def flatten_webargs_errors(messages: Mapping[str, Any]) -> dict[str, list[str]]:
    """webargs nests errors by location ({"json": {"role": [...]}}); the contract names the field only."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            flat.setdefault(prefix or "_schema", []).extend(value)
        else:
            flat.setdefault(prefix or "_schema", []).append(str(value))

    for location, fields in messages.items():
        if location in {"json", "query", "form", "querystring", "view_args", "headers", "files"}:
            walk("", fields)
        else:
            walk(str(location), fields)
    return flat
