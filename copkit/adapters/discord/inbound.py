"""The inbound half of the Discord adapter: slash commands, clicks, forms, mentions, poll votes
and voice presence, turned into core calls. A mixin of :class:`~.bot.DiscordAdapter`, which
provides the runtime, the client, the messenger and the dispatch (``_run``, ``_tell``, …)."""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

import discord

from copkit.core.errors import Unavailable
from copkit.core.events import UPLOAD_READ_MAX, CommunityRef, Interaction, Person, RoomRef, Upload
from copkit.core.i18n import _
from copkit.core.runtime import Copkit
from copkit.core.specs import Command

from . import store
from .client import CopkitClient
from .messenger import DiscordMessenger
from .people import community_of, person_of, room_of
from .render import form_from_json, modal_for, modal_values, opens_form, strip_duplicate_suffix
from .request import DiscordRequest

log = logging.getLogger("copkit.discord")

POLL_RECORD_TRIES, POLL_RECORD_WAIT = 6, 0.5
FORM_TRIES, FORM_WAIT = 5, 0.2  # at most ~1 s of Discord's 3 for a form stored just now


def _data(interaction: discord.Interaction) -> dict[str, Any]:
    """The interaction's payload as JSON (discord.py types it as a union of TypedDicts)."""
    return cast("dict[str, Any]", interaction.data or {})


