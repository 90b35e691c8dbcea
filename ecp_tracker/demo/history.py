"""The demo's earlier cohort: 200 decided accounts from Northwind's founder-led sales, for the analysis.

Sixty accounts are too few for any trait to survive a correction for checking twenty of them, so the demo
adds the accounts Northwind won and lost before it kept pilots in the tracker. They carry patterns a founder
should be shown, each the way it happens in practice:
- game changers convert far more often, in every channel (the analysis graduates them);
- accounts from referrals and partners convert more, and most of them use Salesforce: Salesforce looks like a
  winning trait until the analysis compares within each channel (confounded);
- Series A companies convert somewhat more often (promising: more accounts would settle it);
- tech enthusiasts churn sooner (they bore quickly), visionary founders refer more customers.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecp_tracker.domain.accounts import Stage, name_key
from ecp_tracker.domain.actors import Actor
from ecp_tracker.models import Account, User
from ecp_tracker.services.accounts import accounts

HISTORY_COUNT = 200
PREFIXES = (
    "Alder", "Basalt", "Cedar", "Dune", "Elm", "Flint", "Garnet", "Heath", "Iris", "Jasper",
    "Kelp", "Larch", "Maple", "Nova", "Opal", "Pine", "Quill", "Raven", "Sage", "Thistle",
    "Umbra", "Vale", "Wren", "Yarrow", "Zinc", "Aspen",
)  # fmt: skip
SUFFIXES = ("Systems", "Bank", "Grid", "Motors", "Foods", "Energy", "Media", "Robotics")
INDUSTRIES = ("Fintech", "Healthcare", "Logistics", "Retail", "SaaS", "Manufacturing", "Education")
WARM_CHANNELS = ("Referral", "Partner")
COLD_CHANNELS = ("Outbound", "Inbound content", "Paid search", "Events", "Community", "Product-led signup")
ARCHETYPES = (
    "Tech enthusiast",
    "Underdog supporter",
    "Game changer",
    "Digital transformer",
    "Visionary founder",
)
FUNDING = ("Bootstrapped", "Seed", "Series A", "Series B+")
REGIONS = (
    ("EMEA", "Germany"),
    ("EMEA", "United Kingdom"),
    ("North America", "United States"),
    ("APAC", "Japan"),
)
STACK = ("AWS", "GCP", "Azure", "Snowflake", "dbt", "Kubernetes")


def history_rows(today: date) -> list[dict]:
    """The earlier cohort as account rows (fixed seed: the same accounts on every machine)."""
    rng = random.Random(11)  # noqa: S311 (demo data, not security)
    names = [f"{prefix} {suffix}" for suffix in SUFFIXES for prefix in PREFIXES]
    rows = []
    for index in range(HISTORY_COUNT):
        warm = rng.random() < 0.35
        channel = rng.choice(WARM_CHANNELS if warm else COLD_CHANNELS)
        archetype = rng.choice(ARCHETYPES)
        funding = rng.choice(FUNDING)
        chance = (0.6 if warm else 0.2) + (0.45 if archetype == "Game changer" else 0.0)
        chance += 0.12 if funding == "Series A" else 0.0
        converted = rng.random() < min(chance, 0.95)
        stage = Stage.LOST
        converted_on = churned_on = None
        if converted:
            stage = Stage.CUSTOMER
            converted_on = today - timedelta(days=rng.randrange(420, 900))
            churn_chance = 0.55 if archetype == "Tech enthusiast" else 0.15
            if rng.random() < churn_chance:
                stage = Stage.CHURNED
                churned_on = converted_on + timedelta(days=rng.randrange(60, 380))
        employees = rng.choice((6, 18, 40, 90, 160, 400, 800, 1800))
        region, country = rng.choice(REGIONS)
        name = names[index]
        rows.append(
            {
                "name": name,
                "domain": f"{name.lower().replace(' ', '')}.example",
                "industry": INDUSTRIES[index % len(INDUSTRIES)],
                "employees": employees,
                "annual_revenue": employees * rng.randrange(60_000, 200_000),
                "founded_year": today.year - rng.randrange(2, 30),
                "country": country,
                "region": region,
                "acquisition_channel": channel,
                "stage": stage.value,
                "converted_on": converted_on,
                "churned_on": churned_on,
                "contract_value": rng.randrange(5, 60) * 1000
                + (30_000 if archetype == "Digital transformer" else 0)
                if converted
                else None,
                "nps": min(10, rng.randrange(4, 10) + (2 if archetype == "Game changer" else 0))
                if converted
                else None,
                "referrals": (
                    rng.choice((1, 2, 3)) if archetype == "Visionary founder" else rng.choice((0, 0, 0, 1))
                )
                if converted
                else None,
                "archetypes": [archetype],
                "trait:uses_salesforce": "yes" if rng.random() < (0.85 if warm else 0.15) else "no",
                "trait:funding_stage": funding,
                "trait:tech_stack": rng.sample(STACK, 2),
                "trait:data_team_size": str(rng.randrange(1, 40)),
                "notes": f"Earlier account from founder-led sales ({channel.lower()}), entered afterwards.",
            }
        )
    return rows


def load_history(
    session: Session,
    actor: Actor,
    owners: Sequence[User | None],
    today: date,
    created: list[str],
    existing: list[str],
) -> None:
    """Create the cohort's missing accounts (after the demo's traits exist); existing ones stay untouched."""
    known = set(session.scalars(select(Account.name_key)))
    for index, raw in enumerate(history_rows(today)):
        if name_key(raw["name"]) in known:
            existing.append(raw["name"])
            continue
        owner = owners[index % len(owners)] if owners else None
        account = accounts.create_account(
            session, actor, {**raw, "owner": owner.id if owner else None}, today=today
        )
        account.created_at = recorded_at(account, index, today, earliest=420, spread=480)
        created.append(raw["name"])


def recorded_at(account: Account, index: int, today: date, *, earliest: int, spread: int) -> datetime:
    """When a demo account was first recorded: a few weeks before it converted, else `earliest` to
    `earliest + spread` days ago, spread by its position, so each month (and each review's "new accounts")
    has some. Prospects and pilots are the newest: recorded in the last three months."""
    if account.converted_on is not None:
        day = account.converted_on - timedelta(days=20 + index % 70)
    elif account.stage in {Stage.PROSPECT, Stage.PILOT}:
        day = today - timedelta(days=3 + (index * 13) % 88)
    else:
        day = today - timedelta(days=earliest + (index * 37) % spread)
    return datetime.combine(min(day, today), time(9, index % 60), tzinfo=UTC)
