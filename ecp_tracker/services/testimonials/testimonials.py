"""Testimonials: recording them, the status workflow (who and when of every step), edits that keep the
customer's original words, consent (recorded, withdrawn, checked on the day it is needed), the usage log with
its fatigue warning, and the link to the give-to-get promise a testimonial delivers.

"Publicly usable" is decided when it is asked, from the stored dates: expiry and withdrawal take effect the
moment their day comes, without a job having to run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import (
    Conflict,
    InvalidFields,
    NotFound,
    ValidationError,
    check_version,
)
from ecp_tracker.domain.numbers import is_id
from ecp_tracker.domain.testimonials import (
    Consent,
    ConsentScope,
    TestimonialKind,
    TestimonialStatus,
    UsageChannel,
    add_months,
    check_transition,
    clean_tags,
    consent_dates_problem,
    identifying_mentions,
    identifying_terms,
    quarter_start,
    search_text,
    tag_key,
)
from ecp_tracker.models import (
    Account,
    Contact,
    Testimonial,
    TestimonialRevision,
    TestimonialStep,
    TestimonialTag,
    TestimonialUsage,
)
from ecp_tracker.services.accounts import read_only
from ecp_tracker.services.pilots import discounts
from ecp_tracker.services.shared import audit, raw_input
from ecp_tracker.services.testimonials.settings import TestimonialSettings, load_settings

MAX_BODY = 5000
MAX_TAGS = 20
MAX_TAG = 80
EXPIRING_DAYS = 30
TAG_KINDS = ("use_case", "theme")
PUBLIC_SCOPES = tuple(scope.value for scope in ConsentScope if scope.public)
PUBLIC_KINDS = tuple(kind.value for kind in TestimonialKind if kind.shown_publicly)


# --- consent, on the day it is asked ---------------------------------------------------------------------


def consent_of(testimonial: Testimonial) -> Consent:
    return Consent(
        scope=ConsentScope(testimonial.consent_scope),
        statement=testimonial.consent_statement,
        consented_by=testimonial.consented_by,
        consented_on=testimonial.consented_on,
        expires_on=testimonial.consent_expires_on,
        withdrawn_on=testimonial.consent_withdrawn_on,
    )


def consent_current_clause(day: date) -> ColumnElement[bool]:
    """SQL: consent was given and, on `day`, has neither expired nor been withdrawn (Consent.current_on)."""
    return and_(
        Testimonial.consented_on.is_not(None),
        Testimonial.consented_on <= day,
        Testimonial.consent_statement != "",
        or_(Testimonial.consent_expires_on.is_(None), Testimonial.consent_expires_on > day),
        or_(Testimonial.consent_withdrawn_on.is_(None), Testimonial.consent_withdrawn_on > day),
    )


def public_consent_clause(day: date) -> ColumnElement[bool]:
    """SQL: the consent allows public use on `day` (Consent.publicly_usable_on)."""
    return and_(Testimonial.consent_scope.in_(PUBLIC_SCOPES), consent_current_clause(day))


def publicly_shown_clause(day: date) -> ColumnElement[bool]:
    """SQL: what a public wall may show on `day`: published, a kind shown in public, current public
    consent, and an account that is not archived."""
    live_accounts = select(Account.id).where(Account.archived_at.is_(None))
    return and_(
        Testimonial.status == TestimonialStatus.PUBLISHED.value,
        Testimonial.kind.in_(PUBLIC_KINDS),
        public_consent_clause(day),
        Testimonial.account_id.in_(live_accounts),
    )


def usable_publicly_clause(day: date) -> ColumnElement[bool]:
    """SQL: approved or published with current public consent (the proof coverage counts these)."""
    return and_(
        Testimonial.status.in_((TestimonialStatus.APPROVED.value, TestimonialStatus.PUBLISHED.value)),
        public_consent_clause(day),
    )


def identifying_terms_of(testimonial: Testimonial) -> list[str]:
    """Names, company and domain that an anonymous testimonial must not show."""
    people = [testimonial.author_name, testimonial.consented_by]
    if testimonial.contact is not None:
        people.append(testimonial.contact.name)
    terms: list[str] = []
    for person in dict.fromkeys(p for p in people if p):
        terms.extend(identifying_terms(person, None, None))
    terms.extend(identifying_terms(None, testimonial.account.name, testimonial.account.domain))
    return list(dict.fromkeys(terms))


def public_use_problem(testimonial: Testimonial, day: date | None = None) -> str | None:
    """Why the testimonial may not be shown in public on `day`; None when it may."""
    day = day or raw_input.today()
    if not TestimonialKind(testimonial.kind).shown_publicly:
        return "a reference availability is for sales conversations, not for public pages"
    problem = consent_of(testimonial).problem_for_public_use(day)
    if problem:
        return problem
    if testimonial.consent_scope == ConsentScope.PUBLIC_ANONYMOUS.value:
        mentions = identifying_mentions(
            f"{testimonial.body} {testimonial.author_title}", identifying_terms_of(testimonial)
        )
        if mentions:
            return (
                "it is anonymous but names "
                + ", ".join(f"“{m}”" for m in mentions)
                + "; edit the text (the original words are kept) or change the title"
            )
    return None


# --- reading ---------------------------------------------------------------------------------------------


def get_testimonial(session: Session, testimonial_id: int) -> Testimonial:
    """A testimonial with its account, contact, tags, steps, edits and usages (a fixed number of queries)."""
    stmt = (
        select(Testimonial)
        .where(Testimonial.id == testimonial_id)
        .options(
            joinedload(Testimonial.account),
            joinedload(Testimonial.contact),
            selectinload(Testimonial.tags),
            selectinload(Testimonial.steps),
            selectinload(Testimonial.revisions),
            selectinload(Testimonial.usages).joinedload(TestimonialUsage.recorded_by),
        )
    )
    testimonial = session.scalar(stmt)
    if testimonial is None:
        raise NotFound(f"There is no testimonial with id {testimonial_id}.")
    return testimonial


def testimonials_of_account(session: Session, account_id: int) -> Sequence[Testimonial]:
    stmt = (
        select(Testimonial)
        .where(Testimonial.account_id == account_id)
        .options(joinedload(Testimonial.contact), selectinload(Testimonial.tags))
        .order_by(Testimonial.id.desc())
    )
    return session.scalars(stmt).all()


def known_tags(session: Session, kind: str | None = None) -> list[str]:
    """Tags in use (one spelling per tag), for menus and the coverage matrix."""
    stmt = select(TestimonialTag.key, func.min(TestimonialTag.name)).group_by(TestimonialTag.key)
    if kind:
        stmt = stmt.where(TestimonialTag.kind == kind)
    return sorted((name for _key, name in session.execute(stmt)), key=str.casefold)


# --- input -----------------------------------------------------------------------------------------------


def _rating(raw: Any, problems: list[tuple[str, str]]) -> int | None:
    if raw in (None, ""):
        return None
    text = str(raw).strip()
    if isinstance(raw, bool) or not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 5:
        problems.append(("rating", "The rating is a whole number from 1 to 5."))
        return None
    return int(text)


def _url(raw: Any, problems: list[tuple[str, str]]) -> str | None:
    text = str(raw or "").strip()
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(text) > 500:
        problems.append(("media_url", "Give a web address starting with https:// (at most 500 characters)."))
        return None
    return text


def _tags(raw: Any, field: str, problems: list[tuple[str, str]]) -> list[str]:
    tags = clean_tags(raw if isinstance(raw, str | list | tuple) or raw is None else str(raw))
    if len(tags) > MAX_TAGS:
        problems.append((field, f"At most {MAX_TAGS} tags."))
    for tag in tags:
        if len(tag) > MAX_TAG:
            problems.append((field, f"A tag has at most {MAX_TAG} characters: {tag[:20]}…"))
            break
    return tags


def _contact(session: Session, raw: Any, account_id: int, problems: list[tuple[str, str]]) -> Contact | None:
    if raw in (None, ""):
        return None
    contact = session.get(Contact, int(raw)) if is_id(str(raw)) else None
    if contact is None or contact.account_id != account_id:
        problems.append(("contact_id", "That contact is not one of this account's."))
        return None
    return contact


def _clean(
    session: Session, raw: Mapping[str, Any], account_id: int, problems: list[tuple[str, str]]
) -> dict[str, Any]:
    """The testimonial's own fields present in `raw`, checked (problems are appended)."""
    clean: dict[str, Any] = {}
    if "kind" in raw:
        try:
            clean["kind"] = TestimonialKind(str(raw["kind"] or "")).value
        except ValueError:
            problems.append(("kind", f"Kind is one of {', '.join(k.value for k in TestimonialKind)}."))
    if "body" in raw:
        clean["body"] = raw_input.text(raw["body"], "body", MAX_BODY, problems, lines=True)
    if "rating" in raw:
        clean["rating"] = _rating(raw["rating"], problems)
    if "source" in raw:
        clean["source"] = raw_input.text(raw["source"], "source", 200, problems)
    if "media_url" in raw:
        clean["media_url"] = _url(raw["media_url"], problems)
    for key in ("author_name", "author_title"):
        if key in raw:
            clean[key] = raw_input.text(raw[key], key, 120, problems)
    if "contact_id" in raw:
        contact = _contact(session, raw["contact_id"], account_id, problems)
        clean["contact_id"] = contact.id if contact else None
        clean["_contact"] = contact
    for kind in TAG_KINDS:
        key = f"{kind}s"
        if key in raw:
            clean[key] = _tags(raw[key], key, problems)
    return clean


