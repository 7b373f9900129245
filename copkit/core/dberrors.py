"""Telling 'the database is unreachable for now' apart from bugs, conflicts and bad input."""

from __future__ import annotations

import errno
import socket
import sqlite3

from tortoise.exceptions import (
    DBConnectionError,
    IntegrityError,
    OperationalError,
    ValidationError,
)

from .errors import PlatformError

try:  # asyncpg is installed with tortoise-orm[asyncpg]; keep the core importable without it
    import asyncpg
    from asyncpg.exceptions import _base as _pg_base

    _PG_DOWN: tuple[type[BaseException], ...] = (
        asyncpg.exceptions.ConnectionDoesNotExistError,
        asyncpg.exceptions.CannotConnectNowError,
        asyncpg.exceptions.AdminShutdownError,
        asyncpg.exceptions.ConnectionFailureError,
        asyncpg.exceptions.InterfaceError,
        # class 53: disk full, out of memory, too many connections: the server is short of
        # something for now ("could not extend file": DiskFullError)
        asyncpg.exceptions.InsufficientResourcesError,
    )
    # Bad values: server-side class 22 ("value too long", "out of range", "invalid byte
    # sequence" for a NUL) and the client-side codec's refusal ("value out of int32 range"),
    # which asyncpg makes a subclass of InterfaceError.
    _PG_DATA: tuple[type[BaseException], ...] = (asyncpg.exceptions.DataError, _pg_base.DataError)
except ImportError:  # pragma: no cover
    _PG_DOWN = ()
    _PG_DATA = ()

# Operating-system errors that mean "the database cannot be reached or written for now".
# Other OSErrors (a file name too long, a missing file) are bugs or bad input, not outages.
_DOWN_ERRNOS = frozenset(
    getattr(errno, name)
    for name in (
        "ECONNREFUSED",
        "ECONNRESET",
        "ECONNABORTED",
        "EHOSTUNREACH",
        "EHOSTDOWN",
        "ENETUNREACH",
        "ENETDOWN",
        "ENETRESET",
        "ETIMEDOUT",
        "EPIPE",
        "EAGAIN",
        "ENOSPC",
        "EDQUOT",
        "EIO",
    )
    if hasattr(errno, name)
)

# SQLite's messages for a database that is busy or cannot be written for now.
_SQLITE_DOWN = ("locked", "database or disk is full", "disk i/o error", "unable to open")

# SQLite's (and the sqlite3 module's) messages for a value it cannot store.
_SQLITE_DATA = ("too large to convert", "too big", "surrogates not allowed", "overflow")


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and link not in seen and len(seen) < 10:
        seen.append(link)
        link = link.__cause__ or link.__context__
    return seen


def is_conflict(exc: BaseException) -> bool:
    """A unique constraint refused a concurrent change."""
    return any(isinstance(e, IntegrityError) for e in _chain(exc))


def is_conflict_in(exc: BaseException, table: str) -> bool:
    """A unique constraint of ``table`` refused the change."""
    for e in _chain(exc):
        if getattr(e, "table_name", None) == table:  # asyncpg's UniqueViolationError
            return getattr(e, "sqlstate", "") == "23505"
        if isinstance(e, sqlite3.IntegrityError) and f"failed: {table}." in str(e):
            return True
    return False


def is_bad_input(exc: BaseException) -> bool:
    """The database refused a value (too long, out of range, a NUL byte, a lone surrogate).

    Input is checked before it gets this far (see :mod:`copkit.core.parsing`); this is the net
    under it, so that a value that slipped through gets a short answer, not the bug apology."""
    for e in _chain(exc):
        if isinstance(e, _PG_DATA) or isinstance(e, ValidationError):
            return True
        if isinstance(e, OverflowError):
            return True
        if isinstance(e, UnicodeEncodeError) and "surrogate" in str(e):
            return True
        if isinstance(e, (sqlite3.DataError, sqlite3.OperationalError)) and any(
            m in str(e).lower() for m in _SQLITE_DATA
        ):
            return True
    return False


def is_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached or written for now (down, restarting, locked, its disk
    full): worth trying again soon.

    A network error wrapped in a :class:`PlatformError` is the chat platform's, not the
    database's; a value the database refused (:func:`is_bad_input`) is not an outage either."""
    if is_bad_input(exc):
        return False
    for e in _chain(exc):
        if isinstance(e, (IntegrityError, PlatformError)):
            return False
        if isinstance(e, (DBConnectionError, ConnectionError, TimeoutError, *_PG_DOWN)):
            return True
        if isinstance(e, socket.gaierror):  # the database's host name does not resolve
            return True
        if isinstance(e, OSError) and e.errno in _DOWN_ERRNOS:
            return True
        if isinstance(e, sqlite3.OperationalError) and any(
            m in str(e).lower() for m in _SQLITE_DOWN
        ):
            return True
    return False


def as_tortoise_error(exc: BaseException) -> BaseException:
    """A driver's error (sqlite3, asyncpg) as tortoise raises it, for what the core's own raw
    statements (:mod:`copkit.core.writer`) report: what the functions above read."""
    if isinstance(exc, sqlite3.IntegrityError):
        new: BaseException = IntegrityError(exc)
    elif isinstance(exc, sqlite3.OperationalError):
        new = OperationalError(exc)
    else:
        try:
            import asyncpg
        except ImportError:  # pragma: no cover
            return exc
        if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
            new = IntegrityError(exc)
        elif isinstance(exc, (asyncpg.SyntaxOrAccessError, asyncpg.exceptions.DataError)):
            new = OperationalError(exc)
        else:
            return exc
    new.__cause__ = exc
    return new
