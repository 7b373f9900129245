"""The writer's own connection on PostgreSQL (copkit.core.pgwrite): kept between batches, taken
afresh when it broke or a write on it was cancelled, given back when the database closes, and
never kept from a small pool."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import asyncpg
from conftest import PG_URL, requires_postgres, reset_postgres
from tortoise import Tortoise

from copkit.core.models import Community, LogEntry
from copkit.core.storage import close_database, open_database
from copkit.core.writer import Row, Write, write, writer_of

pytestmark = requires_postgres

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)


def note(cid: int, text: str) -> Write:
    return Write(
        before=(Row(LogEntry, {"community_id": cid, "kind": "t", "text": text, "at": NOW}),)
    )


async def opened(url: str) -> int:
    await reset_postgres(PG_URL)
    await open_database(url, [])
    return (await Community.create(platform="t", external_id="c", name="C")).id


def held() -> object:
    h = writer_of(Tortoise.get_connection("default")).held
    assert h is not None
    return h


async def test_the_writer_keeps_one_connection_and_gives_it_back_on_closing():
    cid = await opened(PG_URL)
    try:
        for i in range(5):
            await write(note(cid, f"n{i}"))
        first = held().conn  # type: ignore[attr-defined]
        assert first is not None
        await asyncio.gather(*(write(note(cid, f"g{i}")) for i in range(50)))
        assert held().conn is first  # type: ignore[attr-defined]
    finally:
        started = time.monotonic()
        await close_database()
    assert time.monotonic() - started < 5  # (the pool waits 10 s for a connection kept out)


async def test_a_broken_or_cancelled_connection_is_taken_afresh():
    cid = await opened(PG_URL)
    try:
        await write(note(cid, "before"))
        pid = held().conn.get_server_pid()  # type: ignore[attr-defined]
        other = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://", 1))
        try:
            await other.execute("SELECT pg_terminate_backend($1)", pid)
        finally:
            await other.close()
        await asyncio.sleep(0.5)  # (the client sees the connection end)
        await write(note(cid, "after"))
        assert held().conn.get_server_pid() != pid  # type: ignore[attr-defined]

        slow = asyncio.create_task(write(Write("SELECT pg_sleep(5) AS slept")))
        await asyncio.sleep(0.3)
        slow.cancel()
        started = time.monotonic()
        await asyncio.gather(slow, return_exceptions=True)
        await asyncio.wait_for(write(note(cid, "then")), 5)
        assert time.monotonic() - started < 4
        texts = await LogEntry.filter(community_id=cid).values_list("text", flat=True)
        assert sorted(texts) == ["after", "before", "then"]
    finally:
        await close_database()


async def test_a_small_pool_is_not_kept_from():
    sep = "&" if "?" in PG_URL else "?"
    cid = await opened(f"{PG_URL}{sep}maxsize=2")
    try:
        for i in range(3):
            await write(note(cid, f"n{i}"))
        assert held().conn is None  # type: ignore[attr-defined]
        assert await LogEntry.filter(community_id=cid).count() == 3
    finally:
        await close_database()