AUTHOR_FIELDS = ("author_name", "author_title")
CONSENT_FIELDS = ("consent_scope", "consent_statement", "consented_by", "consented_on", "consent_expires_on")


def _clean_consent(
    raw: Mapping[str, Any], settings: TestimonialSettings, problems: list[tuple[str, str]]
) -> dict[str, Any] | None:
    """A consent record from `raw` (None when `raw` names no consent field). Internal scope needs no
    statement; public scopes need who consented, when, and the statement they agreed to."""
    if not any(key in raw for key in CONSENT_FIELDS):
        return None
    try:
        scope = ConsentScope(str(raw.get("consent_scope") or ConsentScope.INTERNAL.value))
    except ValueError:
        problems.append(("consent_scope", f"Scope is one of {', '.join(s.value for s in ConsentScope)}."))
        return None
    statement = raw_input.text(raw.get("consent_statement"), "consent_statement", 2000, problems)
    by = raw_input.text(raw.get("consented_by"), "consented_by", 120, problems)
    on = raw_input.day(raw.get("consented_on"), "consented_on", problems)
    expires = raw_input.day(raw.get("consent_expires_on"), "consent_expires_on", problems)
    given = bool(statement or by or on)
    if given or scope.public:
        if not by:
            problems.append(("consented_by", "Say who gave the consent (their name)."))
        if on is None and not any(f == "consented_on" for f, _ in problems):
            problems.append(("consented_on", "Give the day the consent was given."))
        if not statement:
            problems.append(("consent_statement", "Record the consent statement the customer agreed to."))
    if on is not None and on > raw_input.today():
        problems.append(("consented_on", "Consent is recorded once it has been given, not in advance."))
    if on is not None and expires is None and given:
        expires = add_months(on, settings.consent_months)
    if problem := consent_dates_problem(on, expires):
        problems.append(("consent_expires_on", problem))
    return {
        "consent_scope": scope.value,
        "consent_statement": statement,
        "consented_by": by,
        "consented_on": on if given else None,
        "consent_expires_on": expires if given else None,
    }


