"""Importing accounts from CSV (DESIGN section 7): every row is checked before anything is written.

Pass 1 streams the file, checks each row (cells, duplicates within the file, matches with existing accounts,
stage dates, owners) and keeps only small per-row keys. When nothing is wrong, pass 2 reads the file again and
upserts in batches (by name, else by domain), with one audit event per account written. On any problem
nothing is flushed and the report names every bad cell by its spreadsheet row (the header is row 1).
The caller commits (or rolls back a dry run).
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

from sqlalchemy import BindParameter, bindparam, or_, select
from sqlalchemy.orm import Session, selectinload

from ecp_tracker.domain.accounts import Stage, StageDates, TraitKind, check_stage_dates, name_key
from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import ValidationError
from ecp_tracker.models import Account, Archetype, AuditEvent, TraitDefinition, User
from ecp_tracker.models.base import utcnow
from ecp_tracker.services import audit, traits
from ecp_tracker.services.account_fields import CleanAccount, clean_account
from ecp_tracker.services.accounts import Lookups, apply_clean, same_values, trait_snapshot
from ecp_tracker.services.import_presets import (
    AUTO,
    DATE_FIELDS,
    NUMBER_FIELDS,
    PRESETS,
    TRAIT_PREFIX,
    ColumnPlan,
    DateReader,
    plan_headers,
    read_number,
    unquote,
)

__all__ = ["ColumnPlan", "ImportReport", "RowProblem", "import_accounts", "plan_columns"]

BATCH_SIZE = 1000
MAX_NEW_TRAIT_VALUES = 200  # a new category trait with more distinct values is refused
MAX_TRAIT_KEY = 60
BOOLEAN_WORDS = {"yes", "no", "true", "false", "1", "0"}
STAGE_FIELDS = ("stage", "converted_on", "churned_on")

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
        self.dropped: set[int] = set()  # column positions not read after all (an empty new trait)
        self.ignored = list(plan.ignored)
        self.ignored_reasons = dict(plan.reasons)
        for index, target in plan.fields.items():
            if not target.startswith(TRAIT_PREFIX):
                continue
            key, header = target.removeprefix(TRAIT_PREFIX), plan.headers[index]
            if key in all_definitions and key not in self.definitions:
                self.problem(
                    header_row, header, f"The trait {key!r} is archived; restore it or remove the column."
                )
            elif key not in all_definitions:
                if len(key) > MAX_TRAIT_KEY:
                    self.problem(header_row, header, f"A trait key is at most {MAX_TRAIT_KEY} characters.")
                self.new_traits[key] = _NewTrait(key=key, header=header)
        # pass 1 -> pass 2: row -> matched account id (None: a new account); account id -> first row
        self.names: dict[str, int] = {}
        self.domains: dict[str, int] = {}
        self.matches: dict[int, int | None] = {}
        self.matched_rows: dict[int, int] = {}
        self.owner_ids: dict[str, int | None] = {}

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
        self, row: int, cells: list[str], *, with_new_traits: bool
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """The row's cells as raw field values for clean_account, with the problems of reading them."""
        problems: list[tuple[str, str]] = []
        width = len(self.plan.headers)
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            problems.append(
                ("", f"This row has {len(cells)} cells but the header has {width}; check the quoting.")
            )
        elif len(cells) < width:
            problems.append(("", f"This row has {len(cells)} cells but the header has {width}."))
        if any("\x00" in c for c in cells):  # no database stores it; never let it reach a query
            problems.append(("", "This row contains a NUL character; the file may not be a text CSV."))
            cells = [c.replace("\x00", "") for c in cells]
        raw: dict[str, Any] = {}
        for index, target in self.plan.fields.items():
            if index in self.dropped:
                continue
            text = unquote(cells[index]) if index < len(cells) else ""
            value: Any = text
            try:
                if target == "stage":
                    value = self.preset.read_stage(text)
                elif target in DATE_FIELDS:
                    value = self.dates.read(text, row)
                elif target in NUMBER_FIELDS:
                    value = read_number(text)
            except ValidationError as error:
                problems.append((target, error.message))
                continue
            key = target.removeprefix(TRAIT_PREFIX)
            if target.startswith(TRAIT_PREFIX) and key in self.new_traits and not with_new_traits:
                self.collect_new_trait_value(row, key, text)
                continue
            raw[target] = value
        return raw, problems

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
        return clean_account(
            raw,
            today=self.today,
            archetype_names=self.archetype_names,
            definitions=definitions,
            require_name=True,
        )

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

    def check_row(self, row: int, cells: list[str]) -> _Pending | None:
        raw, problems = self.read_row(row, cells, with_new_traits=False)
        clean, more = self.clean(raw, self.definitions)
        problems += more
        for target, reason in problems:
            self.problem(row, self.column(target) if target else "", reason)
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
        ids = [int(o) for o in wanted if _is_id(o)]
        emails = [o for o in wanted if not _is_id(o)]
        found = self.session.execute(
            select(User.id, User.email).where(or_(User.email.in_(emails), User.id.in_(ids)))
        ).all()
        for owner in wanted:
            self.owner_ids[owner] = next(
                (r.id for r in found if r.email == owner or str(r.id) == owner), None
            )

    def decide_new_traits(self) -> None:
        for index, target in self.plan.fields.items():
            key = target.removeprefix(TRAIT_PREFIX)
            if not target.startswith(TRAIT_PREFIX) or key not in self.new_traits:
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
        counts = [0, 0, 0]
        batch: list[tuple[int, CleanAccount]] = []
        done = 0
        if self.progress:
            self.progress(0)  # the second pass starts
        for row, cells in self.data_rows():
            raw, problems = self.read_row(row, cells, with_new_traits=True)
            clean, more = self.clean(raw, definitions)
            if problems or more:  # the file changed between the passes
                raise RuntimeError(f"Row {row} of the import changed while it was being imported.")
            batch.append((row, clean))
            done += 1
            if len(batch) >= BATCH_SIZE:
                self.write_batch(batch, lookups, counts)
                batch = []
                if self.progress:
                    self.progress(done)
        self.write_batch(batch, lookups, counts)
        if self.progress:
            self.progress(done)
        del owners
        return counts[0], counts[1], counts[2]

    def write_batch(
        self,
        batch: list[tuple[int, CleanAccount]],
        lookups: Lookups,
        counts: list[int],
    ) -> None:
        if not batch:
            return
        session = self.session
        ids = [self.matches[row] for row, _ in batch if self.matches.get(row) is not None]
        existing = {
            a.id: a
            for a in session.scalars(
                select(Account)
                .where(Account.id.in_(ids))
                .options(selectinload(Account.archetypes), selectinload(Account.traits))
            )
        }
        written: list[tuple[Account, bool, dict[str, list[Any]]]] = []
        with session.no_autoflush:
            for row, clean in batch:
                match = self.matches.get(row)
                account = existing[match] if match is not None else None
                owner_id = self.owner_ids.get(str(clean.owner).strip().lower()) if clean.owner else None
                if account is not None and not _differs(account, clean, owner_id):
                    counts[2] += 1
                    continue
                counts[0 if account is None else 1] += 1
                if self.dry_run:
                    continue
                is_new = account is None
                if account is None:
                    account = Account(stage=Stage.PROSPECT.value, notes="", archetypes=[], traits=[])
                resolved = dataclasses.replace(clean, owner=owner_id)
                extra = apply_clean(session, account, resolved, lookups)
                if extra and not is_new:
                    account.updated_at = utcnow()  # a change of archetypes or traits alone bumps the version
                changes = audit.pending_changes(account) | extra
                if is_new:
                    session.add(account)
                written.append((account, is_new, changes))
        if not written:
            return
        session.flush()
        events = [
            AuditEvent(
                actor_id=self.actor.user_id,
                actor_label=self.actor.label[:254],
                entity=audit.entity_name(account),
                entity_id=str(account.id),
                action="create" if is_new else "update",
                summary=account.name[:200],
                changes=changes,
            )
            for account, is_new, changes in written
        ]
        session.add_all(events)
        session.flush()
        for account, _, _ in written:  # a large import never holds more than one batch of objects
            session.expunge(account)
        for event in events:
            session.expunge(event)
        for account in existing.values():
            if account in session:
                session.expunge(account)


def _is_id(owner: str) -> bool:
    return owner.isascii() and owner.isdigit() and len(owner) < 10


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
        job.check()
    except _Unreadable as error:
        job.problem(error.row, "", error.reason)
    report.rows = job.rows
    report.problems = sorted(job.problems, key=lambda p: p.row)
    report.ignored_columns, report.ignored_reasons = job.ignored, job.ignored_reasons
    report.mapping = {h: f for h, f in plan.mapping.items() if h not in job.ignored}
    report.new_traits = sorted(job.new_traits)
    if report.problems:
        return report
    report.created, report.updated, report.unchanged = job.write()
    return report
