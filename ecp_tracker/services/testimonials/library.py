"""Reading testimonials in bulk: the filtered library with full-text search, usage counts and fatigue, the
proof coverage matrix (archetype x use case), and the CSV export.

Search works the same on SQLite and PostgreSQL: each testimonial keeps its words folded to lower case without
accents (`search_text`), and every search term must start a word there (a "quoted phrase" must appear as
a whole). Every function issues a fixed number of SQL statements whatever the number of testimonials.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TextIO

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ecp_tracker.domain.errors import InvalidFields
from ecp_tracker.domain.numbers import is_id
from ecp_tracker.domain.testimonials import (
    Consent,
    ConsentScope,
    TestimonialKind,
    TestimonialStatus,
    search_terms,
    tag_key,
)
from ecp_tracker.models import (
    Account,
    Archetype,
    Contact,
    Testimonial,
    TestimonialTag,
    TestimonialUsage,
    account_archetypes,
)
from ecp_tracker.services.accounts.importing.presets import neutralise
from ecp_tracker.services.shared import raw_input
from ecp_tracker.services.shared.csv_stream import csv_chunks, write_chunks
from ecp_tracker.services.shared.pagination import Page, paginate
from ecp_tracker.services.testimonials import testimonials

EXPORT_BATCH = 1000


@dataclass(frozen=True)
class TestimonialFilters:
    __test__ = False

    status: tuple[str, ...] = ()
    consent_scope: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    archetype: tuple[str, ...] = ()
    industry: tuple[str, ...] = ()
    rating: int | None = None  # at least this many stars
    expiring: bool = False  # current consent that expires within 30 days
    q: str = ""
    account_id: int | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, Sequence[str]]) -> TestimonialFilters:
        def values(name: str) -> tuple[str, ...]:
            return tuple(dict.fromkeys(v.strip() for v in query.get(name, []) if v and v.strip()))

        def first(name: str) -> str:
            return (query.get(name) or [""])[0].strip()

        problems = []
        for name, allowed in (
            ("status", TestimonialStatus),
            ("consent_scope", ConsentScope),
            ("kind", TestimonialKind),
        ):
            for value in values(name):
                if value not in {item.value for item in allowed}:
                    problems.append((name, f"Unknown {name.replace('_', ' ')} {value!r}."))
        rating = first("rating")
        if rating and rating not in {"1", "2", "3", "4", "5"}:
            problems.append(("rating", "The rating is 1 to 5 (stars at least)."))
        account = first("account_id")
        if account and not is_id(account):
            problems.append(("account_id", "account_id is a number."))
        if len(first("q")) > 200:
            problems.append(("q", "Search for at most 200 characters."))
        if problems:
            raise InvalidFields(problems)
        return cls(
            status=values("status"),
            consent_scope=values("consent_scope"),
            kind=values("kind"),
            tag=values("tag"),
            archetype=values("archetype"),
            industry=values("industry"),
            rating=int(rating) if rating else None,
            expiring=first("expiring").lower() in {"1", "true", "yes", "on"},
            q=first("q"),
            account_id=int(account) if account else None,
        )

    def to_query(self) -> dict[str, list[str]]:
        query: dict[str, list[str]] = {}
        for name in ("status", "consent_scope", "kind", "tag", "archetype", "industry"):
            if getattr(self, name):
                query[name] = list(getattr(self, name))
        if self.rating:
            query["rating"] = [str(self.rating)]
        if self.expiring:
            query["expiring"] = ["1"]
        if self.q:
            query["q"] = [self.q]
        if self.account_id is not None:
            query["account_id"] = [str(self.account_id)]
        return query

    @property
    def active_count(self) -> int:
        return len(self.to_query())


def filtered(filters: TestimonialFilters, day: date | None = None) -> Select[tuple[Testimonial]]:
    day = day or raw_input.today()
    conditions: list[Any] = []
    if filters.status:
        conditions.append(Testimonial.status.in_(filters.status))
    if filters.consent_scope:
        conditions.append(Testimonial.consent_scope.in_(filters.consent_scope))
    if filters.kind:
        conditions.append(Testimonial.kind.in_(filters.kind))
    if filters.tag:
        tagged = select(TestimonialTag.testimonial_id).where(
            TestimonialTag.key.in_([tag_key(t) for t in filters.tag])
        )
        conditions.append(Testimonial.id.in_(tagged))
    if filters.archetype:
        with_archetype = (
            select(account_archetypes.c.account_id)
            .join(Archetype, Archetype.id == account_archetypes.c.archetype_id)
            .where(func.lower(Archetype.name).in_([a.casefold() for a in filters.archetype]))
        )
        conditions.append(Testimonial.account_id.in_(with_archetype))
    if filters.industry:
        in_industry = select(Account.id).where(
            func.lower(Account.industry).in_([i.casefold() for i in filters.industry])
        )
        conditions.append(Testimonial.account_id.in_(in_industry))
    if filters.rating:
        conditions.append(Testimonial.rating >= filters.rating)
    if filters.expiring:
        conditions.append(
            and_(
                testimonials.consent_current_clause(day),
                Testimonial.consent_expires_on <= day + timedelta(days=testimonials.EXPIRING_DAYS),
            )
        )
    for term in search_terms(filters.q):
        conditions.append(Testimonial.search_text.contains(f" {term}", autoescape=True))
    if filters.account_id is not None:
        conditions.append(Testimonial.account_id == filters.account_id)
    stmt = select(Testimonial)
    return stmt.where(and_(*conditions)) if conditions else stmt


@dataclass(frozen=True)
class Library:
    page: Page[Testimonial]
    uses: dict[int, int]  # testimonial id -> uses in all
    fatigued: dict[int, int]  # account id -> uses this quarter, for accounts over the threshold


def library(
    session: Session,
    filters: TestimonialFilters,
    *,
    page: int = 1,
    per_page: int = 25,
    day: date | None = None,
) -> Library:
    """One page of the library, newest first, with account, contact and tags; usage counts and fatigue of
    the page's accounts (five statements whatever the page holds)."""
    day = day or raw_input.today()
    stmt = (
        filtered(filters, day)
        .options(
            joinedload(Testimonial.account), joinedload(Testimonial.contact), selectinload(Testimonial.tags)
        )
        .order_by(Testimonial.id.desc())
    )
    result = paginate(session, stmt, page=page, per_page=min(max(per_page, 1), 100))
    ids = [t.id for t in result.items]
    uses: dict[int, int] = {}
    fatigued: dict[int, int] = {}
    if ids:
        uses = _use_counts(session, ids)
        accounts = sorted({t.account_id for t in result.items})
        fatigued = testimonials.fatigued_accounts(session, accounts, day=day)
    return Library(result, uses, fatigued)


