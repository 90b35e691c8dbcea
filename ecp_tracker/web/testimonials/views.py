"""Testimonial pages: the library (filters, full-text search, fatigue), a testimonial with its consent, steps,
edits and usage log, recording and editing one, status changes, consent recorded or withdrawn, the proof
coverage matrix, the CSV export, and the testimonial settings (admins)."""

from __future__ import annotations

from dataclasses import asdict

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from ecp_tracker.db import get_session
from ecp_tracker.domain.errors import StaleEdit
from ecp_tracker.domain.roles import Role
from ecp_tracker.domain.testimonials import (
    ACTIONS,
    ConsentScope,
    TestimonialKind,
    TestimonialStatus,
    UsageChannel,
    add_months,
    next_statuses,
)
from ecp_tracker.permissions import current_actor, permission
from ecp_tracker.services.accounts import archetypes, contacts
from ecp_tracker.services.pilots import discounts
from ecp_tracker.services.shared import audit, raw_input
from ecp_tracker.services.testimonials import library as testimonial_library
from ecp_tracker.services.testimonials import settings as testimonial_settings
from ecp_tracker.services.testimonials import testimonials
from ecp_tracker.services.testimonials.library import TestimonialFilters
from ecp_tracker.web.account_picker import named_account, pick_account
from ecp_tracker.web.downloads import csv_download
from ecp_tracker.web.forms_support import attempt, refused_status, status_for
from ecp_tracker.web.list_args import filters_from_request, page_number
from ecp_tracker.web.page_forms import dispatch
from ecp_tracker.web.testimonials.forms import (
    ConsentForm,
    EditTestimonialForm,
    NewTestimonialForm,
    PromiseLinkForm,
    SettingsForm,
    TransitionForm,
    UsageForm,
    WithdrawForm,
    promise_choices,
    testimonial_form,
)

bp = Blueprint("testimonials", __name__, template_folder="templates")
PER_PAGE = 25


def _status_of(form) -> int:
    """The refused form's status; a missing record (404) or a conflict (409) keeps its own."""
    return refused_status(form, keep=(404, 409))


def current_filters() -> TestimonialFilters:
    return filters_from_request(TestimonialFilters.from_query, TestimonialFilters)


@bp.route("/testimonials/")
@permission(Role.VIEWER)
def index():
    session = get_session()
    filters = current_filters()
    today = raw_input.today()
    return render_template(
        "testimonials/index.html",
        library=testimonial_library.library(
            session, filters, page=page_number(), per_page=PER_PAGE, day=today
        ),
        filters=filters,
        query=filters.to_query(),
        statuses=list(TestimonialStatus),
        scope_labels={s.value: s.label for s in ConsentScope},
        kind_labels={k.value: k.label for k in TestimonialKind},
        tags=testimonials.known_tags(session),
        archetype_names=[a.name for a in archetypes.list_archetypes(session)],
        industries=testimonial_library.industries(session),
        counts=testimonials.dashboard_counts(session, today),
        settings=testimonial_settings.load_settings(session),
        today=today,
    )


@bp.route("/testimonials/export.csv")
@permission(Role.VIEWER)
def export():
    """The filtered testimonials as CSV, streamed; formula-like cells are neutralised."""
    chunks = testimonial_library.export_chunks(get_session(), current_filters())
    filename = f"testimonials-{raw_input.today().isoformat()}.csv"
    return csv_download(chunks, filename)


@bp.route("/testimonials/coverage")
@permission(Role.VIEWER)
def coverage():
    return render_template("testimonials/coverage.html", coverage=testimonial_library.coverage(get_session()))


@bp.route("/testimonials/new", methods=["GET", "POST"])
@bp.route("/accounts/<int:account_id>/testimonials/new", methods=["GET", "POST"])
@permission(Role.EDITOR)
def new(account_id: int | None = None):
    session = get_session()
    account = named_account(account_id)
    if account is None:
        return pick_account(
            "testimonials.new",
            title="Record a testimonial",
            hint="Or open the account's page and start from its Testimonials section.",
        )
    form = testimonial_form(NewTestimonialForm, list(contacts.list_contacts(session, account.id)))
    form.promise_id.choices = promise_choices(list(discounts.linkable_promises(session, account.id)))
    settings = testimonial_settings.load_settings(session)
    if not form.is_submitted():
        form.consent_statement.data = settings.consent_statement
        form.consented_on.data = raw_input.today().isoformat()
    if form.validate_on_submit():
        made = attempt(
            form,
            lambda: testimonials.create_testimonial(
                session, current_actor(), account.id, form.raw(), status=form.status.data
            ),
        )
        if made is not None:
            flash(f"The testimonial from {account.name} is recorded as {made.status}.", "success")
            return redirect(url_for("testimonials.show", testimonial_id=made.id))
    return render_template(
        "testimonials/form.html", form=form, account=account, testimonial=None, settings=settings
    ), status_for(form)


