"""Command-line interface (`flask ...`): migrations, users, tokens, the demo, pilots' success criteria,
account import and export, pilot export, the analysis.

Exit codes: 0 success, 1 the input was refused (the reason on stderr, one line), 2 usage errors.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from ecp_tracker.db import database, get_session
from ecp_tracker.domain.accounts import Stage
from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import Conflict, DomainError
from ecp_tracker.domain.pilots import Direction, PilotStatus
from ecp_tracker.domain.roles import Role
from ecp_tracker.domain.testimonials import ConsentScope, TestimonialStatus
from ecp_tracker.services.accounts import export as account_export
from ecp_tracker.services.accounts.importing import importer as account_import
from ecp_tracker.services.accounts.importing.presets import PRESET_NAMES, check_date_format
from ecp_tracker.services.accounts.listing import AccountFilters
from ecp_tracker.services.analysis import analysis
from ecp_tracker.services.analysis.outcomes import OUTCOMES
from ecp_tracker.services.experiments import experiments as experiments_service
from ecp_tracker.services.icp import one_page as icp_one_page
from ecp_tracker.services.icp import prospects as icp_prospects
from ecp_tracker.services.icp import scoring as icp_scoring
from ecp_tracker.services.icp import versions as icp_versions
from ecp_tracker.services.pilots import export as pilot_export
from ecp_tracker.services.pilots import pilots
from ecp_tracker.services.pilots.board import PilotFilters
from ecp_tracker.services.reviews import markdown as reviews_markdown
from ecp_tracker.services.reviews import reviews as reviews_service
from ecp_tracker.services.shared import raw_input
from ecp_tracker.services.testimonials.library import TestimonialFilters, export_testimonials
from ecp_tracker.services.users import tokens, users

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

# Alembic and the demo workspace are imported by the commands that use them: together they are about a second
# of every other command's start (`flask icp score`, `flask import accounts`, ...).


def fail(message: str) -> None:
    """Refuse the input: one line on stderr, exit code 1, nothing written."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", current_app.config["MIGRATIONS_DIR"])
    cfg.attributes["engine"] = database().engine
    return cfg


db_cli = AppGroup("db", help="Database migrations (Alembic).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: head)."""
    from alembic import command

    command.upgrade(alembic_config(), revision)


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION (default: one step; 'base' removes every table)."""
    from alembic import command

    command.downgrade(alembic_config(), revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does.")
@click.option(
    "--autogenerate", is_flag=True, help="Compare the models with the database and write the difference."
)
def db_revision(message: str, autogenerate: bool) -> None:
    """Create a new migration script in migrations/versions/."""
    from alembic import command

    command.revision(alembic_config(), message=message, autogenerate=autogenerate)


@db_cli.command("current")
def db_current() -> None:
    """Show the revision the database is at."""
    from alembic import command

    command.current(alembic_config(), verbose=False)


users_cli = AppGroup("users", help="Manage users.")


def _read_password() -> str:
    """From a prompt on a terminal (asked twice), else the first line of standard input."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The user's full name.")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), required=True, help="What the user may do."
)
def users_create(email: str, name: str, role: str) -> None:
    """Create a user. The password is asked for, or read from stdin; never taken from the command line."""
    password = _read_password()
    session = get_session()
    try:
        user = users.create_user(
            session, Actor.system("cli"), email=email, name=name, role=role, password=password
        )
        session.commit()
    except DomainError as error:
        session.rollback()
        fail(f"{error.field}: {error.message}" if error.field else error.message)
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


tokens_cli = AppGroup("tokens", help="Manage personal API tokens.")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", "label", required=True, help="What the token is for, e.g. 'CRM sync'.")
def tokens_create(email: str, label: str) -> None:
    """Create an API token for the user EMAIL and print it (only this once)."""
    session = get_session()
    user = users.find_by_email(session, email)
    if user is None:
        fail(f"email: no user with the e-mail {email}")
    try:
        _token, plain = tokens.create_token(session, Actor.system("cli"), user, name=label)
        session.commit()
    except DomainError as error:
        session.rollback()
        fail(f"{error.field}: {error.message}" if error.field else error.message)
    click.echo(plain)


