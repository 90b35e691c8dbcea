"""Finding a row that belongs to a parent (a contact of an account, a criterion of a pilot, a finding of an
interview): one rule, so a URL that names another parent's row is a 404 everywhere, never a write to it."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from ecp_tracker.domain.errors import NotFound

Row = TypeVar("Row")


def child_row(
    session: Session, model: type[Row], row_id: int, *, parent: str, parent_id: int | None, missing: str
) -> Row:
    """Row `row_id` of `model`; NotFound(`missing`) when there is none or, given `parent_id`, when its
    `parent` column (e.g. "account_id") names another parent."""
    row: Any = session.get(model, row_id)
    if row is None or (parent_id is not None and getattr(row, parent) != parent_id):
        raise NotFound(missing)
    return row
