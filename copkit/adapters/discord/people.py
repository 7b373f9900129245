"""Discord's guilds, channels and members as the core's communities, rooms and people.

Guild → community, member → person (Manage Server → core team, owner → leader), channel → room
(a voice channel's chat is a room of kind ``voice``; its voice states are the room's presence).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import discord

from copkit.core.events import CommunityRef, Person, RoomRef

VOICE_TYPES = (discord.ChannelType.voice, discord.ChannelType.stage_voice)
THREAD_TYPES = (
    discord.ChannelType.public_thread,
    discord.ChannelType.private_thread,
    discord.ChannelType.news_thread,
)


def community_of(guild: discord.Guild | Any) -> CommunityRef:
    owner = getattr(guild, "owner_id", None)
    return CommunityRef(
        "discord",
        str(guild.id),
        getattr(guild, "name", None) or "",
        owner_id=str(owner) if owner else None,
    )


def room_of(channel: Any, channel_id: int | None = None) -> RoomRef:
    ctype = getattr(channel, "type", None)
    kind = "text"
    if ctype in VOICE_TYPES:
        kind = "voice"
    elif ctype in THREAD_TYPES:
        kind = "thread"
    elif ctype in (discord.ChannelType.private, discord.ChannelType.group):
        kind = "private"
    cid = getattr(channel, "id", None) or channel_id
    return RoomRef(str(cid), getattr(channel, "name", None) or "", kind)


def person_of(
    user: discord.abc.User, guild: Any = None, permissions: discord.Permissions | None = None
) -> Person:
    """The person behind a Discord user: Manage Server (or Administrator) makes them a platform
    admin, and their roles (names, ids and mentions) let a leader name a core-team role."""
    roles: tuple[str, ...] = ()
    if isinstance(user, discord.Member):
        if permissions is None:
            permissions = user.guild_permissions
        held = [r for r in user.roles if not r.is_default()]
        roles = tuple(x for r in held for x in (r.name, str(r.id), r.mention))
    is_admin = bool(permissions and (permissions.manage_guild or permissions.administrator))
    owner_id = getattr(guild, "owner_id", None)
    is_owner = owner_id is not None and owner_id == user.id
    return Person(
        str(user.id),
        getattr(user, "display_name", None) or user.name,
        is_admin or is_owner,
        is_owner,
        roles,
    )


_MENTION = re.compile(r"<@!?([0-9]{15,21})>|([0-9]{15,21})")


async def find_member(client: discord.Client, guild_id: str, token: str) -> Person | None:
    """The member of the guild ``token`` names (a mention, an id, or a name or nickname
    among the members the bot sees), asking Discord for one it has not cached."""
    guild = client.get_guild(int(guild_id)) if guild_id.isdigit() else None
    if guild is None:
        return None
    m = _MENTION.fullmatch(token.strip())
    member: discord.Member | None
    if m:
        member_id = int(m.group(1) or m.group(2))
        member = guild.get_member(member_id)
        if member is None:
            try:
                member = await guild.fetch_member(member_id)
            except (discord.NotFound, discord.Forbidden):
                return None
    else:
        member = guild.get_member_named(token.strip()) or await _query(guild, token.strip())
    return person_of(member, guild) if member is not None else None


async def _query(guild: discord.Guild, name: str) -> discord.Member | None:
    """The one member whose name or nickname is ``name``, asked of the gateway (a prefix
    search Discord allows without the members intent); none if it does not answer soon."""
    try:
        found = await asyncio.wait_for(guild.query_members(query=name[:100], limit=5), 5)
    except (TimeoutError, discord.ClientException):
        return None
    exact = [m for m in found if name.casefold() in {m.name.casefold(), m.display_name.casefold()}]
    return exact[0] if len(exact) == 1 else None
