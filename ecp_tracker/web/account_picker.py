"""The account a `new` page is for, and the "which account?" page it shows when none is named: a search by
name or domain whose results link back to the same endpoint with `account_id`."""

from __future__ import annotations

from flask import render_template, request

from ecp_tracker.db import get_session
from ecp_tracker.domain.errors import NotFound
from ecp_tracker.domain.numbers import is_id
from ecp_tracker.models import Account
from ecp_tracker.services.accounts import accounts
from ecp_tracker.services.accounts.listing import AccountFilters, list_accounts

SHOWN = 20


def named_account(account_id: int | None) -> Account | None:
    """The account named by the URL or by `?account_id=`; None when none is (show pick_account then).
    An id that names no account is NotFound (404)."""
    raw_id = account_id or request.args.get("account_id", "")
    if not (str(raw_id).isascii() and str(raw_id).isdigit()):
        return None
    if not is_id(str(raw_id)):  # digits, but more than an id column holds: no account has it
        raise NotFound(f"There is no account with id {raw_id}.")
    return accounts.get_account(get_session(), int(raw_id))


def pick_account(endpoint: str, *, title: str, hint: str, heading: str | None = None) -> str:
    """The search page for `endpoint`; `heading` defaults to "<title>: which account?"."""
    q = request.args.get("q", "").strip()
    found = list_accounts(get_session(), AccountFilters(q=q), per_page=SHOWN) if q else None
    return render_template(
        "pick_account.html",
        q=q,
        found=found,
        endpoint=endpoint,
        title=title,
        heading=heading,
        hint=hint,
    )
