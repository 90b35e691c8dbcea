"""The monthly ECP-to-ICP review: the list with the next review due, and one review's meeting page."""

from ecp_tracker.web.reviews.views import bp

__all__ = ["bp"]
