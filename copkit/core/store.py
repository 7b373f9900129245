"""Storage helpers for plugins: one transaction, insert-if-absent, upsert, locks and raw SQL
written once for both databases. Plugins use these instead of dialect branches and
``except IntegrityError`` workarounds.

Raw SQL is written with ``?`` placeholders and two markers that differ between the databases:

* ``{lock}``: a row lock clause (``FOR SHARE OF <alias>``) that PostgreSQL needs to serialise a
  conditional insert against a concurrent update, and SQLite (one writer at a time) does not —
  write it as ``{lock:s}`` for the alias ``s``;
* ``{new_row}``: ``+ 1`` on PostgreSQL, whose sub-queries in ``INSERT … RETURNING`` see the
  table as it was before the statement, nothing on SQLite, whose sub-queries see the new row.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
from collections.abc import AsyncIterator
from contextvars import ContextVar
from typing import Any, Protocol, TypeVar

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

M = TypeVar("M", bound=Model)

_LOCK = re.compile(r"\{lock(?::(\w+))?\}")


def dialect() -> str:
    """``"sqlite"`` or ``"postgres"``."""
    return str(connections.get("default").capabilities.dialect)


def is_sqlite() -> bool:
    return dialect() == "sqlite"


def markers(query: str, postgres: bool = True) -> str:
    """``query`` with its markers resolved for PostgreSQL (or SQLite), ``?`` left as they are."""
    if not postgres:
        return _LOCK.sub("", query).replace("{new_row}", "")
    query = _LOCK.sub(lambda m: f" FOR SHARE OF {m.group(1) or 's'}", query)
    return query.replace("{new_row}", " + 1")


def sql(query: str) -> str:
    """``query`` for the open database: markers resolved, ``?`` numbered on PostgreSQL."""
    if is_sqlite():
        return markers(query, postgres=False)
    query = markers(query)
    n = itertools.count(1)
    return re.sub(r"\?", lambda _m: f"${next(n)}", query)


async def rows(query: str, values: list[Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """Run ``query`` (see :func:`sql`) and return its rows, ``RETURNING`` rows included."""
    conn = connections.get("default")
    return list(await conn.execute_query_dict(sql(query), list(values)))


async def execute(query: str, values: list[Any] | tuple[Any, ...] = ()) -> int:
    """Run ``query`` (see :func:`sql`); the number of rows it changed."""
    conn = connections.get("default")
    changed, _rows = await conn.execute_query(sql(query), list(values))
    return int(changed or 0)


class FirstWrite(Protocol):
    """Something a request records with its first write, in the same commit (the adapters'
    re-delivery record, :class:`copkit.core.deliveries.Claim`)."""

    @property
    def joinable(self) -> bool: ...

    async def join(self, conn: Any) -> None: ...

    async def join_here(self, conn: Any) -> None: ...

    def join_row(self) -> Any:
        """The record as a row of the write that carries it (:class:`copkit.core.writer.Row`)."""

    def refusal(self, exc: BaseException) -> BaseException | None:
        """What to raise when that write failed because the record was made before."""

    def committed(self, ok: bool) -> None: ...

    async def before_effect(self) -> None: ...


first_write: ContextVar[FirstWrite | None] = ContextVar("copkit_first_write", default=None)


@contextlib.asynccontextmanager
async def _joined(pending: FirstWrite) -> AsyncIterator[Any]:
    ok = False
    try:
        async with in_transaction() as conn:
            await pending.join(conn)
            yield conn
        ok = True
    finally:
        pending.committed(ok)


def transaction() -> contextlib.AbstractAsyncContextManager[Any]:
    """One transaction around what follows (nested calls join it). The request's first one
    also carries what the request records with its first write (:data:`first_write`)."""
    pending = first_write.get()
    if pending is not None and pending.joinable:
        return _joined(pending)
    return in_transaction()


@contextlib.asynccontextmanager
async def _recorded_first(pending: FirstWrite) -> AsyncIterator[None]:
    await pending.before_effect()
    yield


def one_commit() -> contextlib.AbstractAsyncContextManager[Any]:
    """A transaction where it saves a disk flush (PostgreSQL); on SQLite, whose commits are
    cheap, none (a transaction there only holds its one connection longer: what the request
    records with its first write goes just before it)."""
    if not is_sqlite():
        return transaction()
    pending = first_write.get()
    if pending is not None and pending.joinable:
        return _recorded_first(pending)
    return contextlib.nullcontext()


async def insert_if_absent(model: type[M], **fields: Any) -> M | None:
    """Insert a row unless a unique key says it exists; the new row, or ``None``."""
    try:
        async with transaction():  # (with the request's re-delivery record, if it has one)
            return await model.create(**fields)
    except IntegrityError:
        return None


async def upsert(model: type[M], keys: dict[str, Any], values: dict[str, Any]) -> M:
    """The row with ``keys``, created with ``values`` or updated to them, whoever races."""
    for _attempt in range(3):
        row = await model.get_or_none(**keys)
        if row is not None:
            if values:
                await model.filter(pk=row.pk).update(**values)
                for k, v in values.items():
                    setattr(row, k, v)
            return row
        created = await insert_if_absent(model, **keys, **values)
        if created is not None:
            return created
    raise IntegrityError(f"could not upsert {model.__name__} {keys}")


async def column(query: QuerySet[Any], field: str) -> list[Any]:
    """One field of the query's rows, as a flat list: ``values_list(field, flat=True)``, whose
    result tortoise types as a list of tuples whatever ``flat`` says."""
    return await query.values_list(field, flat=True)


_process_locks: dict[str, tuple[asyncio.Lock, list[int]]] = {}


@contextlib.asynccontextmanager
async def advisory_lock(name: str) -> AsyncIterator[None]:
    """Hold ``name`` against every other holder, in this process and (PostgreSQL) in others,
    inside one transaction that also holds what is read and written meanwhile."""
    lock, users = _process_locks.setdefault(name, (asyncio.Lock(), [0]))
    users[0] += 1
    try:
        async with lock:
            if is_sqlite():
                yield
                return
            async with in_transaction():
                await connections.get("default").execute_query(
                    "SELECT pg_advisory_xact_lock(hashtext($1))", [name]
                )
                yield
    finally:
        users[0] -= 1
        if not users[0]:
            del _process_locks[name]