def _set_tags(testimonial: Testimonial, kind: str, names: list[str]) -> list[str] | None:
    """Replace the testimonial's tags of `kind`; returns the old names when they changed."""
    old = [t for t in testimonial.tags if t.kind == kind]
    if [t.name for t in old] == names:
        return None
    for tag in old:
        testimonial.tags.remove(tag)
    for name in names:
        testimonial.tags.append(TestimonialTag(kind=kind, name=name, key=tag_key(name)))
    return [t.name for t in old]


def _step(testimonial: Testimonial, actor: Actor, from_status: str | None, to: str, note: str = "") -> None:
    testimonial.steps.append(
        TestimonialStep(
            from_status=from_status,
            to_status=to,
            by_id=actor.user_id,
            by_label=actor.label[:254],
            note=note[:2000],
        )
    )


# --- writing ---------------------------------------------------------------------------------------------


def create_testimonial(
    session: Session,
    actor: Actor,
    account_id: int,
    raw: Mapping[str, Any],
    *,
    status: str = TestimonialStatus.RECEIVED.value,
) -> Testimonial:
    """Record a testimonial that has arrived (`received`, e.g. by e-mail or on a call) or one that is asked
    for (`requested`). `raw` may carry consent fields and `promise_id`, the promise it delivers."""
    account = read_only.open_account(session, account_id)
    if status not in (TestimonialStatus.RECEIVED.value, TestimonialStatus.REQUESTED.value):
        raise InvalidFields([("status", "A new testimonial is received or requested.")])
    settings = load_settings(session)
    problems: list[tuple[str, str]] = []
    clean = _clean(session, {"kind": TestimonialKind.QUOTE.value, **raw}, account_id, problems)
    consent = _clean_consent(raw, settings, problems)
    kind = TestimonialKind(clean.get("kind", TestimonialKind.QUOTE.value)) if "kind" in clean else None
    body = clean.get("body", "")
    if kind and status == TestimonialStatus.RECEIVED.value and kind.needs_body and not body:
        problems.append(
            ("body", "Write the customer's words (or choose requested if they are still to come).")
        )
    promise_id = raw.get("promise_id") or None
    if problems:
        raise InvalidFields(problems)
    contact: Contact | None = clean.pop("_contact", None)
    tags = {kind_: clean.pop(f"{kind_}s", []) for kind_ in TAG_KINDS}
    values: dict[str, Any] = {
        "body": "",
        "source": "",
        "author_name": contact.name if contact else "",
        "author_title": (contact.title or "") if contact else "",
        **{key: value for key, value in clean.items() if value not in (None, "") or key not in AUTHOR_FIELDS},
        **(consent or {}),
    }
    testimonial = Testimonial(
        account_id=account_id,
        status=status,
        created_by_id=actor.user_id,
        original_body=body if status == TestimonialStatus.RECEIVED.value else "",
        search_text=search_text(body),
        tags=[],
        steps=[],
        **values,
    )
    for kind_, names in tags.items():
        _set_tags(testimonial, kind_, names)
    _step(testimonial, actor, None, status)
    audit.log_write(
        session,
        actor,
        testimonial,
        summary=f"{testimonial.kind} from {account.name}",
        extra_changes={f"{k}s": [None, v] for k, v in tags.items() if v},
    )
    if promise_id is not None:
        discounts.link_testimonial(
            session,
            actor,
            promise_id,
            testimonial_id=testimonial.id,
            account_id=account_id,
            delivered=status == TestimonialStatus.RECEIVED.value,
        )
    return testimonial