def _use_counts(session: Session, ids: Sequence[int]) -> dict[int, int]:
    """How often each of these testimonials was used (a testimonial never used is absent): one query."""
    return dict(
        session.execute(
            select(TestimonialUsage.testimonial_id, func.count(TestimonialUsage.id))
            .where(TestimonialUsage.testimonial_id.in_(ids))
            .group_by(TestimonialUsage.testimonial_id)
        ).all()
    )


def industries(session: Session) -> list[str]:
    """Industries of accounts that have testimonials, for the filter menu."""
    stmt = (
        select(Account.industry)
        .where(Account.industry.is_not(None), Account.id.in_(select(Testimonial.account_id)))
        .group_by(Account.industry)
    )
    return sorted((i for i in session.scalars(stmt) if i), key=str.casefold)


# --- proof coverage --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    archetypes: list[str]
    use_cases: list[str]
    counts: dict[tuple[str, str], int]  # (archetype, use case) -> usable public testimonials
    archetype_totals: dict[str, int]  # with or without a use-case tag
    use_case_totals: dict[str, int]  # whatever the account's archetype
    total: int

    def count(self, archetype: str, use_case: str) -> int:
        return self.counts.get((archetype, use_case), 0)

    @property
    def empty_cells(self) -> int:
        return sum(1 for a in self.archetypes for u in self.use_cases if not self.count(a, u))


def coverage(session: Session, day: date | None = None) -> Coverage:
    """How many approved or published testimonials with current public consent each archetype x use case
    cell has (an account's testimonial counts for each of its archetypes). Five statements."""
    day = day or raw_input.today()
    usable = testimonials.usable_publicly_clause(day)
    names = [a.name for a in session.scalars(select(Archetype).where(Archetype.archived_at.is_(None)))]
    names.sort(key=str.casefold)
    spelled = dict(
        session.execute(
            select(TestimonialTag.key, func.min(TestimonialTag.name))
            .where(TestimonialTag.kind == "use_case")
            .group_by(TestimonialTag.key)
        ).all()
    )
    cells = session.execute(
        select(Archetype.name, TestimonialTag.key, func.count(func.distinct(Testimonial.id)))
        .select_from(Testimonial)
        .join(account_archetypes, account_archetypes.c.account_id == Testimonial.account_id)
        .join(Archetype, Archetype.id == account_archetypes.c.archetype_id)
        .join(TestimonialTag, TestimonialTag.testimonial_id == Testimonial.id)
        .where(usable, TestimonialTag.kind == "use_case", Archetype.archived_at.is_(None))
        .group_by(Archetype.name, TestimonialTag.key)
    ).all()
    by_archetype = session.execute(
        select(Archetype.name, func.count(func.distinct(Testimonial.id)))
        .select_from(Testimonial)
        .join(account_archetypes, account_archetypes.c.account_id == Testimonial.account_id)
        .join(Archetype, Archetype.id == account_archetypes.c.archetype_id)
        .where(usable, Archetype.archived_at.is_(None))
        .group_by(Archetype.name)
    ).all()
    by_use_case = session.execute(
        select(TestimonialTag.key, func.count(func.distinct(Testimonial.id)))
        .join(Testimonial, Testimonial.id == TestimonialTag.testimonial_id)
        .where(usable, TestimonialTag.kind == "use_case")
        .group_by(TestimonialTag.key)
    ).all()
    total = session.scalar(select(func.count(Testimonial.id)).where(usable)) or 0
    use_cases = sorted(spelled.values(), key=str.casefold)
    return Coverage(
        archetypes=names,
        use_cases=use_cases,
        counts={(a, spelled[k]): n for a, k, n in cells if k in spelled},
        archetype_totals=dict(by_archetype),
        use_case_totals={spelled[k]: n for k, n in by_use_case if k in spelled},
        total=total,
    )