@click.command("demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Load only when the database has no users yet.")
def demo_command(if_empty: bool) -> None:
    """Load the demo workspace (idempotent) and print the demo logins."""
    from ecp_tracker.demo import workspace as demo

    session = get_session()
    if if_empty and users.count_users(session) > 0:
        click.echo("The database already has users; the demo was not loaded again.")
    else:
        report = demo.load_demo(session)
        session.commit()
        click.echo(
            f"Demo workspace of {demo.DEMO_COMPANY}: {len(report.created)} records created, "
            f"{len(report.existing)} already there."
        )
    present = [login for login in demo.DEMO_LOGINS if users.find_by_email(session, login.email)]
    if present:
        click.echo("Demo logins (e-mail / password / role):")
        for login in present:
            click.echo(f"  {login.email:28} {login.password:20} {login.role.value}")


pilots_cli = AppGroup("pilots", help="Pilots' pre-registered success criteria.")
CRITERION_OPTIONS = (
    click.option("--description", help="What is measured, in a sentence."),
    click.option("--metric", help="The metric's short name, e.g. 'p95 query latency'."),
    click.option("--target", help="The target value, a number such as 300 or 0.5."),
    click.option("--unit", help="The unit, e.g. ms, users, %."),
    click.option(
        "--direction",
        type=click.Choice([d.value for d in Direction]),
        help="at_least: reach the target; at_most: stay at or below it.",
    ),
)


def criterion_options(command):
    for option in reversed(CRITERION_OPTIONS):
        command = option(command)
    return command


def _changes(**options: str | None) -> dict[str, str]:
    return {key: value for key, value in options.items() if value is not None}


def _refused(error: DomainError) -> str:
    return f"{error.field}: {error.message}" if error.field else error.message


def _terms_line(terms: pilots.CriterionTerms) -> str:
    unit = f" {terms.unit}" if terms.unit else ""
    return f"{terms.metric} {terms.direction.symbol} {pilots.number_text(terms.target)}{unit}"


@pilots_cli.command("criteria")
@click.argument("pilot_id", type=int)
def pilots_criteria(pilot_id: int) -> None:
    """List the success criteria of pilot PILOT_ID: the terms that apply now, the registered ones and every
    amendment."""
    session = get_session()
    try:
        pilot = pilots.get_pilot(session, pilot_id)
    except DomainError as error:
        fail(_refused(error))
    frozen = (
        f"frozen {pilot.criteria_frozen_at:%Y-%m-%d %H:%M} UTC"
        if pilot.criteria_frozen_at
        else "editable until it starts"
    )
    click.echo(f"Pilot {pilot.id} {pilot.name} ({pilot.account.name}), {pilot.status}; criteria {frozen}.")
    if not pilot.criteria:
        click.echo("No success criteria yet.")
    for criterion in pilot.criteria:
        terms = pilots.effective_terms(criterion)
        result = ""
        if criterion.actual is not None:
            verdict = "met" if criterion.met else "not met"
            result = f"; actual {pilots.number_text(criterion.actual)}: {verdict}"
        click.echo(f"[{criterion.id}] {_terms_line(terms)}{result}")
        click.echo(f"    {terms.description}")
        if terms.amended:
            click.echo(f"    registered: {_terms_line(pilots.registered_terms(criterion))}")
        for amendment in criterion.amendments:
            changed = ", ".join(f"{key} {old} -> {new}" for key, (old, new) in amendment.changes.items())
            click.echo(
                f"    amended {amendment.amended_at:%Y-%m-%d} by {amendment.amended_by_label}: {changed}"
                f" (reason: {amendment.reason})"
            )