def update_testimonial(
    session: Session, actor: Actor, testimonial_id: int, raw: Mapping[str, Any], *, version: int | None
) -> Testimonial:
    """Edit a testimonial. Once it has arrived, the customer's original words stay in `original_body` and
    every change of the text is kept as a revision; an approved (or later) text changes only with a reason
    (`edit_reason`). Consent fields, when present, record a new consent."""
    testimonial = get_testimonial(session, testimonial_id)
    check_version(testimonial, version, "The testimonial")
    settings = load_settings(session)
    problems: list[tuple[str, str]] = []
    clean = _clean(session, raw, testimonial.account_id, problems)
    consent = _clean_consent(raw, settings, problems)
    status = TestimonialStatus(testimonial.status)
    reason = raw_input.text(raw.get("edit_reason"), "edit_reason", 2000, problems)
    new_body = clean.pop("body", testimonial.body)
    body_changed = new_body != testimonial.body
    if body_changed and (status.usable or status is TestimonialStatus.RETIRED) and not reason:
        problems.append(("edit_reason", "Say why the approved text changes (the original words are kept)."))
    kind = TestimonialKind(clean.get("kind", testimonial.kind))
    if status is not TestimonialStatus.REQUESTED and kind.needs_body and not new_body:
        problems.append(("body", "The text cannot be emptied; the customer's words are kept."))
    if consent is not None and not any(getattr(testimonial, k) != v for k, v in consent.items()):
        consent = None  # the same consent sent back: nothing to record
    withdrawn = testimonial.consent_withdrawn_on
    if consent is not None and withdrawn is not None:
        given = consent["consented_on"]
        if given is None or given < withdrawn:
            problems.append(
                (
                    "consented_on",
                    f"Consent was withdrawn on {withdrawn.isoformat()}; "
                    "record a new consent given since then.",
                )
            )
    if problems:
        raise InvalidFields(problems)
    clean.pop("_contact", None)
    extra: dict[str, list[Any]] = {}
    for kind_ in TAG_KINDS:
        if f"{kind_}s" in clean:
            names = clean.pop(f"{kind_}s")
            old = _set_tags(testimonial, kind_, names)
            if old is not None:
                extra[f"{kind_}s"] = [old, names]
    for key, value in clean.items():
        setattr(testimonial, key, value)
    if consent is not None:
        for key, value in consent.items():
            setattr(testimonial, key, value)
        testimonial.consent_withdrawn_on = None
    if body_changed:
        if status is TestimonialStatus.REQUESTED:
            testimonial.original_body = new_body
        else:
            testimonial.revisions.append(
                TestimonialRevision(
                    old_body=testimonial.body,
                    new_body=new_body,
                    reason=reason,
                    edited_by_id=actor.user_id,
                    edited_by_label=actor.label[:254],
                )
            )
        testimonial.body = new_body
        testimonial.search_text = search_text(new_body)
    audit.log_write(
        session,
        actor,
        testimonial,
        summary=f"{testimonial.kind} from {testimonial.account.name}",
        extra_changes=extra,
    )
    return testimonial


