"""Discount pages: granting a discount with what the customer promises in return, and the give-to-get ledger
(value granted against fulfilled and open promises; what is owed and overdue, with "mark fulfilled")."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ecp_tracker.db import get_session
from ecp_tracker.domain.errors import DomainError, InvalidFields
from ecp_tracker.domain.roles import Role
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.pilots import discounts, pilots
from ecp_tracker.web.account_picker import named_account, pick_account
from ecp_tracker.web.discounts.forms import PromiseForm, discount_form, fulfil_form
from ecp_tracker.web.form_rows import to_rows
from ecp_tracker.web.forms_support import attempt, status_for
from ecp_tracker.web.pilots import display

bp = Blueprint("discounts", __name__, template_folder="templates")
OPEN_PROMISES_SHOWN = 100


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) > 0 else 1


@bp.route("/discounts/")
@permission(Role.VIEWER)
def index():
    return _ledger()


def _ledger(status: int = 200, failed: dict | None = None):
    session = get_session()
    owed = discounts.open_promises(session, limit=OPEN_PROMISES_SHOWN)
    today = display.today()
    forms = {p.id: fulfil_form(p.id, formdata=None, data={"fulfilled_on": today}) for p in owed}
    forms |= failed or {}
    for promise_id, form in (failed or {}).items():
        if promise_id not in {p.id for p in owed}:  # not on the list (any more): say why in a message
            for message in [*form.form_errors, *(m for f in form for m in f.errors)]:
                flash(message, "error")
    return render_template(
        "discounts/index.html",
        totals=discounts.ledger_totals(session),
        owed=owed,
        fulfil_forms=forms,
        page=discounts.page_discounts(session, page=_page_number()),
        today=today,
    ), status


def _grant(session, account_id: int, form):
    rows = form.filled_rows()
    try:
        return discounts.grant_discount(session, current_actor(), account_id, form.raw())
    except InvalidFields as error:
        problems = []
        for name, message in error.problems:
            index, _, rest = name.removeprefix("promises.").partition(".")
            if (
                name.startswith("promises.")
                and index.isascii()
                and index.isdigit()
                and int(index) < len(rows)
            ):
                name = f"promises.{rows[int(index)]}.{rest}"
            problems.append((name, message))
        raise to_rows(form, form.promises, InvalidFields(problems), row_label="Promise") from None


@bp.route("/discounts/new", methods=["GET", "POST"])
@bp.route("/accounts/<int:account_id>/discounts/new", methods=["GET", "POST"])
@permission(Role.EDITOR)
def new(account_id: int | None = None):
    session = get_session()
    account = named_account(account_id)
    if account is None:
        return pick_account(
            "discounts.new",
            title="Grant a discount",
            hint="Or open the account's page and choose “New pilot” or “Grant a discount” there.",
        )
    account_pilots = list(pilots.pilots_of_account(session, account.id))
    form = discount_form(account_pilots)
    if not form.is_submitted():
        form.pilot_id.data = request.args.get("pilot_id", "")
        form.starts_on.data = display.today().isoformat()
    if form.validate_on_submit():
        granted = attempt(form, lambda: _grant(session, account.id, form))
        if granted is not None:
            owed = len(granted.promises)
            flash(
                f"Granted {display.number(granted.depth)}% to {account.name}"
                + (
                    f", with {owed} promise{'s' if owed != 1 else ''} in return."
                    if owed
                    else ", with nothing in return."
                ),
                "success" if owed else "warning",
            )
            return redirect(url_for("accounts.show", account_id=account.id, _anchor="discounts"))
    return render_template("discounts/form.html", form=form, account=account), status_for(form)


@bp.route("/discounts/<int:discount_id>/promises/new", methods=["GET", "POST"])
@permission(Role.EDITOR)
def add_promise(discount_id: int):
    session = get_session()
    discount = discounts.get_discount(session, discount_id)
    form = PromiseForm()
    if form.validate_on_submit():
        data = {"kind": form.kind.data, "due_on": form.due_on.data or "", "quantity": form.quantity.data or 1}
        promise = attempt(form, lambda: discounts.add_promise(session, current_actor(), discount_id, data))
        if promise is not None:
            flash(f"Recorded the promise: {promise.kind.replace('_', ' ')} by {promise.due_on}.", "success")
            return redirect(url_for("accounts.show", account_id=discount.account_id, _anchor="discounts"))
        discount = discounts.get_discount(session, discount_id)
    return render_template(
        "discounts/promise_form.html", form=form, discount=discount, today=display.today()
    ), status_for(form)


@bp.route("/discounts/promises/<int:promise_id>/fulfil", methods=["POST"])
@permission(Role.EDITOR)
def fulfil(promise_id: int):
    form = fulfil_form(promise_id)
    if form.validate_on_submit():
        promise = attempt(
            form,
            lambda: discounts.fulfil_promise(
                get_session(),
                current_actor(),
                promise_id,
                fulfilled_on=form.fulfilled_on.data,
                note=form.note.data or "",
            ),
        )
        if promise is not None:
            flash(f"Marked fulfilled: {promise.kind.replace('_', ' ')} on {promise.fulfilled_on}.", "success")
            return redirect(url_for("discounts.index", _anchor="owed"))
    error = getattr(form, "domain_error", None)
    status = error.status if isinstance(error, DomainError) and error.status != 422 else 422
    return _ledger(status, {promise_id: form})
