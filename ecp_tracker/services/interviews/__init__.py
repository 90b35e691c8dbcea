"""Interviews and their tagged findings, the themes page and the interview export."""
