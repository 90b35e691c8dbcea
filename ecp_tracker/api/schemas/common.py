"""What every area's schemas share: problems, paging, the list envelope, dates, account references."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from ecp_tracker.services.shared.emails import email_problem

NUMBER = {"type": "number"}
DATE = {"type": "string", "format": "date"}
VERSION_REQUIRED = {"description": "The version you read; stale -> 409."}


class DateInput(fields.Raw):
    """A date read as the service reads it (ISO text, checked there with the field named) and served as an
    ISO date (`2026-11-01`), as `format: date` says; a plain Raw field would send a date object as an HTTP
    date."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value


def valid_email(value: str) -> None:
    """The one e-mail rule (services.shared.emails), as the API checks it."""
    problem = email_problem(value)
    if problem:
        raise ValidationError(problem)


class ProblemSchema(Schema):
    """An RFC 9457 problem document (`application/problem+json`)."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(required=True, metadata={"example": "Invalid input"})
    status = fields.Integer(required=True, metadata={"example": 422})
    detail = fields.String(metadata={"example": "Some fields are not valid: role."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Validation errors by field name (422 only)."},
    )
    current = fields.Dict(
        keys=fields.String(),
        metadata={
            "description": "Edit conflicts (409) only: the record's current values, i.e. the change someone "
            "else saved; apply yours again on top of them with the new version."
        },
    )


class PageArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """The list envelope of docs/api.md: items, total, page, per_page."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "total": fields.Integer(required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
        },
        name=name,
    )


class AccountRefSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    stage = fields.String(dump_only=True)
