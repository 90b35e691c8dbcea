"""Interview services: recording and editing interviews and findings with an audit event for each write,
optimistic locking, validation that names the field and writes nothing, theme spelling, archiving, the
filtered list, the CSV export, and a fixed number of SQL statements at 10 and 100 interviews."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.errors import Conflict, DomainError, NotFound, StaleEdit, ValidationError
from ecp_tracker.models import Account, AuditEvent, Interview, InterviewFinding
from ecp_tracker.services.interviews import export as interview_export
from ecp_tracker.services.interviews import interviews
from ecp_tracker.services.interviews.interviews import InterviewFilters
from tests.conftest import TEST_ACTOR
from tests.factories.interviews import TODAY, add_contact, add_interviews, build_workspace, make_account
from tests.helpers import HARNESS, counting


def snapshot(session: Session) -> tuple[Any, ...]:
    """Everything an interview write could touch, as stored."""
    session.expire_all()
    return (
        session.scalar(select(func.count(AuditEvent.id))),
        session.execute(
            select(
                Interview.id,
                Interview.account_id,
                Interview.contact_id,
                Interview.held_on,
                Interview.kind,
                Interview.summary,
                Interview.interviewer_id,
                Interview.archived_at,
                Interview.version,
            ).order_by(Interview.id)
        ).all(),
        session.execute(
            select(
                InterviewFinding.id,
                InterviewFinding.kind,
                InterviewFinding.theme,
                InterviewFinding.text,
                InterviewFinding.archived_at,
                InterviewFinding.version,
            ).order_by(InterviewFinding.id)
        ).all(),
    )


def refused(
    session: Session,
    call: Callable[[], object],
    field: str | None,
    error: type[DomainError] = ValidationError,
) -> DomainError:
    """`call` raises `error` naming `field`, and after the caller's rollback nothing has changed."""
    before = snapshot(session)
    with pytest.raises(error) as caught:
        call()
    if field is not None:
        assert field in caught.value.errors, caught.value.errors
    session.rollback()
    assert snapshot(session) == before
    return caught.value


def events(session: Session, entity: str) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.scalars(select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id))
    )


@pytest.fixture
def acme(db_session: Session) -> Account:
    account = make_account(db_session, "Acme Analytics", "pilot", ["Game changer"])
    add_contact(db_session, account, "Ann Novak", "champion")
    db_session.commit()
    return account


def interview_raw(account: Account, **overrides: Any) -> dict[str, Any]:
    return {
        "account_id": account.id,
        "contact_id": account.contacts[0].id if account.contacts else None,
        "held_on": (TODAY - timedelta(days=3)).isoformat(),
        "kind": "discovery",
        "summary": "Their analysts wait for overnight batches.",
        **overrides,
    }


# --- recording -------------------------------------------------------------------------------------------


def test_recording_an_interview_and_its_findings_leaves_audit_events(db_session, acme, people):
    actor = TEST_ACTOR
    interview = interviews.create_interview(db_session, actor, interview_raw(acme))
    finding = interviews.add_finding(
        db_session, actor, interview.id, {"kind": "pain_point", "theme": "  Data   quality ", "text": "Stale"}
    )
    db_session.commit()
    assert (interview.kind, interview.held_on, interview.contact.name) == (
        "discovery",
        TODAY - timedelta(days=3),
        "Ann Novak",
    )
    assert interview.interviewer_id is None  # the actor is a tool: nobody to record
    assert finding.theme == "Data quality"  # trimmed, inner spaces collapsed
    (created,) = events(db_session, "interview")
    assert created.action == "create" and created.actor_label == "test setup"
    assert created.summary == f"Discovery with Acme Analytics on {TODAY - timedelta(days=3)}"
    assert created.changes["kind"] == [None, "discovery"]
    assert created.changes["account_id"] == [None, acme.id]
    (tagged,) = events(db_session, "interview_finding")
    assert tagged.action == "create" and tagged.changes["theme"] == [None, "Data quality"]
    assert tagged.changes["interview_id"] == [None, interview.id]


