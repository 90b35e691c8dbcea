"""ORM models, one module per aggregate; importing this package registers every table on Base.metadata."""

from ecp_tracker.models.audit import AuditEvent
from ecp_tracker.models.base import Base
from ecp_tracker.models.user import ApiToken, User

__all__ = ["ApiToken", "AuditEvent", "Base", "User"]
