"""The `flask` command line (users, tokens, demo), the wsgi entry point and config.from_env."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask.cli import FlaskGroup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import config
from ecp_tracker.demo.workspace import DEMO_LOGINS
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import ApiToken, AuditEvent, User
from ecp_tracker.services.users import users
from tests.conftest import PASSWORD, ROOT

STRONG_KEY = "0123456789abcdef0123456789abcdef"  # 32 characters


def counts(session: Session) -> tuple[int, int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count(User.id))),
        session.scalar(select(func.count(ApiToken.id))),
        session.scalar(select(func.count(AuditEvent.id))),
    )


def assert_one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def flask_cli(app, monkeypatch):
    """The command group the `flask` executable runs (it pushes the app context for every app command)."""
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")  # FlaskGroup sets it; restore it after the test
    return FlaskGroup(create_app=lambda: app, load_dotenv=False, set_debug_flag=False)


# --- users create -----------------------------------------------------------------------------------


def test_users_create_reads_the_password_from_stdin(runner, db_session):
    result = runner.invoke(
        args=["users", "create", "Cli.User@Example.com", "--name", "Cli User", "--role", "editor"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "cli.user@example.com" in result.stdout
    assert result.stderr == ""
    user = users.find_by_email(db_session, "cli.user@example.com")
    assert (user.name, user.role, user.active) == ("Cli User", "editor", True)
    assert users.authenticate(db_session, "cli.user@example.com", PASSWORD).id == user.id
    event = db_session.scalar(
        select(AuditEvent).where(AuditEvent.entity == "user", AuditEvent.entity_id == str(user.id))
    )
    assert event.action == "create"
    assert event.actor_label == "cli"
    assert event.actor_id is None


def test_users_create_never_takes_the_password_from_argv(runner):
    result = runner.invoke(
        args=["users", "create", "a@example.com", "--name", "A", "--role", "editor", "--password", PASSWORD]
    )
    assert result.exit_code == 2


def test_users_create_refuses_a_short_password(runner, db_session):
    before = counts(db_session)
    result = runner.invoke(
        args=["users", "create", "short@example.com", "--name", "Short", "--role", "viewer"], input="short\n"
    )
    assert result.exit_code == 1
    line = assert_one_error_line(result)
    assert "password" in line
    assert counts(db_session) == before
    assert users.find_by_email(db_session, "short@example.com") is None


def test_users_create_refuses_an_unknown_role_as_a_usage_error(runner, db_session):
    before = counts(db_session)
    result = runner.invoke(
        args=["users", "create", "r@example.com", "--name", "R", "--role", "owner"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 2
    assert "role" in result.stderr.lower()
    assert counts(db_session) == before


def test_users_create_refuses_a_duplicate_email(runner, db_session, people):
    before = counts(db_session)
    result = runner.invoke(
        args=["users", "create", people[Role.EDITOR].email.upper(), "--name", "Again", "--role", "viewer"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 1
    line = assert_one_error_line(result)
    assert "email" in line
    assert counts(db_session) == before


# --- tokens create ----------------------------------------------------------------------------------


def test_tokens_create_prints_a_token_that_authenticates(app, runner, db_session, people):
    editor = people[Role.EDITOR]
    result = runner.invoke(args=["tokens", "create", editor.email, "--name", "CRM sync"])
    assert result.exit_code == 0, result.output
    plain = result.stdout.strip()
    assert len(plain.splitlines()) == 1
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200
    assert response.get_json()["email"] == editor.email
    token = db_session.scalar(select(ApiToken).where(ApiToken.user_id == editor.id))
    assert token.name == "CRM sync"
    assert token.token_hash != plain
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.entity == "api_token"))
    assert event.actor_label == "cli"
    assert plain not in str(event.changes)


def test_tokens_create_for_an_unknown_email_fails(runner, db_session, people):
    before = counts(db_session)
    result = runner.invoke(args=["tokens", "create", "nobody@example.com", "--name", "x"])
    assert result.exit_code == 1
    assert "nobody@example.com" in assert_one_error_line(result)
    assert result.stdout == ""
    assert counts(db_session) == before


def test_tokens_create_with_an_empty_name_fails(runner, db_session, people):
    before = counts(db_session)
    result = runner.invoke(args=["tokens", "create", people[Role.EDITOR].email, "--name", "  "])
    assert result.exit_code == 1
    assert "name" in assert_one_error_line(result)
    assert counts(db_session) == before


# --- demo -------------------------------------------------------------------------------------------


def test_demo_is_idempotent_and_prints_the_logins(runner, flask_cli, db_session):
    first = runner.invoke(flask_cli, args=["demo"])
    assert first.exit_code == 0, first.output
    after_first = counts(db_session)
    assert after_first[0] == len(DEMO_LOGINS)
    for login in DEMO_LOGINS:
        user = users.authenticate(db_session, login.email, login.password)
        assert user is not None and user.role == login.role.value
    second = runner.invoke(flask_cli, args=["demo"])
    assert second.exit_code == 0, second.output
    assert counts(db_session) == after_first
    for login in DEMO_LOGINS:
        assert login.email in second.stdout
        assert login.password in second.stdout


def test_demo_if_empty_does_nothing_when_users_exist(runner, flask_cli, db_session, people):
    before = counts(db_session)
    result = runner.invoke(flask_cli, args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert counts(db_session) == before
    for login in DEMO_LOGINS:
        assert users.find_by_email(db_session, login.email) is None


def test_demo_if_empty_loads_into_an_empty_database(runner, flask_cli, db_session):
    result = runner.invoke(flask_cli, args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert counts(db_session)[0] == len(DEMO_LOGINS)


# --- the wsgi entry point and configuration ---------------------------------------------------------


def test_production_without_secret_key_refuses_to_start():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "FLASK_APP"}}
    env["APP_ENV"] = "production"
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY" in lines[0]
    assert "Traceback" not in result.stderr


def test_production_needs_a_32_character_key():
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        config.from_env({"APP_ENV": "production", "SECRET_KEY": STRONG_KEY[:-1]})
    settings = config.from_env({"APP_ENV": "production", "SECRET_KEY": STRONG_KEY})
    assert settings.SECRET_KEY == STRONG_KEY
    assert settings.APP_ENV == "production"


@pytest.mark.parametrize("key", ["", "dev", "change-me", "changeme", "secret", "development", "SECRET"])
def test_production_refuses_weak_keys(key):
    with pytest.raises(config.ConfigError):
        config.from_env({"APP_ENV": "production", "SECRET_KEY": key})


def test_production_cookies_are_secure_and_https_is_forced():
    settings = config.from_env({"APP_ENV": "production", "SECRET_KEY": STRONG_KEY})
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.REMEMBER_COOKIE_SECURE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE in {"Lax", "Strict"}
    assert settings.FORCE_HTTPS is True
    assert settings.WTF_CSRF_ENABLED is True


def test_development_cookies_are_not_secure_only():
    settings = config.from_env({})
    assert settings.APP_ENV == "development"
    assert settings.SESSION_COOKIE_SECURE is False


def test_development_without_a_key_gets_a_random_one():
    first = config.from_env({"APP_ENV": "development"})
    second = config.from_env({"APP_ENV": "development"})
    assert len(first.SECRET_KEY) >= config.MIN_SECRET_KEY_LENGTH
    assert first.SECRET_KEY != second.SECRET_KEY
    assert config.from_env({"SECRET_KEY": "my-dev-key"}).SECRET_KEY == "my-dev-key"


@pytest.mark.parametrize("app_env", ["staging", "prod", "test"])
def test_unknown_app_env_is_refused(app_env):
    with pytest.raises(config.ConfigError, match="APP_ENV"):
        config.from_env({"APP_ENV": app_env, "SECRET_KEY": STRONG_KEY})


def test_app_env_is_case_insensitive():
    assert config.from_env({"APP_ENV": " Production ", "SECRET_KEY": STRONG_KEY}).APP_ENV == "production"


@pytest.mark.parametrize("app_env", ["development", "production"])
def test_database_url_is_honoured(app_env):
    url = "postgresql://ecp:pw@db.internal:5432/ecp"
    settings = config.from_env({"APP_ENV": app_env, "SECRET_KEY": STRONG_KEY, "DATABASE_URL": url})
    assert url == settings.DATABASE_URL


def test_default_database_is_sqlite_under_instance():
    settings = config.from_env({})
    assert settings.DATABASE_URL.startswith("sqlite:///")
    path = Path(settings.DATABASE_URL.removeprefix("sqlite:///"))
    assert path.is_absolute()
    assert path.parent == ROOT / "instance"
    assert path.suffix in {".sqlite3", ".sqlite", ".db"}


def test_ratelimit_storage_and_proxy_settings_come_from_the_environment():
    settings = config.from_env({"RATELIMIT_STORAGE_URI": "redis://cache:6379/0", "TRUST_PROXY_HEADERS": "1"})
    assert settings.RATELIMIT_STORAGE_URI == "redis://cache:6379/0"
    assert settings.TRUST_PROXY_HEADERS == 1
    assert config.from_env({}).RATELIMIT_STORAGE_URI == "memory://"
    with pytest.raises(config.ConfigError, match="TRUST_PROXY_HEADERS"):
        config.from_env({"TRUST_PROXY_HEADERS": "yes"})
