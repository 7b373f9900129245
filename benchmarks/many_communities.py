"""Start-up time and memory of ``copkit run`` on a database holding many communities.

Seeds N communities (default 10,000), each with formats enabled, a leader, a room and a log entry,
then starts a real ``copkit run`` process on that database (Teams endpoint in local mode, timers
running) and measures the wall time until the endpoint accepts connections, and the process's
resident memory once it is up and has not touched any community yet.

Usage: python benchmarks/many_communities.py [N]   (PostgreSQL too when COPKIT_BENCH_POSTGRES_URL
is set; its schema is reset first). Targets: start-up under 3 s, RSS under 200 MB.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

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


def measure(url: str, runs: int = 3) -> None:
    copkit = Path(sys.executable).with_name("copkit")
    starts, rsses = [], []
    for _ in range(runs):
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
        try:
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"copkit run exited:\n{proc.stdout.read()}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.05).close()
                    break
                except OSError:
                    time.sleep(0.01)
            starts.append(time.perf_counter() - t0)
            time.sleep(1.0)  # let the timer loop and caches settle
            rsses.append(rss_mb(proc.pid))
        finally:
            proc.terminate()
            proc.wait(10)
    starts.sort()
    rsses.sort()
    backend = url.split(":")[0]
    print(
        f"{backend:8} start-up median {starts[len(starts) // 2]:.2f} s "
        f"(runs: {', '.join(f'{s:.2f}' for s in starts)})   "
        f"RSS median {rsses[len(rsses) // 2]:.0f} MB"
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
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
            measure(url)


if __name__ == "__main__":
    main()
