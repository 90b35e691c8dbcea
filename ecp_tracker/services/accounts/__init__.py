"""Accounts and what describes them: fields, archetypes, traits, contacts, lists, saved views, CSV."""
