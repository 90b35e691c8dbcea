"""Your profile: password and personal API tokens."""

from ecp_tracker.web.profile.views import bp

__all__ = ["bp"]
