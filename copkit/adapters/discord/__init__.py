"""The Discord adapter: copkit as a Discord bot (discord.py). Every discord.py type stays in
this package; the core and the plugins never see one."""

from __future__ import annotations

from collections.abc import Callable

from copkit.core.config import DiscordSettings
from copkit.core.runtime import Copkit

from .access import intents_for
from .bot import DiscordAdapter

__all__ = ["DiscordAdapter", "intents_for", "serve_discord"]


async def serve_discord(
    runtime: Copkit, settings: DiscordSettings, say: Callable[[str], None]
) -> None:
    """Connect to Discord and serve ``runtime`` until cancelled or disconnected for good."""
    adapter = DiscordAdapter(runtime, settings, say)
    shards = ""
    if settings.shard_count:
        ids = ",".join(map(str, settings.shard_ids)) if settings.shard_ids else "all"
        shards = f" (shards {ids} of {settings.shard_count})"
    say(f"Discord: connecting{shards}; members intent {'on' if settings.members_intent else 'off'}")
    try:
        await adapter.start()
    finally:
        await adapter.close()
