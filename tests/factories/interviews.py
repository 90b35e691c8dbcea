"""A small, hand-countable set of interviews shared by the interview tests.

Accounts (stage; archetypes; contacts):
  Alpha    customer   Game changer                      Ann (champion), Ben (economic buyer)
  Bravo    churned    Game changer, Tech enthusiast     Cleo (end user)
  Charlie  lost       Underdog supporter                Dan (champion)
  Delta    lost       Tech enthusiast                   -
  Echo     prospect   -                                 Eve (veto holder)
  Foxtrot  customer, archived                           -

Interviews (findings as kind/theme):
  i1  Alpha, Ann, discovery       pain/Onboarding, pain/Data quality, trigger/New CFO
  i2  Alpha, Ben, win_loss        pain/"onboarding " (stored as Onboarding), objection/Price
  i3  Bravo, Cleo, pilot_checkin  pain/ONBOARDING, desired/Faster reports
  i4  Charlie, Dan, win_loss      pain/Data quality, objection/Price, objection/price
  i5  Delta, -, discovery         pain/Data quality, pain/Onboarding (archived finding)
  i6  Echo, Eve, discovery        pain/Onboarding
  i7  Alpha, Ann, support         pain/Security (the interview is archived)
  i8  Foxtrot, -, discovery       pain/Onboarding (the account is archived)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ecp_tracker.models import Account, Contact, Interview, InterviewFinding
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.accounts import accounts, contacts
from ecp_tracker.services.accounts.contacts import ContactInput
from ecp_tracker.services.interviews import interviews
from tests.conftest import TEST_ACTOR

TODAY = utcnow().date()


@dataclass
class Workspace:
    accounts: dict[str, Account]
    contacts: dict[str, Contact]
    interviews: dict[str, Interview]


def make_account(session: Session, name: str, stage: str, archetypes: list[str]) -> Account:
    account = accounts.create_account(session, TEST_ACTOR, {"name": name, "archetypes": archetypes})
    account.stage = stage  # the stage rules (conversion dates) are the account tests' business
    session.flush()
    return account


def add_contact(session: Session, account: Account, name: str, role: str) -> Contact:
    return contacts.add_contact(session, TEST_ACTOR, account.id, ContactInput(name=name, dmu_role=role))


def record(
    session: Session,
    account: Account,
    contact: Contact | None,
    kind: str,
    findings: list[tuple[str, str]],
    *,
    days_ago: int = 10,
    summary: str = "",
) -> Interview:
    interview = interviews.create_interview(
        session,
        TEST_ACTOR,
        {
            "account_id": account.id,
            "contact_id": contact.id if contact else None,
            "held_on": TODAY - timedelta(days=days_ago),
            "kind": kind,
            "summary": summary,
        },
    )
    for finding_kind, theme in findings:
        interviews.add_finding(
            session,
            TEST_ACTOR,
            interview.id,
            {"kind": finding_kind, "theme": theme, "text": f"About {theme}"},
        )
    return interview


def build_workspace(session: Session) -> Workspace:
    made = {
        "Alpha": make_account(session, "Alpha", "customer", ["Game changer"]),
        "Bravo": make_account(session, "Bravo", "churned", ["Game changer", "Tech enthusiast"]),
        "Charlie": make_account(session, "Charlie", "lost", ["Underdog supporter"]),
        "Delta": make_account(session, "Delta", "lost", ["Tech enthusiast"]),
        "Echo": make_account(session, "Echo", "prospect", []),
        "Foxtrot": make_account(session, "Foxtrot", "customer", []),
    }
    people = {
        "Ann": add_contact(session, made["Alpha"], "Ann", "champion"),
        "Ben": add_contact(session, made["Alpha"], "Ben", "economic_buyer"),
        "Cleo": add_contact(session, made["Bravo"], "Cleo", "end_user"),
        "Dan": add_contact(session, made["Charlie"], "Dan", "champion"),
        "Eve": add_contact(session, made["Echo"], "Eve", "veto_holder"),
    }
    pain, objection = "pain_point", "objection"
    held = {
        "i1": record(
            session,
            made["Alpha"],
            people["Ann"],
            "discovery",
            [(pain, "Onboarding"), (pain, "Data quality"), ("decision_trigger", "New CFO")],
            days_ago=30,
        ),
        "i2": record(
            session, made["Alpha"], people["Ben"], "win_loss", [(pain, "onboarding "), (objection, "Price")]
        ),
        "i3": record(
            session,
            made["Bravo"],
            people["Cleo"],
            "pilot_checkin",
            [(pain, "ONBOARDING"), ("desired_impact", "Faster reports")],
        ),
        "i4": record(
            session,
            made["Charlie"],
            people["Dan"],
            "win_loss",
            [(pain, "Data quality"), (objection, "Price"), (objection, "price")],
        ),
        "i5": record(
            session, made["Delta"], None, "discovery", [(pain, "Data quality"), (pain, "Onboarding")]
        ),
        "i6": record(session, made["Echo"], people["Eve"], "discovery", [(pain, "Onboarding")]),
        "i7": record(session, made["Alpha"], people["Ann"], "support", [(pain, "Security")]),
        "i8": record(session, made["Foxtrot"], None, "discovery", [(pain, "Onboarding")]),
    }
    archived_finding = next(f for f in held["i5"].findings if f.theme == "Onboarding")
    interviews.set_finding_archived(session, TEST_ACTOR, archived_finding.id, archived=True)
    interviews.set_interview_archived(session, TEST_ACTOR, held["i7"].id, archived=True)
    accounts.set_archived(session, TEST_ACTOR, made["Foxtrot"].id, archived=True)
    session.commit()
    return Workspace(made, people, held)


def add_interviews(session: Session, count: int, batch: str) -> tuple[int, int]:
    """`count` interviews with two findings each over five new accounts (bulk inserts); returns the id of
    one interview and of one account."""
    people = []
    for index in range(5):
        stage = ["customer", "lost", "pilot"][index % 3]
        account = make_account(session, f"Bulk {batch} {index}", stage, ["Game changer"] if index % 2 else [])
        people.append((account.id, add_contact(session, account, f"Person {index}", "champion").id))
    session.commit()
    now = utcnow()
    session.execute(
        insert(Interview.__table__),
        [
            {
                "account_id": people[n % 5][0],
                "contact_id": people[n % 5][1] if n % 3 else None,
                "held_on": TODAY - timedelta(days=n % 90),
                "kind": ["discovery", "win_loss", "survey"][n % 3],
                "summary": f"{batch}",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(count)
        ],
    )
    ids = session.scalars(select(Interview.id).where(Interview.summary == batch).order_by(Interview.id)).all()
    session.execute(
        insert(InterviewFinding.__table__),
        [
            {
                "interview_id": interview_id,
                "kind": ["pain_point", "objection"][k],
                "theme": ["Onboarding", "Price", "Data quality", "Security"][(n + k) % 4],
                "text": "",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for n, interview_id in enumerate(ids)
            for k in range(2)
        ],
    )
    session.commit()
    return ids[0], people[0][0]
