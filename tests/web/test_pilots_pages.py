"""Pilot pages: planning with criteria, starting (criteria frozen), amendments beside the original, results
and the scorecard, the outcome moving the account, the mutual action plan, the board, timeline, CSV."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Account, AuditEvent, Pilot, SuccessCriterion
from ecp_tracker.services.pilots import discounts, pilots
from tests.conftest import TEST_ACTOR
from tests.factories.pilots import TODAY, make_account, make_pilot
from tests.helpers import statements_for


def audit_count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(AuditEvent.id)))


def fresh(session, model, record_id):
    session.expire_all()
    return session.get(model, record_id)


NEW_PILOT = {
    "name": "Nightly batch replacement",
    "hypothesis": "Their analysts stop waiting for overnight batches.",
    "planned_end_date": "2027-01-20",
    "list_price": "2000",
    "pilot_price": "1500",
    "criteria-0-description": "Queries are fast under load",
    "criteria-0-metric": "p95 query latency",
    "criteria-0-direction": "at_most",
    "criteria-0-target": "300",
    "criteria-0-unit": "ms",
    "criteria-1-description": "Analysts use it every week",
    "criteria-1-metric": "Weekly active analysts",
    "criteria-1-direction": "at_least",
    "criteria-1-target": "8",
    "criteria-1-unit": "people",
}


# --- planning ---------------------------------------------------------------------------------------------


def test_editor_plans_a_pilot_with_criteria_from_the_account(client_as, db_session):
    account = make_account(db_session)
    editor = client_as(Role.EDITOR)
    assert editor.get(f"/accounts/{account.id}/pilots/new").status_code == 200
    response = editor.post(f"/accounts/{account.id}/pilots/new", data=NEW_PILOT)
    assert response.status_code == 302, response.get_data(as_text=True)
    pilot = db_session.scalar(select(Pilot).where(Pilot.name == "Nightly batch replacement"))
    assert response.headers["Location"] == f"/pilots/{pilot.id}"
    assert pilot.status == "planned" and pilot.account_id == account.id
    assert [(c.metric, c.direction, c.frozen_at) for c in pilot.criteria] == [
        ("p95 query latency", "at_most", None),
        ("Weekly active analysts", "at_least", None),
    ]  # the third, empty row was skipped
    page = editor.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert "p95 query latency ≤ 300 ms" in page and "Weekly active analysts ≥ 8 people" in page
    assert "Start the pilot" in page and "Add a criterion" in page
    # the same form from the board's "New pilot" (?account_id=) and the account picker
    assert editor.get(f"/pilots/new?account_id={account.id}").status_code == 200
    picker = editor.get("/pilots/new?q=kumo").get_data(as_text=True)
    assert f"/accounts/{account.id}/pilots/new" in picker


def test_a_bad_criterion_row_is_named_and_nothing_is_written(client_as, db_session):
    account = make_account(db_session)
    editor = client_as(Role.EDITOR)
    before = audit_count(db_session)
    bad = {**NEW_PILOT, "criteria-1-target": "lots", "criteria-1-metric": ""}
    response = editor.post(f"/accounts/{account.id}/pilots/new", data=bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Target: Enter the target as a number" in page and "Metric: Enter the metric." in page
    assert db_session.scalar(select(func.count(Pilot.id))) == 0
    assert audit_count(db_session) == before


def test_prices_are_checked_naming_the_field(client_as, db_session):
    account = make_account(db_session)
    editor = client_as(Role.EDITOR)
    before = audit_count(db_session)
    above = editor.post(f"/accounts/{account.id}/pilots/new", data={**NEW_PILOT, "pilot_price": "2500"})
    assert above.status_code == 422
    assert "Price reason: The pilot price is above the list price" in above.get_data(as_text=True)
    negative = editor.post(f"/accounts/{account.id}/pilots/new", data={**NEW_PILOT, "list_price": "-5"})
    assert negative.status_code == 422
    assert "List price: An amount cannot be negative." in negative.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Pilot.id))) == 0
    assert audit_count(db_session) == before
    with_reason = {**NEW_PILOT, "pilot_price": "2500", "price_reason": "Includes on-site onboarding"}
    assert editor.post(f"/accounts/{account.id}/pilots/new", data=with_reason).status_code == 302


def test_criteria_can_be_edited_and_added_while_planned(client_as, db_session):
    pilot = make_pilot(db_session, make_account(db_session))
    criterion = pilot.criteria[0]
    editor = client_as(Role.EDITOR)
    form = editor.get(f"/pilots/{pilot.id}/criteria/{criterion.id}/edit")
    assert form.status_code == 200
    response = editor.post(
        f"/pilots/{pilot.id}/criteria/{criterion.id}/edit",
        data={
            "description": "Fast",
            "metric": "p95 latency",
            "target": "250",
            "unit": "ms",
            "direction": "at_most",
            "version": criterion.version,
        },
    )
    assert response.status_code == 302
    assert str(fresh(db_session, SuccessCriterion, criterion.id).target).startswith("250")
    added = editor.post(
        f"/pilots/{pilot.id}/criteria",
        data={"description": "Adopted", "metric": "Weekly users", "target": "8", "direction": "at_least"},
    )
    assert added.status_code == 302
    assert len(fresh(db_session, Pilot, pilot.id).criteria) == 2
    missing = editor.post(
        f"/pilots/{pilot.id}/criteria", data={"description": "x", "metric": "", "target": ""}
    )
    assert missing.status_code == 422
    assert "Metric: Name the metric." in missing.get_data(as_text=True)


# --- starting freezes the criteria; amendments ----------------------------------------------------------


def test_starting_asks_for_confirmation_when_the_account_moves(client_as, db_session):
    account = make_account(db_session)
    pilot = make_pilot(db_session, account)
    editor = client_as(Role.EDITOR)
    before = audit_count(db_session)
    refused = editor.post(f"/pilots/{pilot.id}/status", data={"to": "active"})
    assert refused.status_code == 422
    assert "starting moves Kumo Logistics to the pilot stage" in refused.get_data(as_text=True)
    assert fresh(db_session, Pilot, pilot.id).status == "planned"
    assert audit_count(db_session) == before
    started = editor.post(
        f"/pilots/{pilot.id}/status", data={"to": "active", "confirm": "y", "on": TODAY.isoformat()}
    )
    assert started.status_code == 302
    pilot = fresh(db_session, Pilot, pilot.id)
    assert pilot.status == "active" and pilot.start_date == TODAY and pilot.criteria_frozen_at is not None
    assert all(c.frozen_at is not None for c in pilot.criteria)
    assert db_session.get(Account, account.id).stage == "pilot"


def test_a_frozen_criterion_cannot_be_edited_but_an_amendment_shows_beside_it(client_as, db_session):
    pilot = make_pilot(db_session, make_account(db_session), start=True)
    criterion = pilot.criteria[0]
    editor = client_as(Role.EDITOR)
    before = audit_count(db_session)

    form = editor.get(f"/pilots/{pilot.id}/criteria/{criterion.id}/edit")
    assert form.status_code == 409
    assert "frozen when the pilot started" in form.get_data(as_text=True)
    response = editor.post(
        f"/pilots/{pilot.id}/criteria/{criterion.id}/edit",
        data={
            "description": "Quietly easier",
            "metric": "p95 latency 0",
            "target": "900",
            "unit": "ms",
            "direction": "at_most",
            "version": criterion.version,
        },
    )
    assert response.status_code == 409
    assert "record an amendment with a reason instead" in response.get_data(as_text=True)
    unchanged = fresh(db_session, SuccessCriterion, criterion.id)
    assert (unchanged.description, unchanged.target, unchanged.version) == (
        "Criterion 0",
        criterion.target,
        criterion.version,
    )
    added = editor.post(
        f"/pilots/{pilot.id}/criteria", data={"description": "x", "metric": "y", "target": "1"}
    )
    assert added.status_code == 409
    assert audit_count(db_session) == before

    amend = f"/pilots/{pilot.id}/criteria/{criterion.id}/amend"
    prefix = f"amend{criterion.id}-"
    no_reason = editor.post(amend, data={prefix + "target": "450", prefix + "reason": ""})
    assert no_reason.status_code == 422
    assert "Say why the criterion changes" in no_reason.get_data(as_text=True)
    assert audit_count(db_session) == before
    reason = "Their data turned out ten times larger than they said."
    amended = editor.post(
        amend,
        data={
            prefix + "reason": reason,
            prefix + "description": "Criterion 0",
            prefix + "metric": "p95 latency 0",
            prefix + "target": "450",
            prefix + "unit": "ms",
            prefix + "direction": "at_most",
        },
    )
    assert amended.status_code == 302
    criterion = fresh(db_session, SuccessCriterion, criterion.id)
    assert criterion.amendments[0].changes == {"target": ["300", "450"]}
    assert str(criterion.target).startswith("300")  # the registered value stays
    page = editor.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    row = page[page.index(f'id="criterion-{criterion.id}"') :]
    row = row[: row.index("</tr>")]
    assert "p95 latency 0 ≤ 300 ms" in row  # registered
    assert "<del>300</del> → <ins>450</ins>" in row and reason in row and "by Editor User" in row
    assert "p95 latency 0 ≤ 450 ms" in row and "amended" in row  # what applies now


def test_invalid_transitions_are_refused_with_a_message_and_nothing_written(client_as, db_session):
    pilot = make_pilot(db_session, make_account(db_session, stage="pilot"))
    no_criteria = make_pilot(db_session, make_account(db_session, "Empty Co", stage="pilot"), criteria=0)
    editor = client_as(Role.EDITOR)
    before = audit_count(db_session)
    response = editor.post(f"/pilots/{pilot.id}/status", data={"to": "succeeded"})
    assert response.status_code == 422
    assert "A planned pilot cannot become succeeded" in response.get_data(as_text=True)
    unknown = editor.post(f"/pilots/{pilot.id}/status", data={"to": "won"})
    assert unknown.status_code == 422 and "Unknown status" in unknown.get_data(as_text=True)
    refused = editor.post(f"/pilots/{no_criteria.id}/status", data={"to": "active"})
    assert refused.status_code == 422
    assert "Agree at least one success criterion" in refused.get_data(as_text=True)
    assert fresh(db_session, Pilot, pilot.id).status == "planned"
    assert audit_count(db_session) == before
    # extending needs a later planned end
    running = make_pilot(db_session, make_account(db_session, "Run Co", stage="pilot"), start=True)
    short = editor.post(
        f"/pilots/{running.id}/status", data={"to": "extended", "planned_end_date": TODAY.isoformat()}
    )
    assert short.status_code == 422 and "later than the current one" in short.get_data(as_text=True)
    later = (TODAY + timedelta(days=60)).isoformat()
    extended = editor.post(f"/pilots/{running.id}/status", data={"to": "extended", "planned_end_date": later})
    assert extended.status_code == 302
    assert fresh(db_session, Pilot, running.id).status == "extended"


# --- results, scorecard, outcome -------------------------------------------------------------------------


def record(editor, pilot, criterion, actual):
    prefix = f"result{criterion.id}-"
    return editor.post(
        f"/pilots/{pilot.id}/criteria/{criterion.id}/result",
        data={prefix + "actual": actual, prefix + "version": criterion.version},
    )


def test_results_scorecard_and_conversion_make_the_account_a_customer(client_as, db_session):
    account = make_account(db_session, stage="pilot")
    pilot = make_pilot(db_session, account, criteria=2, start=True)
    first, second = pilot.criteria
    editor = client_as(Role.EDITOR)
    bad = record(editor, pilot, first, "fast")
    assert bad.status_code == 422 and "Enter the measured value as a number" in bad.get_data(as_text=True)
    assert record(editor, pilot, first, "250").status_code == 302
    assert record(editor, pilot, fresh(db_session, SuccessCriterion, second.id), "420").status_code == 302
    page = editor.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert "missed 1 of 2" in page and "1 / 2" in page

    assert editor.post(f"/pilots/{pilot.id}/status", data={"to": "succeeded"}).status_code == 302
    before = audit_count(db_session)
    unconfirmed = editor.post(
        f"/pilots/{pilot.id}/outcome", data={"outcome": "converted", "contract_value": "24000"}
    )
    assert unconfirmed.status_code == 422
    assert "Tick the box to confirm that Kumo Logistics becomes a customer" in unconfirmed.get_data(
        as_text=True
    )
    no_value = editor.post(f"/pilots/{pilot.id}/outcome", data={"outcome": "converted", "confirm": "y"})
    assert no_value.status_code == 422 and "Enter the contract value" in no_value.get_data(as_text=True)
    assert audit_count(db_session) == before
    assert db_session.get(Account, account.id).stage == "pilot"

    converted = editor.post(
        f"/pilots/{pilot.id}/outcome",
        data={
            "outcome": "converted",
            "contract_value": "24000",
            "converted_on": TODAY.isoformat(),
            "confirm": "y",
        },
    )
    assert converted.status_code == 302
    account = fresh(db_session, Account, account.id)
    assert account.stage == "customer" and account.converted_on == TODAY
    assert str(account.contract_value).startswith("24000")
    page = editor.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert "disagrees: converted although it missed its criteria" in page


def test_after_the_end_a_result_changes_only_as_an_amendment_shown_in_the_history(client_as, db_session):
    pilot = make_pilot(db_session, make_account(db_session, stage="pilot"), start=True)
    (criterion,) = pilot.criteria
    editor = client_as(Role.EDITOR)
    assert record(editor, pilot, criterion, "250").status_code == 302
    assert editor.post(f"/pilots/{pilot.id}/status", data={"to": "succeeded"}).status_code == 302
    page = editor.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert "a change to this result is an amendment with its reason" in page  # the form says so
    assert f'name="result{criterion.id}-reason"' in page
    before = audit_count(db_session)
    criterion = fresh(db_session, SuccessCriterion, criterion.id)
    silent = record(editor, pilot, criterion, "320")
    assert silent.status_code == 422
    assert "The pilot has ended: say why its result changes" in silent.get_data(as_text=True)
    assert audit_count(db_session) == before
    assert fresh(db_session, SuccessCriterion, criterion.id).actual == 250
    prefix = f"result{criterion.id}-"
    amended = editor.post(
        f"/pilots/{pilot.id}/criteria/{criterion.id}/result",
        data={
            prefix + "actual": "320",
            prefix + "version": criterion.version,
            prefix + "reason": "The first run skipped the cold cache.",
        },
    )
    assert amended.status_code == 302
    criterion = fresh(db_session, SuccessCriterion, criterion.id)
    assert (criterion.actual, criterion.met) == (320, False)
    assert [a.changes for a in criterion.amendments] == [{"actual": ["250", "320"]}]
    page = editor.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert "The first run skipped the cold cache." in page
    assert "<del>250</del> → <ins>320</ins>" in page  # beside the criterion
    history = page[page.index("<h2>History</h2>") :]
    assert "criterion amendment" in history and "The first run skipped the cold cache." in history


def form_actions(page: str) -> set[str]:
    """Where the forms in the page's content post (the sign-out form in the top bar aside)."""
    main = page[page.index('<main id="main">') :]
    return {html.unescape(a).split("#")[0] for a in re.findall(r'<form method="post" action="([^"]+)"', main)}


