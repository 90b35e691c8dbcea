"""Admin pages: users and the audit trail."""

from ecp_tracker.web.admin.views import bp

__all__ = ["bp"]
