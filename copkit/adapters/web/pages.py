"""The community site's pages: who may open them, and what each shows.

Every page is read-only (GET), rendered on the server from what the formats hand over through
the ``copkit_site_*`` hooks, with user text escaped (Jinja2 autoescape, and
:mod:`.render` for chat views). A community whose site is off answers 404; a members' site
needs a valid signed link (a tampered, expired or revoked one answers 403).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from copkit.core import brand as core_brand
from copkit.core.context import Scope
from copkit.core.dberrors import is_unavailable
from copkit.core.i18n import _, current_locale, set_locale, use_locale
from copkit.core.lru import LRUDict
from copkit.core.models import Community, LogEntry
from copkit.core.parsing import to_int
from copkit.core.runtime import Copkit
from copkit.core.site import SiteEvent, is_ref
from copkit.core.timezones import community_zone
from copkit.core.views import Brand
from copkit.plugins.site import export, links, search

from . import words

log = logging.getLogger("copkit.site")

RUNTIME_KEY: web.AppKey[Copkit] = web.AppKey("copkit_site_runtime", Copkit)
CACHE_KEY: web.AppKey[LRUDict[tuple[int, str], tuple[int, datetime, Any]]] = web.AppKey(
    "copkit_site_cache"
)
CACHE_SIZE = 512  # pages' data kept (community, page)
CACHE_FOR = timedelta(seconds=60)  # at most: an unlogged change (time passing) shows then
JINJA_KEY = web.AppKey("copkit_site_jinja", aiohttp_jinja2.jinja2.Environment)

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "private, no-store",
}
LOG_ROWS = 100  # as the chat's log command at most
NEXT_EVENTS = 5


@dataclass
class Site:
    """One request's community, the services, and the prefix its links carry."""

    scope: Scope
    base: str  # /c/<id>/ or /c/<id>/k/<token>/
    calendar: str  # the calendar feed's address (a member's signed one on a members' link)
    cache: LRUDict[tuple[int, str], tuple[int, datetime, Any]]
    version: int = -1  # the community log's last entry: what the site shows changes with it
    brand: Brand | None = None  # the community's brand, once it chose one

    async def cached(self, key: str, make: Callable[[], Awaitable[Any]]) -> Any:
        """``make()``'s data for this community, kept while the community's log stays the same
        (every change the formats make is logged) and for at most a minute."""
        await self.version_of_log()
        now = self.scope.now()
        entry = self.cache.get((self.community.id, key))
        if entry is not None and entry[0] == self.version and now - entry[1] < CACHE_FOR:
            return entry[2]
        data = await make()
        self.cache[(self.community.id, key)] = (self.version, now, data)
        return data

    async def version_of_log(self) -> int:
        """The community log's last entry id (read once per request)."""
        if self.version < 0:
            ids: list[Any] = list(
                await LogEntry.filter(community_id=self.community.id)
                .order_by("-id")
                .limit(1)
                .values_list("id", flat=True)
            )
            self.version = int(ids[0]) if ids else 0
        return self.version

    @property
    def community(self) -> Community:
        return self.scope.community


def secured(response: web.StreamResponse) -> web.StreamResponse:
    for name, value in HEADERS.items():
        response.headers[name] = value
    return response


def _error(request: web.Request, status: int, message: str = "") -> web.StreamResponse:
    said = {
        403: _(
            "This link does not open the site (it may have expired or been revoked). "
            "Ask for a new one with “site” in your chat."
        ),
        404: _("There is no site here."),
        503: _("The site is unavailable for a moment. Please try again."),
        500: _("Something went wrong on our side. Please try again later."),
    }
    context = {
        "status": status,
        "title": _(words.ERROR_TITLES.get(status, words.ERROR_TITLES[500])),
        "message": message or said.get(status, ""),
        "lang": words.html_lang(current_locale()),
        "base": "",
    }
    return secured(
        aiohttp_jinja2.render_template(
            "error.html", request, context, app_key=JINJA_KEY, status=status
        )
    )


async def open_site(request: web.Request) -> Site:
    """The site asked for, if this request may see it; raises 404 or 403 otherwise."""
    runtime = request.app[RUNTIME_KEY]
    community = await Community.get_or_none(id=int(request.match_info["cid"]))
    if community is None or links.visibility(community) == "off":
        raise web.HTTPNotFound()
    set_locale(community.locale or "en")  # its pages, and its 403 and 404 pages
    token = request.match_info.get("token")
    base = f"/c/{community.id}/"
    calendar = links.calendar_path(community.id)
    if token is not None:
        key = await links.secret(runtime.services.site)
        now = runtime.clock.now()
        if links.check(key, token, community, now) != "ok":
            raise web.HTTPForbidden()
        base = f"/c/{community.id}/k/{token}/"
        calendar = links.calendar_path(community.id, links.calendar_token(key, community, now))
    elif links.visibility(community) != "public":
        raise web.HTTPForbidden()
    scope = Scope(runtime.services, community, "")
    brand, chosen = await runtime.services.output.brands.of(community)
    site = Site(scope, base, calendar, request.app[CACHE_KEY])
    site.brand = brand if chosen else None
    return site


