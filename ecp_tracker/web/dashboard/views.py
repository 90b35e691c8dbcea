"""The home page: the state of the workspace and what to do next."""

from __future__ import annotations

from flask import Blueprint, Response, g, render_template

from ecp_tracker.db import get_session
from ecp_tracker.domain.roles import Role
from ecp_tracker.extensions import analysis_cache
from ecp_tracker.permissions import permission
from ecp_tracker.services.icp import scoring as icp_scoring
from ecp_tracker.services.pilots import board as pilot_board
from ecp_tracker.services.pilots import discounts
from ecp_tracker.services.reviews.upcoming import upcoming
from ecp_tracker.services.shared import audit
from ecp_tracker.services.testimonials import testimonials
from ecp_tracker.services.users import tokens, users
from ecp_tracker.web.charts import narrow_layout
from ecp_tracker.web.pilots import display
from ecp_tracker.web.pilots.charts import per_month_chart

bp = Blueprint("dashboard", __name__, template_folder="templates")
SHORT_LIST = 5


@bp.route("/")
@permission(Role.VIEWER)
def index():
    session = get_session()
    team = users.list_users(session)
    by_role = {role: sum(1 for u in team if u.active and u.role == role.value) for role in Role}
    recent = (  # what changed; sign-ins are on Admin → Audit trail
        audit.list_events(session, exclude_actions=("login", "logout"), page=1, per_page=8).items
        if g.user.can(Role.ADMIN)
        else []
    )
    my_tokens = [t for t in tokens.list_tokens(session, g.user) if not t.is_revoked]
    today = display.today()
    overdue_promises = discounts.page_promises(session, overdue_only=True, per_page=SHORT_LIST, today=today)
    icp = icp_scoring.active_version(session)
    return render_template(
        "dashboard/index.html",
        by_role=by_role,
        roles=list(Role),
        recent=recent,
        my_token_count=len(my_tokens),
        counts=pilot_board.pilot_counts(session, today),
        evidence=testimonials.dashboard_counts(session, today),
        overdue_promise_count=overdue_promises.total,
        granted_this_month=discounts.value_granted_between(
            session, display.month_start(today), display.next_month_start(today)
        ),
        ending_soon=pilot_board.due_pilots(session, "soon", limit=SHORT_LIST, today=today),
        overdue=pilot_board.due_pilots(session, "overdue", limit=SHORT_LIST, today=today),
        overdue_promises=overdue_promises.items,
        icp=icp,
        icp_counts=icp_scoring.tier_counts(session, icp) if icp else {},
        next_review=upcoming(session, today, analysis_cache()),
        today=today,
    )


@bp.route("/charts/pilots-per-month.svg")
@permission(Role.VIEWER)
def pilots_per_month_chart():
    counts = pilot_board.pilots_per_month(get_session(), today=display.today())
    svg = per_month_chart(counts, narrow=narrow_layout())
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=60"})
