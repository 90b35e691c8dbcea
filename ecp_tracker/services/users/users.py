"""Users: creation, sign-in, roles, deactivation and passwords."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import NotFound, PermissionDenied, StaleEdit, ValidationError
from ecp_tracker.domain.passwords import password_problem
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import ApiToken, User
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.shared import audit
from ecp_tracker.services.shared.emails import email_problem, normalize_email
from ecp_tracker.services.shared.pagination import Page, paginate


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
    Made on first use, not at import: hashing takes a fifth of a second of every process's start."""
    return generate_password_hash("not-a-real-password-0123456789")


def _parse_role(role: str | Role) -> Role:
    try:
        return Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise ValidationError(f"Role must be one of {allowed}.", field="role") from None


def _check_password(password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise ValidationError(problem, field="password")


def count_users(session: Session) -> int:
    return session.scalar(select(func.count(User.id))) or 0


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"There is no user with id {user_id}.")
    return user


def list_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.active.desc(), User.name)).all()


def page_users(session: Session, *, page: int, per_page: int) -> Page[User]:
    return paginate(session, select(User).order_by(User.id), page=page, per_page=per_page)


def create_user(
    session: Session, actor: Actor, *, email: str, name: str, role: str | Role, password: str
) -> User:
    email = normalize_email(email)
    name = name.strip()
    problem = email_problem(email)
    if problem:
        raise ValidationError(problem, field="email")
    if not name:
        raise ValidationError("Enter a name.", field="name")
    parsed_role = _parse_role(role)
    _check_password(password)
    if find_by_email(session, email) is not None:
        raise ValidationError(f"A user with the e-mail {email} already exists.", field="email")
    user = User(
        email=email,
        name=name,
        role=parsed_role.value,
        password_hash=generate_password_hash(password),
        active=True,
        session_version=1,
    )
    audit.log_write(session, actor, user, summary=f"{email} ({parsed_role.value})")
    return user


def create_first_admin(session: Session, *, email: str, name: str, password: str) -> User:
    """First-run setup: only possible while the workspace has no user at all."""
    if count_users(session) > 0:
        raise PermissionDenied("The workspace already has users; ask an admin for an account.")
    return create_user(
        session, Actor.system("first-run setup"), email=email, name=name, role=Role.ADMIN, password=password
    )


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same answer for every kind of failure)."""
    user = find_by_email(session, email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def record_login(session: Session, user: User) -> None:
    """Note the sign-in. A plain UPDATE, so the user's version (optimistic lock) is not bumped by it."""
    now = utcnow()
    old = user.last_login_at
    session.execute(update(User).where(User.id == user.id).values(last_login_at=now))
    session.expire(user, ["last_login_at"])
    audit.log_event(
        session,
        Actor(user.id, user.email),
        entity="user",
        entity_id=user.id,
        action="login",
        changes={"last_login_at": [old.isoformat() if old else None, now.isoformat()]},
        summary=user.email,
    )


def load_session_user(session: Session, session_id: str) -> User | None:
    """The user a login cookie names (`<id>:<session_version>`), if active and not signed out since."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()):
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def end_sessions(session: Session, user: User) -> None:
    """Sign the user out everywhere: every session and remember cookie names the old session version.

    A plain UPDATE, like `record_login`, so an admin editing this user at the same time sees no conflict.
    """
    session.execute(update(User).where(User.id == user.id).values(session_version=User.session_version + 1))
    session.expire(user, ["session_version"])
    audit.log_event(
        session,
        Actor(user.id, user.email),
        entity="user",
        entity_id=user.id,
        action="logout",
        changes={},
        summary=user.email,
    )


def _revoke_all_tokens(session: Session, actor: Actor, user: User) -> None:
    """Deactivation revokes every API token for good: reactivating the user does not revive them."""
    now = utcnow()
    for token in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
        audit.log_write(session, actor, token, action="revoke", summary=f"{user.email}: {token.name}")


def _active_admins(session: Session) -> int:
    stmt = select(func.count(User.id)).where(User.role == Role.ADMIN.value, User.active.is_(True))
    return session.scalar(stmt) or 0


def update_user(
    session: Session,
    actor: Actor,
    user_id: int,
    *,
    version: int | None,
    name: str | None = None,
    role: str | Role | None = None,
    active: bool | None = None,
) -> User:
    """Change a user's name, role or active flag. `version` is the one the editor saw (optimistic locking)."""
    user = get_user(session, user_id)
    if version is None:
        raise ValidationError("The record version is missing; reload and try again.", field="version")
    if user.version != version:
        raise StaleEdit(
            f"{user.name} was changed by someone else while you were editing; nothing was saved. "
            f"Current values: role {user.role}, {'active' if user.active else 'deactivated'}.",
            current={"name": user.name, "role": user.role, "active": user.active, "version": user.version},
            record=user,
        )
    new_role = _parse_role(role) if role is not None else user.role_enum
    new_active = user.active if active is None else active
    loses_admin = user.role == Role.ADMIN.value and user.active and (new_role != Role.ADMIN or not new_active)
    if loses_admin and _active_admins(session) <= 1:
        raise ValidationError("This is the last active admin; make someone else admin first.", field="role")
    if actor.user_id == user.id and not new_active:
        raise ValidationError("You cannot deactivate yourself.", field="active")
    if name is not None:
        if not name.strip():
            raise ValidationError("Enter a name.", field="name")
        user.name = name.strip()
    user.role = new_role.value
    action = "update"
    if new_active != user.active:
        action = "reactivate" if new_active else "deactivate"
        user.active = new_active
        if not new_active:
            user.session_version += 1
    audit.log_write(session, actor, user, action=action, summary=user.email)
    if action == "deactivate":
        _revoke_all_tokens(session, actor, user)
    return user


def change_password(session: Session, actor: Actor, user: User, *, current: str, new: str) -> None:
    """Set a new password after checking the current one; signs the user out of every other session."""
    if not check_password_hash(user.password_hash, current):
        raise ValidationError("The current password is not correct.", field="current_password")
    _check_password(new)
    user.password_hash = generate_password_hash(new)
    user.session_version += 1
    audit.log_write(session, actor, user, action="change_password", summary=user.email)
