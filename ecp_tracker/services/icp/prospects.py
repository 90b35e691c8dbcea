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
from collections.abc import Callable, Collection, Iterator
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
from ecp_tracker.services.accounts.importing.presets import AUTO, QUOTE_STARTS, neutralise
from ecp_tracker.services.accounts.vocabulary import custom_trait_name, display_label, trait_labels
from ecp_tracker.services.icp.criteria import Vocabulary, matches_values
from ecp_tracker.services.icp.scoring import Scorer
from ecp_tracker.services.shared.derived import reasons_text

SCORE_COLUMNS = ("icp_score", "icp_tier", "icp_reasons", "icp_problem")
PROGRESS_EVERY = 1000
CHUNK_ROWS = 500

Values = dict[str, frozenset[str] | Decimal | None]


def row_values(clean: CleanAccount, vocabulary: Vocabulary) -> Values:
    """A checked row's trait values, derived as the analysis derives a stored account's."""
    return RowValues(vocabulary)(clean)


class RowValues:
    """`row_values` for many rows: the custom traits' names and kinds looked up once, and only the traits in
    `wanted` (the ones a version's criteria name) derived when it is given."""

    BUILT_IN = ("archetype", "size_band", "revenue_band", "discount_band")
    TEXTS = ("industry", "region", "country", "acquisition_channel")

    def __init__(self, vocabulary: Vocabulary, wanted: Collection[str] | None = None) -> None:
        self.vocabulary = vocabulary
        self.wanted = None if wanted is None else frozenset(wanted)
        self.keys: dict[str, tuple[str, bool] | None] = {}  # key -> (name, is a number), None: not wanted
        self.built_in = [n for n in self.BUILT_IN if self.wanted is None or n in self.wanted]
        self.texts = [n for n in self.TEXTS if self.wanted is None or n in self.wanted]

    def trait(self, key: str) -> tuple[str, bool] | None:
        name = custom_trait_name(key)
        if self.wanted is not None and name not in self.wanted:
            return None
        info = self.vocabulary.traits.get(name)
        return name, info is not None and info.kind == TraitKind.NUMBER

    def __call__(self, clean: CleanAccount) -> Values:
        columns = clean.columns
        values: Values = {}
        for name in self.built_in:
            if name == "archetype":
                values[name] = frozenset(clean.archetypes or ())
            elif name == "size_band":
                values[name] = _one(size_band(columns.get("employees")))
            elif name == "revenue_band":
                values[name] = _one(revenue_band(columns.get("annual_revenue")))
            else:
                values[name] = frozenset({"none"})  # a prospect has no discount
        for name in self.texts:
            values[name] = _one(columns.get(name))
        keys = self.keys
        for key, given in clean.traits.items():
            if key in keys:
                found = keys[key]
            else:
                found = keys[key] = self.trait(key)
            if found is None:
                continue
            name, number = found
            values[name] = (parse_decimal(given[0]) if given else None) if number else frozenset(given)
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
    derive = RowValues(vocabulary, scorer.traits)
    plan, rows = check_rows(session, actor, stream, preset=preset)
    yield [*plan.headers, *SCORE_COLUMNS]
    width = len(plan.headers)
    known = trait_labels(session)
    labels = {spec.trait: display_label(spec.trait, known) for spec in scorer.specs}
    done = 0
    # match flags -> score, tier and reasons (2^criteria at most)
    outcomes: dict[tuple[bool, ...], list[str]] = {}
    for checked in rows:
        yield _scored(checked, scorer, derive, width, labels, outcomes)
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
    if progress is not None:
        progress(done)


def _scored(
    checked: CheckedRow,
    scorer: Scorer,
    derive: RowValues,
    width: int,
    labels: dict[str, str],
    outcomes: dict[tuple[bool, ...], list[str]],
) -> list[str]:
    cells = (checked.cells + [""] * width)[:width] if checked.cells else [""] * width
    if checked.problems:
        problem = "; ".join(
            f"{column}: {reason}" if column else reason for column, reason in checked.problems
        )
        return [*cells, "", UNSCORED, "", f"row {checked.row}: {problem}"]
    values = derive(checked.account)
    flags = tuple([matches_values(spec, values) for spec in scorer.specs])
    outcome = outcomes.get(flags)
    if outcome is None:  # the score, tier and reasons follow from the flags alone
        score = scorer.score_of(flags)
        reasons = reasons_text(
            [(labels[r["trait"]], r["value"], r["points"], bool(r.get("exclude"))) for r in score.reasons]
        )
        outcome = outcomes[flags] = [str(score.score), score.tier, reasons, ""]
    return [*cells, *outcome]


def csv_text(rows: Iterator[list[str]]) -> Iterator[str]:
    """CSV text in chunks of CHUNK_ROWS rows, formula-like cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    starts = QUOTE_STARTS
    for index, row in enumerate(rows, start=1):
        # neutralise(cell), called only for the cells that may need it (most start with a letter or digit)
        writer.writerow([neutralise(cell) if cell[:1] in starts else cell for cell in row])
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
