"""Benchmark harness: server time and SQL statements of the pages that grow with the data; import, export.

For each database (SQLite always; PostgreSQL when a server is available) it builds the app on the generated
workspace at the chosen scale, signs in through the test client and times each request scenario with
time.perf_counter around the request (3 warm-ups, then 20 measured runs; median and p95), counting the SQL
statements the app's engine sends (`before_cursor_execute`). Away from scale S, the statement count of each
scenario is also taken on the S workspace: a list or page must issue as many statements at any size.
The command scenarios run `flask import accounts` on a 100,000-row CSV into a fresh database, then
`flask export accounts` of those 100,000 accounts, in a child process: wall time and the child's peak RSS.

    .venv/bin/python -m benchmarks.run                      # scale S (or $SCALE), both databases
    .venv/bin/python -m benchmarks.run --scale L --databases sqlite --repeat 20
    make bench SCALE=M

A new scenario is one entry in SCENARIOS (a RequestScenario for a page or API call, a CommandScenario for a
`flask` command). See docs/performance.md.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import re
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a file (python benchmarks/run.py): make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select, text

import config
from benchmarks import evidence, generate
from benchmarks import icp as icp_bench
from benchmarks import reviews as reviews_bench
from ecp_tracker import create_app
from ecp_tracker.db import make_engine
from ecp_tracker.domain.actors import Actor
from ecp_tracker.models import Account
from ecp_tracker.services.users import tokens, users

ROOT = generate.ROOT
ACTOR = Actor.system("benchmark")
TOKEN_NAME = "benchmark"  # noqa: S105 (a label, not a secret)
SIGN_IN_AS = generate.BENCH_USERS[2][0]  # the viewer: every measured scenario is a read
LIST_TARGET_MS = 150.0
TARGET_SCALE = "L"


# --- what is measured ------------------------------------------------------------------------------------


@dataclass
class Bench:
    """One database at one scale, with the app built on it and signed-in clients."""

    label: str
    kind: str  # "sqlite" or "postgresql"
    scale: str
    url: str
    app: Flask
    web: FlaskClient
    api: FlaskClient
    token_id: int
    statements: list[str] = field(default_factory=list)
    accounts: int = 0  # not archived
    sample_account_id: int = 0
    server_url: str | None = None
    import_url: str | None = None  # the database the import scenario filled (the export reads it)


@dataclass
class Row:
    scenario: str
    scale: str
    median_ms: float | None
    p95_ms: float | None
    statements: str
    target: str
    verdict: str


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 20 runs is the 19th fastest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass(frozen=True)
class RequestScenario:
    """A GET through the test client, timed and with its SQL statements counted."""

    name: str
    path: Callable[[Bench], str]
    api: bool = False
    target_ms: float = LIST_TARGET_MS

    def measure(self, bench: Bench, *, warmup: int, repeat: int) -> tuple[list[float], list[int]]:
        client = bench.api if self.api else bench.web
        path = self.path(bench)
        times: list[float] = []
        counts: list[int] = []
        for index in range(warmup + repeat):
            bench.statements.clear()
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{self.name}: GET {path} answered {response.status_code}")
            if index >= warmup:
                times.append(elapsed)
                counts.append(len(bench.statements))
        return times, counts

    def run(self, bench: Bench, options: Options) -> Row:
        times, counts = self.measure(bench, warmup=options.warmup, repeat=options.repeat)
        median, p95 = statistics.median(times), percentile(times, 0.95)
        count = _count_text(counts)
        baseline = options.baseline.get(self.name)
        verdicts = []
        if bench.scale == TARGET_SCALE:
            verdicts.append(
                "time ok"
                if median <= self.target_ms
                else f"time {median / self.target_ms:.2f}x the target (+{median - self.target_ms:.0f} ms)"
            )
        else:
            verdicts.append(f"time target applies at {TARGET_SCALE}")
        if baseline is None:
            verdicts.append("SQL: this is the S baseline" if bench.scale == "S" else "SQL: no S baseline")
        elif baseline == count:
            verdicts.append(f"SQL same as S ({baseline})")
        else:
            verdicts.append(f"SQL FAIL: {baseline} at S, {count} here")  # N+1 or a scale-dependent query
        failed = (median > self.target_ms and bench.scale == TARGET_SCALE) or "FAIL" in verdicts[-1]
        return Row(
            scenario=self.name,
            scale=bench.scale,
            median_ms=median,
            p95_ms=p95,
            statements=count,
            target=f"median ≤ {self.target_ms:.0f} ms at {TARGET_SCALE}; same SQL count at S and L",
            verdict=("**FAIL**: " if failed else "PASS: ") + "; ".join(verdicts),
        )

    def count_statements(self, bench: Bench) -> str:
        return _count_text(self.measure(bench, warmup=1, repeat=2)[1])


def _count_text(counts: Sequence[int]) -> str:
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}-{high}"


@dataclass
class ChildRun:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class CommandScenario:
    """A `flask` command in a child process: wall time and the child's peak resident memory."""

    name: str
    rows: str  # what the scale column says (the command scenarios do not depend on the workspace scale)
    command: Callable[[Bench, Options], tuple[list[str], str]]  # (flask arguments, database URL)
    check: Callable[[ChildRun], str | None]  # why the run did not do what it should, or None
    target_seconds: float
    target_rss_mb: float | None = None

    def run(self, bench: Bench, options: Options) -> Row:
        runs: list[ChildRun] = []
        for _ in range(options.command_runs):
            arguments, url = self.command(bench, options)
            child = run_flask(arguments, url)
            problem = self.check(child)
            if problem:
                return Row(self.name, self.rows, None, None, "n/a", self.target_text, f"**ERROR**: {problem}")
            runs.append(child)
        seconds = [r.seconds for r in runs]
        rss = max(r.peak_rss_mb for r in runs)
        median = statistics.median(seconds)
        misses = []
        if median > self.target_seconds:
            misses.append(
                f"time {median / self.target_seconds:.1f}x the target (+{median - self.target_seconds:.0f} s)"
            )
        if self.target_rss_mb is not None and rss > self.target_rss_mb:
            misses.append(
                f"memory {rss / self.target_rss_mb:.1f}x the target (+{rss - self.target_rss_mb:.0f} MB)"
            )
        measured = f"{median:.1f} s, peak RSS {rss:.0f} MB"
        verdict = f"**FAIL**: {'; '.join(misses)} ({measured})" if misses else f"PASS ({measured})"
        return Row(
            scenario=self.name,
            scale=self.rows,
            median_ms=median * 1000,
            p95_ms=percentile(seconds, 0.95) * 1000,
            statements="n/a",
            target=self.target_text,
            verdict=verdict,
        )

    @property
    def target_text(self) -> str:
        text = f"≤ {self.target_seconds:.0f} s"
        if self.target_rss_mb is not None:
            text += f" and ≤ {self.target_rss_mb:.0f} MB peak RSS"
        return text


