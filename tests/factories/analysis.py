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


def near_copies(session: Session, n: int = 240, seed: int = 1) -> None:
    """Two yes/no traits that agree for 9 accounts in 10, only the first of which drives conversion (55% with
    it, 20% without), in two channels that do not matter: for the multivariable check."""
    import numpy as np

    from ecp_tracker.services.accounts import traits

    traits.create_definition(session, TEST_ACTOR, key="driver", label="Has a data team", kind="boolean")
    traits.create_definition(session, TEST_ACTOR, key="copy", label="Uses dbt", kind="boolean")
    rng = np.random.default_rng(seed)
    driver = rng.random(n) < 0.4
    copy = np.where(rng.random(n) < 0.9, driver, ~driver)
    converted = rng.random(n) < np.where(driver, 0.55, 0.2)
    channel = rng.random(n) < 0.5
    for i in range(n):
        add(
            session,
            f"Copy {i}",
            stage="customer" if converted[i] else "lost",
            acquisition_channel="Referral" if channel[i] else "Outbound",
            **{"trait:driver": "yes" if driver[i] else "no", "trait:copy": "yes" if copy[i] else "no"},
        )
    session.commit()
