"""ICP versions and their criteria: a dated, versioned profile that every account is scored against."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecp_tracker.models.base import Base, Timestamped, UTCDateTime


class IcpVersion(Timestamped, Base):
    """A version of the ICP: `draft` (editable) -> `active` (exactly one) -> `retired`; frozen once active."""

    __tablename__ = "icp_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    narrative: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft", index=True)
    # [{"name": "A", "min_score": 60}, ...] from the highest threshold down
    tiers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    criteria: Mapped[list[IcpCriterion]] = relationship(
        back_populates="icp_version", order_by="IcpCriterion.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class IcpCriterion(Base):
    """A trait value (or a number range) worth `points`, or an exclusion, with the evidence it rests on."""

    __tablename__ = "icp_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    icp_version_id: Mapped[int] = mapped_column(ForeignKey("icp_versions.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    trait: Mapped[str] = mapped_column(String(80), nullable=False)
    value: Mapped[str | None] = mapped_column(String(200))
    min_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    max_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    points: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    exclude: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # the analysis result for this trait value when the criterion was added (rates, odds ratio, q, date, ...)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # the review decision that put it here (None: added by hand or from the analysis page)
    graduation_decision_id: Mapped[int | None] = mapped_column(ForeignKey("review_decisions.id"))

    icp_version: Mapped[IcpVersion] = relationship(back_populates="criteria")


class IcpScore(Base):
    """An account's score against the active version, stored so the list can filter by tier and sort by score
    through an index. Written only set-wise by `services/icp/scoring.refresh_scores` (never by the ORM): every
    account has exactly one row while a version is active, none when no version is."""

    __tablename__ = "icp_scores"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # the version's number
    score: Mapped[int] = mapped_column(Integer, nullable=False)
    tier: Mapped[str] = mapped_column(String(20), nullable=False)
    # the ids of the matched criteria that count (points or an exclusion), each after a space: " 12 15"
    matched: Mapped[str] = mapped_column(Text, nullable=False, default="")

    # the account's archived_at is set: kept in step by the same refresh, so a tier's live accounts are
    # counted from this table alone (ix_icp_scores_tier_archived)
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())

    __table_args__ = (
        Index("ix_icp_scores_tier_score", "tier", "score"),
        Index("ix_icp_scores_tier_archived", "tier", "archived"),
    )
