"""The analysis pages: who may see and change what, the chooser, banners, charts, and the settings form."""

from __future__ import annotations

from sqlalchemy import func, select

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import AuditEvent, WorkspaceSetting
from tests.factories.analysis import add


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


# --- issue 15: the JSON button, chips, plurals and the forest plot on a phone ---------------------------


def test_the_json_button_downloads_the_analysis_for_a_signed_in_user(client_as, db_session, app):
    import json

    seed(db_session)
    client = client_as(Role.VIEWER)
    html = client.get("/analysis/").get_data(as_text=True)
    assert "/api/v1/analysis" not in html  # the API answers a browser session with 401
    assert 'href="/analysis/results.json?outcome=converted&amp;stratify_by=acquisition_channel"' in html
    response = client.get("/analysis/results.json?outcome=converted&stratify_by=acquisition_channel")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    document = json.loads(response.get_data(as_text=True))
    # the same document as `flask analyze --json`
    cli = app.test_cli_runner().invoke(
        args=["analyze", "--outcome", "converted", "--stratify-by", "acquisition_channel", "--json"]
    )
    assert cli.exit_code == 0, cli.output
    assert document == json.loads(cli.output)
    bad = client.get("/analysis/results.json?outcome=nope")
    assert bad.status_code == 400 and "outcome" in bad.get_json()["errors"]["query"]
    assert client.post("/analysis/results.json").status_code == 405  # GET only


def test_the_json_download_needs_a_session(client):
    response = client.get("/analysis/results.json?outcome=converted")
    assert response.status_code in (302, 401)
    assert response.status_code == 401 or "/login" in response.headers["Location"]


def test_chips_have_tooltips_and_a_legend_and_plurals_are_words(client_as, db_session):
    seed(db_session)
    html = client_as(Role.VIEWER).get("/analysis/").get_data(as_text=True)
    assert 'class="flag-legend"' in html
    for chip in ("zero cell", "effect differs by stratum", "simpson reversal", "small sample"):
        assert f">{chip}</span>" in html
    assert 'title="Fewer than 30 accounts are decided' in html  # a chip's tooltip
    page = client_as(Role.VIEWER).get("/analysis/?outcome=converted&adjust=industry")
    text = page.get_data(as_text=True)
    assert "industrys" not in text
    if page.status_code == 200 and "Compared within each industry" in text:
        assert "between industries" in text


def test_plural_of_trait_labels():
    from ecp_tracker.analysis.explain import plural

    assert plural("industry") == "industries"
    assert plural("acquisition channel") == "acquisition channels"
    assert plural("company size") == "company sizes"
    assert plural("country") == "countries"
    assert plural("tech stack") == "tech stacks"
    assert plural("address") == "addresses"
    assert plural("discount band") == "discount bands"
    assert plural("day") == "days"


def test_the_forest_plot_has_a_table_view_for_a_phone(client_as, db_session):
    seed(db_session)
    client = client_as(Role.VIEWER)
    html = client.get("/analysis/").get_data(as_text=True)
    assert 'class="forest-table' in html and "the forest plot, as a table" in html
    assert 'href="/analysis/analysis.css"' in html
    response = client.get("/analysis/analysis.css")
    assert response.status_code == 200, response.status_code
    css = response.get_data(as_text=True)
    assert "@media (max-width: 640px)" in css and "img.chart.forest { display: none; }" in css


def test_each_candidate_shows_the_multivariable_check_and_the_rules_explain_it(client_as, db_session):
    from tests.factories.analysis import near_copies

    near_copies(db_session)
    html = (
        client_as(Role.VIEWER)
        .get("/analysis/?outcome=converted&adjust=acquisition_channel")
        .get_data(as_text=True)
    )
    assert "Multivariable check: one Firth logistic model over the" in html
    assert "and acquisition channel, on 240 accounts with every candidate trait known." in html
    assert "Adjusted in the model: OR" in html  # the driver
    assert "Vanishes in the model: OR" in html and "a range that includes 1" in html  # its near-copy
    assert "<strong>Winner's curse.</strong>" in html and "shrunk" in html  # the rules explained


def test_flask_analyze_prints_the_model_check_beside_each_candidate_and_its_json_matches_the_page(
    client_as, db_session, app
):
    import json

    from tests.factories.analysis import near_copies

    near_copies(db_session)
    runner = app.test_cli_runner()
    text = runner.invoke(args=["analyze", "--outcome", "converted", "--stratify-by", "acquisition_channel"])
    assert text.exit_code == 0, text.output
    (driver,) = [line for line in text.output.splitlines() if line.startswith("- trait:driver = yes:")]
    (copy,) = [line for line in text.output.splitlines() if line.startswith("- trait:copy = yes:")]
    assert " Adjusted in the model: OR " in driver
    assert " Vanishes in the model: OR " in copy
    cli = runner.invoke(
        args=["analyze", "--outcome", "converted", "--stratify-by", "acquisition_channel", "--json"]
    )
    download = client_as(Role.VIEWER).get(
        "/analysis/results.json?outcome=converted&stratify_by=acquisition_channel"
    )
    assert (
        json.loads(cli.output)["model"] == download.get_json()["model"]
        and download.get_json()["model"]["fitted"]
    )
