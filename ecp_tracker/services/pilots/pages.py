"""Read-only helpers the pilot and account pages need beyond the pilot and discount services: a pilot's
discounts and the records behind an account's timeline.

Every function issues a fixed number of SQL statements whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import String, cast, literal, select, union_all
from sqlalchemy.orm import Session, joinedload, selectinload

from ecp_tracker.models import CriterionAmendment, Discount, GiveGet, Milestone, Pilot, SuccessCriterion


def discounts_of_pilot(session: Session, pilot_id: int) -> Sequence[Discount]:
    """The discounts granted for one pilot, with their promises (two queries)."""
    stmt = (
        select(Discount)
        .where(Discount.pilot_id == pilot_id)
        .options(selectinload(Discount.promises), joinedload(Discount.granted_by))
        .order_by(Discount.starts_on.desc(), Discount.id.desc())
    )
    return session.scalars(stmt).all()


def _entity(name: str):
    return cast(literal(name), String(32)).label("entity")


def account_records(session: Session, account_id: int) -> dict[str, list[str]]:
    """{audit entity: [ids]} of an account's pilots, criteria, amendments, milestones, discounts and promises,
    for `audit.timeline` (one query)."""
    pilots = select(Pilot.id).where(Pilot.account_id == account_id)
    discounts = select(Discount.id).where(Discount.account_id == account_id)

    parts = [
        select(_entity("pilot"), Pilot.id).where(Pilot.account_id == account_id),
        select(_entity("success_criterion"), SuccessCriterion.id).where(
            SuccessCriterion.pilot_id.in_(pilots)
        ),
        select(_entity("criterion_amendment"), CriterionAmendment.id)
        .join(SuccessCriterion, SuccessCriterion.id == CriterionAmendment.criterion_id)
        .where(SuccessCriterion.pilot_id.in_(pilots)),
        select(_entity("milestone"), Milestone.id).where(Milestone.pilot_id.in_(pilots)),
        select(_entity("discount"), Discount.id).where(Discount.account_id == account_id),
        select(_entity("give_get"), GiveGet.id).where(GiveGet.discount_id.in_(discounts)),
    ]
    records: dict[str, list[str]] = {}
    for entity, record_id in session.execute(union_all(*parts)):
        records.setdefault(entity, []).append(str(record_id))
    return records
