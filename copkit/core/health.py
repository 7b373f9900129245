"""Readiness: is this process able to serve right now? (Liveness is simply "it answers".)

The database is always checked; an adapter adds a check for its own connection (Discord: the
gateway). An HTTP adapter serves the answer as ``/readyz``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from tortoise import Tortoise

log = logging.getLogger("copkit.health")

Check = Callable[[], bool | Awaitable[bool]]
DATABASE_TIMEOUT = 0.8  # /readyz turns 503 within a second of an outage


async def database_up() -> bool:
    try:
        conn = Tortoise.get_connection("default")
        await asyncio.wait_for(conn.execute_query("SELECT 1"), DATABASE_TIMEOUT)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.info("readiness: the database is down: %s", type(exc).__name__)
        return False
    return True


class Health:
    """Named readiness checks; ``database`` is always one of them."""

    def __init__(self) -> None:
        self.checks: dict[str, Check] = {"database": database_up}
        self.last_failing: list[str] = []
        """What failed at the last :meth:`failing` (exported as a metric)."""

    def add(self, name: str, check: Check) -> None:
        self.checks[name] = check

    def remove(self, name: str) -> None:
        self.checks.pop(name, None)

    async def failing(self) -> list[str]:
        """The names of the checks that fail now (empty: ready)."""
        down = []
        for name, check in list(self.checks.items()):
            try:
                result = check()
                if not isinstance(result, bool):
                    result = await result
            except asyncio.CancelledError:
                raise
            except Exception:
                log.debug("readiness check %s failed", name, exc_info=True)
                result = False
            if not result:
                down.append(name)
        self.last_failing = down
        return down
