"""The SQL counts the analysis runs on (services.analysis.population.binary_counts) against an independent
oracle: the plain-Python `analysis.counts.tabulate`, fed the accounts as the test generated them (not as the
database returns them), on a seeded random workspace with unknown values, multi-valued traits, booleans,
unrecorded strata and undecided accounts. The statistical tests exercise `tabulate`; this test is what ties
them to the counts production uses."""

from __future__ import annotations

import random

import pytest
from sqlalchemy.orm import Session

from ecp_tracker.analysis.counts import is_recorded, tabulate
from ecp_tracker.domain.accounts import CONVERTED_STAGES, DECIDED_STAGES
from ecp_tracker.services.accounts import traits
from ecp_tracker.services.accounts.vocabulary import trait_catalogue
from ecp_tracker.services.analysis.outcomes import OUTCOMES
from ecp_tracker.services.analysis.population import binary_counts, population
from tests.conftest import TEST_ACTOR
from tests.factories.analysis import add

STAGES = ["prospect", "pilot", "customer", "churned", "lost"]
INDUSTRIES = ["SaaS", "Retail", "Fintech", "Health", "N/A", None]
CHANNELS = ["Referral", "Outbound", "Inbound", "-", None]
ARCHETYPES = ["Game changer", "Tech enthusiast", "Underdog supporter", "Visionary founder"]
STACK = ["AWS", "GCP", "dbt", "Snowflake"]
CRMS = ["HubSpot", "Salesforce", "Pipedrive", "unknown"]
TRAITS = ["industry", "acquisition_channel", "archetype", "trait:stack", "trait:sf", "trait:crm"]


def _account(rng: random.Random, i: int) -> dict:
    fields: dict = {
        "stage": rng.choice(STAGES),
        "industry": rng.choice(INDUSTRIES),
        "acquisition_channel": rng.choice(CHANNELS),
        "archetypes": rng.sample(ARCHETYPES, rng.choice([0, 1, 1, 2])),
    }
    if rng.random() < 0.8:
        fields["trait:stack"] = rng.sample(STACK, rng.randint(1, 3))
    if rng.random() < 0.7:
        fields["trait:sf"] = rng.choice(["yes", "no"])
    if rng.random() < 0.85:
        fields["trait:crm"] = rng.choice(CRMS)
    return {key: value for key, value in fields.items() if value is not None}


def _oracle_row(fields: dict) -> tuple[bool, str | None, dict[str, list[str]]]:
    """(converted, channel or None, {trait: values}) from the generated fields, by the documented rules."""
    values: dict[str, list[str]] = {}
    for name in ("industry", "acquisition_channel", "trait:sf", "trait:crm"):
        if is_recorded(fields.get(name)):
            values[name] = [fields[name]]
    if fields.get("archetypes"):
        values["archetype"] = list(fields["archetypes"])
    if fields.get("trait:stack"):
        values["trait:stack"] = list(fields["trait:stack"])
    channel = fields.get("acquisition_channel")
    return fields["stage"] in CONVERTED_STAGES, channel if is_recorded(channel) else None, values


@pytest.fixture
def workspace(db_session: Session, request) -> list[dict]:
    traits.create_definition(db_session, TEST_ACTOR, key="stack", label="Tech stack", kind="tags")
    traits.create_definition(db_session, TEST_ACTOR, key="sf", label="Uses Salesforce", kind="boolean")
    traits.create_definition(
        db_session, TEST_ACTOR, key="crm", label="CRM", kind="category", allowed_values=CRMS
    )
    rng = random.Random(request.param)
    made = [_account(rng, i) for i in range(150)]
    for i, fields in enumerate(made):
        add(db_session, f"Account {i:03}", **fields)
    db_session.commit()
    return made


def _sql_counts(session: Session, stratify_by: str | None) -> dict:
    catalogue = {t.name: t for t in trait_catalogue(session)}
    pop = population(session, OUTCOMES["converted"], catalogue[stratify_by] if stratify_by else None)
    total, positives, counts = binary_counts(session, pop, [catalogue[name] for name in TRAITS])
    return total, positives, {(c.trait, c.value): dict(c.strata) for c in counts}


@pytest.mark.parametrize("workspace", [11, 2024], indirect=True)
@pytest.mark.parametrize("stratify_by", [None, "acquisition_channel"])
def test_sql_counts_equal_the_python_oracle(db_session, workspace, stratify_by):
    decided = [f for f in workspace if f["stage"] in DECIDED_STAGES]
    rows = [_oracle_row(f) for f in decided]
    if stratify_by is None:
        rows = [(converted, None, values) for converted, _, values in rows]
    expected = {(c.trait, c.value): dict(c.strata) for c in tabulate(rows, TRAITS)}

    total, positives, counted = _sql_counts(db_session, stratify_by)

    assert (total, positives) == (len(decided), sum(f["stage"] in CONVERTED_STAGES for f in decided))
    assert counted.keys() == expected.keys()
    for key, strata in expected.items():
        assert counted[key] == strata, key
    assert ("trait:sf", "no") not in counted  # a yes/no trait is one test
    assert not any(value in {"N/A", "-", "unknown"} for _, value in counted)  # unknown is no value
