"""What copkit asks of Discord: gateway intents, channel permissions and the invite link.

docs/discord.md lists the same; a test keeps the two in step.
"""

from __future__ import annotations

import discord

from .settings import DiscordSettings

SCOPES = ("bot", "applications.commands")

# Permission → what needs it. Without one, copkit still works and says what it could not do.
NEEDS: dict[str, str] = {
    "view_channel": "see the channels it is used in (and who is in a voice channel)",
    "send_messages": "post boards, announcements and minutes (also in voice channel chats)",
    "embed_links": "show views as embeds",
    "attach_files": "attach pictures (health-check charts)",
    "read_message_history": "reply to a message that mentions it",
    "create_public_threads": "open signup threads",
    "send_messages_in_threads": "post in those threads",
    "send_polls": "post native polls (public polls; anonymous ones are buttons)",
    "create_events": "put brown bags in the server's events",
    "pin_messages": "pin the community canvas",
}

PERMISSIONS = discord.Permissions(**dict.fromkeys(NEEDS, True))


def intents_for(settings: DiscordSettings) -> discord.Intents:
    """Guilds, guild messages (commands by mention), voice states (presence) and polls (votes);
    none of them privileged. The privileged members intent only when configured."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.voice_states = True
    intents.guild_polls = True
    intents.members = settings.members_intent
    return intents


def invite_url(application_id: int) -> str:
    """The link that adds the bot to a server with its slash commands and permissions."""
    return discord.utils.oauth_url(application_id, permissions=PERMISSIONS, scopes=SCOPES)


def missing(guild: discord.Guild) -> list[str]:
    """The permissions copkit wants but lacks in ``guild`` (server-wide), by name."""
    me = guild.me
    if me is None:
        return []
    have = me.guild_permissions
    if have.administrator:
        return []
    lacking = [name for name in NEEDS if not getattr(have, name)]
    if "create_events" in lacking and have.manage_events:
        lacking.remove("create_events")
    if "pin_messages" in lacking and have.manage_messages:
        lacking.remove("pin_messages")
    return [name.replace("_", " ").title() for name in lacking]
