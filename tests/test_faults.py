"""Faults of the machine (issue 12, #11): a full disk gets "try again in a moment", not the bug
apology; a clock set back records no negative time. SQLite always; PostgreSQL with
COPKIT_TEST_POSTGRES_URL."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from conftest import PG_URL
from tortoise import connections

from copkit.core.clock import Clock, seconds_between
from copkit.core.dberrors import is_unavailable
from copkit.core.errors import Unavailable
from copkit.plugins.leancoffee.models import Topic
from copkit.testing import Harness

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.leancoffee")
FULL_PG = """
CREATE FUNCTION copkit_test_disk_full() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'could not extend file "base/16384/16402": No space left on device'
    USING ERRCODE = '53100';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER copkit_test_disk_full BEFORE INSERT ON leancoffee_topic
  FOR EACH ROW EXECUTE FUNCTION copkit_test_disk_full();
"""


async def fill_the_disk() -> None:
    conn = connections.get("default")
    if PG_URL:  # the server's own DiskFullError (SQLSTATE 53100), raised where it would be
        await conn.execute_script(FULL_PG)
    else:  # SQLite may not grow the file by one more page: SQLITE_FULL, as on a full disk
        pages = (await conn.execute_query_dict("PRAGMA page_count"))[0]["page_count"]
        await conn.execute_script(f"PRAGMA max_page_count = {pages}")


async def test_a_full_disk_says_try_again_not_sorry(db_url, caplog):
    caplog.set_level(logging.WARNING)
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("leader", "leancoffee start")
        await fill_the_disk()
        answers = []
        for i in range(300):  # until the pages in hand are full
            try:
                out = await h.say("ann", f"leancoffee propose topic {i} --pitch " + "p" * 290)
            except Unavailable as exc:
                assert is_unavailable(exc)
                answers.append(h.last().text)
                break
            answers.append(out[-1].view.text)
        assert answers and "Try again in a moment" in answers[-1], answers[-3:]
        assert not any("went wrong" in a for a in answers)
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_core_clock_never_goes_backwards():
    readings = iter(
        datetime(2026, 3, 1, 12, 0, s, tzinfo=UTC) for s in (10, 20, 5, 15, 25)
    )  # set back by 15 s after the second reading
    clock = Clock(lambda: next(readings))
    seen = [clock.now() for _ in range(5)]
    assert seen == sorted(seen)
    assert [t.second for t in seen] == [10, 20, 20, 20, 25]
    assert seconds_between(seen[1], seen[0]) == 0
    assert seconds_between(None, seen[0]) == 0


async def test_a_clock_set_back_records_no_negative_time_in_the_minutes(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("leader", "leancoffee start --timebox 5m")
        await h.say("ann", "leancoffee propose Alpha")
        await h.say("bob", "leancoffee propose Beta")
        await h.say("leader", "leancoffee voting open")
        await h.say("leader", "leancoffee voting close")  # Alpha is discussed from now
        h.clock.advance(timedelta(minutes=-30))  # e.g. another process whose clock is behind
        await h.say("leader", "leancoffee next")
        h.clock.advance(timedelta(minutes=-30))
        await h.say("leader", "leancoffee pause")
        await h.say("leader", "leancoffee end")
        spent = await Topic.all().values_list("spent", flat=True)
        assert spent and all(s >= 0 for s in spent), spent
        out = await h.say("leader", "leancoffee minutes")
        assert "#1 Alpha" in out[-1].view.text and " -" not in out[-1].view.text
