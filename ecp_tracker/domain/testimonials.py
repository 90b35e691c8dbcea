"""Testimonials: kinds, the status workflow, consent scopes and when consent allows public use, collection
requests, usage channels, and the plain-text rules (search words, attribution) the services build on."""

from __future__ import annotations

import calendar
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ecp_tracker.domain.errors import DomainError, ValidationError


class TestimonialKind(StrEnum):
    __test__ = False  # not a pytest test class

    QUOTE = "quote"
    CASE_STUDY = "case_study"
    VIDEO = "video"
    REVIEW = "review"
    LOGO = "logo"
    REFERENCE = "reference"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]

    @property
    def shown_publicly(self) -> bool:
        """Reference availability is for sales conversations; every other kind may appear on a wall."""
        return self is not TestimonialKind.REFERENCE

    @property
    def needs_body(self) -> bool:
        """A logo permission or a reference availability may come without words."""
        return self not in {TestimonialKind.LOGO, TestimonialKind.REFERENCE}


_KIND_LABELS = {
    TestimonialKind.QUOTE: "Quote",
    TestimonialKind.CASE_STUDY: "Case study",
    TestimonialKind.VIDEO: "Video (link)",
    TestimonialKind.REVIEW: "Review",
    TestimonialKind.LOGO: "Logo permission",
    TestimonialKind.REFERENCE: "Reference availability",
}


class TestimonialStatus(StrEnum):
    __test__ = False

    REQUESTED = "requested"
    RECEIVED = "received"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETIRED = "retired"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def delivered(self) -> bool:
        """The customer has given it (it fulfils a give-to-get promise)."""
        return self in DELIVERED

    @property
    def usable(self) -> bool:
        """Approved for use (internally, or publicly where consent allows)."""
        return self in {TestimonialStatus.APPROVED, TestimonialStatus.PUBLISHED}


DELIVERED = frozenset(
    {
        TestimonialStatus.RECEIVED,
        TestimonialStatus.APPROVED,
        TestimonialStatus.PUBLISHED,
        TestimonialStatus.RETIRED,
    }
)
# The statuses the analysis counts as "gave a testimonial".
GAVE_TESTIMONIAL = frozenset(
    {TestimonialStatus.APPROVED, TestimonialStatus.PUBLISHED, TestimonialStatus.RETIRED}
)

TRANSITIONS: dict[TestimonialStatus, frozenset[TestimonialStatus]] = {
    TestimonialStatus.REQUESTED: frozenset({TestimonialStatus.RECEIVED, TestimonialStatus.REJECTED}),
    TestimonialStatus.RECEIVED: frozenset({TestimonialStatus.APPROVED, TestimonialStatus.REJECTED}),
    TestimonialStatus.APPROVED: frozenset({TestimonialStatus.PUBLISHED, TestimonialStatus.RETIRED}),
    TestimonialStatus.PUBLISHED: frozenset({TestimonialStatus.RETIRED}),
    TestimonialStatus.RETIRED: frozenset({TestimonialStatus.APPROVED}),
    TestimonialStatus.REJECTED: frozenset(),
}

# The verb on the button that moves a testimonial to each status.
ACTIONS = {
    TestimonialStatus.RECEIVED: "Mark received",
    TestimonialStatus.APPROVED: "Approve",
    TestimonialStatus.PUBLISHED: "Publish",
    TestimonialStatus.RETIRED: "Retire",
    TestimonialStatus.REJECTED: "Reject",
}


@dataclass(frozen=True)
class RequestCopy:
    """What a collection link asks for, in the customer's words: the form's heading and its text box, the
    e-mail's subject and opening, and whether a star rating is asked for."""

    ask: str  # completes "Would you ...?"
    subject: str
    noun: str  # what the customer sends: "Your testimonial reached ..."
    body_label: str
    body_hint: str
    rating: bool


