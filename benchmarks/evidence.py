"""Benchmark rows for customer evidence and the analysis: the testimonial library and public wall, and the
evidence engine against a reference implementation.

`ensure_evidence(url)` adds about 0.3 testimonials per account (published ones with current public consent,
tags for use cases) and two public walls to a generated workspace, once. The analysis rows time
`GET /api/v1/analysis?outcome=converted&stratify_by=acquisition_channel` cold (the app's cache emptied before
every request) next to `benchmarks.analysis_reference` (pandas + scipy/statsmodels, the obvious way) on the
same database, and then cached, together with the analysis page.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select

from ecp_tracker.domain.testimonials import search_text
from ecp_tracker.models import Account, Collection, Contact, Testimonial, TestimonialTag

if TYPE_CHECKING:
    from benchmarks.run import Bench, Options, Row

TESTIMONIALS_PER_ACCOUNT = 0.3
WALL_SLUG = "pipeline-proof"
USE_CASES = (
    "Pipeline reliability",
    "Real-time dashboards",
    "Warehouse sync",
    "Finance reporting",
    "Self-serve",
)
PHRASES = (
    "Our nightly loads just run now, and nobody gets paged at night.",
    "The board pack used to land at eleven; now the numbers are there by eight.",
    "Month-end close went from four days to one.",
    "Every source we had is in one warehouse, synced every day.",
    "Analysts answer their own questions instead of filing tickets.",
    "Setting up the warehouse sync took an afternoon, not a sprint.",
    "Support answers within the hour, and the pipelines stay green.",
)
STATUSES = (("published", 45), ("approved", 20), ("received", 20), ("requested", 10), ("retired", 5))
SCOPES = (("public_named", 50), ("public_anonymous", 25), ("internal", 20), ("logo", 5))
STATEMENT = "I agree that Northwind may quote these words, with my name and company, for two years."


def _pick(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def ensure_evidence(bench_engine, today: date | None = None) -> int:
    """Add testimonials and two walls to the workspace behind `bench_engine` unless it has them already."""
    today = today or date.today()  # noqa: DTZ011 (benchmark data, local date)
    with bench_engine.begin() as conn:
        existing = conn.scalar(select(func.count(Testimonial.id)))
        if existing:
            return int(existing)
        rng = random.Random(6)  # noqa: S311 (benchmark data, not security)
        accounts = conn.execute(
            select(Account.id, Account.name, func.min(Contact.id))
            .outerjoin(Contact, Contact.account_id == Account.id)
            .where(Account.archived_at.is_(None))
            .group_by(Account.id, Account.name)
            .order_by(Account.id)
        ).all()
        chosen = [a for a in accounts if rng.random() < TESTIMONIALS_PER_ACCOUNT]
        rows, tags = [], []
        for number, (account_id, name, contact_id) in enumerate(chosen, start=1):
            status = _pick(rng, STATUSES)
            scope = _pick(rng, SCOPES)
            body = "" if status == "requested" else rng.choice(PHRASES)
            consented = today - timedelta(days=rng.randrange(10, 600))
            rows.append(
                {
                    "id": number,
                    "account_id": account_id,
                    "contact_id": contact_id,
                    "kind": "quote",
                    "body": body,
                    "original_body": body,
                    "search_text": search_text(body),
                    "rating": rng.randint(3, 5) if body else None,
                    "source": "benchmark",
                    "author_name": f"Customer of {name}"[:120],
                    "author_title": "Head of Data",
                    "status": status,
                    "consent_scope": scope,
                    "consent_statement": STATEMENT if body else "",
                    "consented_by": "Customer" if body else "",
                    "consented_on": consented if body else None,
                    "consent_expires_on": consented + timedelta(days=730) if body else None,
                    "consent_withdrawn_on": today - timedelta(days=3)
                    if body and rng.random() < 0.03
                    else None,
                    "version": 1,
                }
            )
            for use_case in rng.sample(USE_CASES, rng.randint(1, 2)):
                tags.append(
                    {"testimonial_id": number, "kind": "use_case", "name": use_case, "key": use_case.lower()}
                )
        for start in range(0, len(rows), 5000):
            conn.execute(insert(Testimonial), rows[start : start + 5000])
        for start in range(0, len(tags), 5000):
            conn.execute(insert(TestimonialTag), tags[start : start + 5000])
        conn.execute(
            insert(Collection),
            [
                {
                    "slug": WALL_SLUG,
                    "title": "Pipeline proof",
                    "tags": ["Pipeline reliability"],
                    "version": 1,
                },
                {"slug": "all-proof", "title": "What our customers say", "tags": [], "version": 1},
            ],
        )
        _fix_sequences(conn)
        return len(rows)


def _fix_sequences(conn) -> None:
    """Explicit ids were inserted: move PostgreSQL's sequences past them (SQLite needs nothing)."""
    if conn.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    for table in ("testimonials", "testimonial_tags", "collections"):
        conn.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1)) FROM {table}")  # noqa: S608
        )