@pilots_cli.command("edit-criterion")
@click.argument("criterion_id", type=int)
@criterion_options
def pilots_edit_criterion(criterion_id: int, **options: str | None) -> None:
    """Edit criterion CRITERION_ID while its pilot is planned. Once the pilot has started the criterion is
    frozen: record an amendment (`flask pilots amend`) instead."""
    changes = _changes(**options)
    if not changes:
        raise click.UsageError("Give at least one of --description, --metric, --target, --unit, --direction.")
    session = get_session()
    try:
        criterion = pilots.get_criterion(session, criterion_id)
        pilots.update_criterion(
            session, Actor.system("cli"), criterion_id, changes, version=criterion.version
        )
        session.commit()
    except Conflict as error:
        session.rollback()
        fail(f"{error.message} Use: flask pilots amend {criterion_id} --reason TEXT ...")
    except DomainError as error:
        session.rollback()
        fail(_refused(error))
    click.echo(f"Saved criterion {criterion_id}: {_terms_line(pilots.effective_terms(criterion))}.")


@pilots_cli.command("amend")
@click.argument("criterion_id", type=int)
@click.option("--reason", required=True, help="Why the criterion changes (kept with the amendment).")
@criterion_options
def pilots_amend(criterion_id: int, reason: str, **options: str | None) -> None:
    """Amend frozen criterion CRITERION_ID of a running pilot: the registered values stay, the new apply."""
    changes = _changes(**options)
    if not changes:
        raise click.UsageError("Give at least one of --description, --metric, --target, --unit, --direction.")
    session = get_session()
    try:
        amendment = pilots.amend_criterion(
            session, Actor.system("cli"), criterion_id, reason=reason, changes=changes
        )
        session.commit()
    except DomainError as error:
        session.rollback()
        fail(_refused(error))
    changed = ", ".join(f"{key} {old} -> {new}" for key, (old, new) in amendment.changes.items())
    click.echo(f"Amended criterion {criterion_id}: {changed}.")


import_cli = AppGroup("import", help="Import data from CSV files.")


class _ProgressLine:
    """Rows checked, then rows imported, on one line of stderr (only on a terminal)."""

    def __init__(self, dry_run: bool) -> None:
        self.enabled = sys.stderr.isatty()
        self.phase = "Checking"
        self.second = "Comparing" if dry_run else "Importing"
        self.shown = False

    def __call__(self, rows: int) -> None:
        if rows == 0 and self.shown:  # the import starts its second pass
            self.phase = self.second
        if self.enabled:
            click.echo(f"\r{self.phase}: {rows:,} rows", err=True, nl=False)
        self.shown = True

    def close(self) -> None:
        if self.enabled and self.shown:
            click.echo("", err=True)


def _date_format_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return check_date_format(value)
    except DomainError as error:
        raise click.BadParameter(error.message) from None


def _problem_line(problem: account_import.RowProblem) -> str:
    where = [f"row {problem.row}"] if problem.row else []
    if problem.column:
        where.append(f"column {problem.column}")
    return f"{', '.join(where)}: {problem.reason}" if where else problem.reason


@import_cli.command("accounts")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change; write nothing.")
@click.option(
    "--preset",
    type=click.Choice(["auto", *PRESET_NAMES]),
    default="auto",
    show_default=True,
    help="Whose column names the file uses (auto: the best match).",
)
@click.option(
    "--date-format",
    metavar="FMT",
    callback=_date_format_option,
    help="How the file writes dates that are not YYYY-MM-DD, e.g. %d/%m/%Y.",
)
def import_accounts_command(file: Path, dry_run: bool, preset: str, date_format: str | None) -> None:
    """Import (create or update) accounts from a CSV FILE; one bad row means nothing is written."""
    session = get_session()
    progress = _ProgressLine(dry_run)
    with file.open("rb") as stream:
        report = account_import.import_accounts(
            session,
            Actor.system("cli"),
            stream,
            preset=preset,
            dry_run=dry_run,
            date_format=date_format,
            progress=progress,
        )
    progress.close()
    if not report.ok:
        session.rollback()
        for problem in report.problems:
            click.echo(_problem_line(problem), err=True)
        count = len(report.problems)
        fail(f"{count} problem{'s' if count != 1 else ''} in {file.name}; nothing was imported.")
    if dry_run:
        session.rollback()
    else:
        session.commit()
    click.echo(f"Preset: {report.preset}")
    if report.ignored_columns:
        ignored = ", ".join(
            f"{c} ({report.ignored_reasons.get(c, 'unknown')})" for c in report.ignored_columns
        )
        click.echo(f"Ignored columns: {ignored}")
    renamed = [
        f"{v['value']} -> {v['becomes']} ({v['how']})"
        for entries in report.values.values()
        for v in entries
        if v["becomes"] != v["value"]
    ]
    if renamed:
        click.echo(f"Values renamed: {', '.join(renamed)}")
    if report.not_recorded:
        counted = ", ".join(f"{column} {cells}" for column, cells in report.not_recorded.items())
        click.echo(f"Cells read as not recorded (N/A, -, null, none, ? and the like): {counted}")
    if report.new_traits:
        verb = "would be created" if dry_run else "created"
        click.echo(f"New traits {verb}: {', '.join(report.new_traits)}")
    counts = f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged"
    if dry_run:
        click.echo(f"Dry run of {report.rows} rows, nothing was written: would be {counts}.")
    else:
        click.echo(f"Imported {report.rows} rows: {counts}.")


