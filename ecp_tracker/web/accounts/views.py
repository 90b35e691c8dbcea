"""Account pages: the filtered list, an account's page, create / edit / archive / restore, saved views."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from flask import (
    Blueprint,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from ecp_tracker.db import get_session
from ecp_tracker.domain.accounts import (
    SIZE_BAND_LABELS,
    DmuRole,
    Stage,
    company_age_band,
    revenue_band,
    size_band,
)
from ecp_tracker.domain.errors import InvalidFields, StaleEdit
from ecp_tracker.domain.roles import Role
from ecp_tracker.models.base import utcnow
from ecp_tracker.permissions import SIGNED_IN, current_actor, permission
from ecp_tracker.services.accounts import accounts, archetypes, contacts, saved_views, traits
from ecp_tracker.services.accounts import export as account_export
from ecp_tracker.services.accounts.listing import SCORE_SORT, SORTS, AccountFilters, list_accounts
from ecp_tracker.services.experiments import experiments
from ecp_tracker.services.icp.scoring import account_scores, active_version
from ecp_tracker.services.pilots import discounts, pilots
from ecp_tracker.services.pilots import pages as pilot_pages
from ecp_tracker.services.shared import audit
from ecp_tracker.services.users import users
from ecp_tracker.web.accounts import back_link
from ecp_tracker.web.accounts.forms import ActionForm, SavedViewForm, account_form
from ecp_tracker.web.accounts.sections import account_sections
from ecp_tracker.web.downloads import csv_download
from ecp_tracker.web.form_rows import to_rows
from ecp_tracker.web.forms_support import attempt, status_for
from ecp_tracker.web.list_args import filters_from_request, page_number
from ecp_tracker.web.menu_cache import cached_filter_options

bp = Blueprint("accounts", __name__, url_prefix="/accounts", template_folder="templates")
PER_PAGE = 25


def current_filters() -> AccountFilters:
    return filters_from_request(AccountFilters.from_query, AccountFilters)


@bp.route("/")
@permission(Role.VIEWER)
def index():
    session = get_session()
    filters = current_filters()
    page = list_accounts(session, filters, page=page_number(), per_page=PER_PAGE)
    back_link.remember(filters, page.page)
    active = active_version(session)
    return render_template(
        "accounts/index.html",
        page=page,
        filters=filters,
        query=filters.to_query(),
        options=cached_filter_options(),
        stages=list(Stage),
        size_bands=SIZE_BAND_LABELS,
        sorts=[*SORTS, SCORE_SORT],
        scores=account_scores(session, [a.id for a in page.items]),
        tiers=[*(t["name"] for t in active.tiers), "excluded", "none"] if active else [],
        views=saved_views.list_views(session, g.user.id),
        view_form=SavedViewForm(query=urlencode(filters.to_query(), doseq=True)),
        action_form=ActionForm(),
        size_band=size_band,
    )


def _form(session, account=None, **kwargs):
    return account_form(
        traits.list_definitions(session),
        archetypes.list_archetypes(session),
        [u for u in users.list_users(session) if u.active],
        account,
        **kwargs,
    )


def _record(session, form):
    """Record the account and the contact rows filled in, in one transaction."""
    rows = {i: row.form for i, row in enumerate(form.contacts.entries)}
    people = {i: fields.contact() for i, fields in rows.items() if not fields.is_blank()}
    try:
        return accounts.record_account(session, current_actor(), form.raw(), people)
    except InvalidFields as error:
        raise to_rows(form, form.contacts, error, row_label="Contact") from None


@bp.route("/new", methods=["GET", "POST"])
@permission(Role.EDITOR)
def new():
    session = get_session()
    form = _form(session)
    if form.validate_on_submit():
        account = attempt(form, lambda: _record(session, form))
        if account is not None:
            people = len(account.contacts)
            with_people = f" with {people} contact{'s' if people != 1 else ''}" if people else ""
            flash(f"{account.name} is recorded{with_people}.", "success")
            return redirect(url_for("accounts.show", account_id=account.id))
    return render_template(
        "accounts/form.html", form=form, account=None, options=cached_filter_options()
    ), status_for(form)


@bp.route("/<int:account_id>")
@permission(Role.VIEWER)
def show(account_id: int):
    session = get_session()
    account = accounts.get_account(session, account_id)
    people = [c for c in account.contacts if c.archived_at is None]
    records = {"account": [str(account.id)], "contact": [str(c.id) for c in account.contacts]}
    events = audit.timeline(session, records | pilot_pages.account_records(session, account.id), limit=30)
    account_pilots = pilots.pilots_of_account(session, account.id)
    today = utcnow().date()
    return render_template(
        "accounts/show.html",
        account=account,
        contacts=people,
        archived_contacts=[c for c in account.contacts if c.archived_at is not None],
        coverage=contacts.dmu_coverage(people),
        dmu_roles={r.value: r.label for r in DmuRole},
        bands={
            "Size band": size_band(account.employees),
            "Revenue band": revenue_band(account.annual_revenue),
            "Company age": company_age_band(account.founded_year, today),
        },
        trait_values=_trait_values(account),
        events=events,
        action_form=ActionForm(),
        pilots=account_pilots,
        pilot_names={p.id: p.name for p in account_pilots},
        discounts=discounts.discounts_of_account(session, account.id),
        sections=account_sections(session, account.id),
        experiment_arms=experiments.arms_of_account(session, account.id),
        icp=account_scores(session, [account.id]).get(account.id),
        list_url=back_link.list_url(),
        today=today,
    )


def _trait_values(account):
    values: dict[str, tuple[object, list[str]]] = {}
    for row in account.traits:
        values.setdefault(row.definition.key, (row.definition, []))[1].append(row.value)
    return sorted(values.values(), key=lambda pair: pair[0].label.casefold())


@bp.route("/<int:account_id>/edit", methods=["GET", "POST"])
@permission(Role.EDITOR)
def edit(account_id: int):
    session = get_session()
    account = accounts.get_account(session, account_id)
    form = (
        _form(session, account) if request.method == "GET" else _form(session, account, formdata=request.form)
    )
    conflict = None
    if form.validate_on_submit():
        updated = attempt(
            form,
            lambda: accounts.update_account(
                session, current_actor(), account_id, form.raw(), version=form.version.data
            ),
        )
        if updated is not None:
            flash(f"Saved {updated.name}.", "success")
            return redirect(url_for("accounts.show", account_id=account_id))
        if isinstance(getattr(form, "domain_error", None), StaleEdit):
            account = accounts.get_account(session, account_id)
            conflict = audit.timeline(session, {"account": [str(account_id)]}, limit=1)
            form.version.data = account.version  # the editor has now seen the other change
    return render_template(
        "accounts/form.html", form=form, account=account, conflict=conflict, options=cached_filter_options()
    ), status_for(form)


@bp.route("/<int:account_id>/archive", methods=["POST"])
@permission(Role.EDITOR)
def archive(account_id: int):
    return _set_archived(account_id, archived=True)


@bp.route("/<int:account_id>/restore", methods=["POST"])
@permission(Role.EDITOR)
def restore(account_id: int):
    return _set_archived(account_id, archived=False)


def _set_archived(account_id: int, *, archived: bool):
    form = ActionForm()
    if form.validate_on_submit():
        account = attempt(
            form, lambda: accounts.set_archived(get_session(), current_actor(), account_id, archived=archived)
        )
        if account is not None:
            verb = (
                "archived: it is hidden from lists and analysis, and can be restored"
                if archived
                else "restored"
            )
            flash(f"{account.name} is {verb}.", "success")
    return redirect(url_for("accounts.show", account_id=account_id))


@bp.route("/export.csv")
@permission(Role.VIEWER)
def export():
    """The filtered list as CSV, streamed; it re-imports to the same data."""
    rows = account_export.export_rows(get_session(), current_filters())
    filename = f"accounts-{utcnow().date().isoformat()}.csv"
    return csv_download(rows, filename)


@bp.route("/views", methods=["POST"])
@permission(SIGNED_IN)
def save_view():
    form = SavedViewForm()
    query = parse_qs(form.query.data or "")
    if form.validate_on_submit():
        view = attempt(
            form,
            lambda: saved_views.save_view(
                get_session(),
                current_actor(),
                g.user.id,
                name=form.name.data,
                filters=AccountFilters.from_query(query),
            ),
        )
        if view is not None:
            flash(f"Saved the view “{view.name}”.", "success")
            return redirect(url_for("accounts.index", **view.filters))
    for message in [*form.form_errors, *[m for errors in form.errors.values() for m in errors]]:
        flash(message, "error")
    return redirect(url_for("accounts.index", **query))


@bp.route("/views/<int:view_id>/delete", methods=["POST"])
@permission(SIGNED_IN)
def delete_view(view_id: int):
    form = ActionForm()
    if form.validate_on_submit():
        view = attempt(
            form, lambda: saved_views.delete_view(get_session(), current_actor(), g.user.id, view_id)
        )
        if view is not None:
            flash(f"Removed the view “{view.name}”.", "success")
        else:
            flash(" ".join(form.form_errors), "error")
    return redirect(url_for("accounts.index"))
