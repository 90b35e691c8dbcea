"""A seeded, realistic workspace at scale S (1,000 accounts), M (10,000) or L (100,000), loaded fast.

The database is built by the migrations, then the 3 users and 12 trait definitions are created through the
services (so they look exactly like the app's own), and accounts with their archetypes, contacts, trait values
and audit events are bulk-inserted with SQLAlchemy Core (executemany in chunks of 5,000 rows).

Generated databases are cached: a SQLite file per scale under benchmarks/.data/, and a PostgreSQL database per
scale (ecp_bench_s, _m, _l) on the server named by BENCH_POSTGRES_URL (default: the URL printed by
../shared/scripts/start-postgres); BENCH_POSTGRES_PREFIX (default `ecp_bench`) names them otherwise, so two
checkouts can keep their own databases on one server. Each records its scale, the generator version and the
migration head in a table of its own, `bench_meta`; a database is regenerated only when it is missing or any
of those differ.

    .venv/bin/python -m benchmarks.generate --scale M            # SQLite and (when available) PostgreSQL
    .venv/bin/python -m benchmarks.generate --scale L --database sqlite --force
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Table, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ecp_tracker.db import make_engine, normalize_url
from ecp_tracker.domain.accounts import DmuRole, Stage, name_key
from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.discounts import DiscountKind, DiscountTerms
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import (
    Account,
    AccountTrait,
    Archetype,
    AuditEvent,
    Contact,
    Discount,
    GiveGet,
    Pilot,
    SuccessCriterion,
    TraitDefinition,
    User,
    account_archetypes,
)
from ecp_tracker.services.accounts import traits
from ecp_tracker.services.accounts.importing.presets import NATIVE_COLUMNS
from ecp_tracker.services.accounts.vocabulary import custom_trait_name
from ecp_tracker.services.users import users

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / ".data"
START_POSTGRES = ROOT.parent / "shared" / "scripts" / "start-postgres"

# Bump whenever the generated data changes, so cached databases are rebuilt.
GENERATOR_VERSION = 2  # 2: pilots (about 1.5 per account), criteria, discounts and promises
SCALES = {"S": 1_000, "M": 10_000, "L": 100_000}
SEED = 20_240_601
CSV_SEED = SEED + 1
CSV_ROWS = 100_000
CHUNK = 5_000
ANCHOR = date(2025, 6, 30)  # the generated workspace's "today": every date lies on or before it
HISTORY_DAYS = 1_100
ACTOR = Actor.system("benchmark generator")

PASSWORD = "bench-password-0123"  # noqa: S105 (a throw-away benchmark workspace)
BENCH_USERS = (
    ("admin@bench.example", "Ada Admin", Role.ADMIN),
    ("editor@bench.example", "Eddie Editor", Role.EDITOR),
    ("viewer@bench.example", "Vera Viewer", Role.VIEWER),
)

INDUSTRIES = (
    ("Software", 22),
    ("Financial services", 14),
    ("Healthcare", 12),
    ("Manufacturing", 12),
    ("Retail", 11),
    ("Logistics", 10),
    ("Education", 9),
    ("Media", 10),
)
CHANNELS = (
    ("Referral", 16),
    ("Inbound", 22),
    ("Outbound", 18),
    ("Partner", 10),
    ("Event", 9),
    ("Content", 11),
    ("Paid search", 8),
    ("Community", 6),
)
REGIONS = {
    "Europe": ("Germany", "France", "Netherlands", "Sweden", "Spain", "United Kingdom", "Poland"),
    "North America": ("United States", "Canada"),
    "APAC": ("Australia", "Japan", "Singapore", "India"),
    "LATAM": ("Brazil", "Mexico", "Chile"),
}
REGION_WEIGHTS = {"Europe": 45, "North America": 35, "APAC": 12, "LATAM": 8}
STAGES = ((Stage.PROSPECT, 30), (Stage.PILOT, 14), (Stage.CUSTOMER, 29), (Stage.CHURNED, 9), (Stage.LOST, 18))
SIZE_WEIGHTS = (((2, 10), 18), ((11, 50), 32), ((51, 200), 27), ((201, 1000), 16), ((1001, 20_000), 7))


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


PREFIXES = _words(
    "Acme Amber Atlas Beacon Birch Bright Cedar Cobalt Copper Delta Drift Echo Ember Fable Falcon Fjord "
    "Glacier Granite Harbor Helix Indigo Iron Jade Juniper Keystone Kite Lattice Lumen Maple Meridian Nimbus "
    "Northwind Oak Orchid Pioneer Quartz River Saffron Summit Tidal Umber Vertex Willow Zephyr"
)
CORES = _words(
    "Analytics Bio Capital Cloud Data Digital Dynamics Energy Finance Foods Freight Health Insights Labs "
    "Learning Logistics Media Mobility Networks Partners Pharma Retail Robotics Security Software Solutions "
    "Studio Systems Ventures Works"
)
SUFFIXES = ("", "", "", " Inc", " GmbH", " Ltd", " BV", " AB", " SAS", " Group")
TLDS = ("com", "com", "com", "io", "de", "co", "fr", "se", "nl", "ai")
FIRST_NAMES = _words(
    "Alex Amira Ben Carla Chen Dana Elif Emma Farid Greta Hannah Ivan Jonas Julia Kai Lena Luis Maya Mateo "
    "Nadia Noah Olga Omar Pia Rafael Sara Sofia Tomas Uma Yusuf"
)
LAST_NAMES = _words(
    "Andersen Bauer Costa Dubois Eriksson Fischer Garcia Hansen Ivanova Jensen Kowalski Larsen Martin "
    "Nakamura Novak Olsen Petrov Quinn Rossi Schmidt Silva Tanaka Weber Yilmaz Zhang"
)
TITLES = (
    "CTO",
    "VP Engineering",
    "Head of Data",
    "CFO",
    "COO",
    "Product Manager",
    "Data Engineer",
    "IT Manager",
    "Procurement Lead",
    "CEO",
    "Analyst",
)
NOTES = (
    "Met at a meetup; strong interest in the roadmap.",
    "Asked for SSO and audit logs before a wider roll-out.",
    "Budget freeze until next quarter.",
    "Champion moved teams; re-qualify.",
    "Wants a case study in exchange for a discount.",
    "Evaluating two competitors in parallel.",
)
TOOLS = _words(
    "AWS Azure GCP Snowflake BigQuery Redshift dbt Airflow Kafka Spark Databricks Looker Tableau PowerBI "
    "Metabase Postgres MySQL MongoDB Redis Kubernetes Terraform Python Java Go Rust Salesforce HubSpot "
    "Segment Fivetran Airbyte"
)
INTEGRATIONS = (
    "Slack",
    "Teams",
    "Jira",
    "GitHub",
    "GitLab",
    "Zendesk",
    "Intercom",
    "Okta",
    "Google Workspace",
    "Notion",
    "Confluence",
    "PagerDuty",
)


@dataclass(frozen=True)
class TraitSpec:
    key: str
    label: str
    kind: str
    allowed: tuple[str, ...] = ()
    observable: bool = False


TRAITS = (
    TraitSpec("has_data_team", "Has a data team", "boolean", observable=True),
    TraitSpec("uses_sso", "Uses single sign-on", "boolean"),
    TraitSpec("remote_first", "Remote-first", "boolean", observable=True),
    TraitSpec("regulated", "Regulated industry", "boolean", observable=True),
    TraitSpec(
        "funding_stage",
        "Funding stage",
        "category",
        ("Bootstrapped", "Seed", "Series A", "Series B", "Series C+", "Public"),
        True,
    ),
    TraitSpec(
        "buying_process", "Buying process", "category", ("Self-serve", "Team", "Committee", "Procurement")
    ),
    TraitSpec("hosting", "Hosting", "category", ("Cloud", "Hybrid", "On-premise"), True),
    TraitSpec("decision_speed", "Decision speed", "category", ("Fast", "Medium", "Slow")),
    TraitSpec("it_budget_k", "IT budget (k)", "number"),
    TraitSpec("tools_evaluated", "Tools evaluated", "number"),
    TraitSpec("tech_stack", "Tech stack", "tags", observable=True),  # free tags: no allowed values
    TraitSpec("integrations", "Integrations wanted", "tags", INTEGRATIONS),
)


# --- the records -----------------------------------------------------------------------------------------


@dataclass
class ContactRecord:
    name: str
    email: str | None
    title: str
    dmu_role: str
    archetype: str | None


@dataclass
class AccountRecord:
    """One generated account, independent of any database (ids are given when it is loaded)."""

    columns: dict[str, Any]
    owner: str | None  # the owner's e-mail
    archetypes: list[str]
    contacts: list[ContactRecord]
    traits: list[tuple[str, str]]  # (trait key, value); a tags trait has one pair per tag
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
    changed_stage_from: str | None = None  # for the audit trail: the stage before the last update
    extra: dict[str, Any] = field(default_factory=dict)


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Any:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _moment(day: date, rng: random.Random) -> datetime:
    seconds = rng.randrange(8 * 3600, 19 * 3600)
    return datetime.combine(day, clock(), tzinfo=UTC) + timedelta(seconds=seconds)


class WorkspaceGenerator:
    """Deterministic accounts for a seed: the same seed gives the same accounts, on any database."""

    def __init__(self, seed: int, archetype_names: Sequence[str]) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (test data, not security)
        self.archetype_names = list(archetype_names)
        self.used: set[str] = set()

    def _name(self) -> str:
        rng = self.rng
        base = f"{rng.choice(PREFIXES)} {rng.choice(CORES)}"
        suffix = rng.choice(SUFFIXES)
        name = base + suffix
        number = 2
        while name_key(name) in self.used:
            name = f"{base} {number}{suffix}"
            number += rng.randint(1, 9)
        self.used.add(name_key(name))
        return name

    def _traits(self, stage: Stage, employees: int) -> list[tuple[str, str]]:
        rng = self.rng
        values: list[tuple[str, str]] = []
        for spec in TRAITS:
            if rng.random() < 0.05:  # not every value is known
                continue
            if spec.kind == "boolean":
                chance = 0.6 if spec.key == "has_data_team" and employees > 50 else 0.35
                values.append((spec.key, "yes" if rng.random() < chance else "no"))
            elif spec.kind == "category":
                values.append((spec.key, rng.choice(spec.allowed)))
            elif spec.key == "it_budget_k":
                values.append((spec.key, str(max(5, int(employees * rng.uniform(0.5, 4))))))
            elif spec.kind == "number":
                values.append((spec.key, str(rng.randint(1, 8))))
            elif spec.key == "tech_stack":
                values += [(spec.key, tool) for tool in rng.sample(TOOLS, rng.randint(4, 9))]
            else:
                values += [(spec.key, tool) for tool in rng.sample(spec.allowed, rng.randint(2, 5))]
        return values

    def _contacts(self, domain: str | None) -> list[ContactRecord]:
        rng = self.rng
        people = []
        roles = [r.value for r in DmuRole]
        for index in range(rng.choice((1, 1, 2, 2, 2, 3, 3))):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            role = DmuRole.CHAMPION.value if index == 0 and rng.random() < 0.6 else rng.choice(roles)
            people.append(
                ContactRecord(
                    name=f"{first} {last}",
                    email=f"{first}.{last}@{domain}".lower() if domain else None,
                    title=rng.choice(TITLES),
                    dmu_role=role,
                    archetype=rng.choice(self.archetype_names) if rng.random() < 0.3 else None,
                )
            )
        return people

    def account(self) -> AccountRecord:
        rng = self.rng
        name = self._name()
        domain = None
        if rng.random() < 0.9:
            slug = "-".join(name.lower().split())
            domain = f"{slug}.{rng.choice(TLDS)}"
        low, high = _weighted(rng, SIZE_WEIGHTS)
        employees = rng.randint(low, high)
        region = _weighted(rng, list(REGION_WEIGHTS.items()))
        stage = _weighted(rng, STAGES)
        created_day = ANCHOR - timedelta(days=rng.randint(30, HISTORY_DAYS))
        converted_on = churned_on = None
        if stage in {Stage.CUSTOMER, Stage.CHURNED}:
            converted_on = created_day + timedelta(days=rng.randint(14, max(15, (ANCHOR - created_day).days)))
            converted_on = min(converted_on, ANCHOR)
            if stage == Stage.CHURNED:
                churned_on = converted_on + timedelta(days=rng.randint(0, (ANCHOR - converted_on).days))
        decided = stage in {Stage.CUSTOMER, Stage.CHURNED}
        contract = None
        if decided or (stage == Stage.PILOT and rng.random() < 0.4):
            contract = Decimal(rng.randrange(2_000, 250_000, 250))
        nps = None
        if decided and rng.random() < 0.7:
            nps = rng.randint(6, 10) if stage == Stage.CUSTOMER else rng.randint(0, 7)
        created_at = _moment(created_day, rng)
        last_change = max(d for d in (created_day, converted_on, churned_on) if d is not None)
        updated_day = last_change + timedelta(days=rng.randint(0, max(0, (ANCHOR - last_change).days)))
        updated_at = max(created_at, _moment(updated_day, rng))
        columns = {
            "name": name,
            "domain": domain,
            "industry": _weighted(rng, INDUSTRIES) if rng.random() < 0.97 else None,
            "employees": employees,
            "annual_revenue": (
                Decimal(int(employees * rng.uniform(40_000, 260_000))) if rng.random() < 0.85 else None
            ),
            "founded_year": rng.randint(1975, ANCHOR.year - 1) if rng.random() < 0.9 else None,
            "country": rng.choice(REGIONS[region]),
            "region": region,
            "acquisition_channel": _weighted(rng, CHANNELS),
            "stage": stage.value,
            "converted_on": converted_on,
            "churned_on": churned_on,
            "contract_value": contract,
            "nps": nps,
            "referrals": rng.choice((0, 0, 0, 1, 1, 2, 3, 5)) if decided else None,
            "notes": rng.choice(NOTES) if rng.random() < 0.2 else "",
        }
        owner = rng.choice((BENCH_USERS[0][0], BENCH_USERS[1][0], BENCH_USERS[1][0], None))
        archetypes = rng.sample(self.archetype_names, rng.choice((1, 1, 1, 2, 2)))
        return AccountRecord(
            columns=columns,
            owner=owner,
            archetypes=sorted(archetypes),
            contacts=self._contacts(domain),
            traits=self._traits(stage, employees),
            created_at=created_at,
            updated_at=updated_at,
            archived_at=updated_at if rng.random() < 0.02 else None,
            changed_stage_from=(
                rng.choice((Stage.PROSPECT.value, Stage.PILOT.value)) if stage != Stage.PROSPECT else None
            ),
        )

    def accounts(self, count: int) -> Iterator[AccountRecord]:
        for _ in range(count):
            yield self.account()


# --- databases -------------------------------------------------------------------------------------------


def alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def migration_heads() -> str:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return ",".join(sorted(ScriptDirectory.from_config(cfg).get_heads()))


def migrate(engine: Engine) -> None:
    command.upgrade(alembic_config(engine), "heads")


def migrations_fingerprint() -> str:
    """A digest of every migration script, so that editing one (not only adding one) regenerates."""
    digest = hashlib.sha256()
    for script in sorted((ROOT / "migrations").rglob("*.py")):
        digest.update(script.name.encode() + b"\0" + script.read_bytes())
    return digest.hexdigest()[:16]


def expected_meta(scale: str) -> dict[str, str]:
    return {
        "scale": scale,
        "generator_version": str(GENERATOR_VERSION),
        "migrations": migration_heads(),
        "migrations_fingerprint": migrations_fingerprint(),
    }


def read_meta(engine: Engine) -> dict[str, str] | None:
    """What `bench_meta` says about the database, or None when it has none (missing, empty, unfinished)."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT key, value FROM bench_meta")).all()
    except SQLAlchemyError:
        return None
    return {key: value for key, value in rows} or None


