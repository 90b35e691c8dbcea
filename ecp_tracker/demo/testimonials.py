"""The demo workspace's customer evidence: testimonials in every state of the workflow (published named and
anonymous, a logo permission, a video, a review, approved for internal use, an edited quote with the
original kept, two waiting for approval, a consent about to expire, one withdrawn, one rejected), a usage
log with one customer over the fatigue threshold, a testimonial that fulfils a give-to-get promise,
collection requests (new, waiting for a follow-up, stopped) and two public walls.

A testimonial is known by its account and the customer's original words (or its kind, for a logo), a
request by its account and note, a wall by its address: loading the demo again adds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ecp_tracker.domain.accounts import Stage, name_key
from ecp_tracker.domain.actors import Actor
from ecp_tracker.models import Account, Collection, Testimonial, TestimonialRequest
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.pilots import discounts
from ecp_tracker.services.testimonials import collection_requests as testimonial_requests
from ecp_tracker.services.testimonials import settings as testimonial_settings
from ecp_tracker.services.testimonials import testimonials
from ecp_tracker.services.testimonials import wall as testimonial_wall

STATEMENT = (
    "I agree that my words above may be used as the option I chose describes, until the consent expires or "
    "I withdraw it."
)


@dataclass(frozen=True)
class Quote:
    body: str
    scope: str = "public_named"
    status: tuple[str, ...] = ("approved", "published")
    kind: str = "quote"
    rating: int | None = 5
    use_cases: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    source: str = "collection link"
    media_url: str | None = None
    consent_age: int = 40  # days since consent was given
    consent_left: int | None = None  # days until it expires (default: the usual duration)
    edit: tuple[str, str] | None = None  # (new text, reason), made once approved
    withdraw_days_ago: int | None = None
    reject_note: str = ""
    uses: tuple[tuple[str, str, int], ...] = ()  # (channel, place, days ago)
    extra: dict[str, str] = field(default_factory=dict)


QUOTES = (
    Quote(
        "Our board pack used to land at 11:00; now the numbers are there by 08:00, every single day.",
        use_cases=("Real-time dashboards",),
        themes=("speed",),
        uses=(("website", "https://northwind.example/customers", 20), ("sales_deck", "Q3 sales deck", 12)),
    ),
    Quote(
        "Month-end close went from four days to one. Finance got its Mondays back.",
        use_cases=("Finance reporting automation",),
        themes=("time saved",),
        uses=tuple(
            (channel, place, days)
            for channel, place, days in (
                ("website", "https://northwind.example/finance", 30),
                ("ad", "LinkedIn campaign: month-end", 25),
                ("ad", "LinkedIn campaign: CFOs", 18),
                ("email", "Newsletter, finance edition", 14),
                ("sales_deck", "CFO pitch deck", 9),
                ("event", "FinOps Summit booth", 4),
            )
        ),  # six uses this quarter: over the fatigue threshold
    ),
    Quote(
        "We stopped paging an engineer at night: the nightly loads just run.",
        scope="public_anonymous",
        rating=4,
        use_cases=("Pipeline reliability",),
        themes=("reliability",),
        uses=(("social", "https://social.example/northwind/posts/42", 6),),
    ),
    Quote(
        "Our analysts answer their own questions now instead of filing tickets with data engineering.",
        scope="public_anonymous",
        rating=4,
        use_cases=("Self-serve analytics",),
        themes=("autonomy",),
    ),
    Quote("", kind="logo", scope="logo", rating=None, use_cases=("Warehouse sync",), source="e-mail"),
    Quote(
        "Setting up the warehouse sync took an afternoon, not a sprint.",
        use_cases=("Warehouse sync",),
        themes=("onboarding",),
        consent_age=715,
        consent_left=15,  # the dashboard's "consents expiring in 30 days"
    ),
    Quote(
        "Our Head of Data on replacing the nightly batch, in three minutes.",
        kind="video",
        use_cases=("Real-time dashboards",),
        media_url="https://video.example/northwind/replacing-the-nightly-batch",
        source="recorded call",
    ),
    Quote(
        "Reliable pipelines and a support team that answers within the hour.",
        kind="review",
        source="G2",
        use_cases=("Pipeline reliability",),
        themes=("support",),
    ),
    Quote(
        "Honestly the onboarding docs were thin, but support made up for it.",
        scope="internal",
        status=("approved",),
        rating=3,
        themes=("support", "onboarding"),
        source="quarterly check-in",
    ),
    Quote(
        "We was able to cut our reporting time by like half, which is huge for us.",
        status=("approved",),
        use_cases=("Finance reporting automation",),
        edit=(
            "We cut our reporting time in half, which is huge for us.",
            "Grammar; agreed with the customer",
        ),
    ),
    Quote(
        "Every source we had is in one warehouse now, synced every day without anyone touching it.",
        status=(),
        use_cases=("Source consolidation",),
    ),
    Quote(
        "Pricing was the hardest internal conversation, but the pilot paid for itself.",
        scope="internal",
        status=(),
        rating=4,
        themes=("price",),
    ),
    Quote(
        "The dashboards are the first thing our CEO opens in the morning.",
        use_cases=("Real-time dashboards",),
        withdraw_days_ago=5,
    ),
    Quote(
        "Great product!!! 10/10", status=("rejected",), reject_note="Too generic to use; asked for specifics."
    ),
)
REQUESTS = (
    (
        "Could you share two lines on how the pilot is going? The warehouse sync would be great to mention.",
        0,
        "",
    ),
    ("Would you tell other data leaders what changed for your analysts?", 10, "opened"),
    ("A few words about the security review experience?", 20, "expired"),
)
WALLS = (
    (
        "customer-stories",
        "What our customers say",
        "Early customers of Northwind Analytics, in their words.",
        (),
    ),
    (
        "real-time-proof",
        "Real-time dashboards: proof",
        "Teams that replaced the nightly batch.",
        ("Real-time dashboards", "Pipeline reliability"),
    ),
)


def _contact_of(account: Account):
    people = [c for c in account.contacts if c.archived_at is None]
    return people[0] if people else None


def _load_quote(session: Session, actor: Actor, account: Account, quote: Quote, today: date) -> Testimonial:
    contact = _contact_of(account)
    consented_on = today - timedelta(days=quote.consent_age)
    consent = {
        "consent_scope": quote.scope,
        "consented_by": contact.name if contact else "Customer",
        "consented_on": consented_on,
        "consent_statement": STATEMENT,
    }
    if quote.consent_left is not None:
        consent["consent_expires_on"] = today + timedelta(days=quote.consent_left)
    made = testimonials.create_testimonial(
        session,
        actor,
        account.id,
        {
            "kind": quote.kind,
            "body": quote.body,
            "rating": quote.rating,
            "source": quote.source,
            "media_url": quote.media_url,
            "contact_id": contact.id if contact else None,
            "use_cases": list(quote.use_cases),
            "themes": list(quote.themes),
            **consent,
        },
    )
    for step in quote.status:
        testimonials.transition(
            session, actor, made.id, step, note=quote.reject_note if step == "rejected" else ""
        )
    if quote.edit:
        new_text, reason = quote.edit
        testimonials.update_testimonial(
            session, actor, made.id, {"body": new_text, "edit_reason": reason}, version=made.version
        )
    for channel, place, days in quote.uses:
        testimonials.add_usage(
            session,
            actor,
            made.id,
            {"channel": channel, "place": place, "used_on": today - timedelta(days=days)},
        )
    if quote.withdraw_days_ago is not None:
        testimonials.withdraw_consent(
            session,
            actor,
            made.id,
            on=today - timedelta(days=quote.withdraw_days_ago),
            note="Asked by e-mail.",
        )
    return made


def load_testimonials(
    session: Session,
    actor: Actor,
    names: Sequence[str],
    today: date,
    created: list[str],
    existing: list[str],
) -> None:
    """Create whatever part of the demo's customer evidence is missing (accounts in the demo's order)."""
    today = min(today, utcnow().date())  # consent is never recorded for a day that has not come yet
    order = {name_key(name): index for index, name in enumerate(names)}
    found = session.scalars(
        select(Account).where(Account.name_key.in_(order)).options(selectinload(Account.contacts))
    ).all()
    by_stage: dict[str, list[Account]] = {}
    for account in sorted(found, key=lambda a: order[a.name_key]):
        by_stage.setdefault(account.stage, []).append(account)
    customers = by_stage.get(Stage.CUSTOMER.value, [])
    in_pilot = by_stage.get(Stage.PILOT.value, [])
    if not customers:
        return
    current = testimonial_settings.load_settings(session)
    if not current.company_name:  # what customers read on the collection form and in its e-mail
        testimonial_settings.save_settings(
            session, actor, {**asdict(current), "company_name": "Northwind Analytics"}
        )
        created.append("setting:company name")
    known = {
        (account_id, body or kind)
        for account_id, body, kind in session.execute(
            select(Testimonial.account_id, Testimonial.original_body, Testimonial.kind)
        )
    }
    for index, quote in enumerate(QUOTES):
        account = customers[index % len(customers)]
        label = f"testimonial:{account.name}: {(quote.body or quote.kind)[:40]}"
        if (account.id, quote.body or quote.kind) in known:
            existing.append(label)
            continue
        _load_quote(session, actor, account, quote, today)
        created.append(label)
    _load_promise(session, actor, in_pilot, known, created, existing)
    _load_requests(session, actor, in_pilot or customers, created, existing)
    _load_walls(session, actor, created, existing)


DELIVERED = "Two weeks in, the analysts already open it before their first coffee."


def _load_promise(
    session: Session,
    actor: Actor,
    accounts: Sequence[Account],
    known: set[tuple[int, str]],
    created: list[str],
    existing: list[str],
) -> None:
    """A testimonial that delivers a give-to-get promise (fulfilling it) for a pilot account that owes one."""
    for account in accounts:
        if (account.id, DELIVERED) in known:
            existing.append(f"testimonial:{account.name}: promise")
            return
    for account in accounts:
        promises = [p for p in discounts.linkable_promises(session, account.id) if p.kind == "testimonial"]
        if promises:
            contact = _contact_of(account)
            testimonials.create_testimonial(
                session,
                actor,
                account.id,
                {
                    "body": DELIVERED,
                    "rating": 5,
                    "contact_id": contact.id if contact else None,
                    "source": "pilot check-in",
                    "themes": ["adoption"],
                    "promise_id": promises[0].id,
                },
            )
            created.append(f"testimonial:{account.name}: promise")
            return


def _load_requests(
    session: Session, actor: Actor, accounts: Sequence[Account], created: list[str], existing: list[str]
) -> None:
    known = set(session.execute(select(TestimonialRequest.account_id, TestimonialRequest.message)))
    now = utcnow()
    for index, (message, days_ago, state) in enumerate(REQUESTS):
        account = accounts[index % len(accounts)]
        label = f"request:{account.name}: {message[:40]}"
        if (account.id, message) in known:
            existing.append(label)
            continue
        contact = _contact_of(account)
        made = testimonial_requests.create_request(
            session, actor, account.id, {"contact_id": contact.id if contact else None, "message": message}
        )
        made.request.link_made_at = now - timedelta(days=days_ago)
        if state == "opened":
            made.request.opened_at = now - timedelta(days=days_ago - 2)
            made.request.status = "opened"
        elif state == "expired":
            testimonial_requests.expire_request(session, actor, made.request.id)
        session.flush()
        created.append(label)


def _load_walls(session: Session, actor: Actor, created: list[str], existing: list[str]) -> None:
    known = set(session.scalars(select(Collection.slug)))
    for slug, title, intro, tags in WALLS:
        if slug in known:
            existing.append(f"wall:{slug}")
            continue
        testimonial_wall.create_collection(
            session, actor, {"slug": slug, "title": title, "intro": intro, "tags": list(tags)}
        )
        created.append(f"wall:{slug}")
