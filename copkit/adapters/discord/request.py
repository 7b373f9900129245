"""The Discord event being answered, shared by the inbound half (which makes it) and the
outbound half (the messenger, which answers through it). Passed explicitly as ``request``."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import discord

TOKEN_LIFETIME = 14 * 60  # interaction tokens last 15 minutes; keep a margin


@dataclass(eq=False)
class DiscordRequest:
    """The Discord event being answered: an interaction, a message mentioning the bot, or a
    poll vote. Handed to the core as ``request`` and back to the messenger."""

    kind: str  # command | component | modal | message | vote
    user_id: str
    channel_id: str
    interaction: discord.Interaction | None = None
    message: discord.Message | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    started: float = field(default_factory=time.monotonic)
    thinking: bool = False  # deferred with an ephemeral "thinking…" placeholder
    placeholder_used: bool = False
    produced: bool = False  # the requester saw an answer
    link: str = ""  # where the answer went, when elsewhere (a thread)

    @property
    def answered(self) -> bool:
        return self.interaction is not None and self.interaction.response.is_done()

    @property
    def fresh(self) -> bool:
        return self.interaction is not None and time.monotonic() - self.started < TOKEN_LIFETIME

    @property
    def clicked_message_id(self) -> str | None:
        if self.interaction is not None and self.interaction.message is not None:
            return str(self.interaction.message.id)
        return None
