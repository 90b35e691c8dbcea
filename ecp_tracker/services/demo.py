"""The demo workspace of a fictional startup (Northwind Analytics). Loading it twice changes nothing.

Northwind sells a data-pipeline product. Its first 60 accounts come from a fixed seed, with a built-in
pattern for the analysis to find later: game changers and accounts acquired by referral convert more often.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecp_tracker.domain.accounts import DmuRole, Stage, name_key
from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Account, TraitDefinition
from ecp_tracker.services import accounts, contacts, traits, users
from ecp_tracker.services.contacts import ContactInput


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    role: Role
    password: str


DEMO_COMPANY = "Northwind Analytics"
# Demo credentials are public by design: they exist only in a demo workspace loaded by `flask demo`.
DEMO_LOGINS = (
    DemoLogin("admin@northwind.example", "Ada Admin", Role.ADMIN, "demo-admin-pass"),
    DemoLogin("editor@northwind.example", "Eddie Editor", Role.EDITOR, "demo-editor-pass"),
    DemoLogin("viewer@northwind.example", "Vera Viewer", Role.VIEWER, "demo-viewer-pass"),
)
DEMO_TRAITS = (
    (
        "uses_salesforce",
        "Uses Salesforce",
        "boolean",
        (),
        True,
        "Their CRM is Salesforce (visible in job ads).",
    ),
    (
        "funding_stage",
        "Funding stage",
        "category",
        ("Bootstrapped", "Seed", "Series A", "Series B+"),
        True,
        "Last announced round.",
    ),
    ("tech_stack", "Tech stack", "tags", (), True, "Cloud and data tools they use."),
    ("data_team_size", "Data team size", "number", (), False, "People in their data team, as told to us."),
)
PREFIXES = [
    "Acme",
    "Apex",
    "Bright",
    "Cobalt",
    "Delta",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Indigo",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Onyx",
    "Pioneer",
    "Quartz",
    "Redwood",
    "Summit",
    "Tidal",
    "Umber",
    "Vantage",
    "Willow",
    "Zephyr",
    "Aurora",
    "Beacon",
    "Cinder",
    "Drift",
    "Echo",
]
SUFFIXES = ("Pay", "Health", "Freight", "Retail", "Cloud", "Works", "Learning", "Labs")
INDUSTRIES = ("Fintech", "Healthcare", "Logistics", "Retail", "SaaS", "Manufacturing", "Education", "SaaS")
CHANNELS = (
    "Referral",
    "Outbound",
    "Inbound content",
    "Paid search",
    "Events",
    "Partner",
    "Community",
    "Product-led signup",
)
REGIONS = (
    ("EMEA", "Germany"),
    ("EMEA", "United Kingdom"),
    ("North America", "United States"),
    ("APAC", "Japan"),
)
ARCHETYPES = (
    "Tech enthusiast",
    "Underdog supporter",
    "Game changer",
    "Digital transformer",
    "Visionary founder",
)
FIRST = [
    "Alex",
    "Sam",
    "Robin",
    "Kim",
    "Jordan",
    "Taylor",
    "Morgan",
    "Casey",
    "Jamie",
    "Riley",
    "Avery",
    "Quinn",
]
LAST = [
    "Novak",
    "Okafor",
    "Lindqvist",
    "Tanaka",
    "Moreau",
    "Silva",
    "Kowalski",
    "Haddad",
    "Byrne",
    "Costa",
    "Iyer",
    "Weber",
]
TITLES = {
    DmuRole.CHAMPION: "Head of Data",
    DmuRole.ECONOMIC_BUYER: "CFO",
    DmuRole.END_USER: "Data Engineer",
    DmuRole.INFLUENCER: "Staff Engineer",
    DmuRole.VETO_HOLDER: "CISO",
    DmuRole.PURCHASING: "Procurement Lead",
}
ACCOUNT_COUNT = 60


@dataclass(frozen=True)
class DemoReport:
    created: tuple[str, ...]
    existing: tuple[str, ...]


def _account_rows(today: date) -> list[tuple[dict, list[ContactInput]]]:
    rng = random.Random(2026)  # noqa: S311 (demo data, not security)
    rows = []
    for index in range(ACCOUNT_COUNT):
        name = f"{PREFIXES[index % len(PREFIXES)]} {SUFFIXES[(index * 7) % len(SUFFIXES)]}"
        industry = INDUSTRIES[(index * 7) % len(INDUSTRIES)]
        channel = CHANNELS[rng.randrange(len(CHANNELS))]
        region, country = REGIONS[rng.randrange(len(REGIONS))]
        picked = [ARCHETYPES[rng.randrange(5)]]
        if rng.random() < 0.3:
            picked.append(ARCHETYPES[rng.randrange(5)])
        chance = 0.35 + (0.3 if "Game changer" in picked else 0) + (0.2 if channel == "Referral" else 0)
        roll = rng.random()
        if roll < 0.15:
            stage = Stage.PROSPECT
        elif roll < 0.3:
            stage = Stage.PILOT
        else:
            stage = Stage.CUSTOMER if rng.random() < chance else Stage.LOST
            if stage == Stage.CUSTOMER and rng.random() < 0.2:
                stage = Stage.CHURNED
        converted = (
            today - timedelta(days=rng.randrange(60, 400))
            if stage in {Stage.CUSTOMER, Stage.CHURNED}
            else None
        )
        churned = (
            converted + timedelta(days=rng.randrange(30, 50))
            if stage == Stage.CHURNED and converted
            else None
        )
        employees = rng.choice((8, 24, 45, 120, 180, 450, 900, 2500))
        raw = {
            "name": name,
            "domain": f"{name.lower().replace(' ', '')}.example",
            "industry": industry,
            "employees": employees,
            "annual_revenue": employees * rng.randrange(60_000, 200_000),
            "founded_year": today.year - rng.randrange(1, 25),
            "country": country,
            "region": region,
            "acquisition_channel": channel,
            "stage": stage.value,
            "converted_on": converted,
            "churned_on": churned,
            "contract_value": rng.randrange(6, 80) * 1000 if converted else None,
            "nps": rng.randrange(4, 11) if converted else None,
            "referrals": rng.choice((0, 0, 0, 1, 2)) if converted else None,
            "archetypes": picked,
            "trait:uses_salesforce": rng.choice(("yes", "no")),
            "trait:funding_stage": rng.choice(("Bootstrapped", "Seed", "Series A", "Series B+")),
            "trait:tech_stack": rng.sample(("AWS", "GCP", "Azure", "Snowflake", "dbt", "Kubernetes"), 2),
            "trait:data_team_size": str(rng.randrange(1, 40)),
            "notes": f"{name} came to us through {channel.lower()}.",
        }
        people = []
        roles = [DmuRole.CHAMPION, DmuRole.ECONOMIC_BUYER, DmuRole.END_USER, DmuRole.VETO_HOLDER]
        for role in roles[: 1 + rng.randrange(3)]:
            person = f"{FIRST[rng.randrange(len(FIRST))]} {LAST[rng.randrange(len(LAST))]}"
            people.append(
                ContactInput(
                    name=person,
                    dmu_role=role.value,
                    title=TITLES[role],
                    email=f"{person.split()[0].lower()}@{raw['domain']}",
                )
            )
        rows.append((raw, people))
    return rows


def load_demo(session: Session, *, today: date | None = None) -> DemoReport:
    """Create whatever part of the demo workspace is missing; leave existing records untouched."""
    actor = Actor.system("demo loader")
    today = today or date.today()  # noqa: DTZ011 (the demo is dated in local time)
    created: list[str] = []
    existing: list[str] = []
    for login in DEMO_LOGINS:
        if users.find_by_email(session, login.email) is not None:
            existing.append(login.email)
            continue
        users.create_user(
            session, actor, email=login.email, name=login.name, role=login.role, password=login.password
        )
        created.append(login.email)
    known_traits = set(session.scalars(select(TraitDefinition.key)))
    for key, label, kind, allowed, observable, description in DEMO_TRAITS:
        if key in known_traits:
            existing.append(f"trait:{key}")
            continue
        traits.create_definition(
            session,
            actor,
            key=key,
            label=label,
            kind=kind,
            allowed_values=allowed,
            externally_observable=observable,
            description=description,
        )
        created.append(f"trait:{key}")
    known_accounts = set(session.scalars(select(Account.name_key)))
    owners = [users.find_by_email(session, login.email) for login in DEMO_LOGINS[:2]]
    for index, (raw, people) in enumerate(_account_rows(today)):
        if name_key(raw["name"]) in known_accounts:
            existing.append(raw["name"])
            continue
        owner = owners[index % 2]
        account = accounts.create_account(
            session, actor, {**raw, "owner": owner.id if owner else None}, today=today
        )
        for person in people:
            contacts.add_contact(session, actor, account.id, person)
        created.append(raw["name"])
    return DemoReport(created=tuple(created), existing=tuple(existing))
