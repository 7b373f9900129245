"""The HTTP server's phase (starting, ready, stopping) and requests in flight, and the keys
under which the application holds them and the runtime."""

from __future__ import annotations

import asyncio

from aiohttp import web

from copkit.core.runtime import Copkit

RUNTIME_KEY: web.AppKey[Copkit] = web.AppKey("copkit_runtime", Copkit)
STARTING, READY, STOPPING = "starting", "ready", "stopping"


class ServerState:
    """The phase and the requests in flight."""

    def __init__(self) -> None:
        self.phase = STARTING
        self.inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def enter(self) -> None:
        self.inflight += 1
        self._idle.clear()

    def leave(self) -> None:
        self.inflight -= 1
        if self.inflight == 0:
            self._idle.set()

    async def idle(self, timeout: float) -> bool:
        """Wait until no request is in flight (at most ``timeout`` seconds)."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True


STATE_KEY: web.AppKey[ServerState] = web.AppKey("copkit_http_state", ServerState)
