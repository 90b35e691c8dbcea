"""User roles and what each may do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A user's role; each role may do everything the roles below it may do."""

    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def allows(self, needed: Role) -> bool:
        """True when a user with this role may do what `needed` is required for."""
        return self.rank >= needed.rank

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


_RANKS = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}
_DESCRIPTIONS = {
    Role.VIEWER: "can read everything in the workspace but change nothing",
    Role.EDITOR: "can record accounts, pilots, discounts and customer evidence",
    Role.ADMIN: "can do everything an editor does, and manage users, settings and the audit trail",
}
