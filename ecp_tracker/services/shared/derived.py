"""Derived account data that an upper service area computes and lower ones show: the ICP score and tier.

The account list and export (in `accounts`) may not import the ICP (above them), so the ICP registers a
provider here when the app is built; with none registered, accounts carry no score. The provider returns SQL
expressions over `accounts`, so a score is computed in the query that reads it and is never stale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Reason:
    trait: str
    value: str
    points: int
    exclude: bool
    matches: ColumnElement[bool]


@dataclass(frozen=True)
class ScoreColumns:
    """The active ICP version's number, and its score, tier and per-criterion matches as SQL expressions."""

    version: int
    score: ColumnElement[Any]
    tier: ColumnElement[Any]
    reasons: tuple[Reason, ...]


Provider = Callable[[Session], ScoreColumns | None]
_providers: list[Provider] = []


def register_score_columns(provider: Provider) -> None:
    """Called by the app factory; registering the same provider twice keeps one."""
    if provider not in _providers:
        _providers.append(provider)


def score_columns(session: Session) -> ScoreColumns | None:
    for provider in _providers:
        columns = provider(session)
        if columns is not None:
            return columns
    return None


def reasons_text(matched: list[tuple[str, str, int, bool]]) -> str:
    """`archetype=Game changer (+40); industry=Gambling (excluded)` for exports and prospect lists."""
    return "; ".join(
        f"{trait}={value} ({'excluded' if exclude else f'{points:+d}'})"
        for trait, value, points, exclude in matched
    )
