"""Alembic environment: run by `flask db ...` (engine passed in) or by tests (connection passed in)."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from ecp_tracker.db import make_engine
from ecp_tracker.models import Base
from ecp_tracker.models.base import UTCDateTime

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: object, _context: object) -> str | bool:
    """Write our UTCDateTime as the plain column type it stores, so migrations never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=os.environ.get("DATABASE_URL", "sqlite://"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    engine = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(os.environ.get("DATABASE_URL", "sqlite://"))
    with engine.connect() as conn:
        run_with(conn)
        conn.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
