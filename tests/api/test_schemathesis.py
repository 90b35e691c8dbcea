"""The API against its own OpenAPI document (issue 19): schemathesis (pinned in pyproject's dev extras) with
every check and its stateful phase, as an admin and as a viewer, against a real gunicorn process on a database
holding the demo workspace: a throwaway SQLite file, or on the PostgreSQL pass (TEST_DATABASE_URL) a database
of its own beside the test database (`<name>_schemathesis`, emptied first). Bounded in examples and time so it
takes about two minutes (a little less on PostgreSQL, where the rest of the pass is slower).

The same run by hand is in docs/api.md ("Checking the API against its document").
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecp_tracker.db import make_engine
from tests.conftest import PG_URL, ROOT, reset_postgres, worker_database
from tests.helpers import free_port, wait_until_listening

CONFIG = Path(__file__).with_name("schemathesis.toml")
BIN = Path(sys.executable).parent
# Per role: (examples per operation, seconds at most for the whole run). The viewer runs first: the admin's
# run edits users at random (role, active) and could leave the viewer's token refused, testing only 401s.
# PostgreSQL found what SQLite cannot (a number beyond its column, a NUL in a search); its budget keeps the
# PostgreSQL pass within two minutes more.
BUDGET = {"viewer": (4, 20), "admin": (12, 60)} if PG_URL else {"viewer": (4, 30), "admin": (12, 75)}

pytestmark = pytest.mark.schemathesis


def _flask(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    """gunicorn on a free port over a demo workspace; the base URL and an API token per role."""
    tmp = tmp_path_factory.mktemp("schemathesis")
    database = f"sqlite:///{tmp / 'api.sqlite3'}"
    if PG_URL:
        database = worker_database(PG_URL, "schemathesis")
        engine = make_engine(database)
        reset_postgres(engine)
        engine.dispose()
    env = {
        **os.environ,
        "APP_ENV": "development",
        "SECRET_KEY": "schemathesis-secret-key-0123456789abcdef0123",
        "DATABASE_URL": database,
        "FLASK_APP": "wsgi",
        "IMPORT_DIR": str(tmp / "imports"),
        "PYTHONPATH": str(ROOT),
    }
    _flask(env, "db", "upgrade")
    _flask(env, "demo")
    tokens = {
        role: _flask(
            env, "tokens", "create", f"{role}@northwind.example", "--name", "schemathesis"
        ).splitlines()[-1]
        for role in BUDGET
    }
    port = free_port()
    log_path = tmp / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            # --limit-request-line 0: the stateful phase can send a query longer than gunicorn's default
            # 4,094 bytes (a parameter repeated a hundred times), which gunicorn itself answers 414 in HTML
            # before the app sees it; the run tests the app's answers, not the server's line limit.
            [
                str(BIN / "gunicorn"),
                "--workers",
                "2",
                "--limit-request-line",
                "0",
                "--bind",
                f"127.0.0.1:{port}",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_listening(server, port, log_path)
            yield f"http://127.0.0.1:{port}", tokens
        finally:
            server.terminate()
            server.wait(timeout=15)
    server_errors = [line for line in log_path.read_text().splitlines() if "Traceback" in line]
    assert not server_errors, log_path.read_text()


@pytest.mark.parametrize("role", list(BUDGET))
def test_the_api_keeps_its_document(served, role, tmp_path):
    base, tokens = served
    examples, seconds = BUDGET[role]
    # The token works, so the run tests more than 401s.
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=10)
    connection.request("GET", "/api/v1/me", headers={"Authorization": f"Bearer {tokens[role]}"})
    assert connection.getresponse().status == 200
    connection.close()
    st = shutil.which("st", path=str(BIN)) or shutil.which("st")
    assert st, "schemathesis is not installed: pip install -e '.[dev]'"
    command = [
        st,
        "--config-file",
        str(CONFIG),
        "--no-color",
        "run",
        f"{base}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {tokens[role]}",
        "--checks",
        "all",
        # DELETE archives (accounts, interviews, findings): nothing entered is ever deleted, and GET of an
        # archived record answers 200 with its archived_at so that it can be shown and restored (docs/api.md).
        # This check wants 404 or 410 after a DELETE.
        "--exclude-checks",
        "use_after_free",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        str(examples),
        "--max-time",
        str(seconds),
        "--workers",
        "1",
        "--seed",
        "19",
        "--generation-database",
        "none",
        "--request-timeout",
        "20",
    ]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=seconds + 240)
    assert done.returncode == 0, done.stdout[-20_000:] + done.stderr[-5_000:]
