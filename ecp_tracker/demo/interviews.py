"""The demo workspace's interviews: about 25 conversations over the demo accounts, with tagged findings.

The themes carry a pattern for the themes page to show: converted accounts (game changers above all) talk
about overnight batch delays, a new data leader and same-day reporting; lost accounts raise the security
review, the migration effort and the price; both groups complain about manual spreadsheets, and some lost
accounts had batch delays too, and some customers haggled over the price. Accounts still
in a pilot report onboarding friction. An interview is known by its account, kind and summary, so loading the
demo again adds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ecp_tracker.domain.accounts import DmuRole, Stage, name_key
from ecp_tracker.domain.actors import Actor
from ecp_tracker.models import Account, Contact, Interview, User
from ecp_tracker.services.interviews import interviews

PAIN, IMPACT, TRIGGER, JOB, OBJECTION = (
    "pain_point",
    "desired_impact",
    "decision_trigger",
    "job_to_be_done",
    "objection",
)
Finding = tuple[str, str, str]  # kind, theme, what was said


@dataclass(frozen=True)
class Script:
    kind: str
    role: DmuRole  # who we talk to, when the account has such a contact
    summary: str
    findings: tuple[Finding, ...]


CONVERTED_GAME_CHANGER = Script(
    "win_loss",
    DmuRole.ECONOMIC_BUYER,
    "Why they bought: the board wants numbers the same day, and the batch window kept slipping.",
    (
        (PAIN, "Overnight batch delays", "Reports land at 11:00; the board meets at 09:00."),
        (TRIGGER, "New data leader", "The new Head of Data was hired to fix reporting within a quarter."),
        (IMPACT, "Same-day reporting", "Numbers by 08:00 every day, without anyone on call."),
        (JOB, "Ship the weekly board pack", "Put together the Monday board pack without manual joins."),
    ),
)
CONVERTED = Script(
    "win_loss",
    DmuRole.ECONOMIC_BUYER,
    "Why they bought: fewer late nights around month-end.",
    (
        (PAIN, "Overnight batch delays", "A failed nightly load means a lost morning."),
        (PAIN, "Manual spreadsheets", "Finance still pastes exports into spreadsheets."),
        (IMPACT, "Same-day reporting", "Month-end close two days faster."),
        (OBJECTION, "Price", "Needed the pilot discount to get it past finance."),
    ),
)
CONVERTED_DISCOVERY = Script(
    "discovery",
    DmuRole.CHAMPION,
    "First call with the champion: where the data lives and who waits for it.",
    (
        (PAIN, "Data silos", "Product, billing and CRM data never meet."),
        (TRIGGER, "New data leader", "A new VP Data with a mandate to consolidate."),
        (JOB, "Ship the weekly board pack", "Weekly metrics for the leadership team."),
    ),
)
LOST = Script(
    "win_loss",
    DmuRole.ECONOMIC_BUYER,
    "Why we lost: security and migration worries outweighed the pain.",
    (
        (OBJECTION, "Security review", "Their CISO wanted SOC 2 Type II before any pilot data left the VPC."),
        (OBJECTION, "Migration effort", "Rewriting 300 legacy jobs felt like a year of work."),
        (PAIN, "Manual spreadsheets", "Reporting is a spreadsheet exercise, but it works for now."),
    ),
)
LOST_PRICE = Script(
    "win_loss",
    DmuRole.CHAMPION,
    "Why we lost: the budget went to a cheaper point tool.",
    (
        (OBJECTION, "Price", "Twice what they budgeted; the incumbent offered a discount."),
        (OBJECTION, "security review", "Procurement's questionnaire took six weeks."),
        (PAIN, "Tooling sprawl", "Five tools for ingestion alone."),
        (PAIN, "Overnight batch delays", "Batch jobs overrun now and then; the team lives with it."),
    ),
)
PILOT_CHECKIN = Script(
    "pilot_checkin",
    DmuRole.END_USER,
    "Mid-pilot check-in with the engineers using it.",
    (
        (PAIN, "Onboarding", "Connecting the warehouse took a week of back-and-forth."),
        (IMPACT, "Same-day reporting", "The first dashboards now refresh hourly."),
    ),
)
PROSPECT = Script(
    "discovery",
    DmuRole.CHAMPION,
    "Discovery call: mapping their reporting flow.",
    (
        (PAIN, "Data silos", "Each team keeps its own copy of the customer table."),
        (OBJECTION, "Price", "Worried about cost at their size."),
    ),
)
SURVEY = Script(
    "survey",
    DmuRole.END_USER,
    "Quarterly customer survey answers.",
    ((IMPACT, "Same-day reporting", "Fresh data before stand-up is what they value most."),),
)
SUPPORT = Script(
    "support",
    DmuRole.END_USER,
    "Support call about a failed connector.",
    ((PAIN, "Onboarding", "The connector setup guide skipped a permissions step."),),
)
PER_GROUP = {"converted": 8, "lost": 7, "pilot": 3, "prospect": 2}  # 25 interviews with the extras below


def _scripts(account: Account, index: int) -> list[Script]:
    """What was talked about with this account: by its stage, archetypes and place in the demo order."""
    stage = Stage(account.stage)
    if stage in {Stage.CUSTOMER, Stage.CHURNED}:
        game_changer = any(a.name == "Game changer" for a in account.archetypes)
        scripts = [CONVERTED_GAME_CHANGER if game_changer else CONVERTED]
        if index % 3 == 0:
            scripts.append(CONVERTED_DISCOVERY)
        if index % 4 == 1:
            scripts.append(SURVEY)
        return scripts
    if stage is Stage.LOST:
        return [LOST if index % 2 == 1 else LOST_PRICE]  # LOST first: "Security review" is spelled as there
    if stage is Stage.PILOT:
        return [PILOT_CHECKIN] + ([SUPPORT] if index == 1 else [])
    return [PROSPECT]


def _group(stage: str) -> str:
    return {"customer": "converted", "churned": "converted", "lost": "lost"}.get(stage, stage)


def _contact(account: Account, role: DmuRole) -> Contact | None:
    people = [c for c in account.contacts if c.archived_at is None]
    chosen = next((c for c in people if c.dmu_role == role.value), None)
    return chosen or (people[0] if people else None)


def load_interviews(
    session: Session,
    actor: Actor,
    names: Sequence[str],
    owners: Sequence[User | None],
    today: date,
    created: list[str],
    existing: list[str],
) -> None:
    """The demo interviews of the demo accounts (in the demo order), each created only when missing."""
    order = {name_key(name): index for index, name in enumerate(names)}
    found = session.scalars(
        select(Account)
        .where(Account.name_key.in_(order), Account.archived_at.is_(None))
        .options(selectinload(Account.archetypes), selectinload(Account.contacts))
    ).all()
    taken = dict.fromkeys(PER_GROUP, 0)
    plans: list[tuple[Account, Script, int]] = []
    for account in sorted(found, key=lambda a: order[a.name_key]):
        group = _group(account.stage)
        if taken[group] >= PER_GROUP[group]:
            continue
        taken[group] += 1
        for script in _scripts(account, taken[group]):
            plans.append((account, script, taken[group]))
    known = {
        tuple(row)
        for row in session.execute(
            select(Interview.account_id, Interview.kind, Interview.summary).where(
                Interview.account_id.in_([a.id for a in found])
            )
        )
    }
    people = [owner for owner in owners if owner is not None]
    spellings = interviews.theme_spellings(session)
    for number, (account, script, index) in enumerate(plans):
        label = f"interview:{account.name}: {script.kind}"
        if (account.id, script.kind, script.summary) in known:
            existing.append(label)
            continue
        contact = _contact(account, script.role)
        interview = interviews.create_interview(
            session,
            actor,
            {
                "account_id": account.id,
                "contact_id": contact.id if contact else None,
                "held_on": today - timedelta(days=5 + 9 * index + 3 * (number % 4)),
                "kind": script.kind,
                "summary": script.summary,
                "interviewer_id": people[number % len(people)].id if people else None,
            },
        )
        for kind, theme, text in script.findings:
            finding = {"kind": kind, "theme": theme, "text": text}
            interviews.add_finding(session, actor, interview.id, finding, spellings=spellings)
        created.append(label)
