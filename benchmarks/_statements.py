"""Shared by the benchmarks: count (and time) the statements a piece of work sends to the
database — each one a thread hop on SQLite (aiosqlite) and a round trip on PostgreSQL (asyncpg),
``BEGIN`` and ``COMMIT`` included. On SQLite, a batch of copkit's writer (one function run in
aiosqlite's thread: its writes in one transaction, :mod:`copkit.core.writer`) counts as one.

    with Statements() as st:
        await work()
    st.count, st.log  # [(seconds, sql), …]

The drivers' connection methods are wrapped while a ``Statements`` is open (one at a time).
"""

from __future__ import annotations

import functools
import time
from typing import Any

_SQLITE = ("execute", "execute_insert", "execute_fetchall", "executemany", "commit", "rollback")
_ASYNCPG = ("execute", "fetch", "fetchrow", "fetchval", "executemany")


class Statements:
    def __init__(self) -> None:
        self.log: list[tuple[float, str]] = []
        self._saved: list[tuple[type, str, Any]] = []

    @property
    def count(self) -> int:
        return len(self.log)

    def _wrap(self, cls: type, name: str) -> None:
        original = getattr(cls, name)
        log = self.log

        @functools.wraps(original)
        async def wrapper(conn: Any, *args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return await original(conn, *args, **kwargs)
            finally:
                query = str(args[0]) if args else name.upper()
                log.append((time.perf_counter() - t0, " ".join(query.split())))

        self._saved.append((cls, name, original))
        setattr(cls, name, wrapper)

    def _wrap_writer(self, cls: type) -> None:
        original = cls._execute  # type: ignore[attr-defined]
        log = self.log

        @functools.wraps(original)
        async def wrapper(conn: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
            if getattr(fn, "__name__", "") != "_sqlite_batch":  # (counted by its caller)
                return await original(conn, fn, *args, **kwargs)
            t0 = time.perf_counter()
            try:
                return await original(conn, fn, *args, **kwargs)
            finally:
                log.append((time.perf_counter() - t0, f"writer: {len(args[1])} write(s), one trip"))

        self._saved.append((cls, "_execute", original))
        cls._execute = wrapper  # type: ignore[attr-defined]

    def __enter__(self) -> Statements:
        import aiosqlite

        for name in _SQLITE:
            self._wrap(aiosqlite.Connection, name)
        self._wrap_writer(aiosqlite.Connection)
        try:
            import asyncpg
        except ImportError:  # pragma: no cover - PostgreSQL extra not installed
            return self
        for name in _ASYNCPG:
            self._wrap(asyncpg.connection.Connection, name)
        return self

    def __exit__(self, *exc: object) -> None:
        for cls, name, original in reversed(self._saved):
            setattr(cls, name, original)
        self._saved.clear()

    def report(self, limit: int = 40) -> str:
        lines = [f"{len(self.log)} statements, {sum(t for t, _q in self.log) * 1000:.2f} ms"]
        lines += [f"  {t * 1000:7.3f} ms  {q[:160]}" for t, q in self.log[:limit]]
        return "\n".join(lines)
