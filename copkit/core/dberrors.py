"""Telling 'the database is unreachable for now' apart from bugs and conflicts."""

from __future__ import annotations

import sqlite3

from tortoise.exceptions import DBConnectionError, IntegrityError

from .errors import PlatformError

try:  # asyncpg is installed with tortoise-orm[asyncpg]; keep the core importable without it
    import asyncpg

    _PG_DOWN: tuple[type[BaseException], ...] = (
        asyncpg.exceptions.ConnectionDoesNotExistError,
        asyncpg.exceptions.CannotConnectNowError,
        asyncpg.exceptions.AdminShutdownError,
        asyncpg.exceptions.ConnectionFailureError,
        asyncpg.exceptions.InterfaceError,
        asyncpg.exceptions.TooManyConnectionsError,
    )
except ImportError:  # pragma: no cover
    _PG_DOWN = ()


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and exc not in seen and len(seen) < 10:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return seen


def is_conflict(exc: BaseException) -> bool:
    """A unique constraint refused a concurrent change."""
    return any(isinstance(e, IntegrityError) for e in _chain(exc))


def is_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached (down, restarting, locked): worth trying again soon.

    A network error wrapped in a :class:`PlatformError` is the chat platform's, not the database's.
    """
    for e in _chain(exc):
        if isinstance(e, (IntegrityError, PlatformError)):
            return False
        if isinstance(e, (DBConnectionError, ConnectionError, TimeoutError, *_PG_DOWN)):
            return True
        if isinstance(e, OSError) and e.errno is not None:
            return True
        if isinstance(e, sqlite3.OperationalError) and "locked" in str(e):
            return True
    return False