def is_current(engine: Engine, scale: str) -> bool:
    meta = read_meta(engine)
    return meta is not None and all(meta.get(k) == v for k, v in expected_meta(scale).items())


def write_meta(conn: Connection, meta: dict[str, str]) -> None:
    conn.execute(
        text("CREATE TABLE IF NOT EXISTS bench_meta (key VARCHAR(40) PRIMARY KEY, value TEXT NOT NULL)")
    )
    conn.execute(text("DELETE FROM bench_meta"))
    conn.execute(
        text("INSERT INTO bench_meta (key, value) VALUES (:key, :value)"),
        [{"key": k, "value": v} for k, v in meta.items()],
    )


def seed_workspace(engine: Engine) -> None:
    """The 3 users and the trait definitions, through the services (with their audit events); commits."""
    with Session(engine) as session:
        for email, name, role in BENCH_USERS:
            users.create_user(session, ACTOR, email=email, name=name, role=role, password=PASSWORD)
        for spec in TRAITS:
            traits.create_definition(
                session,
                ACTOR,
                label=spec.label,
                kind=spec.kind,
                key=spec.key,
                allowed_values=spec.allowed,
                externally_observable=spec.observable,
            )
        session.commit()


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(table), rows[start : start + CHUNK])
    rows.clear()


