"""Importing accounts from CSV (docs/import-export.md): every row is checked before anything is written.

Pass 1 streams the file, checks each row (cells, duplicates within the file, matches with existing accounts,
stage dates, owners) and keeps only small per-row keys in memory; the checked values of each row go to a
temporary file, in batches. When nothing is wrong, pass 2 reads that file back and upserts in batches (by
name, else by domain), with one audit event per account written: existing accounts are updated through the
ORM, new ones inserted with a few bulk statements per batch (COPY on PostgreSQL). On any problem nothing is
flushed and the report names every bad cell by its spreadsheet row (the header is row 1). Neither pass holds
more than a batch of rows. The caller commits (or rolls back a dry run).
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import functools
import gc
import json
import pickle
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any, BinaryIO

from sqlalchemy import JSON, BindParameter, Table, bindparam, insert, or_, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session, selectinload

from ecp_tracker.analysis.counts import NOT_RECORDED_TEXTS
from ecp_tracker.domain.accounts import Stage, StageDates, TraitKind, check_stage_dates, name_key
from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import ValidationError
from ecp_tracker.domain.numbers import is_id
from ecp_tracker.models import (
    Account,
    AccountTrait,
    Archetype,
    AuditEvent,
    TraitDefinition,
    User,
    account_archetypes,
)
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.accounts import read_only, traits
from ecp_tracker.services.accounts.accounts import Lookups, apply_clean, same_values, trait_snapshot
from ecp_tracker.services.accounts.fields import CleanAccount, Conversions, clean_account
from ecp_tracker.services.accounts.importing.presets import (
    AUTO,
    DATE_FIELDS,
    NUMBER_FIELDS,
    PRESETS,
    ColumnPlan,
    DateReader,
    plan_headers,
    read_number,
    unquote,
)
from ecp_tracker.services.accounts.importing.value_maps import MAPPED_FIELDS
from ecp_tracker.services.accounts.importing.values import ValueReader
from ecp_tracker.services.accounts.vocabulary import custom_trait_key, custom_trait_name, is_custom_trait
from ecp_tracker.services.shared import audit, derived

__all__ = ["ColumnPlan", "ImportReport", "RowProblem", "import_accounts", "plan_columns"]

BATCH_SIZE = 1000
MAX_NEW_TRAIT_VALUES = 200  # a new category trait with more distinct values is refused
MAX_TRAIT_KEY = 60
BOOLEAN_WORDS = {"yes", "no", "true", "false", "1", "0"}
TAGS = TraitKind.TAGS.value
STAGE_FIELDS = ("stage", "converted_on", "churned_on")
ANALYZE_AFTER = 10_000  # accounts written: refresh PostgreSQL's statistics of the tables written
MAX_REMEMBERED_CELLS = 20_000  # per trait: distinct cells whose cleaned values are kept (see trait_values)
BUILT_IN_TRAITS = ("industry", "country", "region", "acquisition_channel")  # the analysis's built-in traits
# the first characters of the texts that read as "not recorded" (NOT_RECORDED_TEXTS), either case: a cell that
# starts with none of them (nor with a space) is recorded, without stripping and casefolding it
_NOT_RECORDED_STARTS = frozenset(c for text in NOT_RECORDED_TEXTS for c in text[:1] + text[:1].upper())

Progress = Callable[[int], None]


@dataclass(frozen=True)
class RowProblem:
    """One reason a row was refused. `row` as a spreadsheet numbers it (header = 1; 0: not about a row)."""

    row: int
    column: str
    reason: str


@dataclass
class ImportReport:
    preset: str
    rows: int
    created: int
    updated: int
    unchanged: int
    problems: list[RowProblem]
    ignored_columns: list[str]
    mapping: dict[str, str]
    new_traits: list[str]
    dry_run: bool
    ignored_reasons: dict[str, str] = field(default_factory=dict)  # ignored column -> why
    # mapped field -> the file's distinct values: {value, becomes, how, rows} (see values.ValueReader)
    values: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # trait column of the file -> how many of its cells hold text such as N/A, -, null or ? that the analysis
    # reads as not recorded (docs/statistics.md); blank cells are not counted, columns without one left out
    not_recorded: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Unreadable(Exception):
    """The file cannot be read past this point (not UTF-8, broken quoting)."""

    def __init__(self, row: int, reason: str) -> None:
        super().__init__(reason)
        self.row = row
        self.reason = reason


def _records(stream: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row, cells) for every record, blank lines included (as []).

    A record with quoted newlines is one row, numbered where it starts. Decoding is per line, so a byte that
    is not UTF-8 is named by its row and its offset in the file.
    """
    position = {"row": 0, "offset": 0}

    def lines() -> Iterator[str]:
        first = True
        for raw in stream:
            start = position["offset"]
            position["offset"] += len(raw)
            if first:
                first = False
                if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    raise _Unreadable(1, "The file is UTF-16; save it as 'CSV UTF-8' and import it again.")
                if raw.startswith(codecs.BOM_UTF8):
                    raw, start = raw[len(codecs.BOM_UTF8) :], start + len(codecs.BOM_UTF8)
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise _Unreadable(
                    position["row"] + 1,
                    f"The file is not UTF-8: byte 0x{raw[error.start]:02X} at byte {start + error.start} "
                    f"of the file; save it as 'CSV UTF-8' and import it again.",
                ) from None

    reader = csv.reader(lines(), strict=True)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _Unreadable(position["row"] + 1, f"The row cannot be read as CSV: {error}.") from None
        position["row"] += 1
        yield position["row"], cells


def _is_blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


