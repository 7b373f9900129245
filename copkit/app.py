"""The composition root: settings → runtime (storage, timers) → HTTP server → adapters."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from .core.config import Settings
from .core.errors import StartupError
from .core.plugins import make_plugin_manager
from .core.runtime import Copkit
from .core.storage import check_url, share_database_context
from .core.urls import hide_password

if TYPE_CHECKING:
    from .http.server import HttpServer, Setup

log = logging.getLogger("copkit")
said = logging.getLogger("copkit.run")
"""What ``copkit run`` tells its operator (on stdout as ``copkit: …``, or JSON log lines)."""


def say(line: str) -> None:
    said.info(line)


def http_address(settings: Settings) -> tuple[str, int]:
    """``[http] host/port``; by default the Teams port (3978), on every interface when Teams has
    credentials, else on loopback only."""
    http, teams = settings.adapters["http"], settings.adapters["teams"]
    host = http.host or teams.host
    if not host:
        host = "0.0.0.0" if teams.enabled and teams.has_credentials else "127.0.0.1"
    return host, teams.port if http.port is None else http.port


def site_apart(settings: Settings) -> bool:
    """Whether the site (and the calendar feeds) listen on ``[web] host:port`` of their own:
    when ``[web] port`` is set and is not the HTTP server's port."""
    site = settings.adapters["web"]
    return site.enabled and site.port is not None and site.port != http_address(settings)[1]


def site_setups(settings: Settings, port: int) -> list[Setup]:
    """The community site (when enabled) and the calendar feeds, on a server listening on
    ``port``: ``/c/<community>/…`` and ``/c/<community>/calendar.ics``."""
    from .adapters.calendar_http import add_calendar_routes

    setups: list[Setup] = []
    site = settings.adapters["web"]
    if site.enabled:
        from .adapters.web.serve import add_site

        def site_setup(app: object, runtime: Copkit) -> None:
            add_site(app, runtime, site, port)  # type: ignore[arg-type]

        setups.append(site_setup)
    setups.append(add_calendar_routes)  # /c/<community>/calendar.ics (when the calendar is public)
    return setups


def http_setups(settings: Settings) -> list[Setup]:
    """What serves HTTP on the process's server besides the probes and ``/metrics``: the Teams
    endpoint when enabled, and the site and calendar feeds unless they listen apart
    (:func:`site_apart`)."""
    setups: list[Setup] = []
    teams = settings.adapters["teams"]
    if teams.enabled:
        from .adapters.teams.app import add_teams, checked

        teams = checked(teams)

        def teams_setup(app: object, runtime: Copkit) -> None:
            try:
                add_teams(app, runtime, teams)  # type: ignore[arg-type]
            except Exception as exc:  # the SDK refusing its configuration
                raise StartupError(f"Teams: cannot configure the Bot Framework: {exc}") from exc

        setups.append(teams_setup)
    if not site_apart(settings):
        setups += site_setups(settings, http_address(settings)[1])
    return setups


async def _site_server(settings: Settings, runtime: Copkit) -> HttpServer | None:
    """The site's own listener on ``[web] host:port`` (:func:`site_apart`). When that port is
    taken (a second process on this host), say so and go on without it."""
    from .http.server import HttpServer

    site = settings.adapters["web"]
    assert site.port is not None
    server = HttpServer(runtime, site_setups(settings, site.port), host=site.host, port=site.port)
    try:
        await server.start()
    except OSError as exc:
        say(
            f"site: not served by this process: cannot listen on {site.host}:{site.port} "
            f"({exc.strerror or exc})"
        )
        return None
    return server


async def _stopped_already(stop: asyncio.Event) -> bool:
    """Whether ``stop`` is set, once a signal that came while importing has been handled (the
    loop reads it on one iteration and runs the handler on the next)."""
    for _ in range(3):
        await asyncio.sleep(0)
    return stop.is_set()