class _Loader:
    """Turns account records into rows with ids and inserts them in chunks, parents first."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.user_ids = {u.email: u.id for u in conn.execute(select(User.id, User.email))}
        self.archetype_ids = {a.name: a.id for a in conn.execute(select(Archetype.id, Archetype.name))}
        self.trait_ids = {d.key: d.id for d in conn.execute(select(TraitDefinition.id, TraitDefinition.key))}
        self.next_account = (conn.scalar(select(Account.id).order_by(Account.id.desc()).limit(1)) or 0) + 1
        self.next_contact = (conn.scalar(select(Contact.id).order_by(Contact.id.desc()).limit(1)) or 0) + 1
        self.next_pilot = 1
        self.next_discount = 1
        self.tables: dict[Table, list[dict[str, Any]]] = {
            table: []
            for table in (
                Account.__table__,
                account_archetypes,
                Contact.__table__,
                AccountTrait.__table__,
                AuditEvent.__table__,
                Pilot.__table__,
                SuccessCriterion.__table__,
                Discount.__table__,
                GiveGet.__table__,
            )
        }

    def add(self, record: AccountRecord) -> None:
        account_id = self.next_account
        self.next_account += 1
        owner_id = self.user_ids.get(record.owner) if record.owner else None
        actor = owner_id or self.user_ids[BENCH_USERS[0][0]]
        self.tables[Account.__table__].append(
            {
                "id": account_id,
                **record.columns,
                "name_key": name_key(record.columns["name"]),
                "owner_id": owner_id,
                "archived_at": record.archived_at,
                "version": 1,
                "created_at": record.created_at,
                "updated_at": record.updated_at,
            }
        )
        self.tables[account_archetypes].extend(
            {"account_id": account_id, "archetype_id": self.archetype_ids[name]} for name in record.archetypes
        )
        self.tables[AccountTrait.__table__].extend(
            {"account_id": account_id, "definition_id": self.trait_ids[key], "value": value}
            for key, value in record.traits
        )
        events = self.tables[AuditEvent.__table__]
        events.append(
            _event(
                actor,
                "account",
                account_id,
                "create",
                record.columns["name"],
                record.created_at,
                {
                    "name": [None, record.columns["name"]],
                    "stage": [None, record.changed_stage_from or record.columns["stage"]],
                },
            )
        )
        if record.changed_stage_from:
            events.append(
                _event(
                    actor,
                    "account",
                    account_id,
                    "update",
                    record.columns["name"],
                    record.updated_at,
                    {"stage": [record.changed_stage_from, record.columns["stage"]]},
                )
            )
        for person in record.contacts:
            contact_id = self.next_contact
            self.next_contact += 1
            self.tables[Contact.__table__].append(
                {
                    "id": contact_id,
                    "account_id": account_id,
                    "name": person.name,
                    "email": person.email,
                    "title": person.title,
                    "dmu_role": person.dmu_role,
                    "archetype_id": self.archetype_ids[person.archetype] if person.archetype else None,
                    "is_champion": person.dmu_role == DmuRole.CHAMPION.value,
                    "archived_at": None,
                    "version": 1,
                    "created_at": record.created_at,
                    "updated_at": record.created_at,
                }
            )
            events.append(
                _event(
                    actor,
                    "contact",
                    contact_id,
                    "create",
                    person.name,
                    record.created_at,
                    {
                        "name": [None, person.name],
                        "dmu_role": [None, person.dmu_role],
                    },
                )
            )
        self._pilots_and_discounts(account_id, record, owner_id)
        if len(self.tables[Account.__table__]) >= CHUNK:
            self.flush()

    def _pilots_and_discounts(self, account_id: int, record: AccountRecord, owner_id: int | None) -> None:
        """About 1.5 pilots (two criteria each) and one discount (0-2 promises) per account, consistent
        with the account's stage; seeded by the account id so every database gets the same rows."""
        rng = random.Random(account_id * 7919)  # noqa: S311 (benchmark data)
        stage = record.columns["stage"]
        day = record.created_at.date()
        for number in range(rng.choice((1, 1, 1, 2, 2, 2))):
            start = day + timedelta(days=14 + 60 * number)
            end_planned = start + timedelta(days=rng.choice((30, 45, 60)))
            last = number == 0
            if stage == Stage.PROSPECT.value:
                status, outcome, ended = (
                    ("planned", "pending", None) if last else ("cancelled", "pending", start)
                )
            elif stage == Stage.PILOT.value and last:
                status, outcome, ended = rng.choice(("active", "active", "extended")), "pending", None
            elif stage in {Stage.CUSTOMER.value, Stage.CHURNED.value} and last:
                status, outcome, ended = "succeeded", "converted", end_planned
            else:
                status, outcome, ended = rng.choice(("failed", "succeeded")), "not_converted", end_planned
            started = status != "planned"
            ended = min(ended, ANCHOR) if ended else None
            pilot_id = self.next_pilot
            self.next_pilot += 1
            converted = outcome == "converted"
            self.tables[Pilot.__table__].append(
                {
                    "id": pilot_id,
                    "account_id": account_id,
                    "name": f"Pilot {number + 1}",
                    "hypothesis": "",
                    "owner_id": owner_id,
                    "start_date": min(start, ANCHOR) if started else start,
                    "planned_end_date": end_planned,
                    "end_date": ended,
                    "status": status,
                    "list_price": Decimal(2000),
                    "pilot_price": Decimal(rng.choice((0, 500, 1000))),
                    "price_reason": "",
                    "outcome": outcome,
                    "contract_value": record.columns["contract_value"] if converted else None,
                    "converted_on": record.columns["converted_on"] if converted else None,
                    "criteria_frozen_at": record.created_at if started else None,
                    "version": 1,
                    "created_at": record.created_at,
                    "updated_at": record.updated_at,
                }
            )
            for position, (metric, target, direction) in enumerate(
                (("p95 latency ms", 300, "at_most"), ("weekly active users", 8, "at_least"))
            ):
                self.tables[SuccessCriterion.__table__].append(
                    {
                        "pilot_id": pilot_id,
                        "position": position,
                        "description": metric,
                        "metric": metric,
                        "target": Decimal(target),
                        "unit": "",
                        "direction": direction,
                        "actual": None,
                        "met": None,
                        "frozen_at": record.created_at if started else None,
                        "version": 1,
                    }
                )
        if rng.random() < 0.7:
            discount_id = self.next_discount
            self.next_discount += 1
            terms = DiscountTerms(
                DiscountKind.PERCENT, Decimal(rng.choice((10, 20, 30, 50))), Decimal(2000), day, None
            )
            self.tables[Discount.__table__].append(
                {
                    "id": discount_id,
                    "account_id": account_id,
                    "pilot_id": None,
                    "kind": terms.kind.value,
                    "amount": terms.amount,
                    "list_price": terms.list_price,
                    "effective_price": terms.effective_price,
                    "value": terms.value,
                    "depth": terms.depth,
                    "reason": "early adopter",
                    "starts_on": terms.starts_on,
                    "ends_on": None,
                    "granted_by_id": owner_id,
                    "version": 1,
                    "created_at": record.created_at,
                    "updated_at": record.created_at,
                }
            )
            for index in range(rng.choice((0, 1, 1, 2))):
                due = day + timedelta(days=30 * (index + 1))
                self.tables[GiveGet.__table__].append(
                    {
                        "discount_id": discount_id,
                        "kind": ("testimonial", "logo")[index],
                        "quantity": 1,
                        "due_on": due,
                        "fulfilled_on": due if rng.random() < 0.5 and due <= ANCHOR else None,
                        "note": "",
                        "version": 1,
                        "created_at": record.created_at,
                        "updated_at": record.created_at,
                    }
                )

    def flush(self) -> None:
        for table, rows in self.tables.items():  # dict order: accounts before the rows that point at them
            _insert(self.conn, table, rows)


