"""CSV import of accounts: presets for the sample CRM exports, upserts, every-row validation, dry runs."""

from __future__ import annotations

import gc
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.roles import Role
from ecp_tracker.models import Account, AuditEvent, TraitDefinition
from ecp_tracker.services.accounts import accounts, traits
from ecp_tracker.services.accounts.importing import importer as account_import
from ecp_tracker.services.accounts.importing.importer import (
    ImportReport,
    RowProblem,
    import_accounts,
    plan_columns,
)
from ecp_tracker.services.accounts.importing.presets import DateReader, neutralise, unquote
from tests.conftest import TEST_ACTOR, add_user

DATA = Path(__file__).resolve().parents[1] / "data"
TODAY = date(2026, 11, 1)
NATIVE_HEADER = "name,domain,employees,stage,converted_on,archetypes,notes\n"


def run(session: Session, data: str | bytes, **options: object) -> ImportReport:
    """Import `data`; commit what a clean, real import wrote (as the CLI does), else roll back."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    report = import_accounts(session, TEST_ACTOR, io.BytesIO(raw), today=TODAY, **options)
    if report.ok and not report.dry_run:
        session.commit()
    else:
        assert not session.new and not session.dirty and not session.deleted
        session.rollback()
    return report


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def account_named(session: Session, name: str) -> Account:
    session.expire_all()
    return session.scalar(select(Account).where(Account.name == name))


def count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def owners(db_session: Session):
    return [
        add_user(db_session, Role.EDITOR, email="ada@ourstartup.example", name="Ada"),
        add_user(db_session, Role.EDITOR, email="grace@ourstartup.example", name="Grace"),
    ]


@pytest.fixture
def segment(db_session: Session) -> TraitDefinition:
    definition = traits.create_definition(
        db_session, TEST_ACTOR, label="Segment", kind="category", allowed_values=["SMB", "Enterprise"]
    )
    db_session.commit()
    return definition


def reasons(report: ImportReport) -> list[tuple[int, str]]:
    return [(p.row, p.column) for p in report.problems]


# --- the sample CRM exports -----------------------------------------------------------------------------


def test_hubspot_sample_is_detected_and_read(db_session, owners):
    report = run(db_session, sample("hubspot-companies.csv"))
    assert report.ok, report.problems
    assert report.preset == "hubspot"
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert sorted(report.ignored_columns) == ["City", "Create Date", "Record ID"]
    assert report.mapping["Company name"] == "name"
    assert report.mapping["Lifecycle Stage"] == "stage"
    assert report.mapping["Company owner"] == "owner"
    nordlys = account_named(db_session, "Nordlys Robotics")
    assert nordlys.domain == "nordlys.example"
    assert nordlys.industry == "Computer Software"
    assert nordlys.employees == 38
    assert nordlys.annual_revenue == Decimal("2100000")
    assert (nordlys.country, nordlys.region) == ("Norway", "Oslo")
    assert nordlys.stage == "customer"
    assert nordlys.converted_on == date(2026, 3, 1)
    assert nordlys.acquisition_channel == "Referral"  # HubSpot's "Referrals", by the value map
    assert nordlys.owner_id == owners[0].id
    pescado = account_named(db_session, "Pescado & Sons, Ltd")
    assert (pescado.stage, pescado.annual_revenue, pescado.employees) == ("pilot", None, 220)
    assert pescado.converted_on is None
    kumo = account_named(db_session, "Kumo Logistics")
    assert (kumo.stage, kumo.region, kumo.owner_id) == ("prospect", None, owners[1].id)
    assert kumo.annual_revenue == Decimal("98000000")
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.entity == "account")).all()
    assert len(events) == 3
    assert {e.action for e in events} == {"create"}
    assert {e.actor_label for e in events} == {TEST_ACTOR.label}
    created = next(e for e in events if e.entity_id == str(nordlys.id))
    assert created.changes["employees"] == [None, 38]
    assert created.changes["stage"] == [None, "customer"]


def test_salesforce_api_sample_is_detected_and_read(db_session):
    report = run(db_session, sample("salesforce-accounts-api.csv"))
    assert report.ok, report.problems
    assert report.preset == "salesforce"
    assert (report.created, report.updated) == (2, 0)
    assert sorted(report.ignored_columns) == ["CREATEDDATE", "ID", "TYPE"]
    assert "not a stage" in report.ignored_reasons["TYPE"]
    vetrano = account_named(db_session, "Vetrano Medical")
    assert vetrano.annual_revenue == Decimal("35000000")
    assert vetrano.employees == 310
    assert (vetrano.country, vetrano.region) == ("Italy", "Lombardia")
    assert vetrano.domain == "vetrano.example"
    assert vetrano.acquisition_channel == "Partner"  # "Partner Referral", by the value map
    assert vetrano.industry == "Healthcare"
    assert vetrano.stage == "prospect"  # "Customer - Direct" is an account type, not a stage
    greenleaf = account_named(db_session, "Greenleaf Schools, Inc.")
    assert (greenleaf.annual_revenue, greenleaf.region, greenleaf.domain) == (None, "CA", "greenleaf.example")
    assert greenleaf.acquisition_channel == "Website"


def test_salesforce_report_sample_is_detected_and_read(db_session):
    report = run(db_session, sample("salesforce-accounts-report.csv"))
    assert report.ok, report.problems
    assert report.preset == "salesforce"
    assert sorted(report.ignored_columns) == ["Account Type", "Created Date"]
    assert report.mapping["Employees"] == "employees"
    vetrano = account_named(db_session, "Vetrano Medical")
    assert vetrano.annual_revenue == Decimal("35000000")  # "35,000,000"
    assert (vetrano.employees, vetrano.country, vetrano.domain) == (310, "Italy", "vetrano.example")
    assert vetrano.acquisition_channel == "Partner"


def test_the_report_export_updates_what_the_api_export_created(db_session):
    run(db_session, sample("salesforce-accounts-api.csv"))
    report = run(db_session, sample("salesforce-accounts-report.csv"))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert account_named(db_session, "Vetrano Medical").region == "Lombardia"  # not in the report: kept


def test_reimport_never_duplicates_and_writes_nothing_when_nothing_changed(db_session, owners):
    run(db_session, sample("hubspot-companies.csv"))
    events = count(db_session, AuditEvent)
    report = run(db_session, sample("hubspot-companies.csv"))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert count(db_session, Account) == 3
    assert count(db_session, AuditEvent) == events


def test_reimport_updates_only_what_changed(db_session, owners):
    run(db_session, sample("hubspot-companies.csv"))
    before = account_named(db_session, "Nordlys Robotics")
    version = before.version
    changed = sample("hubspot-companies.csv").replace(b"Computer Software,38,", b"Computer Software,40,")
    report = run(db_session, changed)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    after = account_named(db_session, "Nordlys Robotics")
    assert after.employees == 40
    assert after.version == version + 1
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == str(after.id)).order_by(AuditEvent.id.desc())
    ).first()
    assert (event.action, event.changes) == ("update", {"employees": [38, 40]})


def test_upsert_by_domain_renames_and_keeps_columns_the_file_lacks(db_session):
    accounts.create_account(
        db_session, TEST_ACTOR, {"name": "Acme", "domain": "acme.example", "industry": "Retail"}
    )
    db_session.commit()
    report = run(db_session, "name,domain,employees\nAcme Inc,https://www.acme.example/,12\n")
    assert (report.created, report.updated) == (0, 1)
    acme = account_named(db_session, "Acme Inc")
    assert (acme.domain, acme.employees, acme.industry) == ("acme.example", 12, "Retail")
    assert count(db_session, Account) == 1


def test_name_matches_case_insensitively(db_session):
    run(db_session, "name,employees\nAcme Robotics,5\n")
    report = run(db_session, "NAME,Employees\n  acme   robotics ,6\n")
    assert (report.created, report.updated) == (0, 1)
    acme = account_named(db_session, "acme robotics")
    assert acme.employees == 6
    assert count(db_session, Account) == 1


def test_names_with_quotes_and_backslashes_match(db_session):
    data = "name,employees\nO'Brien \\ Sons,1\n"
    assert run(db_session, data).created == 1
    report = run(db_session, data.replace(",1", ",2"))
    assert (report.created, report.updated) == (0, 1)
    assert account_named(db_session, "O'Brien \\ Sons").employees == 2


def test_name_and_domain_matching_two_accounts_is_a_problem(db_session):
    run(db_session, "name,domain\nAlpha,alpha.example\nBeta,beta.example\n")
    report = run(db_session, "name,domain\nAlpha,beta.example\n")
    assert reasons(report) == [(2, "domain")]
    assert "Alpha" in report.problems[0].reason and "Beta" in report.problems[0].reason


def test_two_rows_matching_one_account_is_a_problem(db_session):
    run(db_session, "name,domain\nAlpha,alpha.example\n")
    report = run(db_session, "name,domain\nAlpha,\nAlpha Two,alpha.example\n")
    assert reasons(report) == [(3, "name")]
    assert "row 2" in report.problems[0].reason


# --- file format ----------------------------------------------------------------------------------------


def test_bom_quoted_commas_newlines_and_blank_lines(db_session):
    data = (
        "\ufeffname,notes,industry\r\n"
        '"Comma, Inc.","line one\r\nline two, with comma\r\n""quoted""",Retail\r\n'
        "\r\n"
        ",,\r\n"
        "Plain Co,,Energy\r\n"
    )
    report = run(db_session, data)
    assert report.ok, report.problems
    assert (report.rows, report.created) == (2, 2)
    comma = account_named(db_session, "Comma, Inc.")
    assert comma.notes == 'line one\r\nline two, with comma\r\n"quoted"'
    assert comma.industry == "Retail"
    assert account_named(db_session, "Plain Co").industry == "Energy"