@bp.route("/testimonials/<int:testimonial_id>")
@permission(Role.VIEWER)
def show(testimonial_id: int):
    return _show(testimonial_id)


def _show(testimonial_id: int, status: int = 200, **forms):
    session = get_session()
    testimonial = testimonials.get_testimonial(session, testimonial_id)
    today = raw_input.today()
    current = TestimonialStatus(testimonial.status)
    consent_form = forms.pop("consent_form", None) or ConsentForm(
        formdata=None,
        data={
            "consent_scope": testimonial.consent_scope,
            "consented_by": testimonial.consented_by or testimonial.author_name,
            "consented_on": today.isoformat(),
            "version": testimonial.version,
            "consent_statement": testimonial.consent_statement
            or testimonial_settings.load_settings(session).consent_statement,
        },
    )
    link_form = forms.pop("link_form", None) or PromiseLinkForm(formdata=None)
    linked = discounts.promises_of_testimonial(session, testimonial.id)
    link_form.promise_id.choices = promise_choices(  # never "None" beside a promise it already delivers
        list(discounts.linkable_promises(session, testimonial.account_id)), empty="Choose a promise…"
    )
    link_form.promise_id.label.text = "Also delivers" if linked else "Delivers the promise"
    records = {
        "testimonial": [str(testimonial.id)],
        "testimonial_usage": [str(u.id) for u in testimonial.usages],
    }
    fatigue = testimonials.usage_counts(session, [testimonial.account_id], day=today).get(
        testimonial.account_id, 0
    )
    return render_template(
        "testimonials/show.html",
        t=testimonial,
        account=testimonial.account,
        status=current,
        next_statuses=next_statuses(current, withdrawn_on=testimonial.consent_withdrawn_on),
        actions=ACTIONS,
        consent=testimonials.consent_of(testimonial),
        public_problem=testimonials.public_use_problem(testimonial, today),
        promises=linked,
        events=audit.timeline(session, records, limit=30),
        uses_this_quarter=fatigue,
        settings=testimonial_settings.load_settings(session),
        transition_form=forms.pop("transition_form", None) or TransitionForm(formdata=None),
        consent_form=consent_form,
        withdraw_form=forms.pop("withdraw_form", None) or WithdrawForm(formdata=None),
        usage_form=forms.pop("usage_form", None) or UsageForm(formdata=None),
        link_form=link_form,
        channels={c.value: c.label for c in UsageChannel},
        today=today,
    ), status


@bp.route("/testimonials/<int:testimonial_id>/edit", methods=["GET", "POST"])
@permission(Role.EDITOR)
def edit(testimonial_id: int):
    session = get_session()
    testimonial = testimonials.get_testimonial(session, testimonial_id)
    people = list(contacts.list_contacts(session, testimonial.account_id))
    posted = {"formdata": request.form} if request.method == "POST" else {}
    form = testimonial_form(EditTestimonialForm, people, testimonial, **posted)
    if form.validate_on_submit():
        updated = attempt(
            form,
            lambda: testimonials.update_testimonial(
                session, current_actor(), testimonial_id, form.raw(), version=form.version.data
            ),
        )
        if updated is not None:
            flash(
                "Saved." + (" The original words are kept beside the edit." if updated.edited else ""),
                "success",
            )
            return redirect(url_for("testimonials.show", testimonial_id=testimonial_id))
        testimonial = testimonials.get_testimonial(session, testimonial_id)
        if isinstance(getattr(form, "domain_error", None), StaleEdit):
            form.version.data = testimonial.version  # the editor has now seen the other change
    return render_template(
        "testimonials/form.html",
        form=form,
        account=testimonial.account,
        testimonial=testimonial,
        settings=None,
    ), _status_of(form)


@bp.route("/testimonials/<int:testimonial_id>", methods=["POST"])
@permission(Role.EDITOR)
def act(testimonial_id: int):
    """The testimonial page's forms post here, so a refused one is shown at the page's own address."""
    return dispatch(
        {
            "status": change_status,
            "consent": record_consent,
            "withdraw_consent": withdraw_consent,
            "usage": add_usage,
            "promise": link_promise,
        },
        testimonial_id=testimonial_id,
    )


