"""End-to-end harness: the real app in a real server process on a free loopback port, driven by Playwright
in Debian's Chromium. On PostgreSQL runs the server gets a database of its own (<test db>_e2e)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ecp_tracker.db import normalize_url
from tests.conftest import PG_URL, ROOT
from tests.helpers import free_port, wait_until_listening

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = ROOT / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _e2e_database(tmp: Path, suffix: str = "e2e") -> str:
    if not PG_URL:
        return f"sqlite:///{tmp / f'{suffix}.sqlite3'}"
    url = make_url(normalize_url(PG_URL))
    name = f"{url.database}_{suffix}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    yield from _serve(tmp_path_factory.mktemp("e2e"), "e2e")


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory) -> Iterator[str]:
    """A server of the module's own, on an empty database: for flows whose numbers other tests' data would
    change (the ICP in force, the month's new accounts)."""
    yield from _serve(tmp_path_factory.mktemp("fresh"), "fresh")


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory) -> Iterator[str]:
    """A second server whose database holds the demo workspace (`flask demo`)."""
    yield from _serve(tmp_path_factory.mktemp("walk"), "walk", demo=True)


def _serve(tmp: Path, suffix: str, *, demo: bool = False) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: run ../shared/scripts/install-chromium")
        pytest.skip(f"{CHROMIUM} is not installed (make browser installs it)")
    env = {
        **os.environ,
        "APP_ENV": "development",
        "SECRET_KEY": "e2e-secret-key-0123456789abcdef0123456789",
        "DATABASE_URL": _e2e_database(tmp, suffix),
        "FLASK_APP": "wsgi",
        "IMPORT_DIR": str(tmp / "imports"),
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    if demo:
        subprocess.run(
            [sys.executable, "-m", "flask", "demo"], cwd=ROOT, env=env, check=True, capture_output=True
        )
    port = free_port()
    log = (tmp / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_listening(server, port, tmp / "server.log")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def page_on(browser, base_url: str) -> Iterator:
    """A page in a context of its own (1280 x 800) on the server at `base_url`, closed afterwards."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


@pytest.fixture
def page(browser, live_server):
    yield from page_on(browser, live_server)


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
