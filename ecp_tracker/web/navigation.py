"""The main navigation: the product's areas in the order a founder works through them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, request, url_for

from ecp_tracker.domain.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    url: str | None  # None: the area arrives in a later release and is shown, greyed, without a link
    active: bool


AREAS = (
    ("Dashboard", "dashboard.index"),
    ("Accounts", "accounts.index"),
    ("Pilots", "pilots.index"),
    ("Testimonials", "testimonials.index"),
    ("Interviews", "interviews.index"),
    ("Analysis", "analysis.index"),
    ("ICP", "icp.index"),
    ("Reviews", "reviews.index"),
    ("Experiments", "experiments.index"),
)


# Blueprints that belong to an area of the menu.
AREA_OF = {
    "contacts": "accounts",
    "archetypes": "accounts",
    "traits": "accounts",
    "imports": "accounts",
    "discounts": "pilots",
    "testimonial_requests": "testimonials",
    "collections": "testimonials",
}


def nav_items() -> list[NavItem]:
    items = []
    blueprint = (request.endpoint or "").split(".")[0]
    current_area = AREA_OF.get(blueprint, blueprint)
    for label, endpoint in AREAS:
        url = url_for(endpoint) if endpoint in current_app.view_functions else None
        items.append(NavItem(label, endpoint, url, active=endpoint.split(".")[0] == current_area))
    return items


@dataclass(frozen=True)
class SubItem:
    label: str
    endpoint: str
    role: Role = Role.VIEWER  # the least role that sees the link
    whole_blueprint: bool = False  # current on every page of the endpoint's blueprint, not just that one


# Each area's sub-menu, shown on its pages; a link whose page does not exist in this app is left out.
SUBMENUS: dict[str, tuple[str, tuple[SubItem, ...]]] = {
    "accounts": (
        "Accounts area",
        (
            SubItem("Accounts", "accounts.index", whole_blueprint=True),
            SubItem("Archetypes", "archetypes.index", whole_blueprint=True),
            SubItem("Traits", "traits.index", Role.ADMIN, whole_blueprint=True),
            SubItem("Import", "imports.upload", Role.EDITOR, whole_blueprint=True),
        ),
    ),
    "pilots": (
        "Pilots area",
        (
            SubItem("Pilot board", "pilots.index"),
            SubItem("Discounts and give-to-get ledger", "discounts.index"),
        ),
    ),
    "admin": (
        "Admin",
        (
            SubItem("Users", "admin.users_index", Role.ADMIN),
            SubItem("Audit trail", "admin.audit_index", Role.ADMIN),
        ),
    ),
    "testimonials": (
        "Customer evidence",
        (
            SubItem("Library", "testimonials.index"),
            SubItem("Requests", "testimonial_requests.index"),
            SubItem("Follow-ups", "testimonial_requests.follow_ups"),
            SubItem("Public walls", "collections.index"),
            SubItem("Proof coverage", "testimonials.coverage"),
            SubItem("Settings", "testimonials.settings", Role.ADMIN),
        ),
    ),
    "interviews": (
        "Interviews area",
        (
            SubItem("Interviews", "interviews.index"),
            SubItem("Themes", "interviews.themes"),
        ),
    ),
}


@dataclass(frozen=True)
class SubNavLink:
    label: str
    url: str
    current: bool


def subnav() -> tuple[str, list[SubNavLink]]:
    """(label, links) of the current page's area sub-menu; no links where the area has none."""
    blueprint = (request.endpoint or "").split(".")[0]
    label, items = SUBMENUS.get(AREA_OF.get(blueprint, blueprint), ("", ()))
    user = g.get("user")
    links = []
    for item in items:
        if item.endpoint not in current_app.view_functions or not (user and user.can(item.role)):
            continue
        current = request.endpoint == item.endpoint or (
            item.whole_blueprint and blueprint == item.endpoint.split(".")[0]
        )
        links.append(SubNavLink(item.label, url_for(item.endpoint), current))
    return label, links