def test_rows_are_numbered_as_a_spreadsheet_shows_them(db_session):
    data = (
        "name,notes,employees\n"  # row 1
        'Multi,"three\nphysical\nlines",5\n'  # row 2
        "\n"  # row 3 (blank, skipped)
        "Bad,,many\n"  # row 4
        "Good,,7\n"  # row 5
        "Also bad,,0\n"  # row 6
    )
    report = run(db_session, data)
    assert reasons(report) == [(4, "employees"), (6, "employees")]
    assert "many" in report.problems[0].reason
    assert count(db_session, Account) == 0


def test_unknown_columns_are_reported_as_ignored_never_read(db_session):
    report = run(db_session, "name,Favourite colour,industry\nAcme,=1+1,Retail\n")
    assert report.ok
    assert report.ignored_columns == ["Favourite colour"]
    assert "Favourite colour" not in report.mapping
    acme = account_named(db_session, "Acme")
    assert acme.industry == "Retail"
    assert "=1+1" not in repr([acme.notes, acme.region, acme.country])


def test_headers_match_regardless_of_case_and_spaces(db_session, owners):
    data = "  company   NAME ,number of employees,LIFECYCLE STAGE\nNordlys,12,lead\n"
    report = run(db_session, data)
    assert report.ok, report.problems
    assert report.preset == "hubspot"
    assert account_named(db_session, "Nordlys").employees == 12


