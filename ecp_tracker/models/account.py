"""Accounts (early customers), their archetypes, contacts, and users' saved list views."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecp_tracker.models.base import Base, Timestamped, UTCDateTime
from ecp_tracker.models.trait import AccountTrait
from ecp_tracker.models.user import User

account_archetypes = Table(
    "account_archetypes",
    Base.metadata,
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("archetype_id", ForeignKey("archetypes.id"), primary_key=True, index=True),
)


class Archetype(Timestamped, Base):
    """An early-adopter type. Five are built in; admins edit them and add more."""

    __tablename__ = "archetypes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    builtin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class Account(Timestamped, Base):
    """An early customer company (or prospect)."""

    __tablename__ = "accounts"
    __table_args__ = (
        Index("ix_accounts_stage", "stage"),
        Index("ix_accounts_industry", "industry"),
        Index("ix_accounts_acquisition_channel", "acquisition_channel"),
        Index("ix_accounts_archived_name", "archived_at", "name_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # casefolded, whitespace-collapsed name: names are unique regardless of case
    name_key: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    domain: Mapped[str | None] = mapped_column(String(253), unique=True)
    industry: Mapped[str | None] = mapped_column(String(120))
    employees: Mapped[int | None] = mapped_column(Integer, index=True)
    annual_revenue: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    founded_year: Mapped[int | None] = mapped_column(Integer)
    country: Mapped[str | None] = mapped_column(String(80), index=True)
    region: Mapped[str | None] = mapped_column(String(80), index=True)
    acquisition_channel: Mapped[str | None] = mapped_column(String(80))
    stage: Mapped[str] = mapped_column(String(16), nullable=False, default="prospect")
    converted_on: Mapped[date | None] = mapped_column(Date)
    churned_on: Mapped[date | None] = mapped_column(Date)
    contract_value: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    nps: Mapped[int | None] = mapped_column(Integer)
    referrals: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    owner: Mapped[User | None] = relationship()
    archetypes: Mapped[list[Archetype]] = relationship(secondary=account_archetypes, order_by=Archetype.name)
    traits: Mapped[list[AccountTrait]] = relationship(cascade="all, delete-orphan", order_by=AccountTrait.id)
    contacts: Mapped[list[Contact]] = relationship(back_populates="account", order_by="Contact.name")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Contact(Timestamped, Base):
    """A person at an account, with their part in the decision-making unit."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254))
    title: Mapped[str | None] = mapped_column(String(120))
    dmu_role: Mapped[str] = mapped_column(String(20), nullable=False)
    archetype_id: Mapped[int | None] = mapped_column(ForeignKey("archetypes.id"))
    is_champion: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    account: Mapped[Account] = relationship(back_populates="contacts")
    archetype: Mapped[Archetype | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class SavedView(Timestamped, Base):
    """A named set of account-list filters, per user."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
