"""Opening the database (SQLite by default, PostgreSQL by URL) and applying migrations."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Sequence
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate

from .errors import StartupError
from .specs import Models

log = logging.getLogger("copkit.storage")

CORE_MODELS = Models(app="core", module="copkit.core.models", migrations="copkit.core.migrations")
DEFAULT_URL = "sqlite://copkit.db"


_URL = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<netloc>[^/?#\s]*)(?P<rest>\S*)", re.I)
_SECRET_PARAM = re.compile(r"([?&;](?:password|passwd|pwd|sslpassword|secret)=)[^&#;\s]*", re.I)


def hide_password(text: str) -> str:
    """Every URL in ``text`` with its password masked: ``postgres://bob:secret@host/db`` →
    ``postgres://bob:***@host/db``; the userinfo ends at the last ``@`` (``bob:pa@ss@host``), and
    a ``?password=…`` (or ``sslpassword``, ``passwd``, ``pwd``) parameter is masked too."""

    def one(m: re.Match[str]) -> str:
        netloc = m["netloc"]
        user, at, host = netloc.rpartition("@")
        if at and ":" in user:
            netloc = f"{user.split(':', 1)[0]}:***@{host}"
        return m["scheme"] + netloc + _SECRET_PARAM.sub(r"\1***", m["rest"])

    return _URL.sub(one, text)


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "asyncpg://", "psycopg://"))


def tortoise_config(url: str, models: Sequence[Models]) -> dict[str, Any]:
    apps: dict[str, Any] = {}
    for m in [CORE_MODELS, *models]:
        app = apps.setdefault(m.app, {"models": [], "default_connection": "default"})
        app["models"].append(m.module)
        if m.migrations:
            app["migrations"] = m.migrations
    if url.startswith("postgresql://"):
        url = "postgres://" + url[len("postgresql://") :]
    if url.startswith("sqlite://") and "synchronous=" not in url:
        # WAL (tortoise's default) with synchronous=NORMAL: a crash of copkit loses no committed
        # change; only a power cut may lose the last moments. Set ?synchronous=FULL to trade speed.
        url += ("&" if "?" in url else "?") + "synchronous=NORMAL"
    return {"connections": {"default": url}, "apps": apps, "use_tz": True, "timezone": "UTC"}


async def open_database(url: str, models: Sequence[Models], *, upgrade: bool = True) -> None:
    """Connect, check the connection and (by default) apply pending migrations.

    Raises :class:`StartupError` with one line naming the URL (password hidden) if unreachable.
    """
    config = tortoise_config(url, models)
    try:
        await _probe_sqlite(url)
        if upgrade:
            async with _migration_lock(url):
                # Core first: tortoise plans each app from its leaf migrations, and a plugin's
                # migration that depends on core's latest one hides that leaf, so a plugin
                # without a declared dependency could otherwise run before core's tables exist.
                await migrate(config=config, app_labels=["core"])
                await migrate(config=config)
        await Tortoise.init(config=config)
        conn = Tortoise.get_connection("default")
        await conn.execute_query("SELECT 1")
        if upgrade and any(not m.migrations for m in models):
            # Third-party models without migrations: create their tables if missing.
            await Tortoise.generate_schemas(safe=True)
    except asyncio.CancelledError:  # SIGTERM or Ctrl-C while starting: close what was opened
        await close_database()
        raise
    except Exception as exc:
        await close_database()
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StartupError(
            f"cannot open the database {hide_password(url)}: {hide_password(reason)[:200]}"
        ) from exc


def sqlite_file(url: str) -> str | None:
    """The file a ``sqlite://`` URL names (``None`` for other databases and ``:memory:``)."""
    if not url.startswith("sqlite://"):
        return None
    path = url[len("sqlite://") :].split("?", 1)[0]
    return None if path in ("", ":memory:") else path


async def _probe_sqlite(url: str) -> None:
    """Open a SQLite file once before tortoise does: tortoise keeps its connection lock when the
    file cannot be opened (a missing directory, no permission), and the next statement then
    waits forever. Raises the error at once instead."""
    path = sqlite_file(url)
    if path is None:
        return
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise OSError(f"no directory {folder}")

    def probe() -> None:
        conn = sqlite3.connect(path, timeout=5)
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        finally:
            conn.close()

    try:
        await asyncio.to_thread(probe)
    except sqlite3.Error as exc:
        raise OSError(f"{exc} ({path})") from exc


MIGRATION_LOCK = 0x636F706B  # "copk": the advisory lock id held while migrating


@contextlib.asynccontextmanager
async def _migration_lock(url: str) -> AsyncIterator[None]:
    """On PostgreSQL, one process migrates at a time: several processes started together on an
    empty database would otherwise all create the same tables. (SQLite locks the file itself.)"""
    if not is_postgres(url):
        yield
        return
    import asyncpg

    dsn = re.sub(r"^[a-z]+://", "postgresql://", url).split("?", 1)[0]
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        yield
    finally:
        await conn.close()  # releases the lock


async def upgrade_database(url: str, models: Sequence[Models]) -> None:
    """Apply every pending migration (``copkit db upgrade``)."""
    await open_database(url, models, upgrade=True)
    await close_database()


async def close_database() -> None:
    try:
        await Tortoise.close_connections()
    except Exception:  # closing twice or after a failed init
        log.debug("close_connections failed", exc_info=True)
    # tortoise caches each model's SQL per connection name, not per dialect: forget it, so that
    # the next database opened in this process (SQLite after PostgreSQL, say) gets its own.
    EXECUTOR_CACHE.clear()
