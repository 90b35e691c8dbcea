"""JSON request bodies checked before any view reads them: what json.loads accepts but no record can hold.

Refused as 400 problem+json: bodies nested deeper than any resource (json.loads would recurse until Python
gives up) and text with a lone UTF-16 surrogate (`"\\ud800"`, not UTF-8: no database takes it).
Refused as 422 naming the field: text with a NUL character, in the body or a query parameter (the web forms
and the import refuse it too; PostgreSQL cannot compare it, even in a search), and an id (a field or query
parameter named id or *_id) above MAX_ID, which no record has: the OpenAPI document states that maximum for
every id, from the same rule (api.tighten). Such an id in the path is a 404.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request

from ecp_tracker.problems import is_api_request, problem
from ecp_tracker.services.shared.raw_input import parameter_with_nul

MAX_DEPTH = 32  # the deepest resource (a testimonial with tags in a list) is 3 levels
MAX_ID = 2_147_483_647  # ids are the databases' 32-bit integers
ID_MESSAGE = f"No record has an id above {MAX_ID:,} (or below -{MAX_ID + 1:,})."
NUL_MESSAGE = "Text may not contain NUL characters (\\u0000)."


def is_id_name(name: str) -> bool:
    return name == "id" or name.endswith("_id")


def _too_big(value: Any) -> bool:
    if isinstance(value, list):
        return any(_too_big(item) for item in value)
    if isinstance(value, str):
        value = value.strip()
        digits = value.removeprefix("-")
        return digits.isdigit() and not -MAX_ID - 1 <= int(value) <= MAX_ID
    return isinstance(value, int) and not isinstance(value, bool) and not -MAX_ID - 1 <= value <= MAX_ID


def _big_id(data: Any) -> str | None:
    """The first field named id or *_id (at any depth) holding an integer beyond 32 bits, else None."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, inner in value.items():
                name = f"{path}.{key}" if path else str(key)
                if is_id_name(str(key)) and _too_big(inner):
                    return name
                stack.append((name, inner))
        elif isinstance(value, list):
            stack.extend(
                (f"{path}.{index}" if path else str(index), inner) for index, inner in enumerate(value)
            )
    return None


def _invalid(field: str, message: str) -> Response:
    return problem(422, "Invalid input", f"Some fields are not valid: {field}.", errors={field: [message]})


def _too_deep(text: str) -> bool:
    """Whether brackets outside strings nest deeper than MAX_DEPTH, without parsing (no recursion)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _bad_text(data: Any) -> tuple[str, str] | None:
    """(field, problem) for the first string (or key) holding a lone surrogate or a NUL, else None."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, inner in value.items():
                name = f"{path}.{key}" if path else str(key)
                problem_found = _text_problem(key)
                if problem_found:
                    return name, problem_found
                stack.append((name, inner))
        elif isinstance(value, list):
            stack.extend(
                (f"{path}.{index}" if path else str(index), inner) for index, inner in enumerate(value)
            )
        elif isinstance(value, str):
            problem_found = _text_problem(value)
            if problem_found:
                return path or "_schema", problem_found
    return None


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "nul"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "surrogate"
    return None


def check_json_body() -> Response | None:
    """A before-request hook for the API: refuse bodies (and query ids) no view could store or find."""
    if not is_api_request():
        return None
    if any(_too_big(value) for value in (request.view_args or {}).values()):
        # SQLite finds no row, PostgreSQL refuses the number for a 32-bit column: either way, no such record
        return problem(404, "Not found", ID_MESSAGE)
    query = {key: request.args.getlist(key) for key in request.args}
    query_id = _big_id(query)
    if query_id is not None:
        return _invalid(query_id, ID_MESSAGE)
    nul = parameter_with_nul(query)
    if nul is not None:
        return _invalid(nul, NUL_MESSAGE)
    if request.method not in {"POST", "PUT", "PATCH"} or not request.is_json:
        return None
    raw = request.get_data(cache=True)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return problem(400, "Bad request", "The request body is not valid UTF-8 text.")
    if _too_deep(text):
        return problem(400, "Bad request", f"The JSON body nests deeper than {MAX_DEPTH} levels.")
    try:
        data = json.loads(text) if text.strip() else None
    except (ValueError, RecursionError):
        return None  # the view's own parsing answers 400 for JSON that is not valid
    big = _big_id(data)
    if big is not None:
        return _invalid(big, ID_MESSAGE)
    found = _bad_text(data)
    if found is None:
        return None
    field, kind = found
    if kind == "surrogate":
        return problem(
            400,
            "Bad request",
            f"{field}: the text holds a lone UTF-16 surrogate (such as \\ud800), which is not a character.",
        )
    return _invalid(field, NUL_MESSAGE)
