"""Migrations: one head, upgrade from empty, downgrade to base and back, and models that match the migrations.

Runs on in-memory SQLite, and on PostgreSQL when TEST_DATABASE_URL is set. On PostgreSQL everything happens
in a throw-away schema inside one transaction that is rolled back (PostgreSQL DDL is transactional), so the
shared test schema is never touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from ecp_tracker.db import make_engine
from ecp_tracker.models import Base
from tests.conftest import PG_URL, alembic_config

APP_TABLES = {"users", "api_tokens", "audit_events"}
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(params=BACKENDS)
def connection(request) -> Iterator[Connection]:
    """A connection to an empty database of the given backend."""
    if request.param == "sqlite":
        engine = make_engine("sqlite://")
        try:
            with engine.connect() as conn:
                yield conn
        finally:
            engine.dispose()
        return
    engine = make_engine(PG_URL)
    conn = engine.connect()
    transaction = conn.begin()
    schema = f"migration_test_{uuid4().hex[:12]}"
    try:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        conn.execute(text(f'SET LOCAL search_path TO "{schema}"'))
        yield conn
    finally:
        transaction.rollback()
        conn.close()
        engine.dispose()


def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(None))


def tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def test_exactly_one_head_and_one_base():
    scripts = script()
    assert len(scripts.get_heads()) == 1
    assert len(scripts.get_bases()) == 1
    # Every revision lies on the one line from base to head (no orphans, no branches).
    chain = [rev.revision for rev in scripts.walk_revisions("base", "heads")]
    assert len(chain) == len(list(scripts.walk_revisions()))


def test_upgrade_from_empty_creates_the_tables(connection):
    assert tables(connection) == set()
    command.upgrade(alembic_config(connection), "head")
    assert tables(connection) >= APP_TABLES | {"alembic_version"}
    assert current_revision(connection) == script().get_current_head()
    user_columns = {c["name"] for c in inspect(connection).get_columns("users")}
    assert {"email", "password_hash", "role", "active", "version", "session_version"} <= user_columns


def test_downgrade_to_base_removes_every_table_and_upgrade_works_again(connection):
    cfg = alembic_config(connection)
    command.upgrade(cfg, "head")
    command.downgrade(cfg, "base")
    assert tables(connection) - {"alembic_version"} == set()
    assert not tables(connection) & set(Base.metadata.tables)
    assert current_revision(connection) is None
    command.upgrade(cfg, "head")
    assert tables(connection) >= APP_TABLES
    assert current_revision(connection) == script().get_current_head()
    # The re-created schema is usable: a user row goes in and its unique e-mail is enforced.
    insert = text(
        "INSERT INTO users (email, name, password_hash, role, active, session_version, version, created_at, "
        "updated_at) VALUES (:email, 'N', 'h', 'viewer', :active, 1, 1, :now, :now)"
    )
    values = {"email": "a@example.com", "active": True, "now": "2026-01-01 00:00:00+00:00"}
    connection.execute(insert, values)
    assert connection.scalar(text("SELECT count(*) FROM users")) == 1
    nested = connection.begin_nested()
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        connection.execute(insert, values)
    nested.rollback()


def test_models_and_migrations_agree(connection):
    command.upgrade(alembic_config(connection), "head")
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    diff = compare_metadata(context, Base.metadata)
    assert diff == []
    assert tables(connection) - {"alembic_version"} == set(Base.metadata.tables)
    assert set(Base.metadata.tables) >= APP_TABLES


def test_the_comparison_notices_drift(connection):
    """Guard for the test above: a database that differs from the models gives a non-empty diff."""
    command.upgrade(alembic_config(connection), "head")
    connection.execute(text("DROP INDEX ix_audit_events_occurred_at"))
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    diff = compare_metadata(context, Base.metadata)
    assert ("add_index", "ix_audit_events_occurred_at") in [
        (d[0], d[1].name) for d in diff if d[0] == "add_index"
    ]
