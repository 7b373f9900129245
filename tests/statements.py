"""Counting the statements a piece of code sends to the database (no tests here).

Every call that makes a round trip to the database is counted where the driver is entered:
aiosqlite's ``execute``/``execute_fetchall``/``execute_insert``/``executemany``/``executescript``
and ``commit``/``rollback`` (each a hop to its thread and a statement or a transaction end), and
asyncpg's ``execute``/``fetch``/``fetchrow``/``fetchval``/``executemany`` (``BEGIN`` and
``COMMIT`` included: tortoise sends them with ``execute``). Whatever tortoise or copkit does
above that, a statement cannot go uncounted."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import aiosqlite
import asyncpg

_SQLITE = (
    "execute",
    "execute_fetchall",
    "execute_insert",
    "executemany",
    "executescript",
    "commit",
    "rollback",
)
_ASYNCPG = ("execute", "fetch", "fetchrow", "fetchval", "executemany")


@dataclass
class Statements:
    seen: list[str] = field(default_factory=list)
    counting: bool = False

    @property
    def count(self) -> int:
        return len(self.seen)

    def __str__(self) -> str:
        return "\n".join(f"{n}. {s[:160]}" for n, s in enumerate(self.seen, 1))


@contextlib.contextmanager
def statement_counter() -> Iterator[Statements]:
    """Patch both drivers while the block runs; ``counting`` says when calls are counted."""
    st = Statements()
    patched: list[tuple[type, str, Any]] = []

    def wrap(cls: type, name: str) -> None:
        original = getattr(cls, name)

        @functools.wraps(original)
        async def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
            if st.counting:
                st.seen.append(str(args[0]) if args else name.upper())
            return await original(self, *args, **kwargs)

        patched.append((cls, name, original))
        setattr(cls, name, counted)

    for name in _SQLITE:
        wrap(aiosqlite.Connection, name)
    for name in _ASYNCPG:
        wrap(asyncpg.connection.Connection, name)
    try:
        yield st
    finally:
        for cls, name, original in reversed(patched):
            setattr(cls, name, original)


@contextlib.contextmanager
def counting(st: Statements) -> Iterator[None]:
    st.seen.clear()
    st.counting = True
    try:
        yield
    finally:
        st.counting = False
