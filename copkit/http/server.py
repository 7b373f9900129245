"""The HTTP server of a ``copkit run`` process: one aiohttp application on ``[http] host/port``.

Every process starts it, first thing, whatever adapters it runs: the probes (``/healthz``,
``/readyz``) and ``/metrics`` are always there, and each part that serves HTTP adds its routes
through a *setup function* called with ``(app, runtime)`` before the server starts (the Teams
endpoint, the community site, the calendar feed)::

    HttpServer(runtime, [teams_setup, setup_site], host, port)

Its phases: *starting* (listening, the database not open yet), *ready*, *stopping*. Outside
*ready*, ``/readyz`` answers 503 and every route but the probes answers 503 with ``Retry-After``
(a load balancer or the Bot Connector tries another process); at shutdown the requests in flight
are let finish up to a deadline before the database closes.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web

from copkit.core.runtime import Copkit

from . import metrics, probes
from .state import READY, RUNTIME_KEY, STATE_KEY, STOPPING, ServerState

__all__ = ["READY", "RUNTIME_KEY", "STATE_KEY", "HttpServer", "ServerState", "Setup", "build_app"]

log = logging.getLogger("copkit.http")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

Setup = Callable[[web.Application, Copkit], None | Awaitable[None]]
"""Adds routes (and startup/cleanup contexts) to the application, before it starts."""


def _route(request: web.Request) -> str:
    """The matched route's pattern (``/api/messages``, ``/c/{slug}``), never the path itself."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def guard(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    started = time.perf_counter()
    status = 500
    try:
        if request.path not in probes.PATHS and state.phase != READY:
            status = 503
            return web.json_response(
                {"error": f"copkit is {state.phase}"}, status=503, headers={"Retry-After": "1"}
            )
        state.enter()
        try:
            response = await handler(request)
        finally:
            state.leave()
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        method = request.method if request.method in METHODS else "other"
        request.app[RUNTIME_KEY].metrics.http_request(
            _route(request), method, status, time.perf_counter() - started
        )


async def build_app(runtime: Copkit, setups: Sequence[Setup] = ()) -> web.Application:
    """The application: the guard, the probes, ``/metrics``, then each setup's routes."""
    app = web.Application(middlewares=[guard])
    app[RUNTIME_KEY] = runtime
    app[STATE_KEY] = ServerState()
    probes.setup(app, runtime)
    metrics.setup(app, runtime)
    for setup in setups:
        result = setup(app, runtime)
        if result is not None:
            await result
    return app


class HttpServer:
    """Serves :func:`build_app` on ``host:port`` (port 0: a free one, see :attr:`port`)."""

    def __init__(
        self, runtime: Copkit, setups: Sequence[Setup] = (), *, host: str, port: int
    ) -> None:
        self.runtime = runtime
        self.setups = list(setups)
        self.host = host
        self.port = port
        self.app: web.Application | None = None
        self._runner: web.AppRunner | None = None

    @property
    def state(self) -> ServerState:
        assert self.app is not None
        return self.app[STATE_KEY]

    async def start(self) -> None:
        """Listen now (phase *starting*). Raises ``OSError`` when the address is taken."""
        self.app = await build_app(self.runtime, self.setups)
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            await self._runner.cleanup()
            self._runner = None
            raise
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        for sock in sockets:
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                self.port = int(sock.getsockname()[1])
                break

    def ready(self) -> None:
        self.state.phase = READY

    async def stop_taking_requests(self, timeout: float) -> bool:
        """Phase *stopping* (``/readyz`` 503, new requests 503); wait for those in flight.
        False when some were still running at the deadline."""
        if self.app is None:
            return True
        self.state.phase = STOPPING
        done = await self.state.idle(timeout)
        if not done:
            log.warning(
                "%d HTTP request(s) still running after %.0f s; stopping anyway",
                self.state.inflight,
                timeout,
            )
        return done

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