@bp.route("/testimonials/<int:testimonial_id>/status", methods=["POST"])
@permission(Role.EDITOR)
def change_status(testimonial_id: int):
    form = TransitionForm()
    if form.validate_on_submit():
        done = attempt(
            form,
            lambda: testimonials.transition(
                get_session(), current_actor(), testimonial_id, form.to.data, note=form.note.data or ""
            ),
        )
        if done is not None:
            flash(f"The testimonial is now {done.status}.", "success")
            return redirect(url_for("testimonials.show", testimonial_id=testimonial_id, _anchor="status"))
    return _show(testimonial_id, status=_status_of(form), transition_form=form)


@bp.route("/testimonials/<int:testimonial_id>/consent", methods=["POST"])
@permission(Role.EDITOR)
def record_consent(testimonial_id: int):
    form = ConsentForm()
    if form.validate_on_submit():
        done = attempt(
            form,
            lambda: testimonials.update_testimonial(
                get_session(), current_actor(), testimonial_id, form.raw(), version=form.version.data
            ),
        )
        if done is not None:
            flash(
                f"Recorded the consent of {done.consented_by} ({done.consent_scope.replace('_', ' ')}).",
                "success",
            )
            return redirect(url_for("testimonials.show", testimonial_id=testimonial_id, _anchor="consent"))
    return _show(testimonial_id, status=_status_of(form), consent_form=form)


@bp.route("/testimonials/<int:testimonial_id>/withdraw-consent", methods=["POST"])
@permission(Role.EDITOR)
def withdraw_consent(testimonial_id: int):
    form = WithdrawForm()
    if form.validate_on_submit():
        if not form.confirm.data:
            form.confirm.errors = ["Tick the box: withdrawing takes it out of every public place."]
        else:
            done = attempt(
                form,
                lambda: testimonials.withdraw_consent(
                    get_session(),
                    current_actor(),
                    testimonial_id,
                    on=form.on.data,
                    note=form.note.data or "",
                ),
            )
            if done is not None:
                flash("Consent withdrawn: it is no longer shown in any public place.", "success")
                return redirect(
                    url_for("testimonials.show", testimonial_id=testimonial_id, _anchor="consent")
                )
    return _show(testimonial_id, status=_status_of(form), withdraw_form=form)


@bp.route("/testimonials/<int:testimonial_id>/usages", methods=["POST"])
@permission(Role.EDITOR)
def add_usage(testimonial_id: int):
    form = UsageForm()
    if form.validate_on_submit():
        data = {name: form[name].data or "" for name in ("channel", "place", "used_on", "note")}
        done = attempt(
            form, lambda: testimonials.add_usage(get_session(), current_actor(), testimonial_id, data)
        )
        if done is not None:
            flash(f"Logged: {done.usage.channel.replace('_', ' ')} on {done.usage.used_on}.", "success")
            if done.fatigued:
                flash(
                    f"This customer's testimonials have been used {done.uses_this_quarter} times this "
                    "quarter: consider giving another customer the stage.",
                    "warning",
                )
            return redirect(url_for("testimonials.show", testimonial_id=testimonial_id, _anchor="usage"))
    return _show(testimonial_id, status=_status_of(form), usage_form=form)


@bp.route("/testimonials/<int:testimonial_id>/promise", methods=["POST"])
@permission(Role.EDITOR)
def link_promise(testimonial_id: int):
    session = get_session()
    form = PromiseLinkForm()
    testimonial = testimonials.get_testimonial(session, testimonial_id)
    form.promise_id.choices = promise_choices(
        list(discounts.linkable_promises(session, testimonial.account_id))
    )
    if form.validate_on_submit():
        done = attempt(
            form,
            lambda: testimonials.link_promise(session, current_actor(), testimonial_id, form.promise_id.data),
        )
        if done is not None:
            flash("Linked: the promise is fulfilled once the testimonial has arrived.", "success")
            return redirect(url_for("testimonials.show", testimonial_id=testimonial_id, _anchor="promises"))
    return _show(testimonial_id, status=_status_of(form), link_form=form)


@bp.route("/testimonials/settings", methods=["GET", "POST"])
@permission(Role.ADMIN)
def settings():
    session = get_session()
    current = testimonial_settings.load_settings(session)
    form = SettingsForm(
        data={key: str(value) if type(value) is int else value for key, value in asdict(current).items()}
    )
    if form.validate_on_submit():
        saved = attempt(
            form, lambda: testimonial_settings.save_settings(session, current_actor(), form.raw())
        )
        if saved is not None:
            flash("Saved the testimonial settings.", "success")
            return redirect(url_for("testimonials.settings"))
    example = add_months(raw_input.today(), current.consent_months)
    return render_template("testimonials/settings.html", form=form, example_expiry=example), status_for(form)