def test_non_utf8_file_is_refused_naming_the_row_and_byte(db_session):
    data = "name,industry\nAcme,Retail\nCafé Noir,Food\n".encode("latin-1")
    report = run(db_session, data)
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert problem.row == 3
    assert "UTF-8" in problem.reason
    assert "0xE9" in problem.reason
    offset = data.index("é".encode("latin-1"))
    assert f"byte {offset} of the file" in problem.reason
    assert count(db_session, Account) == 0


def test_utf16_file_is_refused(db_session):
    report = run(db_session, "name\nAcme\n".encode("utf-16"))
    assert report.problems[0].row == 1
    assert "UTF-16" in report.problems[0].reason


def test_empty_file_and_missing_name_column_are_refused(db_session):
    assert run(db_session, b"").problems == [
        RowProblem(1, "", "The file is empty; the first row must name the columns.")
    ]
    report = run(db_session, "domain,industry\nacme.example,Retail\n")
    assert reasons(report) == [(1, "name")]


def test_two_columns_for_one_field_are_refused(db_session):
    report = run(db_session, "Website,WEBSITE,Account Name\na.example,b.example,A\n")
    assert reasons(report) == [(1, "WEBSITE")]


def test_row_with_extra_cells_is_refused(db_session):
    report = run(db_session, "name,industry\nAcme,Retail,oops\nFine,Retail,\n")
    assert reasons(report) == [(2, "")]


