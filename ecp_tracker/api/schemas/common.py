"""What every area's schemas share: problems, paging, the list envelope, dates, account references."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from marshmallow import Schema, ValidationError, fields, post_load, validate

from ecp_tracker.services.shared.emails import email_problem

NUMBER = {"type": "number"}
DATE = {"type": "string", "format": "date"}
VERSION_REQUIRED = {"description": "The version you read; stale -> 409."}


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


class PageArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class FilterArgsSchema(Schema):
    """List arguments that load into the service's filter object, as `filters` (beside `page`, `per_page`).

    The schema's fields document the query and check its types; the filter object's `from_query`, the one
    parser the web list pages use too, then reads the query as sent (with repeated and `trait:<key>` names).
    """

    parse_filters: ClassVar[Callable[[Mapping[str, list[str]]], Any]]

    @post_load(pass_original=True)
    def _to_filters(self, data: dict[str, Any], original: Any, **_kwargs: Any) -> dict[str, Any]:
        loaded = {name: data[name] for name in ("page", "per_page") if name in data}
        loaded["filters"] = type(self).parse_filters(query_lists(original))
        return loaded


def query_lists(query: Any) -> dict[str, list[str]]:
    """{name: [values]} of a query: webargs hands the request's MultiDict over wrapped in a proxy."""
    source = getattr(query, "data", query)
    if hasattr(source, "getlist"):
        return {name: source.getlist(name) for name in source}
    return {name: list(v) if isinstance(v, list | tuple) else [v] for name, v in source.items()}


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