def test_record_interview_writes_the_interview_with_its_findings(db_session, acme):
    findings = {
        0: {"kind": "pain_point", "theme": "Price", "text": "Too dear"},
        3: {"kind": "objection", "theme": "Security"},
    }
    interview = interviews.record_interview(db_session, TEST_ACTOR, interview_raw(acme), findings)
    db_session.commit()
    assert sorted(f.theme for f in interviews.get_interview(db_session, interview.id).findings) == [
        "Price",
        "Security",
    ]


def test_record_interview_names_every_bad_row_by_position_and_writes_nothing(db_session, acme):
    findings = {
        0: {"kind": "pain_point", "theme": "Price"},
        1: {"kind": "rumour", "theme": "X"},
        2: {"kind": "objection"},
    }
    error = refused(
        db_session,
        lambda: interviews.record_interview(db_session, TEST_ACTOR, interview_raw(acme), findings),
        None,
    )
    assert {"findings.1.kind", "findings.2.theme"} <= set(error.errors)
    assert not any(name.startswith("findings.0") for name in error.errors)


def test_the_interviewer_defaults_to_the_acting_user(db_session, acme, people):
    from ecp_tracker.domain.actors import Actor
    from ecp_tracker.domain.roles import Role

    editor = people[Role.EDITOR]
    interview = interviews.create_interview(
        db_session, Actor(editor.id, editor.email), interview_raw(acme, contact_id=None)
    )
    assert interview.interviewer_id == editor.id
    other = interviews.create_interview(
        db_session, Actor(editor.id, editor.email), interview_raw(acme, interviewer_id=None)
    )
    assert other.interviewer_id is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"held_on": (TODAY + timedelta(days=1)).isoformat()}, "held_on"),
        ({"held_on": "03/02/2026"}, "held_on"),
        ({"held_on": ""}, "held_on"),
        ({"kind": "chat"}, "kind"),
        ({"kind": None}, "kind"),
        ({"summary": "x" * 20_001}, "summary"),
        ({"account_id": 999_999}, "account_id"),
        ({"account_id": "abc"}, "account_id"),
        ({"contact_id": 999_999}, "contact_id"),
        ({"interviewer_id": 999_999}, "interviewer_id"),
    ],
)
def test_bad_interview_input_names_the_field_and_writes_nothing(db_session, acme, overrides, field):
    refused(
        db_session,
        lambda: interviews.create_interview(db_session, TEST_ACTOR, interview_raw(acme, **overrides)),
        field,
    )


def test_every_problem_is_reported_at_once(db_session, acme):
    error = refused(
        db_session,
        lambda: interviews.create_interview(
            db_session, TEST_ACTOR, {"account_id": acme.id, "held_on": "soon", "kind": "chat"}
        ),
        None,
    )
    assert set(error.errors) == {"held_on", "kind"}


def test_the_contact_must_work_at_the_account(db_session, acme):
    other = make_account(db_session, "Other Corp", "prospect", [])
    stranger = add_contact(db_session, other, "Sam Stranger", "end_user")
    db_session.commit()
    error = refused(
        db_session,
        lambda: interviews.create_interview(
            db_session, TEST_ACTOR, interview_raw(acme, contact_id=stranger.id)
        ),
        "contact_id",
    )
    assert "another account" in error.message
    # moving an interview to another account re-checks the contact it keeps
    interview = interviews.create_interview(db_session, TEST_ACTOR, interview_raw(acme))
    db_session.commit()
    refused(
        db_session,
        lambda: interviews.update_interview(
            db_session, TEST_ACTOR, interview.id, {"account_id": other.id}, version=interview.version
        ),
        "contact_id",
    )
    moved = interviews.update_interview(
        db_session,
        TEST_ACTOR,
        interview.id,
        {"account_id": other.id, "contact_id": stranger.id},
        version=interview.version,
    )
    db_session.commit()
    assert (moved.account.name, moved.contact.name) == ("Other Corp", "Sam Stranger")


