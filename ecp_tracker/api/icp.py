"""/api/v1/icp/versions: ICP versions (list, draft, read, edit a draft, preview the re-tiering, activate)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from ecp_tracker.api.schemas.common import PageArgsSchema
from ecp_tracker.api.schemas.icp import (
    IcpPreviewArgsSchema,
    IcpPreviewSchema,
    IcpVersionPageSchema,
    IcpVersionPatchSchema,
    IcpVersionSchema,
)
from ecp_tracker.db import get_session
from ecp_tracker.domain.roles import Role
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.icp import preview, versions
from ecp_tracker.services.shared.pagination import Page

bp = Blueprint("api_icp", __name__, url_prefix="/api/v1/icp", description="ICP versions, scoring and tiers")


@bp.route("/versions")
@permission(Role.VIEWER)
@bp.arguments(PageArgsSchema, location="query", as_kwargs=True)
@bp.response(200, IcpVersionPageSchema)
def list_versions(page: int, per_page: int):
    """Every ICP version, the newest first"""
    items = versions.list_versions(get_session())
    chunk = items[(page - 1) * per_page : page * per_page]
    return Page([versions.version_json(v) for v in chunk], len(items), page, per_page)


@bp.route("/versions", methods=["POST"])
@permission(Role.EDITOR)
@bp.arguments(IcpVersionSchema)
@bp.response(201, IcpVersionSchema)
def create_version(data: dict[str, Any]):
    """Start a draft version (criteria with points or `exclude`, tiers from the highest minimum score down)"""
    session = get_session()
    version = versions.create_draft(session, current_actor(), data)
    session.commit()
    return versions.version_json(versions.get_version(session, version.id))


@bp.route("/versions/<int:version_id>")
@permission(Role.VIEWER)
@bp.response(200, IcpVersionSchema)
def get_version(version_id: int):
    """One version, with each criterion's evidence"""
    return versions.version_json(versions.get_version(get_session(), version_id))


@bp.route("/versions/<int:version_id>", methods=["PATCH"])
@permission(Role.EDITOR)
@bp.arguments(IcpVersionPatchSchema)
@bp.response(200, IcpVersionSchema)
def patch_version(data: dict[str, Any], version_id: int):
    """Edit a draft (`version` required; an active or retired version never changes: 409)"""
    session = get_session()
    body = {k: v for k, v in data.items() if k != "version"}
    versions.update_draft(session, current_actor(), version_id, body, data["version"])
    session.commit()
    return versions.version_json(versions.get_version(session, version_id))


@bp.route("/versions/<int:version_id>/preview")
@permission(Role.VIEWER)
@bp.arguments(IcpPreviewArgsSchema, location="query", as_kwargs=True)
@bp.response(200, IcpPreviewSchema)
def preview_version(version_id: int, page: int, per_page: int):
    """Current tier x new tier counts, and the accounts that would move (paged) with their reasons"""
    session = get_session()
    version = versions.get_version(session, version_id)
    return preview.preview(session, version, page=page, per_page=per_page).to_json()


@bp.route("/versions/<int:version_id>/activate", methods=["POST"])
@permission(Role.EDITOR)
@bp.response(200, IcpVersionSchema)
def activate_version(version_id: int):
    """Make this version the active one (a retired version: a rollback); the active one retires"""
    session = get_session()
    versions.activate(session, current_actor(), version_id)
    session.commit()
    return versions.version_json(versions.get_version(session, version_id))
