"""/api/v1/accounts: list with filters, create, read, update (with version), archive, contacts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask_smorest import Blueprint

from ecp_tracker.api.schemas.accounts import (
    AccountCreateSchema,
    AccountListArgsSchema,
    AccountPageSchema,
    AccountPatchSchema,
    AccountSchema,
    ContactPatchSchema,
    ContactSchema,
)
from ecp_tracker.db import get_session
from ecp_tracker.domain.accounts import revenue_band, size_band
from ecp_tracker.domain.errors import DomainError, InvalidFields
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Account
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.accounts import accounts, contacts
from ecp_tracker.services.accounts.contacts import ContactInput
from ecp_tracker.services.accounts.listing import AccountFilters, list_accounts
from ecp_tracker.services.accounts.vocabulary import custom_trait_key, is_custom_trait
from ecp_tracker.services.icp.scoring import AccountScore, account_scores
from ecp_tracker.services.shared.pagination import Page

bp = Blueprint("api_accounts", __name__, url_prefix="/api/v1/accounts", description="Early customer accounts")


def account_out(account: Account, score: AccountScore | None = None) -> dict[str, Any]:
    traits: dict[str, Any] = {}
    for row in account.traits:
        if row.definition.kind == "tags":
            traits.setdefault(row.definition.key, []).append(row.value)
        else:
            traits[row.definition.key] = row.value
    return {
        **{
            column: getattr(account, column)
            for column in AccountSchema._declared_fields
            if hasattr(account, column)
        },
        "size_band": size_band(account.employees),
        "revenue_band": revenue_band(account.annual_revenue),
        "owner": account.owner.email if account.owner else None,
        "archetypes": [a.name for a in account.archetypes],
        "traits": traits,
        "icp": score.to_json() if score is not None else None,
    }


def scored_out(account: Account) -> dict[str, Any]:
    """One account with its ICP score (read in the same request, so it reflects what was just written)."""
    return account_out(account, account_scores(get_session(), [account.id]).get(account.id))


@contextmanager
def body_field_names() -> Iterator[None]:
    """Name fields in errors as the request body does: `owner_id`, `traits.<key>`."""
    try:
        yield
    except DomainError as error:
        problems = getattr(error, "problems", None) or [(error.field, error.message)]
        renamed = [(_body_name(field), message) for field, message in problems]
        if isinstance(error, InvalidFields) or len(renamed) > 1:
            raise InvalidFields(renamed) from error
        error.field = renamed[0][0]
        raise


def _body_name(field: str | None) -> str | None:
    if field == "owner":
        return "owner_id"
    if field and is_custom_trait(field):
        return "traits." + custom_trait_key(field)
    return field


def _raw(data: dict[str, Any]) -> dict[str, Any]:
    """API body -> the account service's input (`owner` by id, traits as `trait:<key>`)."""
    raw = {key: value for key, value in data.items() if key not in {"traits", "owner_id", "version"}}
    if "owner_id" in data:
        raw["owner"] = data["owner_id"]
    for key, value in (data.get("traits") or {}).items():
        raw[f"trait:{key}"] = value
    return raw


@bp.route("")
@permission(Role.VIEWER)
@bp.arguments(AccountListArgsSchema, location="query", as_kwargs=True)
@bp.response(200, AccountPageSchema)
def list_(page: int, per_page: int, filters: AccountFilters):
    """List accounts; filters repeat for several values, custom traits as `trait:<key>=value`"""
    session = get_session()
    result = list_accounts(session, filters, page=page, per_page=per_page)
    accounts.load_traits(session, result.items)
    scores = account_scores(session, [a.id for a in result.items])
    items = [account_out(a, scores.get(a.id)) for a in result.items]
    return Page(items, result.total, result.page, result.per_page)


@bp.route("", methods=["POST"])
@permission(Role.EDITOR)
@bp.arguments(AccountCreateSchema)
@bp.response(201, AccountSchema)
def create(data: dict[str, Any]):
    """Record an account"""
    session = get_session()
    with body_field_names():
        account = accounts.create_account(session, current_actor(), _raw(data))
    session.commit()
    return scored_out(accounts.get_account(session, account.id))


@bp.route("/<int:account_id>")
@permission(Role.VIEWER)
@bp.response(200, AccountSchema)
def get(account_id: int):
    """One account with its archetypes and trait values"""
    return scored_out(accounts.get_account(get_session(), account_id))


@bp.route("/<int:account_id>", methods=["PATCH"])
@permission(Role.EDITOR)
@bp.arguments(AccountPatchSchema)
@bp.response(200, AccountSchema)
def patch(data: dict[str, Any], account_id: int):
    """Change fields; `version` must be the one you read (409 when someone changed it since)"""
    session = get_session()
    with body_field_names():
        accounts.update_account(session, current_actor(), account_id, _raw(data), version=data["version"])
    session.commit()
    return scored_out(accounts.get_account(session, account_id))


@bp.route("/<int:account_id>", methods=["DELETE"])
@permission(Role.EDITOR)
@bp.response(204)
def archive(account_id: int):
    """Archive the account (nothing is deleted; PATCH is not needed to restore: POST .../restore)"""
    session = get_session()
    accounts.set_archived(session, current_actor(), account_id, archived=True)
    session.commit()


@bp.route("/<int:account_id>/restore", methods=["POST"])
@permission(Role.EDITOR)
@bp.response(200, AccountSchema)
def restore(account_id: int):
    """Bring an archived account back"""
    session = get_session()
    accounts.set_archived(session, current_actor(), account_id, archived=False)
    session.commit()
    return scored_out(accounts.get_account(session, account_id))


@bp.route("/<int:account_id>/contacts")
@permission(Role.VIEWER)
@bp.response(200, ContactSchema(many=True))
def list_contacts(account_id: int):
    """The account's active contacts"""
    session = get_session()
    accounts.get_account(session, account_id)
    return contacts.list_contacts(session, account_id)


def _contact_input(data: dict[str, Any]) -> ContactInput:
    return ContactInput(
        name=data.get("name", ""),
        dmu_role=data.get("dmu_role", ""),
        email=data.get("email"),
        title=data.get("title"),
        archetype_id=data.get("archetype_id"),
        is_champion=bool(data.get("is_champion", False)),
    )


@bp.route("/<int:account_id>/contacts", methods=["POST"])
@permission(Role.EDITOR)
@bp.arguments(ContactSchema)
@bp.response(201, ContactSchema)
def add_contact(data: dict[str, Any], account_id: int):
    """Add a contact with their role in the decision-making unit"""
    session = get_session()
    contact = contacts.add_contact(session, current_actor(), account_id, _contact_input(data))
    session.commit()
    return contact


@bp.route("/<int:account_id>/contacts/<int:contact_id>", methods=["PATCH"])
@permission(Role.EDITOR)
@bp.arguments(ContactPatchSchema)
@bp.response(200, ContactSchema)
def patch_contact(data: dict[str, Any], account_id: int, contact_id: int):
    """Change a contact; `version` required"""
    session = get_session()
    contacts.get_contact(session, contact_id, account_id)
    contact = contacts.update_contact(
        session, current_actor(), contact_id, _contact_input(data), version=data["version"]
    )
    session.commit()
    return contact