# --- CSV export ------------------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "id",
    "account",
    "contact",
    "kind",
    "status",
    "rating",
    "body",
    "original_body",
    "edited",
    "use_cases",
    "themes",
    "source",
    "media_url",
    "author_name",
    "author_title",
    "consent_scope",
    "consented_by",
    "consented_on",
    "consent_expires_on",
    "consent_withdrawn_on",
    "public_today",
    "uses",
    "created_at",
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return neutralise(str(value))


EXPORT_FIELDS = (
    Testimonial.id,
    Account.name,
    Contact.name,
    Testimonial.kind,
    Testimonial.status,
    Testimonial.rating,
    Testimonial.body,
    Testimonial.original_body,
    Testimonial.source,
    Testimonial.media_url,
    Testimonial.author_name,
    Testimonial.author_title,
    Testimonial.consent_scope,
    Testimonial.consent_statement,
    Testimonial.consented_by,
    Testimonial.consented_on,
    Testimonial.consent_expires_on,
    Testimonial.consent_withdrawn_on,
    Testimonial.created_at,
)


def _export_rows(session: Session, filters: TestimonialFilters, day: date) -> Iterator[list[str]]:
    """Rows in batches of 1,000 testimonials (three statements per batch: the rows, tags, uses); plain
    columns, so nothing accumulates in the session."""
    base = filtered(filters, day)
    last = 0
    while True:
        batch = session.execute(
            base.with_only_columns(*EXPORT_FIELDS)
            .join(Account, Account.id == Testimonial.account_id)
            .outerjoin(Contact, Contact.id == Testimonial.contact_id)
            .where(Testimonial.id > last)
            .order_by(Testimonial.id)
            .limit(EXPORT_BATCH)
        ).all()
        if not batch:
            return
        ids = [row[0] for row in batch]
        tags: dict[tuple[int, str], list[str]] = {}
        for testimonial_id, kind, name in session.execute(
            select(TestimonialTag.testimonial_id, TestimonialTag.kind, TestimonialTag.name)
            .where(TestimonialTag.testimonial_id.in_(ids))
            .order_by(TestimonialTag.id)
        ):
            tags.setdefault((testimonial_id, kind), []).append(name)
        uses = _use_counts(session, ids)
        for row in batch:
            (tid, account, contact, kind, status, rating, body, original, source, media_url, author,
             title, scope, statement, by, on, expires, withdrawn, created) = row  # fmt: skip
            consent = Consent(ConsentScope(scope), statement, by, on, expires, withdrawn)
            public = TestimonialStatus(status).usable and consent.publicly_usable_on(day)
            values = (
                tid,
                account,
                contact,
                kind,
                status,
                rating,
                body,
                original,
                body != original and bool(original),
                "; ".join(tags.get((tid, "use_case"), [])),
                "; ".join(tags.get((tid, "theme"), [])),
                source,
                media_url,
                author,
                title,
                scope,
                by,
                on,
                expires,
                withdrawn,
                public,
                uses.get(tid, 0),
                created,
            )
            yield [_cell(v) for v in values]
        last = ids[-1]


def export_chunks(session: Session, filters: TestimonialFilters, day: date | None = None) -> Iterator[str]:
    """The filtered testimonials as CSV text chunks (the header first); formula-like cells neutralised."""
    for text, _count in csv_chunks(EXPORT_COLUMNS, _export_rows(session, filters, day or raw_input.today())):
        yield text


def export_testimonials(
    session: Session, filters: TestimonialFilters, out: TextIO, day: date | None = None
) -> int:
    return write_chunks(
        csv_chunks(EXPORT_COLUMNS, _export_rows(session, filters, day or raw_input.today())), out
    )
