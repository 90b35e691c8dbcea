"""Help pages: the product's own docs/ Markdown, rendered in the app."""

from ecp_tracker.web.help.views import bp

__all__ = ["bp"]
