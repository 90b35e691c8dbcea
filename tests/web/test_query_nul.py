"""A NUL character in a page's query string is a 400 naming the parameter, on SQLite and PostgreSQL alike
(PostgreSQL cannot compare text holding one; the page used to say a number was too large)."""

from __future__ import annotations

import pytest

from ecp_tracker.domain.roles import Role


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/?q=a%00b",
        "/testimonials/?q=%00",
        "/pilots/?q=x%00",
        "/interviews/?account=%00",
        "/reviews/?q=%00",
    ],
)
def test_a_nul_in_the_address_is_a_400_naming_the_parameter(client_as, path):
    client = client_as(Role.ADMIN)
    response = client.get(path)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    parameter = path.split("?")[1].split("=")[0]
    assert f"The address&#39;s parameter &#39;{parameter}&#39; holds a NUL character" in page


def test_the_same_pages_answer_without_the_nul(client_as):
    assert client_as(Role.ADMIN).get("/accounts/?q=ab").status_code == 200
