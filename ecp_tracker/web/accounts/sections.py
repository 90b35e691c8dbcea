"""The evidence sections of an account's page, read through the areas' services by the account view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ecp_tracker.services.interviews import interviews
from ecp_tracker.services.testimonials import collection_requests, testimonials


@dataclass(frozen=True)
class AccountSections:
    testimonials: list[Any]
    open_requests: list[Any]
    interviews: list[Any]
    interview_total: int


def account_sections(session: Session, account_id: int) -> AccountSections:
    requests = collection_requests.page_requests(session, account_id=account_id, per_page=10).items
    return AccountSections(
        testimonials=list(testimonials.testimonials_of_account(session, account_id)),
        open_requests=[r for r in requests if collection_requests.effective_status(r).open],
        interviews=list(interviews.interviews_of_account(session, account_id)),
        interview_total=interviews.count_of_account(session, account_id),
    )
