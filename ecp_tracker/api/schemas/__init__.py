"""Marshmallow schemas of the JSON API, one module per area (`common` for what they share).

Field names are the data model's snake_case names.
"""