REQUEST_COPY: dict[TestimonialKind, RequestCopy] = {
    TestimonialKind.QUOTE: RequestCopy(
        ask="share a few words about working with us",
        subject="A few words about working with us?",
        noun="testimonial",
        body_label="Your testimonial",
        body_hint="What changed for you? What would you tell a peer?",
        rating=True,
    ),
    TestimonialKind.CASE_STUDY: RequestCopy(
        ask="help us write a case study about your work with us",
        subject="A case study about your work with us?",
        noun="story",
        body_label="Your story",
        body_hint="Where you were before, why you chose us, and what changed since (numbers help). We write "
        "the case study from this and show it to you before anything is published.",
        rating=True,
    ),
    TestimonialKind.VIDEO: RequestCopy(
        ask="record a short video about working with us",
        subject="A short video about working with us?",
        noun="answer",
        body_label="What you would like to say, and a link if you have recorded it",
        body_hint="A few sentences are enough: we arrange the recording with you, or paste a video link.",
        rating=True,
    ),
    TestimonialKind.REVIEW: RequestCopy(
        ask="review working with us",
        subject="Would you review working with us?",
        noun="review",
        body_label="Your review",
        body_hint="What works well, what could be better, and whom you would recommend us to.",
        rating=True,
    ),
    TestimonialKind.LOGO: RequestCopy(
        ask="let us show your company's logo among our customers",
        subject="May we show your logo among our customers?",
        noun="answer",
        body_label="Anything you want to add (optional)",
        body_hint="Choose below how we may use your company's name and logo.",
        rating=False,
    ),
    TestimonialKind.REFERENCE: RequestCopy(
        ask="now and then speak to a company that is considering us",
        subject="Would you be a reference for us?",
        noun="answer",
        body_label="How and when you prefer to be contacted (optional)",
        body_hint="For example: a short call, at most once a month, by e-mail first.",
        rating=False,
    ),
}


# Statuses that rely on the customer's consent: withdrawn, they stay closed until a new one is recorded.
CLOSED_BY_WITHDRAWAL = frozenset({TestimonialStatus.APPROVED, TestimonialStatus.PUBLISHED})


def next_statuses(current: TestimonialStatus, *, withdrawn_on: date | None = None) -> list[TestimonialStatus]:
    """The statuses a testimonial may move to next, in workflow order (the buttons the page shows)."""
    open_ = TRANSITIONS[current] - (CLOSED_BY_WITHDRAWAL if withdrawn_on is not None else frozenset())
    return sorted(open_, key=list(TestimonialStatus).index)


def check_transition(
    current: TestimonialStatus, target: TestimonialStatus, *, withdrawn_on: date | None = None
) -> None:
    """Refuse a status change the workflow does not allow, or that withdrawn consent has closed."""
    if withdrawn_on is not None and target in CLOSED_BY_WITHDRAWAL and target in TRANSITIONS[current]:
        raise ValidationError(
            f"Consent was withdrawn on {withdrawn_on.isoformat()}, so it cannot become {target.value}; "
            "record a new consent first (edit the testimonial).",
            field="to",
        )
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(s.value for s in TRANSITIONS[current]) or "none: it was rejected"
        raise ValidationError(
            f"A {current.value} testimonial cannot become {target.value}; possible next statuses: {allowed}.",
            field="to",
        )


class ConsentScope(StrEnum):
    INTERNAL = "internal"
    PUBLIC_ANONYMOUS = "public_anonymous"
    PUBLIC_NAMED = "public_named"
    LOGO = "logo"

    @property
    def label(self) -> str:
        return _SCOPE_LABELS[self][0]

    @property
    def description(self) -> str:
        """What the customer agrees to, in words they read on the collection form."""
        return _SCOPE_LABELS[self][1]

    @property
    def public(self) -> bool:
        return self is not ConsentScope.INTERNAL

    @property
    def named(self) -> bool:
        """The person and the company may be named."""
        return self in {ConsentScope.PUBLIC_NAMED, ConsentScope.LOGO}