export_cli = AppGroup("export", help="Export data as CSV.")


@export_cli.command("accounts")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file, not stdout."
)
@click.option("--stage", multiple=True, type=click.Choice([s.value for s in Stage]), help="Only this stage.")
@click.option("--archetype", multiple=True, help="Only accounts with this archetype.")
@click.option("--q", "query", default="", help="Only names or domains containing this text.")
@click.option("--include-archived", is_flag=True, help="Archived accounts too.")
def export_accounts_command(
    out: Path | None, stage: tuple[str, ...], archetype: tuple[str, ...], query: str, include_archived: bool
) -> None:
    """Export accounts as CSV (our own columns; it re-imports to the same data)."""
    filters = AccountFilters(
        q=query.strip(), stage=stage, archetype=archetype, include_archived=include_archived
    )
    session = get_session()
    if out is None:
        account_export.export_accounts(session, filters, sys.stdout)
        return
    with out.open("w", encoding="utf-8", newline="") as handle:
        count = account_export.export_accounts(session, filters, handle)
    click.echo(f"Exported {count} accounts to {out}.")


@export_cli.command("pilots")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file, not stdout."
)
@click.option(
    "--status", multiple=True, type=click.Choice([s.value for s in PilotStatus]), help="Only this status."
)
@click.option("--archetype", multiple=True, help="Only pilots of accounts with this archetype.")
@click.option("--q", "query", default="", help="Only pilots or accounts whose name contains this text.")
def export_pilots_command(
    out: Path | None, status: tuple[str, ...], archetype: tuple[str, ...], query: str
) -> None:
    """Export pilots as CSV: account, status, dates, prices, outcome and criteria met."""
    filters = PilotFilters(status=status, archetype=archetype, q=query.strip())
    session = get_session()
    if out is None:
        pilot_export.export_pilots(session, filters, sys.stdout)
        return
    with out.open("w", encoding="utf-8", newline="") as handle:
        count = pilot_export.export_pilots(session, filters, handle)
    click.echo(f"Exported {count} pilots to {out}.")


@export_cli.command("testimonials")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file, not stdout."
)
@click.option(
    "--status",
    multiple=True,
    type=click.Choice([s.value for s in TestimonialStatus]),
    help="Only this status.",
)
@click.option(
    "--consent-scope",
    multiple=True,
    type=click.Choice([s.value for s in ConsentScope]),
    help="Only this scope.",
)
def export_testimonials_command(
    out: Path | None, status: tuple[str, ...], consent_scope: tuple[str, ...]
) -> None:
    """Export testimonials as CSV: the words (original and edited), tags, consent, public today, uses."""
    filters = TestimonialFilters(status=status, consent_scope=consent_scope)
    session = get_session()
    if out is None:
        export_testimonials(session, filters, sys.stdout)
        return
    with out.open("w", encoding="utf-8", newline="") as handle:
        count = export_testimonials(session, filters, handle)
    click.echo(f"Exported {count} testimonials to {out}.")