def test_an_archived_account_takes_no_new_interviews(db_session, acme):
    from ecp_tracker.services.accounts import accounts

    accounts.set_archived(db_session, TEST_ACTOR, acme.id, archived=True)
    db_session.commit()
    error = refused(
        db_session,
        lambda: interviews.create_interview(db_session, TEST_ACTOR, interview_raw(acme)),
        "account_id",
    )
    assert "archived" in error.message


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"kind": "pain_point", "theme": "   "}, "theme"),
        ({"kind": "pain_point", "theme": "x" * 81}, "theme"),
        ({"kind": "gripe", "theme": "Price"}, "kind"),
        ({"kind": "pain_point", "theme": "Price", "text": "x" * 5_001}, "text"),
    ],
)
def test_bad_finding_input_names_the_field_and_writes_nothing(db_session, acme, raw, field):
    interview = interviews.create_interview(db_session, TEST_ACTOR, interview_raw(acme))
    db_session.commit()
    refused(db_session, lambda: interviews.add_finding(db_session, TEST_ACTOR, interview.id, raw), field)


def test_a_missing_interview_is_not_found(db_session):
    with pytest.raises(NotFound):
        interviews.get_interview(db_session, 12345)
    with pytest.raises(NotFound):
        interviews.add_finding(db_session, TEST_ACTOR, 12345, {"kind": "pain_point", "theme": "Price"})


# --- themes: one theme whatever the case ---------------------------------------------------------------


def test_a_theme_keeps_the_spelling_it_was_first_recorded_with(db_session, acme):
    interview = interviews.create_interview(db_session, TEST_ACTOR, interview_raw(acme))
    first = interviews.add_finding(
        db_session, TEST_ACTOR, interview.id, {"kind": "pain_point", "theme": "Onboarding"}
    )
    second = interviews.add_finding(
        db_session, TEST_ACTOR, interview.id, {"kind": "objection", "theme": "  onboarding "}
    )
    third = interviews.add_finding(
        db_session, TEST_ACTOR, interview.id, {"kind": "pain_point", "theme": "ONBOARDING"}
    )
    db_session.commit()
    assert [first.theme, second.theme, third.theme] == ["Onboarding"] * 3
    assert interviews.themes_in_use(db_session) == ["Onboarding"]
    # editing to another case of the same theme keeps the first spelling; a new theme is stored as typed
    edited = interviews.update_finding(
        db_session, TEST_ACTOR, third.id, {"theme": "onBoarding"}, version=third.version
    )
    assert edited.theme == "Onboarding"
    renamed = interviews.update_finding(
        db_session, TEST_ACTOR, third.id, {"theme": "Setup time"}, version=edited.version
    )
    assert renamed.theme == "Setup time"


# --- editing, locking, archiving -----------------------------------------------------------------------


def test_editing_needs_the_current_version(db_session, acme):
    interview = interviews.create_interview(db_session, TEST_ACTOR, interview_raw(acme))
    db_session.commit()
    seen = interview.version
    interviews.update_interview(db_session, TEST_ACTOR, interview.id, {"summary": "First edit"}, version=seen)
    db_session.commit()
    error = refused(
        db_session,
        lambda: interviews.update_interview(
            db_session, TEST_ACTOR, interview.id, {"summary": "Late"}, version=seen
        ),
        "version",
        StaleEdit,
    )
    assert "changed by someone else" in error.message and "nothing was saved" in error.message
    refused(
        db_session,
        lambda: interviews.update_interview(
            db_session, TEST_ACTOR, interview.id, {"summary": "x"}, version=None
        ),
        "version",
    )
    updates = [e for e in events(db_session, "interview") if e.action == "update"]
    assert [e.changes["summary"][1] for e in updates] == ["First edit"]


