"""Fresh databases for tests, fast: the migrations run into a template, once for as long as they
do not change (the template is named after a digest of the migrations and models, and kept).

- SQLite: the template is a file in the temporary directory; each test gets a copy of it (a file
  copy takes a millisecond, the migrations a second or more).
- PostgreSQL: the template is a database ``<db>_tmpl_<digest>`` beside the one the URL names
  (which is left alone), and a session's tests share one copy of it, ``<db>_p<pid>_work``,
  emptied between tests: every row deleted and the sequences restarted, in one transaction.
  Emptying costs a few milliseconds where ``CREATE DATABASE … TEMPLATE`` costs a few hundred
  (TRUNCATE more: it makes a new file per table). Whatever a test did to the schema — a plugin
  of its own migrated, a table created, dropped or changed — its extra tables and migration
  records are dropped, or, if the schema is still not the template's, the copy is made again; a
  copy that something still locks is dropped with its connections and made again. The copy
  outlives the session, and the next session takes it over (renamed) when its owner is gone,
  so no session waits for a database to be dropped. Without the right to create databases, the
  URL's own database is the copy (its schema made again when it must be).
"""

from __future__ import annotations

import graphlib
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .core.plugins import DEFAULT_PLUGINS, build_registry, make_plugin_manager
from .core.schema_cache import digest as schema_digest
from .core.specs import Models
from .core.storage import CORE_APPS, upgrade_database

log = logging.getLogger("copkit.testing")

TEMPLATE_LOCK = 0x636F7074  # "copt": held on the URL's database while a template is made or copied

TABLES = """SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')"""
FOREIGN_KEYS = """SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c
 WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace"""
SEQUENCES = """SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S'"""
# What the schema is, by name (never by oid, so that a copy has the template's fingerprint).
FINGERPRINT = """SELECT md5(coalesce(string_agg(x, ',' ORDER BY x), '')) FROM (
  SELECT 'rel ' || c.relname || ' ' || c.relkind::text AS x FROM pg_class c
   WHERE c.relnamespace = 'public'::regnamespace
  UNION ALL
  SELECT 'col ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || ' ' || a.attnotnull::text || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'con ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
  UNION ALL
  SELECT 'idx ' || indexrelid::regclass::text || ' ' || pg_get_indexdef(indexrelid)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
   WHERE c.relnamespace = 'public'::regnamespace
  UNION ALL
  SELECT 'typ ' || t.typname || ' ' || t.typtype::text FROM pg_type t
   WHERE t.typnamespace = 'public'::regnamespace AND t.typtype <> 'c'
  UNION ALL
  SELECT 'fun ' || p.proname FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
  UNION ALL
  SELECT 'mig ' || app || ' ' || name FROM tortoise_migrations
) s"""


def _dsn(url: str) -> str:
    """What asyncpg accepts: ``postgresql://``, without tortoise's pool options."""
    return re.sub(r"^[a-z]+://", "postgresql://", url).split("?", 1)[0]


def _with_database(url: str, name: str) -> str:
    """``url`` naming the database ``name`` instead (its options kept)."""
    head, sep, query = url.partition("?")
    return re.sub(r"/[^/]*$", "/" + name, head) + sep + query


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def digest(models: list[Models]) -> str:
    """What the template holds, in 12 hex digits: the apps, their models and migrations."""
    return schema_digest(models, CORE_APPS)


class _Changed(Exception):
    """The copy's schema is no longer the template's."""


@dataclass
class _Schema:
    """The template's schema, as emptying a copy needs it."""

    tables: frozenset[str]
    fingerprint: str
    migrations: int  # the highest id in tortoise_migrations
    empty_sql: str  # deletes every row (children before parents) and restarts the sequences


