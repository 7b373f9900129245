"""Lean coffee after a long history (issue 20): the backlog is bounded, carried over in one
statement, and a start costs the same number of statements whatever the backlog holds; the dot
counts the board reads are kept by the database, and its migration counts the dots already given.
(Speed itself is measured by ``benchmarks/history.py``, not here.)"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate

from copkit.core import store
from copkit.core.models import LogEntry
from copkit.core.plugins import build_registry, make_plugin_manager
from copkit.core.storage import tortoise_config
from copkit.plugins.leancoffee.flow import BACKLOG_KEPT
from copkit.plugins.leancoffee.models import Session, Topic, Vote
from copkit.testing import Harness

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.leancoffee")
LEAD = "leader"


def said(msgs) -> str:
    return "\n".join(f"{m.view.title} {m.view.text} {m.view.footer or ''}" for m in msgs)


class Statements:
    """Counts what is sent to the database (each one a round trip), BEGIN/COMMIT included."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sent: list[str] = []
        conn = connections.get("default")
        names = ("execute_query", "execute_query_dict", "execute_insert", "execute_many")
        seen: set[type] = set()
        for cls in type(conn).__mro__:
            if cls in seen or cls.__module__.startswith("builtins"):
                continue
            seen.add(cls)
            for name in names:
                if name in vars(cls):
                    monkeypatch.setattr(cls, name, self._wrap(getattr(cls, name)))
        for name in ("begin", "commit"):
            wrapper = _transaction_class()
            if wrapper is not None and name in vars(wrapper):
                monkeypatch.setattr(wrapper, name, self._wrap(getattr(wrapper, name), name))

    def _wrap(self, method: Any, label: str | None = None) -> Any:
        sent = self.sent

        async def counted(client: Any, *args: Any, **kwargs: Any) -> Any:
            sent.append(label or str(args[0])[:80])
            return await method(client, *args, **kwargs)

        return counted


def _transaction_class() -> type | None:
    if store.is_sqlite():
        from tortoise.backends.sqlite.client import SqliteTransactionWrapper

        return SqliteTransactionWrapper
    from tortoise.backends.asyncpg.client import TransactionWrapper

    return TransactionWrapper


async def propose(h: Harness, n: int, prefix: str) -> None:
    for i in range(n):
        await h.say(f"p{i % 7}", f"leancoffee propose {prefix} {i + 1}")


async def test_the_backlog_keeps_the_newest_topics_and_says_how_many_left(db_url):
    async with Harness(db_url, plugins=PLUGINS, leader=LEAD) as h:
        await h.say(LEAD, "leancoffee start")
        await propose(h, BACKLOG_KEPT + 5, "Topic")
        await h.say(LEAD, "leancoffee end")
        kept = await Topic.filter(in_backlog=True).order_by("id")
        assert [t.title for t in kept] == [f"Topic {i}" for i in range(6, BACKLOG_KEPT + 6)]
        trimmed = await LogEntry.get(kind="leancoffee.backlog_trimmed")
        assert trimmed.text == "5"
        text = said(await h.say("ann", "leancoffee backlog"))
        assert "1. Topic 6" in text and f"{BACKLOG_KEPT}. Topic {BACKLOG_KEPT + 5}" in text

        out = said(await h.say(LEAD, "leancoffee start"))
        assert f"{BACKLOG_KEPT} topics carried over" in out
        s = await Session.get(running_key__not_isnull=True)
        board = await Topic.filter(session_id=s.id).order_by("number")
        assert [(t.number, t.title, t.carried_over) for t in board] == [
            (i - 5, f"Topic {i}", True) for i in range(6, BACKLOG_KEPT + 6)
        ]
        assert [t.origin for t in board] == [t.id for t in kept]
        assert await Topic.filter(in_backlog=True).count() == 0
        # a new topic comes after the carried ones
        await h.say("ann", "leancoffee propose Fresh")
        assert (await Topic.get(session_id=s.id, title="Fresh")).number == BACKLOG_KEPT + 1
        # nobody reached the board: all of it back in the backlog, still bounded
        await h.say(LEAD, "leancoffee end")
        assert await Topic.filter(in_backlog=True).count() == BACKLOG_KEPT
        assert not await Topic.filter(in_backlog=True, title="Topic 6").exists()


async def test_a_start_costs_the_same_statements_whatever_the_backlog_holds(db_url, monkeypatch):
    async with Harness(db_url, plugins=PLUGINS, leader=LEAD) as h:
        counts = []
        for backlog in (1, BACKLOG_KEPT):
            await h.say(LEAD, "leancoffee start")
            await propose(h, backlog, f"B{backlog}")
            await h.say(LEAD, "leancoffee end")
            with monkeypatch.context() as m:
                st = Statements(m)
                await h.say(LEAD, "leancoffee start")
            counts.append(len(st.sent))
            await Topic.filter(in_backlog=True).update(in_backlog=False)
            await h.say(LEAD, "leancoffee end")
        assert counts[0] == counts[1], counts
        assert counts[0] > 0


async def test_two_starts_at_once_share_the_backlog_without_doubles(db_url):
    async with Harness(db_url, plugins=PLUGINS, leader=LEAD) as h:
        await h.say(LEAD, "leancoffee start")
        await propose(h, 12, "Shared")
        await h.say(LEAD, "leancoffee end")
        originals = set(await store.column(Topic.filter(in_backlog=True), "id"))
        await asyncio.gather(
            h.say(LEAD, "leancoffee start", room="east"),
            h.say(LEAD, "leancoffee start", room="west"),
        )
        carried = await store.column(
            Topic.filter(carried_over=True, origin__not_isnull=True), "origin"
        )
        # every backlog topic is on exactly one of the two new boards
        assert sorted(carried) == sorted(originals)
        assert await Topic.filter(in_backlog=True).count() == 0


async def test_the_dot_count_migration_counts_the_dots_already_given(db_url):
    """Migration 0002 on a database that has dots: undone (the column and triggers go), dots
    written meanwhile, applied again — every topic's count is its dots, and new dots count."""
    async with Harness(db_url, plugins=PLUGINS, leader=LEAD) as h:
        await h.say(LEAD, "leancoffee start")
        await propose(h, 3, "Counted")
        s = await Session.get(running_key__not_isnull=True)
        topics = await store.column(Topic.filter(session_id=s.id).order_by("number"), "id")
    models = build_registry(make_plugin_manager(list(PLUGINS), entry_points_group=None)).models
    config = tortoise_config(db_url, models)
    await migrate(config=config, target="leancoffee.0001_initial")
    await Tortoise.init(config=config)
    try:
        cols = await store.rows("SELECT * FROM leancoffee_topic WHERE id = ?", [topics[0]])
        assert "dot_count" not in cols[0]
        for topic, member, dot in [
            (topics[0], "a", 0),
            (topics[0], "b", 0),
            (topics[1], "a", 1),
            (topics[0], "c", 0),
        ]:
            await store.execute(
                "INSERT INTO leancoffee_vote (session_id, topic_id, member, dot) VALUES (?, ?, ?, ?)",
                [s.id, topic, member, dot],
            )
    finally:
        await Tortoise.close_connections()
    await migrate(config=config)
    await Tortoise.init(config=config)
    try:
        counts = dict(await Topic.filter(session_id=s.id).values_list("id", "dot_count"))
        assert counts == {topics[0]: 3, topics[1]: 1, topics[2]: 0}
        await Vote.create(session_id=s.id, topic_id=topics[2], member="d", dot=0)
        assert (await Topic.get(id=topics[2])).dot_count == 1
    finally:
        await Tortoise.close_connections()
