"""Every filter and global the templates of all areas use, registered on the app in one place."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, current_app, g, url_for

from ecp_tracker.db import get_session
from ecp_tracker.domain.interviews import InterviewKind
from ecp_tracker.services.accounts.vocabulary import display_label, trait_labels
from ecp_tracker.web.pilots import display


def endpoint_exists(endpoint: str) -> bool:
    """Whether an area's page exists in this app (menus link only to pages that exist)."""
    return endpoint in current_app.view_functions


def pilot_board_url(view: str, query: dict, **extra) -> str:
    """The pilot board's URL for `view` keeping the filters in `query`."""
    params = {**query, **extra}
    if view != "table":
        params["view"] = view
    return url_for("pilots.index") + ("?" + urlencode(params, doseq=True) if params else "")


def interview_kind_label(value: str) -> str:
    return InterviewKind(value).label


def trait_label(name: str) -> str:
    """A trait's label for people (`trait:seats` -> `Seats`); the labels are read once per request."""
    if "trait_labels" not in g:
        g.trait_labels = trait_labels(get_session())
    return display_label(name, g.trait_labels)


FILTERS = {
    "trait_label": trait_label,
    "money": display.money,
    "number": display.number,
    "whole_money": display.whole_money,
    "interview_kind_label": interview_kind_label,
}
GLOBALS = {
    "endpoint_exists": endpoint_exists,
    "pilot_due": display.due_note,
    "pilot_board_url": pilot_board_url,
}


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals.update(GLOBALS)
