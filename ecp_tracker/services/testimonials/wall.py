"""Collections (named public walls: slug, title, tag filter) and what a wall shows.

A wall shows only published testimonials whose consent allows public use on the day the page is asked for;
the check is part of the query, so an expired or withdrawn consent takes a testimonial off every wall, feed
and embed at once. An anonymous testimonial is shown without the person's name, the company's name, its web
domain or logo: the public representation is built from an allow-list of fields, and names that the text
itself mentions are blanked out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import InvalidFields, NotFound, check_version
from ecp_tracker.domain.testimonials import (
    ConsentScope,
    TestimonialKind,
    anonymous_attribution,
    clean_tags,
    redact,
    tag_key,
)
from ecp_tracker.models import Collection, Testimonial, TestimonialTag
from ecp_tracker.services.shared import audit, raw_input
from ecp_tracker.services.shared.pagination import Page, paginate
from ecp_tracker.services.testimonials import testimonials

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
WALL_LIMIT = 100


# --- collections -----------------------------------------------------------------------------------------


def _clean(session: Session, raw: Mapping[str, Any], current: Collection | None) -> dict[str, Any]:
    problems: list[tuple[str, str]] = []
    clean: dict[str, Any] = {}
    if "slug" in raw or current is None:
        slug = str(raw.get("slug") or "").strip().lower()
        if not SLUG.match(slug):
            problems.append(
                ("slug", "Use 1 to 80 lower-case letters, digits and hyphens (e.g. fintech-proof).")
            )
        else:
            taken = session.scalar(select(Collection.id).where(Collection.slug == slug))
            if taken is not None and (current is None or taken != current.id):
                problems.append(("slug", f"Another collection already uses /wall/{slug}."))
        clean["slug"] = slug
    if "title" in raw or current is None:
        title = " ".join(str(raw.get("title") or "").split())
        if not title:
            problems.append(("title", "Give the wall a title, e.g. Fintech proof."))
        elif len(title) > 200:
            problems.append(("title", "Use at most 200 characters."))
        clean["title"] = title
    if "intro" in raw:
        intro = str(raw.get("intro") or "").strip()
        if len(intro) > 2000:
            problems.append(("intro", "Use at most 2000 characters."))
        clean["intro"] = intro
    if "tags" in raw:
        value = raw.get("tags")
        tags = clean_tags(value if isinstance(value, str | list | tuple) or value is None else str(value))
        if len(tags) > 20 or any(len(t) > 80 for t in tags):
            problems.append(("tags", "At most 20 tags of up to 80 characters."))
        clean["tags"] = tags
    if problems:
        raise InvalidFields(problems)
    return clean


def create_collection(session: Session, actor: Actor, raw: Mapping[str, Any]) -> Collection:
    clean = _clean(session, raw, None)
    collection = Collection(created_by_id=actor.user_id, **{"intro": "", "tags": [], **clean})
    audit.log_write(session, actor, collection, summary=f"/wall/{collection.slug}")
    return collection


def update_collection(
    session: Session, actor: Actor, collection_id: int, raw: Mapping[str, Any], *, version: int | None
) -> Collection:
    """Change a wall's address, title, introduction or tags; `archived` takes it offline or back."""
    collection = get_collection(session, collection_id)
    check_version(collection, version, "The collection")
    archived = raw.get("archived")
    fields = {key: value for key, value in raw.items() if key != "archived"}
    clean = _clean(session, fields, collection) if fields else {}
    for key, value in clean.items():
        setattr(collection, key, value)
    if clean:
        audit.log_write(session, actor, collection, summary=f"/wall/{collection.slug}")
    if archived is not None:
        audit.set_archived(
            session, actor, collection, archived=bool(archived), summary=f"/wall/{collection.slug}"
        )
    return collection


def set_collection_archived(
    session: Session, actor: Actor, collection_id: int, *, archived: bool
) -> Collection:
    """Take a wall offline (its address answers 404) or bring it back; nothing is deleted."""
    collection = get_collection(session, collection_id)
    return audit.set_archived(
        session, actor, collection, archived=archived, summary=f"/wall/{collection.slug}"
    )


def get_collection(session: Session, collection_id: int) -> Collection:
    collection = session.get(Collection, collection_id)
    if collection is None:
        raise NotFound(f"There is no collection with id {collection_id}.")
    return collection


def live_collection(session: Session, slug: str) -> Collection:
    """The wall at /wall/<slug>; an unknown or archived one is not found."""
    collection = None
    if SLUG.match(slug or ""):
        collection = session.scalar(
            select(Collection).where(Collection.slug == slug, Collection.archived_at.is_(None))
        )
    if collection is None:
        raise NotFound("There is no wall at this address.")
    return collection


def _collections_stmt(include_archived: bool) -> Select[tuple[Collection]]:
    stmt = select(Collection).order_by(Collection.archived_at.is_not(None), Collection.title)
    return stmt if include_archived else stmt.where(Collection.archived_at.is_(None))


