"""Personal API tokens: created by their owner, shown once, stored hashed, revocable."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import NotFound, ValidationError
from ecp_tracker.models import ApiToken, User
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.shared import audit

TOKEN_PREFIX = "ecp_"  # noqa: S105 (a marker, not a secret)
MAX_ACTIVE_TOKENS = 20
MAX_NAME_LENGTH = 80


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, actor: Actor, user: User, *, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the record and the plain token, which is never stored."""
    name = name.strip()
    if not name:
        raise ValidationError("Give the token a name, e.g. where it will be used.", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(f"Use at most {MAX_NAME_LENGTH} characters.", field="name")
    if not user.active:
        raise ValidationError(f"{user.email} is deactivated; activate the user first.", field="email")
    active = session.scalar(
        select(func.count(ApiToken.id)).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )
    if (active or 0) >= MAX_ACTIVE_TOKENS:
        raise ValidationError(f"At most {MAX_ACTIVE_TOKENS} active tokens; revoke one first.", field="name")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=digest(plain), prefix=plain[:10])
    audit.log_write(session, actor, token, summary=f"{name} for {user.email}")
    return token, plain


def list_tokens(session: Session, user: User) -> Sequence[ApiToken]:
    stmt = (
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id)
    )
    return session.scalars(stmt).all()


def revoke_token(session: Session, actor: Actor, user: User, token_id: int) -> ApiToken:
    """Revoke one of `user`'s own tokens; a token of someone else's is reported as not found."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("You have no token with that id.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.log_write(session, actor, token, action="revoke", summary=token.name)
    return token


def user_for_token(session: Session, plain: str) -> User | None:
    """The active owner of a valid, unrevoked token, or None."""
    if not plain.startswith(TOKEN_PREFIX):
        return None
    stmt = select(ApiToken).where(ApiToken.token_hash == digest(plain), ApiToken.revoked_at.is_(None))
    token = session.scalar(stmt)
    if token is None or not token.user.active:
        return None
    return token.user
