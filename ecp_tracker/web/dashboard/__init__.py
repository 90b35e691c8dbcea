"""The home page."""

from ecp_tracker.web.dashboard.views import bp

__all__ = ["bp"]
