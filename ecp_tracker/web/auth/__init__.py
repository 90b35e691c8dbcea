"""Sign-in, sign-out and first-run setup."""

from ecp_tracker.web.auth.views import bp

__all__ = ["bp"]
