"""Discounts: granting one with what the customer promises in return, and the give-to-get ledger."""

from ecp_tracker.web.discounts.views import bp

__all__ = ["bp"]