ANALYSIS_PATH = "/api/v1/analysis?outcome=converted&stratify_by=acquisition_channel"
PAGE_PATH = "/analysis/?outcome=converted&adjust=acquisition_channel"


class AnalysisColdScenario:
    """The analysis computed cold (cache emptied first), against the reference script on the same database."""

    name = "analysis, cold: GET /api/v1/analysis (converted, by channel) vs reference script"

    def __init__(self, row: type[Row]) -> None:
        self.row = row

    def run(self, bench: Bench, options: Options) -> Row:
        from benchmarks.analysis_reference import run_reference

        Row = self.row

        cache = bench.app.extensions["ecp_analysis_cache"]
        ours: list[float] = []
        counts: list[int] = []
        runs = 3
        for _ in range(runs):
            cache.clear()
            bench.statements.clear()
            started = time.perf_counter()
            response = bench.api.get(ANALYSIS_PATH)
            ours.append(time.perf_counter() - started)
            counts.append(len(bench.statements))
            if response.status_code != 200:
                raise RuntimeError(f"GET {ANALYSIS_PATH} answered {response.status_code}")
        document = response.get_json()
        values = len(document["results"])
        terms = len((document.get("model") or {}).get("terms", []))
        floor = [plain_floor(bench)[0] for _ in range(runs)]
        floor_ratio = statistics.median(ours) / statistics.median(floor)
        floor_verdict = "PASS" if floor_ratio <= 2.0 else "**FAIL**"
        theirs = [run_reference(bench.url)[0]]  # minutes at L (SciPy's exact interval): once is enough
        ratio = statistics.median(ours) / statistics.median(theirs)
        verdict = "PASS" if ratio <= 1.0 else "**FAIL**"
        reference_ms = statistics.median(theirs) * 1000
        return Row(
            scenario=self.name,
            scale=bench.scale,
            median_ms=statistics.median(ours) * 1000,
            p95_ms=max(ours) * 1000,
            statements=str(min(counts)) if min(counts) == max(counts) else f"{min(counts)}-{max(counts)}",
            target="cold analysis (multivariable check included) ≤ the reference script (ratio ≤ 1.0) "
            "and ≤ 2x the plain GROUP BY floor",
            verdict=(
                f"{verdict}: ratio {ratio:.2f} (reference {reference_ms:,.0f} ms; {values} values, "
                f"{terms} model terms); {floor_verdict}: {floor_ratio:.2f}x the plain GROUP BY floor "
                f"({statistics.median(floor) * 1000:,.0f} ms, same run; target ≤ 2.0x)"
            ),
        )


