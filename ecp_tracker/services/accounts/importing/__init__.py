"""Importing accounts from CSV: presets (which header means which field), checks, writer, upload jobs."""
