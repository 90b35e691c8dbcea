"""Accounts with outcomes for the analysis tests."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from ecp_tracker.services.accounts import accounts
from tests.conftest import TEST_ACTOR

TODAY = date(2026, 11, 1)


def add(session: Session, name: str, **fields) -> None:
    raw = {"name": name, **fields}
    if raw.get("stage") in ("customer", "churned") and "converted_on" not in raw:
        raw["converted_on"] = TODAY - timedelta(days=200)
    if raw.get("stage") == "churned" and "churned_on" not in raw:
        raw["churned_on"] = TODAY - timedelta(days=50)
    accounts.create_account(session, TEST_ACTOR, raw, today=TODAY)
