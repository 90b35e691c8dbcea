"""Early-adopter archetypes: five built in, editable, more added by admins; headline numbers per archetype."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ecp_tracker.analysis.proportions import Rate, wilson_rate
from ecp_tracker.domain.accounts import CONVERTED_STAGES, DECIDED_STAGES, Stage
from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import NotFound, StaleEdit, ValidationError
from ecp_tracker.models import Account, Archetype, account_archetypes
from ecp_tracker.services.shared import audit

DECIDED = DECIDED_STAGES
CONVERTED = CONVERTED_STAGES


def list_archetypes(session: Session, *, include_archived: bool = False) -> Sequence[Archetype]:
    stmt = select(Archetype).order_by(Archetype.name)
    if not include_archived:
        stmt = stmt.where(Archetype.archived_at.is_(None))
    return session.scalars(stmt).all()


def get_archetype(session: Session, archetype_id: int) -> Archetype:
    archetype = session.get(Archetype, archetype_id)
    if archetype is None:
        raise NotFound(f"There is no archetype with id {archetype_id}.")
    return archetype


def _clean(session: Session, name: str, description: str, archetype_id: int | None) -> tuple[str, str]:
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Enter a name.", field="name")
    if len(name) > 80:
        raise ValidationError("Use at most 80 characters.", field="name")
    clash = session.scalar(select(Archetype).where(func.lower(Archetype.name) == name.casefold()))
    if clash is not None and clash.id != archetype_id:
        raise ValidationError(f"There already is an archetype called {clash.name!r}.", field="name")
    return name, description.strip()


def create_archetype(session: Session, actor: Actor, *, name: str, description: str = "") -> Archetype:
    name, description = _clean(session, name, description, None)
    archetype = Archetype(name=name, description=description, builtin=False)
    audit.log_write(session, actor, archetype, summary=name)
    return archetype


def update_archetype(
    session: Session, actor: Actor, archetype_id: int, *, version: int | None, name: str, description: str
) -> Archetype:
    archetype = get_archetype(session, archetype_id)
    if version is None or version != archetype.version:
        raise StaleEdit(f"{archetype.name} was changed by someone else; reload to see the change.")
    archetype.name, archetype.description = _clean(session, name, description, archetype.id)
    audit.log_write(session, actor, archetype, summary=archetype.name)
    return archetype


def set_archived(session: Session, actor: Actor, archetype_id: int, *, archived: bool) -> Archetype:
    """Archived archetypes stay on their accounts but are no longer offered for new ones."""
    archetype = get_archetype(session, archetype_id)
    return audit.set_archived(session, actor, archetype, archived=archived, summary=archetype.name)


@dataclass(frozen=True)
class ArchetypeStats:
    archetype: Archetype
    accounts: int
    in_pilot: int
    decided: int
    converted: int
    conversion: Rate | None


def archetype_stats(session: Session, archetypes: Sequence[Archetype]) -> list[ArchetypeStats]:
    """Accounts, decided accounts and conversions per archetype, in one aggregate query.

    Conversion counts customers and churned accounts (they converted) among decided accounts
    (customer, churned, lost); prospects and running pilots are not failures yet.
    """
    rows = session.execute(
        select(
            account_archetypes.c.archetype_id,
            func.count(Account.id),
            func.sum(case((Account.stage == Stage.PILOT.value, 1), else_=0)),
            func.sum(case((Account.stage.in_(DECIDED), 1), else_=0)),
            func.sum(case((Account.stage.in_(CONVERTED), 1), else_=0)),
        )
        .join(Account, Account.id == account_archetypes.c.account_id)
        .where(Account.archived_at.is_(None))
        .group_by(account_archetypes.c.archetype_id)
    ).all()
    counts = {row[0]: (row[1], int(row[2] or 0), int(row[3] or 0), int(row[4] or 0)) for row in rows}
    stats = []
    for archetype in archetypes:
        total, in_pilot, decided, converted = counts.get(archetype.id, (0, 0, 0, 0))
        stats.append(
            ArchetypeStats(archetype, total, in_pilot, decided, converted, wilson_rate(converted, decided))
        )
    return stats
