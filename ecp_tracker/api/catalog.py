"""/api/v1/archetypes and /api/v1/traits: the vocabulary accounts are described with."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from ecp_tracker.api.schemas.accounts import (
    ArchetypePatchSchema,
    ArchetypeSchema,
    TraitPatchSchema,
    TraitSchema,
)
from ecp_tracker.db import get_session
from ecp_tracker.domain.roles import Role
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.accounts import archetypes, traits

archetypes_bp = Blueprint(
    "api_archetypes", __name__, url_prefix="/api/v1/archetypes", description="Early-adopter archetypes"
)
traits_bp = Blueprint(
    "api_traits", __name__, url_prefix="/api/v1/traits", description="Custom trait definitions"
)


@archetypes_bp.route("")
@permission(Role.VIEWER)
@archetypes_bp.response(200, ArchetypeSchema(many=True))
def list_archetypes():
    """All archetypes, archived ones included"""
    return archetypes.list_archetypes(get_session(), include_archived=True)


@archetypes_bp.route("", methods=["POST"])
@permission(Role.ADMIN)
@archetypes_bp.arguments(ArchetypeSchema)
@archetypes_bp.response(201, ArchetypeSchema)
def create_archetype(data: dict[str, Any]):
    """Add an archetype"""
    session = get_session()
    archetype = archetypes.create_archetype(session, current_actor(), **data)
    session.commit()
    return archetype


@archetypes_bp.route("/<int:archetype_id>", methods=["PATCH"])
@permission(Role.ADMIN)
@archetypes_bp.arguments(ArchetypePatchSchema)
@archetypes_bp.response(200, ArchetypeSchema)
def patch_archetype(data: dict[str, Any], archetype_id: int):
    """Rename or describe an archetype; `version` required"""
    session = get_session()
    archetype = archetypes.update_archetype(session, current_actor(), archetype_id, **data)
    session.commit()
    return archetype


@traits_bp.route("")
@permission(Role.VIEWER)
@traits_bp.response(200, TraitSchema(many=True))
def list_traits():
    """All trait definitions, archived ones included"""
    return traits.list_definitions(get_session(), include_archived=True)


@traits_bp.route("", methods=["POST"])
@permission(Role.ADMIN)
@traits_bp.arguments(TraitSchema)
@traits_bp.response(201, TraitSchema)
def create_trait(data: dict[str, Any]):
    """Define a trait"""
    session = get_session()
    definition = traits.create_definition(session, current_actor(), **data)
    session.commit()
    return definition


@traits_bp.route("/<int:definition_id>", methods=["PATCH"])
@permission(Role.ADMIN)
@traits_bp.arguments(TraitPatchSchema)
@traits_bp.response(200, TraitSchema)
def patch_trait(data: dict[str, Any], definition_id: int):
    """Change label, allowed values, description or observability; `version` required"""
    session = get_session()
    definition = traits.update_definition(session, current_actor(), definition_id, **data)
    session.commit()
    return definition
