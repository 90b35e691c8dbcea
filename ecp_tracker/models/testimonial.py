"""Testimonials with their consent, tags, status steps and edits; collection requests (public links), the
usage log, and collections (the named public walls)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecp_tracker.models.account import Account, Contact
from ecp_tracker.models.base import Base, Timestamped, UTCDateTime, utcnow
from ecp_tracker.models.user import User


class Testimonial(Timestamped, Base):
    """Customer evidence: a quote, case study, video link, review, logo permission or reference availability.

    `original_body` keeps the customer's own words as they arrived; `body` is the text in use, which may have
    been edited (each edit is a TestimonialRevision). The consent columns record what the customer agreed to,
    with the statement exactly as it was shown to them.
    """

    __test__ = False  # a model, not a pytest test class

    __tablename__ = "testimonials"
    __table_args__ = (
        Index("ix_testimonials_status_scope", "status", "consent_scope"),
        Index("ix_testimonials_consent_expires_on", "consent_expires_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False, index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="quote")
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    original_body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    rating: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    media_url: Mapped[str | None] = mapped_column(String(500))
    author_name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    author_title: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="requested")
    consent_scope: Mapped[str] = mapped_column(String(20), nullable=False, default="internal")
    consent_statement: Mapped[str] = mapped_column(Text, nullable=False, default="")
    consented_by: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    consented_on: Mapped[date | None] = mapped_column(Date)
    consent_expires_on: Mapped[date | None] = mapped_column(Date)
    consent_withdrawn_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    account: Mapped[Account] = relationship()
    contact: Mapped[Contact | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    tags: Mapped[list[TestimonialTag]] = relationship(
        back_populates="testimonial", order_by="TestimonialTag.id", cascade="all, delete-orphan"
    )
    steps: Mapped[list[TestimonialStep]] = relationship(
        back_populates="testimonial", order_by="TestimonialStep.id"
    )
    revisions: Mapped[list[TestimonialRevision]] = relationship(
        back_populates="testimonial", order_by="TestimonialRevision.id"
    )
    usages: Mapped[list[TestimonialUsage]] = relationship(
        back_populates="testimonial", order_by="TestimonialUsage.used_on.desc()"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def edited(self) -> bool:
        return self.body != self.original_body and bool(self.original_body)

    def tag_names(self, kind: str | None = None) -> list[str]:
        return [t.name for t in self.tags if kind is None or t.kind == kind]


class TestimonialTag(Base):
    """A use case (`use_case`) or theme (`theme`) a testimonial speaks to; `key` is the name in lower case."""

    __test__ = False  # a model, not a pytest test class

    __tablename__ = "testimonial_tags"
    __table_args__ = (UniqueConstraint("testimonial_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    testimonial_id: Mapped[int] = mapped_column(ForeignKey("testimonials.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    key: Mapped[str] = mapped_column(String(80), nullable=False, index=True)

    testimonial: Mapped[Testimonial] = relationship(back_populates="tags")


class TestimonialStep(Base):
    """One step of the workflow: who moved the testimonial from which status to which, and when."""

    __test__ = False  # a model, not a pytest test class

    __tablename__ = "testimonial_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    testimonial_id: Mapped[int] = mapped_column(ForeignKey("testimonials.id"), nullable=False, index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    by_label: Mapped[str] = mapped_column(String(254), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    testimonial: Mapped[Testimonial] = relationship(back_populates="steps")
    by: Mapped[User | None] = relationship()


class TestimonialRevision(Base):
    """An edit of a testimonial's text: the text before and after, why, who and when."""

    __test__ = False  # a model, not a pytest test class

    __tablename__ = "testimonial_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    testimonial_id: Mapped[int] = mapped_column(ForeignKey("testimonials.id"), nullable=False, index=True)
    old_body: Mapped[str] = mapped_column(Text, nullable=False)
    new_body: Mapped[str] = mapped_column(Text, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    edited_by_label: Mapped[str] = mapped_column(String(254), nullable=False)
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    testimonial: Mapped[Testimonial] = relationship(back_populates="revisions")
    edited_by: Mapped[User | None] = relationship()


class TestimonialRequest(Timestamped, Base):
    """A collection link sent to a customer. Only the SHA-256 of the link's token is stored."""

    __test__ = False  # a model, not a pytest test class

    __tablename__ = "testimonial_requests"
    __table_args__ = (Index("ix_testimonial_requests_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False, index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    testimonial_id: Mapped[int | None] = mapped_column(ForeignKey("testimonials.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="quote")
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="created")
    single_use: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    link_made_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submissions: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reminders: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    account: Mapped[Account] = relationship()
    contact: Mapped[Contact | None] = relationship()
    testimonial: Mapped[Testimonial | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class TestimonialUsage(Base):
    """Where and when a testimonial was used (website, sales deck, ad, ...)."""

    __test__ = False  # a model, not a pytest test class

    __tablename__ = "testimonial_usages"
    __table_args__ = (Index("ix_testimonial_usages_used_on", "used_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    testimonial_id: Mapped[int] = mapped_column(ForeignKey("testimonials.id"), nullable=False, index=True)
    channel: Mapped[str] = mapped_column(String(20), nullable=False)
    place: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    used_on: Mapped[date] = mapped_column(Date, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    testimonial: Mapped[Testimonial] = relationship(back_populates="usages")
    recorded_by: Mapped[User | None] = relationship()


class Collection(Timestamped, Base):
    """A named public wall (`/wall/<slug>`): the published, consented testimonials with any of its tags."""

    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    intro: Mapped[str] = mapped_column(Text, nullable=False, default="")
    tags: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}
