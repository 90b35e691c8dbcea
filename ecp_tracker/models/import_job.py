"""A job on an uploaded CSV: an account import (checked, then written) or a prospect list scored against an
ICP version (read, scored into a result file, nothing stored). The stored file, its report and its outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecp_tracker.models.base import Base, Timestamped, UTCDateTime
from ecp_tracker.models.user import User


class ImportJob(Timestamped, Base):
    """kind `accounts`: checking -> checked (or refused) -> importing -> done (or failed).
    kind `prospects`: scoring -> done (or failed), the scored rows in a result file beside the upload."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    stored_name: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(
        String(20), nullable=False, default="accounts", server_default="accounts"
    )
    icp_version_id: Mapped[int | None] = mapped_column(ForeignKey("icp_versions.id"))  # kind `prospects`
    preset: Mapped[str] = mapped_column(String(20), nullable=False, default="auto")
    date_format: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="checking")
    # columns mapped by hand on the check page: header -> field ("" = ignore), overriding the preset
    columns: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False, default=dict)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    user: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def running(self) -> bool:
        return self.status in {"checking", "importing", "scoring"}
