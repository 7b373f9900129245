"""One copkit worker process serving the Teams endpoint, for the scale-out tests.

The same start-up as ``copkit run`` (``Copkit`` with timers, then ``serve_teams`` in local mode),
with two test knobs: the plugins to load, and a clock that runs ``--speed`` times faster than the
wall clock from a shared origin, so that every worker agrees on the time and a one-minute
timebox lasts a few seconds.

    python tests/fakes/multiproc_worker.py --database URL --port N [--speed 20 --origin T]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import time
from datetime import UTC, datetime, timedelta

from copkit.adapters.teams.settings import TeamsSettings
from copkit.core.clock import Clock
from copkit.core.plugins import make_plugin_manager
from copkit.core.runtime import Copkit

CLOCK_START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class ScaledClock(Clock):
    """``CLOCK_START`` at wall time ``origin``, then ``speed`` clock seconds per real second."""

    def __init__(self, origin: float, speed: float) -> None:
        self.origin = origin
        self.speed = speed

    def now(self) -> datetime:
        return CLOCK_START + timedelta(seconds=(time.time() - self.origin) * self.speed)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.speed)


async def orphan_watch(parent: int) -> None:
    """Exit when the test that started this worker is gone (no stray workers on the database)."""
    while os.getppid() == parent:
        await asyncio.sleep(1)
    os._exit(3)


async def main(args: argparse.Namespace) -> None:
    from copkit.adapters.teams import serve_teams

    watch = asyncio.create_task(orphan_watch(os.getppid()))  # noqa: F841 (kept alive)

    clock = ScaledClock(args.origin, args.speed) if args.speed != 1 else Clock()
    pm = make_plugin_manager(args.plugins.split(","), entry_points_group=None)
    runtime = Copkit(
        args.database,
        pm=pm,
        clock=clock,
        worker_id=f"worker-{args.port}-{os.getpid()}",
        poll_interval=args.poll,
    )
    await runtime.open(timers=True)
    print(f"worker {os.getpid()} ready on {args.port}", flush=True)
    try:
        await serve_teams(runtime, TeamsSettings(port=args.port), lambda line: None)
    finally:
        await runtime.close()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--database", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--plugins", default="copkit.plugins.core_commands,copkit.plugins.leancoffee")
    p.add_argument("--speed", type=float, default=1.0)
    p.add_argument("--origin", type=float, default=0.0)
    p.add_argument("--poll", type=float, default=0.5)
    p.add_argument("-v", action="store_true")
    a = p.parse_args()
    logging.basicConfig(
        level=logging.INFO if a.v else logging.WARNING,
        format=f"%(asctime)s [{a.port}] %(levelname)s %(name)s: %(message)s",
    )
    loop = asyncio.new_event_loop()
    task = loop.create_task(main(a))
    loop.add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        loop.run_until_complete(task)
    except asyncio.CancelledError:
        pass
