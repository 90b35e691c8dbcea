"""Experiment pages: the list, a new experiment, and one experiment's page (its terms, the sample-size line,
start, amendments, custom outcomes, results per arm with the verdict, finish, the arms as CSV)."""

from ecp_tracker.web.experiments.views import bp

__all__ = ["bp"]
