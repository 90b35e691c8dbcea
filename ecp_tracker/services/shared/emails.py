"""The one e-mail rule, for every way an address comes in (sign-in and account forms, admin pages, the API,
`flask users create`, contacts): syntax as `email-validator` checks it, without a DNS lookup, at most 254
characters. Special-use domains (`.test`, `.local`, `localhost`, `.invalid`) are refused everywhere, so an
address that could be created can always sign in."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254


def normalize_email(email: str) -> str:
    """How addresses are stored and compared: trimmed and lower case."""
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    """Why `email` is not an address we accept, in words for the person typing it; None when it is."""
    value = email.strip()
    if not value:
        return "Enter an e-mail address."
    if len(value) > MAX_LENGTH:
        return f"An e-mail address is at most {MAX_LENGTH} characters."
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        return f"Enter a valid e-mail address. {error}"
    return None
