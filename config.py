"""Configuration classes, read from the environment. Imported only by wsgi.py (and by tests)."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'instance' / 'ecp.sqlite3'}"
MIN_SECRET_KEY_LENGTH = 32
WEAK_SECRET_KEYS = {"dev", "change-me", "changeme", "secret", "development"}


class ConfigError(Exception):
    """The environment does not describe a configuration the app can run with."""


class Config:
    """Settings shared by every environment."""

    APP_ENV = "development"
    SECRET_KEY: str | None = None
    DATABASE_URL = DEFAULT_DATABASE_URL
    DATABASE_ECHO = False
    MIGRATIONS_DIR = str(ROOT / "migrations")
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute; 50 per hour"
    COLLECT_RATE_LIMIT = "10 per minute; 50 per hour"  # answers to public testimonial links, per address
    MAIL_SERVER = ""  # "host" or "host:port" of an SMTP server; empty: nothing is ever e-mailed
    MAIL_FROM = ""
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=30)  # "keep me signed in"; REMEMBER_DAYS in the environment
    FORCE_HTTPS = False
    TRUST_PROXY_HEADERS = 0
    PER_PAGE_DEFAULT = 25
    PER_PAGE_MAX = 100
    WORKSPACE_NAME = "ECP Tracker"
    IMPORT_DIR = str(ROOT / "instance" / "imports")
    DOCS_DIR = str(ROOT / "docs")  # the Markdown the help pages (/help) render
    IMPORT_IN_BACKGROUND = True
    IMPORT_RETENTION_DAYS = 7  # an upload checked but never run is deleted after this many days
    FILTER_MENU_CACHE_SECONDS = 30
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024  # uploads: a 100,000-row CSV is about 20 MB

    def __init__(self, **overrides: object) -> None:
        for key, value in overrides.items():
            if not key.isupper():
                raise ConfigError(f"configuration keys are upper case: {key!r}")
            setattr(self, key, value)


class DevelopmentConfig(Config):
    """Local development: SQLite under instance/, a throw-away secret key when none is set."""

    APP_ENV = "development"


class ProductionConfig(Config):
    """Production: a real secret key is required, cookies are secure, HTTPS is enforced."""

    APP_ENV = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = True


class TestConfig(Config):
    """Tests: in-memory SQLite unless TEST_DATABASE_URL is given, no rate limits, fixed secret key."""

    __test__ = False
    APP_ENV = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"  # noqa: S105 (tests only)
    DATABASE_URL = "sqlite://"
    RATELIMIT_ENABLED = False
    WTF_CSRF_ENABLED = False
    IMPORT_DIR = str(Path(tempfile.gettempdir()) / "ecp-tracker-test-imports")
    IMPORT_IN_BACKGROUND = False
    FILTER_MENU_CACHE_SECONDS = 0


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_env(environ: Mapping[str, str] | None = None) -> Config:
    """Build the configuration named by APP_ENV from environment variables; raise ConfigError if unusable."""
    env = os.environ if environ is None else environ
    app_env = env.get("APP_ENV", "development").strip().lower() or "development"
    classes = {"development": DevelopmentConfig, "production": ProductionConfig}
    if app_env not in classes:
        raise ConfigError(f"APP_ENV must be 'development' or 'production', not {app_env!r}")
    overrides: dict[str, object] = {}
    if env.get("DATABASE_URL"):
        overrides["DATABASE_URL"] = env["DATABASE_URL"]
    if env.get("IMPORT_DIR"):
        overrides["IMPORT_DIR"] = env["IMPORT_DIR"]
    for key in ("MAIL_SERVER", "MAIL_FROM"):
        if env.get(key):
            overrides[key] = env[key]
    if env.get("RATELIMIT_STORAGE_URI"):
        overrides["RATELIMIT_STORAGE_URI"] = env["RATELIMIT_STORAGE_URI"]
    if "FORCE_HTTPS" in env:
        overrides["FORCE_HTTPS"] = _flag(env["FORCE_HTTPS"])
    if env.get("TRUST_PROXY_HEADERS"):
        try:
            overrides["TRUST_PROXY_HEADERS"] = int(env["TRUST_PROXY_HEADERS"])
        except ValueError:
            raise ConfigError("TRUST_PROXY_HEADERS must be a whole number of proxies (e.g. 1)") from None
    if env.get("IMPORT_RETENTION_DAYS"):
        try:
            overrides["IMPORT_RETENTION_DAYS"] = int(env["IMPORT_RETENTION_DAYS"])
        except ValueError:
            raise ConfigError("IMPORT_RETENTION_DAYS must be a whole number of days (e.g. 7)") from None
    if env.get("REMEMBER_DAYS"):
        try:
            days = int(env["REMEMBER_DAYS"])
        except ValueError:
            days = 0
        if not 1 <= days <= 365:
            raise ConfigError("REMEMBER_DAYS must be a whole number of days from 1 to 365 (e.g. 30)")
        overrides["REMEMBER_COOKIE_DURATION"] = timedelta(days=days)
    secret = env.get("SECRET_KEY", "")
    if app_env == "production":
        if len(secret) < MIN_SECRET_KEY_LENGTH or secret.lower() in WEAK_SECRET_KEYS:
            raise ConfigError(
                f"SECRET_KEY must be set to a random value of at least {MIN_SECRET_KEY_LENGTH} characters "
                "when APP_ENV=production (e.g. python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        overrides["SECRET_KEY"] = secret
    else:
        # Development without a key gets a random one per process: sessions end when the server restarts.
        overrides["SECRET_KEY"] = secret or secrets.token_hex(32)
    return classes[app_env](**overrides)
