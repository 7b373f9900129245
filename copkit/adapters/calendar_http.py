"""``GET /c/<community>/calendar.ics``: a community's calendar as a subscribable feed.

Served to anyone when the community's leader made it public (``calendar public``) or made the
community's site public (``site public``: the site links it); otherwise, and for a community
that does not exist, 404 (the same answer, so the address tells nothing).

``GET /c/<community>/k/<token>/calendar.ics``: a member's signed feed, for a site open to
members (the ``site`` command gives it with the site's link): a tampered, expired or revoked
token (``site revoke``) answers 403; a site that is off, 404.

Registered on the aiohttp application ``copkit run`` serves (:func:`add_calendar_routes`)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from aiohttp import web

from copkit.core.models import Community
from copkit.core.routes import parse_int
from copkit.core.series_calendar import community_feed, is_public

if TYPE_CHECKING:
    from copkit.core.runtime import Copkit

RUNTIME_KEY: web.AppKey[Copkit] = web.AppKey("copkit_calendar_runtime")
PATH = "/c/{community}/calendar.ics"
SIGNED_PATH = "/c/{community}/k/{token:[A-Za-z0-9_\\-.]{1,120}}/calendar.ics"


def add_calendar_routes(app: web.Application, runtime: Copkit) -> None:
    """Serve the calendar feeds of ``runtime``'s communities on ``app``."""
    app[RUNTIME_KEY] = runtime
    app.router.add_get(PATH, calendar_ics)
    app.router.add_get(SIGNED_PATH, calendar_ics)


def _refused(status: int) -> web.Response:
    text = "not found\n" if status == 404 else "this link does not open the calendar\n"
    return web.Response(status=status, text=text, headers={"Cache-Control": "no-store"})


async def _allowed(runtime: Copkit, community: Community, token: str | None) -> int:
    """200 when the request may read the feed, else the status to answer."""
    from copkit.plugins.site import links

    seen = links.visibility(community)
    if token is None:
        return 200 if seen == "public" or await is_public(community.id) else 404
    if seen == "off":
        return 404
    key = await links.secret(runtime.services.site)
    return (
        200 if links.check(key, token, community, runtime.clock.now(), "calendar") == "ok" else 403
    )


async def calendar_ics(request: web.Request) -> web.StreamResponse:
    runtime = request.app[RUNTIME_KEY]
    community_id = parse_int(request.match_info.get("community", ""), lo=1)
    if community_id is None:
        return _refused(404)
    community = await Community.get_or_none(id=community_id)
    if community is None:
        return _refused(404)
    token = request.match_info.get("token")
    status = await _allowed(runtime, community, token)
    if status != 200:
        return _refused(status)
    body = await community_feed(runtime.hooks, community, runtime.clock.now())
    etag = '"' + hashlib.sha256(_stable(body)).hexdigest()[:32] + '"'
    cache = "public, max-age=300" if token is None else "private, max-age=300"
    if request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers={"ETag": etag, "Cache-Control": cache})
    return web.Response(
        body=body,
        content_type="text/calendar",
        charset="utf-8",
        headers={
            "Cache-Control": cache,
            "Content-Disposition": 'inline; filename="calendar.ics"',
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "ETag": etag,
        },
    )


def _stable(body: bytes) -> bytes:
    """The feed without its DTSTAMP lines (they change on every request)."""
    return b"\r\n".join(line for line in body.split(b"\r\n") if not line.startswith(b"DTSTAMP"))
