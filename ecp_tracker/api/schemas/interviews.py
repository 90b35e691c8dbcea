"""Marshmallow schemas of /api/v1/interviews: interviews, their findings, and the themes report."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ecp_tracker.api.schemas.common import (
    VERSION_REQUIRED,
    AccountRefSchema,
    DateInput,
    FilterArgsSchema,
    NonBlankString,
    PageArgsSchema,
    page_schema,
)
from ecp_tracker.domain.accounts import DmuRole
from ecp_tracker.domain.interviews import (
    FINDING_TEXT_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    THEME_MAX_LENGTH,
    FindingKind,
    InterviewKind,
)
from ecp_tracker.services.interviews.interviews import InterviewFilters
from ecp_tracker.services.interviews.themes import ThemeFilters

INTERVIEW_KINDS = [k.value for k in InterviewKind]
FINDING_KINDS = [k.value for k in FindingKind]
DMU_ROLES = [r.value for r in DmuRole]
OUTCOMES = ["converted", "not_converted", "open"]


class FindingSchema(Schema):
    id = fields.Integer(dump_only=True)
    interview_id = fields.Integer(dump_only=True)
    kind = fields.String(dump_only=True, metadata={"enum": FINDING_KINDS})
    theme = fields.String(
        dump_only=True, metadata={"description": "Stored in the spelling the theme was first recorded with."}
    )
    text = fields.String(dump_only=True)
    archived_at = fields.DateTime(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class FindingCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(FINDING_KINDS))
    theme = NonBlankString(
        required=True,
        metadata={
            "description": f"At most {THEME_MAX_LENGTH} characters; matched case-insensitively with the "
            "themes in use (`onboarding ` is stored as an existing `Onboarding`)."
        },
    )
    text = fields.String(
        load_default="", metadata={"description": f"At most {FINDING_TEXT_MAX_LENGTH} characters."}
    )


class FindingPatchSchema(Schema):
    kind = fields.String(validate=validate.OneOf(FINDING_KINDS))
    theme = NonBlankString()
    text = fields.String()
    version = fields.Integer(strict=True, required=True, metadata=VERSION_REQUIRED)


class ContactRefSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    dmu_role = fields.String(dump_only=True, metadata={"enum": DMU_ROLES})


class InterviewSchema(Schema):
    """An interview; in lists `findings` holds its current findings, from GET /interviews/{id} every finding
    (archived ones with `archived_at` set)."""

    id = fields.Integer(dump_only=True)
    account_id = fields.Integer(dump_only=True)
    account = fields.Nested(AccountRefSchema, dump_only=True)
    contact_id = fields.Integer(dump_only=True, allow_none=True)
    contact = fields.Nested(ContactRefSchema, dump_only=True, allow_none=True)
    held_on = fields.Date(dump_only=True)
    kind = fields.String(dump_only=True, metadata={"enum": INTERVIEW_KINDS})
    summary = fields.String(dump_only=True)
    interviewer_id = fields.Integer(dump_only=True, allow_none=True)
    interviewer = fields.String(
        dump_only=True, allow_none=True, metadata={"description": "The interviewer's e-mail."}
    )
    findings = fields.List(fields.Nested(FindingSchema), dump_only=True)
    archived_at = fields.DateTime(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


InterviewPageSchema = page_schema(InterviewSchema, "InterviewPage")

INTERVIEW_WRITE_FIELDS = {
    "account_id": fields.Integer(strict=True),
    "contact_id": fields.Integer(
        strict=True, allow_none=True, metadata={"description": "A contact of the same account (optional)."}
    ),
    "held_on": DateInput(metadata={"description": "The day it happened; not in the future."}),
    "kind": fields.String(validate=validate.OneOf(INTERVIEW_KINDS)),
    "summary": fields.String(metadata={"description": f"At most {SUMMARY_MAX_LENGTH} characters."}),
    "interviewer_id": fields.Integer(
        strict=True, allow_none=True, metadata={"description": "A user; on create the caller when omitted."}
    ),
}
InterviewCreateSchema = Schema.from_dict(
    {
        **INTERVIEW_WRITE_FIELDS,
        "account_id": fields.Integer(strict=True, required=True),
        "held_on": DateInput(required=True, metadata={"description": "Not in the future."}),
        "kind": fields.String(required=True, validate=validate.OneOf(INTERVIEW_KINDS)),
        "findings": fields.List(
            fields.Nested(FindingCreateSchema),
            load_default=list,
            metadata={"description": "Findings to tag with the interview (optional; all or nothing)."},
        ),
    },
    name="InterviewCreate",
)
InterviewPatchSchema = Schema.from_dict(
    {
        **INTERVIEW_WRITE_FIELDS,
        "version": fields.Integer(strict=True, required=True, metadata=VERSION_REQUIRED),
    },
    name="InterviewPatch",
)


class InterviewListArgsSchema(FilterArgsSchema, PageArgsSchema):
    """Filters; kind and finding_kind may repeat (?kind=discovery&kind=win_loss)."""

    kind = fields.List(fields.String(validate=validate.OneOf(INTERVIEW_KINDS)))
    account_id = fields.Integer()
    q = fields.String(metadata={"description": "Search in the account's name."})
    theme = fields.String(
        metadata={"description": "Interviews with a current finding of this theme (any case or spacing)."}
    )
    finding_kind = fields.List(
        fields.String(validate=validate.OneOf(FINDING_KINDS)),
        metadata={
            "description": "Interviews with a current finding of this kind (with `theme`: the same one)."
        },
    )
    include_archived = fields.Boolean(load_default=False)

    parse_filters = InterviewFilters.from_query


class ThemeArgsSchema(FilterArgsSchema):
    finding_kind = fields.List(fields.String(validate=validate.OneOf(FINDING_KINDS)))
    interview_kind = fields.List(fields.String(validate=validate.OneOf(INTERVIEW_KINDS)))

    parse_filters = ThemeFilters.from_query


class TallySchema(Schema):
    accounts = fields.Integer(dump_only=True)
    findings = fields.Integer(dump_only=True)


class ArchetypeTallySchema(Schema):
    archetype_id = fields.Integer(dump_only=True, allow_none=True)
    archetype = fields.String(dump_only=True)
    accounts = fields.Integer(dump_only=True)
    converted = fields.Integer(dump_only=True, metadata={"description": "Of them, accounts that converted."})


class RoleTallySchema(Schema):
    dmu_role = fields.String(
        dump_only=True, allow_none=True, metadata={"description": "null: no contact recorded."}
    )
    accounts = fields.Integer(dump_only=True)
    findings = fields.Integer(dump_only=True)


class ThemeRowSchema(Schema):
    kind = fields.String(dump_only=True, metadata={"enum": FINDING_KINDS})
    theme = fields.String(dump_only=True)
    accounts = fields.Integer(dump_only=True)
    findings = fields.Integer(dump_only=True)
    interviews = fields.Integer(dump_only=True)
    by_outcome = fields.Dict(
        keys=fields.String(metadata={"enum": OUTCOMES}), values=fields.Nested(TallySchema), dump_only=True
    )
    by_archetype = fields.List(fields.Nested(ArchetypeTallySchema), dump_only=True)
    by_role = fields.List(fields.Nested(RoleTallySchema), dump_only=True)


class ThemeReportSchema(Schema):
    interviewed = fields.Dict(
        keys=fields.String(metadata={"enum": OUTCOMES}),
        values=fields.Integer(strict=True),
        dump_only=True,
        metadata={"description": "Accounts interviewed (in the interview kinds chosen) per outcome."},
    )
    themes = fields.List(fields.Nested(ThemeRowSchema), dump_only=True)
