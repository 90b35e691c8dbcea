"""Scoring a prospect list: a CSV in the account import's columns and presets comes back row for row with
`icp_score`, `icp_tier`, `icp_reasons` and `icp_problem`, streamed, and nothing is stored.

Rows are read and checked by the import's own reader (`check_rows`) and matched by the same criteria as
stored accounts (`criteria.matches_values`) with the same derived bands (size and revenue from the domain
rules; a prospect has no discount, so its discount band is `none`, as an account without one). A row whose
cells cannot be read is kept, with tier `unscored` and the reason. Cells a spreadsheet would run as a formula
are neutralised as in the account export.
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from ecp_tracker.domain.accounts import TraitKind, revenue_band, size_band
from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.icp import UNSCORED
from ecp_tracker.domain.numbers import parse_decimal
from ecp_tracker.models import IcpVersion
from ecp_tracker.services.accounts.fields import CleanAccount
from ecp_tracker.services.accounts.importing.importer import CheckedRow, check_rows
from ecp_tracker.services.accounts.importing.presets import AUTO, neutralise
from ecp_tracker.services.accounts.vocabulary import custom_trait_name
from ecp_tracker.services.icp.criteria import Vocabulary, matches_values
from ecp_tracker.services.icp.scoring import Scorer
from ecp_tracker.services.shared.derived import reasons_text

SCORE_COLUMNS = ("icp_score", "icp_tier", "icp_reasons", "icp_problem")
PROGRESS_EVERY = 1000
CHUNK_ROWS = 500

Values = dict[str, frozenset[str] | Decimal | None]


def row_values(clean: CleanAccount, vocabulary: Vocabulary) -> Values:
    """A checked row's trait values, derived as the analysis derives a stored account's."""
    columns = clean.columns
    values: Values = {
        "archetype": frozenset(clean.archetypes or ()),
        "size_band": _one(size_band(columns.get("employees"))),
        "revenue_band": _one(revenue_band(columns.get("annual_revenue"))),
        "discount_band": frozenset({"none"}),
    }
    for name in ("industry", "region", "country", "acquisition_channel"):
        values[name] = _one(columns.get(name))
    for key, given in clean.traits.items():
        name = custom_trait_name(key)
        info = vocabulary.traits.get(name)
        if info is not None and info.kind == TraitKind.NUMBER:
            values[name] = parse_decimal(given[0]) if given else None
        else:
            values[name] = frozenset(given)
    return values


def _one(value: object) -> frozenset[str]:
    return frozenset() if value is None or value == "" else frozenset({str(value)})


def score_rows(
    session: Session,
    actor: Actor,
    stream: BinaryIO,
    version: IcpVersion,
    *,
    preset: str = AUTO,
    progress: Callable[[int], None] | None = None,
) -> Iterator[list[str]]:
    """The header (the file's own plus SCORE_COLUMNS), then every data row with its score, as it is read."""
    vocabulary = Vocabulary(session)
    scorer = Scorer(session, version, vocabulary)
    plan, rows = check_rows(session, actor, stream, preset=preset)
    yield [*plan.headers, *SCORE_COLUMNS]
    width = len(plan.headers)
    done = 0
    for checked in rows:
        yield _scored(checked, scorer, vocabulary, width)
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
    if progress is not None:
        progress(done)


def _scored(checked: CheckedRow, scorer: Scorer, vocabulary: Vocabulary, width: int) -> list[str]:
    cells = (checked.cells + [""] * width)[:width] if checked.cells else [""] * width
    if checked.problems:
        problem = "; ".join(
            f"{column}: {reason}" if column else reason for column, reason in checked.problems
        )
        return [*cells, "", UNSCORED, "", f"row {checked.row}: {problem}"]
    values = row_values(checked.account, vocabulary)
    score = scorer.score_of([matches_values(spec, values) for spec in scorer.specs])
    reasons = reasons_text(
        [(r["trait"], r["value"], r["points"], bool(r.get("exclude"))) for r in score.reasons]
    )
    return [*cells, str(score.score), score.tier, reasons, ""]


def csv_text(rows: Iterator[list[str]]) -> Iterator[str]:
    """CSV text in chunks of CHUNK_ROWS rows, formula-like cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, row in enumerate(rows, start=1):
        writer.writerow([neutralise(cell) for cell in row])
        if index % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def score_file(
    session: Session,
    actor: Actor,
    stream: BinaryIO,
    out: Path,
    version: IcpVersion,
    *,
    preset: str = AUTO,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Score a prospect list into the CSV file `out` (written whole, then moved into place) and say what it
    holds: {"version", "rows", "unscored", "tiers": {tier: rows}} (a prospect-scoring job's report)."""
    tiers: Counter[str] = Counter()

    def counted(rows: Iterator[list[str]]) -> Iterator[list[str]]:
        header = next(rows)
        tier_at = len(header) - len(SCORE_COLUMNS) + SCORE_COLUMNS.index("icp_tier")
        yield header
        for row in rows:
            tiers[row[tier_at]] += 1
            yield row

    partial = out.with_suffix(".part")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        for chunk in csv_text(
            counted(score_rows(session, actor, stream, version, preset=preset, progress=progress))
        ):
            handle.write(chunk)
    os.replace(partial, out)
    return {
        "version": version.number,
        "rows": sum(tiers.values()),
        "unscored": tiers.get(UNSCORED, 0),
        "tiers": dict(sorted(tiers.items())),
    }
