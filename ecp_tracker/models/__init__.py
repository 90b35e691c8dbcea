"""ORM models, one module per aggregate; importing this package registers every table on Base.metadata."""

from ecp_tracker.models.account import Account, Archetype, Contact, SavedView, account_archetypes
from ecp_tracker.models.audit import AuditEvent
from ecp_tracker.models.base import Base
from ecp_tracker.models.discount import Discount, GiveGet
from ecp_tracker.models.experiment import Experiment, ExperimentAmendment, ExperimentArm
from ecp_tracker.models.icp import IcpCriterion, IcpScore, IcpVersion
from ecp_tracker.models.import_job import ImportJob
from ecp_tracker.models.interview import Interview, InterviewFinding
from ecp_tracker.models.pilot import CriterionAmendment, Milestone, Pilot, SuccessCriterion
from ecp_tracker.models.review import Review, ReviewDecision
from ecp_tracker.models.setting import WorkspaceSetting
from ecp_tracker.models.testimonial import (
    Collection,
    Testimonial,
    TestimonialRequest,
    TestimonialRevision,
    TestimonialStep,
    TestimonialTag,
    TestimonialUsage,
)
from ecp_tracker.models.trait import AccountTrait, TraitDefinition
from ecp_tracker.models.user import ApiToken, User

__all__ = [
    "Account",
    "AccountTrait",
    "ApiToken",
    "Archetype",
    "AuditEvent",
    "Base",
    "Collection",
    "Contact",
    "CriterionAmendment",
    "Discount",
    "Experiment",
    "ExperimentAmendment",
    "ExperimentArm",
    "GiveGet",
    "IcpCriterion",
    "IcpScore",
    "IcpVersion",
    "ImportJob",
    "Interview",
    "InterviewFinding",
    "Milestone",
    "Pilot",
    "Review",
    "ReviewDecision",
    "SavedView",
    "SuccessCriterion",
    "Testimonial",
    "TestimonialRequest",
    "TestimonialRevision",
    "TestimonialStep",
    "TestimonialTag",
    "TestimonialUsage",
    "TraitDefinition",
    "User",
    "WorkspaceSetting",
    "account_archetypes",
]