def _header(records: Iterator[tuple[int, list[str]]]) -> tuple[int, list[str]] | None:
    for row, cells in records:
        if not _is_blank(cells):
            return row, cells
    return None


def _read_header(stream: BinaryIO) -> tuple[int, list[str]] | RowProblem:
    """The header row (its number, its cells), or why there is none; the stream is left where it was."""
    start = stream.tell()
    try:
        found = _header(_records(stream))
    except _Unreadable as error:
        return RowProblem(error.row, "", error.reason)
    finally:
        stream.seek(start)
    if found is None:
        return RowProblem(1, "", "The file is empty; the first row must name the columns.")
    return found


def plan_columns(
    stream: BinaryIO, preset: str = AUTO, columns: Mapping[str, str] | None = None
) -> ColumnPlan:
    """How the file's columns would be read (for an upload preview). Reads the header only, then seeks back.

    Raises ValidationError for an unknown preset; an unreadable header is in `problems`.
    """
    found = _read_header(stream)
    if isinstance(found, RowProblem):
        return ColumnPlan(preset=preset, headers=[], mapping={}, ignored=[], problems=[("", found.reason)])
    return plan_headers(found[1], preset, columns)


def preview_rows(stream: BinaryIO, limit: int = 5) -> list[list[str]]:
    """The header and the first `limit` data rows as text, for showing the file as it was read; seeks back."""
    start = stream.tell()
    try:
        text = codecs.getreader("utf-8-sig")(stream, errors="replace")
        rows: list[list[str]] = []
        for cells in csv.reader(text):
            if any(cell.strip() for cell in cells):
                rows.append([cell[:120] for cell in cells])
            if len(rows) > limit:
                break
        return rows
    except csv.Error:
        return []
    finally:
        stream.seek(start)


@dataclass
class _Pending:
    """What pass 1 keeps of a row until its batch is matched against the database."""

    row: int
    key: str | None
    domain: str | None
    stage_values: dict[str, Any] | None  # the stage/date columns given, when they are valid
    owner: str | None


@dataclass
class _NewTrait:
    key: str
    header: str
    values: dict[str, str] = field(default_factory=dict)  # casefolded -> first spelling

    @property
    def kind(self) -> TraitKind:
        if self.values and set(self.values) <= BOOLEAN_WORDS:
            return TraitKind.BOOLEAN
        return TraitKind.CATEGORY

    @property
    def label(self) -> str:
        text = self.header.split(":", 1)[1].strip()
        return text if text != self.key else self.key.replace("_", " ").capitalize()

    def placeholder(self) -> TraitDefinition:
        """An unsaved definition, to check values against in a dry run."""
        return TraitDefinition(
            key=self.key, label=self.label, kind=self.kind.value, allowed_values=self.allowed_values
        )

    @property
    def allowed_values(self) -> list[str]:
        if self.kind == TraitKind.BOOLEAN:
            return []
        return sorted(self.values.values(), key=str.casefold)


