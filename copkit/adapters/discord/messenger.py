"""The Messenger for Discord: posts and edits views, answers interactions on time.

Answering rules (Discord wants an answer to every interaction within 3 seconds):

- the first view for the person who asked is the interaction's own response (ephemeral when
  private); later ones are follow-ups; a view in another room, a thread or a DM is a normal post;
- an edit of the message whose button was clicked is the response itself (``UPDATE_MESSAGE``);
- if the core has not answered after ``ack_after`` seconds, the interaction is deferred (an
  ephemeral "thinking…" for commands, a silent acknowledgement for clicks) and answered later;
- when the core showed nothing to the person, the adapter closes the interaction itself.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aiohttp
import discord

from copkit.core.errors import PlatformError, UserError
from copkit.core.events import Person
from copkit.core.i18n import _
from copkit.core.lru import LRUDict, LRUSet
from copkit.core.messenger import MessageRef
from copkit.core.models import Community
from copkit.core.views import Private, Reply, Target, ToThread, View

from . import store
from .calendar import ServerEvents
from .people import find_member
from .render import Rendered, cut, flat, form_to_json, render
from .request import TOKEN_LIFETIME, DiscordRequest
from .roles import RoleKeeping
from .voice import VoiceKeeping, own_voice_room

log = logging.getLogger("copkit.discord")

MESSAGES_KEPT = 10_000  # recently shown messages whose attachments and polls are remembered


def no_access(room_id: str, exc: discord.Forbidden) -> UserError:
    """Discord refused a post or an edit: say which channel and what to grant."""
    log.info("Discord refused access to channel %s: %s", room_id, exc)
    where = f"<#{room_id}>" if room_id.isdigit() else _("this channel")
    return UserError(
        _(
            "I'm not allowed to post in {channel}: give me View Channel, Send Messages and "
            "Embed Links there."
        ).format(channel=where)
    )


class DiscordError(PlatformError):
    """Discord refused or failed a call, or could not be reached."""


# What a call to Discord raises when it fails: its refusals and aiohttp's network errors (some
# of which are OSErrors, which would otherwise read as the database being unreachable).
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    discord.HTTPException,
    aiohttp.ClientError,
    OSError,
    asyncio.TimeoutError,
)
DATABASE_MODULES = ("tortoise", "asyncpg", "aiosqlite", "sqlite3", "copkit.core.storage")


def _from_database(exc: BaseException) -> bool:
    """Whether ``exc`` was raised by the database (the messenger also stores what it shows)."""
    tb = exc.__traceback__
    while tb is not None:
        if str(tb.tb_frame.f_globals.get("__name__", "")).startswith(DATABASE_MODULES):
            return True
        tb = tb.tb_next
    return False


def platform_error(exc: BaseException, what: str) -> DiscordError:
    """``exc`` as a :class:`DiscordError`, so a network error is never taken for a database
    outage (callers re-raise errors that came from the database as they are)."""
    reason = str(exc).splitlines()[0] if str(exc) else ""
    return DiscordError(f"Discord: could not {what}: {type(exc).__name__}: {reason}"[:300])


class DiscordMessenger(RoleKeeping, VoiceKeeping):
    platform = "discord"
    platform_title = "Discord"
    themes = (("light", "#ffffff"), ("dark", "#313338"))
    """The backgrounds of the platform's themes: a brand's accent must stand out on each."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client
        # Ephemeral messages can only be edited through the interaction that made them.
        self._ephemeral: dict[str, tuple[discord.Interaction, bool, float]] = {}
        # message id -> digest of its attachments (a forgotten one: the files are sent again)
        self._images: LRUDict[str, str] = LRUDict(MESSAGES_KEPT)
        self._polls_ended: LRUSet[str] = LRUSet(MESSAGES_KEPT)
        self.events = ServerEvents(lambda: self.client)

    # Messenger protocol ---------------------------------------------------------------------

    async def find_person(self, community: Community, token: str, request: Any) -> Person | None:
        """Someone copkit has not seen: looked up among the guild's members."""
        try:
            return await find_member(self.client, community.external_id, token)
        except discord.HTTPException as exc:
            raise PlatformError(f"member lookup failed: {exc}") from exc

    async def send(
        self, community: Community, room_id: str, target: Target, view: View, request: Any
    ) -> MessageRef | None:
        try:
            return await self._send(community, room_id, target, view, request)
        except discord.Forbidden as exc:
            raise no_access(room_id, exc) from exc
        except NETWORK_ERRORS as exc:
            if _from_database(exc):
                raise
            raise platform_error(exc, "post a message") from exc

    async def edit(
        self, community: Community, ref: MessageRef, view: View, request: Any = None
    ) -> None:
        try:
            await self._edit(community, ref, view, request)
        except discord.Forbidden as exc:
            raise no_access(str(ref.get("room_id", "")), exc) from exc
        except NETWORK_ERRORS as exc:
            if _from_database(exc):
                raise
            raise platform_error(exc, "edit a message") from exc

    async def pin(self, community: Community, ref: MessageRef) -> bool:
        """Pin a posted message to its channel (needs Pin Messages or Manage Messages)."""
        mid = str(ref.get("message_id") or "")
        if not mid.isdigit() or ref.get("ephemeral"):
            return False
        channel = self.client.get_partial_messageable(
            int(ref["room_id"]),
            guild_id=int(community.external_id) if community.external_id.isdigit() else None,
        )
        try:
            await channel.get_partial_message(int(mid)).pin()
        except discord.Forbidden as exc:
            log.info("Discord refused to pin message %s: %s", mid, exc)
            return False
        except NETWORK_ERRORS as exc:
            if _from_database(exc):
                raise
            raise platform_error(exc, "pin a message") from exc
        return True

    async def _send(
        self, community: Community, room_id: str, target: Target, view: View, request: Any
    ) -> MessageRef | None:
        req = request if isinstance(request, DiscordRequest) else None
        rendered = await self._prepare(community, view)
        if isinstance(target, Private):
            return await self._send_private(
                community, room_id, target.person_id, rendered, req, view
            )
        if isinstance(target, ToThread):
            return await self._send_thread(
                community, target.room_id or room_id, target.name, rendered, req, target.key
            )
        if isinstance(target, Reply) and req is not None and req.message is not None:
            msg = await req.message.reply(**rendered.message_kwargs())
            return await self._posted(community, msg, rendered, req)
        return await self._send_room(community, room_id, rendered, req)

    async def _edit(self, community: Community, ref: MessageRef, view: View, request: Any) -> None:
        rendered = await self._prepare(community, view)
        mid = str(ref.get("message_id") or "")
        if not mid:
            return
        files_changed = self._images.get(mid, "") != rendered.image_digest
        kw = rendered.edit_kwargs(files_changed=files_changed)
        req = request if isinstance(request, DiscordRequest) else None
        done = False
        if req is not None and req.clicked_message_id == mid:
            async with req.lock:
                if not req.answered:
                    # a clicked message comes with its interaction
                    await req.interaction.response.edit_message(**kw)  # type: ignore[union-attr]
                    req.produced = True
                    done = True
        if not done and ref.get("ephemeral"):
            done = await self._edit_ephemeral(mid, kw)
            if not done:
                log.info("ephemeral message %s can no longer be edited", mid)
                return
        if not done:
            channel = self.client.get_partial_messageable(
                int(ref["room_id"]),
                guild_id=int(community.external_id) if community.external_id.isdigit() else None,
            )
            await channel.get_partial_message(int(mid)).edit(**kw)
        self._images[mid] = rendered.image_digest
        await self._remember_forms(community, rendered, str(ref.get("room_id", "")), mid)
        await self._update_poll(community, ref, view, rendered)

    # Sending ----------------------------------------------------------------------------------

    async def _prepare(self, community: Community, view: View) -> Rendered:
        note = ""
        if view.event is not None:
            note = await self.events.sync(community, view.event)
        return render(view, note=note)

    async def _send_room(
        self, community: Community, room_id: str, rendered: Rendered, req: DiscordRequest | None
    ) -> MessageRef:
        msg: discord.Message | None = None
        if req is not None and req.interaction is not None and req.channel_id == room_id:
            msg = await self._via_interaction(req, rendered, ephemeral=False)
        if msg is None:
            channel = self.client.get_partial_messageable(
                int(room_id), guild_id=int(community.external_id)
            )
            msg = await channel.send(**rendered.message_kwargs())
        return await self._posted(community, msg, rendered, req)

    async def _send_private(
        self,
        community: Community,
        room_id: str,
        person_id: str,
        rendered: Rendered,
        req: DiscordRequest | None,
        view: View,
    ) -> MessageRef | None:
        if req is not None and req.interaction is not None and req.user_id == person_id:
            if view.tone not in ("error", "warning"):
                ref = await self._replace_clicked_ephemeral(community, req, rendered, room_id)
                if ref is not None:
                    return ref
            msg = await self._via_interaction(req, rendered, ephemeral=True)
            if msg is not None:
                mid = str(msg.id)
                original = isinstance(msg, discord.InteractionMessage)
                self._ephemeral[mid] = (req.interaction, original, req.started)
                self._prune()
                self._images[mid] = rendered.image_digest
                await self._remember_forms(community, rendered, room_id, mid)
                return {"room_id": str(req.channel_id), "message_id": mid, "ephemeral": True}
        if req is not None and req.kind == "vote" and view.tone not in ("error", "warning"):
            log.debug("private answer to a poll vote not sent (Discord shows the vote)")
            return None
        if rendered.poll is not None:  # a poll in a DM makes no sense; show it as buttons
            rendered = render(view, native_poll=False)
        try:
            user = self.client.get_user(int(person_id)) or await self.client.fetch_user(
                int(person_id)
            )
            msg = await user.send(**rendered.message_kwargs())
        except (discord.Forbidden, discord.NotFound, ValueError) as exc:
            log.info("cannot send a direct message to %s: %s", person_id, exc)
            if req is not None and req.message is not None and req.user_id == person_id:
                await req.message.reply(
                    _(
                        "I can't send you a private message. Use the slash command instead: "
                        "only you will see the answer."
                    )
                )
            return None
        if rendered.components is not None:
            await store.remember(
                community, f"dm:{msg.id}", {"dm": str(msg.channel.id)}, str(msg.channel.id)
            )
        self._images[str(msg.id)] = rendered.image_digest
        await self._remember_forms(community, rendered, str(msg.channel.id), str(msg.id))
        return {"room_id": str(msg.channel.id), "message_id": str(msg.id), "dm": True}

    async def _replace_clicked_ephemeral(
        self, community: Community, req: DiscordRequest, rendered: Rendered, room_id: str
    ) -> MessageRef | None:
        """A private step answering a click on a private message replaces that message (a
        walk through cards stays one message); errors still come as a new message."""
        it = req.interaction
        clicked = it.message if it is not None else None
        if it is None or clicked is None or not clicked.flags.ephemeral:
            return None
        async with req.lock:
            if it.response.is_done():
                return None
            await it.response.edit_message(**rendered.edit_kwargs(files_changed=True))
            req.produced = True
        mid = str(clicked.id)
        self._ephemeral[mid] = (it, True, req.started)
        self._images[mid] = rendered.image_digest
        await self._remember_forms(community, rendered, room_id, mid)
        return {"room_id": str(req.channel_id), "message_id": mid, "ephemeral": True}

    async def _send_thread(
        self,
        community: Community,
        room_id: str,
        name: str,
        rendered: Rendered,
        req: DiscordRequest | None,
        key: str = "",
    ) -> MessageRef:
        channel = self.client.get_channel(int(room_id))
        if channel is None:
            try:
                channel = await self.client.fetch_channel(int(room_id))
            except discord.HTTPException:
                channel = None
        thread_name = cut(flat(name), 100) or "copkit"
        msg: discord.Message | None = None
        try:
            if isinstance(channel, discord.ForumChannel):
                made = await channel.create_thread(name=thread_name, **rendered.message_kwargs())
                msg = made.message
            elif isinstance(channel, (discord.TextChannel,)):
                thread = await channel.create_thread(
                    name=thread_name,
                    type=discord.ChannelType.public_thread,
                    auto_archive_duration=1440,
                )
                msg = await thread.send(**rendered.message_kwargs())
        except discord.Forbidden:
            log.info("no permission to create a thread in %s; posting in the channel", room_id)
        if (
            msg is None
            and key
            and isinstance(channel, (discord.VoiceChannel, discord.StageChannel))
        ):
            voice = await own_voice_room(community, key)  # no threads in a voice chat
            if voice is not None:
                return await self._send_room(community, voice, rendered, req)
        if msg is None:  # a voice channel's chat, a thread, or no permission: post in the room
            return await self._send_room(community, room_id, rendered, req)
        if req is not None and req.interaction is not None:
            req.link = f"→ <#{msg.channel.id}>"
        return await self._posted(community, msg, rendered, None)

    async def _via_interaction(
        self, req: DiscordRequest, rendered: Rendered, *, ephemeral: bool
    ) -> discord.Message | None:
        """Answer through the interaction; ``None`` when the caller should post normally."""
        it = req.interaction
        assert it is not None
        async with req.lock:
            kw = rendered.message_kwargs()
            if not it.response.is_done():
                resp = await it.response.send_message(ephemeral=ephemeral, **kw)
                msg = resp.resource if isinstance(resp.resource, discord.Message) else None
                if msg is None:
                    msg = await it.original_response()
                req.produced = True
                return msg
            if not req.fresh:
                return None
            if req.thinking and not req.placeholder_used:
                if not ephemeral:
                    return None  # the placeholder is ephemeral: post publicly in the channel
                req.placeholder_used = True
                kw.pop("files", None)
                edited = await it.edit_original_response(
                    content=kw["content"],
                    embeds=kw["embeds"],
                    view=kw.get("view"),
                    attachments=rendered.files(),
                )
                req.produced = True
                return edited
            if "view" not in kw:
                kw.pop("view", None)
            sent = await it.followup.send(ephemeral=ephemeral, wait=True, **kw)
            req.produced = True
            return sent

    async def _posted(
        self,
        community: Community,
        msg: discord.Message,
        rendered: Rendered,
        req: DiscordRequest | None,
    ) -> MessageRef:
        room_id = str(msg.channel.id)
        ref: MessageRef = {"room_id": room_id, "message_id": str(msg.id)}
        self._images[str(msg.id)] = rendered.image_digest
        await self._remember_forms(community, rendered, room_id, str(msg.id))
        if rendered.poll is not None:
            poll_msg = await self._send_poll(community, room_id, rendered, req)
            if poll_msg is not None:
                ref["poll_message_id"] = str(poll_msg.id)
        return ref

    async def _send_poll(
        self, community: Community, room_id: str, rendered: Rendered, req: DiscordRequest | None
    ) -> discord.Message | None:
        """A native poll goes in its own message: polls cannot be edited, the view above can."""
        assert rendered.poll is not None
        kw: dict[str, Any] = {"poll": rendered.poll}
        msg: discord.Message | None = None
        if (
            req is not None
            and req.interaction is not None
            and req.fresh
            and req.channel_id == room_id
        ):
            async with req.lock:
                if req.answered and not (req.thinking and not req.placeholder_used):
                    msg = await req.interaction.followup.send(wait=True, **kw)
        if msg is None:
            channel = self.client.get_partial_messageable(
                int(room_id), guild_id=int(community.external_id)
            )
            msg = await channel.send(**kw)
        action = rendered.poll_action
        await store.remember(
            community,
            f"poll:{msg.id}",
            {
                "poll": action,
                "channel": room_id,
                "answers": len(rendered.poll.answers),
                "removals": rendered.poll_removals,
            },
            room_id,
        )
        return msg

    async def _update_poll(
        self, community: Community, ref: MessageRef, view: View, rendered: Rendered
    ) -> None:
        """A view whose poll went away ends the native poll (closing it for everyone)."""
        poll_mid = ref.get("poll_message_id")
        if not poll_mid or view.poll is not None or poll_mid in self._polls_ended:
            return
        self._polls_ended.add(poll_mid)
        channel = self.client.get_partial_messageable(int(ref["room_id"]))
        try:
            await self.client.http.end_poll(channel.id, int(poll_mid))
        except discord.HTTPException as exc:
            log.info("could not end poll %s: %s", poll_mid, exc)

    async def _edit_ephemeral(self, mid: str, kw: dict[str, Any]) -> bool:
        entry = self._ephemeral.get(mid)
        if entry is None:
            return False
        interaction, original, started = entry
        if time.monotonic() - started > TOKEN_LIFETIME:
            self._ephemeral.pop(mid, None)
            return False
        files = kw.pop("attachments", None)
        extra = {"attachments": files} if files is not None else {}
        if original:
            await interaction.edit_original_response(**kw, **extra)
        else:
            await interaction.followup.edit_message(int(mid), **kw, **extra)
        return True

    def _prune(self) -> None:
        now = time.monotonic()
        for mid, (_i, _o, started) in list(self._ephemeral.items()):
            if now - started > TOKEN_LIFETIME:
                del self._ephemeral[mid]

    async def _remember_forms(
        self, community: Community, rendered: Rendered, room_id: str, message_id: str
    ) -> None:
        """Store the forms a message's buttons open, per message: the same button can open a
        form prefilled differently for each person (their own answer), never someone else's.
        Always written (one statement): another process may have shown this message since."""
        for custom_id, form in rendered.forms.items():
            await store.remember(
                community,
                f"form:{message_id}:{custom_id}",
                {"form": form_to_json(form)},
                room_id,
            )

    async def form_for(
        self, community: Community, message_id: str, custom_id: str
    ) -> dict[str, Any] | None:
        rec = await store.recall(community, f"form:{message_id}:{custom_id}")
        return rec.get("form") if rec else None
