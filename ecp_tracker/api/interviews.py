"""/api/v1/interviews: interviews with their tagged findings (list, read, create, PATCH with version,
DELETE = archive, restore), /api/v1/interviews/{id}/findings, and the themes report."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from ecp_tracker.api.references import account_ref
from ecp_tracker.api.schemas.interviews import (
    FindingCreateSchema,
    FindingPatchSchema,
    FindingSchema,
    InterviewCreateSchema,
    InterviewListArgsSchema,
    InterviewPageSchema,
    InterviewPatchSchema,
    InterviewSchema,
    ThemeArgsSchema,
    ThemeReportSchema,
)
from ecp_tracker.db import get_session
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Interview, InterviewFinding
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.interviews import interviews
from ecp_tracker.services.interviews import themes as interview_themes
from ecp_tracker.services.interviews.interviews import InterviewFilters
from ecp_tracker.services.interviews.themes import ThemeFilters, ThemeReport
from ecp_tracker.services.shared.pagination import Page

bp = Blueprint(
    "api_interviews",
    __name__,
    url_prefix="/api/v1/interviews",
    description="Customer interviews and the findings tagged in them",
)
FINDING_COLUMNS = (
    "id",
    "interview_id",
    "kind",
    "theme",
    "text",
    "archived_at",
    "version",
    "created_at",
    "updated_at",
)
INTERVIEW_COLUMNS = (
    "id",
    "account_id",
    "contact_id",
    "held_on",
    "kind",
    "summary",
    "interviewer_id",
    "archived_at",
    "version",
    "created_at",
    "updated_at",
)


def finding_out(finding: InterviewFinding) -> dict[str, Any]:
    return {column: getattr(finding, column) for column in FINDING_COLUMNS}


def interview_out(interview: Interview, *, archived_findings: bool = True) -> dict[str, Any]:
    contact = interview.contact
    return {
        **{column: getattr(interview, column) for column in INTERVIEW_COLUMNS},
        "account": account_ref(interview.account),
        "contact": {"id": contact.id, "name": contact.name, "dmu_role": contact.dmu_role}
        if contact
        else None,
        "interviewer": interview.interviewer.email if interview.interviewer else None,
        "findings": [
            finding_out(f) for f in interview.findings if archived_findings or f.archived_at is None
        ],
    }


def report_out(report: ThemeReport) -> dict[str, Any]:
    names = dict(report.archetypes)
    return {
        "interviewed": {outcome.value: n for outcome, n in report.population.by_outcome.items()},
        "themes": [
            {
                "kind": row.kind.value,
                "theme": row.theme,
                "accounts": row.total.accounts,
                "findings": row.total.findings,
                "interviews": row.interviews,
                "by_outcome": {outcome.value: tally for outcome, tally in row.by_outcome.items()},
                "by_archetype": [
                    {
                        "archetype_id": archetype_id,
                        "archetype": names.get(archetype_id, interview_themes.NO_ARCHETYPE),
                        "accounts": row.archetype_total(archetype_id).accounts,
                        "converted": row.archetype_outcome(archetype_id, "converted").accounts,
                    }
                    for archetype_id in row.by_archetype
                ],
                "by_role": [
                    {"dmu_role": role, "accounts": tally.accounts, "findings": tally.findings}
                    for role, tally in row.by_role.items()
                ],
            }
            for row in report.rows
        ],
    }


# --- interviews ------------------------------------------------------------------------------------------


@bp.route("")
@permission(Role.VIEWER)
@bp.arguments(InterviewListArgsSchema, location="query", as_kwargs=True)
@bp.response(200, InterviewPageSchema)
def list_interviews(page: int, per_page: int, filters: InterviewFilters):
    """List interviews, the latest first, with their current findings"""
    session = get_session()
    result = interviews.list_interviews(session, filters, page=page, per_page=per_page)
    items = [interview_out(i, archived_findings=False) for i in result.items]
    return Page(items, result.total, result.page, result.per_page)


@bp.route("/themes")
@permission(Role.VIEWER)
@bp.arguments(ThemeArgsSchema, location="query", as_kwargs=True)
@bp.response(200, ThemeReportSchema)
def themes(filters: ThemeFilters):
    """Themes counted once per account, by outcome, archetype and DMU role of the person interviewed"""
    return report_out(interview_themes.theme_report(get_session(), filters))


@bp.route("", methods=["POST"])
@permission(Role.EDITOR)
@bp.arguments(InterviewCreateSchema)
@bp.response(201, InterviewSchema)
def create_interview(data: dict[str, Any]):
    """Record an interview, optionally with its findings (all or nothing)"""
    session = get_session()
    actor = current_actor()
    findings = dict(enumerate(data.pop("findings", [])))
    interview = interviews.record_interview(session, actor, data, findings)
    session.commit()
    return interview_out(interviews.get_interview(session, interview.id))


@bp.route("/<int:interview_id>")
@permission(Role.VIEWER)
@bp.response(200, InterviewSchema)
def get_interview(interview_id: int):
    """One interview with all its findings (archived ones carry `archived_at`)"""
    return interview_out(interviews.get_interview(get_session(), interview_id))


@bp.route("/<int:interview_id>", methods=["PATCH"])
@permission(Role.EDITOR)
@bp.arguments(InterviewPatchSchema)
@bp.response(200, InterviewSchema)
def patch_interview(data: dict[str, Any], interview_id: int):
    """Change fields; `version` must be the one you read (409 when someone changed it since)"""
    session = get_session()
    version = data.pop("version")
    interviews.update_interview(session, current_actor(), interview_id, data, version=version)
    session.commit()
    return interview_out(interviews.get_interview(session, interview_id))


@bp.route("/<int:interview_id>", methods=["DELETE"])
@permission(Role.EDITOR)
@bp.response(204)
def archive_interview(interview_id: int):
    """Archive the interview: nothing is deleted, it leaves lists and theme counts (POST .../restore)"""
    session = get_session()
    interviews.set_interview_archived(session, current_actor(), interview_id, archived=True)
    session.commit()


@bp.route("/<int:interview_id>/restore", methods=["POST"])
@permission(Role.EDITOR)
@bp.response(200, InterviewSchema)
def restore_interview(interview_id: int):
    """Bring an archived interview back"""
    session = get_session()
    interviews.set_interview_archived(session, current_actor(), interview_id, archived=False)
    session.commit()
    return interview_out(interviews.get_interview(session, interview_id))


# --- findings --------------------------------------------------------------------------------------------


@bp.route("/<int:interview_id>/findings")
@permission(Role.VIEWER)
@bp.response(200, FindingSchema(many=True))
def list_findings(interview_id: int):
    """The interview's findings, archived ones included (with `archived_at`)"""
    return [finding_out(f) for f in interviews.get_interview(get_session(), interview_id).findings]