def _event(
    actor_id: int,
    entity: str,
    entity_id: int,
    action: str,
    summary: str,
    at: datetime,
    changes: dict[str, Any],
) -> dict[str, Any]:
    return {
        "occurred_at": at,
        "actor_id": actor_id,
        "actor_label": "bench",
        "entity": entity,
        "entity_id": str(entity_id),
        "action": action,
        "summary": summary[:200],
        "changes": changes,
    }


def _fix_sequences(conn: Connection) -> None:
    """PostgreSQL: explicit ids leave the sequences behind; move them past the largest id."""
    for table in ("accounts", "contacts", "pilots", "success_criteria", "discounts", "give_gets"):
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 (fixed names)
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )
        )


def populate(engine: Engine, scale: str, *, progress: bool = True) -> dict[str, str]:
    """Migrate an empty database and fill it with the workspace at `scale`; returns what bench_meta says."""
    started = time.perf_counter()
    expected = expected_meta(scale)  # read before migrating: scripts may change while this runs
    migrate(engine)
    seed_workspace(engine)
    count = SCALES[scale]
    with engine.begin() as conn:
        loader = _Loader(conn)
        names = sorted(loader.archetype_ids)
        generator = WorkspaceGenerator(SEED, names)
        for index, record in enumerate(generator.accounts(count), start=1):
            loader.add(record)
            if progress and index % 10_000 == 0:
                _say(f"  {index:,} / {count:,} accounts")
        loader.flush()
        if engine.dialect.name == "postgresql":
            _fix_sequences(conn)
        applied = ",".join(sorted(conn.scalars(text("SELECT version_num FROM alembic_version"))))
        meta = expected | {
            "migrations": applied,
            "seed": str(SEED),
            "accounts": str(count),
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "generation_seconds": f"{time.perf_counter() - started:.1f}",
        }
        write_meta(conn, meta)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))  # what autovacuum would have done on a live database
    else:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return meta


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- SQLite ----------------------------------------------------------------------------------------------


