"""Serving the site from ``copkit run``: on the Teams application when both use one port,
else on an application of its own."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiohttp import web

from copkit.core.runtime import Copkit

from .app import setup_site
from .settings import WebSettings

log = logging.getLogger("copkit.site")


def add_site(
    app: web.Application,
    runtime: Copkit,
    settings: WebSettings,
    port: int,
    say: Callable[[str], None],
) -> None:
    """The site on ``app`` (which listens on ``port``)."""
    address = settings.address(port)
    setup_site(app, runtime, base_url=address)
    say(f"site: {address}/c/<community>/ (a community's leader opens it with “site members”)")


async def serve_web(runtime: Copkit, settings: WebSettings, say: Callable[[str], None]) -> None:
    """Serve the site alone on ``[web] host:port`` until cancelled. When the port is taken (a
    second process on this host), say so and go on without it: the chat adapters still run."""
    port = settings.ALONE_PORT if settings.port is None else settings.port
    app = web.Application()
    runner = web.AppRunner(app, access_log=None)
    add_site(app, runtime, settings, port, lambda _line: None)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.host, port).start()
    except OSError as exc:
        await runner.cleanup()
        say(
            f"site: not served by this process: cannot listen on {settings.host}:{port} "
            f"({exc.strerror or exc})"
        )
        await asyncio.Event().wait()
    say(
        f"site: {settings.address(port)}/c/<community>/ (a community's leader opens it with "
        "“site members”)"
    )
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
