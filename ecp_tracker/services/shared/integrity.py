"""Two people saving at the same moment: what the database refused, as the domain error a lone request gets.

A service checks versions and unique names before it writes, but two requests can both pass the check and
race to the database. The loser's flush then fails: an UPDATE that matched no row (its version is gone) or an
INSERT that broke a unique constraint. Both become what a sequential request would have been told: a stale
edit (409) or an invalid field (422) naming the field. The session must then be rolled back by its owner.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ecp_tracker.domain.errors import StaleEdit, ValidationError
from ecp_tracker.models import Base

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)")
_POSTGRES_KEY = re.compile(r"Key \(([^)]*)\)=")
# Columns that hold a normalised copy of what the person typed, named as the field they typed it in.
_FIELD_OF_COLUMN = {"name_key": "name"}

SAVED_AT_THE_SAME_MOMENT = (
    "was changed by someone else at the same moment; nothing of yours was saved. "
    "Reload to see their change and apply yours again."
)


def unique_field(error: IntegrityError) -> str | None:
    """The field whose unique value the database refused, or None when the error is not a unique violation."""
    text = str(error.orig)
    columns: list[str] = []
    if match := _SQLITE_UNIQUE.search(text):
        columns = [part.rsplit(".", 1)[-1] for part in match.group(1).split(", ")]
    elif "unique" in text.lower() and (match := _POSTGRES_KEY.search(text)):
        columns = [part.strip().strip('"') for part in match.group(1).split(",")]
    if not columns:
        return None
    column = columns[-1]  # (user_id, name): the person chose the name
    return _FIELD_OF_COLUMN.get(column, column)


def _label(obj: Base) -> str:
    name = getattr(obj, "name", None)
    identity = inspect(obj).identity
    noun = type(obj).__name__
    if isinstance(name, str) and name:
        return name
    return f"{noun} {identity[0] if identity else ''}".strip()


def duplicate(field: str) -> ValidationError:
    """What a create that lost the race for a unique value is told."""
    return ValidationError(
        f"Another record already uses this {field.replace('_', ' ')} (saved at the same moment).", field=field
    )


@contextmanager
def raced(obj: Base) -> Iterator[None]:
    """Turn a flush lost to a simultaneous save of `obj` (or of a record with the same unique value) into the
    domain error the same request would get alone."""
    label = _label(obj)
    try:
        yield
    except StaleDataError:
        raise StaleEdit(f"{label} {SAVED_AT_THE_SAME_MOMENT}", record=obj) from None
    except IntegrityError as error:
        field = unique_field(error)
        if field is None:
            raise
        raise duplicate(field) from None
