"""The import's remembered checks give what the checks themselves give: `traits.TagReader` against
`traits.canonical_values`, and `clean_account` with `fields.Conversions` against it without, over seeded
random cells (case, spacing, separators, duplicates, refused values and blanks): a cache never changes an
import."""

from __future__ import annotations

import random
from datetime import date

import pytest

from ecp_tracker.domain.errors import ValidationError
from ecp_tracker.models import TraitDefinition
from ecp_tracker.services.accounts import traits
from ecp_tracker.services.accounts.fields import REPEATING_FIELDS, Conversions, clean_account

TAGS = ["Snowflake", "dbt", "Kafka", "Spark", "Airflow", "Power BI", "x" * 250]
TODAY = date(2026, 11, 1)


def _spelling(rng: random.Random, tag: str) -> str:
    tag = rng.choice([tag, tag.lower(), tag.upper(), tag.replace(" ", "  ")])
    return rng.choice(["", " ", "\t"]) + tag + rng.choice(["", " ", "  "])


def _cell(rng: random.Random, vocabulary: list[str]) -> str:
    pieces = [_spelling(rng, rng.choice(vocabulary)) for _ in range(rng.randint(0, 6))]
    pieces += rng.choice([[], [""], [" "]])  # empty pieces between separators
    rng.shuffle(pieces)
    out = ""
    for piece in pieces:
        out += piece + rng.choice([";", ",", "; ", " ,"])
    return rng.choice([out, out.rstrip(";, "), "", "   "])


def _outcome(read, cell: str) -> list[str] | tuple[str, str | None]:
    try:
        return read(cell)
    except ValidationError as error:
        return (error.message, error.field)


@pytest.mark.parametrize("allowed", [[], ["Snowflake", "dbt", "Kafka", "Power BI"]])
def test_tag_reader_equals_canonical_values(allowed):
    definition = TraitDefinition(key="stack", label="Stack", kind="tags", allowed_values=allowed)
    rng = random.Random(16)
    reader = traits.TagReader(definition)
    cells = [_cell(rng, TAGS) for _ in range(3000)]
    refused = 0
    for cell in cells + cells[:500]:  # the second time through, every piece is remembered
        expected = _outcome(lambda c: traits.canonical_values(definition, c), cell)
        assert _outcome(reader.values, cell) == expected, repr(cell)
        refused += isinstance(expected, tuple)
    assert refused > 100 if allowed else refused == 0  # refusals were compared too


def test_clean_account_with_conversions_equals_clean_account_without():
    rng = random.Random(2026)
    choices = {
        "industry": ["Software", " software ", "x" * 130, "", "Media"],
        "country": ["Norway", "  Spain", ""],
        "region": ["EMEA", "emea", "y" * 90],
        "acquisition_channel": ["Referral", "Event  fair", ""],
        "stage": ["customer", "Pilot", "nope", ""],
        "employees": ["12", "1.5", "0", "ten", "10000001", "3e2", ""],
        "founded_year": ["1999", "2030", "1700", "abc"],
        "nps": ["0", "10", "11", "-1", "5.0"],
        "referrals": ["3", "1000001", "x"],
    }
    assert set(choices) == set(REPEATING_FIELDS)
    conversions = Conversions(TODAY)
    for _ in range(2000):
        raw = {"name": "Acme"} | {
            name: rng.choice(values) for name, values in choices.items() if rng.random() < 0.8
        }
        kwargs = {"today": TODAY, "archetype_names": {}, "definitions": {}, "require_name": True}
        plain, plain_problems = clean_account(dict(raw), **kwargs)
        cached, cached_problems = clean_account(dict(raw), conversions=conversions, **kwargs)
        assert (cached.columns, cached_problems) == (plain.columns, plain_problems), raw
    # remembered for one day only: another `today` converts afresh (founded years in the future)
    late, problems = clean_account(
        {"name": "Acme", "founded_year": "2030"},
        today=date(2031, 1, 1),
        archetype_names={},
        definitions={},
        require_name=True,
        conversions=conversions,
    )
    assert late.columns["founded_year"] == 2030 and problems == []