def transition(
    session: Session,
    actor: Actor,
    testimonial_id: int,
    to: str,
    *,
    note: str = "",
    day: date | None = None,
) -> Testimonial:
    """Move the testimonial to status `to`. Received needs the words; publishing needs current public
    consent on `day` (default today), and an anonymous one must not name the customer. A received or
    approved testimonial fulfils the give-to-get promise it is linked to."""
    testimonial = get_testimonial(session, testimonial_id)
    try:
        target = TestimonialStatus(to)
    except ValueError:
        raise ValidationError(f"Unknown status {to!r}.", field="to") from None
    current = TestimonialStatus(testimonial.status)
    check_transition(current, target, withdrawn_on=testimonial.consent_withdrawn_on)
    day = day or raw_input.today()
    note = " ".join(note.split())[:2000]
    if target is TestimonialStatus.RECEIVED:
        if TestimonialKind(testimonial.kind).needs_body and not testimonial.body.strip():
            raise ValidationError("Record the customer's words first (edit the testimonial).", field="body")
        testimonial.original_body = testimonial.body
    if target is TestimonialStatus.PUBLISHED:
        problem = public_use_problem(testimonial, day)
        if problem:
            raise ValidationError(f"It cannot be published: {problem}.", field="to")
    if target is TestimonialStatus.REJECTED and not note:
        raise ValidationError("Say why it is rejected.", field="note")
    testimonial.status = target.value
    _step(testimonial, actor, current.value, target.value, note)
    audit.log_write(
        session, actor, testimonial, action=f"status:{target.value}", summary=testimonial.account.name
    )
    if target in (TestimonialStatus.RECEIVED, TestimonialStatus.APPROVED):
        discounts.fulfil_for_testimonial(session, actor, testimonial.id, today=day)
    return testimonial


def withdraw_consent(
    session: Session, actor: Actor, testimonial_id: int, *, on: date | None = None, note: str = ""
) -> Testimonial:
    """The customer withdrew consent (on `on`, default today; never in the future). From that day it is in
    no public place; a published testimonial is retired with the reason."""
    testimonial = get_testimonial(session, testimonial_id)
    day = on or raw_input.today()
    if day > raw_input.today():
        raise ValidationError("Record a withdrawal once it has happened, not in advance.", field="on")
    if testimonial.consented_on is None:
        raise Conflict("No consent is recorded for this testimonial, so there is none to withdraw.")
    if testimonial.consent_withdrawn_on is not None:
        raise Conflict(f"Consent was already withdrawn on {testimonial.consent_withdrawn_on.isoformat()}.")
    if day < testimonial.consented_on:
        raise ValidationError("Consent cannot be withdrawn before it was given.", field="on")
    testimonial.consent_withdrawn_on = day
    audit.log_write(
        session, actor, testimonial, action="withdraw_consent", summary=note[:200] or testimonial.account.name
    )
    if testimonial.status == TestimonialStatus.PUBLISHED.value:
        testimonial.status = TestimonialStatus.RETIRED.value
        _step(
            testimonial,
            actor,
            TestimonialStatus.PUBLISHED.value,
            TestimonialStatus.RETIRED.value,
            f"Consent withdrawn on {day.isoformat()}. {note}".strip(),
        )
        audit.log_write(session, actor, testimonial, action="status:retired", summary="consent withdrawn")
    return testimonial


def link_promise(session: Session, actor: Actor, testimonial_id: int, promise_id: Any) -> Testimonial:
    """Record that this testimonial delivers a give-to-get promise of its account."""
    testimonial = get_testimonial(session, testimonial_id)
    discounts.link_testimonial(
        session,
        actor,
        promise_id,
        testimonial_id=testimonial.id,
        account_id=testimonial.account_id,
        delivered=TestimonialStatus(testimonial.status).delivered,
    )
    return testimonial