def test_broken_quoting_is_refused(db_session):
    report = run(db_session, 'name,industry\nAcme,Retail\n"Broken"x,Retail\n')
    assert report.problems[0].row == 3


def test_explicit_preset_overrides_detection(db_session):
    report = run(db_session, sample("hubspot-companies.csv"), preset="native")
    assert report.preset == "native"
    assert reasons(report) == [(1, "name")]


def test_plan_columns_reads_only_the_header_and_seeks_back(db_session):
    stream = io.BytesIO(sample("salesforce-accounts-api.csv"))
    plan = plan_columns(stream)
    assert stream.tell() == 0
    assert plan.preset == "salesforce"
    assert plan.mapping["NUMBEROFEMPLOYEES"] == "employees"
    assert plan.mapping["WEBSITE"] == "domain"
    assert set(plan.ignored) == {"ID", "TYPE", "CREATEDDATE"}
    assert plan.problems == []


# --- values ---------------------------------------------------------------------------------------------


def test_bad_dates_and_numbers_name_row_and_column(db_session):
    data = (
        NATIVE_HEADER
        + "A,a.example,ten,,,,\n"
        + "B,,5,customer,2026-13-01,,\n"
        + "C,,5,pilot,,,\n"
        + "D,not a domain,1.5,,,,\n"
    )
    report = run(db_session, data)
    assert reasons(report) == [(2, "employees"), (3, "converted_on"), (5, "domain"), (5, "employees")]
    assert count(db_session, Account) == 0


def test_salesforce_number_formats(db_session):
    data = 'Account Name,Annual Revenue,Employees\nA,3.5E+07,1\nB,"35,000,000",2\nC,"1,5",3\n'
    report = run(db_session, data)
    assert reasons(report) == [(4, "Annual Revenue")]
    assert "decimal comma" in report.problems[0].reason
    report = run(db_session, data.replace('C,"1,5",3\n', ""))
    assert report.ok
    assert account_named(db_session, "A").annual_revenue == Decimal("35000000")
    assert account_named(db_session, "B").annual_revenue == Decimal("35000000")


def test_locale_dates_need_a_format_unless_unambiguous(db_session):
    data = "name,stage,converted_on\nA,customer,20/01/2026\nB,customer,03/04/2026\n"
    report = run(db_session, data)
    assert reasons(report) == [(3, "converted_on")]
    assert "--date-format" in report.problems[0].reason
    report = run(db_session, data, date_format="%d/%m/%Y")
    assert report.ok, report.problems
    assert account_named(db_session, "A").converted_on == date(2026, 1, 20)
    assert account_named(db_session, "B").converted_on == date(2026, 4, 3)


def test_unambiguous_locale_dates_parse_and_mixed_orders_are_refused(db_session, owners):
    data = (
        "Company name,Lifecycle Stage,Became a Customer Date\n"
        "A,Customer,20/01/2026 09:30\n"
        "B,Customer,01/02/2026\n"
        "C,Customer,01/20/2026\n"
    )
    report = run(db_session, data)
    assert reasons(report) == [(3, "Became a Customer Date"), (4, "Became a Customer Date")]
    assert "row 2" in report.problems[1].reason
    report = run(db_session, data.replace("B,Customer,01/02/2026\nC,Customer,01/20/2026\n", ""))
    assert report.ok, report.problems
    assert account_named(db_session, "A").converted_on == date(2026, 1, 20)


def test_date_reader_rules():
    reader = DateReader()
    assert reader.read("2026-03-01 00:00", 2) == date(2026, 3, 1)
    assert reader.read("2026-01-20T10:11:12.000Z", 2) == date(2026, 1, 20)
    assert reader.read("05/05/2026", 2) == date(2026, 5, 5)
    assert DateReader("%m/%d/%Y").read("03/04/2026", 2) == date(2026, 3, 4)
    assert DateReader("%d.%m.%Y").read("2026-04-03", 2) == date(2026, 4, 3)  # ISO is never ambiguous
    with pytest.raises(Exception, match="two-digit year"):
        reader.read("20/01/26", 2)
    with pytest.raises(Exception, match="not a valid date"):
        reader.read("2026-02-30", 2)
    with pytest.raises(Exception, match="day, a month and a year"):
        DateReader("%d/%m")


