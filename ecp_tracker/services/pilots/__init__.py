"""Pilots with pre-registered criteria, the pilot board, discounts and the give-to-get ledger, export."""