class DatabaseTemplate:
    """Fresh, migrated databases for tests (see the module's docstring for how).

    Only the built-in plugins' migrations are in the template; a test's own plugins migrate
    their models on top when its :class:`~copkit.testing.Harness` opens, as in production.
    """

    def __init__(
        self,
        workdir: Path | None = None,
        postgres_url: str | None = None,
        *,
        plugins: tuple[str, ...] | list[str] = DEFAULT_PLUGINS,
    ) -> None:
        self.workdir = (
            Path(workdir or tempfile.gettempdir())
            / f"copkit-templates-{getattr(os, 'getuid', lambda: 0)()}"
        )
        self.postgres_url = postgres_url
        self.plugins = list(plugins)
        self._digest = ""
        self._template: str | None = None  # the SQLite file, or the PostgreSQL database's name
        self._work: str | None = None  # the URL of the PostgreSQL copy the tests share
        self._schema: _Schema | None = None
        self._can_create = True
        self.copies = 0  # how many times the PostgreSQL template was copied

    async def fresh(self, directory: Path) -> str:
        """The URL of a database, migrated and empty (on SQLite, a file in ``directory``)."""
        if self.postgres_url is None:
            path = Path(directory) / "copkit.db"
            shutil.copyfile(await self._sqlite_template(), path)
            return f"sqlite://{path}"
        if self._work is not None:
            try:
                await self._empty(self._work)
                return self._work
            except Exception as exc:  # changed beyond repair, or locked: copy the template again
                log.info("test database copied again from the template: %r", exc)
        self._work = await self._copy(adopt=self._work is None)
        return self._work

    def close(self) -> None:
        """Forget the session's copy (it stays, for the next session to take over)."""
        self._work = self._schema = None

    def _models(self) -> list[Models]:
        return build_registry(make_plugin_manager(self.plugins, entry_points_group=None)).models

    async def _sqlite_template(self) -> str:
        if self._template is None:
            models = self._models()
            path = self.workdir / f"template-{digest(models)}.db"
            if not path.exists():
                self.workdir.mkdir(parents=True, exist_ok=True)
                building = path.with_suffix(f".{os.getpid()}.tmp")
                await upgrade_database(f"sqlite://{building}", models)
                os.replace(building, path)  # whole or not at all, for sessions running at once
            self._template = str(path)
        return self._template

    # PostgreSQL --------------------------------------------------------------------------------

    @property
    def _base(self) -> str:
        assert self.postgres_url is not None
        return _dsn(self.postgres_url).rsplit("/", 1)[1]

    async def _copy(self, *, adopt: bool) -> str:
        """The URL of a new copy of the template (made first if need be). With ``adopt``, the
        copy a finished session left may be taken over instead; it is emptied and checked."""
        import asyncpg

        assert self.postgres_url is not None
        conn = await asyncpg.connect(_dsn(self.postgres_url))
        try:
            await conn.execute("SELECT pg_advisory_lock($1)", TEMPLATE_LOCK)
            if self._template is None and self._can_create:
                await self._make_template(conn)
            if not self._can_create:  # one database, the URL's own: make its schema again
                await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
                await upgrade_database(self.postgres_url, self._models())
                self._schema = self._schema or await self._read_schema(self.postgres_url)
                return self.postgres_url
            work = f"{self._base}_p{os.getpid()}_work"
            url = _with_database(self.postgres_url, work)
            if adopt and await self._adopt(conn, work):
                try:
                    await self._empty(url)
                    return url
                except Exception as exc:
                    log.info("the previous session's test database is not reusable: %r", exc)
            await conn.execute(f"DROP DATABASE IF EXISTS {_quote(work)} WITH (FORCE)")
            template = str(self._template)
            await conn.execute(f"CREATE DATABASE {_quote(work)} TEMPLATE {_quote(template)}")
            self.copies += 1
            return url
        finally:
            await conn.close()  # and the lock with it

    async def _make_template(self, conn: Any) -> None:
        """Find the template for these migrations, or make it (under the lock)."""
        import asyncpg

        assert self.postgres_url is not None
        models = self._models()
        name = f"{self._base}_tmpl_{digest(models)}"
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            building = name + "_new"
            try:
                await conn.execute(f"DROP DATABASE IF EXISTS {_quote(building)} WITH (FORCE)")
                await conn.execute(f"CREATE DATABASE {_quote(building)}")
            except asyncpg.InsufficientPrivilegeError:
                self._can_create = False
                return
            await upgrade_database(_with_database(self.postgres_url, building), models)
            await conn.execute(f"ALTER DATABASE {_quote(building)} RENAME TO {_quote(name)}")
        self._schema = await self._read_schema(_with_database(self.postgres_url, name))
        self._template = name

    async def _adopt(self, conn: Any, work: str) -> bool:
        """Rename to ``work`` a copy whose session is over; whether there was one."""
        for (name,) in await conn.fetch("SELECT datname FROM pg_database"):
            m = re.fullmatch(re.escape(self._base) + r"_p(\d+)_work", name)
            if m and (name == work or not _alive(int(m[1]))):
                if name != work:
                    try:
                        await conn.execute(
                            f"ALTER DATABASE {_quote(name)} RENAME TO {_quote(work)}"
                        )
                    except Exception:  # still in use, or taken by another session just now
                        continue
                return True
        return False

    async def _read_schema(self, url: str) -> _Schema:
        import asyncpg

        conn = await asyncpg.connect(_dsn(url))
        try:
            tables = frozenset(r[0] for r in await conn.fetch(TABLES))
            children: dict[str, set[str]] = {t: set() for t in tables}
            for child, parent in await conn.fetch(FOREIGN_KEYS):
                if child != parent and parent in children:
                    children[parent].add(child)
            sequences = [r[0] for r in await conn.fetch(SEQUENCES)]
            fingerprint = await conn.fetchval(FINGERPRINT)
            migrations = await conn.fetchval("SELECT coalesce(max(id), 0) FROM tortoise_migrations")
        finally:
            await conn.close()
        data = sorted(tables - {"tortoise_migrations"})
        try:  # children before the parents they refer to
            order = [t for t in graphlib.TopologicalSorter(children).static_order() if t in data]
            statements = [f"DELETE FROM {_quote(t)}" for t in order]
        except graphlib.CycleError:
            statements = ["TRUNCATE " + ", ".join(map(_quote, data)) + " CASCADE"]
        statements += [
            f"SELECT setval('{_quote(s)}', 1, false)"
            for s in sequences
            if s != "tortoise_migrations_id_seq"
        ]
        statements.append(f"SELECT setval('tortoise_migrations_id_seq', {max(migrations, 1)})")
        return _Schema(tables, fingerprint, migrations, ";\n".join(statements))

    async def _empty(self, url: str) -> None:
        """Delete every row of the copy at ``url``, or raise if its schema is not the template's."""
        import asyncpg

        schema = self._schema
        assert schema is not None
        conn = await asyncpg.connect(_dsn(url))
        try:
            async with conn.transaction():
                await conn.execute("SET LOCAL lock_timeout = '2s'")
                extra = {r[0] for r in await conn.fetch(TABLES)} - schema.tables
                if extra:
                    await conn.execute(f"DROP TABLE {', '.join(map(_quote, extra))} CASCADE")
                await conn.execute(
                    "DELETE FROM tortoise_migrations WHERE id > $1", schema.migrations
                )
                if await conn.fetchval(FINGERPRINT) != schema.fingerprint:
                    raise _Changed(url)
                await conn.execute(schema.empty_sql)
        finally:
            await conn.close()