_SCOPE_LABELS = {
    ConsentScope.INTERNAL: (
        "Internal only",
        "Only our own team may read it (for example to improve the product); it is never shown outside.",
    ),
    ConsentScope.PUBLIC_ANONYMOUS: (
        "Public, anonymous",
        "It may be shown publicly without my name, my company's name, its web address or its logo "
        "(for example: “Head of Data, a fintech company”).",
    ),
    ConsentScope.PUBLIC_NAMED: (
        "Public, with my name and company",
        "It may be shown publicly with my name, my job title and my company's name.",
    ),
    ConsentScope.LOGO: (
        "Public, with my name, company and logo",
        "As above, and my company's logo may be shown beside it.",
    ),
}

DEFAULT_CONSENT_STATEMENT = (
    "I wrote this testimonial myself and agree that it, my rating and the attribution I chose above may be "
    "used as that option describes, until the consent expires or until I withdraw it by telling the person "
    "who sent me this link. Withdrawing removes it from every public place."
)


@dataclass(frozen=True)
class Consent:
    """What a customer agreed to, and from when to when."""

    scope: ConsentScope
    statement: str
    consented_by: str
    consented_on: date | None
    expires_on: date | None
    withdrawn_on: date | None

    def current_on(self, day: date) -> bool:
        """Consent was given, and on `day` it has neither expired nor been withdrawn. Expiry and withdrawal
        take effect on their date: consent expiring on 1 June may be relied on until 31 May."""
        if self.consented_on is None or not self.statement.strip() or self.consented_on > day:
            return False
        if self.expires_on is not None and day >= self.expires_on:
            return False
        return not (self.withdrawn_on is not None and day >= self.withdrawn_on)

    def publicly_usable_on(self, day: date) -> bool:
        """The customer's current consent allows showing it in public on `day`."""
        return self.scope.public and self.current_on(day)

    def problem_for_public_use(self, day: date) -> str | None:
        """Why it may not be shown publicly on `day`, in words for the PMM; None when it may."""
        if not self.scope.public:
            return "the consent scope is internal only"
        if self.consented_on is None or not self.statement.strip():
            return "no consent is recorded"
        if self.consented_on > day:
            return f"the consent starts on {self.consented_on.isoformat()}"
        if self.withdrawn_on is not None and day >= self.withdrawn_on:
            return f"consent was withdrawn on {self.withdrawn_on.isoformat()}"
        if self.expires_on is not None and day >= self.expires_on:
            return f"consent expired on {self.expires_on.isoformat()}"
        return None


def consent_dates_problem(consented_on: date | None, expires_on: date | None) -> str | None:
    """What is wrong with a consent's dates (on `consent_expires_on`), or None."""
    if consented_on and expires_on and expires_on <= consented_on:
        return "The consent must expire after the day it was given."
    return None


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day: 31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


class RequestStatus(StrEnum):
    CREATED = "created"
    OPENED = "opened"
    SUBMITTED = "submitted"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def open(self) -> bool:
        """Still waiting for the customer."""
        return self in {RequestStatus.CREATED, RequestStatus.OPENED}


class UsageChannel(StrEnum):
    WEBSITE = "website"
    SALES_DECK = "sales_deck"
    PROPOSAL = "proposal"
    CASE_STUDY = "case_study"
    SOCIAL = "social"
    AD = "ad"
    EMAIL = "email"
    EVENT = "event"
    INTERNAL = "internal"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def external(self) -> bool:
        """Seen by people outside the company: needs current public consent."""
        return self is not UsageChannel.INTERNAL


# --- words -----------------------------------------------------------------------------------------------

_NON_WORD = re.compile(r"[\W_]+")
_QUOTED = re.compile(r'"([^"]*)"')


