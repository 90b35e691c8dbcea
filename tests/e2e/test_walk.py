"""A walk through every page of the navigation, as a new user meets it: admin, editor and viewer of the demo
workspace, at 1366 and 390 px. Fails on a console error, a 5xx (page or sub-resource), a page wider than the
viewport, a chart shrunk below 70% of its drawn size, or a raw internal value on screen (`owner_id`,
`economic_buyer`, `True`, a dict, microseconds). One server and one browser serve every page; screenshots go
to test-artifacts/walk/ (kept by CI)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import ARTIFACTS

WALK = ARTIFACTS / "walk"
LOGINS = {
    "admin": ("admin@northwind.example", "demo-admin-pass"),
    "editor": ("editor@northwind.example", "demo-editor-pass"),
    "viewer": ("viewer@northwind.example", "demo-viewer-pass"),
}
WIDTHS = (1366, 390)
# Visible text that is an internal value, not words. (Help pages quote field names on purpose: not checked.)
RAW = re.compile(
    r"\b(?:[a-z]+_id|dmu_role|is_champion|economic_buyer|not_converted|public_named|public_anonymous)\b"
    r"|\{'|\b(?:True|False)\b(?!-)|\d{2}:\d{2}:\d{2}\.\d{3,}"
)
# Links the walk follows besides the menus: the first record of each kind, found on the list pages.
DETAIL = re.compile(r"^/(accounts|pilots|testimonials|interviews)/\d+$")
MENUS = "nav.mainnav a, nav.usernav a, .subnav a, .tabs a"
SKIP = re.compile(r"\.(csv|json|svg)$|/export|/logout|/api/|/feed|/embed")

_LINKS_JS = f"""() => Array.from(document.querySelectorAll({MENUS!r})).map(a => a.getAttribute('href'))"""
_DETAIL_JS = """() => Array.from(document.querySelectorAll('main a')).map(a => a.getAttribute('href'))"""


def _local(href: str | None) -> str | None:
    if not href or href.startswith(("mailto:", "#", "javascript:")):
        return None
    parts = urlsplit(href)
    if parts.netloc and parts.netloc not in {"127.0.0.1", "localhost"} and ":" not in parts.netloc:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if SKIP.search(parts.path) else path


def _pages_of(page) -> list[str]:
    """Every page the menus reach from the dashboard, and the first record of each kind on them."""
    seen: list[str] = []
    queue = ["/"]
    details: dict[str, str] = {}
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.append(path)
        page.goto(path)
        for href in page.evaluate(_LINKS_JS):
            local = _local(href)
            if local and local not in seen and local not in queue and len(seen) + len(queue) < 60:
                queue.append(local)
        for href in page.evaluate(_DETAIL_JS):
            local = _local(href)
            kind = DETAIL.match(local or "")
            if kind and kind[1] not in details:
                details[kind[1]] = local
    return seen + [d for d in details.values() if d not in seen]


# Images shown at less than 70% of their drawn width: a chart's 8-point labels would be under 8 px.
_SHRUNK_JS = """Array.from(document.querySelectorAll('main img')).filter(
    i => i.naturalWidth > 0 && i.getBoundingClientRect().width > 0
      && i.getBoundingClientRect().width / i.naturalWidth < 0.7
  ).map(i => [i.currentSrc, i.getBoundingClientRect().width / i.naturalWidth])"""


def _problems(page, path: str, width: int, failures: list[str]) -> list[str]:
    found = [f"{path} @{width}: {f}" for f in failures]
    failures.clear()
    response = page.goto(path)  # waits for the load event: stylesheets and every image (the charts) included
    if response is None or response.status >= 500:
        found.append(f"{path} @{width}: HTTP {response.status if response else 'no response'}")
    found += [f"{path} @{width}: {f}" for f in failures]
    failures.clear()
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 1:
        found.append(f"{path} @{width}: {overflow}px wider than the viewport")
    for src, scale in page.evaluate(_SHRUNK_JS):
        found.append(
            f"{path} @{width}: chart {src} shown at {scale:.0%} of its drawn size: its text is unreadable"
        )
    if not path.startswith("/help"):
        text = page.evaluate(
            "() => document.querySelector('main') ? document.querySelector('main').innerText : ''"
        )
        for match in list(RAW.finditer(text))[:3]:
            start = max(match.start() - 40, 0)
            found.append(f"{path} @{width}: raw value {match[0]!r} in …{text[start : match.end() + 40]!r}…")
    return found


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", list(LOGINS))
def test_walk_every_page(browser, demo_server, role, width):
    """One role at one width: six walks, which the test workers share out."""
    WALK.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    context = browser.new_context(base_url=demo_server, viewport={"width": width, "height": 900})
    page = context.new_page()
    failures: list[str] = []
    page.on(
        "console",
        lambda m, f=failures: f.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e, f=failures: f.append(f"page error: {e}"))
    page.on(
        "response",
        lambda r, f=failures: f.append(f"HTTP {r.status} for {r.url}") if r.status >= 500 else None,
    )
    email, password = LOGINS[role]
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/$"))
    paths = _pages_of(page)
    assert len(paths) >= 15, paths  # the walk reached the areas, not just the dashboard
    for index, path in enumerate(paths):
        problems += _problems(page, path, width, failures)
        name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "dashboard"
        page.screenshot(path=str(WALK / f"{role}-{width}-{index:02d}-{name}.png"), full_page=True)
    context.close()
    assert not problems, "\n".join(problems)