class _CheckedRows:
    """The checked rows (row number, CleanAccount, new-trait cells) between the passes: pickled to a
    temporary file a batch at a time, so pass 2 neither reads nor checks the CSV again and memory holds
    one batch whatever the size of the file."""

    def __init__(self) -> None:
        self.file: IO[bytes] | None = None
        self.batch: list[tuple[int, CleanAccount, dict[str, str]]] = []

    def add(self, item: tuple[int, CleanAccount, dict[str, str]]) -> None:
        self.batch.append(item)
        if len(self.batch) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            if self.file is None:
                self.file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
            pickle.dump(self.batch, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self.batch = []

    def __iter__(self) -> Iterator[tuple[int, CleanAccount, dict[str, str]]]:
        self.flush()
        if self.file is None:
            return
        self.file.seek(0)
        while True:
            try:
                batch = pickle.load(self.file)  # noqa: S301 (our own file, written above)
            except EOFError:
                return
            yield from batch

    def close(self) -> None:
        self.batch = []
        if self.file is not None:
            self.file.close()
            self.file = None


class _Import:
    """The state of one import between its two passes."""

    def __init__(
        self,
        session: Session,
        actor: Actor,
        stream: BinaryIO,
        plan: ColumnPlan,
        *,
        header_row: int,
        dates: DateReader,
        today: date,
        dry_run: bool,
        progress: Progress | None,
    ) -> None:
        self.session = session
        self.actor = actor
        self.stream = stream
        self.start = stream.tell()
        self.plan = plan
        self.header_row = header_row
        self.preset = PRESETS[plan.preset]
        self.values = ValueReader.for_import(session, plan.preset)
        self.dates = dates
        self.today = today
        self.dry_run = dry_run
        self.progress = progress
        self.problems: list[RowProblem] = []
        self.rows = 0
        self.archetype_names = {
            a.name.casefold(): a.name
            for a in session.scalars(select(Archetype).where(Archetype.archived_at.is_(None)))
        }
        all_definitions = {d.key: d for d in session.scalars(select(TraitDefinition))}
        self.definitions = {k: d for k, d in all_definitions.items() if d.archived_at is None}
        self.new_traits: dict[str, _NewTrait] = {}
        self.seen_values: dict[str, dict[Any, tuple[str, ...] | str]] = {}  # see trait_values
        self.tag_readers: dict[str, traits.TagReader] = {}
        self.conversions = Conversions(today)  # the conversions of repeating cells, remembered
        self.dropped: set[int] = set()  # column positions not read after all (an empty new trait)
        self.ignored = list(plan.ignored)
        self.ignored_reasons = dict(plan.reasons)
        for index, target in plan.fields.items():
            if not is_custom_trait(target):
                continue
            key, header = custom_trait_key(target), plan.headers[index]
            if key in all_definitions and key not in self.definitions:
                self.problem(
                    header_row, header, f"The trait {key!r} is archived; restore it or remove the column."
                )
            elif key not in all_definitions:
                if len(key) > MAX_TRAIT_KEY:
                    self.problem(header_row, header, f"A trait key is at most {MAX_TRAIT_KEY} characters.")
                self.new_traits[key] = _NewTrait(key=key, header=header)
        # how each column is read: (position, target, reader of its text or None, key when a new trait)
        self.readers: list[tuple[int, str, Callable[..., Any] | None, str | None]] = []
        for index, target in plan.fields.items():
            key = custom_trait_key(target)
            new_trait = key if is_custom_trait(target) and key in self.new_traits else None
            self.readers.append((index, target, self.reader(target), new_trait))
        # the columns of known custom traits, which `clean` reads through `trait_values`
        self.trait_targets = [
            (target, custom_trait_key(target))
            for _, target, _, new_trait in self.readers
            if new_trait is None and is_custom_trait(target)
        ]
        # pass 1 -> pass 2: row -> matched account id (None: a new account); account id -> first row
        self.names: dict[str, int] = {}
        self.domains: dict[str, int] = {}
        self.matches: dict[int, int | None] = {}
        self.matched_rows: dict[int, int] = {}
        self.owner_ids: dict[str, int | None] = {}
        self.checked = _CheckedRows()
        # the trait columns (built-in and custom) whose "not recorded" cells the report counts
        self.trait_columns = [
            index
            for index, target in plan.fields.items()
            if target in BUILT_IN_TRAITS or is_custom_trait(target)
        ]
        self.not_recorded: dict[int, int] = {}  # column position -> cells

    def problem(self, row: int, column: str, reason: str) -> None:
        self.problems.append(RowProblem(row, column, reason))

    def column(self, field_name: str) -> str:
        return self.plan.column_of(field_name)

    # --- reading a row (both passes) ---------------------------------------------------------------------

    def data_rows(self) -> Iterator[tuple[int, list[str]]]:
        """The non-blank rows after the header, from the start of the file."""
        self.stream.seek(self.start)
        records = _records(self.stream)
        _header(records)
        for row, cells in records:
            if not _is_blank(cells):
                yield row, cells

    def read_row(
        self, row: int, cells: list[str]
    ) -> tuple[dict[str, Any], list[tuple[str, str]], dict[str, str]]:
        """The row's cells as raw field values for clean_account, the problems of reading them, and the
        cells of new traits (key -> text; checked once the traits exist)."""
        problems: list[tuple[str, str]] = []
        width = len(self.plan.headers)
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            problems.append(
                ("", f"This row has {len(cells)} cells but the header has {width}; check the quoting.")
            )
        elif len(cells) < width:
            problems.append(("", f"This row has {len(cells)} cells but the header has {width}."))
        if "\x00" in "\x01".join(cells):  # no database stores it; never let it reach a query
            problems.append(("", "This row contains a NUL character; the file may not be a text CSV."))
            cells = [c.replace("\x00", "") for c in cells]
        raw: dict[str, Any] = {}
        new_cells: dict[str, str] = {}
        if len(cells) < width:  # the missing cells read as empty
            cells = cells + [""] * (width - len(cells))
        for index, target, reader, new_trait in self.readers:
            text = cells[index]
            if text[:1] == "'":
                text = unquote(text)
            if new_trait:
                self.collect_new_trait_value(row, new_trait, text)
                new_cells[new_trait] = text
                continue
            if reader is None:
                raw[target] = text
                continue
            try:
                raw[target] = reader(text, row) if target in DATE_FIELDS else reader(text)
            except ValidationError as error:
                problems.append((target, error.message))
        return raw, problems, new_cells

    def reader(self, target: str) -> Callable[..., Any] | None:
        """What reads a cell of `target` before clean_account checks it: (text, row) for the date fields,
        (text) for the others; None: the text as is."""
        if target == "stage":
            return self.preset.read_stage
        if target in MAPPED_FIELDS:
            return functools.partial(self.values.read, target)
        if target in DATE_FIELDS:
            return self.dates.read
        if target in NUMBER_FIELDS:
            return read_number
        return None

    def collect_new_trait_value(self, row: int, key: str, text: str) -> None:
        value = " ".join(text.split())
        if not value:
            return
        trait = self.new_traits[key]
        if len(value) > traits.MAX_VALUE_LENGTH:
            self.problem(row, trait.header, f"A trait value is at most {traits.MAX_VALUE_LENGTH} characters.")
        elif len(trait.values) <= MAX_NEW_TRAIT_VALUES:
            trait.values.setdefault(value.casefold(), value)

    def clean(
        self, raw: dict[str, Any], definitions: dict[str, TraitDefinition]
    ) -> tuple[CleanAccount, list[tuple[str, str]]]:
        """clean_account, with the trait cells of known traits read through `trait_values`."""
        cells = [
            (target, key, raw.pop(target))
            for target, key in self.trait_targets
            if key in definitions and target in raw
        ]
        clean, problems = clean_account(
            raw,
            today=self.today,
            archetype_names=self.archetype_names,
            definitions=definitions,
            require_name=True,
            conversions=self.conversions,
        )
        seen_values = self.seen_values
        for target, key, cell in cells:  # clean_account reads traits last, in column order
            seen = seen_values.get(key)
            values = seen.get(cell) if seen is not None else None  # trait_values' own lookup, inlined
            if values is None:
                values = self.trait_values(key, definitions[key], cell)
            if isinstance(values, str):
                problems.append((target, values))
            else:
                clean.traits[key] = list(values)
        return clean, problems

    def trait_values(self, key: str, definition: TraitDefinition, cell: Any) -> tuple[str, ...] | str:
        """traits.canonical_values of a cell (or the reason it is refused), remembered per trait and text:
        most trait columns repeat a few values, and checking them is a third of an import's work."""
        seen = self.seen_values.get(key)
        if seen is None:
            seen = self.seen_values[key] = {}
        found = seen.get(cell)
        if found is None:
            try:
                if definition.kind == TAGS and isinstance(cell, str):
                    found = tuple(self.tag_reader(key, definition).values(cell))
                else:
                    found = tuple(traits.canonical_values(definition, cell))
            except ValidationError as error:
                found = error.message
            if len(seen) < MAX_REMEMBERED_CELLS:
                seen[cell] = found
        return found

    def tag_reader(self, key: str, definition: TraitDefinition) -> traits.TagReader:
        """The tags trait's reader, which remembers each tag's check (cells rarely repeat, tags do)."""
        reader = self.tag_readers.get(key)
        if reader is None or reader.definition is not definition:
            reader = self.tag_readers[key] = traits.TagReader(definition)
        return reader

    # --- pass 1: check everything ------------------------------------------------------------------------

    def check(self) -> None:
        batch: list[_Pending] = []
        with self.session.no_autoflush:
            for row, cells in self.data_rows():
                self.rows += 1
                pending = self.check_row(row, cells)
                if pending is not None:
                    batch.append(pending)
                if len(batch) >= BATCH_SIZE:
                    self.check_batch(batch)
                    batch = []
                if self.progress and self.rows % BATCH_SIZE == 0:
                    self.progress(self.rows)
            self.check_batch(batch)
        if self.progress:
            self.progress(self.rows)
        self.decide_new_traits()

    def count_not_recorded(self, cells: list[str]) -> None:
        """Count the row's trait cells whose text reads as not recorded (N/A, -, null, ?...), not blanks."""
        count = len(cells)
        for index in self.trait_columns:
            text = cells[index] if index < count else ""
            first = text[:1]
            if first == "'":  # an exported "-" comes back as "'-"
                text = unquote(text)
                first = text[:1]
            if not first or (first not in _NOT_RECORDED_STARTS and not first.isspace()):
                continue
            text = text.strip()
            if text and text.casefold() in NOT_RECORDED_TEXTS:
                self.not_recorded[index] = self.not_recorded.get(index, 0) + 1

    def not_recorded_counts(self) -> dict[str, int]:
        """The report's counts by the file's column headers, in column order (columns not read left out)."""
        return {
            self.plan.headers[index]: self.not_recorded[index]
            for index in sorted(self.not_recorded)
            if index not in self.dropped
        }

    def check_row(self, row: int, cells: list[str]) -> _Pending | None:
        self.count_not_recorded(cells)
        raw, problems, new_cells = self.read_row(row, cells)
        clean, more = self.clean(raw, self.definitions)
        problems += more
        for target, reason in problems:
            self.problem(row, self.column(target) if target else "", reason)
        if not self.problems:  # pass 2 only runs when there are none
            self.checked.add((row, clean, new_cells))
        name = clean.columns.get("name")
        if not name:
            return None
        key, domain = name_key(name), clean.columns.get("domain")
        duplicate = False
        if key in self.names:
            duplicate = True
            self.problem(row, self.column("name"), f"{name!r} is also on row {self.names[key]}.")
        else:
            self.names[key] = row
        if domain:
            if domain in self.domains:
                duplicate = True
                self.problem(row, self.column("domain"), f"{domain} is also on row {self.domains[domain]}.")
            else:
                self.domains[domain] = row
        failed = {target for target, _ in problems}
        stage_values = (
            {f: clean.columns[f] for f in STAGE_FIELDS if f in clean.columns}
            if not failed.intersection(STAGE_FIELDS)
            else None
        )
        owner = str(clean.owner).strip().lower() if clean.owner_given and clean.owner is not None else None
        return _Pending(row, None if duplicate else key, None if duplicate else domain, stage_values, owner)

    def check_batch(self, batch: list[_Pending]) -> None:
        if not batch:
            return
        keys = [p.key for p in batch if p.key]
        domains = [p.domain for p in batch if p.domain]
        columns = (
            Account.id,
            Account.name,
            Account.name_key,
            Account.domain,
            Account.stage,
            Account.converted_on,
            Account.churned_on,
            Account.archived_at,
        )
        found = [*self.session.execute(select(*columns).where(Account.name_key.in_(_inline(keys))))]
        if domains:
            found += self.session.execute(select(*columns).where(Account.domain.in_(_inline(domains)))).all()
        by_key = {r.name_key: r for r in found}
        by_domain = {r.domain: r for r in found if r.domain}
        self.resolve_owners({p.owner for p in batch if p.owner})
        for pending in batch:
            match = self.match(pending, by_key, by_domain)
            if pending.stage_values is not None:
                self.check_stage(pending, match)
            if pending.owner and self.owner_ids.get(pending.owner) is None:
                self.problem(
                    pending.row,
                    self.column("owner"),
                    f"There is no user {pending.owner!r} to own the account; "
                    f"add the user first or leave the cell empty.",
                )

    def match(self, pending: _Pending, by_key: dict[str, Any], by_domain: dict[str, Any]) -> Any:
        if pending.key is None:  # a duplicate within the file, already a problem
            return None
        by_name = by_key.get(pending.key)
        by_site = by_domain.get(pending.domain) if pending.domain else None
        if by_name is not None and by_site is not None and by_name.id != by_site.id:
            self.problem(
                pending.row,
                self.column("domain"),
                f"The name matches the account {by_name.name!r} (id {by_name.id}) but {pending.domain} is "
                f"the domain of {by_site.name!r} (id {by_site.id}).",
            )
            return None
        match = by_name or by_site
        if match is not None and match.archived_at is not None:
            self.problem(
                pending.row,
                self.column("name" if match is by_name else "domain"),
                f"This row matches the account {match.name!r} (id {match.id}): "
                + read_only.archived_message(match.name),
            )
            return None
        self.matches[pending.row] = match.id if match is not None else None
        if match is not None:
            if match.id in self.matched_rows:
                self.problem(
                    pending.row,
                    self.column("name"),
                    f"This row and row {self.matched_rows[match.id]} both match the account "
                    f"{match.name!r} (id {match.id}).",
                )
            else:
                self.matched_rows[match.id] = pending.row
        return match

    def check_stage(self, pending: _Pending, match: Any) -> None:
        given = pending.stage_values or {}

        def current(name: str) -> Any:
            if name in given:
                return given[name]
            if match is not None:
                return getattr(match, name)
            return Stage.PROSPECT.value if name == "stage" else None

        values = StageDates(Stage(current("stage")), current("converted_on"), current("churned_on"))
        try:
            check_stage_dates(values, self.today)
        except ValidationError as error:
            self.problem(pending.row, self.column(error.field or "stage"), error.message)

    def resolve_owners(self, owners: set[str]) -> None:
        wanted = owners - set(self.owner_ids)
        if not wanted:
            return
        ids = [int(o) for o in wanted if is_id(o)]
        emails = [o for o in wanted if not is_id(o)]
        found = self.session.execute(
            select(User.id, User.email).where(or_(User.email.in_(emails), User.id.in_(ids)))
        ).all()
        for owner in wanted:
            self.owner_ids[owner] = next(
                (r.id for r in found if r.email == owner or str(r.id) == owner), None
            )

    def decide_new_traits(self) -> None:
        for index, target in self.plan.fields.items():
            key = custom_trait_key(target)
            if not is_custom_trait(target) or key not in self.new_traits:
                continue
            trait = self.new_traits[key]
            if not trait.values:
                self.dropped.add(index)
                del self.new_traits[key]
                self.ignored.append(trait.header)
                self.ignored_reasons[trait.header] = "a new trait with no values was not created"
            elif len(trait.values) > MAX_NEW_TRAIT_VALUES:
                self.problem(
                    self.header_row,
                    trait.header,
                    f"The new trait {key!r} would have more than {MAX_NEW_TRAIT_VALUES} allowed values; "
                    f"define it (for example as tags or a number) before importing.",
                )

    # --- pass 2: write ---------------------------------------------------------------------------------

    def write(self) -> tuple[int, int, int]:
        definitions = dict(self.definitions)
        for key, trait in self.new_traits.items():
            if self.dry_run:
                definitions[key] = trait.placeholder()
            else:
                definitions[key] = traits.create_definition(
                    self.session,
                    self.actor,
                    label=trait.label,
                    kind=trait.kind.value,
                    key=key,
                    allowed_values=trait.allowed_values,
                )
        # Owners stay in the identity map, so apply_clean finds them without a query per row.
        owners = self.session.scalars(
            select(User).where(User.id.in_({i for i in self.owner_ids.values() if i is not None}))
        ).all()
        archetypes = self.session.scalars(select(Archetype).where(Archetype.archived_at.is_(None)))
        lookups = Lookups(archetypes={a.name.casefold(): a for a in archetypes}, definitions=definitions)
        ids = _NewRows.ids_of(lookups)
        counts = [0, 0, 0]  # created (counted by prepare), updated and unchanged (by apply)
        reserved = None
        if _copies(self.session) and not self.dry_run:  # COPY takes the new accounts' ids from the sequence
            new = self.rows - sum(1 for match in self.matches.values() if match is not None)
            reserved = iter(_reserve_account_ids(self.session, new))
        if self.progress:
            self.progress(0)  # the second pass starts
        with _BatchWriter(background=reserved is not None, progress=self.progress) as writer:
            for batch in self.checked_batches(definitions):
                prepared = self.prepare(batch, ids, reserved, counts)
                writer.write(len(batch), self.apply, prepared, lookups, counts)
        del owners
        if counts[0] + counts[1] >= ANALYZE_AFTER and not self.dry_run and _copies(self.session):
            # PostgreSQL plans by statistics that autovacuum refreshes only a while later: without them the
            # next export or list right after a large import scans whole tables ("Populating a Database").
            self.session.execute(text(f"ANALYZE {', '.join(_WRITTEN_TABLES)}"))
        return counts[0], counts[1], counts[2]

    def checked_batches(
        self, definitions: dict[str, TraitDefinition]
    ) -> Iterator[list[tuple[int, CleanAccount]]]:
        """The rows pass 1 checked, in batches, with the values of new traits (in column order)."""
        trait_order = [
            custom_trait_key(target)
            for index, target in self.plan.fields.items()
            if is_custom_trait(target) and index not in self.dropped
        ]
        batch: list[tuple[int, CleanAccount]] = []
        for row, clean, new_cells in self.checked:
            if self.new_traits:
                for key, cell in new_cells.items():
                    if key in self.new_traits:
                        values = self.trait_values(key, definitions[key], cell)
                        if isinstance(values, str):  # the new trait was made to fit every value
                            raise RuntimeError(f"Row {row}: {values}")
                        clean.traits[key] = list(values)
                clean.traits = {key: clean.traits[key] for key in trait_order if key in clean.traits}
            batch.append((row, clean))
            if len(batch) >= BATCH_SIZE:
                yield batch
                batch = []
        if batch:
            yield batch

    def prepare(
        self,
        batch: list[tuple[int, CleanAccount]],
        ids: tuple[dict[str, int], dict[str, int]],
        reserved: Iterator[int] | None,
        counts: list[int],
    ) -> _Prepared:
        """Sort a batch into updates and new accounts, the new ones as plain rows (no database work, so
        this runs while the previous batch is being written)."""
        prepared = _Prepared(new=_NewRows(reserved is not None))
        for row, clean in batch:
            match = self.matches.get(row)
            owner_id = self.owner_ids.get(str(clean.owner).strip().lower()) if clean.owner else None
            if match is not None:
                prepared.entries.append((row, clean, owner_id, match))
                continue
            counts[0] += 1
            if not self.dry_run:
                prepared.entries.append(len(prepared.new.accounts))
                prepared.new.add(clean, owner_id, ids, next(reserved) if reserved is not None else None)
        return prepared

    def apply(self, prepared: _Prepared, lookups: Lookups, counts: list[int]) -> None:
        """Write one batch: updates of existing accounts through the ORM, new accounts with a few bulk
        inserts (instead of about 20 statements per account), and one audit event per account written, in
        row order. Uses the session; nothing else does while it runs."""
        session = self.session
        updates = [entry for entry in prepared.entries if isinstance(entry, tuple)]
        existing = (
            {
                a.id: a
                for a in session.scalars(
                    select(Account)
                    .where(Account.id.in_([match for *_, match in updates]))
                    .options(selectinload(Account.archetypes), selectinload(Account.traits))
                )
            }
            if updates
            else {}
        )
        changed: dict[int, tuple[Account, dict[str, list[Any]]]] = {}  # row -> account, its changes
        with session.no_autoflush:
            for row, clean, owner_id, match in updates:
                account = existing[match]
                if not _differs(account, clean, owner_id):
                    counts[2] += 1
                    continue
                counts[1] += 1
                if self.dry_run:
                    continue
                extra = apply_clean(session, account, dataclasses.replace(clean, owner=owner_id), lookups)
                if extra:
                    account.updated_at = utcnow()  # a change of archetypes or traits alone bumps the version
                changed[row] = (account, audit.pending_changes(account) | extra)
        if changed:
            session.flush()
        new_ids = prepared.new.insert(session)
        derived.accounts_changed(session, new_ids)  # plain rows: no flush tells the stored scores
        now = utcnow()
        label = self.actor.label[:254]
        events = []
        for entry in prepared.entries:
            if isinstance(entry, int):
                account_id, name = new_ids[entry], prepared.new.names[entry]
                action, changes = "create", prepared.new.changes[entry]
            elif entry[0] in changed:
                account, changes = changed[entry[0]]
                account_id, name, action = account.id, account.name, "update"
            else:
                continue
            events.append(
                (now, self.actor.user_id, label, "account", str(account_id), action, name[:200], changes)
            )
        _bulk_insert(session, AuditEvent.__table__, _EVENT_COLUMNS, events)
        for account in existing.values():  # a large import never holds more than one batch of objects
            if account in session:
                session.expunge(account)


@dataclass
class _NewRows:
    """The new accounts of one batch as plain rows for the bulk inserts, with their audit changes.

    With `reserved` ids (PostgreSQL) the rows carry them; otherwise links and trait values refer to the
    account's position in the batch until `insert` learns the ids."""

    reserved: bool
    accounts: list[tuple[Any, ...]] = field(default_factory=list)  # _NEW_ACCOUNT order (id first if known)
    links: list[tuple[int, int]] = field(default_factory=list)  # (account, archetype id)
    traits: list[tuple[int, int, str]] = field(default_factory=list)  # (account, definition id, value)
    changes: list[dict[str, list[Any]]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    now: datetime = field(default_factory=utcnow)

    @staticmethod
    def ids_of(lookups: Lookups) -> tuple[dict[str, int], dict[str, int]]:
        """(archetype ids by casefolded name, trait definition ids by key), read once before pass 2."""
        return (
            {name: a.id for name, a in lookups.archetypes.items()},
            {key: d.id for key, d in lookups.definitions.items()},
        )

    def add(
        self,
        clean: CleanAccount,
        owner_id: int | None,
        ids: tuple[dict[str, int], dict[str, int]],
        account_id: int | None,
    ) -> None:
        archetype_ids, definition_ids = ids
        values = dict(_NEW_ACCOUNT, created_at=self.now, updated_at=self.now, owner_id=owner_id)
        values.update(clean.columns)
        values["name_key"] = name_key(values["name"])
        key = len(self.accounts) if account_id is None else account_id
        if account_id is None:
            self.accounts.append(tuple(values.values()))
        else:
            self.accounts.append((account_id, *values.values()))
            self.ids.append(account_id)
        change = {
            column: [None, _plain(value) if isinstance(value, date | Decimal) else value]
            for column in _audited_columns()
            if (value := values[column]) is not None
        }
        if clean.archetypes:
            change["archetypes"] = [[], clean.archetypes]
            for name in clean.archetypes:
                self.links.append((key, archetype_ids[name.casefold()]))
        append = self.traits.append  # about 20 values an account: plain loops, no comprehension each
        for trait_key, trait_values in clean.traits.items():
            if trait_values:
                change[custom_trait_name(trait_key)] = [None, trait_values]
                definition_id = definition_ids[trait_key]
                for value in trait_values:
                    append((key, definition_id, value))
        self.changes.append(change)
        self.names.append(values["name"])

    def insert(self, session: Session) -> list[int]:
        """Insert the accounts, their archetype links and trait values; the accounts' ids, in order."""
        if not self.accounts:
            return []
        columns = list(_NEW_ACCOUNT)
        if self.reserved:
            _bulk_insert(session, Account.__table__, ("id", *columns), self.accounts)
            ids = self.ids
        else:  # the ids are read back by the unique name key (RETURNING in order costs a statement a row)
            _bulk_insert(session, Account.__table__, columns, self.accounts)
            position = columns.index("name_key")
            keys = [row[position] for row in self.accounts]
            stmt = select(Account.name_key, Account.id).where(Account.name_key.in_(_inline(keys)))
            found = dict(session.execute(stmt).all())
            ids = [found[key] for key in keys]
            self.links = [(ids[at], archetype_id) for at, archetype_id in self.links]
            self.traits = [(ids[at], definition_id, value) for at, definition_id, value in self.traits]
        _bulk_insert(session, account_archetypes, ("account_id", "archetype_id"), self.links)
        _bulk_insert(session, AccountTrait.__table__, ("account_id", "definition_id", "value"), self.traits)
        return ids


@dataclass
class _Prepared:
    """One batch of pass 2: per row in file order, an index into `new` or (row, clean, owner id, the
    matched account's id) for an update."""

    new: _NewRows
    entries: list[int | tuple[int, CleanAccount, int | None, int]] = field(default_factory=list)


class _BatchWriter:
    """Runs the write of each batch after the previous one: inline, or with `background` in one worker
    thread, so that PostgreSQL (another process) checks and indexes a batch while Python prepares the next.
    The session is never used by two threads at once: the caller leaves it alone while a write may run,
    and a write starts only when the previous one has ended. `progress(rows written)` after each batch."""

    def __init__(self, *, background: bool, progress: Progress | None) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import") if background else None
        self.progress = progress
        self.pending: Future[None] | None = None
        self.pending_rows = 0
        self.done = 0

    def write(self, rows: int, job: Callable[..., None], *args: Any) -> None:
        self.wait()
        if self.pool is None:
            job(*args)
            self.ended(rows)
        else:
            self.pending, self.pending_rows = self.pool.submit(job, *args), rows

    def wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()  # raises what the write raised
            self.ended(self.pending_rows)

    def ended(self, rows: int) -> None:
        self.done += rows
        if self.progress:
            self.progress(self.done)

    def __enter__(self) -> _BatchWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        try:
            if exc_type is None:
                self.wait()
            elif self.pending is not None:
                futures.wait([self.pending])  # the write ends before the caller rolls back
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True)


def _reserve_account_ids(session: Session, count: int) -> list[int]:
    """`count` new ids from the accounts' sequence (PostgreSQL), for rows COPYed with their ids."""
    if count <= 0:
        return []
    stmt = text("SELECT nextval(pg_get_serial_sequence('accounts', 'id')) FROM generate_series(1, :n)")
    return list(session.scalars(stmt, {"n": count}))


_WRITTEN_TABLES = ("accounts", "account_archetypes", "account_traits", "audit_events")
_EVENT_COLUMNS = (
    "occurred_at",
    "actor_id",
    "actor_label",
    "entity",
    "entity_id",
    "action",
    "summary",
    "changes",
)


def _copies(session: Session) -> bool:
    """Whether bulk inserts go through COPY (PostgreSQL with psycopg: several times faster than INSERT)."""
    dialect = session.get_bind().dialect
    return dialect.name == "postgresql" and dialect.driver == "psycopg"


def _bulk_insert(session: Session, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert plain rows (tuples in the order of `columns`, values as the ORM would take them) in the
    session's transaction: COPY on PostgreSQL; elsewhere one executemany of the driver's own INSERT, the
    values converted by the columns' types once each (SQLAlchemy's per-row parameter handling would
    cost as much as the database's work)."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if _copies(session):
        as_json = [index for index, name in enumerate(columns) if isinstance(table.c[name].type, JSON)]
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                if as_json:
                    row = tuple(json.dumps(v) if i in as_json else v for i, v in enumerate(row))
                copy.write_row(row)
    elif dialect.paramstyle == "qmark":
        processors = [
            (index, processor)
            for index, name in enumerate(columns)
            if (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None
        ]
        if processors:
            rows = [list(row) for row in rows]
            for row in rows:
                for index, processor in processors:
                    row[index] = processor(row[index])
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 (model names)
        connection.exec_driver_sql(sql, [tuple(row) for row in rows] if processors else rows)
    else:
        session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])


# A new account as the ORM inserts it before the file's columns are applied (see accounts.create_account).
_NEW_ACCOUNT: dict[str, Any] = {
    **{c.key: None for c in Account.__table__.columns if c.key != "id"},
    "stage": Stage.PROSPECT.value,
    "notes": "",
    "version": 1,
}


@functools.cache
def _audited_columns() -> list[str]:
    """The columns an audit event of a new account lists (audit.pending_changes), in the mapper's order."""
    return [attr.key for attr in sa_inspect(Account).column_attrs if attr.key not in audit.IGNORED_COLUMNS]


def _plain(value: Any) -> Any:
    """A column value as audit events store it (audit.pending_changes: dates ISO, amounts as text)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


_collections_lock = threading.Lock()
_collections_paused: list[tuple[int, ...]] = []  # the thresholds to restore, once per running import


@contextmanager
def _fewer_full_collections() -> Iterator[None]:
    """Hold off Python's full garbage collections while an import runs (young ones still run).

    An import allocates millions of short-lived rows and tuples; every few thousand rows that makes the
    interpreter traverse every object of the process (the whole app included), a quarter of the import's
    time. The setting is process-wide, so it is restored when the last running import ends.
    """
    with _collections_lock:
        if not _collections_paused:
            young, middle, old = gc.get_threshold()
            gc.set_threshold(young, middle, max(old, 1_000_000))
            _collections_paused.append((young, middle, old))
        else:
            _collections_paused.append(_collections_paused[0])
    try:
        yield
    finally:
        with _collections_lock:
            saved = _collections_paused.pop()
            if not _collections_paused:
                gc.set_threshold(*saved)


def _inline(values: list[str]) -> BindParameter[Any]:
    """An IN list written into the SQL: a prepared statement with a thousand parameters gets a generic
    plan on PostgreSQL (psycopg prepares a query after five runs) that compares every row with every value."""
    return bindparam("values", values, expanding=True, literal_execute=True)


def _differs(account: Account, clean: CleanAccount, owner_id: int | None) -> bool:
    """Whether writing `clean` would change the account (only what the file gives is compared)."""
    for name, value in clean.columns.items():
        if getattr(account, name) != value:
            return True
    if clean.owner_given and account.owner_id != owner_id:
        return True
    if clean.archetypes is not None and sorted(a.name for a in account.archetypes) != sorted(
        clean.archetypes
    ):
        return True
    current = trait_snapshot(account)
    return any(not same_values(current.get(key), values) for key, values in clean.traits.items())


def import_accounts(
    session: Session,
    actor: Actor,
    stream: BinaryIO,
    *,
    preset: str = AUTO,
    dry_run: bool = False,
    date_format: str | None = None,
    progress: Progress | None = None,
    today: date | None = None,
    columns: Mapping[str, str] | None = None,
) -> ImportReport:
    """Import accounts from a CSV file (binary stream); see the module docstring. Never commits.

    `progress(rows_done)` is called about every 1000 rows of each pass and at its end; the second pass
    (writing, or comparing in a dry run) starts with `progress(0)`. Problems are returned in the report,
    never raised; with problems nothing was flushed. `today` (default: the current UTC date) is what
    future conversion and churn dates are checked against. `columns` maps headers by hand, overriding the
    preset (see import_presets.plan_headers).
    """
    report = ImportReport(
        preset=preset,
        rows=0,
        created=0,
        updated=0,
        unchanged=0,
        problems=[],
        ignored_columns=[],
        mapping={},
        new_traits=[],
        dry_run=dry_run,
    )
    try:
        dates = DateReader(date_format)
    except ValidationError as error:
        report.problems.append(RowProblem(0, "date_format", error.message))
        return report
    found = _read_header(stream)
    if isinstance(found, RowProblem):
        report.problems.append(found)
        return report
    header_row, headers = found
    try:
        plan = plan_headers(headers, preset, columns)
    except ValidationError as error:
        report.problems.append(RowProblem(0, "preset", error.message))
        return report
    report.preset, report.mapping = plan.preset, dict(plan.mapping)
    report.ignored_columns, report.ignored_reasons = list(plan.ignored), dict(plan.reasons)
    if plan.problems:
        report.problems = [RowProblem(header_row, column, reason) for column, reason in plan.problems]
        return report
    job = _Import(
        session,
        actor,
        stream,
        plan,
        header_row=header_row,
        dates=dates,
        today=today or utcnow().date(),
        dry_run=dry_run,
        progress=progress,
    )
    try:
        try:
            with _fewer_full_collections():
                job.check()
        except _Unreadable as error:
            job.problem(error.row, "", error.reason)
        report.rows = job.rows
        report.problems = sorted(job.problems, key=lambda p: p.row)
        report.ignored_columns, report.ignored_reasons = job.ignored, job.ignored_reasons
        report.mapping = {h: f for h, f in plan.mapping.items() if h not in job.ignored}
        report.new_traits = sorted(job.new_traits)
        report.values = job.values.summary()
        report.not_recorded = job.not_recorded_counts()
        if report.problems:
            return report
        with _fewer_full_collections():
            report.created, report.updated, report.unchanged = job.write()
        return report
    finally:
        job.checked.close()


@dataclass(frozen=True)
class CheckedRow:
    """A data row read and checked as the import reads it: its cells, the clean values, and its problems as
    (column header, reason) pairs (empty when the row would import)."""

    row: int
    cells: list[str]
    account: CleanAccount
    problems: list[tuple[str, str]]


def check_rows(
    session: Session,
    actor: Actor,
    stream: BinaryIO,
    *,
    preset: str = AUTO,
    date_format: str | None = None,
    today: date | None = None,
) -> tuple[ColumnPlan, Iterator[CheckedRow]]:
    """Read every data row with the import's presets and checks, one at a time, writing nothing (a prospect
    list is scored this way). Raises ValidationError (field `file`) when the header cannot be used; a row that
    cannot be read is yielded with its problem, and reading stops at a file that breaks off."""
    found = _read_header(stream)
    if isinstance(found, RowProblem):
        raise ValidationError(found.reason, field="file")
    header_row, headers = found
    plan = plan_headers(headers, preset)
    if plan.problems:
        raise ValidationError("; ".join(f"{h}: {r}" if h else r for h, r in plan.problems), field="file")
    state = _Import(
        session,
        actor,
        stream,
        plan,
        header_row=header_row,
        dates=DateReader(date_format),
        today=today or utcnow().date(),
        dry_run=True,
        progress=None,
    )

    def rows() -> Iterator[CheckedRow]:
        try:
            for row, cells in state.data_rows():
                raw, problems, _new = state.read_row(row, cells)
                clean, more = state.clean(raw, state.definitions)
                named = [(state.column(t) if t else "", reason) for t, reason in problems + more]
                yield CheckedRow(row, cells, clean, named)
        except _Unreadable as error:
            yield CheckedRow(error.row, [], CleanAccount(), [("", error.reason)])

    return plan, rows()
