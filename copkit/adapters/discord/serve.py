"""Serving Discord for ``copkit run``: connect, and while Discord cannot be reached say so in one
line and try again with backoff (the other adapters and the timers keep running meanwhile)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import aiohttp
import discord

from copkit.core.errors import StartupError
from copkit.core.runtime import Copkit

from .bot import DiscordAdapter
from .settings import DiscordSettings

RETRY_FIRST, RETRY_MAX = 5.0, 300.0

# Discord (or the way to it) is down for now: worth trying again. A refused token is not.
UNREACHABLE: tuple[type[BaseException], ...] = (
    OSError,
    aiohttp.ClientError,
    asyncio.TimeoutError,
    discord.GatewayNotFound,
    discord.ConnectionClosed,
    discord.DiscordServerError,
)


def reason_of(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


async def serve_discord(
    runtime: Copkit,
    settings: DiscordSettings,
    say: Callable[[str], None],
    *,
    retry_first: float = RETRY_FIRST,
    retry_max: float = RETRY_MAX,
) -> None:
    """Connect to Discord and serve ``runtime`` until cancelled. A refused token or intent is a
    :class:`StartupError`; an unreachable Discord is retried (5 s, 10 s, … up to 5 minutes)."""
    shards = ""
    if settings.shard_count:
        ids = ",".join(map(str, settings.shard_ids)) if settings.shard_ids else "all"
        shards = f" (shards {ids} of {settings.shard_count})"
    delay = retry_first
    while True:
        adapter = DiscordAdapter(runtime, settings, say)
        say(
            f"Discord: connecting{shards}; members intent "
            f"{'on' if settings.members_intent else 'off'}"
        )
        try:
            await adapter.start()
            reason = "the connection closed"
        except StartupError:
            raise
        except UNREACHABLE as exc:
            reason = reason_of(exc)
        finally:
            await adapter.close()
        if adapter.ready.is_set():
            delay = retry_first  # it worked for a while: start the backoff again
        say(f"Discord: cannot reach Discord ({reason}); trying again in {delay:.0f} s")
        await asyncio.sleep(delay)
        delay = min(delay * 2, retry_max)
