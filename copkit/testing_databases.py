"""Fresh databases for tests, fast: the migrations run once per session into a template.

- SQLite: the template is a file; each test gets a copy of it (a file copy takes a millisecond,
  the migrations a second).
- PostgreSQL: the template is a database ``<db>_p<pid>_template`` beside the one the URL names
  (which is left alone), and the tests share one copy of it, ``<db>_p<pid>_work``, emptied
  between tests: every row deleted and the sequences restarted, in one transaction. Emptying
  costs a few milliseconds where ``CREATE DATABASE … TEMPLATE`` costs a few hundred (and TRUNCATE
  more: it creates a new file per table). Whatever a test did to the schema — a plugin of its
  own migrated, a table created, dropped or changed — its tables and migration records are
  dropped, or, if the schema is still not the template's, the copy is made again from the
  template; a copy that something still locks is dropped with its connections and made again.
  Without the right to create databases, the URL's own database is the copy (its schema
  recreated when it must be).
"""

from __future__ import annotations

import graphlib
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .core.plugins import DEFAULT_PLUGINS, build_registry, make_plugin_manager
from .core.storage import upgrade_database

log = logging.getLogger("copkit.testing")

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
        workdir: Path,
        postgres_url: str | None = None,
        *,
        plugins: tuple[str, ...] | list[str] = DEFAULT_PLUGINS,
    ) -> None:
        self.workdir = Path(workdir)
        self.postgres_url = postgres_url
        self.plugins = list(plugins)
        self._template: str | None = None  # the SQLite file, or the PostgreSQL database's name
        self._work: str | None = None  # the URL of the PostgreSQL copy the tests share
        self._schema: _Schema | None = None
        self._can_create = True
        self.copies = 0  # how many times the PostgreSQL template was copied

    async def fresh(self, directory: Path) -> str:
        """The URL of a database, migrated and empty (on SQLite, a file in ``directory``)."""
        if self.postgres_url is None:
            if self._template is None:
                self._template = str(self.workdir / "template.db")
                await upgrade_database(f"sqlite://{self._template}", self._models())
            path = Path(directory) / "copkit.db"
            shutil.copyfile(self._template, path)
            return f"sqlite://{path}"
        if self._work is not None:
            try:
                await self._empty(self._work)
                return self._work
            except Exception as exc:  # changed beyond repair, or locked: copy the template again
                log.info("test database copied again from the template: %r", exc)
        self._work = await self._copy()
        return self._work

    async def close(self) -> None:
        """Drop the PostgreSQL template and its copy."""
        if self.postgres_url and self._can_create and self._template:
            await self._admin(
                f"DROP DATABASE IF EXISTS {_quote(self._prefix + 'work')} WITH (FORCE)",
                f"DROP DATABASE IF EXISTS {_quote(self._template)} WITH (FORCE)",
            )
        self._template = self._work = self._schema = None

    # PostgreSQL --------------------------------------------------------------------------------

    def _models(self) -> list[Any]:
        return build_registry(make_plugin_manager(self.plugins, entry_points_group=None)).models

    @property
    def _prefix(self) -> str:
        assert self.postgres_url is not None
        return f"{_dsn(self.postgres_url).rsplit('/', 1)[1]}_p{os.getpid()}_"

    async def _copy(self) -> str:
        """A new copy of the template (made first if need be); its URL."""
        import asyncpg

        assert self.postgres_url is not None
        if self._template is None and self._can_create:
            name = self._prefix + "template"
            try:
                await self._admin(
                    f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)",
                    f"CREATE DATABASE {_quote(name)}",
                )
            except asyncpg.InsufficientPrivilegeError:
                self._can_create = False
            else:
                await self._drop_abandoned()
                await upgrade_database(_with_database(self.postgres_url, name), self._models())
                self._template = name
        if self._can_create:
            work = self._prefix + "work"
            await self._admin(
                f"DROP DATABASE IF EXISTS {_quote(work)} WITH (FORCE)",
                f"CREATE DATABASE {_quote(work)} TEMPLATE {_quote(str(self._template))}",
            )
            url = _with_database(self.postgres_url, work)
            self.copies += 1
        else:  # one database, the URL's own: recreate its schema
            await self._admin("DROP SCHEMA IF EXISTS public CASCADE", "CREATE SCHEMA public")
            url = self.postgres_url
            await upgrade_database(url, self._models())
        if self._schema is None:
            self._schema = await self._read_schema(url)
        return url

    async def _admin(self, *statements: str) -> None:
        import asyncpg

        assert self.postgres_url is not None
        conn = await asyncpg.connect(_dsn(self.postgres_url))
        try:
            for sql in statements:
                await conn.execute(sql)
        finally:
            await conn.close()

    async def _drop_abandoned(self) -> None:
        """Drop the databases of test sessions that were killed before they could."""
        import asyncpg

        assert self.postgres_url is not None
        base = _dsn(self.postgres_url).rsplit("/", 1)[1]
        conn = await asyncpg.connect(_dsn(self.postgres_url))
        try:
            rows = await conn.fetch("SELECT datname FROM pg_database")
            for (name,) in rows:
                m = re.fullmatch(re.escape(base) + r"_p(\d+)_(template|work)", name)
                if m and int(m[1]) != os.getpid() and not _alive(int(m[1])):
                    await conn.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
        finally:
            await conn.close()

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