# --- usage and fatigue -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UsageRecorded:
    usage: TestimonialUsage
    uses_this_quarter: int  # of this customer's testimonials, this one included
    fatigued: bool


def add_usage(
    session: Session, actor: Actor, testimonial_id: int, raw: Mapping[str, Any], *, day: date | None = None
) -> UsageRecorded:
    """Log where and when the testimonial was used. Outside the company (every channel but internal) it
    needs current public consent on the day of use."""
    testimonial = get_testimonial(session, testimonial_id)
    day = day or raw_input.today()
    problems: list[tuple[str, str]] = []
    try:
        channel = UsageChannel(str(raw.get("channel") or ""))
    except ValueError:
        problems.append(("channel", f"Channel is one of {', '.join(c.value for c in UsageChannel)}."))
        channel = None
    place = raw_input.text(raw.get("place"), "place", 500, problems)
    if not place:
        problems.append(("place", "Say where it was used: the page's address, the deck's name, ..."))
    used_on = raw_input.day(raw.get("used_on"), "used_on", problems) or (None if raw.get("used_on") else day)
    if used_on is not None and used_on > day:
        problems.append(("used_on", "Log a use once it has happened, not in advance."))
    note = raw_input.text(raw.get("note"), "note", 2000, problems)
    status = TestimonialStatus(testimonial.status)
    if not (status.usable or status is TestimonialStatus.RETIRED):
        problems.append(("channel", f"A {status.value} testimonial is not approved for use."))
    elif channel is not None and channel.external and used_on is not None:
        problem = public_use_problem(testimonial, used_on)
        if problem:
            problems.append(("channel", f"It may not be used outside the company on {used_on}: {problem}."))
    if problems or channel is None or used_on is None:
        raise InvalidFields(problems)
    usage = TestimonialUsage(
        testimonial_id=testimonial.id,
        channel=channel.value,
        place=place,
        used_on=used_on,
        note=note,
        recorded_by_id=actor.user_id,
    )
    audit.log_write(session, actor, usage, summary=f"{channel.label}: {place[:120]}")
    uses = usage_counts(session, [testimonial.account_id], day=day).get(testimonial.account_id, 0)
    return UsageRecorded(usage, uses, uses > load_settings(session).fatigue_threshold)


def usage_counts(
    session: Session, account_ids: Sequence[int] | None = None, *, day: date | None = None
) -> dict[int, int]:
    """Uses this quarter (up to `day`) of each account's testimonials, in one grouped query."""
    day = day or raw_input.today()
    stmt = (
        select(Testimonial.account_id, func.count(TestimonialUsage.id))
        .join(Testimonial, Testimonial.id == TestimonialUsage.testimonial_id)
        .where(TestimonialUsage.used_on >= quarter_start(day), TestimonialUsage.used_on <= day)
        .group_by(Testimonial.account_id)
    )
    if account_ids is not None:
        stmt = stmt.where(Testimonial.account_id.in_(list(account_ids)))
    return {account_id: count for account_id, count in session.execute(stmt)}


def fatigued_accounts(
    session: Session, account_ids: Sequence[int] | None = None, *, day: date | None = None
) -> dict[int, int]:
    """Accounts used more often this quarter than the fatigue threshold allows: {account_id: uses}."""
    threshold = load_settings(session).fatigue_threshold
    return {a: n for a, n in usage_counts(session, account_ids, day=day).items() if n > threshold}


# --- dashboard -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TestimonialCounts:
    __test__ = False

    waiting_for_approval: int
    consent_expiring: int


def dashboard_counts(session: Session, day: date | None = None) -> TestimonialCounts:
    """Testimonials waiting for approval, and approved or published ones whose consent expires within 30
    days (two COUNT queries)."""
    day = day or raw_input.today()
    waiting = session.scalar(
        select(func.count(Testimonial.id)).where(Testimonial.status == TestimonialStatus.RECEIVED.value)
    )
    expiring = session.scalar(
        select(func.count(Testimonial.id)).where(
            Testimonial.status.in_((TestimonialStatus.APPROVED.value, TestimonialStatus.PUBLISHED.value)),
            consent_current_clause(day),
            Testimonial.consent_expires_on <= day + timedelta(days=EXPIRING_DAYS),
        )
    )
    return TestimonialCounts(waiting_for_approval=waiting or 0, consent_expiring=expiring or 0)
