"""Who is acting: recorded on every audit event."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The user (or tool) on whose behalf a write is made."""

    user_id: int | None
    label: str

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        """A write made by a tool rather than a person (the CLI, the demo loader, a migration)."""
        return cls(user_id=None, label=label)
