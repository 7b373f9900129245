"""A copkit worker process for the timer tests: runs due jobs for a while, then exits."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from core_fixtures import DemoPlugin  # noqa: E402

from copkit.core.plugins import make_plugin_manager  # noqa: E402
from copkit.core.runtime import Copkit  # noqa: E402
from copkit.testing import MemoryMessenger  # noqa: E402


async def main(url: str, worker: str, seconds: float) -> None:
    pm = make_plugin_manager(
        ["copkit.plugins.core_commands"], extra=[DemoPlugin()], entry_points_group=None
    )
    rt = Copkit(url, pm=pm, worker_id=worker, poll_interval=0.02)
    rt.add_messenger(MemoryMessenger())
    await rt.open(upgrade=False)
    print("ready", flush=True)
    rt.scheduler.start()
    await asyncio.sleep(seconds)
    await rt.close()
    print(f"fired {rt.scheduler.fired}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
