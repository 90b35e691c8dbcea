"""One e-mail rule for every way in: what `flask users create` accepts, the sign-in form accepts too."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import User
from ecp_tracker.services.shared.emails import email_problem

PASSWORD = "correct horse battery"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.mark.parametrize(
    ("address", "ok"),
    [
        ("ada@ourstartup.example", True),
        ("Ada.Lovelace+crm@example.com", True),
        ("ada@demo.test", False),  # special-use domain: refused everywhere, at creation too
        ("ada@localhost", False),
        ("ada@@example.com", False),
        ("ada example@example.com", False),
        ("", False),
        ("a" * 250 + "@x.com", False),
    ],
)
def test_the_rule(address, ok):
    assert (email_problem(address) is None) is ok


def test_an_address_the_cli_refuses_is_the_one_the_sign_in_form_refuses(runner, client, people, db_session):
    result = runner.invoke(
        args=["users", "create", "ada@demo.test", "--name", "Ada", "--role", "editor"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 1
    assert "special-use or reserved name" in result.stderr
    assert db_session.scalar(select(func.count(User.id))) == len(people)
    page = client.post("/login", data={"email": "ada@demo.test", "password": PASSWORD}).get_data(as_text=True)
    assert "special-use or reserved name" in page


def test_an_address_the_cli_accepts_can_sign_in(runner, client, db_session):
    result = runner.invoke(
        args=["users", "create", "Ada+crm@OurStartup.example", "--name", "Ada", "--role", "editor"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    response = client.post("/login", data={"email": "ada+crm@ourstartup.example", "password": PASSWORD})
    assert response.status_code == 302


def test_the_api_uses_the_same_rule(api_as, db_session):
    response = api_as(Role.ADMIN).post(
        "/api/v1/users",
        json={"email": "ada@demo.test", "name": "Ada", "role": "editor", "password": PASSWORD},
    )
    assert response.status_code == 422
    assert "special-use or reserved name" in str(response.get_json()["errors"]["email"])
