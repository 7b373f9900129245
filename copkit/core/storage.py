"""Opening the database (SQLite by default, PostgreSQL by URL) and applying migrations."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate

from . import firstwrite
from .errors import StartupError
from .schema_cache import start_from_cache
from .specs import Models
from .urls import DEFAULT_URL, hide_password, is_postgres

__all__ = ["CORE_MODELS", "DEFAULT_URL", "hide_password", "is_postgres", "open_database"]

log = logging.getLogger("copkit.storage")

CORE_MODELS = Models(app="core", module="copkit.core.models", migrations="copkit.core.migrations")
FACILITATION_MODELS = Models(
    app="facilitation",
    module="copkit.core.facilitation.models",
    migrations="copkit.core.facilitation.migrations",
)
"""The shared facilitation moves' tables (:mod:`copkit.core.facilitation`): always there, so any
format may use them without declaring them."""
GOALS_MODELS = Models(
    app="goals", module="copkit.core.goals_models", migrations="copkit.core.goals_migrations"
)
ACTIONS_MODELS = Models(
    app="actions", module="copkit.core.actions_models", migrations="copkit.core.actions_migrations"
)
"""The open actions' reviews (:mod:`copkit.core.actions`)."""
BRAND_MODELS = Models(
    app="brand", module="copkit.core.brand_models", migrations="copkit.core.brand_migrations"
)
"""The communities' brands (:mod:`copkit.core.brand`)."""
CORE_APPS = (CORE_MODELS, GOALS_MODELS, FACILITATION_MODELS, ACTIONS_MODELS, BRAND_MODELS)
"""The core's own apps, present whichever plugins are installed."""


def tortoise_config(url: str, models: Sequence[Models]) -> dict[str, Any]:
    apps: dict[str, Any] = {}
    for m in [*CORE_APPS, *models]:
        app = apps.setdefault(m.app, {"models": [], "default_connection": "default"})
        if m.module not in app["models"]:  # (shared models, e.g. facilitation, come once)
            app["models"].append(m.module)
        if m.migrations:
            app["migrations"] = m.migrations
    if url.startswith("postgresql://"):
        url = "postgres://" + url[len("postgresql://") :]
    if url.startswith("sqlite://") and "synchronous=" not in url:
        # WAL (tortoise's default) with synchronous=NORMAL: a crash of copkit loses no committed
        # change; only a power cut may lose the last moments. Set ?synchronous=FULL to trade speed.
        url += ("&" if "?" in url else "?") + "synchronous=NORMAL"
    if url.startswith("sqlite://") and "secure_delete=" not in url:
        # Deleted and overwritten rows are zeroed in the file, not left in free space (see scrub).
        url += ("&" if "?" in url else "?") + "secure_delete=ON"
    default: str | dict[str, Any] = url
    if url.startswith("postgres://"):
        from tortoise.backends.base.config_generator import expand_db_url

        default = expand_db_url(url)
        default["credentials"].setdefault("reset", _keep_session)
    return {"connections": {"default": default}, "apps": apps, "use_tz": True, "timezone": "UTC"}


async def _keep_session(conn: Any) -> None:
    """What the pool does to a connection it takes back, after asyncpg has rolled back any open
    transaction: nothing more. asyncpg's default reset (``pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *; RESET ALL``) is a round trip on every release, and tortoise releases after every
    statement outside a transaction. Pooled connections hold no session state to undo: copkit's
    locks are transaction-level (``pg_advisory_xact_lock``), its settings ``SET LOCAL``, and
    LISTEN and session locks run on connections of their own (``cachebus``, migrations)."""


async def open_database(
    url: str, models: Sequence[Models], *, upgrade: bool = True, cached: bool = True
) -> None:
    """Connect, check the connection and (by default) apply pending migrations. A new SQLite
    file starts as a copy of the cached migrated database (:mod:`copkit.core.schema_cache`)
    unless ``cached`` is false.

    Raises :class:`StartupError` with one line naming the URL (password hidden) if unreachable.
    """
    firstwrite.install()
    config = tortoise_config(url, models)
    try:
        path = sqlite_file(url)
        if upgrade and cached and path is not None and os.path.isdir(os.path.dirname(path) or "."):

            async def migrate_into(other: str) -> None:
                await open_database(other, models, upgrade=True, cached=False)
                await close_database()

            await start_from_cache(path, models, CORE_APPS, migrate_into)
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


