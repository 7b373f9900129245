"""The community web site on an aiohttp application: its routes, templates and stylesheet.

:func:`setup_site` adds the site's routes to an application (the one ``copkit run`` serves on
``[web] port``). Pages are server-rendered with Jinja2 (autoescape on), with one CSS file and no
JavaScript. See ``docs/site.md``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from importlib import resources

import aiohttp_jinja2
import jinja2
from aiohttp import web
from tortoise.exceptions import ConfigurationError

from copkit.core import i18n
from copkit.core.lru import LRUDict
from copkit.core.runtime import Copkit

from . import pages
from .render import inline_html, text_html, view_html

__all__ = ["setup_site"]

FILTERS: dict[str, Callable[..., str]] = {
    "view": view_html,
    "text": text_html,
    "inline": inline_html,
}

CID = r"{cid:\d{1,9}}"
TOKEN = r"{token:[A-Za-z0-9_\-.]{1,120}}"


def _css() -> bytes:
    return resources.files(__package__).joinpath("static", "site.css").read_bytes()


def setup_site(app: web.Application, runtime: Copkit, *, base_url: str = "") -> None:
    """Add the community site to ``app``: ``/c/<community>/…`` (public) and
    ``/c/<community>/k/<token>/…`` (members' signed links), and ``/static/site.css``.

    ``base_url`` is the site's public address, used in the links the ``site`` command gives."""
    env = aiohttp_jinja2.setup(
        app,
        app_key=pages.JINJA_KEY,
        loader=jinja2.PackageLoader("copkit.adapters.web", "templates"),
        autoescape=True,
        default_helpers=False,
        filters=FILTERS,
        extensions=["jinja2.ext.i18n"],
    )
    # The templates' words in the community's language: copkit's gettext reads the language
    # the request set (``set_locale`` in :func:`pages.open_site`), so one environment serves
    # every community; plurals through ngettext.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=False, pgettext=i18n.pgettext
    )
    app[pages.RUNTIME_KEY] = runtime
    app[pages.CACHE_KEY] = LRUDict(pages.CACHE_SIZE)
    if base_url:
        runtime.services.site.base_url = base_url
    css = _css()

    async def stylesheet(request: web.Request) -> web.StreamResponse:
        response = web.Response(body=css, content_type="text/css")
        pages.secured(response)
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response

    app.router.add_get("/static/site.css", stylesheet)
    app.router.add_get("/events", pages.meeting_tab)  # the Teams meeting tab's address
    routes = [
        ("", pages.home),
        ("events", pages.events),
        (r"e/{ref:[a-z0-9\-]{1,40}}", pages.event),
        ("actions", pages.actions),
        ("health", pages.health),
        ("log", pages.community_log),
        ("search", pages.find),
        ("export", pages.export_page),
        ("export.zip", pages.export_zip),
        (r"img/{name:[a-z0-9\-]{1,60}}.png", pages.image),
        ("brand.css", pages.brand_css),
    ]
    for tail, handler in routes:
        app.router.add_get(f"/c/{CID}/{tail}", handler)
        app.router.add_get(f"/c/{CID}/k/{TOKEN}/{tail}", handler)

    async def no_slash(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(request.path + "/")

    app.router.add_get(f"/c/{CID}", no_slash)
    app.router.add_get(f"/c/{CID}/k/{TOKEN}", no_slash)

    async def secret_first(app: web.Application) -> AsyncIterator[None]:
        """The links' secret made (and its warning said) as soon as the database is open: the
        HTTP server starts first, so the probes answer while copkit starts."""

        async def when_open() -> None:
            for _ in range(1200):
                try:
                    await pages.links.secret(runtime.services.site)
                    return
                except ConfigurationError:  # the database is not open yet
                    await asyncio.sleep(0.1)

        task = asyncio.create_task(when_open(), name="site-secret")
        yield
        task.cancel()

    app.cleanup_ctx.append(secret_first)
