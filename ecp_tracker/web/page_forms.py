"""The forms of a record's page post to the page's own address, so a refused form is shown (with its values
and messages) at the address the page was opened at, not at an action's address that a reload cannot open.

Each form carries a hidden `form` naming which one it is (and, for a form about one row, that row's id); the
page's POST endpoint hands the request to that form's handler, the same one the form's own route runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import abort, request
from flask.typing import ResponseReturnValue

from ecp_tracker.domain.numbers import is_id

FORM = "form"


def dispatch(handlers: Mapping[str, Callable[..., ResponseReturnValue]], **ids: Any) -> ResponseReturnValue:
    """Run the handler of the posted form with the page's `ids`; an unknown form is a 400 with the reason."""
    handler = handlers.get(request.form.get(FORM, ""))
    if handler is None:
        abort(400, description="The page did not say which of its forms was sent; reload it and try again.")
    return handler(**ids)


def posted_id(name: str) -> int:
    """The id of the row a page form is about (a hidden field); a 400 when it is not a whole number."""
    raw = request.form.get(name, "")
    if not is_id(raw):
        abort(400, description=f"The form did not say which row it is about ({name}).")
    return int(raw)
