"""The hot queries use an index, on SQLite and on PostgreSQL (EXPLAIN): the cost of a request
must not grow with the history of its community or of other communities (issue 20, target 4).

Each hot path's statements are checked as they are sent: the ORM's queries through the same
querysets the code builds (``.sql(params_inline=True)``), the raw ones from the code's own
strings. None may scan a whole table that grows with history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tortoise import connections

from copkit.core import store
from copkit.core.models import FormatSetting, LogEntry, Membership
from copkit.plugins.leancoffee import flow
from copkit.plugins.leancoffee.capture import ACTION
from copkit.plugins.leancoffee.models import Note, Session, Thumbs, Topic, Vote
from copkit.plugins.leancoffee.sessions import _CARD_FIELDS, ON_BOARD, running_key
from copkit.testing import Harness

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.leancoffee")

# Tables that grow with a community's history, or with every community's.
BIG = (
    "copkit_log",
    "copkit_membership",
    "leancoffee_session",
    "leancoffee_topic",
    "leancoffee_vote",
    "leancoffee_note",
    "leancoffee_thumbs",
)

Ids = dict[str, Any]


def orm(query: Callable[[Ids], Any]) -> Callable[[Ids], tuple[str, list[Any]]]:
    return lambda ids: (query(ids).sql(params_inline=True), [])


def raw(text: str | Callable[[], str], values: Callable[[Ids], list[Any]]):
    return lambda ids: (store.sql(text() if callable(text) else text), values(ids))


HOT: dict[str, Callable[[Ids], tuple[str, list[Any]]]] = {
    # ``log``: the latest entries of one community
    "log": orm(lambda i: LogEntry.filter(community_id=i["c"]).order_by("-id").limit(20)),
    # a community's entries over a window (participation, digests)
    "log over time": raw(
        "SELECT kind, COUNT(*) FROM copkit_log WHERE community_id = ? AND at >= ? GROUP BY kind",
        lambda i: [i["c"], i["now"]],
    ),
    # a community reload: its formats and its leader and core team (not all its members)
    "reload: formats": orm(lambda i: FormatSetting.filter(community_id=i["c"])),
    "reload: roles": orm(lambda i: Membership.filter(community_id=i["c"], role__gt=0)),
    "a person seen": orm(
        lambda i: Membership.filter(community_id=i["c"], person_id="ann").limit(1)
    ),
    # ``leancoffee start``: the room's running session, the backlog carried over, open actions
    "start: running session": orm(
        lambda i: Session.filter(running_key=running_key(i["c"], "room")).limit(1)
    ),
    "start: carry-over": raw(
        lambda: flow._CARRY_SQLITE if store.is_sqlite() else flow._CARRY_POSTGRES,
        lambda i: (
            [i["s"], i["c"], i["now"], i["c"], flow.BACKLOG_KEPT]
            if store.is_sqlite()
            else [i["c"], flow.BACKLOG_KEPT, i["s"], i["c"], i["now"]]
        ),
    ),
    "start: claim (SQLite)": raw(flow._CLAIM_SQLITE, lambda i: [i["s"]]),
    "start: open actions": orm(
        lambda i: Note.filter(community_id=i["c"], kind=ACTION, done=False).order_by("id").limit(50)
    ),
    "end: trim the backlog": raw(
        flow.trim_query,
        lambda i: [i["c"], i["c"], flow.BACKLOG_KEPT - 1],
    ),
    "backlog": orm(lambda i: Topic.filter(community_id=i["c"], in_backlog=True).order_by("id")),
    # the board re-read: the session's topics with their kept dot counts (no dot is read)
    "board: topics and dots": orm(
        lambda i: (
            Topic.filter(session_id=i["s"], status__in=ON_BOARD)
            .order_by("number")
            .values_list(*_CARD_FIELDS)
        )
    ),
    "board: dot counts": orm(
        lambda i: Topic.filter(session_id=i["s"], dot_count__gt=0).values_list("id", "dot_count")
    ),
    # a vote: the person's dots, and the count the trigger keeps
    "vote: my dots": orm(
        lambda i: Vote.filter(session_id=i["s"], member="ann").values_list("topic_id", "dot")
    ),
    "vote: count kept": raw(
        "UPDATE leancoffee_topic SET dot_count = dot_count + 1 WHERE id = ?", lambda i: [i["t"]]
    ),
    "thumbs of a round": orm(lambda i: Thumbs.filter(session_id=i["s"], round=1)),
}


async def plan(query: str, values: list) -> str:
    conn = connections.get("default")
    if store.is_sqlite():
        rows = await conn.execute_query_dict("EXPLAIN QUERY PLAN " + query, values)
        return "sqlite\n" + "\n".join(str(r["detail"]) for r in rows)
    # Tables are tiny here: forbid the sequential scan to see which index the planner has.
    # EXPLAIN without ANALYZE runs nothing; the transaction is rolled back all the same.
    try:
        async with store.transaction():
            await conn.execute_query("SET LOCAL enable_seqscan = off")
            rows = await conn.execute_query_dict("EXPLAIN " + query, values)
            raise _Done("\n".join(str(next(iter(r.values()))) for r in rows))
    except _Done as done:
        return "postgres\n" + str(done)


class _Done(Exception):
    pass


@pytest.fixture
async def ids(db_url):
    async with Harness(db_url, plugins=PLUGINS, leader="leader") as h:
        await h.say("leader", "leancoffee start")
        await h.say("ann", "leancoffee propose Alpha")
        await h.say("leader", "leancoffee end")
        await h.say("leader", "leancoffee start")  # Alpha carried over
        s = await Session.get(running_key__not_isnull=True)
        t = await Topic.filter(session_id=s.id).first()
        assert t is not None
        yield {"c": s.community_id, "s": s.id, "t": t.id, "now": h.clock.now()}


@pytest.mark.parametrize("name", list(HOT))
async def test_hot_queries_use_an_index(ids, name):
    if name.endswith("(SQLite)") and not store.is_sqlite():
        pytest.skip("SQLite's statement")
    query, values = HOT[name](ids)
    text = await plan(query, values)
    if text.startswith("sqlite"):
        # "SEARCH t USING INDEX …" / "USING INTEGER PRIMARY KEY", never "SCAN t" (all of it)
        for table in BIG:
            assert f"SCAN {table}" not in text, text
        assert "USING" in text, text
        # every column the query names in the index is used: (community_id=? AND in_backlog=?)
        if "in_backlog" in query.partition("WHERE")[2]:
            assert "in_backlog=?" in text, text
    else:
        assert "Index" in text, text
        for table in BIG:
            assert f"Seq Scan on {table}" not in text, text


async def test_the_dot_counts_are_kept_by_the_database(db_url):
    """Whatever writes the dots (one at a time, a batch, a merge, a removal), each topic's
    count is the number of its dots, in the same transaction."""
    async with Harness(db_url, plugins=PLUGINS, leader="leader") as h:
        await h.say("leader", "leancoffee start --votes 3")
        for title in ("Alpha", "Beta", "Gamma"):
            await h.say("ann", f"leancoffee propose {title}")
        s = await Session.get(running_key__not_isnull=True)
        a, b, c = await Topic.filter(session_id=s.id).order_by("number")

        async def counts() -> dict[int, int]:
            kept = dict(await Topic.filter(session_id=s.id).values_list("id", "dot_count"))
            for tid in kept:
                assert kept[tid] == await Vote.filter(topic_id=tid).count(), kept
            return {t.id: kept[t.id] for t in (a, b, c)}

        await Vote.create(session_id=s.id, topic_id=a.id, member="ann", dot=0)
        await Vote.bulk_create(
            [Vote(session_id=s.id, topic_id=b.id, member=f"p{n}", dot=0) for n in range(5)]
        )
        await store.execute(
            "INSERT INTO leancoffee_vote (session_id, topic_id, member, dot) VALUES (?, ?, ?, ?), "
            "(?, ?, ?, ?)",
            [s.id, c.id, "bob", 0, s.id, a.id, "bob", 1],
        )
        assert await counts() == {a.id: 2, b.id: 5, c.id: 1}
        with pytest.raises(RuntimeError):
            async with store.transaction():  # rolled back: the counts with it
                await Vote.create(session_id=s.id, topic_id=c.id, member="cat", dot=0)
                await Vote.filter(topic_id=b.id).delete()
                raise RuntimeError("rolled back")
        assert await counts() == {a.id: 2, b.id: 5, c.id: 1}
        await h.say("leader", "leancoffee merge 1 2")  # a's dots move to b
        assert await counts() == {a.id: 0, b.id: 7, c.id: 1}
        await h.say("leader", "leancoffee remove 3")  # c's dots are freed
        assert await counts() == {a.id: 0, b.id: 7, c.id: 0}
        await Vote.filter(session_id=s.id, member="p0").delete()
        assert await counts() == {a.id: 0, b.id: 6, c.id: 0}
