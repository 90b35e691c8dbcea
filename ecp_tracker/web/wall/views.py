"""Public walls, no sign-in: the page, the JSON feed (readable from any site, no cookie needed) and the
embeddable page other sites frame. Each shows what consent allows on the day it is asked for."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from ecp_tracker.db import get_session
from ecp_tracker.extensions import CONTENT_SECURITY_POLICY, talisman
from ecp_tracker.permissions import PUBLIC, permission
from ecp_tracker.services.shared import raw_input
from ecp_tracker.services.testimonials import wall as testimonial_wall

bp = Blueprint("wall", __name__, url_prefix="/wall", template_folder="templates")
# Walls change the moment consent is withdrawn: browsers and proxies must ask again every time.
FRESH = {"Cache-Control": "no-cache"}
# The app's policy, except that any site may frame the embed and it submits no form anywhere.
EMBEDDABLE_POLICY = {**CONTENT_SECURITY_POLICY, "form-action": "'none'", "frame-ancestors": "*"}


def _wall(slug: str):
    session = get_session()
    collection = testimonial_wall.live_collection(session, slug)
    day = raw_input.today()
    return collection, testimonial_wall.wall(session, collection, day), day


@bp.route("/<slug>")
@permission(PUBLIC)
def show(slug: str):
    collection, items, _day = _wall(slug)
    return render_template("wall/wall.html", collection=collection, items=items), 200, FRESH


@bp.route("/<slug>.json")
@permission(PUBLIC)
def feed(slug: str):
    collection, items, day = _wall(slug)
    response = jsonify(testimonial_wall.feed(collection, items, day))
    response.headers.update(FRESH)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/<slug>/embed")
@permission(PUBLIC)
@talisman(frame_options=None, content_security_policy=EMBEDDABLE_POLICY)
def embed(slug: str):
    collection, items, _day = _wall(slug)
    return render_template("wall/embed.html", collection=collection, items=items), 200, FRESH
