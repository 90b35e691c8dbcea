"""Fixtures: an app per test on a database made by the migrations.

SQLite (default): the migrations run once into an in-memory template, copied into a fresh in-memory database
for each test. PostgreSQL (TEST_DATABASE_URL set): the schema is rebuilt by `alembic upgrade head` once per
run, and each test runs inside a transaction that is rolled back (the app's commits become savepoints).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug import security as werkzeug_security

import config
from ecp_tracker import create_app
from ecp_tracker.db import make_engine, normalize_url
from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import User
from ecp_tracker.services.users import tokens, users

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TEST_DATABASE_URL") or None
PASSWORD = "correct horse battery"
TEST_ACTOR = Actor.system("test setup")


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist each worker gets a PostgreSQL database of its own (<test db>_gw0, ...)."""
    global PG_URL
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if PG_URL and worker:
        PG_URL = worker_database(PG_URL, worker)


def worker_database(url: str, worker: str) -> str:
    parsed = make_url(normalize_url(url))
    name = f"{parsed.database}_{worker}"
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def alembic_config(connection: Connection) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def reset_postgres(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """Tests create many users: hash with few PBKDF2 rounds instead of scrypt's deliberate slowness.

    The stored format is still werkzeug's, and check_password_hash verifies it as in production.
    """
    fast = functools.partial(werkzeug_security.generate_password_hash, method="pbkdf2:sha256:1000")
    monkeypatch.setattr(users, "generate_password_hash", fast)


@pytest.fixture(scope="session")
def template_engine() -> Iterator[Engine]:
    """The database the migrations built: PostgreSQL itself, or an in-memory SQLite template."""
    engine = make_engine(PG_URL or "sqlite://")
    if PG_URL:
        reset_postgres(engine)
    with engine.connect() as conn:
        command.upgrade(alembic_config(conn), "head")
        conn.commit()
    yield engine
    engine.dispose()


def make_test_app(template_engine: Engine, **overrides: object) -> Iterator[Flask]:
    if PG_URL:
        app = create_app(config.TestConfig(DATABASE_URL=PG_URL, **overrides))
        app.extensions["ecp_db"].engine.dispose()
        connection = template_engine.connect()
        outer = connection.begin()
        app.extensions["ecp_db"].session_factory.configure(
            bind=connection, join_transaction_mode="create_savepoint"
        )
        yield app
        outer.rollback()
        connection.close()
    else:
        app = create_app(config.TestConfig(**overrides))
        engine = app.extensions["ecp_db"].engine
        source = template_engine.raw_connection()
        target = engine.raw_connection()
        source.driver_connection.backup(target.driver_connection)
        source.close()
        target.close()
        yield app
        engine.dispose()


@pytest.fixture
def app(template_engine: Engine) -> Iterator[Flask]:
    yield from make_test_app(template_engine)


@pytest.fixture
def app_factory(template_engine: Engine):
    """Build an app with other settings (rate limits on, CSRF on, ...), on the same kind of test database."""
    made: list[Iterator[Flask]] = []

    def build(**overrides: object) -> Flask:
        gen = make_test_app(template_engine, **overrides)
        made.append(gen)
        return next(gen)

    yield build
    for gen in made:
        next(gen, None)


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session on the test database, separate from the request sessions (commit what you set up)."""
    session = app.extensions["ecp_db"].session_factory()
    yield session
    session.close()


def add_user(session: Session, role: Role, email: str | None = None, name: str | None = None) -> User:
    user = users.create_user(
        session,
        TEST_ACTOR,
        email=email or f"{role.value}@example.com",
        name=name or f"{role.label} User",
        role=role,
        password=PASSWORD,
    )
    session.commit()
    return user


@pytest.fixture
def people(db_session: Session) -> dict[Role, User]:
    """One active user per role."""
    return {role: add_user(db_session, role) for role in Role}


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def client_as(app: Flask, people: dict[Role, User]):
    """client_as(Role.EDITOR) -> a test client signed in as that role's user."""

    def make(role: Role) -> FlaskClient:
        c = app.test_client()
        login(c, people[role].email)
        return c

    return make


@pytest.fixture
def api_as(app: Flask, people: dict[Role, User], db_session: Session):
    """api_as(Role.ADMIN) -> a test client sending that user's fresh API token on every request."""

    def make(role: Role) -> FlaskClient:
        user = db_session.get(User, people[role].id)
        _token, plain = tokens.create_token(db_session, TEST_ACTOR, user, name=f"{role.value} test token")
        db_session.commit()
        c = app.test_client()
        c.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {plain}"
        return c

    return make