def run_flask(arguments: Sequence[str], database_url: str) -> ChildRun:
    """`python -m flask ARGS` in the repository root on `database_url`; wait4 gives the child's own rusage."""
    env = os.environ | {
        "FLASK_APP": "wsgi",
        "APP_ENV": "development",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_hex(32),
    }
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(  # noqa: S603 (our own interpreter and fixed arguments)
            [sys.executable, "-m", "flask", *arguments], cwd=ROOT, env=env, stdout=out, stderr=err
        )
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return ChildRun(
            seconds=seconds,
            peak_rss_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
            returncode=child.returncode,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
        )


def _import_command(bench: Bench, _options: Options) -> tuple[list[str], str]:
    csv_file = generate.ensure_csv()
    url = generate.fresh_import_database(bench.kind, bench.server_url)
    bench.import_url = url
    return ["import", "accounts", str(csv_file)], url


def _export_command(bench: Bench, _options: Options) -> tuple[list[str], str]:
    url = bench.import_url
    if url is None:  # the import did not run (filtered out): fill the import database first
        _arguments, url = _import_command(bench, _options)
        child = run_flask(_arguments, url)
        if child.returncode != 0:
            raise RuntimeError(f"preparing the export failed: {child.stderr.strip()[:300]}")
    out = generate.DATA_DIR / f"export-{bench.kind}.csv"
    out.unlink(missing_ok=True)
    return ["export", "accounts", "--out", str(out)], url


def _expect(pattern: str) -> Callable[[ChildRun], str | None]:
    def check(child: ChildRun) -> str | None:
        if child.returncode != 0:
            lines = [line for line in child.stderr.strip().splitlines() if line.strip()]
            return f"exit {child.returncode}: {lines[-1] if lines else 'no message'}"[:300]
        if not re.search(pattern, child.stdout):
            return f"unexpected output: {child.stdout.strip()[:200]}"
        return None

    return check


def _deep_page(bench: Bench) -> str:
    last = max(1, math.ceil(bench.accounts / 25))
    return f"/accounts/?sort=name&page={min(200, last)}"


