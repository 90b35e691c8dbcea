"""Custom trait definitions and their values per account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecp_tracker.models.base import Base, Timestamped, UTCDateTime


class TraitDefinition(Timestamped, Base):
    """A trait admins define: boolean, category (with allowed values), number, or tags (e.g. a tech stack)."""

    __tablename__ = "trait_definitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), nullable=False, unique=True)
    label: Mapped[str] = mapped_column(String(120), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    allowed_values: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    externally_observable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class AccountTrait(Base):
    """One value of a custom trait for an account; a tags trait has one row per tag."""

    __tablename__ = "account_traits"
    __table_args__ = (
        UniqueConstraint("account_id", "definition_id", "value"),
        Index("ix_account_traits_definition_value", "definition_id", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    definition_id: Mapped[int] = mapped_column(ForeignKey("trait_definitions.id"), nullable=False)
    value: Mapped[str] = mapped_column(String(200), nullable=False)

    definition: Mapped[TraitDefinition] = relationship(lazy="joined")
