"""Custom trait definitions (admin)."""

from ecp_tracker.web.traits.views import bp

__all__ = ["bp"]
