"""Roles form a ladder: viewer < editor < admin; each role may do what the roles below it may do."""

from __future__ import annotations

import pytest

from ecp_tracker.domain.roles import Role


def test_role_values_are_the_stored_names():
    assert [role.value for role in Role] == ["viewer", "editor", "admin"]
    assert Role("editor") is Role.EDITOR


def test_ranks_increase_from_viewer_to_admin():
    assert Role.VIEWER.rank < Role.EDITOR.rank < Role.ADMIN.rank


@pytest.mark.parametrize(
    ("role", "needed", "allowed"),
    [
        (Role.VIEWER, Role.VIEWER, True),
        (Role.VIEWER, Role.EDITOR, False),
        (Role.VIEWER, Role.ADMIN, False),
        (Role.EDITOR, Role.VIEWER, True),
        (Role.EDITOR, Role.EDITOR, True),
        (Role.EDITOR, Role.ADMIN, False),
        (Role.ADMIN, Role.VIEWER, True),
        (Role.ADMIN, Role.EDITOR, True),
        (Role.ADMIN, Role.ADMIN, True),
    ],
)
def test_allows_includes_every_lower_role(role, needed, allowed):
    assert role.allows(needed) is allowed


def test_unknown_role_is_refused():
    with pytest.raises(ValueError):
        Role("superuser")


def test_every_role_has_a_label_and_a_description():
    assert [role.label for role in Role] == ["Viewer", "Editor", "Admin"]
    for role in Role:
        assert role.description.strip()
    assert len({role.description for role in Role}) == len(Role)


def test_role_compares_equal_to_its_string_value():
    # Users store the role as a plain string; comparisons against the enum must work.
    assert Role.ADMIN == "admin"
    assert str(Role.VIEWER) == "viewer"
