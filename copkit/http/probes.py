"""The probes: ``/healthz`` (liveness: the process answers) and ``/readyz`` (readiness: 200 when
this process can serve now, else 503 naming what is not: ``starting``, ``stopping``, the
``database``, the ``discord`` gateway)."""

from __future__ import annotations

from aiohttp import web

from copkit.core.runtime import Copkit

from .state import READY, RUNTIME_KEY, STATE_KEY

PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
"""Answered in every phase (the other routes only while ready)."""


async def health(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def ready(request: web.Request) -> web.Response:
    phase = request.app[STATE_KEY].phase
    if phase != READY:
        return web.json_response({"ready": False, "down": [phase]}, status=503)
    down = await request.app[RUNTIME_KEY].health.failing()
    if request.app[STATE_KEY].phase != READY:  # it began stopping meanwhile
        down = [request.app[STATE_KEY].phase]
    if down:
        return web.json_response({"ready": False, "down": down}, status=503)
    return web.json_response({"ready": True})


def setup(app: web.Application, runtime: Copkit) -> None:
    app.router.add_get("/healthz", health)
    app.router.add_get("/readyz", ready)