@click.command("analyze")
@with_appcontext
@click.option("--outcome", required=True, type=click.Choice(list(OUTCOMES)), help="The outcome to test.")
@click.option(
    "--stratify-by",
    metavar="TRAIT",
    help="Adjust for this trait (e.g. acquisition_channel, industry, trait:<key>); default: none.",
)
@click.option(
    "--fdr",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    help="False-discovery rate for graduate / exclude (default: the workspace setting, 0.10).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the analysis as JSON (what GET /api/v1/analysis answers)."
)
def analyze_command(outcome: str, stratify_by: str | None, fdr: float | None, as_json: bool) -> None:
    """Test every trait value against an outcome and say which should graduate into the ICP."""
    try:
        report = analysis.run(get_session(), outcome, stratify_by=stratify_by, fdr=fdr)
    except DomainError as error:
        fail(f"{error.field}: {error.message}" if error.field else error.message)
    document = report.to_json()
    if as_json:
        click.echo(json.dumps(document, indent=2, allow_nan=False))
        return
    for line in analysis_table(document, decided=report.decided, small_sample=report.settings.small_sample):
        click.echo(line)


def _number(value: Any, style: str) -> str:
    if value is None:
        return "-"
    if style == "pct":
        return f"{value:.0%}"
    if style == "p":
        return f"{value:.3f}" if value >= 0.001 else "<0.001"
    return f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"


def analysis_table(document: dict[str, Any], *, decided: int, small_sample: int) -> list[str]:
    """The analysis as a plain-text table with an explanation per result, for a terminal."""
    stratified = document["stratified_by"]
    lines = [
        f"Outcome: {document['outcome']}   population: {document['population']}   "
        f"positives: {_number(document['positives'], 'n')}   adjusted for: {stratified or 'nothing'}   "
        f"FDR: {document['fdr']}"
    ]
    if decided < small_sample:
        lines.append(
            f"Only {decided} accounts are decided: this is still an Early Customer Profile; "
            "call nothing an ICP yet."
        )
    header = (
        "trait",
        "value",
        "with",
        "without",
        "with %/med",
        "rest %/med",
        "effect",
        "p",
        "q",
        "recommendation",
    )
    rows = [header]
    for r in document["results"]:
        binary = r.get("rate_with") is not None or r.get("median_with") is None
        effect = r.get("adjusted_odds_ratio") if stratified else r.get("odds_ratio")
        effect = effect if effect is not None else r.get("probability_greater", r.get("hazard_ratio"))
        rows.append(
            (
                r["trait"],
                r["value"],
                str(r["n_with"]),
                str(r["n_without"]),
                _number(r["rate_with"], "pct") if binary else _number(r.get("median_with"), "n"),
                _number(r["rate_without"], "pct") if binary else _number(r.get("median_without"), "n"),
                _number(effect, "n"),
                _number(r["adjusted_p_value"] if stratified else r["p_value"], "p"),
                _number(r["adjusted_q_value"] if stratified else r["q_value"], "p"),
                r["recommendation"] + (f" [{', '.join(r['flags'])}]" if r["flags"] else ""),
            )
        )
    rows = [(row[0][:32], row[1][:32], *row[2:]) for row in rows]  # long names must not push the numbers away
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    worth_reading = [r for r in document["results"] if r["recommendation"] != "no_evidence"]
    if worth_reading:
        lines.append("")
        lines.extend(
            f"- {r['trait']} = {r['value']}: {r['explanation']}{_model_text(r.get('model'))}"
            for r in worth_reading
        )
    model = document.get("model")
    if model and not model["fitted"]:
        lines.append(f"Multivariable check not fitted: {model['note']}.")
    lines.extend(_trend_text(trend) for trend in document.get("trends") or [])
    return lines


def _trend_text(trend: dict[str, Any]) -> str:
    """ "Trend of trait:seats: the rate rises with the number (z 2.56, p 0.010, 120 accounts)." """
    if trend["p_value"] is None:
        return f"Trend of {trend['trait']}: not testable ({trend['distinct_values']} distinct numbers)."
    words = {"rises": "the rate rises with the number", "falls": "the rate falls as the number grows"}
    said = words.get(trend["direction"], "no trend shown")
    numbers = f"z {trend['z']:.2f}, p {trend['p_value']:.3f}, {trend['accounts']} accounts"
    return f"Trend of {trend['trait']}: {said} ({numbers})."