def sqlite_path(scale: str) -> Path:
    return DATA_DIR / f"ecp-bench-{scale.lower()}-v{GENERATOR_VERSION}.sqlite3"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def ensure_sqlite(scale: str, *, force: bool = False) -> str:
    """The URL of the SQLite database at `scale`, generated first when missing or outdated."""
    path = sqlite_path(scale)
    url = sqlite_url(path)
    if path.exists() and not force:
        engine = make_engine(url)
        try:
            if is_current(engine, scale):
                return url
        finally:
            engine.dispose()
    _say(f"Generating the SQLite workspace at scale {scale} ({SCALES[scale]:,} accounts) in {path.name} ...")
    building = path.with_name(path.name + ".building")
    remove_sqlite(building)
    engine = make_engine(sqlite_url(building))
    try:
        meta = populate(engine, scale)
    finally:
        engine.dispose()
    remove_sqlite(path)
    building.replace(path)
    remove_sqlite(building)
    _say(f"  done in {meta['generation_seconds']} s")
    return url


# --- PostgreSQL ------------------------------------------------------------------------------------------


def postgres_server_url() -> str | None:
    """BENCH_POSTGRES_URL, else the URL ../shared/scripts/start-postgres prints; None when neither works."""
    url = os.environ.get("BENCH_POSTGRES_URL", "").strip()
    if url:
        return url
    if not START_POSTGRES.exists():
        return None
    try:
        result = subprocess.run(  # noqa: S603 (our own script, fixed arguments)
            [str(START_POSTGRES), "ecp_bench"], capture_output=True, text=True, timeout=600, check=True
        )
    except (OSError, subprocess.SubprocessError) as error:
        _say(f"PostgreSQL is not available ({START_POSTGRES.name} failed: {error}).")
        return None
    lines = result.stdout.strip().splitlines()
    return lines[-1].strip() if lines else None


