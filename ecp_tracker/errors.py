"""Error handling: HTML error pages for people, problem+json for the API; never a traceback."""

from __future__ import annotations

from flask import Flask, current_app, g, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from ecp_tracker.domain.errors import DomainError, StaleEdit
from ecp_tracker.problems import flatten_webargs_errors, is_api_request, problem

PAGE_TEXT = {
    400: ("Bad request", "The request could not be understood. Go back, reload the page and try again."),
    401: ("Sign in needed", "Sign in to see this page."),
    403: ("Not allowed", "Your role does not allow this. Ask an admin if you need it."),
    404: ("Not found", "There is nothing at this address. It may have been moved or archived."),
    405: ("Not allowed", "This address does not accept that kind of request."),
    409: ("Edit conflict", "Someone else changed this record; reload to see their change."),
    422: ("Invalid input", "Some of what was sent is not valid."),
    429: ("Slow down", "Too many attempts in a short time. Wait a minute and try again."),
    500: ("Something went wrong", "An unexpected error happened on our side; it has been logged. Try again."),
}


def _page(status: int, detail: str | None = None) -> tuple[str, int]:
    title, text = PAGE_TEXT.get(status, (f"Error {status}", "The request could not be completed."))
    return render_template("errors/error.html", status=status, title=title, text=detail or text), status


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    if is_api_request():
        data = getattr(error, "data", None) or {}
        errors = (
            flatten_webargs_errors(data.get("messages", {})) if "messages" in data else data.get("errors")
        )
        title = PAGE_TEXT.get(status, (error.name, ""))[0] if status != 422 else "Invalid input"
        detail = data.get("message") or error.description or title
        if status == 422 and errors:
            detail = "Some fields are not valid: " + ", ".join(sorted(errors)) + "."
        headers = dict(data.get("headers") or {})
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)  # RFC 9110: a 405 lists what is allowed
        return problem(status, title, detail, errors=errors, headers=headers)
    if isinstance(error, CSRFError):
        return _page(
            400, "The form expired or did not come from this site. Reload the page and send it again."
        )
    if status == 429:
        return _page(429)
    return _page(status)


def _rollback() -> None:
    """Nothing of a refused request is kept, and the error page can still read the database."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def _current(error: StaleEdit) -> dict:
    """The record as it is now (the other person's change), read after the rollback."""
    from ecp_tracker.services.shared.audit import current_values

    values = current_values(error.record) if error.record is not None else {}
    return {**values, **error.current}


def handle_domain_error(error: DomainError):
    _rollback()
    if is_api_request():
        extra = {}
        if isinstance(error, StaleEdit) and (current := _current(error)):
            extra["current"] = current
        return problem(error.status, error.title, error.message, errors=error.errors or None, **extra)
    return _page(error.status, error.message)


OUT_OF_RANGE = "A number in the request is too large (ids, page numbers and counts stay below 2,147,483,648)."


def handle_out_of_range(error: Exception):
    """A number the database cannot hold (an id or page of 25 digits): bad input, not a server error."""
    from ecp_tracker.db import get_session

    get_session().rollback()
    if is_api_request():
        return problem(400, PAGE_TEXT[400][0], OUT_OF_RANGE)
    return _page(400, OUT_OF_RANGE)


def handle_lost_race(error: Exception):
    """A save that lost to a simultaneous one at commit time: what the same request alone would be told."""
    from ecp_tracker.services.shared.integrity import SAVED_AT_THE_SAME_MOMENT, duplicate, unique_field

    if isinstance(error, IntegrityError):
        field = unique_field(error)
        if field is not None:
            return handle_domain_error(duplicate(field))
        return handle_domain_error(
            StaleEdit("This change conflicts with one saved at the same moment; nothing was saved. Reload.")
        )
    return handle_domain_error(StaleEdit(f"This record {SAVED_AT_THE_SAME_MOMENT}"))


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    _rollback()
    current_app.logger.exception("unhandled error", exc_info=error)
    return handle_http_exception(InternalServerError())


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(OverflowError, handle_out_of_range)  # SQLite: "too large to convert"
    app.register_error_handler(DataError, handle_out_of_range)  # PostgreSQL: "integer out of range"
    app.register_error_handler(StaleDataError, handle_lost_race)
    app.register_error_handler(IntegrityError, handle_lost_race)
    app.register_error_handler(Exception, handle_unexpected)
