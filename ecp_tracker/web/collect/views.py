"""The public collection form at /collect/<token>: no sign-in, CSRF-protected, rate-limited like the login
page, with a honeypot. The token reaches only its own request: nothing else can be read or changed here."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from ecp_tracker.db import get_session
from ecp_tracker.domain.errors import DomainError
from ecp_tracker.domain.testimonials import ConsentScope
from ecp_tracker.extensions import limiter
from ecp_tracker.permissions import PUBLIC, permission
from ecp_tracker.services.testimonials import collection_requests as testimonial_requests
from ecp_tracker.web.collect.forms import CollectForm
from ecp_tracker.web.forms_support import attempt

bp = Blueprint("collect", __name__, url_prefix="/collect", template_folder="templates")
HONEYPOT_MESSAGE = (
    "This form was filled in automatically, so nothing was sent. If you are a person, leave the field "
    "“Leave this field empty” empty and send it again."
)


def _collect_limit() -> str:
    return current_app.config["COLLECT_RATE_LIMIT"]


def _unavailable(error: DomainError):
    session = get_session()
    session.rollback()
    return render_template(
        "collect/unavailable.html", message=error.message, status=error.status
    ), error.status


@bp.route("/<token>", methods=["GET", "POST"])
@permission(PUBLIC)
@limiter.limit(_collect_limit, methods=["POST"])
def form(token: str):
    session = get_session()
    try:
        page = testimonial_requests.open_form(session, token)
        session.commit()
    except DomainError as error:
        return _unavailable(error)
    form = CollectForm()
    if not form.is_submitted():
        form.name.data = page.person
        form.title.data = page.request.contact.title if page.request.contact else ""
    form.statement_digest.data = form.statement_digest.data or page.digest
    if form.validate_on_submit():
        if (form.website.data or "").strip():
            form.form_errors.append(HONEYPOT_MESSAGE)
        else:
            made = attempt(form, lambda: testimonial_requests.submit(session, token, form.raw()))
            if made is not None:
                return render_template(
                    "collect/thanks.html", page=page, scope=ConsentScope(made.consent_scope)
                )
            if getattr(form, "domain_error", None) is not None and form.domain_error.status in (404, 410):
                return _unavailable(form.domain_error)
    form.statement_digest.data = page.digest  # what is shown now is what the tick agrees to
    status = 422 if form.is_submitted() else 200
    return render_template("collect/form.html", form=form, page=page, scopes=list(ConsentScope)), status