def test_bad_date_format_is_a_problem_not_an_exception(db_session):
    report = run(db_session, "name\nA\n", date_format="%Q")
    assert reasons(report) == [(0, "date_format")]


def test_hubspot_lifecycle_stages(db_session):
    data = (
        "Company name,Lifecycle Stage\n"
        "A,Evangelist\nB,Opportunity\nC,Subscriber\nD,Marketing Qualified Lead\nE,Other\nF,Zombie\n"
    )
    report = run(db_session, data)
    assert reasons(report) == [(2, "converted_on"), (6, "Lifecycle Stage"), (7, "Lifecycle Stage")]
    assert "converted" in report.problems[0].reason  # Evangelist is a customer: it needs its conversion date
    assert "'Other'" in report.problems[1].reason
    assert "Unknown HubSpot stage 'Zombie'" in report.problems[2].reason
    report = run(db_session, data.replace("A,Evangelist\n", "").replace("E,Other\nF,Zombie\n", ""))
    assert report.ok, report.problems
    stages = {a.name: a.stage for a in db_session.scalars(select(Account))}
    assert stages == {"B": "pilot", "C": "prospect", "D": "prospect"}


def test_stage_rules_use_the_stored_values_for_columns_the_file_lacks(db_session):
    run(db_session, "name,stage,converted_on\nAcme,customer,2026-02-01\n")
    assert run(db_session, "name,stage\nAcme,churned\n").problems[0].column == "churned_on"
    report = run(db_session, "name,nps\nAcme,9\n")
    assert report.ok and report.updated == 1


def test_future_dates_are_refused(db_session):
    report = run(db_session, "name,stage,converted_on\nAcme,customer,2027-01-01\n")
    assert reasons(report) == [(2, "converted_on")]


def test_duplicate_names_and_domains_within_the_file(db_session):
    data = "name,domain\nAcme,acme.example\nBeta,beta.example\n  ACME ,\nGamma,ACME.example\n"
    report = run(db_session, data)
    assert reasons(report) == [(4, "name"), (5, "domain")]
    assert "row 2" in report.problems[0].reason
    assert "row 2" in report.problems[1].reason
    assert count(db_session, Account) == 0


def test_archetypes_are_case_insensitive_and_unknown_ones_refused(db_session):
    report = run(db_session, "name,archetypes\nA,game CHANGER; tech enthusiast\nB,Wizard;Game changer\n")
    assert reasons(report) == [(3, "archetypes")]
    assert "Wizard" in report.problems[0].reason
    report = run(db_session, "name,archetypes\nA,game CHANGER; tech enthusiast\n")
    assert report.ok
    assert [a.name for a in account_named(db_session, "A").archetypes] == ["Game changer", "Tech enthusiast"]


def test_unknown_owner_is_refused(db_session, owners):
    report = run(db_session, "name,owner\nA,ada@ourstartup.example\nB,nobody@example.com\n")
    assert reasons(report) == [(3, "owner")]
    report = run(db_session, "name,owner\nA,²\nB,99999999999999999999\n")
    assert reasons(report) == [(2, "owner"), (3, "owner")]
    assert run(db_session, "name,owner\nA,ADA@ourstartup.example\n").ok
    assert account_named(db_session, "A").owner_id == owners[0].id
    assert run(db_session, f"name,owner\nA,{owners[1].id}\n").updated == 1
    assert account_named(db_session, "A").owner_id == owners[1].id


def test_trait_value_outside_its_allowed_values_is_refused(db_session, segment):
    report = run(db_session, "name,trait:segment\nA,smb\nB,Government\n")
    assert reasons(report) == [(3, "trait:segment")]
    assert "Government" in report.problems[0].reason
    report = run(db_session, "name,trait:segment\nA,smb\n")
    assert report.ok
    assert [(t.definition.key, t.value) for t in account_named(db_session, "A").traits] == [
        ("segment", "SMB")
    ]


