"""Collection requests: a PMM asks a customer for a testimonial through a link (`/collect/<token>`) that
needs no account. The token is random (256 bits), stored only as its SHA-256, expires, and by default works
once. Requests are created, opened, submitted or expired; those unanswered for a while are listed for a
follow-up, where a fresh link can be made (the old one stops working).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, or_, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import Conflict, InvalidFields, NotFound
from ecp_tracker.domain.testimonials import (
    REQUEST_COPY,
    ConsentScope,
    LinkUnavailable,
    RequestCopy,
    RequestStatus,
    TestimonialKind,
    TestimonialStatus,
    add_months,
    statement_digest,
)
from ecp_tracker.models import Testimonial, TestimonialRequest
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.accounts import read_only
from ecp_tracker.services.shared import audit, raw_input
from ecp_tracker.services.shared.pagination import Page, paginate
from ecp_tracker.services.testimonials import testimonials
from ecp_tracker.services.testimonials.settings import load_settings

CUSTOMER = Actor.system("customer (collection link)")
MAX_BODY = 2000  # what a customer may write on the public form
MAX_NAME = 120
MAX_MESSAGE = 2000
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def effective_status(request: TestimonialRequest, now: datetime | None = None) -> RequestStatus:
    """The stored status, except that an open request past its expiry is expired (no job has to mark it)."""
    status = RequestStatus(request.status)
    if status.open and (now or utcnow()) >= request.expires_at:
        return RequestStatus.EXPIRED
    return status


def link_path(token: str) -> str:
    return f"/collect/{token}"


# --- the PMM's side --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewLink:
    request: TestimonialRequest
    token: str  # shown once; only its hash is stored


def _valid_days(raw: Any, default: int, problems: list[tuple[str, str]]) -> int:
    if raw in (None, ""):
        return default
    text = str(raw).strip()
    if isinstance(raw, bool) or not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 365:
        problems.append(("valid_days", "The link works for a whole number of days from 1 to 365."))
        return default
    return int(text)


def _flag(raw: Any, default: bool) -> bool:
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        return raw
    return str(raw).strip().lower() in {"1", "true", "yes", "on", "y"}


def create_request(
    session: Session, actor: Actor, account_id: int, raw: Mapping[str, Any], *, now: datetime | None = None
) -> NewLink:
    """Ask an account (optionally a contact there) for a testimonial: a requested testimonial and its link.
    `raw`: contact_id, kind, message, valid_days, single_use, promise_id (the give-to-get promise it
    delivers)."""
    now = now or utcnow()
    account = read_only.open_account(session, account_id)
    settings = load_settings(session)
    problems: list[tuple[str, str]] = []
    message = str(raw.get("message") or "").strip()
    if len(message) > MAX_MESSAGE:
        problems.append(("message", f"Use at most {MAX_MESSAGE} characters (this has {len(message)})."))
    days = _valid_days(raw.get("valid_days"), settings.request_valid_days, problems)
    try:
        kind = TestimonialKind(str(raw.get("kind") or TestimonialKind.QUOTE.value))
    except ValueError:
        problems.append(("kind", f"Kind is one of {', '.join(k.value for k in TestimonialKind)}."))
        kind = TestimonialKind.QUOTE
    if problems:
        raise InvalidFields(problems)
    testimonial = testimonials.create_testimonial(
        session,
        actor,
        account_id,
        {
            "kind": kind.value,
            "contact_id": raw.get("contact_id") or None,
            "source": "collection link",
            "promise_id": raw.get("promise_id") or None,
        },
        status=TestimonialStatus.REQUESTED.value,
    )
    token = secrets.token_urlsafe(32)
    request = TestimonialRequest(
        account_id=account_id,
        contact_id=testimonial.contact_id,
        testimonial_id=testimonial.id,
        kind=kind.value,
        message=message,
        token_hash=digest(token),
        status=RequestStatus.CREATED.value,
        single_use=_flag(raw.get("single_use"), True),
        expires_at=now + timedelta(days=days),
        link_made_at=now,
        created_by_id=actor.user_id,
    )
    audit.log_write(session, actor, request, summary=f"testimonial from {account.name}")
    return NewLink(request, token)


def get_request(session: Session, request_id: int) -> TestimonialRequest:
    stmt = (
        select(TestimonialRequest)
        .where(TestimonialRequest.id == request_id)
        .options(
            joinedload(TestimonialRequest.account),
            joinedload(TestimonialRequest.contact),
            joinedload(TestimonialRequest.testimonial),
            joinedload(TestimonialRequest.created_by),
        )
    )
    request = session.scalar(stmt)
    if request is None:
        raise NotFound(f"There is no testimonial request with id {request_id}.")
    return request


def expire_request(
    session: Session, actor: Actor, request_id: int, *, now: datetime | None = None
) -> TestimonialRequest:
    """Stop the link now (sent to the wrong person, no longer wanted)."""
    request = get_request(session, request_id)
    status = effective_status(request, now)
    if status is RequestStatus.SUBMITTED and request.single_use:
        raise Conflict("The customer has already answered; the link no longer works anyway.")
    if RequestStatus(request.status) is RequestStatus.EXPIRED:
        raise Conflict("The link has already been stopped.")
    request.status = RequestStatus.EXPIRED.value
    request.expires_at = min(request.expires_at, now or utcnow())
    audit.log_write(session, actor, request, action="expire", summary=request.account.name)
    return request


def new_link(session: Session, actor: Actor, request_id: int, *, now: datetime | None = None) -> NewLink:
    """A fresh link for a request the customer has not answered (a reminder): the old link stops working and
    the new one is valid for the usual number of days from now."""
    now = now or utcnow()
    request = get_request(session, request_id)
    if request.submissions and request.single_use:
        raise Conflict("The customer has already answered this request.")
    read_only.check_open(request.account)
    token = secrets.token_urlsafe(32)
    request.token_hash = digest(token)
    request.expires_at = now + timedelta(days=load_settings(session).request_valid_days)
    request.link_made_at = now
    request.reminders += 1
    if RequestStatus(request.status) is RequestStatus.EXPIRED or not request.submissions:
        request.status = RequestStatus.OPENED.value if request.opened_at else RequestStatus.CREATED.value
    audit.log_write(session, actor, request, action="new_link", summary=request.account.name)
    return NewLink(request, token)


def _with_people(stmt: Any) -> Any:
    return stmt.options(
        joinedload(TestimonialRequest.account),
        joinedload(TestimonialRequest.contact),
        joinedload(TestimonialRequest.testimonial),
    )


def page_requests(
    session: Session,
    *,
    status: str | None = None,
    account_id: int | None = None,
    page: int = 1,
    per_page: int = 25,
    now: datetime | None = None,
) -> Page[TestimonialRequest]:
    """Requests, newest first; `status` is the effective one (an open request past its expiry is expired)."""
    now = now or utcnow()
    stmt = _with_people(select(TestimonialRequest)).order_by(TestimonialRequest.id.desc())
    if account_id is not None:
        stmt = stmt.where(TestimonialRequest.account_id == account_id)
    open_statuses = (RequestStatus.CREATED.value, RequestStatus.OPENED.value)
    if status == RequestStatus.EXPIRED.value:
        stmt = stmt.where(
            or_(
                TestimonialRequest.status == status,
                and_(TestimonialRequest.status.in_(open_statuses), TestimonialRequest.expires_at <= now),
            )
        )
    elif status in open_statuses:
        stmt = stmt.where(TestimonialRequest.status == status, TestimonialRequest.expires_at > now)
    elif status:
        stmt = stmt.where(TestimonialRequest.status == status)
    return paginate(session, stmt, page=page, per_page=min(max(per_page, 1), 100))


def _follow_ups_stmt(session: Session, now: datetime | None, days: int | None) -> Select[Any]:
    """Open, unexpired requests whose link was sent at least `days` (setting) ago, the oldest first."""
    now = now or utcnow()
    days = days or load_settings(session).follow_up_days
    return (
        _with_people(select(TestimonialRequest))
        .where(
            TestimonialRequest.status.in_((RequestStatus.CREATED.value, RequestStatus.OPENED.value)),
            TestimonialRequest.expires_at > now,
            TestimonialRequest.link_made_at <= now - timedelta(days=days),
        )
        .order_by(TestimonialRequest.link_made_at, TestimonialRequest.id)
    )


def follow_ups(
    session: Session, *, now: datetime | None = None, days: int | None = None, limit: int = 200
) -> Sequence[TestimonialRequest]:
    """The first `limit` requests to follow up (see `_follow_ups_stmt`), for the follow-up page."""
    return session.scalars(_follow_ups_stmt(session, now, days).limit(limit)).all()


def page_follow_ups(
    session: Session,
    *,
    page: int = 1,
    per_page: int = 25,
    now: datetime | None = None,
    days: int | None = None,
) -> Page[TestimonialRequest]:
    """The requests to follow up, a page at a time with their total (the API)."""
    stmt = _follow_ups_stmt(session, now, days)
    return paginate(session, stmt, page=page, per_page=min(max(per_page, 1), 100))


# --- the customer's side ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CollectForm:
    """What the public page shows: the request, who it is for, and the consent statement to agree to."""

    request: TestimonialRequest
    company: str  # the customer's company (the account)
    vendor: str  # ours, the workspace's company name ("" when not set)
    copy: RequestCopy  # what the link asks for (by the request's kind)
    person: str
    statement: str
    digest: str
    consent_months: int
    expires_on: date  # the day the consent given today would expire


def _find(session: Session, token: str, now: datetime) -> TestimonialRequest:
    request = None
    if TOKEN_SHAPE.match(token or ""):
        request = session.scalar(
            select(TestimonialRequest)
            .where(TestimonialRequest.token_hash == digest(token))
            .options(joinedload(TestimonialRequest.account), joinedload(TestimonialRequest.contact))
        )
    if request is None:
        raise NotFound(
            "This link is not valid. Check that it was copied completely, or ask the person who sent it "
            "for a new one."
        )
    if read_only.is_read_only(request.account):
        raise LinkUnavailable(
            "This link is no longer open. Ask the person who sent it for a new one; "
            "nothing you typed was sent."
        )
    if request.single_use and request.submissions:
        raise LinkUnavailable(
            "This link has already been used: your testimonial was received. Thank you! If you want to "
            "change it, ask the person who sent you the link."
        )
    if request.status == RequestStatus.EXPIRED.value or now >= request.expires_at:
        raise LinkUnavailable(
            "This link has expired. Ask the person who sent it for a new one; nothing you typed was sent."
        )
    return request


def _claim(session: Session, request: TestimonialRequest) -> None:
    """Count the answer in one statement, so two answers sent at the same moment to a single-use link cannot
    both pass: the second one waits for the first (row lock) and then finds the link used."""
    claimed = session.execute(
        update(TestimonialRequest)
        .where(TestimonialRequest.id == request.id)
        .where(or_(TestimonialRequest.single_use.is_(False), TestimonialRequest.submissions == 0))
        .values(submissions=TestimonialRequest.submissions + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount == 0:
        raise LinkUnavailable(
            "This link has already been used: your testimonial was received. Thank you! If you want to "
            "change it, ask the person who sent you the link."
        )
    set_committed_value(request, "submissions", request.submissions + 1)  # what the row now holds


def open_form(session: Session, token: str, *, now: datetime | None = None) -> CollectForm:
    """The request behind `token`, marked opened the first time; a missing, used or expired link is
    refused (NotFound, LinkUnavailable)."""
    now = now or utcnow()
    request = _find(session, token, now)
    if request.opened_at is None:
        request.opened_at = now
        if request.status == RequestStatus.CREATED.value:
            request.status = RequestStatus.OPENED.value
        audit.log_write(session, CUSTOMER, request, action="open", summary=request.account.name)
    settings = load_settings(session)
    return CollectForm(
        request=request,
        company=request.account.name,
        vendor=settings.company_name,
        copy=REQUEST_COPY[TestimonialKind(request.kind)],
        person=request.contact.name if request.contact else "",
        statement=settings.consent_statement,
        digest=statement_digest(settings.consent_statement),
        consent_months=settings.consent_months,
        expires_on=add_months(now.date(), settings.consent_months),
    )


# The typed fields of an answer; each is refused with a NUL character in it, as every form's text is.
TEXT_FIELDS = ("body", "rating", "name", "title", "consent_scope", "statement_digest")


def submit(
    session: Session, token: str, raw: Mapping[str, Any], *, now: datetime | None = None
) -> Testimonial:
    """The customer's answer: words, rating, name and title, consent scope, the ticked consent statement.
    Everything is checked before anything is written; the consent statement stored is the one they saw."""
    now = now or utcnow()
    request = _find(session, token, now)
    settings = load_settings(session)
    problems: list[tuple[str, str]] = []
    raw = {**raw, **{key: raw_input.without_nul(raw.get(key), key, problems) for key in TEXT_FIELDS}}
    body = "\n".join(line.rstrip() for line in str(raw.get("body") or "").replace("\r\n", "\n").split("\n"))
    body = body.strip()
    if not body and TestimonialKind(request.kind).needs_body:
        problems.append(("body", "Write your testimonial."))
    elif len(body) > MAX_BODY:
        problems.append(("body", f"Please keep it to {MAX_BODY} characters (this has {len(body)})."))
    rating = str(raw.get("rating") or "").strip()
    rating_asked = REQUEST_COPY[TestimonialKind(request.kind)].rating
    if rating not in {"1", "2", "3", "4", "5"} and (rating_asked or rating):
        problems.append(("rating", "Choose a rating from 1 to 5 stars."))
    name = " ".join(str(raw.get("name") or "").split())
    if not name:
        problems.append(("name", "Write your name: it records who gave the consent."))
    elif len(name) > MAX_NAME:
        problems.append(("name", f"Use at most {MAX_NAME} characters."))
    title = " ".join(str(raw.get("title") or "").split())
    if len(title) > MAX_NAME:
        problems.append(("title", f"Use at most {MAX_NAME} characters."))
    try:
        scope = ConsentScope(str(raw.get("consent_scope") or ""))
    except ValueError:
        problems.append(("consent_scope", "Choose how we may use your testimonial."))
        scope = None
    if not _flag(raw.get("consent"), False):
        problems.append(("consent", "Tick the box to agree to the consent statement, or close this page."))
    if raw.get("statement_digest") != statement_digest(settings.consent_statement):
        problems.append(
            (
                "consent",
                "The consent statement was updated while this page was open. Read it again below and tick "
                "the box once more.",
            )
        )
    if problems or scope is None:
        raise InvalidFields(problems)
    _claim(session, request)
    today = now.date()
    consent = {
        "consent_scope": scope.value,
        "consent_statement": settings.consent_statement,
        "consented_by": name,
        "consented_on": today,
        "consent_expires_on": add_months(today, settings.consent_months),
    }
    placeholder = session.get(Testimonial, request.testimonial_id) if request.testimonial_id else None
    fields = {"body": body, "rating": rating, "author_name": name, "author_title": title}
    if placeholder is not None and placeholder.status == TestimonialStatus.REQUESTED.value:
        testimonial = testimonials.update_testimonial(
            session, CUSTOMER, placeholder.id, {**fields, **consent}, version=placeholder.version
        )
        testimonial = testimonials.transition(
            session, CUSTOMER, testimonial.id, TestimonialStatus.RECEIVED.value, note="Sent by the customer."
        )
    else:  # a link for several people: each answer is a testimonial of its own
        testimonial = testimonials.create_testimonial(
            session,
            CUSTOMER,
            request.account_id,
            {"kind": request.kind, "source": "collection link", **fields, **consent},
        )
    request.submitted_at = now
    request.status = RequestStatus.SUBMITTED.value
    counted = {"submissions": [request.submissions - 1, request.submissions]}  # counted by _claim
    audit.log_write(
        session, CUSTOMER, request, action="submit", summary=request.account.name, extra_changes=counted
    )
    return testimonial
