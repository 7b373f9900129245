"""Start-up time and memory of ``copkit run`` on a database holding many communities.

Seeds N communities (default 10,000), each with formats enabled, a leader, a room and a log entry,
then starts a real ``copkit run`` process on that database (Teams endpoint in local mode, timers
running) and measures the wall time until the endpoint accepts connections and its idle resident
memory (medians of three starts). Then one more ``copkit run`` is touched by N Teams communities
(each team's first contact: a member mentions copkit with ``help`` in its channel, 16 at a time,
answered to a loopback fake Bot Connector), and its RSS is read after that pass and after a
second pass over the same N communities. copkit's modules are compiled to bytecode first, as a
wheel's install does (``_bytecode.py``).

Usage: python benchmarks/many_communities.py [N]   (PostgreSQL too when COPKIT_BENCH_POSTGRES_URL
is set; its schema is reset first). Targets, each printed PASS/FAIL: start-up under 3 s, idle RSS
under 200 MB, RSS after N communities touched at most 150 MB, flat (within 5 MB) on the second
pass, no errors.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from _bytecode import compile_copkit  # noqa: E402

from copkit.core.models import Community, FormatSetting, LogEntry, Membership, Room
from copkit.core.plugins import build_registry, make_plugin_manager
from copkit.core.storage import close_database, open_database


async def seed(url: str, n: int) -> None:
    if url.startswith("postgres"):
        import asyncpg

        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
        await conn.close()
    registry = build_registry(make_plugin_manager(entry_points_group=None))
    formats = list(registry.formats)
    await open_database(url, registry.models)
    now = datetime.now(UTC)
    try:
        batch = 1000
        for start in range(0, n, batch):
            rows = [
                Community(platform="bench", external_id=f"c{i}", name=f"CoP {i}")
                for i in range(start, min(n, start + batch))
            ]
            await Community.bulk_create(rows)
            created = await Community.filter(
                external_id__in=[r.external_id for r in rows]
            ).values_list("id", flat=True)
            await FormatSetting.bulk_create(
                [
                    FormatSetting(community_id=cid, format=f, enabled=True)
                    for cid in created
                    for f in formats
                ]
            )
            await Membership.bulk_create(
                [Membership(community_id=cid, person_id="lead", role=2) for cid in created]
            )
            await Room.bulk_create(
                [Room(community_id=cid, external_id="general", name="general") for cid in created]
            )
            await LogEntry.bulk_create(
                [LogEntry(community_id=cid, at=now, kind="community.created") for cid in created]
            )
        total = await Community.all().count()
        print(f"seeded {total:,} communities with formats {', '.join(formats) or '(none)'}")
    finally:
        await close_database()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_copkit(url: str) -> tuple[subprocess.Popen[str], int, float]:
    """A real ``copkit run`` on ``url`` (Teams endpoint in local mode); the process, its port
    and how long it took to accept connections."""
    copkit = Path(sys.executable).with_name("copkit")
    port = free_port()
    env = {**os.environ, "COPKIT_DATABASE_URL": url}
    env.pop("DISCORD_TOKEN", None)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(copkit), "run", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    while True:
        if proc.poll() is not None:
            assert proc.stdout is not None
            raise SystemExit(f"copkit run exited:\n{proc.stdout.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.05).close()
            break
        except OSError:
            time.sleep(0.01)
    return proc, port, time.perf_counter() - t0


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def measure_startup(url: str, runs: int = 3) -> tuple[float, float]:
    """Start-up time and idle RSS (medians of ``runs``), nothing touched yet."""
    starts, rsses = [], []
    for _ in range(runs):
        proc, _port, took = start_copkit(url)
        try:
            starts.append(took)
            time.sleep(1.0)  # let the timer loop and caches settle
            rsses.append(rss_mb(proc.pid))
        finally:
            stop(proc)
    return statistics.median(starts), statistics.median(rsses)


async def touch(port: int, n: int, clients: int = 16) -> tuple[float, int]:
    """First contact (or a second one) of ``n`` Teams communities: in each team's channel, a
    member mentions copkit with ``help``; returns the seconds it took and the errors."""
    import aiohttp
    from fakes.bot_connector import FakeBotConnector, TeamsActivities, user

    connector = FakeBotConnector()
    await connector.start()
    url = f"http://127.0.0.1:{port}/api/messages"
    todo = iter(range(n))
    errors = 0
    t0 = time.perf_counter()
    try:
        async with aiohttp.ClientSession() as http:

            async def client() -> None:
                nonlocal errors
                for k in todo:
                    a = TeamsActivities(
                        connector.url,
                        team=f"19:team-{k}@thread.tacv2",
                        channel=f"19:chan-{k}@thread.tacv2",
                    )
                    a._ids = itertools.count(k * 1000 + int(time.time() * 1000) * 100_000)
                    activity = a.mention(user(f"member{k % 97}", f"Member {k % 97}"), "help")
                    async with http.post(url, json=activity) as resp:
                        await resp.read()
                        if resp.status != 200:
                            errors += 1
                    connector.calls.clear()  # the fake keeps what it received: not measured
                    connector.messages.clear()

            await asyncio.gather(*(client() for _ in range(clients)))
    finally:
        await connector.stop()
    return time.perf_counter() - t0, errors


def measure_touched(url: str, n: int) -> dict[str, float]:
    """RSS of one ``copkit run`` idle, after ``n`` communities were touched through Teams, and
    after a second pass over the same communities."""
    proc, port, _took = start_copkit(url)
    try:
        time.sleep(1.0)
        idle = rss_mb(proc.pid)
        first, errors1 = asyncio.run(touch(port, n))
        time.sleep(1.0)
        after = rss_mb(proc.pid)
        second, errors2 = asyncio.run(touch(port, n))
        time.sleep(1.0)
        again = rss_mb(proc.pid)
    finally:
        stop(proc)
    return {
        "idle": idle,
        "after": after,
        "again": again,
        "first_s": first,
        "second_s": second,
        "errors": errors1 + errors2,
    }


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(url: str, n: int) -> bool:
    backend = url.split(":")[0]
    start, idle = measure_startup(url)
    t = measure_touched(url, n)
    load = os.getloadavg()
    growth = t["again"] - t["after"]
    checks = [
        (f"start-up {start:.2f} s (target < {START_TARGET:.0f} s)", start < START_TARGET),
        (f"idle RSS {idle:.0f} MB (target < {IDLE_TARGET:.0f} MB)", idle < IDLE_TARGET),
        (
            f"RSS after {n:,} communities touched through Teams {t['after']:.0f} MB "
            f"(idle in that run {t['idle']:.0f} MB; target <= {TOUCHED_TARGET:.0f} MB)",
            t["after"] <= TOUCHED_TARGET,
        ),
        (
            f"RSS after a second pass {t['again']:.0f} MB, {growth:+.1f} MB "
            f"({growth / max(t['after'], 1) * 100:+.1f} %; target: flat, within "
            f"{FLAT_TARGET:.0f} MB)",
            growth <= FLAT_TARGET,
        ),
        (f"errors {t['errors']:.0f} (target 0)", t["errors"] == 0),
    ]
    print(
        f"{backend}: passes took {t['first_s']:.1f} s and {t['second_s']:.1f} s "
        f"({n / t['first_s']:.0f} and {n / t['second_s']:.0f} communities/s); "
        f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    for text, ok in checks:
        print(f"  {verdict(ok)} {backend} {text}", flush=True)
    return all(ok for _text, ok in checks)


START_TARGET = 3.0
IDLE_TARGET = 200.0
TOUCHED_TARGET = 150.0
FLAT_TARGET = 5.0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    compile_copkit()
    print(
        f"Many communities: {n:,} seeded, then {n:,} touched through Teams, twice; {os.cpu_count()} CPUs"
    )
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        urls = [f"sqlite://{tmp}/many.db"]
        if os.environ.get("COPKIT_BENCH_POSTGRES_URL"):
            urls.append(os.environ["COPKIT_BENCH_POSTGRES_URL"])
        for url in urls:
            # One process per backend for seeding: tortoise caches SQL per dialect.
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    f"import asyncio,sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
                    f"import many_communities as m; asyncio.run(m.seed({url!r}, {n}))",
                ],
                check=True,
            )
            results.append(report(url, n))
    print("overall:", verdict(all(results)))


if __name__ == "__main__":
    main()