async def _open_unless_stopped(runtime: Copkit, stop: asyncio.Event) -> bool:
    """Open the runtime (database, migrations, timers); False when ``stop`` came first.

    Runs in the calling task (tortoise keeps its connections in the task's context), which a
    watcher cancels when ``stop`` is set."""
    if await _stopped_already(stop):
        return False
    me = asyncio.current_task()
    assert me is not None
    watcher = asyncio.create_task(stop.wait())
    watcher.add_done_callback(lambda w: None if w.cancelled() else me.cancel())
    try:
        await runtime.open(timers=True)
    except asyncio.CancelledError:
        if not stop.is_set():
            raise
        me.uncancel()
        return False
    finally:
        watcher.cancel()
    return True


async def serve(settings: Settings, plugins: list[str], stop: asyncio.Event | None = None) -> int:
    """Start the HTTP server (probes answering "starting"), open storage, start every enabled
    adapter, and run until ``stop`` is set or the task is cancelled.

    Teams runs unless disabled (in local emulator mode without credentials); Discord runs when
    enabled and a token is configured, and keeps trying while Discord cannot be reached. Says
    plainly what started and what is missing. On ``stop`` (SIGTERM) at any moment, start-up
    included: ``/readyz`` turns 503 and new requests get 503, the requests and timers in flight
    finish (up to ``[http] shutdown_timeout``), the database closes."""
    stop = stop or asyncio.Event()
    if await _stopped_already(stop):
        return 0
    check_url(settings.database_url)  # a missing directory: one line now, not after start-up
    from .http.server import HttpServer

    started = time.monotonic()
    grace = settings.adapters["http"].shutdown_timeout
    teams, discord = settings.adapters["teams"], settings.adapters["discord"]
    runtime = Copkit(
        settings.database_url,
        pm=make_plugin_manager(plugins),
        community_defaults={"locale": settings.locale, "timezone": settings.timezone},
    )
    host, port = http_address(settings)
    share_database_context()  # the server's tasks see the database opened after it starts
    server = HttpServer(runtime, http_setups(settings), host=host, port=port)
    try:
        await server.start()
    except OSError as exc:
        raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    tasks: list[asyncio.Task[None]] = []
    servers = [server]
    try:
        say(f"HTTP on http://{host}:{server.port} (/healthz, /readyz, /metrics)")
        site = settings.adapters["web"]
        site_server = await _site_server(settings, runtime) if site_apart(settings) else server
        if site_server is not None and site_server is not server:
            servers.append(site_server)
        if not await _open_unless_stopped(runtime, stop):
            return 0
        say(f"database {hide_password(settings.database_url)} ready; timers running")
        if teams.enabled:
            from .adapters.teams.app import endpoint_line

            say(endpoint_line(teams, host, server.port))
        else:
            say("Teams: not started ([teams] enabled = false, or --no-teams)")
        if not site.enabled:
            say("site: not started ([web] enabled = false)")
        elif site_server is not None:
            say(
                f"site: {site.address(site_server.port)}/c/<community>/ (a community's leader "
                "opens it with “site members”)"
            )
        if not discord.enabled:
            say("Discord: not started ([discord] enabled = false, or --no-discord)")
        elif discord.token:
            from .adapters.discord import serve_discord

            runtime.health.add("discord", lambda: False)  # until the adapter says connected
            tasks.append(asyncio.create_task(serve_discord(runtime, discord, say), name="discord"))
        else:
            say("Discord: not started (set DISCORD_TOKEN or [discord] token to connect)")
        if not tasks and not teams.enabled:
            say("no chat adapter started; running timers only (Ctrl-C to stop)")
        for each in servers:
            each.ready()
        say(f"ready in {time.monotonic() - started:.1f} s")
        stopping = asyncio.create_task(stop.wait(), name="stop")
        try:
            done, _pending = await asyncio.wait(
                [stopping, *tasks], return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            stopping.cancel()
        for task in done:
            if task is not stopping and not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        return 0
    finally:
        deadline = time.monotonic() + grace
        await asyncio.gather(*(each.stop_taking_requests(grace) for each in servers))
        for task in tasks:
            task.cancel()  # Discord: stop taking events, let those in flight finish
        await asyncio.gather(*tasks, return_exceptions=True)
        await runtime.close(grace=max(deadline - time.monotonic(), 0.0))
        for each in servers:
            await each.close()
