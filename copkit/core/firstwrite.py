"""A request's re-delivery record is made before any of its writes, whichever way they go.

The record (:data:`copkit.core.store.first_write`, the adapters' :class:`~copkit.core.deliveries.
Claim`) joins the request's first write when that write goes through :func:`copkit.core.writer.
write` or :func:`copkit.core.store.transaction`. Any other write — the ORM's ``create``,
``update`` or ``delete``, :func:`copkit.core.store.rows`, a plugin's own ``in_transaction()`` —
would otherwise run before it: the same activity delivered again to another process at that
moment would do it twice. :func:`install` wraps the database clients' statement methods so that
the first writing statement of a request that holds an unmade record makes the record first: on
its own (one statement more), or inside the transaction the statement runs in (committed with
it). Reads and requests without a record pass through unchanged.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from tortoise.backends.base.client import TransactionalDBClient

from . import store

__all__ = ["install", "is_write"]

_WRITE_HEAD = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_WRITE_WORD = re.compile(r"\b(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
_METHODS = ("execute_insert", "execute_query", "execute_query_dict", "execute_many")


def is_write(query: Any) -> bool:
    """Whether ``query`` changes rows (an ``INSERT``, ``UPDATE`` or ``DELETE``, also as a part
    of ``WITH``)."""
    text = str(query).lstrip()
    head = text[:7].upper()
    if head.startswith(_WRITE_HEAD):
        return True
    return head.startswith("WITH") and _WRITE_WORD.search(text) is not None


def _wrapped(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    async def statement(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        record = store.first_write.get()
        if record is not None and record.joinable and is_write(query):
            if isinstance(self, TransactionalDBClient):
                await record.join_here(self)
            else:
                await record.before_effect()
        return await method(self, query, *args, **kwargs)

    statement.__copkit_first_write__ = True  # type: ignore[attr-defined]
    return statement


def _clients() -> list[type]:
    from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionWrapper

    found: list[type] = [SqliteClient, SqliteTransactionWrapper]
    try:
        from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
    except ImportError:  # pragma: no cover - asyncpg comes with copkit
        return found
    return [*found, AsyncpgDBClient, TransactionWrapper]


def install() -> None:
    """Wrap the statement methods of tortoise's SQLite and asyncpg clients (once)."""
    for cls in _clients():
        for name in _METHODS:
            method = cls.__dict__.get(name)
            if method is None or getattr(method, "__copkit_first_write__", False):
                continue  # inherited (wrapped on its base) or wrapped already
            setattr(cls, name, _wrapped(method))