def test_the_pilot_pages_forms_post_to_the_page_and_a_refused_one_stays_there(client_as, db_session):
    pilot = make_pilot(db_session, make_account(db_session, stage="pilot"), start=True)
    (criterion,) = pilot.criteria
    editor = client_as(Role.EDITOR)
    page = editor.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    milestone_action = f"/pilots/{pilot.id}/milestones/"
    assert {a for a in form_actions(page) if not a.startswith(milestone_action)} == {f"/pilots/{pilot.id}"}
    prefix = f"result{criterion.id}-"
    refused = editor.post(
        f"/pilots/{pilot.id}",
        data={
            "form": "result",
            "criterion_id": criterion.id,
            prefix + "actual": "fast",
            prefix + "version": criterion.version,
        },
    )
    assert refused.status_code == 422 and refused.request.path == f"/pilots/{pilot.id}"
    body = refused.get_data(as_text=True)
    assert "Enter the measured value as a number" in body
    assert re.search(rf'<input [^>]*name="{prefix}actual"[^>]*value="fast"', body)  # what was typed stays
    added = editor.post(
        f"/pilots/{pilot.id}", data={"form": "milestone", "title": "Kick-off", "due_on": "not a day"}
    )
    assert added.status_code == 422 and 'value="Kick-off"' in added.get_data(as_text=True)
    saved = editor.post(
        f"/pilots/{pilot.id}",
        data={
            "form": "result",
            "criterion_id": criterion.id,
            prefix + "actual": "250",
            prefix + "version": criterion.version,
        },
    )
    assert saved.status_code == 302 and fresh(db_session, SuccessCriterion, criterion.id).actual == 250
    assert editor.post(f"/pilots/{pilot.id}", data={"form": "nonsense"}).status_code == 400
    assert editor.post(f"/pilots/{pilot.id}", data={"form": "result", "criterion_id": "x"}).status_code == 400
    assert client_as(Role.VIEWER).post(f"/pilots/{pilot.id}", data={"form": "milestone"}).status_code == 403


