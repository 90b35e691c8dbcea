"""The testimonial settings an admin edits: the workspace's own company name (what customers read on the
public form and in e-mails), the consent statement, how long consent lasts, the fatigue threshold, follow-ups,
how long a collection link stays valid, and whether links are e-mailed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import InvalidFields
from ecp_tracker.domain.testimonials import DEFAULT_CONSENT_STATEMENT
from ecp_tracker.services.shared import settings

PREFIX = "testimonials."
MAX_STATEMENT = 2000
MAX_COMPANY_NAME = 120


@dataclass(frozen=True)
class TestimonialSettings:
    __test__ = False

    company_name: str = ""  # the vendor, ours: "Northwind Analytics" ("" : the pages say "us" and "our team")
    consent_statement: str = DEFAULT_CONSENT_STATEMENT
    consent_months: int = 24  # how long consent lasts unless the customer or the PMM says otherwise
    fatigue_threshold: int = 5  # uses of one customer's testimonials in a quarter before a warning
    follow_up_days: int = 7  # a request unanswered this long is listed for a follow-up
    request_valid_days: int = 30  # how long a new collection link works
    send_email: bool = False  # e-mail links and reminders (needs MAIL_SERVER configured)


DEFAULTS = TestimonialSettings()
LIMITS = {
    "consent_months": (1, 120),
    "fatigue_threshold": (1, 100),
    "follow_up_days": (1, 90),
    "request_valid_days": (1, 365),
}
LABELS = {
    "consent_months": "Consent lasts (months)",
    "fatigue_threshold": "Fatigue warning after (uses per quarter)",
    "follow_up_days": "Follow up after (days)",
    "request_valid_days": "Collection links work for (days)",
}


def load_settings(session: Session) -> TestimonialSettings:
    stored = settings.load(session, {PREFIX + key: value for key, value in asdict(DEFAULTS).items()})
    values = {key.removeprefix(PREFIX): value for key, value in stored.items()}
    try:
        return clean_settings(values)
    except InvalidFields:
        return DEFAULTS  # a stored value that no longer passes the checks: the defaults are safe


def clean_settings(raw: Mapping[str, Any]) -> TestimonialSettings:
    """Check every value; a problem names its field and nothing is kept."""
    problems: list[tuple[str, str]] = []
    values: dict[str, Any] = {}
    statement = " ".join(str(raw.get("consent_statement") or "").split())
    if len(statement) < 20:
        problems.append(("consent_statement", "Write the consent statement (at least 20 characters)."))
    elif len(statement) > MAX_STATEMENT:
        problems.append(("consent_statement", f"Use at most {MAX_STATEMENT} characters."))
    values["consent_statement"] = statement
    company = " ".join(str(raw.get("company_name") or "").split())
    if len(company) > MAX_COMPANY_NAME:
        problems.append(("company_name", f"Use at most {MAX_COMPANY_NAME} characters."))
    values["company_name"] = company
    for key, (low, high) in LIMITS.items():
        value = raw.get(key)
        text = str(value).strip() if value is not None and not isinstance(value, bool) else ""
        if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
            problems.append((key, f"{LABELS[key]}: a whole number from {low} to {high}."))
            continue
        values[key] = int(text)
    send = raw.get("send_email", False)
    if not isinstance(send, bool):
        send = str(send).strip().lower() in {"1", "true", "yes", "on", "y"}
    values["send_email"] = send
    if problems:
        raise InvalidFields(problems)
    return TestimonialSettings(**values)


def save_settings(session: Session, actor: Actor, raw: Mapping[str, Any]) -> TestimonialSettings:
    clean = clean_settings(raw)
    settings.store(session, actor, {PREFIX + key: value for key, value in asdict(clean).items()})
    return clean