SCENARIOS: list[RequestScenario | CommandScenario] = [
    RequestScenario(
        "account list, filtered + sorted, page 1",
        lambda b: "/accounts/?stage=customer&stage=churned&acquisition_channel=Referral&sort=-updated_at",
    ),
    RequestScenario("account list, by name, deep page (200, or the last)", _deep_page),
    RequestScenario("account page", lambda b: f"/accounts/{b.sample_account_id}"),
    RequestScenario(
        "API account list (50, customers)", lambda b: "/api/v1/accounts?per_page=50&stage=customer", api=True
    ),
    RequestScenario(
        "pilot board, table of running pilots", lambda b: "/pilots/?status=active&status=extended"
    ),
    RequestScenario("pilot board, board by status", lambda b: "/pilots/?view=board"),
    RequestScenario("dashboard", lambda b: "/"),
    *evidence.scenarios(RequestScenario, Row),
    *icp_bench.scenarios(RequestScenario, CommandScenario, sys.modules[__name__]),
    *reviews_bench.scenarios(RequestScenario, Row),
    CommandScenario(
        "import 100,000-row CSV (flask import accounts)",
        rows="100,000 rows",
        command=_import_command,
        check=_expect(r"Imported 100000 rows: 100000 created"),
        target_seconds=60,
        target_rss_mb=300,
    ),
    CommandScenario(
        "export 100,000 accounts (flask export accounts)",
        rows="100,000 rows",
        command=_export_command,
        check=_expect(r"Exported 100000 accounts"),
        target_seconds=10,
    ),
]


# --- running ---------------------------------------------------------------------------------------------


@dataclass
class Options:
    scale: str
    warmup: int
    repeat: int
    command_runs: int
    only: str | None
    commands: bool
    baseline: dict[str, str] = field(default_factory=dict)