Page = Callable[[web.Request, Site], Awaitable[web.StreamResponse]]


def page(fn: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        # The browser's language until the community's is known (each request its own).
        with use_locale(words.asked_locale(request.headers.get("Accept-Language"))):
            try:
                site = await open_site(request)
                return secured(await fn(request, site))
            except web.HTTPException as exc:
                return _error(request, exc.status)
            except Exception as exc:
                if is_unavailable(exc):
                    return _error(request, 503)
                log.exception("site page %s failed", request.path)
                return _error(request, 500)

    handler.__name__ = fn.__name__
    return handler


def render(request: web.Request, site: Site, name: str, **context: Any) -> web.Response:
    tz = community_zone(site.community.timezone)
    base = {
        "community": (site.brand.name if site.brand else site.community.name)
        or _("Community {id}").format(id=site.community.id),
        "brand": site.brand,
        "base": site.base,
        "calendar": site.calendar,
        "nav": name,
        **words.helpers(tz, lambda fmt: _format_title(site, fmt)),
    }
    return aiohttp_jinja2.render_template(name, request, {**base, **context}, app_key=JINJA_KEY)


def _format_title(site: Site, name: str) -> str:
    info = site.scope.registry.formats.get(name)
    return _(info.title) if info is not None else ""


async def _events(site: Site) -> list[SiteEvent]:
    hooks = site.scope.services.hooks
    events: list[SiteEvent] = await site.cached("events", lambda: hooks.site_events(site.scope))
    return events


async def _event_page(site: Site, ref: str) -> Any:
    hooks = site.scope.services.hooks
    return await site.cached(f"event:{ref}", lambda: hooks.site_event(site.scope, ref))


def _split(events: list[SiteEvent], now: Any) -> tuple[list[SiteEvent], list[SiteEvent]]:
    upcoming = sorted(
        (e for e in events if e.status in ("upcoming", "running") and e.starts_at >= now) or (),
        key=lambda e: e.starts_at,
    )
    upcoming_refs = {e.ref for e in upcoming}
    past = sorted(
        (e for e in events if e.ref not in upcoming_refs), key=lambda e: e.starts_at, reverse=True
    )
    return upcoming, past


@page
async def home(request: web.Request, site: Site) -> web.StreamResponse:
    hooks = site.scope.services.hooks
    await site.version_of_log()  # once, before the two reads side by side
    events, panels = await asyncio.gather(
        _events(site),
        site.cached("panels:home", lambda: hooks.site_panels(site.scope, "home")),
    )
    upcoming, past = _split(events, site.scope.now())
    latest = None
    for e in past:
        if e.minutes:
            latest = await _event_page(site, e.ref)
            break
    return render(
        request,
        site,
        "home.html",
        upcoming=upcoming[:NEXT_EVENTS],
        latest=latest,
        recent=past[:5],
        panels=panels,
    )


PAST_PER_PAGE = 50


def page_number(raw: str | None, pages: int) -> int:
    """The page asked for (``?page=2``): 1 when none; a page that is not a whole number from 1
    to ``pages`` answers 404."""
    if raw is None:
        return 1
    number = to_int(raw.strip(), 1, max(pages, 1))
    if number is None or raw.strip().startswith(("+", "-")):
        raise web.HTTPNotFound()
    return number


@page
async def events(request: web.Request, site: Site) -> web.StreamResponse:
    upcoming, past = _split(await _events(site), site.scope.now())
    pages = max(1, -(-len(past) // PAST_PER_PAGE))
    number = page_number(request.query.get("page"), pages)
    first = (number - 1) * PAST_PER_PAGE
    return render(
        request,
        site,
        "events.html",
        upcoming=upcoming if number == 1 else [],
        past=past[first : first + PAST_PER_PAGE],
        past_count=len(past),
        number=number,
        pages=pages,
    )


@page
async def event(request: web.Request, site: Site) -> web.StreamResponse:
    ref = request.match_info["ref"]
    found = await _event_page(site, ref) if is_ref(ref) else None
    if found is None:
        raise web.HTTPNotFound()
    return render(request, site, "event.html", page=found)


@page
async def actions(request: web.Request, site: Site) -> web.StreamResponse:
    hooks = site.scope.services.hooks
    rows = await site.cached("actions", lambda: hooks.site_actions(site.scope))
    return render(request, site, "actions.html", actions=rows)


@page
async def health(request: web.Request, site: Site) -> web.StreamResponse:
    hooks = site.scope.services.hooks
    panels = await site.cached("panels:health", lambda: hooks.site_panels(site.scope, "health"))
    return render(request, site, "health.html", panels=panels)


async def _log_lines(site: Site, rows: list[LogEntry]) -> list[str]:
    """The log in the chat's words: the core's ``logwords`` when present."""
    try:
        words = importlib.import_module("copkit.core.logwords")
    except ImportError:
        return [f"{r.member or 'copkit'}: {r.kind} {r.ref} {r.text}".strip() for r in rows]
    said: list[str] = await words.describe_all(
        site.community.id, rows, site.scope.services.registry
    )
    return said


@page
async def community_log(request: web.Request, site: Site) -> web.StreamResponse:
    async def make() -> list[tuple[LogEntry, str]]:
        rows = list(
            reversed(
                await LogEntry.filter(community_id=site.community.id)
                .order_by("-id")
                .limit(LOG_ROWS)
            )
        )
        lines = await _log_lines(site, rows)
        return list(reversed(list(zip(rows, lines, strict=True))))  # newest first

    return render(request, site, "log.html", entries=await site.cached("log", make))


@page
async def find(request: web.Request, site: Site) -> web.StreamResponse:
    query = request.query.get("q", "")[: search.MAX_QUERY].strip()
    hits = await search.search(site.scope, query) if query else []
    return render(request, site, "search.html", query=query, hits=hits)


@page
async def export_page(request: web.Request, site: Site) -> web.StreamResponse:
    docs = await search.archive(site.scope)
    files = [export.file_name(d.day, d.event_ref) for d in docs]
    return render(request, site, "export.html", files=["index.md", *files])


@page
async def export_zip(request: web.Request, site: Site) -> web.StreamResponse:
    body = await export.zipped(site.scope)
    name = export.slug(site.community.name)
    return web.Response(
        body=body,
        content_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}-archive.zip"'},
    )


@page
async def image(request: web.Request, site: Site) -> web.StreamResponse:
    name = request.match_info["name"]
    if name == BRAND_LOGO:
        png = await _brand_logo(site)
    else:
        png = await site.scope.services.hooks.site_image(site.scope, name)
    if png is None:
        raise web.HTTPNotFound()
    return web.Response(body=png, content_type="image/png")


BRAND_LOGO = "brand-logo"


async def _brand_logo(site: Site) -> bytes | None:
    """The community's logo (or its monogram), once it chose a brand."""
    if site.brand is None:
        return None
    logo = await core_brand.logo_of(site.community.id)
    return logo or site.brand.icon


@page
async def brand_css(request: web.Request, site: Site) -> web.StreamResponse:
    """The brand's accent as a style sheet (the site allows no inline style)."""
    accent = site.brand.accent if site.brand else "#13294b"
    ink = site.brand.ink if site.brand else "#ffffff"
    css = f":root {{ --brand: {accent}; --brand-ink: {ink}; }}\n"
    return web.Response(text=css, content_type="text/css")


TEAMS = "teams"
_CHAT = re.compile(r"^[A-Za-z0-9:_@.\-=+/]{1,300}$")


async def _tab_community(chat: str) -> Community | None:
    """The Teams community a meeting's chat is (its id ``<tenant>/<chat id>``)."""
    chat = chat.split(";", 1)[0]
    if not _CHAT.match(chat):  # a placeholder Teams left unfilled, or not an id
        return None
    found: Community | None = await Community.get_or_none(
        platform=TEAMS, external_id__endswith=f"/{chat}"
    )
    return found


async def meeting_tab(request: web.Request) -> web.StreamResponse:
    """``/events?teams_chat=…&teams_meeting=…``, the Teams meeting tab's address (see
    :mod:`copkit.adapters.teams.manifest`): the Events page of the chat's community when its
    site is public; otherwise a short page saying how to get there."""
    with use_locale(words.asked_locale(request.headers.get("Accept-Language"))):
        try:
            community = await _tab_community(request.query.get("teams_chat", "")[:400])
        except Exception as exc:
            if is_unavailable(exc):
                return _error(request, 503)
            raise
        seen = community is not None and links.visibility(community) != "off"
        if community is not None and seen:
            if links.visibility(community) == "public":
                raise web.HTTPFound(f"/c/{community.id}/events")
            set_locale(community.locale or "en")
            return _error(
                request,
                403,
                _(
                    "This community's site is for its members: type “site” in the chat to get "
                    "your own link."
                ),
            )
        return _error(
            request,
            404,
            _("This chat has no community site yet. Its leader can open one with “site public”."),
        )
