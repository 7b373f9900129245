"""Running the writer's batches on PostgreSQL (see :mod:`copkit.core.writer`), on a pooled
connection the writer keeps between batches.

Taking a connection from tortoise's pool and giving it back for every write costs more than the
write's own statement: asyncpg's release runs in a task of its own (``asyncio.shield``), so a
write took several turns of the event loop besides its round trip. The writer therefore keeps
one connection of the pool (:class:`Held`) for its batches:

* acquired at the first batch, then kept (it leaves the pool's other connections to reads and
  transactions; a pool of fewer than :data:`MIN_POOL` connections is never held from);
* given back and taken afresh when it broke, when a batch on it ended in an exception (a
  cancellation, a failed ``COMMIT``: the pool's release waits for the cancellation and rolls
  back), or when it was left in a transaction;
* given back when the database client closes (asyncpg's ``Pool.close`` waits for every
  connection to come back), or when the pool it came from is no longer the client's;
* used by one batch at a time: a second batch in flight (``PG_WRITERS`` > 1) takes a
  connection from the pool as before.

Writes inside ``store.transaction()`` never come here: they run on that transaction's
connection.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .dberrors import as_tortoise_error

__all__ = ["MIN_POOL", "Held", "pg_batch", "pg_each"]

MIN_POOL = 3
"""The smallest pool the writer keeps a connection of (two or more are left for the others)."""


async def _pg_one(conn: Any, c: Any) -> list[dict[str, Any]]:
    rows: list[Any] = []
    for _try in range(c.tries):
        rows = await conn.fetch(c.sql, *c.values)
        if rows:
            break
    return [dict(r) for r in rows]


async def pg_each(conn: Any, batch: list[Any]) -> list[Any]:
    """Every write of ``batch`` on its own (its own transaction, or the caller's)."""
    results: list[Any] = []
    for c in batch:
        try:
            results.append(await _pg_one(conn, c))
        except Exception as exc:  # noqa: BLE001 - this write fails, not the others
            results.append(as_tortoise_error(exc))
    return results


async def pg_batch(conn: Any, batch: list[Any]) -> list[Any]:
    """Every write of ``batch`` in one transaction; if one fails, each in its own."""
    if len(batch) == 1:  # (the common case, without a loop)
        try:
            return [await _pg_one(conn, batch[0])]
        except Exception as exc:  # noqa: BLE001 - told to its caller
            return [as_tortoise_error(exc)]
    tr = conn.transaction()
    await tr.start()
    results: list[Any] = []
    try:
        for c in batch:
            results.append(await _pg_one(conn, c))
    except Exception:  # noqa: BLE001 - find which: again, one transaction each
        await tr.rollback()
        return await pg_each(conn, batch)
    except BaseException:
        await tr.rollback()
        raise
    await tr.commit()  # (if this fails, every caller is told: nothing is run twice)
    return results


def _dead(conn: Any) -> bool:
    """Whether a pooled connection (asyncpg's proxy) is closed: the pool detaches the proxy of
    one that broke (it then answers nothing but errors)."""
    raw = getattr(conn, "_con", None)
    return raw is None or raw.is_closed()


class Held:
    """The pooled connection one writer keeps (see the module's docstring)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.conn: Any = None
        self.pool: Any = None  # the pool self.conn came from
        self.busy = False
        self._hooked = False

    def takes(self) -> bool:
        """Whether the next batch may run on the kept connection (else: the pool's way)."""
        pool = getattr(self.client, "_pool", None)
        return (
            not self.busy
            and pool is not None
            and not pool.is_closing()
            and pool.get_max_size() >= MIN_POOL
        )

    async def run(self, batch: list[Any]) -> list[Any]:
        """``batch`` in one transaction (:func:`pg_batch`) on the kept connection; call only
        when :meth:`takes` said so."""
        self.busy = True
        try:
            conn = await self._connection()
            raw = conn._con  # (the connection itself, not the pool's proxy of it)
            try:
                results = await pg_batch(raw, batch)
            except BaseException:
                await self._give_back()
                raise
            if _dead(conn) or raw.is_in_transaction() or self.pool.is_closing():
                await self._give_back()
            return results
        finally:
            self.busy = False

    async def _connection(self) -> Any:
        pool = self.client._pool
        if self.conn is not None and (self.pool is not pool or _dead(self.conn)):
            await self._give_back()
        if self.conn is None:
            self._hook_close()
            self.conn = await pool.acquire()
            self.pool = pool
        return self.conn

    async def _give_back(self) -> None:
        conn, pool = self.conn, self.pool
        self.conn = self.pool = None
        if conn is None:
            return
        try:
            await pool.release(conn)
        except Exception:  # noqa: BLE001 - its pool closed meanwhile: close it here
            conn.terminate()

    async def let_go(self) -> None:
        """Give the connection back now unless a batch is on it (that one gives it back as it
        ends: the pool's closing is then under way, see :meth:`takes`)."""
        if not self.busy:
            await self._give_back()

    def _hook_close(self) -> None:
        """Make the client give the connection back before it closes its pool."""
        if self._hooked:
            return
        self._hooked = False
        close: Callable[[], Awaitable[None]] = self.client._close

        async def _close() -> None:
            await self.let_go()
            await close()

        self.client._close = _close