def test_new_trait_columns_create_category_and_boolean_traits(db_session):
    data = "name,trait:Uses SSO,trait:plan\nA,yes,Pro\nB,0,basic\nC,,PRO\n"
    report = run(db_session, data)
    assert report.ok, report.problems
    assert report.new_traits == ["plan", "uses_sso"]
    made = traits.definitions_by_key(db_session)
    assert (made["uses_sso"].kind, made["uses_sso"].label) == ("boolean", "Uses SSO")
    assert (made["plan"].kind, made["plan"].allowed_values) == ("category", ["basic", "Pro"])
    values = {
        a.name: sorted((t.definition.key, t.value) for t in a.traits)
        for a in db_session.scalars(select(Account))
    }
    assert values == {
        "A": [("plan", "Pro"), ("uses_sso", "yes")],
        "B": [("plan", "basic"), ("uses_sso", "no")],
        "C": [("plan", "Pro")],
    }
    trait_events = db_session.scalars(select(AuditEvent).where(AuditEvent.entity == "trait_definition")).all()
    assert len(trait_events) == 2


def test_an_empty_new_trait_column_is_ignored_not_created(db_session):
    report = run(db_session, "name,trait:later\nA,\n")
    assert report.ok
    assert report.new_traits == []
    assert report.ignored_columns == ["trait:later"]
    assert "later" not in traits.definitions_by_key(db_session)


def test_tags_keep_rows_that_stay(db_session):
    traits.create_definition(db_session, TEST_ACTOR, label="Stack", kind="tags")
    db_session.commit()
    run(db_session, "name,trait:stack\nA,python; postgres\n")
    report = run(db_session, "name,trait:stack\nA,postgres; python; redis\n")
    assert report.updated == 1
    assert sorted(t.value for t in account_named(db_session, "A").traits) == ["postgres", "python", "redis"]
    assert run(db_session, "name,trait:stack\nA,redis;python;postgres\n").unchanged == 1


def test_formula_cells_lose_exactly_the_neutralising_quote(db_session):
    data = "name,notes,industry\n'=HYPERLINK(\"x\"),'-5% off,'plain\n"
    report = run(db_session, data)
    assert report.ok, report.problems
    account = account_named(db_session, '=HYPERLINK("x")')
    assert account.notes == "-5% off"
    assert account.industry == "'plain"  # not a neutralised formula: kept as written


def test_neutralise_and_unquote_invert_each_other():
    for text in ["=1+1", "+1", "-x", "@SUM", "\tx", "'=1", "''@", "plain", "'plain", "", "a=b"]:
        assert unquote(neutralise(text)) == text
    assert neutralise("=1") == "'=1"
    assert neutralise("'=1") == "''=1"
    assert neutralise("'x") == "'x"


# --- all or nothing -------------------------------------------------------------------------------------


def test_one_bad_row_writes_nothing_and_every_bad_row_is_named(db_session, segment):
    run(db_session, "name,employees\nExisting,5\n")
    accounts_before, events_before = count(db_session, Account), count(db_session, AuditEvent)
    data = (
        "name,employees,trait:segment,trait:brand_new\n"
        "Existing,6,SMB,x\n"
        ",7,SMB,y\n"
        "New One,8,Galaxy,z\n"
        "New Two,9,Enterprise,x\n"
    )
    report = run(db_session, data)
    assert reasons(report) == [(3, "name"), (4, "trait:segment")]
    assert count(db_session, Account) == accounts_before
    assert count(db_session, AuditEvent) == events_before
    assert account_named(db_session, "Existing").employees == 5
    assert "brand_new" not in traits.definitions_by_key(db_session)
    assert (report.created, report.updated) == (0, 0)


def test_problems_leave_nothing_flushed(db_session):
    run(db_session, "name\nKeep\n")
    report = import_accounts(db_session, TEST_ACTOR, io.BytesIO(b"name,employees\nA,1\nB,x\n"), today=TODAY)
    assert not report.ok
    # Still inside the import's transaction: nothing was sent to the database.
    assert db_session.scalar(select(func.count(Account.id))) == 1
    assert not db_session.new and not db_session.dirty
    db_session.rollback()


