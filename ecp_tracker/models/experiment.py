"""Experiments: a campaign aimed at a target against a randomised holdout, its arms per account, and the
amendments of its pre-registered terms."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecp_tracker.models.account import Account
from ecp_tracker.models.base import Base, Timestamped, UTCDateTime, utcnow
from ecp_tracker.models.user import User


class Experiment(Timestamped, Base):
    """status: draft -> running -> finished. The columns hypothesis, metric, min_lift and holdout_share are
    the registered values once started (frozen_at set); later changes are ExperimentAmendment rows."""

    __tablename__ = "experiments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    hypothesis: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft", index=True)
    target_kind: Mapped[str] = mapped_column(String(8), nullable=False)  # tier | view
    target_tier: Mapped[str | None] = mapped_column(String(40))
    # a saved view is its user's shortcut and may be deleted or overwritten: no foreign key, and the filters
    # it held when the arms were drawn are kept in target_filters
    target_view_id: Mapped[int | None] = mapped_column(Integer)
    target_filters: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    target_label: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    metric: Mapped[str] = mapped_column(String(16), nullable=False)
    custom_metric: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    min_lift: Mapped[Decimal] = mapped_column(Numeric(7, 4), nullable=False)
    holdout_share: Mapped[Decimal] = mapped_column(Numeric(7, 4), nullable=False)
    baseline_rate: Mapped[Decimal] = mapped_column(Numeric(7, 4), nullable=False)
    stratify_by: Mapped[str | None] = mapped_column(String(40))
    planned_end: Mapped[date] = mapped_column(Date, nullable=False)
    seed: Mapped[int | None] = mapped_column(BigInteger)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_on: Mapped[date | None] = mapped_column(Date)
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    owner: Mapped[User | None] = relationship()
    arms: Mapped[list[ExperimentArm]] = relationship(
        back_populates="experiment", order_by="ExperimentArm.account_id"
    )
    amendments: Mapped[list[ExperimentAmendment]] = relationship(
        back_populates="experiment", order_by="ExperimentAmendment.id"
    )

    __mapper_args__ = {"version_id_col": version}


class ExperimentArm(Base):
    """One account's arm, drawn at the start and never redrawn; `outcome` is the custom yes/no when the metric
    is custom (None until recorded)."""

    __tablename__ = "experiment_arms"
    __table_args__ = (UniqueConstraint("experiment_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id"), nullable=False)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False, index=True)
    arm: Mapped[str] = mapped_column(String(8), nullable=False)  # target | holdout
    stratum: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    outcome: Mapped[bool | None] = mapped_column(Boolean)
    outcome_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    experiment: Mapped[Experiment] = relationship(back_populates="arms")
    account: Mapped[Account] = relationship()

    __mapper_args__ = {"version_id_col": version}


class ExperimentAmendment(Base):
    """A change to a frozen term, with its reason: the registered value stays in the experiment's column."""

    __tablename__ = "experiment_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id"), nullable=False, index=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    amended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    amended_by_label: Mapped[str] = mapped_column(String(254), nullable=False)
    amended_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    experiment: Mapped[Experiment] = relationship(back_populates="amendments")
    amended_by: Mapped[User | None] = relationship()