def test_findings_are_edited_archived_and_restored_with_locking(db_session, acme):
    interview = interviews.create_interview(db_session, TEST_ACTOR, interview_raw(acme))
    finding = interviews.add_finding(
        db_session, TEST_ACTOR, interview.id, {"kind": "pain_point", "theme": "Price"}
    )
    db_session.commit()
    seen = finding.version
    interviews.update_finding(
        db_session, TEST_ACTOR, finding.id, {"kind": "objection", "text": "Too dear"}, version=seen
    )
    db_session.commit()
    refused(
        db_session,
        lambda: interviews.update_finding(db_session, TEST_ACTOR, finding.id, {"text": "late"}, version=seen),
        "version",
        StaleEdit,
    )
    refused(
        db_session,
        lambda: interviews.set_finding_archived(
            db_session, TEST_ACTOR, finding.id, archived=True, version=seen
        ),
        "version",
        StaleEdit,
    )
    interviews.set_finding_archived(db_session, TEST_ACTOR, finding.id, archived=True)
    db_session.commit()
    refused(
        db_session,
        lambda: interviews.update_finding(
            db_session, TEST_ACTOR, finding.id, {"text": "x"}, version=finding.version
        ),
        None,
        Conflict,
    )
    interviews.set_finding_archived(db_session, TEST_ACTOR, finding.id, archived=False)
    db_session.commit()
    assert [e.action for e in events(db_session, "interview_finding")] == [
        "create",
        "update",
        "archive",
        "restore",
    ]
    update = events(db_session, "interview_finding")[1]
    assert update.changes == {"kind": ["pain_point", "objection"], "text": ["", "Too dear"]}


def test_an_archived_interview_is_read_only_until_restored(db_session, acme):
    interview = interviews.create_interview(db_session, TEST_ACTOR, interview_raw(acme))
    finding = interviews.add_finding(
        db_session, TEST_ACTOR, interview.id, {"kind": "pain_point", "theme": "Price"}
    )
    db_session.commit()
    interviews.set_interview_archived(db_session, TEST_ACTOR, interview.id, archived=True)
    db_session.commit()
    refused(
        db_session,
        lambda: interviews.add_finding(
            db_session, TEST_ACTOR, interview.id, {"kind": "objection", "theme": "X"}
        ),
        None,
        Conflict,
    )
    refused(
        db_session,
        lambda: interviews.update_interview(
            db_session, TEST_ACTOR, interview.id, {"summary": "x"}, version=interview.version
        ),
        None,
        Conflict,
    )
    refused(
        db_session,
        lambda: interviews.update_finding(
            db_session, TEST_ACTOR, finding.id, {"text": "x"}, version=finding.version
        ),
        None,
        Conflict,
    )
    interviews.set_interview_archived(db_session, TEST_ACTOR, interview.id, archived=False)
    db_session.commit()
    assert [e.action for e in events(db_session, "interview")] == ["create", "archive", "restore"]
    assert interviews.add_finding(db_session, TEST_ACTOR, interview.id, {"kind": "objection", "theme": "X"})


# --- the list --------------------------------------------------------------------------------------------


def listed(session: Session, **filters: Any) -> list[str]:
    page = interviews.list_interviews(session, InterviewFilters(**filters), per_page=100)
    return sorted(f"{i.account.name}:{i.kind}" for i in page.items)


