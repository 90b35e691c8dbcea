"""The monthly review's rules that need no database: periods, decisions, the repeated-looks rule, and the
snapshot's fingerprint.

A review looks at the same candidates month after month. A trait value whose test crosses the line once, out
of many looks, is more often luck than a trait: the more looks, the more false graduations (with twelve
monthly looks at a true null, one crossing graduates about a third of the time). So a candidate is **ready**
only when the engine's recommendation holds at this review *and* the one before (two consecutive looks), and
the meeting sees how many reviews have looked at it. The meeting may still decide otherwise; such a decision
is recorded as against the evidence, with its rationale.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Any

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
CONSECUTIVE_LOOKS = 2  # the recommendation must hold at this many reviews in a row
MAX_RATIONALE = 4000
MAX_DECIDERS = 400


class ReviewStatus(StrEnum):
    OPEN = "open"
    FINALISED = "finalised"


class Decision(StrEnum):
    GRADUATE = "graduate"  # the trait value becomes a criterion of the next ICP version
    EXCLUDE = "exclude"  # the trait value becomes an exclusion (the anti-ICP)
    DEFER = "defer"  # look again at a later review (a revisit date is required)
    REJECT = "reject"  # not part of the ICP


# the engine's recommendation each decision follows
FOLLOWS = {Decision.GRADUATE: "graduate", Decision.EXCLUDE: "exclude"}


def period_before(day: date, months: int = 1) -> str:
    """The month `months` before the month of `day`, as a period: 2026-01-15 and 1 give "2025-12"."""
    index = day.year * 12 + day.month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def parse_period(text: str) -> tuple[date, date] | None:
    """A period such as 2026-11 as (first day, first day of the next month); None if malformed."""
    match = PERIOD.match((text or "").strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    start = date(year, month, 1)
    end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return start, end


def readiness(recommendations: Sequence[str | None]) -> str | None:
    """`graduate` or `exclude` when the recommendation, newest last, has held at the last CONSECUTIVE_LOOKS
    reviews (this one included); otherwise None (not ready, whatever this review's test says)."""
    recent = list(recommendations[-CONSECUTIVE_LOOKS:])
    if len(recent) < CONSECUTIVE_LOOKS:
        return None
    first = recent[0]
    if first in ("graduate", "exclude") and all(r == first for r in recent):
        return first
    return None


def against_evidence(decision: Decision, ready: str | None) -> bool:
    """Whether the meeting decided otherwise than the evidence says: graduating or excluding what the
    repeated-looks rule does not call ready for that, or rejecting what it does. Deferring never is."""
    if decision in FOLLOWS:
        return ready != FOLLOWS[decision]
    if decision is Decision.REJECT:
        return ready is not None
    return False


def canonical_json(data: Any) -> str:
    """The snapshot as text that hashes the same wherever it is stored: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def fingerprint(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()