_MODEL_WORDS = {
    "holds": "Adjusted in the model",
    "vanishes": "Vanishes in the model",
    "reverses": "Turns the other way in the model",
}


def _model_text(effect: dict[str, Any] | None) -> str:
    """ " Adjusted in the model: OR 2.1 (1.3-3.4)." for a candidate of the multivariable check."""
    if not effect:
        return ""
    words = _MODEL_WORDS.get(effect["status"])
    if words is None:
        return (
            " Not in the model (number band)."
            if effect["status"] == "not_in_model"
            else " In the model it cannot be told apart from the other candidates."
        )
    low, high = effect["odds_ratio_ci"] or (None, None)
    upper = _number(high, "n") if high is not None else "inf"
    return f" {words}: OR {_number(effect['odds_ratio'], 'n')} ({_number(low, 'n')}-{upper})."


icp_cli = AppGroup("icp", help="ICP versions: list them, score a prospect list, print the one-page ICP.")


def _icp_version(session: Any, number: int | None) -> Any:
    if number is None:
        version = icp_scoring.active_version(session)
        if version is None:
            fail("No ICP version is active; name one with --version N.")
        return version
    try:
        return icp_versions.version_by_number(session, number)
    except DomainError as error:
        fail(error.message)


@icp_cli.command("list")
def icp_list_command() -> None:
    """The ICP versions, newest first: number, status, name, criteria."""
    for v in icp_versions.list_versions(get_session()):
        click.echo(f"{v.number}\t{v.status}\t{v.name}\t{len(v.criteria)} criteria")


@icp_cli.command("score")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file, not stdout."
)
@click.option(
    "--version", "number", type=int, help="Score against this version number (default: the active one)."
)
@click.option(
    "--preset", type=click.Choice(["auto", *PRESET_NAMES]), default="auto", show_default=True,
    help="Whose column names the file uses (auto: the best match).",
)  # fmt: skip
def icp_score_command(file: Path, out: Path | None, number: int | None, preset: str) -> None:
    """Score a prospect list (the account import's columns): the same rows with icp_score, icp_tier,
    icp_reasons and icp_problem. Nothing is stored."""
    session = get_session()
    version = _icp_version(session, number)
    show = sys.stderr.isatty()

    def progress(rows: int) -> None:
        if show:
            click.echo(f"\rScored: {rows:,} rows", err=True, nl=False)

    with file.open("rb") as stream:
        try:
            rows = icp_prospects.score_rows(
                session, Actor.system("cli"), stream, version, preset=preset, progress=progress
            )
            header = next(rows)
        except DomainError as error:
            fail(f"{file.name}: {error.message}")
        chunks = icp_prospects.csv_text(itertools.chain([header], rows))
        if out is None:
            for chunk in chunks:
                sys.stdout.write(chunk)
        else:
            with out.open("w", encoding="utf-8", newline="") as handle:
                for chunk in chunks:
                    handle.write(chunk)
    if show:
        click.echo("", err=True)
    if out is not None:
        click.echo(f"Scored {file.name} against ICP version {version.number}; wrote {out}.")


@icp_cli.command("activate")
@click.argument("number", type=int)
def icp_activate_command(number: int) -> None:
    """Activate ICP version NUMBER (a retired one: a rollback) and print how many accounts each tier holds."""
    session = get_session()
    version = _icp_version(session, number)
    try:
        icp_versions.activate(session, Actor.system("cli"), version.id)
    except DomainError as error:
        fail(error.message)
    session.commit()
    counts = icp_scoring.tier_counts(session, version)
    click.echo(f"Version {number} is active: " + ", ".join(f"{tier} {n:,}" for tier, n in counts.items()))


