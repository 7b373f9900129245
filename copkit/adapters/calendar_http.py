"""``GET /c/<community>/calendar.ics``: a community's calendar as a subscribable feed.

Served only when the community's leader made it public (``calendar public``); otherwise, and
for a community that does not exist, 404 (the same answer, so the address tells nothing).
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


def add_calendar_routes(app: web.Application, runtime: Copkit) -> None:
    """Serve the calendar feeds of ``runtime``'s communities on ``app``."""
    app[RUNTIME_KEY] = runtime
    app.router.add_get(PATH, calendar_ics)


def _not_found() -> web.Response:
    return web.Response(status=404, text="not found\n", headers={"Cache-Control": "no-store"})


async def calendar_ics(request: web.Request) -> web.StreamResponse:
    runtime = request.app[RUNTIME_KEY]
    community_id = parse_int(request.match_info.get("community", ""), lo=1)
    if community_id is None:
        return _not_found()
    community = await Community.get_or_none(id=community_id)
    if community is None or not await is_public(community.id):
        return _not_found()
    body = await community_feed(runtime.hooks, community, runtime.clock.now())
    etag = '"' + hashlib.sha256(_stable(body)).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers={"ETag": etag})
    return web.Response(
        body=body,
        content_type="text/calendar",
        charset="utf-8",
        headers={
            "Cache-Control": "public, max-age=300",
            "Content-Disposition": 'inline; filename="calendar.ics"',
            "X-Content-Type-Options": "nosniff",
            "ETag": etag,
        },
    )


def _stable(body: bytes) -> bytes:
    """The feed without its DTSTAMP lines (they change on every request)."""
    return b"\r\n".join(line for line in body.split(b"\r\n") if not line.startswith(b"DTSTAMP"))
