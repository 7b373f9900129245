"""Writes that are one transaction and one trip to the database, group-committed under load.

A request that writes rows describes them as one :class:`Write`: rows inserted first
(:class:`Row`, e.g. the person seen for the first time), one main statement whose rows come
back (``INSERT … RETURNING``, raw SQL with :mod:`copkit.core.store`'s markers), and rows
inserted only when that statement returned rows (its log line). ``await write(w)`` runs it:

* on SQLite, as one function in aiosqlite's thread (one hop past tortoise's connection lock),
  in one transaction;
* on PostgreSQL, as one statement (the rows become data-modifying ``WITH`` parts), so one
  round trip, its own transaction;
* inside a tortoise transaction (``store.transaction()``), on that transaction's connection:
  it commits with it.

Outside a transaction, writes go through one :class:`Writer` per database connection, which
takes every write queued behind the one in flight into one transaction (group commit). When
a statement fails, the batch is rolled back and run again so that it fails only its caller: on
SQLite each write in its own SAVEPOINT, on PostgreSQL (where a savepoint costs a round trip)
one write per transaction. On PostgreSQL the writer keeps one pooled connection for its
batches rather than taking one from the pool for each (:mod:`copkit.core.pgwrite`). A caller
is answered only after the transaction holding its write committed: nothing acknowledged can
be lost by a crash, and a write that fails is never half done.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import itertools
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.context import require_context
from tortoise.exceptions import OperationalError
from tortoise.models import Model

from . import rowvalues, store
from .dberrors import as_tortoise_error
from .pgwrite import Held, pg_batch, pg_each

__all__ = ["Row", "Write", "Writer", "flush_pending", "pending_rows", "write"]

MAX_BATCH = 200
"""Writes taken into one transaction at most (others' reads get the connection in between)."""


@dataclass(frozen=True, slots=True)
class Row:
    """One row of ``model`` inserted without the ORM: ``values`` by field name (foreign keys by
    their ``…_id``), the other fields at their defaults (``auto_now`` ones now), and
    ``on_conflict`` the rest of an ``ON CONFLICT`` clause (``(a, b) DO NOTHING``), the same on
    both databases."""

    model: type[Model]
    values: dict[str, Any]
    on_conflict: str = ""


@dataclass(frozen=True, slots=True)
class Write:
    """One transaction: ``before`` rows, the main statement ``sql`` (its rows are the
    result; run again up to ``tries`` times while it returns none, for a unique key that said
    no to a concurrent write), then the ``then`` rows — only when ``sql`` returned rows, or
    always when there is no ``sql``. On PostgreSQL the parts run as one statement: ``sql``
    does not see the ``before`` rows.

    ``sqlite``, when given, is the main step on SQLite in place of ``sql``: a function run in
    aiosqlite's thread, inside the write's transaction, that may send several statements (a
    rule that needs one statement's result before the next) and returns the rows. ``sql`` is
    then its PostgreSQL form, typically a call of a function of the database's own."""

    sql: str = ""
    values: Sequence[Any] = ()
    before: tuple[Row, ...] = ()
    then: tuple[Row, ...] = ()
    tries: int = 1
    sqlite: Callable[[sqlite3.Connection], list[dict[str, Any]]] | None = None


# Rows a request has still to write (the person seen for the first time): they join the
# request's first write, or are written on their own when it ends (see flush_pending).
_pending: contextvars.ContextVar[list[Row] | None] = contextvars.ContextVar(
    "copkit_pending_rows", default=None
)


@contextlib.contextmanager
def pending_rows(rows: list[Row]) -> Iterator[list[Row]]:
    """Within the block, ``rows`` join the first :func:`write` made (and leave the list)."""
    token = _pending.set(rows)
    try:
        yield rows
    finally:
        _pending.reset(token)


async def flush_pending() -> None:
    """Write the rows of :func:`pending_rows` no write took."""
    rows = _pending.get()
    if rows:
        await write(Write())


# Compiling --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)  # (one per model and fields: the same object)
class _Columns:
    table: str
    names: tuple[str, ...]  # field names, in column order
    columns: tuple[str, ...]
    pg_types: tuple[str, ...]
    steps: tuple[rowvalues.Step, ...] = field(default=(), compare=False)  # their values


_columns_cache: dict[tuple[type[Model], frozenset[str]], _Columns] = {}


def _columns(model: type[Model], given: frozenset[str]) -> _Columns:
    key = (model, given)
    found = _columns_cache.get(key)
    if found is not None:
        return found
    meta = model._meta
    names, columns, types = [], [], []
    for name, column in meta.fields_db_projection.items():
        f = meta.fields_map[name]
        if f.pk and f.generated and name not in given:
            continue
        names.append(name)
        columns.append(column)
        types.append(str(f.get_for_dialect("postgres", "SQL_TYPE")))
    unknown = given - set(names)
    if unknown:
        raise TypeError(f"{model.__name__} has no field {sorted(unknown)[0]}")
    steps = rowvalues.plan(model, names, given)
    found = _Columns(meta.db_table, tuple(names), tuple(columns), tuple(types), steps)
    _columns_cache[key] = found
    return found


_insert_cache: dict[tuple[Any, ...], str] = {}


def _insert_sql(row: Row, cols: _Columns, *, guard: str = "") -> str:
    key = (cols, row.on_conflict, guard)
    found = _insert_cache.get(key)
    if found is None:
        found = _insert_cache[key] = _make_insert_sql(row, cols, guard=guard)
    return found


def _make_insert_sql(row: Row, cols: _Columns, *, guard: str = "") -> str:
    columns = ", ".join(f'"{c}"' for c in cols.columns)
    conflict = f" ON CONFLICT {row.on_conflict}" if row.on_conflict else ""
    if guard:  # PostgreSQL: typed, only if the guard's part returned rows
        marks = ", ".join(f"?::{t}" for t in cols.pg_types)
        return f'INSERT INTO "{cols.table}" ({columns}) SELECT {marks} WHERE EXISTS (SELECT 1 FROM {guard}){conflict}'
    marks = ", ".join("?" for _ in cols.columns)
    return f'INSERT INTO "{cols.table}" ({columns}) VALUES ({marks}){conflict}'


def _number(query: str) -> str:
    n = itertools.count(1)
    return re.sub(r"\?", lambda _m: f"${next(n)}", query)


@dataclass(slots=True)
class _Sqlite:
    before: list[tuple[str, list[Any]]]
    main: str
    values: list[Any]
    then: list[tuple[str, list[Any]]]
    tries: int
    step: Callable[[sqlite3.Connection], list[dict[str, Any]]] | None = None


@dataclass(slots=True)
class _Postgres:
    sql: str
    values: list[Any]
    tries: int


_pg_cache: dict[tuple[Any, ...], str] = {}
_sqlite_main: dict[str, str] = {}


def _compile(w: Write, dialect: str, taken: tuple[Row, ...] = ()) -> _Sqlite | _Postgres:
    """``w`` for ``dialect``, the ``taken`` rows (a request's pending ones) first of all."""
    if dialect == "sqlite":
        parts = []
        for group in ((*taken, *w.before) if taken else w.before, w.then):
            done = []
            for row in group:
                cols = _columns(row.model, frozenset(row.values))
                done.append((_insert_sql(row, cols), rowvalues.row_values(cols.steps, row.values)))
            parts.append(done)
        main = "" if w.sqlite is not None else _sqlite_main.get(w.sql, "")
        if not main and w.sql and w.sqlite is None:
            main = store.markers(w.sql, postgres=False)
            if len(_sqlite_main) < 1000:
                _sqlite_main[w.sql] = main
        return _Sqlite(parts[0], main, list(w.values), parts[1], max(w.tries, 1), w.sqlite)
    if taken:
        w = dataclasses.replace(w, before=(*taken, *w.before))
    values: list[Any] = []
    cols_before = [_columns(r.model, frozenset(r.values)) for r in w.before]
    cols_then = [_columns(r.model, frozenset(r.values)) for r in w.then]
    for row, cols in zip(w.before, cols_before, strict=True):
        values += rowvalues.row_values(cols.steps, row.values)
    values += list(w.values)
    for row, cols in zip(w.then, cols_then, strict=True):
        values += rowvalues.row_values(cols.steps, row.values)
    key = (  # (a _Columns is one per model and fields: its identity says both)
        w.sql,
        *[(c, r.on_conflict) for r, c in zip(w.before, cols_before, strict=True)],
        None,
        *[(c, r.on_conflict) for r, c in zip(w.then, cols_then, strict=True)],
    )
    text = _pg_cache.get(key)
    if text is None:
        text = _number(_pg_text(w, cols_before, cols_then))
        if len(_pg_cache) < 1000:
            _pg_cache[key] = text
    return _Postgres(text, values, max(w.tries, 1))


def _pg_text(w: Write, cols_before: list[_Columns], cols_then: list[_Columns]) -> str:
    main = store.markers(w.sql) if w.sql else ""
    if not w.before and not w.then and main:
        return main
    parts = [
        f"b{i} AS ({_insert_sql(r, c)})"
        for i, (r, c) in enumerate(zip(w.before, cols_before, strict=True))
    ]
    if main:
        parts.append(f"m AS ({main})")
        parts += [
            f"t{i} AS ({_insert_sql(r, c, guard='m')})"
            for i, (r, c) in enumerate(zip(w.then, cols_then, strict=True))
        ]
        return "WITH " + ", ".join(parts) + " SELECT * FROM m"
    rows = [*zip(w.before, cols_before, strict=True), *zip(w.then, cols_then, strict=True)]
    if len(rows) == 1:  # (no rows come back, as on SQLite)
        return _insert_sql(*rows[0])
    parts += [
        f"t{i} AS ({_insert_sql(r, c)})"
        for i, (r, c) in enumerate(zip(w.then, cols_then, strict=True))
    ]
    return "WITH " + ", ".join(parts) + " SELECT 1 AS done"


# Running ----------------------------------------------------------------------------------


def _sqlite_one(conn: sqlite3.Connection, c: _Sqlite) -> list[dict[str, Any]]:
    for query, values in c.before:
        conn.execute(query, values)
    rows: list[dict[str, Any]] = []
    if c.step is not None:
        rows = c.step(conn)
    elif c.main:
        for _try in range(c.tries):
            rows = [dict(r) for r in conn.execute(c.main, c.values).fetchall()]
            if rows:
                break
    if rows or not (c.main or c.step):
        for query, values in c.then:
            conn.execute(query, values)
    return rows


def _one_statement(c: _Sqlite) -> bool:
    if c.step is not None:
        return False
    if c.main:
        return c.tries == 1 and not c.before and not c.then
    return len(c.before) + len(c.then) == 1


def _sqlite_batch(
    conn: sqlite3.Connection, batch: list[_Sqlite], own_transaction: bool
) -> list[Any]:
    """In aiosqlite's thread: every write of ``batch`` in one transaction (``own_transaction``)
    or in the caller's, each in its own savepoint. In its own transaction the batch first runs
    without them; if a write fails, that is rolled back and the batch runs again, savepoints
    and all (a write alone is simply told its error)."""
    results: list[Any] = []
    if own_transaction and len(batch) == 1 and _one_statement(batch[0]):
        try:  # one statement is a transaction of its own (the connection is in autocommit)
            return [_sqlite_one(conn, batch[0])]
        except Exception as exc:  # noqa: BLE001 - told to its caller
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            return [as_tortoise_error(exc)]
    if own_transaction:
        conn.execute("BEGIN IMMEDIATE")
    try:
        if own_transaction:
            try:
                results = [_sqlite_one(conn, c) for c in batch]
            except Exception as exc:  # noqa: BLE001 - again, to find which
                if not conn.in_transaction:
                    raise  # SQLite rolled back the whole transaction (disk full, …)
                conn.execute("ROLLBACK")
                if len(batch) == 1:
                    return [as_tortoise_error(exc)]
                results = []
                conn.execute("BEGIN IMMEDIATE")
            else:
                conn.execute("COMMIT")
                return results
        for c in batch:
            conn.execute("SAVEPOINT copkit_write")
            try:
                results.append(_sqlite_one(conn, c))
            except Exception as exc:  # noqa: BLE001 - this write fails, not the others
                if not conn.in_transaction:
                    raise  # SQLite rolled back the whole transaction (disk full, …)
                conn.execute("ROLLBACK TO copkit_write")
                results.append(as_tortoise_error(exc))
            conn.execute("RELEASE copkit_write")
        if own_transaction:
            conn.execute("COMMIT")
    except BaseException:
        if own_transaction and conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return results


async def _run_batch(
    client: BaseDBAsyncClient, batch: list[Any], *, joined: bool, held: Held | None = None
) -> list[Any]:
    if held is not None and held.takes():  # PostgreSQL: on the writer's own connection
        return await held.run(batch)
    async with client.acquire_connection() as conn:
        if client.capabilities.dialect == "sqlite":
            return list(await conn._execute(_sqlite_batch, conn._conn, batch, not joined))
        if joined:  # inside the caller's transaction: one statement each, with it
            return await pg_each(conn, batch)
        return await pg_batch(conn, batch)


PG_WRITERS = 1
"""Batches in flight at once on PostgreSQL, each on a pooled connection of its own (a batch is a
round trip per write: several hide each other's latency). SQLite has one connection: one."""


@dataclass
class Writer:
    """Group commit for one database connection (see the module's docstring)."""

    client: BaseDBAsyncClient
    queue: list[tuple[Any, asyncio.Future[Any]]] = field(default_factory=list)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    active: int = 0
    batches: int = 0
    written: int = 0
    held: Held | None = None  # PostgreSQL: the connection kept for batches (pgwrite)

    def __post_init__(self) -> None:
        if self.held is None and self.client.capabilities.dialect == "postgres":
            self.held = Held(self.client)

    @property
    def parallel(self) -> int:
        return 1 if self.client.capabilities.dialect == "sqlite" else PG_WRITERS

    async def submit(self, compiled: Any) -> list[dict[str, Any]]:
        if not self.active and not self.queue:  # nothing else in flight: at once, no task
            self.active += 1
            try:
                (result,) = await _run_batch(self.client, [compiled], joined=False, held=self.held)
            finally:
                self.active -= 1
                if self.queue and not self.active:  # (queued meanwhile: a batch for them)
                    self._start()
            self.batches += 1
            self.written += 1
            if isinstance(result, BaseException):
                raise result
            return result
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.queue.append((compiled, fut))
        if self.active < self.parallel:
            self._start()
        return await fut

    def _start(self) -> None:
        self.active += 1  # (counted down by the task itself, in the same step it sees the
        # queue empty: a write queued after that starts another)
        task = asyncio.create_task(self._drain())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _drain(self) -> None:
        try:
            while self.queue:
                taken, self.queue = self.queue[:MAX_BATCH], self.queue[MAX_BATCH:]
                taken = [(c, f) for c, f in taken if not f.cancelled()]
                if not taken:
                    continue
                try:
                    results = await _run_batch(
                        self.client, [c for c, _f in taken], joined=False, held=self.held
                    )
                except Exception as exc:  # noqa: BLE001 - the whole batch failed: tell all
                    err = as_tortoise_error(exc)
                    results = [err] * len(taken)
                except BaseException as exc:  # cancelled (shutdown): tell all, stop
                    for _c, f in taken:
                        if not f.done():
                            f.set_exception(exc)
                    raise
                self.batches += 1
                self.written += len(taken)
                for (_c, f), result in zip(taken, results, strict=True):
                    if f.done():
                        continue
                    if isinstance(result, BaseException):
                        f.set_exception(result)
                    else:
                        f.set_result(result)
        finally:
            self.active -= 1
            if self.queue and not self.active:  # stopped (shutdown): nobody is left
                for _c, f in self.queue:
                    if not f.done():
                        f.set_exception(OperationalError("the writer stopped"))
                self.queue = []


def writer_of(client: BaseDBAsyncClient) -> Writer:
    found = getattr(client, "_copkit_writer", None)
    if found is None:
        found = Writer(client)
        client._copkit_writer = found  # type: ignore[attr-defined]
    return found


async def write(w: Write) -> list[dict[str, Any]]:
    """Run ``w`` (see the module's docstring); the main statement's rows, as dicts.

    What the request records with its first write (:data:`copkit.core.store.first_write`: the
    adapters' re-delivery record) is one more row of it, in the same transaction: a request
    delivered again to another process at the same moment then fails on that row, writes
    nothing twice and is answered as a re-delivery."""
    client = require_context().connections.get("default")  # (connections.get, sooner)
    transactional = isinstance(client, TransactionalDBClient)
    first = store.first_write.get()
    joined = None
    if first is not None and first.joinable:
        if transactional:  # (a transaction not opened by store.transaction: inside it)
            await first.join_here(client)
        else:
            joined = first
    pending = _pending.get()
    taken: list[Row] = []
    if pending:
        taken = list(pending)
        pending.clear()
    try:
        record = (joined.join_row(),) if joined is not None else ()
        compiled = _compile(w, client.capabilities.dialect, (*record, *taken))
        if transactional:
            (result,) = await _run_batch(client, [compiled], joined=True)
            if isinstance(result, BaseException):
                raise result
            return result
        result = await writer_of(client).submit(compiled)
    except BaseException as exc:
        if pending is not None and taken:
            pending[:0] = taken  # not written: the request's end tries again
        if joined is not None:
            joined.committed(False)
            refusal = joined.refusal(exc)
            if refusal is not None:
                raise refusal from None
        raise
    if joined is not None:
        joined.committed(True)
    return result