@icp_cli.command("rescore")
def icp_rescore_command() -> None:
    """Rebuild the stored scores (icp_scores) of every account against the active version, from scratch."""
    session = get_session()
    counts = icp_scoring.rebuild_scores(session, Actor.system("cli"))
    session.commit()
    if not counts:
        click.echo("No ICP version is active: the stored scores are cleared.")
        return
    total = sum(counts.values())
    click.echo(f"Rescored {total:,} accounts: " + ", ".join(f"{tier} {n:,}" for tier, n in counts.items()))


@icp_cli.command("one-page")
@click.argument("number", type=int)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file, not stdout."
)
def icp_one_page_command(number: int, out: Path | None) -> None:
    """The one-page ICP of version NUMBER as Markdown."""
    session = get_session()
    text = icp_one_page.one_page(session, _icp_version(session, number)).markdown()
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {out}.")


reviews_cli = AppGroup("reviews", help="Monthly ECP-to-ICP reviews: open a month, list them, export one.")


@reviews_cli.command("open")
@click.argument("period")
@click.option(
    "--outcome",
    "outcomes",
    multiple=True,
    help="An outcome to freeze (repeat; default: converted and churned).",
)
@click.option("--supersedes", type=int, help="A correction: the id of the finalised review it replaces.")
def reviews_open_command(period: str, outcomes: tuple[str, ...], supersedes: int | None) -> None:
    """Open the review of PERIOD (YYYY-MM), freezing its snapshot; prints its id and SHA-256."""
    session = get_session()
    try:
        review = reviews_service.open_review(
            session, Actor.system("cli"), period, list(outcomes) or None, supersedes=supersedes
        )
    except DomainError as error:
        fail(error.message)
    session.commit()
    ready = sum(1 for c in reviews_service.candidates(session, review) if c.ready)
    click.echo(
        f"Opened review {review.id} of {review.period}: {len(reviews_service.candidates(session, review))} "
        f"candidates, {ready} ready; snapshot SHA-256 {review.snapshot_sha256}."
    )


@reviews_cli.command("list")
def reviews_list_command() -> None:
    """The reviews, newest month first: id, period, status, decisions, draft ICP it produced."""
    for review in reviews_service.list_reviews(get_session()):
        draft = review.draft_icp_version_id or "-"
        click.echo(
            f"{review.id}\t{review.period}\t{review.status}\t{len(review.decisions)} decisions\t{draft}"
        )


@reviews_cli.command("export")
@click.argument("review_id", type=int)
@click.option("--format", "format_", type=click.Choice(["markdown"]), default="markdown", show_default=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file, not stdout."
)
def reviews_export_command(review_id: int, format_: str, out: Path | None) -> None:
    """Review REVIEW_ID for the meeting notes (Markdown)."""
    session = get_session()
    try:
        text = reviews_markdown.to_markdown(session, reviews_service.get_review(session, review_id))
    except DomainError as error:
        fail(error.message)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {out}.")


experiments_cli = AppGroup(
    "experiments", help="Experiments against a randomised holdout: list them, export arms."
)


@experiments_cli.command("list")
def experiments_list_command() -> None:
    """The experiments, newest first: id, name, status, target, verdict."""
    session = get_session()
    for experiment in experiments_service.list_experiments(session):
        found = experiments_service.results(session, experiment, raw_input.today())
        verdict = found.verdict.value if found else "-"
        click.echo(
            f"{experiment.id}\t{experiment.name}\t{experiment.status}\t{experiment.target_label}\t{verdict}"
        )


@experiments_cli.command("export")
@click.argument("experiment_id", type=int)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file, not stdout."
)
def experiments_export_command(experiment_id: int, out: Path | None) -> None:
    """The arms of EXPERIMENT_ID as CSV (experiment_id, account_id, account, arm, stratum, outcome)."""
    session = get_session()
    try:
        experiment = experiments_service.get_experiment(session, experiment_id)
    except DomainError as error:
        fail(error.message)
    text = "".join(experiments_service.arm_csv(session, experiment))
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {out}.")


def register(app: Flask) -> None:
    for group in (
        db_cli,
        users_cli,
        tokens_cli,
        demo_command,
        pilots_cli,
        import_cli,
        export_cli,
        analyze_command,
        icp_cli,
        reviews_cli,
        experiments_cli,
    ):
        app.cli.add_command(group)
