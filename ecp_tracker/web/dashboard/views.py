"""The home page: the state of the workspace and what to do next."""

from __future__ import annotations

from flask import Blueprint, g, render_template

from ecp_tracker.db import get_session
from ecp_tracker.domain.roles import Role
from ecp_tracker.permissions import permission
from ecp_tracker.services import audit, tokens, users

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.route("/")
@permission(Role.VIEWER)
def index():
    session = get_session()
    team = users.list_users(session)
    by_role = {role: sum(1 for u in team if u.active and u.role == role.value) for role in Role}
    recent = audit.list_events(session, page=1, per_page=8).items if g.user.can(Role.ADMIN) else []
    my_tokens = [t for t in tokens.list_tokens(session, g.user) if not t.is_revoked]
    return render_template(
        "dashboard/index.html",
        by_role=by_role,
        roles=list(Role),
        recent=recent,
        my_token_count=len(my_tokens),
    )