def test_dry_run_reports_and_writes_nothing(db_session):
    run(db_session, "name,employees\nExisting,5\nSame,1\n")
    events = count(db_session, AuditEvent)
    report = run(
        db_session, "name,employees,trait:tier\nExisting,6,gold\nSame,1,\nNew,3,silver\n", dry_run=True
    )
    assert report.ok and report.dry_run
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    assert report.new_traits == ["tier"]
    assert count(db_session, Account) == 2
    assert count(db_session, AuditEvent) == events
    assert account_named(db_session, "Existing").employees == 5
    assert "tier" not in traits.definitions_by_key(db_session)


def test_progress_is_reported_in_each_pass(db_session):
    calls: list[int] = []
    rows = "".join(f"Company {i}\n" for i in range(2500))
    report = run(db_session, "name\n" + rows, progress=calls.append)
    assert report.created == 2500
    assert calls == [1000, 2000, 2500, 0, 1000, 2000, 2500]
    assert count(db_session, Account) == 2500
    assert count(db_session, AuditEvent) == 2500


def test_nul_characters_are_refused_before_they_reach_a_query(db_session):
    report = run(db_session, b"name,industry\nAc\x00me,Retail\nFine,Retail\n")
    assert reasons(report) == [(2, "")]
    assert "NUL" in report.problems[0].reason


# --- new accounts are inserted in bulk --------------------------------------------------------------------


def test_new_accounts_are_written_as_the_account_service_writes_them(db_session, owners, segment):
    traits.create_definition(db_session, TEST_ACTOR, label="Stack", kind="tags")
    db_session.commit()
    fields = {
        "name": "Twin",
        "domain": "twin.example",
        "industry": "Retail",
        "employees": "12",
        "annual_revenue": "2500000.50",
        "stage": "customer",
        "converted_on": "2026-03-01",
        "archetypes": "Game changer; Tech enthusiast",
        "owner": "ada@ourstartup.example",
        "notes": "Met at a fair",
        "trait:segment": "SMB",
        "trait:stack": "python; postgres",
    }
    service = accounts.create_account(db_session, TEST_ACTOR, fields, today=TODAY)
    db_session.commit()
    header = ",".join(fields)
    imported_fields = fields | {"name": "Twin Import", "domain": "twin-import.example"}
    report = run(db_session, header + "\n" + ",".join(imported_fields.values()) + "\n")
    assert report.created == 1, report.problems
    imported = account_named(db_session, "Twin Import")
    service = account_named(db_session, "Twin")

    def shape(account: Account) -> dict[str, object]:
        columns = {
            c.key: getattr(account, c.key)
            for c in Account.__table__.columns
            if c.key not in {"id", "name", "name_key", "domain", "created_at", "updated_at"}
        }
        return columns | {
            "archetypes": [a.name for a in account.archetypes],
            "traits": [(t.definition.key, t.value) for t in account.traits],
        }

    assert shape(imported) == shape(service)
    assert imported.name_key == "twin import"
    assert imported.created_at == imported.updated_at
    assert imported.version == 1

    def event(account: Account) -> AuditEvent:
        return db_session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "account", AuditEvent.entity_id == str(account.id))
        ).one()

    created, reference = event(imported), event(service)
    assert (created.action, created.summary, created.actor_label) == (
        "create",
        "Twin Import",
        TEST_ACTOR.label,
    )
    assert list(created.changes) == list(reference.changes)
    assert created.changes | {"name": None, "domain": None} == reference.changes | {
        "name": None,
        "domain": None,
    }
    assert created.changes["name"] == [None, "Twin Import"]