def _fold(text: str) -> str:
    """Lower case without accents: "Équipe" and "equipe" match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search_text(*parts: str) -> str:
    """The searchable form of a testimonial's words: folded words separated by single spaces, with a space
    before the first word and after the last, so that a word prefix is found with LIKE '% word%'."""
    words = _NON_WORD.sub(" ", _fold(" ".join(parts))).split()
    return f" {' '.join(words)} " if words else ""


def search_terms(query: str) -> list[str]:
    """What to look for: each word of the query (matched at the start of a word), and each "quoted phrase"
    as a whole. Every term must match."""
    terms = []
    for phrase in _QUOTED.findall(query):
        words = _NON_WORD.sub(" ", _fold(phrase)).split()
        if words:
            terms.append(" ".join(words))
    rest = _QUOTED.sub(" ", query)
    terms.extend(_NON_WORD.sub(" ", _fold(rest)).split())
    return list(dict.fromkeys(terms))[:10]


def tag_key(tag: str) -> str:
    return " ".join(tag.split()).casefold()


def clean_tags(raw: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """Tags from a comma-separated string or a list: trimmed, duplicates (ignoring case) dropped."""
    if raw is None:
        return []
    items = raw.split(",") if isinstance(raw, str) else [str(item) for item in raw]
    seen: dict[str, str] = {}
    for item in items:
        tag = " ".join(item.split())
        if tag and tag_key(tag) not in seen:
            seen[tag_key(tag)] = tag
    return list(seen.values())


_GENERIC_COMPANY_WORDS = {"the", "inc", "ltd", "llc", "gmbh", "corp", "company", "group", "and"}


def identifying_terms(person: str | None, company: str | None, domain: str | None) -> list[str]:
    """The words that would identify a customer who chose to stay anonymous: the person's name and each
    part of it, the company's name and its first word, the web domain and its first label."""
    terms: list[str] = []
    for name in (person, company):
        words = (name or "").split()
        if words:
            terms.append(" ".join(words))
    terms.extend(w for w in (person or "").split() if len(w.strip(".,")) >= 3)
    company_words = [w for w in (company or "").split() if w.casefold() not in _GENERIC_COMPANY_WORDS]
    if company_words and len(company_words[0]) >= 4:
        terms.append(company_words[0])
    host = (domain or "").strip().casefold().removeprefix("www.")
    if host:
        terms.append(host)
        label = host.split(".")[0]
        if len(label) >= 4:
            terms.append(label)
    return list(dict.fromkeys(t.strip(".,") for t in terms if t.strip(".,")))


def _term_pattern(terms: list[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    alternatives = sorted((re.escape(t) for t in terms), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def identifying_mentions(text: str, terms: list[str]) -> list[str]:
    """The identifying terms that occur in `text` as whole words (ignoring case)."""
    pattern = _term_pattern(terms)
    if pattern is None:
        return []
    return list(dict.fromkeys(match.group(0) for match in pattern.finditer(text)))


def redact(text: str, terms: list[str]) -> str:
    """`text` with every identifying term replaced by an ellipsis in brackets."""
    pattern = _term_pattern(terms)
    return pattern.sub("[…]", text) if pattern else text


def anonymous_attribution(title: str | None, industry: str | None, terms: list[str]) -> str:
    """Who said it, without naming the person or the company: "Head of Data, a fintech company". A title
    that names the company ("CTO at Acme") is left out."""
    role = " ".join((title or "").split())
    if not role or identifying_mentions(role, terms):
        role = "A customer"
    sector = " ".join((industry or "").split())
    if not sector or identifying_mentions(sector, terms):
        return role
    if sum(ch.isupper() for ch in sector) < 2:  # keep acronyms such as SaaS as they are
        sector = sector.casefold()
    article = "an" if sector[:1].casefold() in "aeiou" else "a"
    return f"{role}, {article} {sector} company"


class LinkUnavailable(DomainError):
    """A collection link that was used up or has expired: the page says so, and nothing is changed."""

    status = 410
    title = "Link no longer valid"


def statement_digest(statement: str) -> str:
    """A short fingerprint of a consent statement: the form carries the one it showed, so a statement changed
    while the customer was writing is noticed instead of silently stored as something they did not read."""
    return hashlib.sha256(statement.encode()).hexdigest()[:20]