def test_the_list_filters(db_session):
    space = build_workspace(db_session)
    assert len(listed(db_session)) == 7  # i7 is archived; i8's account is archived but the interview is not
    assert listed(db_session, kind=("win_loss",)) == ["Alpha:win_loss", "Charlie:win_loss"]
    assert listed(db_session, account_id=space.accounts["Alpha"].id) == ["Alpha:discovery", "Alpha:win_loss"]
    assert listed(db_session, account_id=space.accounts["Alpha"].id, include_archived=True) == [
        "Alpha:discovery",
        "Alpha:support",
        "Alpha:win_loss",
    ]
    assert listed(db_session, q="char") == ["Charlie:win_loss"]
    # a theme in any case or spacing; the archived finding of Delta's interview does not count
    assert listed(db_session, theme="  onBOARDING") == [
        "Alpha:discovery",
        "Alpha:win_loss",
        "Bravo:pilot_checkin",
        "Echo:discovery",
        "Foxtrot:discovery",
    ]
    assert listed(db_session, finding_kind=("objection",)) == ["Alpha:win_loss", "Charlie:win_loss"]
    # theme and finding kind on the same finding: Onboarding is never an objection
    assert listed(db_session, theme="Onboarding", finding_kind=("objection",)) == []
    assert listed(db_session, theme="no such theme") == []


def test_the_list_is_paginated_latest_first(db_session):
    build_workspace(db_session)
    page = interviews.list_interviews(db_session, InterviewFilters(), page=1, per_page=5)
    assert (page.total, len(page.items), page.pages) == (7, 5, 2)
    second = interviews.list_interviews(db_session, InterviewFilters(), page=2, per_page=5).items
    assert len(second) == 2
    assert second[-1].held_on == TODAY - timedelta(days=30)  # i1, the oldest, comes last
    assert page.items[0].held_on >= second[0].held_on


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"kind": ["chat"]}, "kind"),
        ({"finding_kind": ["gripe"]}, "finding_kind"),
        ({"account_id": ["x"]}, "account_id"),
    ],
)
def test_bad_filters_name_the_field(query, field):
    with pytest.raises(ValidationError) as caught:
        InterviewFilters.from_query(query)
    assert field in caught.value.errors


def test_filters_round_trip_through_the_query():
    filters = InterviewFilters(
        kind=("discovery",),
        account_id=3,
        q="acme",
        theme="Data quality",
        finding_kind=("pain_point",),
        include_archived=True,
    )
    assert InterviewFilters.from_query(filters.to_query()) == filters
    assert InterviewFilters.from_query({}) == InterviewFilters()


# --- the CSV export --------------------------------------------------------------------------------------


