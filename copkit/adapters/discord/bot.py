"""The Discord adapter's life cycle and dispatch: connect, sync the commands, run each core call
in time for Discord's 3 seconds and close the interaction. The events themselves are handled in
:mod:`.inbound`; views go out through :mod:`.messenger`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import discord

from copkit.core.errors import StartupError, Unavailable
from copkit.core.events import CommunityRef, Person, RoomRef
from copkit.core.i18n import _
from copkit.core.runtime import Copkit

from . import store
from .access import intents_for, invite_url, missing
from .client import CopkitClient
from .commands import CommandPlan, plan_commands
from .inbound import InboundEvents
from .messenger import DiscordMessenger
from .people import community_of, person_of, room_of
from .render import ActionItem
from .request import DiscordRequest
from .settings import DiscordSettings
from .translate import CatalogueTranslator

__all__ = ["DiscordAdapter", "community_of", "person_of", "room_of"]

log = logging.getLogger("copkit.discord")

Say = Callable[[str], None]

MISSING_REPORTED = 10  # servers whose missing permissions are listed at start-up
FORMS_KEPT = timedelta(days=90)  # a form button older than this answers "not available"


class DiscordAdapter(InboundEvents):
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
        self.messenger = DiscordMessenger(self.client)
        self.plan: CommandPlan | None = None
        self.synced: list[Any] = []
        self.ready = asyncio.Event()
        self.closing = False
        self.max_concurrency = 1  # shards that may IDENTIFY together (from Discord at start)
        self.identified_at: dict[int, float] = {}  # bucket -> when a shard last identified
        self._busy: set[asyncio.Future[Any]] = set()
        runtime.add_messenger(self.messenger)
        runtime.health.add("discord", self.connected)  # readiness: the gateway is up

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
            return community, room, replace(person, locale=str(interaction.locale or ""))
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
            Person(str(user.id), user.display_name, locale=str(interaction.locale or "")),
        )