def postgres_url(server_url: str, database: str) -> str:
    return make_url(normalize_url(server_url)).set(database=database).render_as_string(hide_password=False)


def postgres_prefix() -> str:
    """The prefix of the benchmark databases' names on the PostgreSQL server (BENCH_POSTGRES_PREFIX)."""
    return os.environ.get("BENCH_POSTGRES_PREFIX", "").strip() or "ecp_bench"


def ensure_postgres_database(server_url: str, database: str) -> str:
    """Create `database` on the server when it does not exist; returns its URL."""
    engine = make_engine(server_url)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": database})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{database}"'))
    finally:
        engine.dispose()
    return postgres_url(server_url, database)


def reset_postgres(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


def ensure_postgres(server_url: str, scale: str, *, force: bool = False) -> str:
    """The URL of database ecp_bench_<scale>, generated first when missing or outdated."""
    database = f"{postgres_prefix()}_{scale.lower()}"
    url = ensure_postgres_database(server_url, database)
    engine = make_engine(url)
    try:
        if force or not is_current(engine, scale):
            _say(f"Generating the PostgreSQL workspace at scale {scale} ({SCALES[scale]:,} accounts) ...")
            reset_postgres(engine)
            meta = populate(engine, scale)
            _say(f"  done in {meta['generation_seconds']} s")
    finally:
        engine.dispose()
    return url


# --- the import file -------------------------------------------------------------------------------------


def csv_path() -> Path:
    return DATA_DIR / f"import-{CSV_ROWS}-v{GENERATOR_VERSION}.csv"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def ensure_csv() -> Path:
    """A native CSV of 100,000 new accounts (with owners and every custom trait), written once and cached."""
    path = csv_path()
    if path.exists():
        return path
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".building")
    archetype_names = sorted(name for name, _ in _builtin_archetypes())
    generator = WorkspaceGenerator(CSV_SEED, archetype_names)
    keys = sorted(spec.key for spec in TRAITS)
    with building.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([*NATIVE_COLUMNS, *(custom_trait_name(key) for key in keys)])
        for record in generator.accounts(CSV_ROWS):
            values: dict[str, list[str]] = {}
            for key, value in record.traits:
                values.setdefault(key, []).append(value)
            row = []
            for column in NATIVE_COLUMNS:
                if column == "archetypes":
                    row.append("; ".join(record.archetypes))
                elif column == "owner":
                    row.append(record.owner or "")
                else:
                    row.append(_cell(record.columns.get(column)))
            row.extend("; ".join(values.get(key, [])) for key in keys)
            writer.writerow(row)
    building.replace(path)
    return path


