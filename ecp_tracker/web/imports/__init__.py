"""Importing accounts from CSV files."""

from ecp_tracker.web.imports.views import bp

__all__ = ["bp"]