def check_url(url: str) -> None:
    """Refuse at once, without the ORM, a SQLite file in a missing directory (``copkit run``
    checks before it starts anything else)."""
    path = sqlite_file(url)
    if path is None:
        return
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise StartupError(f"cannot open the database {hide_password(url)}: no directory {folder}")


PROBE_TRY = 0.2  # seconds
PROBE_WAIT = 5.0


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
        conn = sqlite3.connect(path, timeout=PROBE_TRY)
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        finally:
            conn.close()

    # Short tries rather than one long wait: a locked file (another process migrating) is
    # waited for up to PROBE_WAIT seconds, and a stop while waiting is not held up by a thread
    # sitting in SQLite's busy wait.
    deadline = time.monotonic() + PROBE_WAIT
    while True:
        try:
            await asyncio.to_thread(probe)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise OSError(f"{exc} ({path})") from exc
            if time.monotonic() >= deadline:
                raise OSError(f"{exc} ({path})") from exc
        except sqlite3.Error as exc:
            raise OSError(f"{exc} ({path})") from exc


SCRUB_TRIES = 30
SCRUB_WAIT = 0.1  # seconds
# Sessions with a transaction that began before now: any of them, in any database of the server
# (a snapshot's horizon is the oldest transaction running anywhere), keeps the rows just deleted
# "recently dead", and VACUUM FULL copies those.
HOLDERS = (
    "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
    " AND (backend_xmin IS NOT NULL OR backend_xid IS NOT NULL)"
    " AND xact_start < statement_timestamp()"
)


async def secure_delete() -> None:
    """Before deleting what must not outlive its deletion: on SQLite, make sure this connection
    zeroes freed space (``secure_delete``, also set for every connection by the URL)."""
    conn = Tortoise.get_connection("default")
    if conn.capabilities.dialect == "sqlite":
        await conn.execute_query("PRAGMA secure_delete = ON")


async def scrub(tables: Sequence[str]) -> bool:
    """Make what was just deleted from ``tables`` unreadable in the database's files, for data
    that must not outlive its deletion (a health check's member ↔ answer link). Call it after
    the deleting transaction committed, outside any transaction.

    SQLite (with ``secure_delete``, zeroing freed space): the WAL, which keeps old page images
    until a checkpoint, is checkpointed into the file and truncated to nothing. PostgreSQL:
    ``VACUUM FULL`` rewrites the tables and their indexes without the dead tuples (a plain
    VACUUM leaves their bytes in the pages' free space), on a pooled connection of its own, as
    VACUUM cannot run in a transaction. Returns whether it fully succeeded (never raises:
    the caller's change stands either way, and a later scrub catches up)."""
    conn = Tortoise.get_connection("default")
    dialect = conn.capabilities.dialect
    try:
        if dialect == "sqlite":
            await conn.execute_query("PRAGMA secure_delete = ON")
            _n, rows = await conn.execute_query("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = bool(rows and rows[0][0])
            if busy:
                log.warning("the WAL could not be checkpointed now (another reader)")
            return not busy
        if dialect == "postgres":
            pool = getattr(conn, "_pool", None)
            names = ", ".join('"' + t.replace('"', '""') + '"' for t in tables)
            if pool is None:  # not pooled (a transaction wrapper): its own connection
                await conn.execute_script(f"VACUUM FULL {names}")
                return True
            async with pool.acquire() as raw:
                # VACUUM FULL keeps the dead tuples an older transaction may still see (one
                # open anywhere on the server, an autovacuum ANALYZE): wait a moment for them.
                clear = False
                for _try in range(SCRUB_TRIES):
                    clear = not await raw.fetchval(HOLDERS)
                    if clear:
                        break
                    await asyncio.sleep(SCRUB_WAIT)
                await raw.execute(f"VACUUM FULL {names}")
            if not clear:
                log.warning("deleted rows may survive until the next scrub (a long transaction)")
            return clear
    except Exception as exc:  # noqa: BLE001 - never lose the caller's work over a clean-up
        log.warning("could not scrub deleted rows: %s", type(exc).__name__)
        return False
    return True


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


def share_database_context() -> None:
    """Make the database opened later in this task visible to tasks created from now on.

    tortoise keeps its connections in a context variable: a server started before the database
    is opened (the HTTP server answers "starting" meanwhile) would copy the context without
    them. Entering tortoise's context object now, empty, lets the later opening fill that same
    object, which every task copied from here shares."""
    from tortoise.context import TortoiseContext, get_current_context

    if get_current_context() is None:
        TortoiseContext().__enter__()


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
