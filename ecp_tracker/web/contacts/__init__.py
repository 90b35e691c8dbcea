"""Contacts at an account."""

from ecp_tracker.web.contacts.views import bp

__all__ = ["bp"]