# The floor (issue 16): plain GROUP BY statements, written by hand, that count every trait value by channel
# and outcome among the decided accounts: what any analysis of these counts must at least read. Text columns
# and the raw employee and revenue numbers from accounts, archetypes through their join table, custom traits
# through account_traits. (The discount band, which needs the discounts table, is left out: the floor is, if
# anything, lower than the counts the analysis needs.)
_DECIDED = "a.archived_at IS NULL AND a.stage IN ('customer', 'churned', 'lost')"
_POSITIVE = "CASE WHEN a.stage IN ('customer', 'churned') THEN 1 ELSE 0 END"
FLOOR_SQL = [
    *(
        f"SELECT a.{column}, a.acquisition_channel, {_POSITIVE}, COUNT(*) FROM accounts a "  # noqa: S608
        f"WHERE {_DECIDED} AND a.{column} IS NOT NULL GROUP BY a.{column}, a.acquisition_channel, {_POSITIVE}"
        for column in ("industry", "region", "country", "employees", "annual_revenue")
    ),
    f"SELECT r.name, a.acquisition_channel, {_POSITIVE}, COUNT(*) FROM accounts a "  # noqa: S608
    "JOIN account_archetypes j ON j.account_id = a.id JOIN archetypes r ON r.id = j.archetype_id "
    f"WHERE {_DECIDED} AND r.archived_at IS NULL GROUP BY r.name, a.acquisition_channel, {_POSITIVE}",
    f"SELECT t.definition_id, t.value, a.acquisition_channel, {_POSITIVE}, COUNT(*) FROM account_traits t "  # noqa: S608
    f"JOIN accounts a ON a.id = t.account_id WHERE {_DECIDED} "
    f"GROUP BY t.definition_id, t.value, a.acquisition_channel, {_POSITIVE}",
]


def plain_floor(bench: Bench) -> tuple[float, int]:
    """(seconds, groups) for the floor statements on the app's engine, in the same run as the analysis."""
    from sqlalchemy import text

    engine = bench.app.extensions["ecp_db"].engine
    with engine.connect() as conn:
        started = time.perf_counter()
        groups = sum(len(conn.execute(text(sql)).all()) for sql in FLOOR_SQL)
        return time.perf_counter() - started, groups


class AnalysisFloorScenario:
    """The plain GROUP BY floor on its own row, so the table shows what the cold analysis is compared with."""

    name = "analysis floor: plain GROUP BY of every trait value by channel and outcome"

    def __init__(self, row: type[Row]) -> None:
        self.row = row

    def run(self, bench: Bench, options: Options) -> Row:
        runs = [plain_floor(bench) for _ in range(3)]
        seconds = [r[0] for r in runs]
        return self.row(
            scenario=self.name,
            scale=bench.scale,
            median_ms=statistics.median(seconds) * 1000,
            p95_ms=max(seconds) * 1000,
            statements=str(len(FLOOR_SQL)),
            target="(the floor of the cold analysis row)",
            verdict=f"{runs[0][1]:,} groups counted",
        )


def scenarios(RequestScenario: type, Row: type) -> list:
    """The scenarios of this module, in the order the table shows them, built with the runner's classes."""
    return [
        RequestScenario(
            "testimonial library, filtered (published, public named, use case)",
            lambda b: "/testimonials/?status=published&consent_scope=public_named&tag=Pipeline%20reliability",
        ),
        RequestScenario(
            "testimonial library, full-text search", lambda b: "/testimonials/?q=%22warehouse%20sync%22"
        ),
        RequestScenario(f"public wall /wall/{WALL_SLUG}", lambda b: f"/wall/{WALL_SLUG}"),
        RequestScenario(f"public wall feed /wall/{WALL_SLUG}.json", lambda b: f"/wall/{WALL_SLUG}.json"),
        AnalysisFloorScenario(Row),
        AnalysisColdScenario(Row),
        RequestScenario(
            "analysis, cached: GET /api/v1/analysis", lambda b: ANALYSIS_PATH, api=True, target_ms=50
        ),
        RequestScenario("analysis page, cached", lambda b: PAGE_PATH, target_ms=300),
    ]
