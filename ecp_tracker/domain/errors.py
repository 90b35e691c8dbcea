"""Domain errors: raised by services, turned into form messages by views and problem+json by the API."""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """A business rule refused the request; nothing was changed."""

    status = 400
    title = "Request refused"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def errors(self) -> dict[str, list[str]]:
        return {self.field: [self.message]} if self.field else {}


class ValidationError(DomainError):
    """Input is well-formed but breaks a rule (a duplicate e-mail, a missing date)."""

    status = 422
    title = "Invalid input"


class NotFound(DomainError):
    """The record does not exist (or is not visible to this user)."""

    status = 404
    title = "Not found"


class PermissionDenied(DomainError):
    """The user's role does not allow this."""

    status = 403
    title = "Forbidden"


class StaleEdit(DomainError):
    """Someone else changed the record after this edit started; nothing was overwritten.

    `record` is the record that was being saved: once the refused request is rolled back it holds the other
    person's change, which the API quotes (with `current`, values a service chose to add)."""

    status = 409
    title = "Edit conflict"

    def __init__(
        self, message: str, *, current: Mapping[str, object] | None = None, record: object | None = None
    ) -> None:
        super().__init__(message, field="version")
        self.current = dict(current or {})
        self.record = record


class InvalidFields(ValidationError):
    """Several fields are invalid at once; `problems` lists (field, message) in input order."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(
            "; ".join(f"{field}: {message}" for field, message in problems), field=problems[0][0]
        )
        self.problems = problems

    @property
    def errors(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for field, message in self.problems:
            grouped.setdefault(field, []).append(message)
        return grouped


def problems_under(prefix: str, error: DomainError) -> list[tuple[str, str]]:
    """A nested row's problems named as the input names them: `criteria.0.target`.

    The one place where a row's field errors get their path, for services that check a parent with its rows.
    """
    problems = getattr(error, "problems", None) or [(error.field, error.message)]
    return [(f"{prefix}.{field}" if field else prefix, message) for field, message in problems]


class Conflict(DomainError):
    """The record is in a state that does not allow this change (e.g. a frozen success criterion)."""

    status = 409
    title = "Conflict"


def check_version(record: object, version: int | None, label: str, *, advice: str = "") -> None:
    """Optimistic locking for an edit: the version the editor saw must be the record's current one.

    A missing version is invalid input (field `version`); an old one is a StaleEdit naming `label`
    ("The testimonial", a pilot's name, ...), followed by `advice` when given."""
    if version is None:
        raise ValidationError("The record version is missing; reload and try again.", field="version")
    if version != getattr(record, "version"):  # noqa: B009 (any model with a version column)
        message = f"{label} was changed by someone else while you were editing; nothing was saved."
        raise StaleEdit(f"{message} {advice}" if advice else message, record=record)
