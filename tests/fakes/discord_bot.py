"""copkit's Discord adapter running against :class:`FakeDiscord`: start, restart, drive timers."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from copkit.adapters.discord import DiscordAdapter
from copkit.adapters.discord.settings import DiscordSettings
from copkit.core.clock import FakeClock
from copkit.core.plugins import DEFAULT_PLUGINS, make_plugin_manager
from copkit.core.runtime import Copkit

from .discord_server import Call, FakeDiscord

CALLBACK = r"/interactions/\d+/[^/]+/callback"


class BotUnderTest:
    """One copkit process with the Discord adapter, on a real database and a fake clock."""

    def __init__(
        self,
        fake: FakeDiscord,
        database_url: str,
        *,
        plugins: tuple[str, ...] | list[str] = DEFAULT_PLUGINS,
        extra: list[Any] = (),  # type: ignore[assignment]
        settings: DiscordSettings | None = None,
        ack_after: float = 2.0,
        clock: FakeClock | None = None,
        coalesce_interval: float = 0,
    ) -> None:
        self.fake = fake
        self.url = database_url
        self.plugins = list(plugins)
        self.extra = list(extra)
        self.settings = settings or DiscordSettings(token="fake-token")
        self.ack_after = ack_after
        self.coalesce_interval = coalesce_interval
        self.clock = clock or FakeClock()
        self.said: list[str] = []
        self.runtime: Copkit | None = None
        self.adapter: DiscordAdapter | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> BotUnderTest:
        pm = make_plugin_manager(self.plugins, extra=self.extra, entry_points_group=None)
        self.runtime = Copkit(
            self.url, pm=pm, clock=self.clock, coalesce_interval=self.coalesce_interval
        )
        await self.runtime.open()
        self.adapter = DiscordAdapter(
            self.runtime,
            self.settings,
            self.said.append,
            ack_after=self.ack_after,
            client_options={"guild_ready_timeout": 0.05},
        )
        self._task = asyncio.create_task(self.adapter.start())
        ready = asyncio.create_task(self.adapter.ready.wait())
        done, _pending = await asyncio.wait(
            {ready, self._task}, timeout=10, return_when=asyncio.FIRST_COMPLETED
        )
        if self._task in done:
            ready.cancel()
            self._task.result()
            raise AssertionError("the bot stopped before it was ready")
        if ready not in done:
            raise AssertionError(f"the bot was not ready in time; said {self.said}")
        return self

    async def stop(self) -> None:
        if self.adapter is not None:
            await self.adapter.close()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, 5)
            except Exception:
                pass
        if self.runtime is not None:
            await self.runtime.close()
        self.adapter = self.runtime = self._task = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def settle(self, timeout: float = 5.0) -> None:
        """Wait until no request is in flight and no coalesced edit is pending."""
        assert self.adapter is not None and self.runtime is not None
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            await asyncio.sleep(0.02)
            busy = self.adapter._busy
            pending = self.runtime.live.pending()
            if not busy and not pending:
                return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"still busy after {timeout}s: {busy} {pending}")

    # Acting as people: each returns Discord's interaction callback once the bot is done --------

    async def slash(
        self,
        who: dict[str, Any],
        channel: dict[str, Any],
        command: str,
        options: dict[str, Any] | None = None,
    ) -> Call:
        mark = self.fake.mark()
        await self.fake.slash(who, channel, command, options)
        return await self._answered(mark)

    async def press(
        self,
        who: dict[str, Any],
        message: dict[str, Any],
        label: str,
        values: list[str] | None = None,
    ) -> Call:
        mark = self.fake.mark()
        await self.fake.click(who, message, label, values=values)
        return await self._answered(mark)

    async def submit(
        self,
        who: dict[str, Any],
        modal: dict[str, Any],
        values: dict[str, str],
        message: dict[str, Any] | None = None,
    ) -> Call:
        mark = self.fake.mark()
        await self.fake.submit(who, modal, values, message=message)
        return await self._answered(mark)

    async def _answered(self, mark: int) -> Call:
        call = await self.fake.wait_for("POST", CALLBACK, since=mark)
        await self.settle()
        return call

    async def advance(self, delta: timedelta | None = None, **kwargs: float) -> int:
        """Move the fake clock and run the timers that fell due."""
        assert self.runtime is not None
        self.clock.advance(delta or timedelta(**kwargs))
        ran = 0
        while n := await self.runtime.scheduler.run_due():
            ran += n
        await self.fake.quiet(0.05)
        return ran
