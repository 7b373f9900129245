"""Temporary voice channels on Discord (the messenger's :class:`copkit.core.messenger.VoiceRooms`):
one per group of an activity, in the category of the activity's channel, deleted at its end.

Opening needs Manage Channels. Without it (checked first, the category's overwrites included,
and a 403 from Discord all the same) the core is told why in a short sentence for the people
concerned, and the activity goes on in its threads. A session held in a voice channel's chat
cannot open threads there: each group's messages then go to its own voice channel's chat. A
channel's name is what the core asks for, kept to Discord's rules: one line, no control
characters, 1–100 characters."""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata

import aiohttp
import discord

from copkit.core import places
from copkit.core.i18n import _
from copkit.core.messenger import RoomRefused
from copkit.core.models import Community
from copkit.core.usertext import plain_text

log = logging.getLogger("copkit.discord")

NAME_MAX = 100
"""Discord's limit for a channel's name."""

FAILURES = (discord.HTTPException, aiohttp.ClientError, OSError, asyncio.TimeoutError)
_SPACES = re.compile(r"\s+")


def voice_name(name: str) -> str:
    """``name`` as a voice channel's name: marks and control characters gone, every run of
    white space one space, at most 100 characters (cut with an ellipsis); never empty."""
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in plain_text(name)
        if unicodedata.category(ch) not in ("Cf", "Co", "Cs", "Cn") or ch == "\u200d"
    )
    text = _SPACES.sub(" ", text).strip()
    if len(text) > NAME_MAX:
        text = text[: NAME_MAX - 1].rstrip() + "…"
    return text or "copkit"


def no_voice() -> RoomRefused:
    return RoomRefused(
        _(
            "I can't open voice rooms here: I need the Manage Channels permission. Use the group thread."
        )
    )


def may_manage_channels(
    guild: discord.Guild | None, category: discord.abc.GuildChannel | None
) -> bool:
    """Whether copkit holds Manage Channels in ``guild`` — in ``category`` (its overwrites
    count) when the channel goes there. ``True`` when it cannot tell: Discord decides then."""
    me = guild.me if guild is not None else None
    if me is None:
        return True
    perms = category.permissions_for(me) if category is not None else me.guild_permissions
    return perms.administrator or perms.manage_channels


async def own_voice_room(community: Community, key: str) -> str | None:
    """The voice channel opened for the place ``key``, if any: where that place's messages go
    when its thread cannot be made (a session held in a voice channel's chat)."""
    return await places.room_of(community.id, key, places.VOICE)


class VoiceKeeping:
    """The messenger's voice rooms."""

    client: discord.Client

    def _category_of(self, room_id: str) -> discord.CategoryChannel | None:
        """The category of the channel ``room_id`` (of its parent, for a thread), if any."""
        channel = self.client.get_channel(int(room_id)) if room_id.isdigit() else None
        if isinstance(channel, discord.Thread):
            channel = channel.parent
        return getattr(channel, "category", None) if channel is not None else None

    async def open_voice(self, community: Community, near_room_id: str, name: str) -> str:
        """A voice channel named ``name`` beside ``near_room_id``; its id."""
        if not community.external_id.isdigit():
            raise no_voice()
        guild_id = int(community.external_id)
        category = self._category_of(near_room_id)
        if not may_manage_channels(self.client.get_guild(guild_id), category):
            log.info("no Manage Channels in guild %s: no voice channel", guild_id)
            raise no_voice()
        try:
            made = await self.client.http.create_channel(
                guild_id,
                discord.ChannelType.voice.value,
                name=voice_name(name),
                parent_id=category.id if category is not None else None,
                reason="copkit: a group's voice room for this session",
            )
        except discord.Forbidden as exc:
            log.info("Discord refused to create a voice channel in %s: %s", guild_id, exc)
            raise no_voice() from exc
        except FAILURES as exc:
            log.warning("could not create a voice channel in %s: %s", guild_id, exc)
            raise RoomRefused(
                _("I couldn't open voice rooms: Discord did not answer. Use the group thread.")
            ) from exc
        return str(made["id"])

    async def remove_room(self, community: Community, room_id: str) -> None:
        """Delete a voice channel copkit made (gone already: nothing to do)."""
        if not room_id.isdigit():
            return
        try:
            await self.client.http.delete_channel(
                int(room_id), reason="copkit: the session is over"
            )
        except discord.NotFound:
            return
        except discord.Forbidden as exc:
            raise RoomRefused(f"Discord refused to delete channel {room_id}: {exc}") from exc
        except FAILURES as exc:
            raise RoomRefused(
                f"Discord: could not delete channel {room_id}: {type(exc).__name__}"
            ) from exc
