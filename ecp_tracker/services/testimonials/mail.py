"""E-mails for collection links: the text of a request or reminder, a mailto: link that opens it in the
PMM's own mail program (works everywhere, no mail server), and optional sending through an SMTP server when
the workspace setting is on and one is configured (MAIL_SERVER)."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from urllib.parse import quote

from ecp_tracker.domain.testimonials import REQUEST_COPY, TestimonialKind


@dataclass(frozen=True)
class Draft:
    to: str
    subject: str
    body: str

    @property
    def mailto(self) -> str:
        return f"mailto:{quote(self.to, safe='@')}?subject={quote(self.subject)}&body={quote(self.body)}"


def compose(
    *,
    to: str,
    person: str,
    company: str,
    link: str,
    expires_on: date,
    message: str = "",
    sender: str = "",
    vendor: str = "",
    kind: str = TestimonialKind.QUOTE.value,
    reminder: bool = False,
) -> Draft:
    """The e-mail asking `person` at `company` (the customer) for what a request of `kind` asks; signed by
    `sender` of `vendor` (the workspace's company name)."""
    copy = REQUEST_COPY[TestimonialKind(kind)]
    greeting = f"Hello {person.split()[0]}," if person.strip() else "Hello,"
    opening = (
        "A short reminder: we would still love to hear from you."
        if reminder
        else f"As {company} works with {vendor or 'us'}, would you {copy.ask}?"
    )
    parts = [
        greeting,
        "",
        opening,
        *([message.strip(), ""] if message.strip() else [""]),
        "It takes two minutes, needs no account, and you choose how (and whether) we may show it:",
        link,
        "",
        f"The link works until {expires_on.isoformat()}.",
        "",
        "Thank you!",
        *([sender] if sender else []),
        *([vendor] if vendor else []),
    ]
    asked = copy.subject.rstrip("?")
    subject = f"Reminder: {asked[:1].lower()}{asked[1:]}" if reminder else copy.subject
    return Draft(to=to, subject=subject, body="\n".join(parts))


def send(draft: Draft, *, server: str, sender: str, timeout: float = 10.0) -> None:
    """Send through SMTP at `server` ("host" or "host:port"); raises OSError or smtplib.SMTPException."""
    host, _, port = server.partition(":")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = draft.to
    message["Subject"] = draft.subject
    message.set_content(draft.body)
    with smtplib.SMTP(host, int(port or 25), timeout=timeout) as smtp:
        smtp.send_message(message)
