"""The account list's last filters and page, remembered in the signed session cookie, so that "← Accounts"
on an account's page returns to the list as it was left. The link is always built by `url_for` from filters
parsed again, so whatever the cookie holds, it only ever leads to our own list."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import session, url_for

from ecp_tracker.domain.errors import InvalidFields
from ecp_tracker.services.accounts.listing import AccountFilters

KEY = "accounts_list"
# A cookie is limited to about 4 KB: a longer query (an unusually long search) is not remembered.
MAX_QUERY = 1000


def remember(filters: AccountFilters, page: int) -> None:
    query = filters.to_query()
    if page > 1:
        query["page"] = [str(page)]
    if not query or len(urlencode(query, doseq=True)) > MAX_QUERY:
        session.pop(KEY, None)
    else:
        session[KEY] = query


def list_url() -> str:
    """The account list with the filters and page last seen, or the plain list."""
    stored = session.get(KEY)
    if not isinstance(stored, dict):
        return url_for("accounts.index")
    query = {str(k): [str(v) for v in vs] for k, vs in stored.items() if isinstance(vs, list)}
    try:
        filters = AccountFilters.from_query(query).to_query()
    except InvalidFields:
        return url_for("accounts.index")
    page = query.get("page", [""])[0]
    if page.isascii() and page.isdigit() and int(page) > 1:
        filters["page"] = [str(int(page))]
    return url_for("accounts.index", **filters)
