"""GET /api/v1/me: the user the token belongs to."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from ecp_tracker.api.schemas.users import UserSchema
from ecp_tracker.domain.roles import Role
from ecp_tracker.permissions import permission

bp = Blueprint("api_me", __name__, url_prefix="/api/v1/me", description="The calling user")


@bp.route("")
@permission(Role.VIEWER)
@bp.response(200, UserSchema)
def me():
    """The user the token belongs to, with their role"""
    return g.user
