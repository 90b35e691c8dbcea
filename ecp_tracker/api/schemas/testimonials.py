"""Marshmallow schemas of the testimonial resources: testimonials, their steps, edits and usages, collection
requests and collections (public walls). Field names are the data model's."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from ecp_tracker.api.schemas.common import (
    NOT_BLANK,
    AccountRefSchema,
    DateInput,
    FilterArgsSchema,
    JsonBoolean,
    NonBlankString,
    PageArgsSchema,
    page_schema,
)
from ecp_tracker.domain.testimonials import (
    ConsentScope,
    RequestStatus,
    TestimonialKind,
    TestimonialStatus,
    UsageChannel,
)
from ecp_tracker.services.testimonials.library import TestimonialFilters

KINDS = [k.value for k in TestimonialKind]
STATUSES = [s.value for s in TestimonialStatus]
SCOPES = [s.value for s in ConsentScope]
CHANNELS = [c.value for c in UsageChannel]
REQUEST_STATUSES = [s.value for s in RequestStatus]
VERSION_REQUIRED = {"description": "The version you read; stale -> 409."}


class TestimonialStepSchema(Schema):
    from_status = fields.String(dump_only=True, allow_none=True)
    to_status = fields.String(dump_only=True)
    at = fields.DateTime(dump_only=True)
    by = fields.String(dump_only=True, attribute="by_label", metadata={"description": "E-mail or tool."})
    note = fields.String(dump_only=True)


class TestimonialRevisionSchema(Schema):
    old_body = fields.String(dump_only=True)
    new_body = fields.String(dump_only=True)
    reason = fields.String(dump_only=True)
    edited_by = fields.String(dump_only=True, attribute="edited_by_label")
    edited_at = fields.DateTime(dump_only=True)


class TestimonialUsageSchema(Schema):
    id = fields.Integer(dump_only=True)
    testimonial_id = fields.Integer(dump_only=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    place = fields.String(required=True, validate=validate.Length(min=1, max=500), metadata=NOT_BLANK)
    used_on = DateInput(metadata={"description": "Default today; never in the future."})
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    recorded_by_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class TestimonialUsageCreatedSchema(TestimonialUsageSchema):
    uses_this_quarter = fields.Integer(
        dump_only=True, metadata={"description": "Uses of this customer's testimonials this quarter."}
    )
    fatigued = fields.Boolean(dump_only=True, metadata={"description": "Over the workspace's threshold."})


class TestimonialSummarySchema(Schema):
    id = fields.Integer(dump_only=True)
    account_id = fields.Integer(dump_only=True)
    account = fields.Nested(AccountRefSchema, dump_only=True)
    contact_id = fields.Integer(dump_only=True, allow_none=True)
    kind = fields.String(dump_only=True, metadata={"enum": KINDS})
    body = fields.String(dump_only=True, metadata={"description": "The text in use."})
    original_body = fields.String(
        dump_only=True, metadata={"description": "The customer's words as received."}
    )
    edited = fields.Boolean(dump_only=True)
    rating = fields.Integer(dump_only=True, allow_none=True)
    source = fields.String(dump_only=True)
    media_url = fields.String(dump_only=True, allow_none=True)
    author_name = fields.String(dump_only=True)
    author_title = fields.String(dump_only=True)
    use_cases = fields.List(fields.String(), dump_only=True)
    themes = fields.List(fields.String(), dump_only=True)
    status = fields.String(dump_only=True, metadata={"enum": STATUSES})
    consent_scope = fields.String(dump_only=True, metadata={"enum": SCOPES})
    consent_statement = fields.String(dump_only=True, metadata={"description": "Exactly as agreed to."})
    consented_by = fields.String(dump_only=True)
    consented_on = fields.Date(dump_only=True, allow_none=True)
    consent_expires_on = fields.Date(dump_only=True, allow_none=True)
    consent_withdrawn_on = fields.Date(dump_only=True, allow_none=True)
    public_today = fields.Boolean(
        dump_only=True, metadata={"description": "Current consent allows public use today."}
    )
    public_problem = fields.String(
        dump_only=True, allow_none=True, metadata={"description": "Why it may not be shown in public today."}
    )
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class TestimonialSchema(TestimonialSummarySchema):
    steps = fields.List(fields.Nested(TestimonialStepSchema), dump_only=True)
    revisions = fields.List(fields.Nested(TestimonialRevisionSchema), dump_only=True)
    usages = fields.List(fields.Nested(TestimonialUsageSchema), dump_only=True)
    promise_ids = fields.List(
        fields.Integer(), dump_only=True, metadata={"description": "Give-to-get promises it delivers."}
    )


TestimonialPageSchema = page_schema(TestimonialSummarySchema, "TestimonialPage")

TESTIMONIAL_WRITE_FIELDS = {
    "kind": fields.String(validate=validate.OneOf(KINDS)),
    "contact_id": fields.Integer(strict=True, allow_none=True),
    "body": NonBlankString(metadata={"description": "At most 5,000 characters."}),
    "rating": fields.Integer(strict=True, allow_none=True, metadata={"minimum": 1, "maximum": 5}),
    "source": fields.String(),
    "media_url": fields.String(allow_none=True),
    "author_name": fields.String(),
    "author_title": fields.String(),
    "use_cases": fields.List(fields.String()),
    "themes": fields.List(fields.String()),
    "consent_scope": fields.String(validate=validate.OneOf(SCOPES)),
    "consent_statement": fields.String(metadata={"description": "The statement the customer agreed to."}),
    "consented_by": fields.String(),
    "consented_on": DateInput(allow_none=True),
    "consent_expires_on": DateInput(
        allow_none=True, metadata={"description": "Default: the workspace's consent duration."}
    ),
}
TestimonialCreateSchema = Schema.from_dict(
    {
        **TESTIMONIAL_WRITE_FIELDS,
        "account_id": fields.Integer(strict=True, required=True),
        "status": fields.String(
            load_default="received",
            validate=validate.OneOf(["received", "requested"]),
            metadata={"description": "received (the words are here) or requested (asked for)."},
        ),
        "promise_id": fields.Integer(
            strict=True,
            allow_none=True,
            metadata={"description": "A give-to-get promise of the account it delivers."},
        ),
    },
    name="TestimonialCreate",
)
TestimonialPatchSchema = Schema.from_dict(
    {
        **TESTIMONIAL_WRITE_FIELDS,
        "edit_reason": fields.String(
            metadata={"description": "Required to change the text once approved; the original is kept."}
        ),
        "version": fields.Integer(strict=True, required=True, metadata=VERSION_REQUIRED),
    },
    name="TestimonialPatch",
)


class TestimonialListArgsSchema(FilterArgsSchema, PageArgsSchema):
    """Filters; the list filters may repeat (?status=approved&status=published)."""

    class Meta:
        unknown = INCLUDE

    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)))
    consent_scope = fields.List(fields.String(validate=validate.OneOf(SCOPES)))
    kind = fields.List(fields.String(validate=validate.OneOf(KINDS)))
    tag = fields.List(fields.String(), metadata={"description": "A use case or theme."})
    archetype = fields.List(fields.String(), metadata={"description": "An archetype of the account."})
    industry = fields.List(fields.String())
    rating = fields.Integer(validate=validate.Range(min=1, max=5), metadata={"description": "At least."})
    expiring = fields.Boolean(metadata={"description": "Current consent expiring within 30 days."})
    q = fields.String(metadata={"description": 'Full-text search in the words (word prefixes, "phrases").'})
    account_id = fields.Integer()

    parse_filters = TestimonialFilters.from_query


class TestimonialTransitionSchema(Schema):
    to = fields.String(required=True, validate=validate.OneOf(STATUSES))
    note = fields.String(load_default="", metadata={"description": "Required to reject."})


class ConsentWithdrawalSchema(Schema):
    on = fields.Date(metadata={"description": "When the customer withdrew (default today, never later)."})
    note = fields.String(load_default="", metadata={"description": "How they told us."})


class TestimonialRequestSchema(Schema):
    id = fields.Integer(dump_only=True)
    account_id = fields.Integer(dump_only=True)
    account = fields.Nested(AccountRefSchema, dump_only=True)
    contact_id = fields.Integer(dump_only=True, allow_none=True)
    testimonial_id = fields.Integer(dump_only=True, allow_none=True)
    kind = fields.String(dump_only=True, metadata={"enum": KINDS})
    message = fields.String(dump_only=True)
    status = fields.String(
        dump_only=True,
        metadata={"enum": REQUEST_STATUSES, "description": "An open request past its expiry is expired."},
    )
    single_use = JsonBoolean(dump_only=True)
    expires_at = fields.DateTime(dump_only=True)
    link_made_at = fields.DateTime(dump_only=True)
    opened_at = fields.DateTime(dump_only=True, allow_none=True)
    submitted_at = fields.DateTime(dump_only=True, allow_none=True)
    submissions = fields.Integer(dump_only=True)
    reminders = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)


class TestimonialRequestCreatedSchema(TestimonialRequestSchema):
    url = fields.String(
        dump_only=True,
        metadata={
            "description": "The link to send the customer. Returned only now: only its hash is stored."
        },
    )


TestimonialRequestPageSchema = page_schema(TestimonialRequestSchema, "TestimonialRequestPage")


class TestimonialRequestCreateSchema(Schema):
    account_id = fields.Integer(strict=True, required=True)
    contact_id = fields.Integer(strict=True, allow_none=True)
    kind = fields.String(load_default="quote", validate=validate.OneOf(KINDS))
    message = fields.String(load_default="", metadata={"description": "Shown to the customer on the form."})
    valid_days = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=365),
        metadata={"description": "Default: the workspace setting."},
    )
    single_use = JsonBoolean(load_default=True, metadata={"description": "false: several people may answer."})
    promise_id = fields.Integer(allow_none=True, strict=True)


class TestimonialRequestListArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(REQUEST_STATUSES))
    account_id = fields.Integer()
    follow_up = fields.Boolean(
        load_default=False, metadata={"description": "Only open requests unanswered for the follow-up days."}
    )


class CollectionSchema(Schema):
    id = fields.Integer(dump_only=True)
    slug = fields.String(
        metadata={"description": "The wall is at /wall/<slug>, its feed at /wall/<slug>.json."}
    )
    title = fields.String()
    intro = fields.String()
    tags = fields.List(
        fields.String(), metadata={"description": "Shows testimonials with any of these tags."}
    )
    archived_at = fields.DateTime(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


CollectionPageSchema = page_schema(CollectionSchema, "CollectionPage")


class CollectionCreateSchema(Schema):
    slug = NonBlankString(required=True)
    title = NonBlankString(required=True)
    intro = fields.String(load_default="")
    tags = fields.List(fields.String(), load_default=list)


class CollectionPatchSchema(Schema):
    slug = NonBlankString()
    title = NonBlankString()
    intro = fields.String()
    tags = fields.List(fields.String())
    archived = JsonBoolean(metadata={"description": "true takes the wall offline; false brings it back."})
    version = fields.Integer(strict=True, required=True, metadata=VERSION_REQUIRED)