@contextmanager
def bench_on(label: str, kind: str, scale: str, url: str, server_url: str | None) -> Iterator[Bench]:
    """The app on `url`, a web client signed in as the viewer and an API client with a fresh token."""
    app = create_app(
        config.TestConfig(
            DATABASE_URL=url,
            RATELIMIT_ENABLED=False,
            IMPORT_DIR=str(generate.DATA_DIR / "imports"),
            # as in production: the filter menus are rebuilt at most every 30 s, so the warm-up builds them
            FILTER_MENU_CACHE_SECONDS=30,
        )
    )
    database = app.extensions["ecp_db"]
    session = database.session_factory()
    try:
        user = users.find_by_email(session, SIGN_IN_AS)
        assert user is not None, f"{SIGN_IN_AS} is missing from {url}"
        for old in tokens.list_tokens(session, user):  # left over by an interrupted run
            if old.name == TOKEN_NAME and old.revoked_at is None:
                tokens.revoke_token(session, ACTOR, user, old.id)
        token, plain = tokens.create_token(session, ACTOR, user, name=TOKEN_NAME)
        session.commit()
        token_id = token.id
        accounts = session.scalar(select(func.count(Account.id)).where(Account.archived_at.is_(None))) or 0
        middle = session.scalar(select(func.max(Account.id))) or 0
        sample = session.scalar(
            select(Account.id)
            .where(Account.archived_at.is_(None), Account.id >= middle // 2)
            .order_by(Account.id)
        )
    finally:
        session.close()
    web = app.test_client()
    response = web.post("/login", data={"email": SIGN_IN_AS, "password": generate.PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"signing in to {label} failed with {response.status_code}")
    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {plain}"
    bench = Bench(label, kind, scale, url, app, web, api, token_id, server_url=server_url)
    bench.accounts, bench.sample_account_id = accounts, sample or 0
    event.listen(database.engine, "before_cursor_execute", lambda *args: bench.statements.append(args[2]))
    try:
        yield bench
    finally:
        session = database.session_factory()
        try:
            user = users.find_by_email(session, SIGN_IN_AS)
            tokens.revoke_token(session, ACTOR, user, token_id)
            session.commit()
        finally:
            session.close()
        database.engine.dispose()


def selected(options: Options) -> list[RequestScenario | CommandScenario]:
    chosen = []
    for scenario in SCENARIOS:
        if options.only and options.only.lower() not in scenario.name.lower():
            continue
        if isinstance(scenario, CommandScenario) and not options.commands:
            continue
        chosen.append(scenario)
    return chosen


def s_baseline(label: str, kind: str, url: str, server_url: str | None, options: Options) -> dict[str, str]:
    """The statement count of each request scenario on the S workspace."""
    counts = {}
    with bench_on(label, kind, "S", url, server_url) as bench:
        for scenario in selected(options):
            if isinstance(scenario, RequestScenario):
                try:
                    counts[scenario.name] = scenario.count_statements(bench)
                except RuntimeError as error:
                    _say(f"    no S baseline: {error}")
    return counts


def run_database(label: str, kind: str, server_url: str | None, options: Options) -> list[Row]:

    def ensure(scale: str) -> str:
        if kind == "sqlite":
            url = generate.ensure_sqlite(scale)
        else:
            assert server_url is not None
            url = generate.ensure_postgres(server_url, scale)
        engine = make_engine(url)
        try:
            evidence.ensure_evidence(engine)  # testimonials and walls, added once to the generated workspace
            icp_bench.ensure_icp(engine)  # two ICP versions, the second active
            reviews_bench.ensure_review(engine)  # last month's review, open
        finally:
            engine.dispose()
        return url

    url = ensure(options.scale)
    options.baseline = {}
    if options.scale != "S":
        options.baseline = s_baseline(label, kind, ensure("S"), server_url, options)
    rows = []
    with bench_on(label, kind, options.scale, url, server_url) as bench:
        for scenario in selected(options):
            _say(f"  {label}: {scenario.name} ...")
            try:
                rows.append(scenario.run(bench, options))
            except Exception as error:  # one broken scenario must not lose the others' results
                _say(f"    failed: {error!r}")
                scale = scenario.rows if isinstance(scenario, CommandScenario) else bench.scale
                rows.append(Row(scenario.name, scale, None, None, "n/a", "", f"**ERROR**: {error}"[:300]))
    return rows


def describe(kind: str, url: str | None) -> str:
    if kind == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    from ecp_tracker.db import make_engine

    engine = make_engine(url or "")
    try:
        with engine.connect() as conn:
            version = conn.scalar(text("SHOW server_version"))
    finally:
        engine.dispose()
    return f"PostgreSQL {version}"


def table(title: str, rows: Sequence[Row]) -> str:
    lines = [
        f"### {title}",
        "",
        "| scenario | scale | median ms | p95 ms | SQL statements | target | verdict |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for row in rows:
        median = "n/a" if row.median_ms is None else f"{row.median_ms:,.1f}"
        p95 = "n/a" if row.p95_ms is None else f"{row.p95_ms:,.1f}"
        cells = [row.scenario, row.scale, median, p95, row.statements, row.target, row.verdict]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        type=str.upper,
        choices=sorted(generate.SCALES),
        default=os.environ.get("SCALE", "S").upper(),
    )
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="Comma-separated: sqlite, postgresql."
    )
    parser.add_argument("--warmup", type=int, default=3, help="Unmeasured requests first (default 3).")
    parser.add_argument("--repeat", type=int, default=20, help="Measured requests per scenario (default 20).")
    parser.add_argument(
        "--command-runs", type=int, default=1, help="Runs of each command scenario (default 1)."
    )
    parser.add_argument("--only", help="Only scenarios whose name contains this text.")
    parser.add_argument("--no-commands", action="store_true", help="Skip the import and export scenarios.")
    parser.add_argument("--output", type=Path, help="Also write the tables (markdown) to this file.")
    args = parser.parse_args(argv)
    options = Options(
        scale=args.scale,
        warmup=args.warmup,
        repeat=args.repeat,
        command_runs=args.command_runs,
        only=args.only,
        commands=not args.no_commands,
    )
    wanted = [d.strip().lower() for d in args.databases.split(",") if d.strip()]
    heading = (
        f"Scale {options.scale} ({generate.SCALES[options.scale]:,} accounts); {options.warmup} warm-ups, "
        f"{options.repeat} measured requests per scenario; Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}."
    )
    sections: list[str] = []

    def emit(section: str) -> None:
        """Print a section as soon as it is ready (a long run keeps what it measured), and save the file."""
        sections.append(section)
        print(section + "\n", flush=True)
        if args.output:
            args.output.write_text("\n\n".join(sections) + "\n", encoding="utf-8")

    emit(heading)
    started_load = os.getloadavg()[0]
    if "sqlite" in wanted:
        _say(f"SQLite, scale {options.scale}:")
        rows = run_database("SQLite", "sqlite", None, options)
        emit(table(describe("sqlite", None), rows))
    if "postgresql" in wanted:
        server = generate.postgres_server_url()
        if server is None:
            emit(
                "### PostgreSQL\n\nSkipped: no server (set BENCH_POSTGRES_URL, or provide "
                "../shared/scripts/start-postgres)."
            )
        else:
            _say(f"PostgreSQL, scale {options.scale}:")
            rows = run_database("PostgreSQL", "postgresql", server, options)
            emit(table(describe("postgresql", server), rows))
    emit(
        f"Load average (1 min) when the run started / ended: {started_load:.2f} / {os.getloadavg()[0]:.2f}, "
        f"on {os.cpu_count()} CPUs; the harness itself accounts for about 1, more means other work competed."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
