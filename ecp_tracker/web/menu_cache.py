"""A short-lived per-process cache for the account list's filter menus.

Building the menus reads every distinct industry, region, country, channel and free tag; at 100,000 accounts
that is most of the list page's time, while the menus change rarely. Entries live FILTER_MENU_CACHE_SECONDS
(30 by default, 0 turns the cache off) and only while the data is unchanged (every write leaves an audit
event, so the newest event marks the data's version): a value a write or an import brings shows at once. The
list itself is never cached; another worker simply builds its own copy.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import current_app

from ecp_tracker.db import get_session
from ecp_tracker.services.accounts.listing import FilterOptions, filter_options
from ecp_tracker.services.analysis.analysis import data_version

_lock = threading.Lock()


def cached_filter_options() -> FilterOptions:
    ttl = float(current_app.config.get("FILTER_MENU_CACHE_SECONDS", 30))
    if ttl <= 0:
        return filter_options(get_session())
    store: dict[str, Any] = current_app.extensions.setdefault("ecp_menu_cache", {})
    now = time.monotonic()
    version = data_version(get_session())
    with _lock:
        entry = store.get("filter_options")
        if entry is not None and entry[0] > now and entry[1] == version:
            return entry[2]
    options = filter_options(get_session())
    with _lock:
        store["filter_options"] = (now + ttl, version, options)
    return options
