"""/help: the method and the how-to of every area, rendered from the repository's docs/ Markdown, so nothing
in the app sends a user to a file. Signed-in users of every role read them."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, url_for

from ecp_tracker.domain.roles import Role
from ecp_tracker.permissions import permission
from ecp_tracker.web.help.markdown import render, title_of

bp = Blueprint("help", __name__, url_prefix="/help", template_folder="templates")

# slug (the docs file's stem) and the group the index lists it under, in reading order
PAGES = (
    ("accounts", "Using ECP Tracker"),
    ("import-export", "Using ECP Tracker"),
    ("pilots", "Using ECP Tracker"),
    ("testimonials", "Using ECP Tracker"),
    ("interviews", "Using ECP Tracker"),
    ("statistics", "Using ECP Tracker"),
    ("icp", "Using ECP Tracker"),
    ("reviews", "Using ECP Tracker"),
    ("experiments", "Using ECP Tracker"),
    ("api", "For integrations and administrators"),
    ("architecture", "For integrations and administrators"),
    ("performance", "For integrations and administrators"),
)
SLUGS = {slug for slug, _ in PAGES}

# the help page of each blueprint's area (what the "Help" link in the top bar opens)
AREA_HELP = {
    "accounts": "accounts",
    "contacts": "accounts",
    "archetypes": "accounts",
    "traits": "accounts",
    "imports": "import-export",
    "pilots": "pilots",
    "discounts": "pilots",
    "testimonials": "testimonials",
    "testimonial_requests": "testimonials",
    "collections": "testimonials",
    "interviews": "interviews",
    "analysis": "statistics",
    "icp": "icp",
    "reviews": "reviews",
    "experiments": "experiments",
}


def _path(slug: str) -> Path:
    return Path(current_app.config["DOCS_DIR"]) / f"{slug}.md"


def help_url() -> str:
    """The help page of the area the current page belongs to (the index elsewhere)."""
    blueprint = (request.endpoint or "").split(".")[0]
    slug = AREA_HELP.get(blueprint)
    return url_for("help.page", slug=slug) if slug else url_for("help.index")


@bp.route("/")
@permission(Role.VIEWER)
def index():
    groups: dict[str, list[tuple[str, str]]] = {}
    for slug, group in PAGES:
        path = _path(slug)
        if path.exists():
            groups.setdefault(group, []).append((slug, title_of(path)))
    return render_template("help/index.html", groups=groups)


@bp.route("/<slug>")
@permission(Role.VIEWER)
def page(slug: str):
    path = _path(slug)
    if slug not in SLUGS or not path.exists():
        abort(404)
    links = {s: url_for("help.page", slug=s) for s in SLUGS}
    return render_template("help/page.html", title=title_of(path), html=render(path, links), slug=slug)
