"""Cross-process cache invalidation on PostgreSQL (LISTEN/NOTIFY).

When a process changes a community's settings (formats, roles, locale) it publishes the community
id; every process drops its cached copy at once. If the listening connection drops (database
restart) everything cached is dropped, since notifications may have been missed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from tortoise import Tortoise

log = logging.getLogger("copkit.cache")

CHANNEL = "copkit_cache"


class CacheBus:
    def __init__(self, url: str, on_change: Callable[[int | None], None]) -> None:
        self.url = url.replace("postgres://", "postgresql://", 1).split("?", 1)[0]
        self.on_change = on_change
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="copkit-cache-bus")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def publish(self, community_id: int) -> None:
        try:
            await Tortoise.get_connection("default").execute_query(
                "SELECT pg_notify($1, $2)", [CHANNEL, str(community_id)]
            )
        except Exception:
            log.warning("could not publish a cache change", exc_info=True)

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            self.on_change(int(payload))
        except ValueError:
            self.on_change(None)

    async def _listen(self) -> None:
        import asyncpg

        while True:
            conn = None
            try:
                conn = await asyncpg.connect(self.url)
                await conn.add_listener(CHANNEL, self._notified)
                self.on_change(None)  # anything may have changed while we were not listening
                self.connected.set()
                while not conn.is_closed():
                    await asyncio.sleep(1)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.info("cache bus disconnected (%s); retrying", exc)
            finally:
                self.connected.clear()
                if conn is not None and not conn.is_closed():
                    await conn.close()
            await asyncio.sleep(1)
