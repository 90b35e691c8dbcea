"""Early-adopter archetypes."""

from ecp_tracker.web.archetypes.views import bp

__all__ = ["bp"]
