"""/api/v1/users (admin): list, create, read and change users."""

from __future__ import annotations

from flask_smorest import Blueprint

from ecp_tracker.api.schemas.common import PageArgsSchema
from ecp_tracker.api.schemas.users import (
    UserCreateSchema,
    UserPageSchema,
    UserPatchSchema,
    UserSchema,
)
from ecp_tracker.db import get_session
from ecp_tracker.domain.roles import Role
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.users import users

bp = Blueprint(
    "api_users", __name__, url_prefix="/api/v1/users", description="Users of the workspace (admin)"
)


@bp.route("")
@permission(Role.ADMIN)
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, UserPageSchema)
def list_users(args):
    """List users, oldest first"""
    return users.page_users(get_session(), page=args["page"], per_page=args["per_page"])


@bp.route("", methods=["POST"])
@permission(Role.ADMIN)
@bp.arguments(UserCreateSchema)
@bp.response(201, UserSchema)
def create_user(data):
    """Add a user with an initial password"""
    session = get_session()
    user = users.create_user(session, current_actor(), **data)
    session.commit()
    return user


@bp.route("/<int:user_id>")
@permission(Role.ADMIN)
@bp.response(200, UserSchema)
def get_user(user_id: int):
    """One user"""
    return users.get_user(get_session(), user_id)


@bp.route("/<int:user_id>", methods=["PATCH"])
@permission(Role.ADMIN)
@bp.arguments(UserPatchSchema)
@bp.response(200, UserSchema)
def patch_user(data, user_id: int):
    """Change name, role or active; `version` must be the one you read (409 if someone changed it since)"""
    session = get_session()
    user = users.update_user(session, current_actor(), user_id, **data)
    session.commit()
    return user