@bp.route("/<int:interview_id>/findings", methods=["POST"])
@permission(Role.EDITOR)
@bp.arguments(FindingCreateSchema)
@bp.response(201, FindingSchema)
def add_finding(data: dict[str, Any], interview_id: int):
    """Tag a finding (409 when the interview is archived)"""
    session = get_session()
    finding = interviews.add_finding(session, current_actor(), interview_id, data)
    session.commit()
    return finding_out(finding)


@bp.route("/<int:interview_id>/findings/<int:finding_id>")
@permission(Role.VIEWER)
@bp.response(200, FindingSchema)
def get_finding(interview_id: int, finding_id: int):
    """One finding"""
    return finding_out(interviews.get_finding(get_session(), finding_id, interview_id))


@bp.route("/<int:interview_id>/findings/<int:finding_id>", methods=["PATCH"])
@permission(Role.EDITOR)
@bp.arguments(FindingPatchSchema)
@bp.response(200, FindingSchema)
def patch_finding(data: dict[str, Any], interview_id: int, finding_id: int):
    """Change a finding; `version` required (stale: 409)"""
    session = get_session()
    interviews.get_finding(session, finding_id, interview_id)
    version = data.pop("version")
    finding = interviews.update_finding(session, current_actor(), finding_id, data, version=version)
    session.commit()
    return finding_out(finding)


@bp.route("/<int:interview_id>/findings/<int:finding_id>", methods=["DELETE"])
@permission(Role.EDITOR)
@bp.response(204)
def archive_finding(interview_id: int, finding_id: int):
    """Archive the finding: kept, no longer counted (POST .../restore)"""
    session = get_session()
    interviews.get_finding(session, finding_id, interview_id)
    interviews.set_finding_archived(session, current_actor(), finding_id, archived=True)
    session.commit()


@bp.route("/<int:interview_id>/findings/<int:finding_id>/restore", methods=["POST"])
@permission(Role.EDITOR)
@bp.response(200, FindingSchema)
def restore_finding(interview_id: int, finding_id: int):
    """Bring an archived finding back"""
    session = get_session()
    interviews.get_finding(session, finding_id, interview_id)
    finding = interviews.set_finding_archived(session, current_actor(), finding_id, archived=False)
    session.commit()
    return finding_out(finding)
