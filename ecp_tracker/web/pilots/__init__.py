"""Pilots: the board, a pilot's page, criteria with amendments, the mutual action plan, CSV export."""

from ecp_tracker.web.pilots.views import bp

__all__ = ["bp"]