def exported(session: Session, filters: InterviewFilters) -> list[dict[str, str]]:
    out = io.StringIO(newline="")
    interview_export.export_interviews(session, filters, out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_the_export_has_a_row_per_finding_with_neutralised_cells(db_session, acme):
    interview = interviews.create_interview(
        db_session, TEST_ACTOR, interview_raw(acme, summary='=HYPERLINK("http://evil")')
    )
    interviews.add_finding(
        db_session, TEST_ACTOR, interview.id, {"kind": "pain_point", "theme": "Price", "text": "+1 555"}
    )
    interviews.add_finding(db_session, TEST_ACTOR, interview.id, {"kind": "objection", "theme": "@Security"})
    archived = interviews.add_finding(
        db_session, TEST_ACTOR, interview.id, {"kind": "objection", "theme": "Gone"}
    )
    interviews.set_finding_archived(db_session, TEST_ACTOR, archived.id, archived=True)
    bare = interviews.create_interview(
        db_session, TEST_ACTOR, interview_raw(acme, kind="survey", held_on=TODAY)
    )
    db_session.commit()
    rows = exported(db_session, InterviewFilters())
    assert list(rows[0]) == list(interview_export.COLUMNS)
    assert [(r["interview_id"], r["finding_kind"], r["theme"]) for r in rows] == [
        (str(bare.id), "", ""),  # the newest interview first; no findings: one row, finding columns empty
        (str(interview.id), "pain_point", "Price"),
        (str(interview.id), "objection", "'@Security"),
    ]
    first = rows[1]
    assert first["summary"] == '\'=HYPERLINK("http://evil")' and first["finding_text"] == "'+1 555"
    assert (first["account"], first["account_stage"], first["outcome"], first["archetypes"]) == (
        "Acme Analytics",
        "pilot",
        "open",
        "Game changer",
    )
    assert (first["contact"], first["dmu_role"]) == ("Ann Novak", "champion")
    assert exported(db_session, InterviewFilters(kind=("win_loss",))) == []


def test_the_export_follows_the_list_filters(db_session):
    build_workspace(db_session)
    rows = exported(db_session, InterviewFilters(theme="price"))
    assert sorted({r["account"] for r in rows}) == ["Alpha", "Charlie"]
    assert len(rows) == 5  # every current finding of i2 (2) and i4 (3)
    assert {r["outcome"] for r in rows} == {"converted", "not_converted"}
    bravo = exported(db_session, InterviewFilters(kind=("pilot_checkin",)))
    assert {r["archetypes"] for r in bravo} == {"Game changer; Tech enthusiast"}


# --- a fixed number of SQL statements ----------------------------------------------------------------------


def reads(interview_id: int, account_id: int) -> dict[str, Callable[[Session], Any]]:
    return {
        "list": lambda s: [
            (i.account.name, i.contact and i.contact.name, [f.theme for f in i.findings])
            for i in interviews.list_interviews(s, InterviewFilters(), per_page=50).items
        ],
        "list by theme": lambda s: [
            i.account.name
            for i in interviews.list_interviews(s, InterviewFilters(theme="price", kind=("win_loss",))).items
        ],
        "one": lambda s: [f.theme for f in interviews.get_interview(s, interview_id).findings],
        "of an account": lambda s: [
            (i.contact and i.contact.name, len(i.findings))
            for i in interviews.interviews_of_account(s, account_id)
        ],
        "export": lambda s: "".join(interview_export.export_rows(s, InterviewFilters(theme="Price"))).count(
            "\n"
        ),
    }


BOUNDS = {
    "list": 3,  # a count, the page, the findings
    "list by theme": 4,  # and the theme's spellings
    "one": 3,  # the interview with account and people, the archetypes, the findings
    "of an account": 2,
    "export": 3,  # the spellings, the archetypes, the rows
}


def statements_per_read(app, ids: tuple[int, int]) -> tuple[dict[str, int], dict[str, Any]]:
    session = app.extensions["ecp_db"].session_factory()
    try:
        counts: dict[str, int] = {}
        shown: dict[str, Any] = {}
        for name, read in reads(*ids).items():
            session.expunge_all()
            with counting(app) as statements:
                shown[name] = read(session)
            counts[name] = len([s for s in statements if not s.lstrip().upper().startswith(HARNESS)])
        return counts, shown
    finally:
        session.close()


def test_the_same_statements_for_10_and_100_interviews(app, db_session):
    ids = add_interviews(db_session, 10, "small")
    small, small_shown = statements_per_read(app, ids)
    add_interviews(db_session, 90, "large")
    large, large_shown = statements_per_read(app, ids)
    assert small == large, (small, large)
    assert all(small[name] <= bound for name, bound in BOUNDS.items()), small
    assert (len(small_shown["list"]), len(large_shown["list"])) == (10, 50)
    assert large_shown["export"] > small_shown["export"]


def test_several_findings_read_the_themes_once_and_share_a_new_spelling(app, db_session, acme):
    interview = interviews.create_interview(db_session, TEST_ACTOR, interview_raw(acme))
    spellings = interviews.theme_spellings(db_session)
    raws = [
        {"kind": "pain_point", "theme": theme}
        for theme in ("Onboarding", "onboarding ", "Price", "ONBOARDING")
    ]
    with counting(app) as statements:
        for raw in raws:
            interviews.add_finding(db_session, TEST_ACTOR, interview.id, raw, spellings=spellings)
    db_session.commit()
    themes = [f.theme for f in db_session.scalars(select(InterviewFinding).order_by(InterviewFinding.id))]
    assert themes == ["Onboarding", "Onboarding", "Price", "Onboarding"]  # the first spelling, kept
    assert not [
        s for s in statements if "GROUP BY interview_findings.theme" in s
    ]  # no theme scan per finding
