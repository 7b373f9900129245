"""One lean coffee run by one process and by three processes on one PostgreSQL, compared.

300 participants (two dots each) vote through the Teams endpoint, round-robin over the
processes, with 32 clicks in flight; then voting closes and every topic's one-minute timebox runs
out. Prints, for one and for three processes: votes/s, p50/p99 vote latency, errors, whether the
board after the votes, the dot counts, the discussion order and the minutes are identical to the
single-process run, and the timers (fired, attempts, worst lateness against the poll interval).

The processes are real ``copkit run`` processes (subprocesses, each reading one real TOML config
file written for the run: the database, the Teams SDK), with the real clock: a timebox is a
minute, so a run lasts about a minute per topic. ``--worker`` runs the test worker
(``tests/fakes/multiproc_worker.py``, a clock running ``--speed`` times faster) instead, which is
not what is measured against the targets.

    COPKIT_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/copkit_x \\
        python benchmarks/scaleout.py [--participants 300] [--topics 3] [--processes 1,3]

Targets, each printed PASS/FAIL per process count: every vote answered without error and stored
once with its log row, the same board, counts, order and minutes as one process, every timer
fired exactly once and claimed within two poll intervals of its due time; and three processes
take at least as many votes per second as one (the ratio is printed, measured in the same run).
The database's public schema is dropped and recreated before each run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import reset_postgres  # noqa: E402
from fakes.multiproc import Fleet, Spreader, TimedConnector  # noqa: E402
from fakes.multiproc_session import (  # noqa: E402
    LeanCoffeeDriver,
    announcements,
    close_reader,
    open_reader,
    timer_report,
    vote_log_count,
    vote_rows,
)


async def one(url: str, n: int, args: argparse.Namespace) -> dict:
    await reset_postgres(url)
    speed = args.speed if args.worker else 1.0
    connector = TimedConnector()
    await connector.start()
    config = None
    if not args.worker:
        config = Path(args.tmp) / "copkit.toml"
        config.write_text(
            f'[database]\nurl = "{url}"\n\n[teams]\nsdk = "{args.sdk}"\n', encoding="utf-8"
        )
    fleet = Fleet(
        url,
        n=n,
        speed=speed,
        command="worker" if args.worker else "copkit",
        logdir=Path(args.logdir) / f"n{n}" if args.logdir else None,
        config=config,
    )
    await fleet.start(timeout=60)
    await fleet.wait_ready(fleet.workers, 60.0, probe="/readyz")
    spreader = Spreader(fleet.urls)
    t0 = time.perf_counter()
    try:
        await open_reader(url)
        drv = LeanCoffeeDriver(connector, spreader)
        await drv.start(args.topics)
        await drv.vote_burst(args.participants, concurrency=args.concurrency)
        await drv.settle()
        drv.run.board_after_votes = drv.board_text()
        await drv.close_voting()
        await drv.wait_ended(timeout=args.topics * 60 / speed + 60)
        await drv.settle()
        run = await drv.collect()
        timers = await timer_report(run.session_id, speed)
        stored = sum((await vote_rows(run.session_id)).values())
        logged = await vote_log_count()
        lat = sorted(run.latencies)
        return {
            "n": n,
            "comparable": run.comparable(),
            "votes": len(run.outcomes),
            "acked": sum(run.acked.values()),
            "stored": stored,
            "logged": logged,
            "errors": sum(1 for o in run.outcomes if not o.ok),
            "rate": len(run.outcomes) / run.vote_seconds,
            "p50": statistics.median(lat) * 1000,
            "p99": lat[int(len(lat) * 0.99)] * 1000,
            "ports": len({o.port for o in run.outcomes}),
            "timers": timers,
            "ends": len(announcements(connector, "Time's up")),
            "speed": speed,
            "wall": time.perf_counter() - t0,
        }
    finally:
        await close_reader()
        await spreader.close()
        await fleet.stop()
        await connector.stop()


POLL = 0.5  # copkit run's timer poll interval (seconds)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


async def main(args: argparse.Namespace) -> None:
    url = os.environ.get("COPKIT_BENCH_POSTGRES_URL")
    if not url:
        raise SystemExit("set COPKIT_BENCH_POSTGRES_URL")
    counts = [int(x) for x in args.processes.split(",")]
    kind = f"workers, clock x{args.speed:g}" if args.worker else "copkit run, real clock"
    print(
        f"Scale-out: {args.participants} participants x 2 dots, {args.topics} topics, "
        f"{args.concurrency} clicks in flight, {os.cpu_count()} CPUs, PostgreSQL, {kind}"
    )
    print(
        f"{'processes':>9} {'votes/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} "
        f"{'stored':>6} {'same as 1':>9} {'timers':>7} {'late max s':>10}"
    )
    base = None
    results: dict[int, dict] = {}
    checks: list[tuple[str, bool]] = []
    for n in counts:
        r = await one(url, n, args)
        results[n] = r
        base = base or r["comparable"]
        same = r["comparable"] == base
        t = r["timers"]
        once = t["fired"] == args.topics and t["attempts"] == [1] * args.topics
        print(
            f"{n:9d} {r['rate']:8.1f} {r['p50']:8.1f} {r['p99']:8.1f} {r['errors']:6d} "
            f"{r['stored']:6d} {'yes' if same else 'NO':>9} "
            f"{str(t['fired']) + (' x1' if once else ' !'):>7} {t['late_max']:10.2f}",
            flush=True,
        )
        if not same:
            for key in base:
                if r["comparable"][key] != base[key]:
                    print(f"  differs: {key}")
        counted = r["stored"] == r["logged"] == r["acked"] == r["votes"]
        checks += [
            (
                f"{n} process(es): {r['votes']} votes, {r['errors']} errors, {r['stored']} "
                f"stored, {r['logged']} logged, {r['acked']} acknowledged (target: all, once)",
                counted and r["errors"] == 0,
            ),
            (f"{n} process(es): same board, counts, order and minutes as 1", same),
            (
                f"{n} process(es): {t['fired']} timers fired, attempts {t['attempts']} "
                f"(target: {args.topics}, each once)",
                once,
            ),
            (
                f"{n} process(es): latest timer {t['late_max']:.2f} s after due "
                f"(target <= {2 * POLL:g} s)",
                t["late_max"] <= 2 * POLL,
            ),
        ]
    print(f"(late: seconds after the due time a timer was claimed; poll interval {POLL:g} s)")
    if 1 in results and len(results) > 1:
        top = max(results)
        ratio = results[top]["rate"] / results[1]["rate"]
        checks.append(
            (
                f"{top} processes take {ratio:.2f}x the votes/s of 1 ({results[top]['rate']:.1f} "
                f"vs {results[1]['rate']:.1f}, same run; target >= 1.0x)",
                ratio >= 1.0,
            )
        )
    load = os.getloadavg()
    for text, ok in checks:
        print(f"{verdict(ok)} {text}")
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("overall:", verdict(all(ok for _text, ok in checks)))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--participants", type=int, default=300)
    p.add_argument("--topics", type=int, default=3)
    p.add_argument("--processes", default="1,3")
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--speed", type=float, default=20.0)
    p.add_argument("--worker", action="store_true", help="test workers, a faster clock")
    p.add_argument("--sdk", default="agents", help="[teams] sdk of the copkit run processes")
    p.add_argument("--logdir", default="")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        a.tmp = tmp
        asyncio.run(main(a))