def test_not_converted_can_also_mark_the_account_lost(client_as, db_session):
    account = make_account(db_session, stage="pilot")
    pilot = make_pilot(db_session, account, start=True)
    editor = client_as(Role.EDITOR)
    early = editor.post(f"/pilots/{pilot.id}/outcome", data={"outcome": "not_converted"})
    assert early.status_code == 422 and "once the pilot has ended" in early.get_data(as_text=True)
    editor.post(f"/pilots/{pilot.id}/status", data={"to": "failed"})
    page = editor.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert "Also mark Kumo Logistics as lost" in page
    response = editor.post(
        f"/pilots/{pilot.id}/outcome", data={"outcome": "not_converted", "mark_account_lost": "y"}
    )
    assert response.status_code == 302
    assert fresh(db_session, Account, account.id).stage == "lost"
    assert fresh(db_session, Pilot, pilot.id).outcome == "not_converted"


# --- mutual action plan ----------------------------------------------------------------------------------


def test_milestones_late_ones_are_highlighted_and_can_be_ticked_off(client_as, db_session):
    pilot = make_pilot(db_session, make_account(db_session), start=True)
    editor = client_as(Role.EDITOR)
    late_day = (TODAY - timedelta(days=3)).isoformat()
    response = editor.post(
        f"/pilots/{pilot.id}/milestones",
        data={
            "title": "Grant warehouse access",
            "due_on": late_day,
            "side": "customer",
            "owner_name": "Dana",
        },
    )
    assert response.status_code == 302
    editor.post(
        f"/pilots/{pilot.id}/milestones",
        data={"title": "Mid-point review", "due_on": (TODAY + timedelta(days=7)).isoformat(), "side": "ours"},
    )
    page = editor.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert "1 milestone is late, 1 on the customer's side." in page
    assert re.search(r'<tr class="late">\s*<td class="nowrap">' + late_day, page)
    assert "late by 3 days" in page
    bad = editor.post(f"/pilots/{pilot.id}/milestones", data={"title": "", "due_on": "soon"})
    assert bad.status_code == 422 and "Say what has to happen." in bad.get_data(as_text=True)

    milestone = fresh(db_session, Pilot, pilot.id).milestones[0]
    done = editor.post(
        f"/pilots/{pilot.id}/milestones/{milestone.id}/done", data={"done": "1", "version": milestone.version}
    )
    assert done.status_code == 302
    page = editor.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert "late by" not in page and f"done {TODAY}" in page
    other = make_pilot(db_session, make_account(db_session, "Other Co"))
    assert (
        editor.post(f"/pilots/{other.id}/milestones/{milestone.id}/done", data={"done": "0"}).status_code
        == 404
    )


