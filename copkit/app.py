"""The composition root: settings → runtime (storage, timers) → adapters."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from .core.config import Settings
from .core.plugins import make_plugin_manager
from .core.runtime import Copkit
from .core.storage import hide_password

log = logging.getLogger("copkit")


def say(line: str) -> None:
    print(f"copkit: {line}", flush=True)


async def serve(settings: Settings, plugins: list[str]) -> int:
    """Open storage, start every enabled adapter and run until cancelled.

    Teams runs unless disabled (in local emulator mode without credentials); Discord runs when
    enabled and a token is configured, and keeps trying while Discord cannot be reached. Says
    plainly what started and what is missing. Cancelling it (SIGTERM, Ctrl-C) at any moment,
    start-up included, closes what was opened."""
    runtime = Copkit(settings.database_url, pm=make_plugin_manager(plugins))
    tasks: list[asyncio.Task[None]] = []
    try:
        await runtime.open(timers=True)
        say(f"database {hide_password(settings.database_url)} ready; timers running")
        teams, discord = settings.adapters["teams"], settings.adapters["discord"]
        site = settings.adapters["web"]
        # The site shares the Teams application when both use one port.
        shared = site.enabled and teams.enabled and site.port in (None, teams.port)
        if not teams.enabled:
            say("Teams: not started ([teams] enabled = false, or --no-teams)")
        else:
            try:
                from .adapters.teams import serve_teams
            except ImportError as exc:  # pragma: no cover - botbuilder missing
                say(f"Teams adapter unavailable: {exc}")
                shared = False
            else:
                from .adapters.web.serve import add_site

                def extend(app: Any) -> None:
                    add_site(app, runtime, site, teams.port, say)

                serving = serve_teams(runtime, teams, say, extend if shared else None)
                tasks.append(asyncio.create_task(serving, name="teams"))
        if site.enabled and not shared:
            from .adapters.web.serve import serve_web

            tasks.append(asyncio.create_task(serve_web(runtime, site, say), name="web"))
        elif not site.enabled:
            say("site: not started ([web] enabled = false)")
        if not discord.enabled:
            say("Discord: not started ([discord] enabled = false, or --no-discord)")
        elif discord.token:
            from .adapters.discord import serve_discord

            tasks.append(asyncio.create_task(serve_discord(runtime, discord, say), name="discord"))
        else:
            say("Discord: not started (set DISCORD_TOKEN or [discord] token to connect)")
        if not tasks:
            say("no chat adapter started; running timers only (Ctrl-C to stop)")
            await asyncio.Event().wait()
        done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            failure = task.exception()
            if failure is not None:
                raise failure
        return 0
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await runtime.close()
