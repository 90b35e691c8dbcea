"""The one rule for writes under an account: an archived account is read-only until it is restored.

Its own fields and its contacts are not changed, nothing is added to it (a contact, pilot, interview,
testimonial, testimonial request or discount) and nothing is moved to it, whichever path asks: the API, a web
form, a collection link or an import. Restoring the account is the one write it takes. Records already under
it keep their own rules (an archived interview, a frozen criterion, ...).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ecp_tracker.domain.errors import Conflict, NotFound, ValidationError
from ecp_tracker.models import Account


def archived_message(name: str) -> str:
    return f"{name} is archived; restore it first."


def is_read_only(account: Account) -> bool:
    return account.archived_at is not None


def check_open(account: Account, *, field: str | None = None) -> Account:
    """Refuse a write under an archived account: a 422 on `field` when the request names the account in a
    field (an account_id in a body), else a 409 (the account is the record being written)."""
    if is_read_only(account):
        message = archived_message(account.name)
        if field is not None:
            raise ValidationError(message, field=field)
        raise Conflict(message)
    return account


def open_account(session: Session, account_id: int, *, field: str | None = "account_id") -> Account:
    """The account a new record is added to: it exists (else NotFound) and is not archived (check_open)."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"There is no account with id {account_id}.")
    return check_open(account, field=field)