# --- editing ---------------------------------------------------------------------------------------------


def test_a_stale_pilot_edit_is_refused_with_a_clear_message(client_as, db_session):
    pilot = make_pilot(db_session, make_account(db_session))
    editor = client_as(Role.EDITOR)
    assert editor.get(f"/pilots/{pilot.id}/edit").status_code == 200
    seen = pilot.version
    pilots.update_pilot(db_session, TEST_ACTOR, pilot.id, {"name": "Renamed elsewhere"}, version=seen)
    db_session.commit()
    response = editor.post(
        f"/pilots/{pilot.id}/edit",
        data={"name": "My name", "planned_end_date": "2027-01-20", "version": seen},
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "changed by someone else while you were editing; nothing was saved" in page
    assert "Renamed elsewhere" in page  # the other person's change is shown
    assert fresh(db_session, Pilot, pilot.id).name == "Renamed elsewhere"
    current = fresh(db_session, Pilot, pilot.id).version
    saved = editor.post(
        f"/pilots/{pilot.id}/edit",
        data={"name": "My name", "planned_end_date": "2027-01-20", "version": current},
    )
    assert saved.status_code == 302
    assert fresh(db_session, Pilot, pilot.id).name == "My name"


# --- the board, the timeline, the export -----------------------------------------------------------------


def test_board_views_filters_and_highlights(client_as, db_session):
    soon = make_pilot(db_session, make_account(db_session, "Soon Co"), name="Ends soon", start=True)
    soon.planned_end_date = TODAY + timedelta(days=5)
    late = make_pilot(db_session, make_account(db_session, "Late Co"), name="Overdue one", start=True)
    late.planned_end_date = TODAY - timedelta(days=2)
    make_pilot(db_session, make_account(db_session, "Plan Co"), name="Still planned")
    db_session.commit()
    viewer = client_as(Role.VIEWER)
    table = viewer.get("/pilots/").get_data(as_text=True)
    assert "3 pilots." in table
    assert 'class="due-soon"' in table and "ends in 5 days" in table
    assert 'class="due-overdue"' in table and "2 days past its planned end" in table
    only_late = viewer.get("/pilots/?due=overdue").get_data(as_text=True)
    assert "Overdue one" in only_late and "Ends soon" not in only_late
    by_status = viewer.get("/pilots/?status=planned").get_data(as_text=True)
    assert "Still planned" in by_status and "Ends soon" not in by_status
    searched = viewer.get("/pilots/?q=soon+co").get_data(as_text=True)
    assert "Ends soon" in searched and "Overdue one" not in searched
    board = viewer.get("/pilots/?view=board").get_data(as_text=True)
    assert 'id="col-active"' in board and 'id="col-cancelled"' in board
    assert "pilot-card due-overdue" in board
    timeline = viewer.get("/pilots/?view=timeline")
    assert timeline.status_code == 200 and "/pilots/timeline.svg" in timeline.get_data(as_text=True)
    svg = viewer.get("/pilots/timeline.svg?status=active")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg.data.lstrip().startswith(b"<?xml") and b"<svg" in svg.data
    ignored = viewer.get("/pilots/?status=won&due=later", follow_redirects=True).get_data(as_text=True)
    assert "Filter ignored" in ignored and "3 pilots." in ignored


def test_csv_export_streams_the_filtered_pilots_with_formula_cells_neutralised(client_as, db_session):
    account = make_account(db_session, "=HYPERLINK(evil)")
    make_pilot(db_session, account, name="+cmd pilot", criteria=2, start=True)
    make_pilot(db_session, make_account(db_session, "Plain Co"), name="Planned one")
    response = client_as(Role.VIEWER).get("/pilots/export.csv?status=active")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1
    row = rows[0]
    assert row["name"] == "'+cmd pilot" and row["account"] == "'=HYPERLINK(evil)"
    assert (row["status"], row["criteria"], row["criteria_met"]) == ("active", "2", "0")
    everything = client_as(Role.VIEWER).get("/pilots/export.csv").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(everything)))) == 2


