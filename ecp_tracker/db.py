"""Database engine per app and one SQLAlchemy session per request (or CLI command), closed on teardown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool


def normalize_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever scheme the URL was written with."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, wal: bool) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    if wal:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for `url`: SQLite with WAL and foreign keys on, or PostgreSQL through psycopg 3."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, echo=echo, pool_pre_ping=True)
    in_memory = parsed.database in (None, "", ":memory:")
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if in_memory:
        options["poolclass"] = StaticPool
    else:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, echo=echo, **options)
    event.listen(engine, "connect", lambda conn, rec: _sqlite_pragmas(conn, rec, wal=not in_memory))
    return engine


class Database:
    """The app's engine and session factory (tests re-bind the factory to a connection)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.session_factory = sessionmaker(bind=engine, expire_on_commit=False)


def init_app(app: Flask) -> None:
    app.extensions["ecp_db"] = Database(
        make_engine(app.config["DATABASE_URL"], echo=app.config["DATABASE_ECHO"])
    )
    app.teardown_appcontext(_close_session)


def database() -> Database:
    return current_app.extensions["ecp_db"]


def get_session() -> Session:
    """The session of the current request or command; created on first use."""
    if "db_session" not in g:
        g.db_session = database().session_factory()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
