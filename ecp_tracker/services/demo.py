"""The demo workspace of a fictional startup (Northwind Analytics). Loading it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.roles import Role
from ecp_tracker.services import users


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    role: Role
    password: str


DEMO_COMPANY = "Northwind Analytics"
# Demo credentials are public by design: they exist only in a demo workspace loaded by `flask demo`.
DEMO_LOGINS = (
    DemoLogin("admin@northwind.example", "Ada Admin", Role.ADMIN, "demo-admin-pass"),
    DemoLogin("editor@northwind.example", "Eddie Editor", Role.EDITOR, "demo-editor-pass"),
    DemoLogin("viewer@northwind.example", "Vera Viewer", Role.VIEWER, "demo-viewer-pass"),
)


@dataclass(frozen=True)
class DemoReport:
    created: tuple[str, ...]
    existing: tuple[str, ...]


def load_demo(session: Session) -> DemoReport:
    """Create whatever part of the demo workspace is missing; leave existing records untouched."""
    actor = Actor.system("demo loader")
    created: list[str] = []
    existing: list[str] = []
    for login in DEMO_LOGINS:
        if users.find_by_email(session, login.email) is not None:
            existing.append(login.email)
            continue
        users.create_user(
            session, actor, email=login.email, name=login.name, role=login.role, password=login.password
        )
        created.append(login.email)
    return DemoReport(created=tuple(created), existing=tuple(existing))