def test_a_file_of_new_and_existing_accounts_writes_one_event_per_account_in_row_order(db_session, segment):
    run(db_session, "name,employees,trait:segment\nOld One,5,SMB\nOld Two,6,SMB\nSame,7,SMB\n")
    first_event = db_session.scalar(select(func.max(AuditEvent.id)))
    data = (
        "name,employees,trait:segment,archetypes\n"
        "New A,1,Enterprise,Visionary founder\n"
        "Old One,50,Enterprise,\n"
        "Same,7,SMB,\n"
        "New B,2,,\n"
        "Old Two,6,SMB,Underdog supporter\n"
    )
    report = run(db_session, data)
    assert (report.created, report.updated, report.unchanged) == (2, 2, 1)
    events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.id > first_event).order_by(AuditEvent.id)
    ).all()
    assert [(e.summary, e.action) for e in events] == [
        ("New A", "create"),
        ("Old One", "update"),
        ("New B", "create"),
        ("Old Two", "update"),
    ]
    assert events[1].changes == {"employees": [5, 50], "trait:segment": [["SMB"], ["Enterprise"]]}
    assert events[3].changes == {"archetypes": [[], ["Underdog supporter"]]}
    new_a = account_named(db_session, "New A")
    assert [a.name for a in new_a.archetypes] == ["Visionary founder"]
    assert [(t.definition.key, t.value) for t in new_a.traits] == [("segment", "Enterprise")]
    assert account_named(db_session, "New B").traits == []
    assert account_named(db_session, "Old One").version == 2
    assert count(db_session, Account) == 5


def test_a_failing_write_raises_and_leaves_the_transaction_to_the_caller(db_session, monkeypatch):
    calls: list[int] = []
    insert = account_import._NewRows.insert

    def failing(self, session):
        calls.append(len(self.accounts))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return insert(self, session)

    monkeypatch.setattr(account_import._NewRows, "insert", failing)
    rows = "".join(f"Company {i}\n" for i in range(2500))
    with pytest.raises(RuntimeError, match="disk full"):
        import_accounts(db_session, TEST_ACTOR, io.BytesIO(("name\n" + rows).encode()), today=TODAY)
    assert calls == [1000, 1000]  # no batch was written after the failing one
    db_session.rollback()
    assert count(db_session, Account) == 0
    assert count(db_session, AuditEvent) == 0


def test_full_collections_are_held_off_only_while_an_import_runs(db_session):
    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []
    run(db_session, "name\nA\nB\n", progress=lambda _rows: seen.append(gc.get_threshold()))
    assert {t[2] for t in seen} == {max(before[2], 1_000_000)}
    assert gc.get_threshold() == before


# --- cells read as not recorded ---------------------------------------------------------------------------

NOT_RECORDED_CSV = (
    "name,industry,country,region,acquisition_channel,trait:stack,trait:plan,notes\n"
    "A,N/A,-,?,Referral,null,Gold,n/a\n"
    "B, n/a ,Norway,EMEA,none,Snowflake,n/a,-\n"
    "C,Software,'-,Nil,UNKNOWN,,Silver,\n"
    "D,,None,EMEA,--,dbt;N/A,Gold,?\n"
    "E,Nonprofit,Nauru,n.a.,NA,nil,Gold,none\n"
)


def test_the_report_counts_the_trait_cells_read_as_not_recorded(db_session):
    traits.create_definition(db_session, TEST_ACTOR, label="Stack", kind="tags", key="stack")
    db_session.commit()
    report = run(db_session, NOT_RECORDED_CSV, dry_run=True)
    assert report.ok, report.problems
    # by the file's column, built-in and custom traits (new ones too); blank cells, "Norway", "Nonprofit",
    # "Nauru", a tag list holding N/A among others, and the notes column (not a trait) are not counted
    assert report.not_recorded == {
        "industry": 2,
        "country": 3,  # "-", "'-" (as an export quotes "-") and "None"; "Norway" and "Nauru" are countries
        "region": 3,
        "acquisition_channel": 4,
        "trait:stack": 2,
        "trait:plan": 1,
    }
    assert list(report.not_recorded)[-2:] == ["trait:stack", "trait:plan"]  # in the file's column order
    written = run(db_session, NOT_RECORDED_CSV)
    assert written.ok and written.not_recorded == report.not_recorded
    assert account_named(db_session, "A").industry == "N/A"  # stored as written: the analysis reads it so


def test_a_file_without_such_cells_reports_none(db_session):
    report = run(db_session, "name,industry,country\nA,Software,Norway\nB,,\n", dry_run=True)
    assert report.ok and report.not_recorded == {}
