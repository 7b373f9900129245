"""The hot queries use an index, on SQLite and on PostgreSQL (EXPLAIN): the cost of a request
must not grow with the history of other communities."""

from __future__ import annotations

import pytest
from tortoise import connections

from copkit.core import store
from copkit.testing import Harness

PLUGINS = ("copkit.plugins.core_commands",)

HOT = {
    # the latest entries of one community's log (``log``)
    "log": (
        "SELECT id, at, member, kind, ref, text FROM copkit_log WHERE community_id = ? "
        "ORDER BY id DESC LIMIT 20",
        "copkit_log",
    ),
    # a community's entries over a window (participation, digests)
    "log over time": (
        "SELECT kind, COUNT(*) FROM copkit_log WHERE community_id = ? AND at >= ? GROUP BY kind",
        "copkit_log",
    ),
    # the leader and core team, read when a community is loaded
    "roles": (
        "SELECT person_id, role FROM copkit_membership WHERE community_id = ? AND role > 0",
        "copkit_membership",
    ),
}


async def plan(query: str, values: list) -> str:
    conn = connections.get("default")
    if store.is_sqlite():
        rows = await conn.execute_query_dict("EXPLAIN QUERY PLAN " + store.sql(query), values)
        return "sqlite\n" + "\n".join(str(r["detail"]) for r in rows)
    async with store.transaction():  # the setting stays inside this transaction
        # Tables are tiny here: forbid the sequential scan to see which index the planner has.
        await conn.execute_query("SET LOCAL enable_seqscan = off")
        rows = await conn.execute_query_dict("EXPLAIN " + store.sql(query), values)
    return "postgres\n" + "\n".join(str(next(iter(r.values()))) for r in rows)


@pytest.mark.parametrize("name", sorted(HOT))
async def test_hot_queries_use_an_index(db_url, name):
    query, table = HOT[name]
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("leader", "log")
        values = [1] if query.count("?") == 1 else [1, h.clock.now()]
        text = await plan(query, values)
    if text.startswith("sqlite"):
        # "SEARCH copkit_log USING INDEX …", never "SCAN copkit_log" (the whole table)
        assert "USING" in text and "INDEX" in text, text
        assert f"SCAN {table}" not in text, text
    else:
        assert "Index" in text and "Seq Scan" not in text, text
