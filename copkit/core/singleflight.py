"""One reload at a time per key: when a cached entry expires during a burst, the first request
reloads it and the others that arrive meanwhile wait for that same reload, instead of each
reading the same rows again (a thousand votes once made thousands of identical reads)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient

T = TypeVar("T")


class SingleFlight:
    def __init__(self) -> None:
        self._running: dict[Hashable, asyncio.Future[Any]] = {}

    async def run(self, key: Hashable, make: Callable[[], Awaitable[T]]) -> T:
        """``await make()``, shared with the callers asking for ``key`` while it runs. Inside a
        transaction it runs on its own (what it reads there is the transaction's)."""
        found = self._running.get(key)
        if found is not None:
            return await asyncio.shield(found)
        if isinstance(connections.get("default"), TransactionalDBClient):
            return await make()
        task: asyncio.Future[T] = asyncio.ensure_future(make())
        self._running[key] = task
        task.add_done_callback(lambda _t: self._drop(key, task))
        return await asyncio.shield(task)

    def _drop(self, key: Hashable, task: asyncio.Future[Any]) -> None:
        if self._running.get(key) is task:
            del self._running[key]
