"""Accounts: create, edit (optimistic locking), archive and restore, and the one read of an account page."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ecp_tracker.domain.accounts import Stage, StageDates, check_stage_dates, name_key
from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import InvalidFields, NotFound, StaleEdit, ValidationError, problems_under
from ecp_tracker.models import Account, AccountTrait, Archetype, Contact, TraitDefinition, User
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.accounts import contacts, read_only, traits
from ecp_tracker.services.accounts.fields import CleanAccount, clean_account
from ecp_tracker.services.shared import audit


def archetype_lookup(session: Session) -> dict[str, Archetype]:
    """Active archetypes by casefolded name."""
    rows = session.scalars(select(Archetype).where(Archetype.archived_at.is_(None)))
    return {a.name.casefold(): a for a in rows}


def get_account(session: Session, account_id: int) -> Account:
    """An account with everything its page shows, loaded in a fixed number of queries."""
    stmt = (
        select(Account)
        .where(Account.id == account_id)
        .options(
            joinedload(Account.owner),
            selectinload(Account.archetypes),
            selectinload(Account.traits),
            selectinload(Account.contacts).joinedload(Contact.archetype),
        )
    )
    account = session.scalar(stmt)
    if account is None:
        raise NotFound(f"There is no account with id {account_id}.")
    return account


def load_traits(session: Session, items: Sequence[Account]) -> None:
    """Load the trait values of many accounts in one query (for lists that show them)."""
    if items:
        session.scalars(
            select(Account).where(Account.id.in_([a.id for a in items])).options(selectinload(Account.traits))
        ).all()


def _resolve_owner(session: Session, owner: Any) -> int | None:
    if owner is None:
        return None
    if isinstance(owner, int) or (isinstance(owner, str) and re.fullmatch(r"[0-9]{1,9}", owner.strip())):
        user = session.get(User, int(owner))
    else:
        user = session.scalar(select(User).where(User.email == str(owner).strip().lower()))
    if user is None:
        raise ValidationError(f"There is no user {owner!r} to own the account.", field="owner")
    return user.id


def _check_unique(
    session: Session, columns: Mapping[str, Any], account_id: int | None
) -> list[tuple[str, str]]:
    problems = []
    if columns.get("name"):
        stmt = select(Account.id, Account.name).where(Account.name_key == name_key(columns["name"]))
        hit = session.execute(stmt).first()
        if hit and hit.id != account_id:
            problems.append(("name", f"An account named {hit.name!r} already exists (id {hit.id})."))
    if columns.get("domain"):
        stmt = select(Account.id, Account.name).where(Account.domain == columns["domain"])
        hit = session.execute(stmt).first()
        if hit and hit.id != account_id:
            problems.append(
                ("domain", f"{columns['domain']} is already the domain of {hit.name!r} (id {hit.id}).")
            )
    return problems


def trait_snapshot(account: Account) -> dict[str, list[str]]:
    snapshot: dict[str, list[str]] = {}
    for row in account.traits:
        snapshot.setdefault(row.definition.key, []).append(row.value)
    return snapshot


def same_values(current: list[str] | None, values: list[str]) -> bool:
    """Trait values compare as sets: tags in another order are the same tags."""
    return set(current or []) == set(values)


@dataclass(frozen=True)
class Lookups:
    """What applying input needs from the database, loaded once (an import applies thousands of rows)."""

    archetypes: dict[str, Archetype]  # by casefolded name
    definitions: dict[str, TraitDefinition]  # by key

    @classmethod
    def load(cls, session: Session) -> Lookups:
        return cls(archetype_lookup(session), traits.definitions_by_key(session))


def apply_clean(
    session: Session, account: Account, clean: CleanAccount, lookups: Lookups | None = None
) -> dict[str, list[Any]]:
    """Write cleaned input onto `account`; returns the changes columns do not show (archetypes, traits).

    Trait rows whose value stays are kept (a kept tag is neither deleted nor re-added).
    """
    extra: dict[str, list[Any]] = {}
    for name, value in clean.columns.items():
        setattr(account, name, value)
        if name == "name":
            account.name_key = name_key(value)
    if clean.owner_given:
        account.owner_id = _resolve_owner(session, clean.owner)
    if clean.archetypes is None and not clean.traits:
        return extra
    lookups = lookups or Lookups.load(session)
    if clean.archetypes is not None:
        before = [a.name for a in account.archetypes]
        if sorted(before) != sorted(clean.archetypes):
            account.archetypes = [lookups.archetypes[n.casefold()] for n in clean.archetypes]
            extra["archetypes"] = [before, clean.archetypes]
    current = trait_snapshot(account)
    for key, values in clean.traits.items():
        if same_values(current.get(key), values):
            continue
        definition = lookups.definitions[key]
        kept = [t for t in account.traits if t.definition_id != definition.id or t.value in values]
        have = {t.value for t in kept if t.definition_id == definition.id}
        account.traits = kept + [
            AccountTrait(definition=definition, definition_id=definition.id, value=v)
            for v in values
            if v not in have
        ]
        extra[f"trait:{key}"] = [current.get(key) or None, values or None]
    return extra


def _clean(
    session: Session,
    raw: Mapping[str, Any],
    *,
    today: date,
    require_name: bool,
    account: Account | None = None,
) -> CleanAccount:
    """Check the input; archetypes the account already has stay acceptable even when archived since."""
    names = {key: a.name for key, a in archetype_lookup(session).items()}
    if account is not None:
        names |= {a.name.casefold(): a.name for a in account.archetypes}
    clean, problems = clean_account(
        raw,
        today=today,
        archetype_names=names,
        definitions=traits.definitions_by_key(session),
        require_name=require_name,
    )
    if problems:
        raise InvalidFields(problems)
    return clean


def _check_rules(session: Session, account: Account, today: date) -> None:
    problems = _check_unique(session, {"name": account.name, "domain": account.domain}, account.id)
    if problems:
        raise InvalidFields(problems)
    check_stage_dates(StageDates(Stage(account.stage), account.converted_on, account.churned_on), today)


def create_account(
    session: Session, actor: Actor, raw: Mapping[str, Any], *, today: date | None = None
) -> Account:
    today = today or utcnow().date()
    clean = _clean(session, raw, today=today, require_name=True)
    account = Account(stage=Stage.PROSPECT.value, notes="", archetypes=[], traits=[])
    with session.no_autoflush:
        extra = apply_clean(session, account, clean)
        _check_rules(session, account, today)
    audit.log_write(session, actor, account, summary=account.name, extra_changes=extra)
    return account


def record_account(
    session: Session,
    actor: Actor,
    raw: Mapping[str, Any],
    contact_rows: Mapping[int, contacts.ContactInput],
    *,
    today: date | None = None,
) -> Account:
    """Record an account with its first contacts, all or nothing.

    `contact_rows` holds each contact by its position in the input. The account and every row are checked, and
    a row's problems are named `contacts.<position>.<field>`, so one answer lists them all; the caller rolls
    back on the error."""
    problems: list[tuple[str, str]] = []
    account = None
    try:
        account = create_account(session, actor, raw, today=today)
    except ValidationError as error:
        problems += getattr(error, "problems", None) or [(error.field or "", error.message)]
    for position, row in sorted(contact_rows.items()):
        if account is None:
            problems += [(f"contacts.{position}.{f}", m) for f, m in contacts.check_contact(session, row)]
            continue
        try:
            contacts.add_contact(session, actor, account.id, row)
        except ValidationError as error:
            problems += problems_under(f"contacts.{position}", error)
    if problems or account is None:
        raise InvalidFields(problems)
    return account


def update_account(
    session: Session,
    actor: Actor,
    account_id: int,
    raw: Mapping[str, Any],
    *,
    version: int | None,
    today: date | None = None,
) -> Account:
    """Apply the fields in `raw`. `version` is the one the editor read; an older one changes nothing."""
    today = today or utcnow().date()
    account = get_account(session, account_id)
    if version is None:
        raise ValidationError("The record version is missing; reload and try again.", field="version")
    if version != account.version:
        raise StaleEdit(
            f"{account.name} was changed by someone else while you were editing "
            f"(now version {account.version}); nothing was saved. Review their change and apply yours again.",
            current=account_summary(account),
            record=account,
        )
    read_only.check_open(account)
    clean = _clean(session, raw, today=today, require_name=False, account=account)
    lookups = Lookups.load(session)
    lookups.archetypes.update({a.name.casefold(): a for a in account.archetypes})
    with session.no_autoflush:
        extra = apply_clean(session, account, clean, lookups)
        _check_rules(session, account, today)
    if extra:
        account.updated_at = utcnow()  # a change of archetypes or traits alone still bumps the version
    audit.log_write(session, actor, account, summary=account.name, extra_changes=extra)
    return account


def set_archived(session: Session, actor: Actor, account_id: int, *, archived: bool) -> Account:
    """Archive (soft delete) or restore; nothing is ever removed."""
    account = get_account(session, account_id)
    return audit.set_archived(session, actor, account, archived=archived, summary=account.name)


def account_summary(account: Account) -> dict[str, Any]:
    """The account's current values as plain data (for conflict messages and the API)."""
    return {
        "name": account.name,
        "stage": account.stage,
        "domain": account.domain,
        "archetypes": [a.name for a in account.archetypes],
        "version": account.version,
        "updated_at": account.updated_at.isoformat() if account.updated_at else None,
    }


def count_accounts(session: Session) -> int:
    return session.scalar(select(func.count(Account.id)).where(Account.archived_at.is_(None))) or 0
