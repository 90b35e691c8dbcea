"""Experiments: a campaign aimed at an ICP tier or a saved view against a randomised holdout."""
