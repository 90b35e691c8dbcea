"""Experiment pages: a refused new experiment names the field and saves nothing; the draft shows the
sample-size line; starting draws the arms (shown on the account page, exported as CSV); custom outcomes from a
CSV, a bad file named; amendments beside the registered terms; viewers read only."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Experiment, ExperimentArm
from ecp_tracker.models.base import utcnow
from tests.factories.experiments import fintech_workspace

FORM = {
    "name": "Demo calls for tier A",
    "hypothesis": "Calling tier A accounts books more demos.",
    "target": "tier:A",
    "metric": "custom",
    "custom_metric": "Booked a demo",
    "min_lift": "0.1",
    "holdout_share": "0.2",
    "baseline_rate": "0.1",
    "stratify_by": "",
    "planned_end": (utcnow().date() + timedelta(days=30)).isoformat(),
    "seed": "99",
    "review_id": "",
}


def _workspace(db_session):
    fintech_workspace(db_session, 20)


def test_create_start_record_amend_and_read_an_experiment(client_as, db_session):
    _workspace(db_session)
    editor, viewer = client_as(Role.EDITOR), client_as(Role.VIEWER)
    refused = editor.post("/experiments/new", data={**FORM, "holdout_share": "0.9"})
    assert refused.status_code == 422
    assert "Hold out between 5% and 50%" in refused.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Experiment.id))) == 0

    created = editor.post("/experiments/new", data=FORM)
    assert created.status_code == 302, created.get_data(as_text=True)
    url = created.headers["Location"]
    page = editor.get(url).get_data(as_text=True)
    assert "With 20 accounts and a 20% holdout" in page and "Start the experiment" in page
    experiment_id = int(re.search(r"/experiments/(\d+)", url).group(1))

    assert viewer.post(url, data={"form": "start", "version": "1"}).status_code == 403
    started = editor.post(url, data={"form": "start", "version": "1"})
    assert started.status_code == 302
    page = editor.get(url).get_data(as_text=True)
    assert "Results: Too early" in page and "Record outcomes" in page

    arms = {a.account_id: a.arm for a in db_session.scalars(select(ExperimentArm))}
    assert len(arms) == 20 and sum(a == "holdout" for a in arms.values()) == 4
    csv_text = editor.get(f"/experiments/{experiment_id}/arms.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0] == "experiment_id,account_id,account,arm,stratum,outcome"
    assert len(csv_text.splitlines()) == 21

    some = sorted(arms)[0]
    account_page = viewer.get(f"/accounts/{some}").get_data(as_text=True)
    assert "Demo calls for tier A" in account_page
    assert ("holdout" if arms[some] == "holdout" else "campaign arm") in account_page

    bad = editor.post(
        url,
        data={
            "form": "outcomes",
            "outcomes": (io.BytesIO(f"account_id,outcome\n{some},perhaps\n".encode()), "o.csv"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "is yes or no" in bad.get_data(as_text=True)
    good = editor.post(
        url,
        data={
            "form": "outcomes",
            "outcomes": (io.BytesIO(f"account_id,outcome\n{some},yes\n".encode()), "o.csv"),
        },
        content_type="multipart/form-data",
    )
    assert good.status_code == 302, re.findall(
        r"class=\"error[^<]*<|errorbox.*?</div>", good.get_data(as_text=True), re.S
    )
    db_session.expire_all()
    assert db_session.scalar(select(ExperimentArm.outcome).where(ExperimentArm.account_id == some)) is True

    amended = editor.post(
        url, data={"form": "amend", "reason": "The board asked for 15", "metric": "", "min_lift": "0.15"}
    )
    assert amended.status_code == 302
    page = viewer.get(url).get_data(as_text=True)
    assert "15 points" in page and "registered: 10 points" in page
    assert "Finish the experiment" not in page  # viewers see no forms
    assert "Demo calls for tier A" in viewer.get("/experiments/").get_data(as_text=True)
