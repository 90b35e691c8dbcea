"""What every area's schemas share: problems, paging, the list envelope, dates, account references."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, ClassVar

from marshmallow import Schema, ValidationError, fields, post_load, validate

from ecp_tracker.domain.numbers import parse_decimal
from ecp_tracker.services.shared.emails import email_problem

NUMBER = {"type": "number"}
DATE = {"type": "string", "format": "date"}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
VERSION_REQUIRED = {"description": "The version you read; stale -> 409."}
# A string the server trims and then refuses when nothing is left: at least one character, and one that is not
# a space (`pattern` is an unanchored search, so "\\S" says "contains a non-space character").
NOT_BLANK = {"minLength": 1, "pattern": r"\S"}
# A measure (a criterion's target or result): at most 14 digits before the point, as services check it
MEASURE = {"minimum": -99_999_999_999_999, "maximum": 99_999_999_999_999}


class NonBlankString(fields.String):
    """A string the service trims and refuses when blank, with its own message naming the field; the document
    says so (NOT_BLANK), so that clients learn the rule from it. The check stays in the service: checking
    here too would only replace its message with a generic one."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata={**NOT_BLANK, **kwargs.pop("metadata", {})}, **kwargs)


class DateInput(fields.Raw):
    """A date as `format: date` says, both ways: YYYY-MM-DD in (anything else is a 422 naming the field) and
    out (a plain Raw field would send a date object as an HTTP date)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata={**DATE, **kwargs.pop("metadata", {})}, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        # null reaches here only where the field allows it (allow_none); "" is not a date and is refused:
        # leave the field out for its default.
        if isinstance(value, str) and ISO_DATE.fullmatch(value):
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        raise ValidationError("Write the date as YYYY-MM-DD.")


class JsonNumber(fields.Raw):
    """A number passed to the service as sent; the service checks it with the field named. integer=True: a
    JSON integer, as `type: integer` says (2.5, 2.0, "2" and true are refused). Otherwise a JSON number or
    numeric text (`"1500.50"`, exact for money), as before; "", true/false, lists and objects are refused."""

    def __init__(self, *, integer: bool = False, **kwargs: Any) -> None:
        self.integer = integer
        metadata = {"type": "integer" if integer else "number", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if self.integer:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError("Not a valid integer.")
        elif isinstance(value, bool) or not isinstance(value, int | float | str) or not _numeric(value):
            raise ValidationError("Not a valid number.")  # "" too: the service would read it as null
        return value


def _numeric(value: int | float | str) -> bool:
    """A JSON number, or text that reads as one by the services' rule (domain.numbers: "1500.50"); "AAA" is
    refused here even where the service would not look at it (a pending pilot's contract value)."""
    return not isinstance(value, str) or parse_decimal(value) is not None


class JsonBoolean(fields.Boolean):
    """true or false in a JSON body; 0, 1, "yes" and the like are refused (they are not what the document
    promises). Query strings keep fields.Boolean, which reads true/false/1/0 from text."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


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
