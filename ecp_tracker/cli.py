"""Command-line interface (`flask ...`): database migrations, users, tokens and the demo workspace.

Exit codes: 0 success, 1 the input was refused (the reason on stderr, one line), 2 usage errors.
"""

from __future__ import annotations

import sys

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import AppGroup

from ecp_tracker.db import database, get_session
from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import DomainError
from ecp_tracker.domain.roles import Role
from ecp_tracker.services import demo, tokens, users


def fail(message: str) -> None:
    """Refuse the input: one line on stderr, exit code 1, nothing written."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", current_app.config["MIGRATIONS_DIR"])
    cfg.attributes["engine"] = database().engine
    return cfg


db_cli = AppGroup("db", help="Database migrations (Alembic).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: head)."""
    command.upgrade(alembic_config(), revision)


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION (default: one step; 'base' removes every table)."""
    command.downgrade(alembic_config(), revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does.")
@click.option(
    "--autogenerate", is_flag=True, help="Compare the models with the database and write the difference."
)
def db_revision(message: str, autogenerate: bool) -> None:
    """Create a new migration script in migrations/versions/."""
    command.revision(alembic_config(), message=message, autogenerate=autogenerate)


@db_cli.command("current")
def db_current() -> None:
    """Show the revision the database is at."""
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
@click.option("--if-empty", is_flag=True, help="Load only when the database has no users yet.")
def demo_command(if_empty: bool) -> None:
    """Load the demo workspace (idempotent) and print the demo logins."""
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


def register(app: Flask) -> None:
    for group in (db_cli, users_cli, tokens_cli, demo_command):
        app.cli.add_command(group)
