"""One page of a query's results, with the total, as every list page and API list uses it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(
    session: Session,
    stmt: Select[tuple[T]],
    *,
    page: int,
    per_page: int,
    count: Select[tuple[int]] | None = None,
) -> Page[T]:
    """Run `stmt` for one page (1-based) plus one COUNT query; a page past the end is empty, not an error.

    `count`, when given, is a cheaper statement that counts the same rows (the caller vouches for that)."""
    page = max(1, page)
    per_page = max(1, per_page)
    if count is None:
        count = select(func.count()).select_from(stmt.order_by(None).subquery())
    total = session.scalar(count) or 0
    items = session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page(items=items, total=total, page=page, per_page=per_page)
