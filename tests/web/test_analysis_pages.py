"""The analysis pages: who may see and change what, the chooser, banners, charts, and the settings form."""

from __future__ import annotations

from sqlalchemy import func, select

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import AuditEvent, WorkspaceSetting
from tests.services.test_analysis_service import add


def seed(session, n: int = 12) -> None:
    for i in range(n):
        add(
            session,
            f"Acc {i}",
            stage="customer" if i % 2 else "lost",
            acquisition_channel=("Referral", "Outbound")[i % 2],
            archetypes=["Game changer" if i % 3 else "Tech enthusiast"],
            nps=i % 11,
        )
    session.commit()


def test_viewer_sees_results_with_the_small_sample_banner(client_as, db_session):
    seed(db_session)
    page = client_as(Role.VIEWER).get("/analysis/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "call nothing an ICP yet" in html  # 12 decided accounts < 30
    assert "Compared within each acquisition channel" in html  # channel recorded: adjusted by default
    assert "cannot be adjusted for" in html  # the unrecorded-confounder banner
    assert 'src="/analysis/forest.svg?outcome=converted&amp;adjust=acquisition_channel"' in html
    assert "Settings" not in html  # admins only


def test_crude_choice_and_continuous_outcome(client_as, db_session):
    seed(db_session)
    client = client_as(Role.VIEWER)
    crude = client.get("/analysis/?outcome=converted&adjust=none").get_data(as_text=True)
    assert "Not adjusted for anything" in crude
    nps = client.get("/analysis/?outcome=nps").get_data(as_text=True)
    assert "Median with" in nps and 'name="adjust"' not in nps  # continuous outcomes are not stratified


def test_charts_are_svg(client_as, db_session):
    seed(db_session)
    client = client_as(Role.VIEWER)
    for url in (
        "/analysis/forest.svg?outcome=converted",
        "/analysis/forest.svg?outcome=nps",
        "/analysis/forest.svg?outcome=time_to_churn&adjust=none",
        "/analysis/value.svg?outcome=nps&trait=archetype&value=Game%20changer",
        "/analysis/value.svg?outcome=time_to_churn&adjust=none&trait=archetype&value=Game%20changer",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "image/svg+xml"
        assert b"<svg" in response.data


def test_value_page_and_missing_values(client_as, db_session):
    seed(db_session)
    client = client_as(Role.VIEWER)
    page = client.get("/analysis/value?outcome=converted&adjust=none&trait=archetype&value=Game%20changer")
    assert page.status_code == 200
    assert "The 2\u00d72 table" in page.get_data(as_text=True)
    assert client.get("/analysis/value?outcome=converted&trait=archetype&value=Nobody").status_code == 404
    assert client.get("/analysis/value?outcome=converted").status_code == 404


def test_bad_choice_gets_a_clear_page(client_as, db_session):
    client = client_as(Role.VIEWER)
    page = client.get("/analysis/?outcome=happiness")
    assert page.status_code == 422
    assert "Unknown outcome" in page.get_data(as_text=True)
    page = client.get("/analysis/?outcome=converted&adjust=shoe_size")
    assert page.status_code == 422 and "Cannot adjust for" in page.get_data(as_text=True)


def test_settings_are_admin_only(client_as):
    assert client_as(Role.EDITOR).get("/analysis/settings").status_code == 403
    assert client_as(Role.VIEWER).post("/analysis/settings", data={}).status_code == 403


def test_settings_form_refuses_bad_input_and_saves_good_input(client_as, db_session):
    admin = client_as(Role.ADMIN)
    form = admin.get("/analysis/settings")
    assert form.status_code == 200
    assert "Traits that take part" in form.get_data(as_text=True)
    bad = admin.post("/analysis/settings", data={"fdr": "0.9", "min_lift": "15", "min_group": "5"})
    assert bad.status_code == 422
    assert "False-discovery rate" in bad.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(WorkspaceSetting)) == 0
    good = admin.post(
        "/analysis/settings",
        data={
            "fdr": "0.05",
            "min_lift": "20",
            "min_probability": "65",
            "min_hazard_ratio": "1.50",
            "min_group": "4",
            "traits": ["archetype"],
        },
    )
    assert good.status_code == 302
    db_session.expire_all()
    stored = {s.key: s.value for s in db_session.scalars(select(WorkspaceSetting))}
    assert stored["analysis.fdr"] == 0.05 and stored["analysis.min_lift"] == 0.2
    assert stored["analysis.traits"] == ["archetype"]
    assert stored["analysis.min_probability"] == 0.65 and stored["analysis.min_hazard_ratio"] == 1.5
    assert db_session.scalar(select(func.count()).where(AuditEvent.entity == "workspace_setting")) == 6
    assert "False-discovery rate 0.05" in admin.get("/analysis/").get_data(as_text=True)


def test_settings_post_needs_csrf(app_factory):
    from tests.conftest import PASSWORD, add_user

    app = app_factory(WTF_CSRF_ENABLED=True)
    session = app.extensions["ecp_db"].session_factory()
    admin = add_user(session, Role.ADMIN)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
    response = client.post("/analysis/settings", data={"fdr": "0.05", "min_lift": "20", "min_group": "4"})
    assert response.status_code == 400
    assert session.scalar(select(func.count()).select_from(WorkspaceSetting)) == 0
    session.close()
