"""The Discord bot: gateway events in, core calls out.

Guild → community, member → person (Manage Server → core team, owner → leader), channel → room
(a voice channel's chat is a room of kind ``voice``; its voice states are the room's presence).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any

import discord
from discord import app_commands

from copkit.core.errors import StartupError, Unavailable
from copkit.core.events import CommunityRef, Interaction, Person, RoomRef
from copkit.core.i18n import _
from copkit.core.runtime import Copkit
from copkit.core.specs import Command

from . import store
from .access import intents_for, invite_url, missing
from .commands import CommandPlan, plan_commands
from .messenger import DiscordMessenger, DiscordRequest
from .render import (
    ActionItem,
    form_from_json,
    modal_for,
    modal_values,
    opens_form,
    strip_duplicate_suffix,
)
from .settings import DiscordSettings
from .translate import CatalogueTranslator

log = logging.getLogger("copkit.discord")

Say = Callable[[str], None]

POLL_RECORD_TRIES, POLL_RECORD_WAIT = 6, 0.5
FORM_TRIES, FORM_WAIT = 5, 0.2  # at most ~1 s of Discord's 3 for a form stored just now
MISSING_REPORTED = 10
IDENTIFY_WINDOW = 5.0
FORMS_KEPT = timedelta(
    days=90
)  # a form button older than this answers "not available"  # seconds between IDENTIFYs of one bucket  # servers whose missing permissions are listed at start-up

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


class CopkitClient(discord.AutoShardedClient):
    """discord.py's client with copkit's event handlers; every event goes to the adapter."""

    def __init__(self, adapter: DiscordAdapter, **options: Any) -> None:
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
    ) -> None:  # type: ignore[type-arg]
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


class DiscordAdapter:
    """One Discord connection (one or several shards) serving a copkit runtime."""

    def __init__(
        self,
        runtime: Copkit,
        settings: DiscordSettings,
        say: Say = print,
        *,
        ack_after: float = 2.0,
        client_options: dict[str, Any] | None = None,
    ) -> None:
        self.runtime = runtime
        self.settings = settings
        self.say = say
        self.ack_after = ack_after
        options: dict[str, Any] = {
            "intents": intents_for(settings),
            "allowed_mentions": discord.AllowedMentions.none(),
            "max_messages": None,
        }
        if settings.shard_count:
            options["shard_count"] = settings.shard_count
            if settings.shard_ids:
                options["shard_ids"] = list(settings.shard_ids)
        options.update(client_options or {})
        # copkit reads voice states but never joins voice audio: no PyNaCl/davey warnings.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        self.client = CopkitClient(self, **options)
        self.messenger = DiscordMessenger(self)
        self.plan: CommandPlan | None = None
        self.synced: list[Any] = []
        self.ready = asyncio.Event()
        self.closing = False
        self.max_concurrency = 1  # shards that may IDENTIFY together (from Discord at start)
        self.identified_at: dict[int, float] = {}  # bucket -> when a shard last identified
        self._busy: set[asyncio.Future[Any]] = set()
        runtime.add_messenger(self.messenger)

    # Life cycle -------------------------------------------------------------------------------

    @property
    def syncs_commands(self) -> bool:
        """Only the process running shard 0 (or the only process) syncs the command list."""
        ids = self.settings.shard_ids
        return not ids or 0 in ids

    async def setup(self) -> None:
        try:
            limits = await self.client.fetch_session_start_limits()
            self.max_concurrency = max(1, limits.max_concurrency)
        except discord.HTTPException as exc:
            log.info("session start limits unknown (%s): one shard per 5 seconds", exc)
        try:
            gone = await store.prune("form:", self.runtime.clock.now() - FORMS_KEPT)
            if gone:
                log.info("forgot %s forms of messages older than %s", gone, FORMS_KEPT)
        except Exception as exc:  # the database is down: try at the next start
            log.warning("old forms not pruned: %s", exc)
        await self.client.tree.set_translator(CatalogueTranslator())
        self.plan = plan_commands(self.runtime.registry, self.on_command)
        for root in self.plan.roots:
            self.client.tree.add_command(root)
        for note in self.plan.notes:
            self.say(f"Discord: {note}")
        for problem in self.plan.problems:
            self.say(f"Discord: not offered: {problem}")
        self.client.add_dynamic_items(ActionItem)
        if self.syncs_commands:
            self.synced = await self.client.tree.sync()
            self.say(
                f"Discord: {len(self.plan.by_name)} slash commands synced ({len(self.synced)} top-level)"
            )

    async def on_ready(self) -> None:
        user = self.client.user
        shards = self.client.shard_ids or list(range(self.client.shard_count or 1))
        self.say(
            f"Discord: connected as {user} to {len(self.client.guilds)} server(s)"
            f" (shards {','.join(map(str, shards))} of {self.client.shard_count})"
        )
        if self.client.application_id:
            self.say(f"Discord: invite link: {invite_url(self.client.application_id)}")
        for guild in self.client.guilds[:MISSING_REPORTED]:
            lacking = missing(guild)
            if lacking:
                self.say(f"Discord: in “{guild.name}” I lack: {', '.join(lacking)}")
        self.ready.set()

    async def start(self) -> None:
        """Log in and connect; returns when the connection closes."""
        try:
            await self.client.start(self.settings.token)
        except discord.LoginFailure:
            raise StartupError(
                "Discord refused the token: check DISCORD_TOKEN or [discord] token"
            ) from None
        except discord.PrivilegedIntentsRequired:
            raise StartupError(
                "Discord refused the Server Members intent: enable it for the bot in the Developer "
                "Portal, or set [discord] members_intent = false"
            ) from None

    def connected(self) -> bool:
        """Ready, and every shard's gateway connection open (for ``/readyz``)."""
        client = self.client
        if self.closing or client.is_closed() or not client.is_ready():
            return False
        return all(not shard.is_closed() for shard in client.shards.values())

    async def close(self, grace: float = 10.0) -> None:
        """Stop taking events, let the requests in flight finish (so what they show is stored),
        then disconnect."""
        self.closing = True
        busy = [t for t in self._busy if t is not asyncio.current_task()]
        if busy:
            await asyncio.wait(busy, timeout=grace)
        if not self.client.is_closed():
            await self.client.close()

    @contextlib.contextmanager
    def _working(self) -> Iterator[None]:
        """Mark the current task as a request in flight (``close`` waits for it)."""
        task = asyncio.current_task()
        if task is not None:
            self._busy.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._busy.discard(task)

    # Dispatch ---------------------------------------------------------------------------------

    async def _run(self, req: DiscordRequest, call: Callable[[], Awaitable[None]]) -> None:
        """Run a core call for ``req``: acknowledge in time, answer Unavailable, close up."""
        with self._working():
            await self._run_tracked(req, call)

    async def _run_tracked(self, req: DiscordRequest, call: Callable[[], Awaitable[None]]) -> None:
        watchdog = (
            asyncio.create_task(self._ack_later(req)) if req.interaction is not None else None
        )
        try:
            await call()
        except Unavailable:
            if not req.produced:
                await self._tell(req, _("I can't reach my database. Try again in a moment."))
        except Exception:
            log.exception("handling a Discord %s failed", req.kind)
        finally:
            if watchdog is not None:
                watchdog.cancel()
            try:
                await self._finish(req)
            except discord.HTTPException as exc:
                log.warning("could not close interaction: %s", exc)

    async def _ack_later(self, req: DiscordRequest) -> None:
        await asyncio.sleep(self.ack_after)
        it = req.interaction
        assert it is not None
        async with req.lock:
            if it.response.is_done():
                return
            try:
                if req.kind == "command":
                    await it.response.defer(ephemeral=True, thinking=True)
                    req.thinking = True
                else:
                    await it.response.defer()
            except discord.HTTPException as exc:
                log.warning("could not defer an interaction: %s", exc)

    async def _finish(self, req: DiscordRequest) -> None:
        it = req.interaction
        if it is None:
            return
        async with req.lock:
            if not it.response.is_done():
                if req.kind == "command":
                    await it.response.send_message(req.link or _("Done."), ephemeral=True)
                else:
                    await it.response.defer()
            elif req.thinking and not req.placeholder_used and req.fresh:
                if req.produced and not req.link:
                    await it.delete_original_response()
                else:
                    await it.edit_original_response(content=req.link or _("Done."))

    async def _tell(self, req: DiscordRequest, text: str) -> None:
        """A short private line to the person who asked (outside the core)."""
        try:
            it = req.interaction
            if it is not None:
                async with req.lock:
                    if not it.response.is_done():
                        await it.response.send_message(text, ephemeral=True)
                    elif req.thinking and not req.placeholder_used:
                        req.placeholder_used = True
                        await it.edit_original_response(content=text)
                    elif req.fresh:
                        await it.followup.send(text, ephemeral=True)
                    req.produced = True
            elif req.message is not None:
                await req.message.reply(text)
        except discord.HTTPException as exc:
            log.warning("could not tell the user: %s", exc)

    def _request(self, interaction: discord.Interaction, kind: str) -> DiscordRequest:
        return DiscordRequest(
            kind=kind,
            user_id=str(interaction.user.id),
            channel_id=str(interaction.channel_id),
            interaction=interaction,
        )

    async def _where(
        self, interaction: discord.Interaction
    ) -> tuple[CommunityRef, RoomRef, Person] | None:
        """Community, room and person of an interaction (DMs: the community that sent it)."""
        room = room_of(interaction.channel, interaction.channel_id)
        if interaction.guild_id is not None:
            guild = self.client.get_guild(interaction.guild_id) or interaction.guild
            community = (
                community_of(guild)
                if guild is not None
                else CommunityRef("discord", str(interaction.guild_id))
            )
            person = person_of(interaction.user, guild, interaction.permissions)
            return community, room, person
        if interaction.message is None:
            return None
        try:
            row = await store.community_of(f"dm:{interaction.message.id}")
        except Exception as exc:  # the database is down
            log.warning("cannot map a direct message to its community: %s", exc)
            return None
        if row is None:
            return None
        community = CommunityRef(row.platform, row.external_id, row.name)
        user = interaction.user
        return (
            community,
            RoomRef(room.id, room.name, "private"),
            Person(str(user.id), user.display_name),
        )

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
            await self.runtime.handle_command(
                community, room, person, cmd.path, values, request=req, mentions=mentions
            )

        await self._run(req, call)

    async def on_component(self, interaction: discord.Interaction, item: discord.ui.Item) -> None:  # type: ignore[type-arg]
        custom_id = getattr(item, "custom_id", "") or ""
        action_id = strip_duplicate_suffix(custom_id)
        values: dict[str, Any] = {}
        if isinstance(item, discord.ui.Select):
            values["selected"] = list((interaction.data or {}).get("values", []))  # type: ignore[union-attr]
        req = self._request(interaction, "component")
        where = await self._where(interaction)
        if where is None:
            await self._tell(req, _("That button no longer works."))
            return
        community, room, person = where
        if isinstance(item, discord.ui.Button) and opens_form(custom_id):
            await self._open_form(interaction, community, custom_id)
            return
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
        data: dict[str, Any] = interaction.data or {}  # type: ignore[assignment]
        action_id = str(data.get("custom_id", ""))
        values = modal_values(list(data.get("components", [])))
        req = self._request(interaction, "modal")
        where = await self._where(interaction)
        if where is None:
            await self._tell(req, _("That form no longer works."))
            return
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
