"""Saved views: named account-list filter sets, per user."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import NotFound, ValidationError
from ecp_tracker.models import SavedView
from ecp_tracker.services.accounts.listing import AccountFilters
from ecp_tracker.services.shared import audit


def list_views(session: Session, user_id: int) -> Sequence[SavedView]:
    return session.scalars(
        select(SavedView).where(SavedView.user_id == user_id).order_by(SavedView.name)
    ).all()


def save_view(
    session: Session, actor: Actor, user_id: int, *, name: str, filters: AccountFilters
) -> SavedView:
    """Save (or overwrite, by name) this user's view."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Give the view a name.", field="name")
    if len(name) > 80:
        raise ValidationError("Use at most 80 characters.", field="name")
    view = session.scalar(select(SavedView).where(SavedView.user_id == user_id, SavedView.name == name))
    if view is None:
        view = SavedView(user_id=user_id, name=name)
    view.filters = filters.to_query()
    audit.log_write(session, actor, view, summary=name)
    return view


def delete_view(session: Session, actor: Actor, user_id: int, view_id: int) -> SavedView:
    """Saved views are a user's own shortcuts, not data: removing one is allowed (and audited)."""
    view = session.get(SavedView, view_id)
    if view is None or view.user_id != user_id:
        raise NotFound("You have no saved view with that id.")
    audit.log_event(
        session,
        actor,
        entity="saved_view",
        entity_id=view.id,
        action="delete",
        summary=view.name,
        changes={"filters": [view.filters, None]},
    )
    session.delete(view)
    session.flush()
    return view
