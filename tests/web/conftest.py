"""Fixtures the page tests share: an app on a real connection pool, loaded with the demo."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import text

import config
from ecp_tracker import create_app
from ecp_tracker.db import make_engine
from ecp_tracker.demo.workspace import load_demo
from tests.conftest import PG_URL, alembic_config


@pytest.fixture(scope="module")
def pooled_app(tmp_path_factory) -> Iterator[Flask]:
    """An app on its own pooled database, migrated and loaded with the demo workspace."""
    if PG_URL:
        schema = f"pool_test_{os.getpid()}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        sep = "&" if "?" in PG_URL else "?"
        url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('pool') / 'pool.sqlite3'}"
    engine = make_engine(url)
    with engine.connect() as conn:
        command.upgrade(alembic_config(conn), "head")
        conn.commit()
    engine.dispose()
    app = create_app(config.TestConfig(DATABASE_URL=url))
    with app.app_context():
        session = app.extensions["ecp_db"].session_factory()
        load_demo(session)
        session.commit()
        session.close()
    yield app
    app.extensions["ecp_db"].engine.dispose()
    if PG_URL:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