def list_collections(session: Session, *, include_archived: bool = True) -> Sequence[Collection]:
    return session.scalars(_collections_stmt(include_archived)).all()


def page_collections(session: Session, *, page: int = 1, per_page: int = 25) -> Page[Collection]:
    """The walls, online first, a page at a time with their total (the API)."""
    return paginate(session, _collections_stmt(True), page=page, per_page=min(max(per_page, 1), 100))


def wall_counts(
    session: Session, collections: Sequence[Collection], day: date | None = None
) -> dict[int, int]:
    """How many testimonials each wall shows today, in two statements whatever the number of walls: the
    count of everything shown, and the shown testimonials carrying any tag a wall filters on."""
    day = day or raw_input.today()
    shown = testimonials.publicly_shown_clause(day)
    everything = session.scalar(select(func.count(Testimonial.id)).where(shown)) or 0
    keys = {tag_key(t) for c in collections for t in c.tags or []}
    tagged: dict[str, set[int]] = {}
    if keys:
        rows = session.execute(
            select(TestimonialTag.key, TestimonialTag.testimonial_id)
            .join(Testimonial, Testimonial.id == TestimonialTag.testimonial_id)
            .where(shown, TestimonialTag.key.in_(keys))
        )
        for key, testimonial_id in rows:
            tagged.setdefault(key, set()).add(testimonial_id)
    counts = {}
    for c in collections:
        wanted = {tag_key(t) for t in c.tags or []}
        counts[c.id] = len(set().union(*(tagged.get(k, set()) for k in wanted))) if wanted else everything
    return counts


# --- what a wall shows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicTestimonial:
    """Everything a public page may say about one testimonial; nothing else ever leaves the workspace."""

    id: int
    kind: str
    text: str
    rating: int | None
    attribution: str
    person: str | None  # None when anonymous
    title: str | None
    company: str | None  # None when anonymous
    logo_allowed: bool
    video_url: str | None  # the link of a video testimonial (never for an anonymous one)
    anonymous: bool

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _wall_query(collection: Collection, day: date) -> Any:
    stmt = select(Testimonial).where(testimonials.publicly_shown_clause(day))
    keys = [tag_key(t) for t in collection.tags or []]
    if keys:
        tagged = select(TestimonialTag.testimonial_id).where(TestimonialTag.key.in_(keys))
        stmt = stmt.where(Testimonial.id.in_(tagged))
    return stmt


def public_view(testimonial: Testimonial) -> PublicTestimonial | None:
    """The public form of a testimonial (its consent already checked); None for what the scope cannot show
    (a logo permission given anonymously)."""
    scope = ConsentScope(testimonial.consent_scope)
    kind = TestimonialKind(testimonial.kind)
    if scope is ConsentScope.PUBLIC_ANONYMOUS:
        if kind is TestimonialKind.LOGO:
            return None
        terms = testimonials.identifying_terms_of(testimonial)
        return PublicTestimonial(
            id=testimonial.id,
            kind=kind.value,
            text=redact(testimonial.body, terms),
            rating=testimonial.rating,
            attribution=anonymous_attribution(testimonial.author_title, testimonial.account.industry, terms),
            person=None,
            title=None,
            company=None,
            logo_allowed=False,
            video_url=None,
            anonymous=True,
        )
    person = testimonial.author_name or (testimonial.contact.name if testimonial.contact else "") or None
    title = testimonial.author_title or None
    company = testimonial.account.name
    attribution = ", ".join(part for part in (person, title, company) if part)
    return PublicTestimonial(
        id=testimonial.id,
        kind=kind.value,
        text=testimonial.body,
        rating=testimonial.rating,
        attribution=attribution,
        person=person,
        title=title,
        company=company,
        logo_allowed=scope is ConsentScope.LOGO,
        video_url=testimonial.media_url if kind is TestimonialKind.VIDEO else None,
        anonymous=False,
    )


def wall(session: Session, collection: Collection, day: date | None = None) -> list[PublicTestimonial]:
    """What the wall shows on `day` (default today): newest first, at most 100 (one query)."""
    day = day or raw_input.today()
    stmt = (
        _wall_query(collection, day)
        .options(joinedload(Testimonial.account), joinedload(Testimonial.contact))
        .order_by(Testimonial.id.desc())
        .limit(WALL_LIMIT)
    )
    views = (public_view(t) for t in session.scalars(stmt).unique())
    return [view for view in views if view is not None]


def feed(collection: Collection, items: list[PublicTestimonial], day: date) -> dict[str, Any]:
    """The JSON feed of a wall."""
    return {
        "collection": {"slug": collection.slug, "title": collection.title, "intro": collection.intro},
        "as_of": day.isoformat(),
        "testimonials": [item.to_json() for item in items],
    }
