"""Contacts at an account and their part in the decision-making unit (DMU)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ecp_tracker.domain.accounts import DmuRole
from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import InvalidFields, StaleEdit
from ecp_tracker.models import Archetype, Contact
from ecp_tracker.services.accounts import read_only
from ecp_tracker.services.shared import audit
from ecp_tracker.services.shared.emails import email_problem
from ecp_tracker.services.shared.lookup import child_row


@dataclass(frozen=True)
class ContactInput:
    name: str
    dmu_role: str
    email: str | None = None
    title: str | None = None
    archetype_id: int | None = None
    is_champion: bool = False


def check_contact(session: Session, data: ContactInput) -> list[tuple[str, str]]:
    problems = []
    if not " ".join(data.name.split()):
        problems.append(("name", "Enter the contact's name."))
    elif len(data.name) > 120:
        problems.append(("name", "Use at most 120 characters."))
    if data.dmu_role not in {r.value for r in DmuRole}:
        problems.append(("dmu_role", f"Role must be one of {', '.join(r.value for r in DmuRole)}."))
    problem = email_problem(data.email) if data.email and data.email.strip() else None
    if problem:
        problems.append(("email", f"{data.email.strip()[:80]!r}: {problem}"))
    if data.title and len(data.title) > 120:
        problems.append(("title", "Use at most 120 characters."))
    if data.archetype_id is not None and session.get(Archetype, data.archetype_id) is None:
        problems.append(("archetype_id", f"There is no archetype with id {data.archetype_id}."))
    return problems


def _apply(contact: Contact, data: ContactInput) -> None:
    contact.name = " ".join(data.name.split())
    contact.dmu_role = data.dmu_role
    contact.email = data.email.strip().lower() if data.email and data.email.strip() else None
    contact.title = " ".join(data.title.split()) if data.title and data.title.strip() else None
    contact.archetype_id = data.archetype_id
    contact.is_champion = data.is_champion or data.dmu_role == DmuRole.CHAMPION.value


def list_contacts(session: Session, account_id: int, *, include_archived: bool = False) -> Sequence[Contact]:
    stmt = select(Contact).options(joinedload(Contact.archetype)).where(Contact.account_id == account_id)
    if not include_archived:
        stmt = stmt.where(Contact.archived_at.is_(None))
    return session.scalars(stmt.order_by(Contact.name)).all()


def get_contact(session: Session, contact_id: int, account_id: int | None = None) -> Contact:
    missing = f"There is no contact with id {contact_id} at this account."
    return child_row(session, Contact, contact_id, parent="account_id", parent_id=account_id, missing=missing)


def add_contact(session: Session, actor: Actor, account_id: int, data: ContactInput) -> Contact:
    account = read_only.open_account(session, account_id, field=None)
    problems = check_contact(session, data)
    if problems:
        raise InvalidFields(problems)
    contact = Contact(account_id=account_id)
    _apply(contact, data)
    audit.log_write(session, actor, contact, summary=f"{contact.name} at {account.name}")
    return contact


def update_contact(
    session: Session, actor: Actor, contact_id: int, data: ContactInput, *, version: int | None
) -> Contact:
    contact = get_contact(session, contact_id)
    if version is None or version != contact.version:
        raise StaleEdit(f"{contact.name} was changed by someone else; reload to see the change.")
    read_only.check_open(contact.account)
    problems = check_contact(session, data)
    if problems:
        raise InvalidFields(problems)
    _apply(contact, data)
    audit.log_write(session, actor, contact, summary=contact.name)
    return contact


def set_archived(session: Session, actor: Actor, contact_id: int, *, archived: bool) -> Contact:
    contact = get_contact(session, contact_id)
    read_only.check_open(contact.account)
    return audit.set_archived(session, actor, contact, archived=archived, summary=contact.name)


@dataclass(frozen=True)
class DmuCoverage:
    has_champion: bool
    has_economic_buyer: bool

    @property
    def warnings(self) -> list[str]:
        found = []
        if not self.has_champion:
            found.append("No champion is known: who inside the account pushes for you?")
        if not self.has_economic_buyer:
            found.append("No economic buyer is known: who signs the cheque?")
        return found


def dmu_coverage(contacts: Sequence[Contact]) -> DmuCoverage:
    active = [c for c in contacts if c.archived_at is None]
    return DmuCoverage(
        has_champion=any(c.is_champion or c.dmu_role == DmuRole.CHAMPION.value for c in active),
        has_economic_buyer=any(c.dmu_role == DmuRole.ECONOMIC_BUYER.value for c in active),
    )
