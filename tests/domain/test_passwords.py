"""Password rules: length bounds and no leading or trailing spaces."""

from __future__ import annotations

import pytest

from ecp_tracker.domain.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, password_problem


def test_minimum_is_at_least_ten_characters():
    assert MIN_PASSWORD_LENGTH >= 10
    assert MAX_PASSWORD_LENGTH > MIN_PASSWORD_LENGTH


@pytest.mark.parametrize(
    "password",
    [
        "a" * MIN_PASSWORD_LENGTH,
        "a" * MAX_PASSWORD_LENGTH,
        "correct horse battery",
        "pässwörter-mit-umlauten",
    ],
)
def test_acceptable_passwords(password):
    assert password_problem(password) is None


def test_one_character_too_short_is_refused():
    problem = password_problem("a" * (MIN_PASSWORD_LENGTH - 1))
    assert problem is not None
    assert str(MIN_PASSWORD_LENGTH) in problem


def test_empty_password_is_refused():
    assert password_problem("") is not None


def test_one_character_too_long_is_refused():
    problem = password_problem("a" * (MAX_PASSWORD_LENGTH + 1))
    assert problem is not None
    assert str(MAX_PASSWORD_LENGTH) in problem


@pytest.mark.parametrize("password", [" leading-space-pw", "trailing-space-pw ", "\ttabbed-password"])
def test_leading_or_trailing_whitespace_is_refused(password):
    problem = password_problem(password)
    assert problem is not None
    assert "space" in problem


def test_inner_spaces_are_fine():
    assert password_problem("four words with spaces") is None