def _builtin_archetypes() -> list[tuple[str, str]]:
    """The archetypes the migrations create, read from an in-memory database built by them."""
    engine = make_engine("sqlite://")
    try:
        migrate(engine)
        with engine.connect() as conn:
            return [
                (row.name, row.description)
                for row in conn.execute(select(Archetype.name, Archetype.description))
            ]
    finally:
        engine.dispose()


def fresh_import_database(kind: str, server_url: str | None) -> str:
    """An empty migrated database with the 3 users and the trait definitions, for the import benchmark."""
    if kind == "sqlite":
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path = DATA_DIR / "import-target.sqlite3"
        remove_sqlite(path)
        url = sqlite_url(path)
        engine = make_engine(url)
    else:
        assert server_url is not None
        url = ensure_postgres_database(server_url, f"{postgres_prefix()}_import")
        engine = make_engine(url)
        reset_postgres(engine)
    try:
        migrate(engine)
        seed_workspace(engine)
    finally:
        engine.dispose()
    return url


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default=os.environ.get("SCALE", "S").upper())
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--force", action="store_true", help="Regenerate even when the cached one is current."
    )
    parser.add_argument("--csv", action="store_true", help="Also write the 100,000-row import CSV.")
    args = parser.parse_args(argv)
    if args.database in {"sqlite", "both"}:
        print(ensure_sqlite(args.scale, force=args.force))
    if args.database in {"postgresql", "both"}:
        server = postgres_server_url()
        if server is None:
            _say("PostgreSQL skipped: set BENCH_POSTGRES_URL or provide ../shared/scripts/start-postgres.")
        else:
            print(make_url(ensure_postgres(server, args.scale, force=args.force)).render_as_string())
    if args.csv:
        print(ensure_csv())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
