"""Experiment rules without a database: draft -> running -> finished only, what a running experiment may
still change, and the terms' checks naming their field."""

from __future__ import annotations

from datetime import date

import pytest

from ecp_tracker.domain.errors import Conflict, InvalidFields
from ecp_tracker.domain.experiments import ExperimentStatus, check_editable, check_transition, clean_terms

S = ExperimentStatus


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (S.DRAFT, S.RUNNING, True),
        (S.DRAFT, S.FINISHED, False),
        (S.RUNNING, S.FINISHED, True),
        (S.RUNNING, S.DRAFT, False),
        (S.FINISHED, S.RUNNING, False),
    ],
)
def test_transitions(current, target, allowed):
    if allowed:
        check_transition(current, target)
    else:
        with pytest.raises(Conflict):
            check_transition(current, target)


def test_a_running_experiment_changes_only_name_planned_end_and_review():
    check_editable(S.DRAFT, {"hypothesis", "seed", "holdout_share"})
    check_editable(S.RUNNING, {"name", "planned_end", "review_id"})
    with pytest.raises(Conflict, match="amend it with a reason") as amendable:
        check_editable(S.RUNNING, {"name", "min_lift"})
    assert amendable.value.field == "min_lift"
    with pytest.raises(Conflict) as drawn:
        check_editable(S.RUNNING, {"seed"})
    assert drawn.value.field == "seed" and "amend" not in drawn.value.message
    with pytest.raises(Conflict):
        check_editable(S.FINISHED, {"name"})


def test_terms_are_checked_field_by_field():
    with pytest.raises(InvalidFields) as caught:
        clean_terms(
            {
                "name": " ",
                "min_lift": "nan",
                "holdout_share": "0.6",
                "baseline_rate": "1",
                "planned_end": "soon",
            },
            partial=True,
            today=date(2026, 12, 1),
        )
    assert [field for field, _ in caught.value.problems] == [
        "name",
        "min_lift",
        "holdout_share",
        "baseline_rate",
        "planned_end",
    ]
    clean = clean_terms({"min_lift": "0.1", "seed": "12"}, partial=True)
    assert clean == {"min_lift": 0.1, "seed": 12}
