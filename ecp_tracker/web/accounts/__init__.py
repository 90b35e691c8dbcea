"""Accounts: the list, an account page, the account form, saved views."""

from ecp_tracker.web.accounts.views import bp

__all__ = ["bp"]
