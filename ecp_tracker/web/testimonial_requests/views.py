"""Testimonial request pages: ask an account for a testimonial (a link the customer opens without an account,
shown once), the list of requests with their status, a request's page, stopping a link, a new link as a
reminder, and the follow-up list of requests unanswered for a while."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for

from ecp_tracker.db import get_session
from ecp_tracker.domain.roles import Role
from ecp_tracker.domain.testimonials import RequestStatus
from ecp_tracker.models.base import utcnow
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.accounts import contacts
from ecp_tracker.services.pilots import discounts
from ecp_tracker.services.testimonials import collection_requests as testimonial_requests
from ecp_tracker.services.testimonials import mail as testimonial_mail
from ecp_tracker.services.testimonials.collection_requests import NewLink, effective_status
from ecp_tracker.services.testimonials.settings import load_settings
from ecp_tracker.web.account_picker import named_account, pick_account
from ecp_tracker.web.forms_support import attempt, status_for
from ecp_tracker.web.list_args import page_number
from ecp_tracker.web.testimonial_requests.forms import ActionForm, RequestForm
from ecp_tracker.web.testimonials.forms import contact_choices, promise_choices

bp = Blueprint(
    "testimonial_requests", __name__, url_prefix="/testimonials/requests", template_folder="templates"
)


@bp.route("/")
@permission(Role.VIEWER)
def index():
    status = request.args.get("status", "")
    status = status if status in {s.value for s in RequestStatus} else ""
    page = testimonial_requests.page_requests(get_session(), status=status or None, page=page_number())
    return render_template(
        "testimonial_requests/index.html",
        page=page,
        status=status,
        statuses=list(RequestStatus),
        effective_status=effective_status,
    )


@bp.route("/follow-ups")
@permission(Role.VIEWER)
def follow_ups():
    session = get_session()
    return render_template(
        "testimonial_requests/follow_ups.html",
        requests=testimonial_requests.follow_ups(session),
        settings=load_settings(session),
        action_form=ActionForm(),
        now=utcnow(),
    )


def _delivered(made: NewLink, *, reminder: bool):
    """The page showing the new link once, with a ready e-mail (sent, when the workspace says so)."""
    req = made.request
    link = url_for("collect.form", token=made.token, _external=True)
    to = req.contact.email if req.contact and req.contact.email else ""
    draft = testimonial_mail.compose(
        to=to,
        person=req.contact.name if req.contact else "",
        company=req.account.name,
        link=link,
        expires_on=req.expires_at.date(),
        message=req.message,
        sender=g.user.name,
        vendor=load_settings(get_session()).company_name,
        kind=req.kind,
        reminder=reminder,
    )
    server = current_app.config.get("MAIL_SERVER")
    if to and server and load_settings(get_session()).send_email:
        try:
            testimonial_mail.send(draft, server=server, sender=current_app.config.get("MAIL_FROM") or "")
            flash(f"E-mailed the link to {to}.", "success")
        except OSError as error:  # smtplib errors are OSErrors: the link below still works
            current_app.logger.warning("sending the collection link failed: %s", error)
            flash("The e-mail could not be sent; copy the link or use the ready e-mail below.", "warning")
    return render_template(
        "testimonial_requests/link.html", req=req, link=link, draft=draft, reminder=reminder
    ), 201


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/new/<int:account_id>", methods=["GET", "POST"])
@permission(Role.EDITOR)
def new(account_id: int | None = None):
    session = get_session()
    account = named_account(account_id)
    if account is None:
        return pick_account(
            "testimonial_requests.new",
            title="Ask for a testimonial",
            hint="Or open the account's page and start from its Testimonials section.",
        )
    form = RequestForm()
    people = list(contacts.list_contacts(session, account.id))
    form.contact_id.choices = contact_choices(people)
    form.promise_id.choices = promise_choices(list(discounts.linkable_promises(session, account.id)))
    settings = load_settings(session)
    if form.validate_on_submit():
        made = attempt(
            form,
            lambda: testimonial_requests.create_request(session, current_actor(), account.id, form.raw()),
        )
        if made is not None:
            return _delivered(made, reminder=False)
    return render_template(
        "testimonial_requests/form.html", form=form, account=account, settings=settings
    ), status_for(form)


@bp.route("/<int:request_id>")
@permission(Role.VIEWER)
def show(request_id: int):
    req = testimonial_requests.get_request(get_session(), request_id)
    return render_template(
        "testimonial_requests/show.html",
        req=req,
        status=effective_status(req),
        action_form=ActionForm(),
    )


@bp.route("/<int:request_id>/expire", methods=["POST"])
@permission(Role.EDITOR)
def expire(request_id: int):
    form = ActionForm()
    if form.validate_on_submit():
        done = attempt(
            form, lambda: testimonial_requests.expire_request(get_session(), current_actor(), request_id)
        )
        if done is not None:
            flash("The link is stopped: it no longer opens the form.", "success")
        else:
            flash(" ".join(form.form_errors) or "Nothing was changed.", "error")
    return redirect(url_for("testimonial_requests.show", request_id=request_id))


@bp.route("/<int:request_id>/new-link", methods=["POST"])
@permission(Role.EDITOR)
def renew(request_id: int):
    form = ActionForm()
    if form.validate_on_submit():
        made = attempt(
            form, lambda: testimonial_requests.new_link(get_session(), current_actor(), request_id)
        )
        if made is not None:
            return _delivered(made, reminder=True)
        flash(" ".join(form.form_errors) or "Nothing was changed.", "error")
    return redirect(url_for("testimonial_requests.show", request_id=request_id))