class InboundEvents(abc.ABC):
    """Gateway events in, core calls out. The adapter (bot.py) provides the request plumbing
    declared abstract here."""

    runtime: Copkit
    client: CopkitClient
    messenger: DiscordMessenger
    closing: bool

    @abc.abstractmethod
    def _working(self) -> contextlib.AbstractContextManager[None]:
        """Provided by the adapter."""

    @abc.abstractmethod
    async def _run(self, req: DiscordRequest, call: Callable[[], Awaitable[None]]) -> None:
        """Provided by the adapter."""

    @abc.abstractmethod
    async def _tell(self, req: DiscordRequest, text: str) -> None:
        """Provided by the adapter."""

    @abc.abstractmethod
    def _request(self, interaction: discord.Interaction, kind: str) -> DiscordRequest:
        """Provided by the adapter."""

    @abc.abstractmethod
    async def _where(
        self, interaction: discord.Interaction
    ) -> tuple[CommunityRef, RoomRef, Person] | None:
        """Provided by the adapter."""

    async def on_command(
        self,
        interaction: discord.Interaction,
        cmd: Command,
        values: dict[str, Any],
        people: dict[str, Any],
    ) -> None:
        if self.closing:
            return
        req = self._request(interaction, "command")
        where = await self._where(interaction)
        if where is None:
            return
        community, room, person = where
        guild = interaction.guild
        mentions = {pid: person_of(user, guild) for pid, user in people.items()}

        async def call() -> None:
            for name, value in list(values.items()):
                if isinstance(value, discord.Attachment):  # read once the watchdog runs
                    values[name] = await upload_of(value)
            await self.runtime.handle_command(
                community, room, person, cmd.path, values, request=req, mentions=mentions
            )

        await self._run(req, call)

    async def on_component(self, interaction: discord.Interaction, item: discord.ui.Item) -> None:
        custom_id = getattr(item, "custom_id", "") or ""
        action_id = strip_duplicate_suffix(custom_id)
        values: dict[str, Any] = {}
        if isinstance(item, discord.ui.Select):
            values["selected"] = list(_data(interaction).get("values", []))
        req = self._request(interaction, "component")
        where = await self._where(interaction)
        if where is None:
            await self._tell(req, _("That button no longer works."))
            return
        community, room, person = where
        if isinstance(item, discord.ui.Button) and opens_form(custom_id):
            await self._open_form(interaction, community, custom_id)
            return
        await self._interact(interaction, req, (community, room, person), action_id, values)

    async def _interact(
        self,
        interaction: discord.Interaction,
        req: DiscordRequest,
        where: tuple[CommunityRef, RoomRef, Person],
        action_id: str,
        values: dict[str, Any],
    ) -> None:
        """Hand a click or a form to the core, with the message it came from."""
        community, room, person = where
        ref = None
        if interaction.message is not None:
            ref = {
                "room_id": str(interaction.channel_id),
                "message_id": str(interaction.message.id),
            }

        async def call() -> None:
            await self.runtime.handle_interaction(
                community, room, person, Interaction(action_id, values, ref), request=req
            )

        await self._run(req, call)

    async def _open_form(
        self, interaction: discord.Interaction, community: CommunityRef, custom_id: str
    ) -> None:
        """Answer a form button with its modal (it must be the first response, so the form was
        stored with the message). A click right after posting may beat the storing: wait a bit."""
        data = None
        message_id = str(interaction.message.id) if interaction.message is not None else ""
        with self._working():
            try:
                state = await self.runtime.community(community)
                for _attempt in range(FORM_TRIES):
                    data = await self.messenger.form_for(state.row, message_id, custom_id)
                    if data is not None:
                        break
                    await asyncio.sleep(FORM_WAIT)
            except Exception as exc:
                log.warning("cannot look up a form: %s", exc)
            if data is None:
                req = self._request(interaction, "component")
                await self._tell(req, _("That form is not available. Try the latest message."))
                return
            await interaction.response.send_modal(modal_for(form_from_json(data)))

    async def on_modal(self, interaction: discord.Interaction) -> None:
        data = _data(interaction)
        action_id = str(data.get("custom_id", ""))
        values = modal_values(list(data.get("components", [])))
        req = self._request(interaction, "modal")
        where = await self._where(interaction)
        if where is None:
            await self._tell(req, _("That form no longer works."))
            return
        community, room, person = where
        await self._interact(interaction, req, (community, room, person), action_id, values)

    async def on_message(self, message: discord.Message) -> None:
        """``@copkit leancoffee start``: a command typed as a message mentioning the bot (works
        without the message content intent, which covers messages that mention the bot)."""
        me = self.client.user
        if me is None or message.author.bot or message.guild is None:
            return
        content = message.content.strip()
        prefix = next((p for p in (f"<@{me.id}>", f"<@!{me.id}>") if content.startswith(p)), None)
        if prefix is None:
            return
        text = content[len(prefix) :].strip()
        if not text:
            text = "help"
        mentions: dict[str, Person] = {}
        for user in message.mentions:
            if user.id == me.id:
                continue
            p = person_of(user, message.guild)
            for key in (
                str(user.id),
                f"<@{user.id}>",
                f"<@!{user.id}>",
                getattr(user, "display_name", ""),
            ):
                if key:
                    mentions[key] = p
        req = DiscordRequest(
            kind="message",
            user_id=str(message.author.id),
            channel_id=str(message.channel.id),
            message=message,
        )
        community = community_of(message.guild)
        room = room_of(message.channel)
        person = person_of(message.author, message.guild)

        async def call() -> None:
            await self.runtime.handle_text(
                community, room, person, text, request=req, mentions=mentions
            )

        await self._run(req, call)

    async def on_poll_vote(
        self, payload: discord.RawPollVoteActionEvent, *, removed: bool = False
    ) -> None:
        """A vote cast (or, with ``removed``, taken back) on a native poll: the poll's action."""
        if payload.guild_id is None:
            return
        guild = self.client.get_guild(payload.guild_id)
        community = (
            community_of(guild)
            if guild is not None
            else CommunityRef("discord", str(payload.guild_id))
        )
        try:
            state = await self.runtime.community(community)
            rec = await self._poll_record(state.row, payload.message_id)
        except Exception as exc:
            log.warning("poll vote not recorded: %s", exc)
            return
        if not rec or not rec.get("poll") or (removed and not rec.get("removals")):
            return
        index = payload.answer_id - 1  # Discord numbers answers from 1
        if not 0 <= index < int(rec.get("answers", 10)):
            return
        member = guild.get_member(payload.user_id) if guild is not None else None
        person = person_of(member, guild) if member is not None else Person(str(payload.user_id))
        channel = self.client.get_channel(payload.channel_id)
        room = room_of(channel, payload.channel_id)
        req = DiscordRequest(kind="vote", user_id=person.id, channel_id=str(payload.channel_id))
        ref = {"room_id": str(payload.channel_id), "poll_message_id": str(payload.message_id)}
        action = Interaction(f"{rec['poll']}:{index}", {"removed": True} if removed else {}, ref)

        async def call() -> None:
            await self.runtime.handle_interaction(community, room, person, action, request=req)

        await self._run(req, call)

    async def _poll_record(self, community: Any, message_id: int) -> dict[str, Any] | None:
        """Which core poll a native poll carries. A vote can arrive before the process that
        posted a fresh poll has stored that: wait a little for polls under a minute old."""
        for _attempt in range(POLL_RECORD_TRIES):
            rec = await store.recall(community, f"poll:{message_id}")
            age = discord.utils.utcnow() - discord.utils.snowflake_time(message_id)
            if rec is not None or age.total_seconds() > 60:
                return rec
            await asyncio.sleep(POLL_RECORD_WAIT)
        return None

    async def report_presence(self, channel: discord.VoiceChannel | discord.StageChannel) -> None:
        """Tell the core who is in a voice channel now."""
        me = self.client.user
        people = []
        for user_id in channel.voice_states:
            if me is not None and user_id == me.id:
                continue
            member = channel.guild.get_member(user_id)
            if member is not None and member.bot:
                continue
            people.append(
                person_of(member, channel.guild) if member is not None else Person(str(user_id))
            )
        try:
            with self._working():
                await self.runtime.handle_presence(
                    community_of(channel.guild), room_of(channel), people
                )
        except Unavailable as exc:
            log.warning("presence not recorded: %s", exc)
        except Exception:
            log.exception("presence update failed")


async def upload_of(attachment: discord.Attachment) -> Upload:
    """A Discord attachment as the core takes a file (not downloaded when too large)."""
    data = await attachment.read() if attachment.size <= UPLOAD_READ_MAX else b""
    return Upload(attachment.filename, attachment.size, data, attachment.content_type or "")
