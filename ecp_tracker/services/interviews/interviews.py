"""Interviews and their findings: recording, editing (optimistic locking on `version`), archiving and
restoring, theme spelling, and the filtered, paginated list. Every write leaves an audit event; a refused
call names the field and changes nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ecp_tracker.domain.accounts import name_key
from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import (
    Conflict,
    InvalidFields,
    NotFound,
    ValidationError,
    check_version,
    problems_under,
)
from ecp_tracker.domain.interviews import (
    FINDING_TEXT_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    FindingKind,
    InterviewKind,
    check_contact_account,
    check_held_on,
    clean_theme,
    parse_kind,
    same_theme_spelling,
    theme_key,
)
from ecp_tracker.domain.numbers import is_id
from ecp_tracker.models import Account, Contact, Interview, InterviewFinding, User
from ecp_tracker.services.accounts import read_only
from ecp_tracker.services.shared import audit, raw_input
from ecp_tracker.services.shared.lookup import child_row
from ecp_tracker.services.shared.pagination import Page, paginate

INTERVIEW_FIELDS = ("account_id", "contact_id", "held_on", "kind", "summary", "interviewer_id")
FINDING_FIELDS = ("kind", "theme", "text")
MAX_PER_PAGE = 100


RELOAD = "Reload to see their change."


def describe(interview: Interview) -> str:
    """`Discovery with Acme Pay on 2026-03-02`: how audit events and messages name an interview."""
    return f"{InterviewKind(interview.kind).label} with {interview.account.name} on {interview.held_on}"


# --- reading ---------------------------------------------------------------------------------------------


def get_interview(session: Session, interview_id: int) -> Interview:
    """An interview with its account (and archetypes), contact, interviewer and findings: three queries."""
    stmt = (
        select(Interview)
        .where(Interview.id == interview_id)
        .options(
            joinedload(Interview.account).selectinload(Account.archetypes),
            joinedload(Interview.contact),
            joinedload(Interview.interviewer),
            selectinload(Interview.findings),
        )
    )
    interview = session.scalar(stmt)
    if interview is None:
        raise NotFound(f"There is no interview with id {interview_id}.")
    return interview


def get_finding(session: Session, finding_id: int, interview_id: int | None = None) -> InterviewFinding:
    missing = f"There is no finding with id {finding_id} on this interview."
    return child_row(
        session, InterviewFinding, finding_id, parent="interview_id", parent_id=interview_id, missing=missing
    )


def theme_spellings(session: Session) -> list[str]:
    """Every stored spelling of a theme, the oldest first (archived findings included: a theme keeps the
    spelling it was first recorded with)."""
    first = func.min(InterviewFinding.id)
    stmt = select(InterviewFinding.theme).group_by(InterviewFinding.theme).order_by(first)
    return list(session.scalars(stmt))


def themes_in_use(session: Session) -> list[str]:
    """The themes of current findings, alphabetically (for the theme filter and the form's suggestions)."""
    stmt = (
        select(InterviewFinding.theme)
        .join(Interview, Interview.id == InterviewFinding.interview_id)
        .where(InterviewFinding.archived_at.is_(None), Interview.archived_at.is_(None))
        .group_by(InterviewFinding.theme)
    )
    return sorted(session.scalars(stmt), key=theme_key)


def interviews_of_account(session: Session, account_id: int, *, limit: int = 5) -> Sequence[Interview]:
    """The account's latest current interviews with contact and findings (two queries)."""
    stmt = (
        select(Interview)
        .where(Interview.account_id == account_id, Interview.archived_at.is_(None))
        .options(joinedload(Interview.contact), selectinload(Interview.findings))
        .order_by(Interview.held_on.desc(), Interview.id.desc())
        .limit(limit)
    )
    return session.scalars(stmt).all()


def count_of_account(session: Session, account_id: int) -> int:
    stmt = select(func.count(Interview.id)).where(
        Interview.account_id == account_id, Interview.archived_at.is_(None)
    )
    return session.scalar(stmt) or 0


# --- the list --------------------------------------------------------------------------------------------


def _ids(values: Sequence[str], field: str, problems: list[tuple[str, str]]) -> int | None:
    if not values:
        return None
    value = values[0].strip()
    if is_id(value):
        return int(value)
    problems.append((field, f"{field} is a number, not {value!r}."))
    return None


@dataclass(frozen=True)
class InterviewFilters:
    """The list's filters. `theme` and `finding_kind` select interviews with a current finding that has
    that theme (in any spelling) and one of those kinds, both on the same finding."""

    kind: tuple[str, ...] = ()
    account_id: int | None = None
    q: str = ""
    theme: str = ""
    finding_kind: tuple[str, ...] = ()
    include_archived: bool = False

    @classmethod
    def from_query(cls, query: Mapping[str, Sequence[str]]) -> InterviewFilters:
        def values(name: str) -> tuple[str, ...]:
            return tuple(v.strip() for v in query.get(name, []) if v and v.strip())

        problems: list[tuple[str, str]] = []
        for name, enum in (("kind", InterviewKind), ("finding_kind", FindingKind)):
            for value in values(name):
                if value not in {k.value for k in enum}:
                    allowed = ", ".join(k.value for k in enum)
                    problems.append((name, f"Unknown {name.replace('_', ' ')} {value!r}; use {allowed}."))
        account_id = _ids(values("account_id"), "account_id", problems)
        if problems:
            raise InvalidFields(problems)
        archived = (query.get("include_archived") or [""])[0].lower() in {"1", "true", "yes", "on", "y"}
        return cls(
            kind=values("kind"),
            account_id=account_id,
            q=(query.get("q") or [""])[0].strip(),
            theme=" ".join((query.get("theme") or [""])[0].split()),
            finding_kind=values("finding_kind"),
            include_archived=archived,
        )

    def to_query(self) -> dict[str, list[str]]:
        query: dict[str, list[str]] = {}
        if self.kind:
            query["kind"] = list(self.kind)
        if self.account_id is not None:
            query["account_id"] = [str(self.account_id)]
        if self.q:
            query["q"] = [self.q]
        if self.theme:
            query["theme"] = [self.theme]
        if self.finding_kind:
            query["finding_kind"] = list(self.finding_kind)
        if self.include_archived:
            query["include_archived"] = ["1"]
        return query

    @property
    def active_count(self) -> int:
        return sum(
            bool(v) for v in (self.kind, self.account_id is not None, self.q, self.theme, self.finding_kind)
        )


def matching_spellings(session: Session, theme: str) -> list[str]:
    """The stored spellings that are the same theme as `theme` (one statement; usually one spelling)."""
    key = theme_key(theme)
    return [spelling for spelling in theme_spellings(session) if theme_key(spelling) == key]


def filtered_interviews(session: Session, filters: InterviewFilters) -> Select[tuple[Interview]]:
    """The interviews matching `filters` (runs one statement to resolve a theme's spellings, if any)."""
    conditions = []
    if not filters.include_archived:
        conditions.append(Interview.archived_at.is_(None))
    if filters.kind:
        conditions.append(Interview.kind.in_(filters.kind))
    if filters.account_id is not None:
        conditions.append(Interview.account_id == filters.account_id)
    if filters.q:
        matching = select(Account.id).where(Account.name_key.contains(name_key(filters.q), autoescape=True))
        conditions.append(Interview.account_id.in_(matching))
    if filters.theme or filters.finding_kind:
        finding_conditions = [InterviewFinding.archived_at.is_(None)]
        if filters.theme:
            finding_conditions.append(InterviewFinding.theme.in_(matching_spellings(session, filters.theme)))
        if filters.finding_kind:
            finding_conditions.append(InterviewFinding.kind.in_(filters.finding_kind))
        having = select(InterviewFinding.interview_id).where(and_(*finding_conditions))
        conditions.append(Interview.id.in_(having))
    stmt = select(Interview)
    if conditions:
        stmt = stmt.where(and_(*conditions))
    return stmt


def list_interviews(
    session: Session, filters: InterviewFilters, *, page: int = 1, per_page: int = 25
) -> Page[Interview]:
    """One page, the latest first, with account, contact, interviewer and findings: a fixed number of
    statements (a COUNT, the page, the findings, and the theme's spellings when filtered by theme)."""
    stmt = (
        filtered_interviews(session, filters)
        .options(
            joinedload(Interview.account),
            joinedload(Interview.contact),
            joinedload(Interview.interviewer),
            selectinload(Interview.findings),
        )
        .order_by(Interview.held_on.desc(), Interview.id.desc())
    )
    return paginate(session, stmt, page=page, per_page=min(max(per_page, 1), MAX_PER_PAGE))


# --- input -----------------------------------------------------------------------------------------------


def _id(value: Any) -> int | None:
    """A record id from a form or JSON body; None when it is not a whole number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if is_id(text) else None


def _clean_interview(session: Session, raw: Mapping[str, Any], current: Interview | None) -> dict[str, Any]:
    """Check the given fields (all required ones when `current` is None); every problem at once."""
    problems: list[tuple[str, str]] = []
    clean: dict[str, Any] = {}
    creating = current is None
    account: Account | None = current.account if current is not None else None

    if "account_id" in raw or creating:
        account_id = _id(raw.get("account_id"))
        found = session.get(Account, account_id) if account_id is not None else None
        if found is None:
            problems.append(("account_id", f"There is no account {raw.get('account_id')!r}."))
        elif read_only.is_read_only(found) and (current is None or current.account_id != found.id):
            problems.append(("account_id", read_only.archived_message(found.name)))
        else:
            account = found
            clean["account_id"] = found.id
    if "kind" in raw or creating:
        try:
            clean["kind"] = parse_kind(raw.get("kind"), InterviewKind, "kind")
        except ValidationError as error:
            problems.append(("kind", error.message))
    if "held_on" in raw or creating:
        held_on = raw_input.day(raw.get("held_on"), "held_on", problems)
        if held_on is None and not any(field == "held_on" for field, _ in problems):
            problems.append(("held_on", "Give the date of the interview."))
        elif held_on is not None:
            try:
                check_held_on(held_on, raw_input.today())
                clean["held_on"] = held_on
            except ValidationError as error:
                problems.append(("held_on", error.message))
    if "summary" in raw or creating:
        summary = str(raw.get("summary") or "").strip()
        if len(summary) > SUMMARY_MAX_LENGTH:
            problems.append(("summary", f"Use at most {SUMMARY_MAX_LENGTH:,} characters."))
        clean["summary"] = summary
    if "interviewer_id" in raw:
        value = raw.get("interviewer_id")
        if value in (None, ""):
            clean["interviewer_id"] = None
        elif (user_id := _id(value)) is not None and session.get(User, user_id) is not None:
            clean["interviewer_id"] = user_id
        else:
            problems.append(("interviewer_id", f"There is no user {value!r}."))
    # the contact is checked against the account the interview ends up with (a moved interview too)
    contact_given = "contact_id" in raw
    contact_id = raw.get("contact_id") if contact_given else (current.contact_id if current else None)
    if contact_id not in (None, "") and account is not None:
        contact = session.get(Contact, _id(contact_id)) if _id(contact_id) is not None else None
        if contact is None:
            problems.append(("contact_id", f"There is no contact {contact_id!r}."))
        else:
            try:
                check_contact_account(contact.account_id, account.id)
                if contact_given:
                    clean["contact_id"] = contact.id
            except ValidationError as error:
                problems.append(("contact_id", error.message))
    elif contact_given:
        clean["contact_id"] = None
    if problems:
        raise InvalidFields(problems)
    return clean


def _clean_finding(
    session: Session, raw: Mapping[str, Any], *, partial: bool, spellings: list[str] | None = None
) -> dict[str, Any]:
    """`spellings`: the themes already read by a caller adding several findings (a new one is appended)."""
    problems: list[tuple[str, str]] = []
    clean: dict[str, Any] = {}
    if "kind" in raw or not partial:
        try:
            clean["kind"] = parse_kind(raw.get("kind"), FindingKind, "kind")
        except ValidationError as error:
            problems.append(("kind", error.message))
    if "theme" in raw or not partial:
        try:
            known = spellings if spellings is not None else theme_spellings(session)
            clean["theme"] = same_theme_spelling(clean_theme(raw.get("theme")), known)
            if spellings is not None and clean["theme"] not in spellings:
                spellings.append(clean["theme"])
        except ValidationError as error:
            problems.append(("theme", error.message))
    if "text" in raw or not partial:
        text = str(raw.get("text") or "").strip()
        if len(text) > FINDING_TEXT_MAX_LENGTH:
            problems.append(("text", f"Use at most {FINDING_TEXT_MAX_LENGTH:,} characters."))
        clean["text"] = text
    if problems:
        raise InvalidFields(problems)
    return clean


# --- interviews ------------------------------------------------------------------------------------------


def record_interview(
    session: Session, actor: Actor, raw: Mapping[str, Any], findings: Mapping[int, Mapping[str, Any]]
) -> Interview:
    """Record an interview with its findings, all or nothing.

    `findings` holds each row by its position in the input; every row is checked, and a row's problems are
    named `findings.<position>.<field>`. The caller rolls back on the error.
    """
    interview = create_interview(session, actor, raw)
    spellings = theme_spellings(session)
    problems: list[tuple[str, str]] = []
    for position, row in sorted(findings.items()):
        try:
            add_finding(session, actor, interview.id, row, spellings=spellings)
        except ValidationError as error:
            problems += problems_under(f"findings.{position}", error)
    if problems:
        raise InvalidFields(problems)
    return interview


def create_interview(session: Session, actor: Actor, raw: Mapping[str, Any]) -> Interview:
    """Record an interview; the interviewer is the acting user unless `interviewer_id` says otherwise."""
    clean = _clean_interview(session, raw, None)
    clean.setdefault("contact_id", None)
    if "interviewer_id" not in clean:
        clean["interviewer_id"] = actor.user_id
    interview = Interview(**clean)
    _sync_relationships(session, interview, clean)
    audit.log_write(session, actor, interview, summary=describe(interview))
    return interview


def update_interview(
    session: Session, actor: Actor, interview_id: int, raw: Mapping[str, Any], *, version: int | None
) -> Interview:
    interview = get_interview(session, interview_id)
    check_version(interview, version, f"The interview ({describe(interview)})", advice=RELOAD)
    if interview.archived_at is not None:
        raise Conflict("The interview is archived; restore it before changing it.")
    clean = _clean_interview(session, {k: v for k, v in raw.items() if k in INTERVIEW_FIELDS}, interview)
    for key, value in clean.items():
        setattr(interview, key, value)
    _sync_relationships(session, interview, clean)
    audit.log_write(session, actor, interview, summary=describe(interview))
    return interview


def _sync_relationships(session: Session, interview: Interview, clean: Mapping[str, Any]) -> None:
    """Keep the loaded account, contact and interviewer in step with the ids just set."""
    for key, relation, model in (
        ("account_id", "account", Account),
        ("contact_id", "contact", Contact),
        ("interviewer_id", "interviewer", User),
    ):
        if key in clean:
            setattr(interview, relation, session.get(model, clean[key]) if clean[key] is not None else None)


def set_interview_archived(
    session: Session, actor: Actor, interview_id: int, *, archived: bool, version: int | None = None
) -> Interview:
    """Archive (hidden from lists and counts; nothing is deleted) or restore; a given `version` must match."""
    interview = get_interview(session, interview_id)
    if version is not None:
        check_version(interview, version, f"The interview ({describe(interview)})", advice=RELOAD)
    return audit.set_archived(session, actor, interview, archived=archived, summary=describe(interview))


# --- findings --------------------------------------------------------------------------------------------


def add_finding(
    session: Session,
    actor: Actor,
    interview_id: int,
    raw: Mapping[str, Any],
    *,
    spellings: list[str] | None = None,
) -> InterviewFinding:
    """Tag a finding: its kind, its theme (stored in the spelling the theme was first recorded with) and
    what was said. Adding several, pass the same `theme_spellings(session)` list to each call: the table of
    themes is then read once, not once per finding."""
    interview = session.get(Interview, interview_id)
    if interview is None:
        raise NotFound(f"There is no interview with id {interview_id}.")
    if interview.archived_at is not None:
        raise Conflict("The interview is archived; restore it before adding findings.")
    clean = _clean_finding(session, raw, partial=False, spellings=spellings)
    summary = f"{clean['theme']} ({interview.account.name})"  # read before the finding is pending
    finding = InterviewFinding(interview_id=interview.id, interview=interview, **clean)
    session.add(finding)
    audit.log_write(session, actor, finding, summary=summary)
    return finding


def update_finding(
    session: Session, actor: Actor, finding_id: int, raw: Mapping[str, Any], *, version: int | None
) -> InterviewFinding:
    finding = get_finding(session, finding_id)
    check_version(finding, version, f"The finding {finding.theme}", advice=RELOAD)
    if finding.archived_at is not None or finding.interview.archived_at is not None:
        raise Conflict("The finding or its interview is archived; restore it before changing it.")
    for key, value in _clean_finding(
        session, {k: v for k, v in raw.items() if k in FINDING_FIELDS}, partial=True
    ).items():
        setattr(finding, key, value)
    audit.log_write(session, actor, finding, summary=f"{finding.theme} ({finding.interview.account.name})")
    return finding


def set_finding_archived(
    session: Session, actor: Actor, finding_id: int, *, archived: bool, version: int | None = None
) -> InterviewFinding:
    finding = get_finding(session, finding_id)
    if version is not None:
        check_version(finding, version, f"The finding {finding.theme}", advice=RELOAD)
    if not archived and finding.interview.archived_at is not None:
        raise Conflict("The interview is archived; restore it first.")
    return audit.set_archived(
        session,
        actor,
        finding,
        archived=archived,
        summary=f"{finding.theme} ({finding.interview.account.name})",
    )
