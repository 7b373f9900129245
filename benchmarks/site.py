"""The community site's pages for a community with two years of history, over real HTTP.

The history is made through the test kit, as people would: every month a lean coffee (six
topics, dots, takeaways, an action) and two brown bags (given, with feedback and links), every
three months a health check answered by five members. Then each page of the site is fetched
REQUESTS times over loopback (aiohttp client → copkit's site on aiohttp) and the median time
printed; the target is under 100 ms per page (median), cached and uncached: PASS or FAIL per
page and database. The stylesheet, a static response of the same server, is measured as the
reference. Pages keep the formats' data while the community's log stays the same: each page is
also timed uncached (the cache emptied before every request: the formats' data read from the
database). The machine's load average is printed with the figures. SQLite always; PostgreSQL
too with COPKIT_BENCH_POSTGRES_URL (the database is emptied first).

Usage: python benchmarks/site.py [MONTHS] [REQUESTS]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from _databases import label as db_label  # noqa: E402
from _databases import run_per_database, split_args  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402
from test_healthcheck_helpers import answer, start  # noqa: E402

from copkit.adapters.web import setup_site  # noqa: E402
from copkit.adapters.web.pages import CACHE_KEY  # noqa: E402
from copkit.testing import Harness  # noqa: E402

TARGET_MS = 100.0
PEOPLE = ("ann", "bob", "cid", "dan", "eve")
COLOURS = ("green", "green", "amber", "red", "green")


async def lean_coffee(h: Harness, month: int) -> None:
    await h.say("leader", f'leancoffee start --title "Lean coffee {month}" --timebox 5m')
    for i, who in enumerate(PEOPLE + ("leader",)):
        await h.say(who, f"leancoffee propose Topic {month}-{i} about testing and pairing")
    await h.say("leader", "leancoffee voting open")
    for i, who in enumerate(PEOPLE):
        await h.say(who, f"leancoffee vote {1 + i % 3}")
        await h.say(who, f"leancoffee vote {2 + i % 4}")
    await h.say("leader", "leancoffee voting close")
    for n in range(3):
        await h.say(PEOPLE[n], f"leancoffee takeaway Takeaway {month}-{n}: small steps win")
        if n < 2:
            await h.say("leader", "leancoffee next")
    await h.say("ann", f"leancoffee action Follow up {month} --owner @bob")
    await h.say("leader", "leancoffee end")


async def brown_bag(h: Harness, n: int, when: str) -> None:
    await h.say(
        "leader", f'brownbag schedule "Talk number {n}" --speaker @cid --at "{when}" --where Ada'
    )
    await h.advance(days=2)
    for who, rating in (("ann", 5), ("bob", 4)):
        await h.say(who, f"brownbag feedback {n} {rating} Apply idea {n} from {who}")
    await h.say("cid", f"brownbag links {n} --slides https://slides.example/{n}")


async def history(h: Harness, months: int) -> None:
    for who in PEOPLE:
        await h.say(who, "help")
    bag = 0
    for month in range(months):
        await lean_coffee(h, month)
        for _ in range(2):
            bag += 1
            day = h.clock.now() + timedelta(days=1)
            await brown_bag(h, bag, day.strftime("%Y-%m-%d 12:30"))
        if month % 3 == 0:
            rid = await start(h, "--min-responses 3 --closes-in 2d")
            for who, colour in zip(PEOPLE, COLOURS, strict=True):
                await answer(h, who, rid, colour, "same")
            await h.advance(days=3)
        await h.advance(days=25)
    await h.say("leader", "site public")


async def reset_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


async def timed(client: TestClient, path: str, n: int, cold: bool = False) -> float:
    """The median time of ``n`` requests of ``path`` (``cold``: each with the site's page cache
    emptied first, so the formats' data is read from the database every time)."""
    times = []
    for _ in range(n):
        if cold:
            client.app[CACHE_KEY].clear()  # type: ignore[index]
        t = time.perf_counter()
        r = await client.get(path)
        await r.read()
        times.append((time.perf_counter() - t) * 1000)
        assert r.status == 200, (path, r.status)
    return statistics.median(times)


async def run(url: str, months: int, requests: int) -> bool:
    if url.startswith("postgres"):
        await reset_postgres(url)
    async with Harness(url) as h:
        t = time.perf_counter()
        await history(h, months)
        built = time.perf_counter() - t
        app = __import__("aiohttp").web.Application()
        setup_site(app, h.rt)
        async with TestClient(TestServer(app)) as client:
            first = await client.get("/c/1/e/leancoffee-1")
            assert first.status == 200
            pages = [
                "/c/1/",
                "/c/1/events",
                *(["/c/1/events?page=2"] if months >= 16 else []),  # over 50 past events
                f"/c/1/e/leancoffee-{max(1, months // 2)}",
                f"/c/1/e/brownbag-{months}",
                f"/c/1/e/healthcheck-{max(1, months // 6)}",
                "/c/1/actions",
                "/c/1/health",
                "/c/1/log",
                "/c/1/search?q=pairing",
                "/c/1/export",
            ]
            await timed(client, "/c/1/search?q=warm", 1)  # the index is built once
            reference = await timed(client, "/static/site.css", requests)
            label = db_label(url)
            print(f"[{label}] {months} months of history built in {built:.0f} s; {load()}")
            print(f"  reference /static/site.css: {reference:.2f} ms")
            ok = True
            for path in pages:
                median = await timed(client, path, requests)
                cold = await timed(client, path, max(5, requests // 2), cold=True)
                ok = ok and median < TARGET_MS and cold < TARGET_MS
                print(
                    f"  [{label}] {path:26} median {median:6.1f} ms {verdict(median)}"
                    f"   uncached median {cold:6.1f} ms {verdict(cold)}"
                    f"   ({median / reference:5.1f}× ref)"
                )
            print(f"  [{label}] {'PASS' if ok else 'FAIL'}: every page under {TARGET_MS:.0f} ms")
            return ok


def verdict(ms: float) -> str:
    return "PASS" if ms < TARGET_MS else "FAIL"


def load() -> str:
    """The machine's load (the figures mean little without it)."""
    try:
        one, five, _fifteen = os.getloadavg()
    except OSError:
        return "load unknown"
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def main() -> None:
    args, only = split_args(sys.argv[1:])
    months = int(args[0]) if args else 24
    requests = int(args[1]) if len(args) > 1 else 20
    if only is None:
        run_per_database(__file__, args)
        return
    if only == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            ok = asyncio.run(run(f"sqlite://{tmp}/bench.db", months, requests))
    else:
        ok = asyncio.run(run(only, months, requests))
    print("PASS" if ok else "FAIL")


if __name__ == "__main__":
    os.environ.setdefault("COPKIT_SECRET", "benchmark")
    main()
