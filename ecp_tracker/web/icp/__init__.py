"""ICP versions, the re-tier preview, prospect-list scoring and the one-page ICP."""

from ecp_tracker.web.icp.views import bp

__all__ = ["bp"]
