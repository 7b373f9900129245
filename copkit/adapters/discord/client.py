"""discord.py's client with copkit's event handlers: every event goes to the adapter."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord import app_commands

IDENTIFY_WINDOW = 5.0  # seconds between IDENTIFYs of one bucket


class CopkitClient(discord.AutoShardedClient):
    """discord.py's client with copkit's event handlers; every event goes to the adapter."""

    def __init__(self, adapter: Any, **options: Any) -> None:
        super().__init__(**options)
        self.adapter = adapter
        self.tree = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        await self.adapter.setup()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Discord allows one IDENTIFY per 5 seconds in each of ``max_concurrency`` buckets
        (``shard_id % max_concurrency``); discord.py waits 5 s before every shard but the first
        whatever the bucket. Wait only as long as the shard's bucket needs."""
        loop = asyncio.get_running_loop()
        bucket = (shard_id or 0) % max(1, self.adapter.max_concurrency)
        last = self.adapter.identified_at.get(bucket)
        if last is None and not initial and self.adapter.max_concurrency <= 1:
            last = loop.time()  # a reconnect of a lone shard: as discord.py does
        if last is not None:
            await asyncio.sleep(max(0.0, last + IDENTIFY_WINDOW - loop.time()))
        self.adapter.identified_at[bucket] = loop.time()

    async def copkit_component(
        self, interaction: discord.Interaction, item: discord.ui.Item
    ) -> None:
        if not self.adapter.closing:
            await self.adapter.on_component(interaction, item)

    async def on_ready(self) -> None:
        await self.adapter.on_ready()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.modal_submit and not self.adapter.closing:
            await self.adapter.on_modal(interaction)

    async def on_message(self, message: discord.Message) -> None:
        if not self.adapter.closing:
            await self.adapter.on_message(message)

    async def on_voice_state_update(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        if before.channel == after.channel or self.adapter.closing:
            return
        for channel in (before.channel, after.channel):
            if channel is not None:
                await self.adapter.report_presence(channel)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        for channel in [*guild.voice_channels, *guild.stage_channels]:
            if channel.voice_states:
                await self.adapter.report_presence(channel)

    async def on_raw_poll_vote_add(self, payload: discord.RawPollVoteActionEvent) -> None:
        if not self.adapter.closing:
            await self.adapter.on_poll_vote(payload)

    async def on_raw_poll_vote_remove(self, payload: discord.RawPollVoteActionEvent) -> None:
        if not self.adapter.closing:
            await self.adapter.on_poll_vote(payload, removed=True)