# --- permissions and statement counts --------------------------------------------------------------------


def test_viewer_reads_but_cannot_write(client_as, db_session):
    pilot = make_pilot(db_session, make_account(db_session), start=True)
    viewer = client_as(Role.VIEWER)
    page = viewer.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert "Latency pilot" in page
    assert "Edit pilot" not in page and "Record the amendment" not in page and "Succeeded" not in page
    before = audit_count(db_session)
    for url, data in (
        (f"/pilots/{pilot.id}/status", {"to": "failed"}),
        (f"/pilots/{pilot.id}/edit", {"name": "x"}),
        (f"/pilots/{pilot.id}/milestones", {"title": "x", "due_on": "2027-01-01"}),
        (f"/accounts/{pilot.account_id}/pilots/new", NEW_PILOT),
    ):
        assert viewer.post(url, data=data).status_code == 403, url
    assert viewer.get(f"/pilots/{pilot.id}/edit").status_code == 403
    assert audit_count(db_session) == before
    assert fresh(db_session, Pilot, pilot.id).status == "active"


def add_busy_pilot(session, account, name):
    pilot = make_pilot(session, account, name=name, criteria=3, start=True)
    for criterion in pilot.criteria:
        pilots.amend_criterion(
            session, TEST_ACTOR, criterion.id, reason="The data grew tenfold.", changes={"target": "450"}
        )
        pilots.record_result(session, TEST_ACTOR, criterion.id, "400", version=criterion.version)
    for day in (3, 10):
        pilots.add_milestone(
            session,
            TEST_ACTOR,
            pilot.id,
            {"title": f"Step {day}", "due_on": (TODAY - timedelta(days=day)).isoformat(), "side": "customer"},
        )
    discounts.grant_discount(
        session,
        TEST_ACTOR,
        account.id,
        {
            "kind": "percent",
            "amount": "20",
            "list_price": "1000",
            "reason": "Design partner",
            "starts_on": TODAY.isoformat(),
            "pilot_id": pilot.id,
            "promises": [
                {"kind": "testimonial", "due_on": TODAY.isoformat()},
                {"kind": "logo", "due_on": "2027-01-01"},
            ],
        },
    )
    session.commit()
    return pilot


def test_pages_issue_the_same_statements_whatever_the_number_of_rows(app, client_as, db_session):
    viewer = client_as(Role.VIEWER)
    account = make_account(db_session)
    first = add_busy_pilot(db_session, account, "Pilot 0")
    small = {
        url: statements_for(app, viewer, url)
        for url in (f"/accounts/{account.id}", f"/pilots/{first.id}", "/pilots/", "/pilots/?view=board")
    }
    for i in range(1, 5):
        add_busy_pilot(db_session, account, f"Pilot {i}")
    # the first pilot gets more criteria, amendments and milestones as well
    pilots.add_milestone(
        db_session, TEST_ACTOR, first.id, {"title": "More", "due_on": TODAY.isoformat(), "side": "ours"}
    )
    db_session.commit()
    large = {url: statements_for(app, viewer, url) for url in small}
    assert large == small
    page = viewer.get(f"/accounts/{account.id}").get_data(as_text=True)
    for i in range(5):
        assert f"Pilot {i}" in page
    assert "criterion amendment #" in page and "give get #" in page  # the timeline includes them
