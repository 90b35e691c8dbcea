"""Pilots, their pre-registered success criteria (with amendments) and the mutual action plan."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecp_tracker.models.account import Account
from ecp_tracker.models.base import Base, Timestamped, UTCDateTime, utcnow
from ecp_tracker.models.user import User


class Pilot(Timestamped, Base):
    """A time-boxed trial with an account; its success criteria are agreed before it starts."""

    __tablename__ = "pilots"
    __table_args__ = (
        Index("ix_pilots_status_planned_end", "status", "planned_end_date"),
        Index("ix_pilots_start_date", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    hypothesis: Mapped[str] = mapped_column(Text, nullable=False, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    start_date: Mapped[date | None] = mapped_column(Date)
    planned_end_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="planned")
    list_price: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    pilot_price: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    price_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    outcome: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    contract_value: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    converted_on: Mapped[date | None] = mapped_column(Date)
    criteria_frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    account: Mapped[Account] = relationship()
    owner: Mapped[User | None] = relationship()
    criteria: Mapped[list[SuccessCriterion]] = relationship(
        back_populates="pilot", order_by="SuccessCriterion.position"
    )
    milestones: Mapped[list[Milestone]] = relationship(back_populates="pilot", order_by="Milestone.due_on")

    __mapper_args__ = {"version_id_col": version}


class SuccessCriterion(Base):
    """A measurable criterion. Its own columns are the pre-registered values and never change after the
    pilot starts; later changes are CriterionAmendment rows, and the newest amendment's values apply."""

    __tablename__ = "success_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilots.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    metric: Mapped[str] = mapped_column(String(120), nullable=False)
    target: Mapped[Decimal] = mapped_column(Numeric(18, 4), nullable=False)
    unit: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    direction: Mapped[str] = mapped_column(String(10), nullable=False, default="at_least")
    actual: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    met: Mapped[bool | None] = mapped_column()
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    pilot: Mapped[Pilot] = relationship(back_populates="criteria")
    amendments: Mapped[list[CriterionAmendment]] = relationship(
        back_populates="criterion", order_by="CriterionAmendment.id"
    )

    __mapper_args__ = {"version_id_col": version}


class CriterionAmendment(Base):
    """A change to a frozen criterion, with its reason: the original stays as it was registered."""

    __tablename__ = "criterion_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("success_criteria.id"), nullable=False, index=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    amended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    amended_by_label: Mapped[str] = mapped_column(String(254), nullable=False)
    amended_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    criterion: Mapped[SuccessCriterion] = relationship(back_populates="amendments")
    amended_by: Mapped[User | None] = relationship()


class Milestone(Timestamped, Base):
    """A step of the mutual action plan, owned by our side or the customer's."""

    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilots.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    side: Mapped[str] = mapped_column(String(10), nullable=False, default="ours")
    owner_name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    done_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    pilot: Mapped[Pilot] = relationship(back_populates="milestones")

    __mapper_args__ = {"version_id_col": version}
