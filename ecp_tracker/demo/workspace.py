"""The demo workspace of a fictional startup (Northwind Analytics). Loading it twice changes nothing.

Northwind sells a data-pipeline product. Its first 60 accounts come from a fixed seed, with a built-in
pattern for the analysis to find later: game changers and accounts acquired by referral convert more often.
Pilots follow the accounts' stages: customers converted after a pilot, lost accounts ran one that did not
convert, accounts in the pilot stage run one now, and a few prospects have one planned. Discounts carry
give-to-get promises, some fulfilled, some still owed, some overdue.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecp_tracker.demo import experiments as demo_experiments
from ecp_tracker.demo import history as demo_history
from ecp_tracker.demo import icp as demo_icp
from ecp_tracker.demo import interviews as demo_interviews
from ecp_tracker.demo import testimonials as demo_testimonials
from ecp_tracker.domain.accounts import DmuRole, Stage, name_key
from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.pilots import PilotOutcome, PilotStatus
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Account, Pilot, TraitDefinition, User
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.accounts import accounts, contacts, traits
from ecp_tracker.services.accounts.contacts import ContactInput
from ecp_tracker.services.pilots import discounts, pilots
from ecp_tracker.services.users import users


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
            today - timedelta(days=rng.randrange(15 if stage == Stage.CUSTOMER else 60, 400))
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
        account.created_at = demo_history.recorded_at(account, index, today, earliest=0, spread=420)
        for person in people:
            contacts.add_contact(session, actor, account.id, person)
        created.append(raw["name"])
    demo_history.load_history(session, actor, owners, today, created, existing)
    names = [raw["name"] for raw, _people in _account_rows(today)]
    _load_pilots(session, actor, names, owners, today, created, existing)
    demo_interviews.load_interviews(session, actor, names, owners, today, created, existing)
    demo_testimonials.load_testimonials(session, actor, names, today, created, existing)
    demo_icp.load_icp(session, actor, today, created, existing)
    demo_experiments.load_experiments(session, actor, today, created, existing)
    return DemoReport(created=tuple(created), existing=tuple(existing))


# --- pilots, discounts and promises ----------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionTemplate:
    metric: str
    description: str
    target: str
    unit: str
    direction: str
    good: str  # an actual value that meets the target (also after the amendment)
    bad: str  # one that misses it
    amended_target: str
    amendment_reason: str


CRITERIA = (
    CriterionTemplate(
        "p95 query latency",
        "95th-percentile latency of the customer's ten most used dashboard queries on production data.",
        "300",
        "ms",
        "at_most",
        "240",
        "410",
        "350",
        "Their warehouse runs in another cloud region; their Head of Data agreed on day 9 that the hop adds "
        "about 50 ms we cannot remove.",
    ),
    CriterionTemplate(
        "weekly active analysts",
        "Analysts who run at least one query in a week, averaged over the last four weeks of the pilot.",
        "8",
        "analysts",
        "at_least",
        "11",
        "5",
        "6",
        "Two analysts left the customer's team in week two; the champion asked to scale the target to the "
        "team that remains.",
    ),
    CriterionTemplate(
        "pipeline freshness",
        "Minutes between a change in the source system and the updated warehouse table (median).",
        "15",
        "minutes",
        "at_most",
        "9",
        "26",
        "20",
        "Their ERP only exports every 20 minutes; agreed in the mid-pilot check-in, in writing.",
    ),
    CriterionTemplate(
        "reporting hours saved",
        "Hours per week the finance team no longer spends building the weekly board report by hand.",
        "10",
        "hours/week",
        "at_least",
        "14",
        "6",
        "8",
        "The board report moved from weekly to fortnightly in week three; halved hours were rescaled.",
    ),
    CriterionTemplate(
        "failed nightly runs",
        "Share of nightly pipeline runs that fail and need a manual rerun.",
        "2",
        "%",
        "at_most",
        "0.8",
        "4.5",
        "3",
        "Two failures came from the customer's own source outage; both sides agreed to allow one more "
        "percentage point.",
    ),
    CriterionTemplate(
        "data sources connected",
        "Production data sources connected and syncing every day without manual steps.",
        "5",
        "sources",
        "at_least",
        "7",
        "3",
        "4",
        "The customer decommissioned their legacy FTP export during the pilot; that source no longer exists.",
    ),
)
THEMES = (
    ("Real-time dashboards", "Dashboards on live data will replace the overnight batch reports."),
    ("Finance reporting automation", "Automating the weekly board report frees the finance team's Mondays."),
    ("Warehouse sync", "A managed pipeline keeps their warehouse fresh without an engineer on call."),
    (
        "Self-serve analytics",
        "Analysts answer their own questions without filing tickets to data engineering.",
    ),
    ("Pipeline reliability", "Nightly runs stop failing, so the morning numbers can be trusted."),
    ("Source consolidation", "All operational data lands in one warehouse within the pilot."),
)


@dataclass
class PilotPlan:
    """One demo pilot: where it is in its life, and what happened in it."""

    account: Account
    theme: int
    status: PilotStatus
    start: date | None
    planned_end: date
    criteria: tuple[int, ...]
    ended_on: date | None = None
    extended_to: date | None = None
    amend: tuple[int, ...] = ()  # positions in `criteria`
    results: str = "none"  # none, some, all
    misses: int = 0  # how many criteria miss their target (the first ones)
    outcome: PilotOutcome = PilotOutcome.PENDING
    list_price: Decimal = Decimal(3000)
    pilot_price: Decimal = Decimal(1500)
    price_reason: str = ""
    late: tuple[str, ...] = ()  # milestone keys left undone past their due date
    started: bool = True  # False: cancelled while still planned
    discounts: list[dict] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{THEMES[self.theme][0]} pilot"


def _monthly(contract_value: Decimal | None) -> Decimal:
    if not contract_value:
        return Decimal(3000)
    return max(Decimal(500), (Decimal(contract_value) / 12 / 100).quantize(Decimal(1)) * 100)


def _promise(kind: str, due: date, quantity: int = 1, fulfilled: date | None = None) -> dict:
    return {"kind": kind, "due_on": due, "quantity": quantity, "fulfilled_on": fulfilled}


def _converted_plans(customers: Sequence[Account], today: date) -> list[PilotPlan]:
    plans = []
    for index, account in enumerate(customers[:7]):
        converted = account.converted_on or today - timedelta(days=90)
        start = converted - timedelta(days=80)
        monthly = _monthly(account.contract_value)
        missed = index == 3  # converted although it missed a criterion: the scorecard flags it
        plan = PilotPlan(
            account=account,
            theme=index % len(THEMES),
            status=PilotStatus.FAILED if missed else PilotStatus.SUCCEEDED,
            start=start,
            planned_end=start + timedelta(days=56),
            ended_on=start + timedelta(days=58),
            criteria=tuple((index + k) % len(CRITERIA) for k in range(2 + index % 3)),
            amend=(0,) if index in {1, 4} else (),
            results="all",
            misses=1 if missed else 0,
            outcome=PilotOutcome.CONVERTED,
            list_price=monthly,
            pilot_price=(monthly / 2).quantize(Decimal(1)),
        )
        kinds = [
            [
                _promise(
                    "testimonial", converted + timedelta(days=45), fulfilled=converted + timedelta(days=40)
                ),
                _promise("reference_calls", today + timedelta(days=30), quantity=3),
            ],
            [_promise("case_study", converted + timedelta(days=90))],  # overdue
            [
                _promise("logo", converted + timedelta(days=14), fulfilled=converted + timedelta(days=10)),
                _promise(
                    "feedback_sessions",
                    converted + timedelta(days=60),
                    4,
                    fulfilled=converted + timedelta(days=55),
                ),
            ],
            [
                _promise("case_study", converted + timedelta(days=60)),  # overdue
                _promise("testimonial", today + timedelta(days=21)),
            ],
            [],  # a discount that bought nothing: the ledger shows it
            [
                _promise(
                    "reference_calls",
                    converted + timedelta(days=30),
                    2,
                    fulfilled=converted + timedelta(days=28),
                )
            ],
            [_promise("testimonial", today + timedelta(days=10))],
        ][index]
        terms = [
            ("percent", "20"),
            ("percent", "30"),
            ("free_period", "2"),
            ("percent", "40"),
            ("fixed", str((monthly / 10).quantize(Decimal(1)))),
            ("percent", "15"),
            ("percent", "10"),
        ][index]
        reason = [
            "First-year launch discount for an early design partner.",
            "Early-customer price in exchange for a published case study.",
            "Two free months while their team migrates off the old ETL tool.",
            "Deep discount to win a reference logo in their industry.",
            "Matched a competitor's offer at signature.",
            "Early-customer price for reference calls with our next prospects.",
            "Annual prepayment discount.",
        ][index]
        plan.discounts.append(
            {
                "kind": terms[0],
                "amount": terms[1],
                "list_price": monthly,
                "reason": reason,
                "starts_on": converted,
                "ends_on": converted + timedelta(days=365),
                "promises": kinds,
            }
        )
        plans.append(plan)
    return plans


def _lost_plans(lost: Sequence[Account], today: date) -> list[PilotPlan]:
    plans = []
    for index, account in enumerate(lost[:6]):
        start = today - timedelta(days=320 - 40 * index)
        met_but_lost = index == 2  # met its criteria but did not convert
        cancelled = index == 4
        plan = PilotPlan(
            account=account,
            theme=(index + 2) % len(THEMES),
            status=(
                PilotStatus.CANCELLED
                if cancelled
                else PilotStatus.SUCCEEDED
                if met_but_lost
                else PilotStatus.FAILED
            ),
            start=start,
            planned_end=start + timedelta(days=42),
            ended_on=start + timedelta(days=20 if cancelled else 44),
            criteria=tuple((index + 2 + k) % len(CRITERIA) for k in range(2 + (index + 1) % 3)),
            amend=(1,) if index == 1 else (),
            results="none" if cancelled else "all",
            misses=0 if met_but_lost else 1 + index % 2,
            outcome=PilotOutcome.NOT_CONVERTED,
        )
        if index in {0, 1, 3}:
            plan.discounts.append(
                {
                    "kind": "free_period",
                    "amount": "1",
                    "list_price": plan.list_price,
                    "reason": "First pilot month free.",
                    "starts_on": start,
                    "ends_on": start + timedelta(days=30),
                    "pilot": True,
                    "promises": [
                        _promise(
                            "feedback_sessions",
                            start + timedelta(days=60),
                            2,
                            fulfilled=start + timedelta(days=50) if index == 3 else None,
                        )
                    ],
                }
            )
        plans.append(plan)
    return plans


def _running_plans(in_pilot: Sequence[Account], today: date) -> list[PilotPlan]:
    shapes = (
        # (status, days since start, days to planned end, extended to, amend, results, late milestones)
        (PilotStatus.ACTIVE, 40, 6, None, (0,), "none", ()),  # ends within 14 days
        (PilotStatus.ACTIVE, 70, -5, None, (), "some", ("checkin",)),  # past its planned end
        (PilotStatus.ACTIVE, 20, 40, None, (1,), "none", ("access",)),
        (PilotStatus.EXTENDED, 90, -10, 21, (0, 1), "some", ()),
        (PilotStatus.EXTENDED, 75, -3, 10, (), "none", ("security",)),  # extended, ends soon
        (PilotStatus.ACTIVE, 10, 50, None, (), "none", ()),
        (PilotStatus.ACTIVE, 30, 12, None, (), "none", ("access", "security")),
    )
    plans = []
    for index, account in enumerate(in_pilot):  # every account in the pilot stage runs one
        status, since, until, extended, amend, results, late = shapes[index % len(shapes)]
        start = today - timedelta(days=since + 3 * (index // len(shapes)))
        plan = PilotPlan(
            account=account,
            theme=(index + 4) % len(THEMES),
            status=status,
            start=start,
            planned_end=today + timedelta(days=until),
            extended_to=today + timedelta(days=extended) if extended else None,
            criteria=tuple((index * 2 + k) % len(CRITERIA) for k in range(2 + index % 3)),
            amend=amend,
            results=results,
            late=late,
        )
        if index == 6:
            plan.pilot_price = Decimal(4500)
            plan.price_reason = "Includes a paid on-site onboarding week for their twelve analysts."
        if index in {0, 2, 3}:
            plan.discounts.append(
                {
                    "kind": "percent",
                    "amount": "50",
                    "list_price": plan.list_price,
                    "reason": "Half-price pilot for feedback sessions with the product team.",
                    "starts_on": start,
                    "ends_on": plan.extended_to or plan.planned_end,
                    "pilot": True,
                    "promises": [
                        _promise(
                            "feedback_sessions",
                            start + timedelta(days=14),
                            3,
                            fulfilled=start + timedelta(days=15) if index != 2 else None,
                        ),
                        _promise("testimonial", (plan.extended_to or plan.planned_end) + timedelta(days=30)),
                    ],
                }
            )
        plans.append(plan)
    return plans


def _planned_plans(prospects: Sequence[Account], today: date) -> list[PilotPlan]:
    plans = []
    for index, account in enumerate(prospects[:3]):
        start = today + timedelta(days=14 + 7 * index)
        plans.append(
            PilotPlan(
                account=account,
                theme=index % len(THEMES),
                status=PilotStatus.CANCELLED if index == 2 else PilotStatus.PLANNED,
                start=start,
                planned_end=start + timedelta(days=42),
                ended_on=today - timedelta(days=2) if index == 2 else None,
                criteria=tuple((index + 3 + k) % len(CRITERIA) for k in range(3)),
                outcome=PilotOutcome.NOT_CONVERTED if index == 2 else PilotOutcome.PENDING,
                started=index != 2,
            )
        )
    return plans


def _milestones(plan: PilotPlan, today: date) -> list[tuple[str, dict, date | None]]:
    """(key, milestone input, done on) of the mutual action plan, on both sides."""
    start = plan.start or today
    end = plan.extended_to or plan.planned_end
    steps = (
        ("kickoff", "Kick-off call; success criteria signed by both sides", "ours", "Ada Admin", start),
        (
            "access",
            "Read access to the production warehouse",
            "customer",
            "their data engineer",
            start + timedelta(7),
        ),
        (
            "checkin",
            "Mid-pilot check-in with the economic buyer",
            "ours",
            "Eddie Editor",
            start + timedelta(21),
        ),
        ("security", "Security review signed off", "customer", "their CISO", start + timedelta(days=28)),
        ("decision", "Decision meeting: go / no go", "customer", "their CFO", end),
    )
    result = []
    for key, title, side, owner, due in steps:
        raw = {"title": title, "due_on": due, "side": side, "owner_name": owner}
        if plan.status is PilotStatus.PLANNED:
            done = None
        elif plan.ended_on is not None:
            if due > plan.ended_on:
                continue  # the pilot ended before this step
            done = min(due + timedelta(days=2), plan.ended_on)
        else:
            done = None if (key in plan.late or due >= today) else due + timedelta(days=1)
        result.append((key, raw, done))
    return result


def _run_plan(session: Session, actor: Actor, plan: PilotPlan, owner: User | None, today: date) -> Pilot:
    pilot = pilots.create_pilot(
        session,
        actor,
        plan.account.id,
        {
            "name": plan.name,
            "hypothesis": THEMES[plan.theme][1],
            "owner_id": owner.id if owner else None,
            "start_date": plan.start,
            "planned_end_date": plan.planned_end,
            "list_price": plan.list_price,
            "pilot_price": plan.pilot_price,
            "price_reason": plan.price_reason,
        },
    )
    templates = [CRITERIA[i] for i in plan.criteria]
    criteria = [
        pilots.add_criterion(
            session,
            actor,
            pilot.id,
            {
                "description": t.description,
                "metric": t.metric,
                "target": t.target,
                "unit": t.unit,
                "direction": t.direction,
            },
        )
        for t in templates
    ]
    for _key, raw, done in _milestones(plan, today):
        milestone = pilots.add_milestone(session, actor, pilot.id, raw)
        if done is not None:
            pilots.set_milestone_done(session, actor, milestone.id, done=True, on=min(done, today))
    if plan.status is PilotStatus.PLANNED:
        return pilot
    if not plan.started:
        pilots.transition(session, actor, pilot.id, PilotStatus.CANCELLED.value, on=plan.ended_on)
    else:
        pilots.transition(session, actor, pilot.id, PilotStatus.ACTIVE.value, on=plan.start)
        # the story's dates: frozen on the morning the pilot started, amended in its second week
        started_at = min(datetime.combine(plan.start or today, time(9), tzinfo=UTC), utcnow())
        pilot.criteria_frozen_at = started_at
        for criterion in criteria:
            criterion.frozen_at = started_at
        for position in plan.amend:
            t = templates[position]
            amendment = pilots.amend_criterion(
                session,
                actor,
                criteria[position].id,
                reason=t.amendment_reason,
                changes={"target": t.amended_target},
            )
            amendment.amended_at = min(started_at + timedelta(days=9 + position, hours=2), utcnow())
        session.flush()
        recorded = criteria if plan.results == "all" else criteria[:1] if plan.results == "some" else []
        for position, criterion in enumerate(recorded):
            t = templates[position]
            actual = t.bad if position < plan.misses else t.good
            pilots.record_result(session, actor, criterion.id, actual, version=criterion.version)
        if plan.extended_to:
            pilots.transition(
                session, actor, pilot.id, PilotStatus.EXTENDED.value, planned_end_date=plan.extended_to
            )
        elif plan.ended_on:
            pilots.transition(session, actor, pilot.id, plan.status.value, on=plan.ended_on)
    if plan.outcome is PilotOutcome.CONVERTED:
        pilots.record_outcome(
            session,
            actor,
            pilot.id,
            plan.outcome.value,
            contract_value=plan.account.contract_value or plan.list_price * 12,
            converted_on=plan.account.converted_on or plan.ended_on,
        )
    elif plan.outcome is PilotOutcome.NOT_CONVERTED:
        pilots.record_outcome(session, actor, pilot.id, plan.outcome.value)
    return pilot


def _grant(session: Session, actor: Actor, plan: PilotPlan, pilot: Pilot, spec: dict, today: date) -> None:
    promises = spec["promises"]
    discount = discounts.grant_discount(
        session,
        actor,
        plan.account.id,
        {
            **{key: value for key, value in spec.items() if key not in {"pilot", "promises"}},
            "pilot_id": pilot.id if spec.get("pilot") else None,
            "promises": [{k: v for k, v in p.items() if k != "fulfilled_on"} for p in promises],
        },
    )
    for promise, wanted in zip(discount.promises, sorted(promises, key=lambda p: p["due_on"]), strict=True):
        if wanted["fulfilled_on"] is not None:
            discounts.fulfil_promise(
                session,
                actor,
                promise.id,
                fulfilled_on=min(wanted["fulfilled_on"], today),
                note="Delivered; recorded by the demo loader.",
            )


def _load_pilots(
    session: Session,
    actor: Actor,
    names: Sequence[str],
    owners: Sequence[User | None],
    today: date,
    created: list[str],
    existing: list[str],
) -> None:
    """The demo pilots of the demo accounts (in the accounts' demo order) with their discounts; a pilot is
    known by its account and name, and is created, with its discounts, only when it is not there yet."""
    order = {name_key(name): index for index, name in enumerate(names)}
    found = session.scalars(select(Account).where(Account.name_key.in_(order))).all()
    by_stage: dict[str, list[Account]] = {}
    for account in sorted(found, key=lambda a: order[a.name_key]):
        by_stage.setdefault(account.stage, []).append(account)
    plans = [
        *_converted_plans(by_stage.get(Stage.CUSTOMER.value, []), today),
        *_lost_plans(by_stage.get(Stage.LOST.value, []), today),
        *_running_plans(by_stage.get(Stage.PILOT.value, []), today),
        *_planned_plans(by_stage.get(Stage.PROSPECT.value, []), today),
    ]
    account_ids = [plan.account.id for plan in plans]
    known_pilots = {
        tuple(row)
        for row in session.execute(
            select(Pilot.account_id, Pilot.name).where(Pilot.account_id.in_(account_ids))
        )
    }
    for index, plan in enumerate(plans):
        label = f"pilot:{plan.account.name}: {plan.name}"
        if (plan.account.id, plan.name) in known_pilots:
            existing.append(label)
            existing.extend(f"discount:{plan.account.name}: {spec['reason']}" for spec in plan.discounts)
            continue
        pilot = _run_plan(session, actor, plan, owners[index % len(owners)] if owners else None, today)
        created.append(label)
        for spec in plan.discounts:
            _grant(session, actor, plan, pilot, spec, today)
            created.append(f"discount:{plan.account.name}: {spec['reason']}")
