"""Helpers the tests of several areas share: counting SQL statements (no N+1), audit events, and serving the
app in a real server process."""

from __future__ import annotations

import io
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import Connection, Engine, event, func, select

from ecp_tracker.models import AuditEvent

HARNESS = ("SAVEPOINT", "RELEASE", "ROLLBACK")  # the PostgreSQL test harness's savepoints


def statement_source(app: Flask) -> Engine | Connection:
    """What to listen on: the app's engine, or on PostgreSQL the one connection every test session shares."""
    bind = app.extensions["ecp_db"].session_factory.kw.get("bind")
    return bind if isinstance(bind, Connection) else app.extensions["ecp_db"].engine


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        if not statement.lstrip().upper().startswith(HARNESS):
            statements.append(statement)  # not the test harness's savepoints on PostgreSQL

    target = statement_source(app)
    event.listen(target, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(target, "before_cursor_execute", record)


def statements_for(app, client, url) -> int:
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def audit_count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(AuditEvent.id)))


def upload_csv(client, content: bytes, name: str = "companies.csv", **fields):
    return client.post(
        "/accounts/import/",
        data={"file": (io.BytesIO(content), name), "preset": "auto", **fields},
        content_type="multipart/form-data",
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_listening(server: subprocess.Popen, port: int, log_path: Path, *, seconds: float = 30) -> None:
    """Return once `server` accepts connections on `port`; fail with its log if it exits or takes too long."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {log_path.read_text()}") from None
            time.sleep(0.1)
