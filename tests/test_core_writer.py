"""The writer (copkit.core.writer): one transaction and one trip per write, group-committed
under load; a failed write fails only its caller, a caller is told only after its commit, and a
process killed in the middle of a batch loses nothing it acknowledged. On SQLite, and on
PostgreSQL when COPKIT_TEST_POSTGRES_URL is set (the db_url fixture)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tortoise import Tortoise
from tortoise.exceptions import IntegrityError, OperationalError

from copkit.core import store
from copkit.core.dberrors import is_conflict
from copkit.core.models import Community, LogEntry, Membership
from copkit.core.storage import close_database, open_database, sqlite_file
from copkit.core.writer import Row, Write, write, writer_of

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)


def log_row(cid: int, text: str) -> Row:
    return Row(LogEntry, {"community_id": cid, "kind": "test", "text": text, "at": NOW})


def person(cid: int, pid: str, conflict: str = "") -> Row:
    return Row(Membership, {"community_id": cid, "person_id": pid, "name": pid.upper()}, conflict)


async def opened(db_url: str) -> int:
    await open_database(db_url, [])
    return (await Community.create(platform="t", external_id="c", name="C")).id


async def raw_texts(db_url: str) -> set[str]:
    """The log's texts as another connection sees them (not through tortoise's)."""
    path = sqlite_file(db_url)
    if path is not None:

        def read() -> set[str]:
            import sqlite3

            conn = sqlite3.connect(path)
            try:
                return {r[0] for r in conn.execute("SELECT text FROM copkit_log")}
            finally:
                conn.close()

        return await asyncio.to_thread(read)
    import asyncpg

    conn = await asyncpg.connect(db_url.replace("postgres://", "postgresql://", 1))
    try:
        return {r[0] for r in await conn.fetch("SELECT text FROM copkit_log")}
    finally:
        await conn.close()


async def test_a_write_is_its_rows_and_the_main_statement_decides_the_rest(db_url):
    cid = await opened(db_url)
    try:
        found = await write(
            Write(
                "SELECT id FROM copkit_community WHERE id = ?",
                (cid,),
                before=(person(cid, "ann"),),
                then=(log_row(cid, "yes"),),
            )
        )
        assert found == [{"id": cid}]
        nothing = await write(
            Write(
                "SELECT id FROM copkit_community WHERE id = ?",
                (cid + 1000,),
                before=(person(cid, "bob"),),
                then=(log_row(cid, "no"),),
            )
        )
        assert nothing == []
        assert sorted(await store.column(Membership.filter(community_id=cid), "person_id")) == [
            "ann",
            "bob",
        ]
        assert await store.column(LogEntry.filter(community_id=cid), "text") == ["yes"]
        entry = await LogEntry.get(text="yes")
        assert entry.at == NOW and entry.member == "" and entry.ref == ""
        ann = await Membership.get(person_id="ann")
        assert ann.name == "ANN" and ann.role == 0 and ann.updated_at is not None
    finally:
        await close_database()


async def test_a_failing_write_fails_only_its_caller_in_a_batch(db_url):
    cid = await opened(db_url)
    try:
        await write(Write(before=(person(cid, "taken"),)))

        async def good(i: int) -> str:
            await write(Write(before=(log_row(cid, f"good {i}"),)))
            return "ok"

        async def duplicate() -> str:  # its first row is written, its second refused: neither
            await write(Write(before=(log_row(cid, "half"), person(cid, "taken"))))
            return "ok"

        async def bad_sql() -> str:
            await write(Write("SELECT no_such_column FROM copkit_community"))
            return "ok"

        calls = [good(i) for i in range(60)]
        calls[20:20] = [duplicate()]
        calls[40:40] = [bad_sql()]
        batches = writer_of(Tortoise.get_connection("default")).batches
        results = await asyncio.gather(*calls, return_exceptions=True)
        assert results.count("ok") == 60
        errors = [r for r in results if isinstance(r, BaseException)]
        assert len(errors) == 2
        assert isinstance(errors[0], IntegrityError) and is_conflict(errors[0])
        assert isinstance(errors[1], OperationalError)
        # they were group-committed (a handful of transactions, not 62)
        assert writer_of(Tortoise.get_connection("default")).batches - batches < 10
        texts = set(await store.column(LogEntry.filter(community_id=cid), "text"))
        assert texts == {f"good {i}" for i in range(60)}  # and no "half"
    finally:
        await close_database()


async def test_callers_are_told_only_after_their_commit(db_url):
    cid = await opened(db_url)
    try:
        seen: list[bool] = []

        async def one(i: int) -> None:
            await write(Write(before=(log_row(cid, f"row {i}"),)))
            # acknowledged: another connection sees it now
            seen.append(f"row {i}" in await raw_texts(db_url))

        await asyncio.gather(*(one(i) for i in range(40)))
        assert seen == [True] * 40
    finally:
        await close_database()


async def test_inside_a_transaction_a_write_commits_or_rolls_back_with_it(db_url):
    cid = await opened(db_url)
    try:
        with pytest.raises(RuntimeError):
            async with store.transaction():
                await write(Write(before=(log_row(cid, "undone"),)))
                assert await LogEntry.filter(text="undone").exists()  # visible within it
                raise RuntimeError("changed my mind")
        async with store.transaction():
            await write(Write(before=(log_row(cid, "kept"),)))
        assert await store.column(LogEntry.filter(community_id=cid), "text") == ["kept"]
    finally:
        await close_database()


CHILD = """
import asyncio, sys
from datetime import UTC, datetime
from copkit.core.models import Community, LogEntry
from copkit.core.storage import open_database
from copkit.core.writer import Row, Write, write

