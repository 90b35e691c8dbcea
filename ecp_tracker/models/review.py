"""The monthly "ECP to ICP" review: a frozen snapshot of the evidence, the meeting's decisions, and the draft
ICP version its graduations produced."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecp_tracker.models.base import Base, Timestamped, UTCDateTime


class Review(Timestamped, Base):
    """status: open -> finalised (immutable). A correction is a new review of the same period that supersedes
    the finalised one (revision 2, 3, ...)."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("period", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), nullable=False, index=True)  # "YYYY-MM"
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    cutoff_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    outcomes: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    snapshot_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    icp_version_id: Mapped[int | None] = mapped_column(ForeignKey("icp_versions.id"))  # in force at opening
    attendees: Mapped[str] = mapped_column(Text, nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    draft_icp_version_id: Mapped[int | None] = mapped_column(ForeignKey("icp_versions.id"))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    decisions: Mapped[list[ReviewDecision]] = relationship(
        back_populates="review", order_by="ReviewDecision.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class ReviewDecision(Timestamped, Base):
    """One candidate's decision: graduate, exclude, defer (with a revisit date) or reject, and why."""

    __tablename__ = "review_decisions"
    __table_args__ = (UniqueConstraint("review_id", "trait", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), nullable=False, index=True)
    trait: Mapped[str] = mapped_column(String(80), nullable=False)
    value: Mapped[str] = mapped_column(String(200), nullable=False)
    decision: Mapped[str] = mapped_column(String(16), nullable=False)
    points: Mapped[int | None] = mapped_column(Integer)  # for `graduate`
    rationale: Mapped[str] = mapped_column(Text, nullable=False, default="")
    deciders: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    revisit_on: Mapped[date | None] = mapped_column(Date)
    recommendation: Mapped[str | None] = mapped_column(String(24))  # the engine's, in the snapshot
    ready: Mapped[str | None] = mapped_column(String(16))  # the repeated-looks rule's
    against_evidence: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    review: Mapped[Review] = relationship(back_populates="decisions")
