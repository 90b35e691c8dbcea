"""Running a service from a form: commit on success, roll back and show the reason on a domain error."""

from __future__ import annotations

from collections.abc import Callable, Container
from typing import TypeVar

from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.widgets import HiddenInput

from ecp_tracker.db import get_session
from ecp_tracker.domain.errors import DomainError
from ecp_tracker.services.accounts.vocabulary import CUSTOM_PREFIX

T = TypeVar("T")


def _is_hidden(field: Field) -> bool:
    return field.type in {"HiddenField", "CSRFTokenField"} or isinstance(field.widget, HiddenInput)


def form_field_name(field: str) -> str:
    """Service field names to form field names (`trait:stack` -> `trait__stack`)."""
    return field.replace(CUSTOM_PREFIX, "trait__", 1)


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Attach each message to the field it names, or to the form as a whole."""
    problems = getattr(error, "problems", None) or [(error.field, error.message)]
    for name, message in problems:
        field = form._fields.get(form_field_name(name)) if name else None
        if field is not None and not _is_hidden(field):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def attempt(form: FlaskForm, action: Callable[[], T]) -> T | None:
    """Run `action` (a service call); commit and return its result, or roll back and return None."""
    session = get_session()
    try:
        result = action()
        session.commit()
    except DomainError as error:
        session.rollback()
        show_error(form, error)
        form.domain_error = error  # type: ignore[attr-defined]  # views may look at e.g. a StaleEdit's values
        return None
    return result


def status_for(form: FlaskForm) -> int:
    """422 when a submitted form was refused, 200 otherwise."""
    return 422 if form.is_submitted() and (form.errors or form.form_errors) else 200


def refused_status(form: FlaskForm, keep: Container[int] = (409,)) -> int:
    """As status_for, but a service refusal whose status is in `keep` (by default 409: a conflict or a stale
    edit) answers with that status."""
    error = getattr(form, "domain_error", None)
    if isinstance(error, DomainError) and error.status in keep:
        return error.status
    return status_for(form)