async def main(url):
    await open_database(url, [], upgrade=False)
    cid = (await Community.get(external_id="c")).id
    at = datetime(2026, 1, 5, tzinfo=UTC)

    async def one(n):
        await write(Write(before=(Row(LogEntry, {"community_id": cid, "kind": "t", "text": str(n), "at": at}),)))
        sys.stdout.write(f"{n}\\n")
        sys.stdout.flush()

    n = 0
    while True:
        await asyncio.gather(*(one(n + i) for i in range(100)))
        n += 100

asyncio.run(main(sys.argv[1]))
"""


async def test_a_process_killed_in_the_middle_of_batches_loses_nothing_it_acknowledged(
    db_url, tmp_path: Path
):
    await opened(db_url)
    await close_database()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, db_url, stdout=subprocess.PIPE, env=env
    )
    assert child.stdout is not None
    acked: set[str] = set()
    try:
        while len(acked) < 1500:
            line = await asyncio.wait_for(child.stdout.readline(), 60)
            assert line, "the writer process stopped"
            acked.add(line.decode().strip())
    finally:
        child.send_signal(signal.SIGKILL)  # kill -9, in the middle of its next batches
        await child.wait()
    stored = await raw_texts(db_url)
    assert acked <= stored, sorted(acked - stored)[:5]
    # written in whole batches: what was stored and not acknowledged is the batch in flight
    assert len(stored - acked) <= 1000


async def test_writes_one_after_another_and_in_waves_are_all_answered(db_url):
    """A write queued just as the writer finishes its last batch starts another (no write is
    left waiting)."""
    cid = await opened(db_url)
    try:
        for i in range(30):
            await asyncio.wait_for(write(Write(before=(log_row(cid, f"seq {i}"),))), 10)
        for wave in range(5):
            await asyncio.wait_for(
                asyncio.gather(
                    *(write(Write(before=(log_row(cid, f"w{wave} {i}"),))) for i in range(25))
                ),
                10,
            )
        assert await LogEntry.filter(community_id=cid).count() == 30 + 5 * 25
    finally:
        await close_database()
