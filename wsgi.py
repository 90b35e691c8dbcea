"""WSGI entry point: `gunicorn wsgi:app` in production, `flask run` (via .flaskenv) in development."""

import sys

from dotenv import load_dotenv

import config
from ecp_tracker import create_app

load_dotenv(".env")  # optional local overrides; the real environment always wins

try:
    settings = config.from_env()
except config.ConfigError as error:
    sys.exit(f"ecp-tracker: configuration error: {error}")

app = create_app(settings)
