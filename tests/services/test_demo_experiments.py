"""The demo's experiments: one finished (its verdict computed from its recorded outcomes, linked to the
latest review) and one running (too early, stratified by channel); loading again adds none."""

from __future__ import annotations

from sqlalchemy import select

from ecp_tracker.analysis.experiments import Verdict
from ecp_tracker.demo import workspace as demo
from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Experiment
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.experiments import experiments


def test_demo_has_a_finished_and_a_running_experiment(db_session, client_as):
    demo.load_demo(db_session)
    db_session.commit()
    found = {e.status: e for e in db_session.scalars(select(Experiment))}
    assert set(found) == {"finished", "running"}
    today = utcnow().date()
    finished = experiments.results(db_session, found["finished"], today)
    assert finished.verdict is Verdict.WORKED, finished.explanation
    assert finished.holdout.measured == finished.holdout.assigned > 0
    assert found["finished"].review_id is not None
    running = experiments.results(db_session, found["running"], today)
    assert running.verdict is Verdict.TOO_EARLY
    assert found["running"].stratify_by == "acquisition_channel"
    again = demo.load_demo(db_session)
    assert "experiments" in again.existing and len(db_session.scalars(select(Experiment)).all()) == 2
    page = client_as(Role.VIEWER).get("/experiments/").get_data(as_text=True)
    assert "Demo calls for tier B" in page and "Worked" in page and "Too early" in page


def test_cli_lists_experiments_and_exports_the_arms(app, db_session):
    demo.load_demo(db_session)
    db_session.commit()
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["experiments", "list"])
    assert listed.exit_code == 0
    assert "Demo calls for tier B\tfinished\tICP tier B\tworked" in listed.output
    finished = db_session.scalar(select(Experiment).where(Experiment.status == "finished"))
    exported = runner.invoke(args=["experiments", "export", str(finished.id)])
    assert exported.exit_code == 0
    lines = exported.output.splitlines()
    assert lines[0] == "experiment_id,account_id,account,arm,stratum,outcome"
    assert len(lines) == len(finished.arms) + 1
    missing = runner.invoke(args=["experiments", "export", "99999"])
    assert missing.exit_code != 0 and "no experiment" in missing.output


def test_the_review_it_was_discussed_in_shows_its_result(db_session, client_as):
    demo.load_demo(db_session)
    db_session.commit()
    finished = db_session.scalar(select(Experiment).where(Experiment.status == "finished"))
    page = client_as(Role.VIEWER).get(f"/reviews/{finished.review_id}").get_data(as_text=True)
    assert "Experiments discussed" in page and "Demo calls for tier B" in page and "Worked" in page
    markdown = client_as(Role.VIEWER).get(f"/reviews/{finished.review_id}/review.md").get_data(as_text=True)
    assert (
        "## Experiments discussed" in markdown
        and "Demo calls for tier B (ICP tier B, finished): Worked" in markdown
    )
