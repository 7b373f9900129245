"""Scheduled events: a core :class:`~copkit.core.views.ScheduledEvent` kept in step with the
server's Events (created, edited, cancelled or ended), or a note saying why it could not be."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

import discord

from copkit.core.i18n import _
from copkit.core.models import Community
from copkit.core.views import ScheduledEvent

from . import store
from .render import cut, flat, shown

log = logging.getLogger("copkit.discord")


def _sig(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


class ServerEvents:
    """One server event per core event uid; the mapping is stored, so a restart edits the same
    event instead of creating another."""

    def __init__(self, client: Callable[[], discord.Client]) -> None:
        self.client = client
        self._cache: dict[tuple[int, str], tuple[str, str]] = {}  # (community, uid) -> (sig, note)

    async def sync(self, community: Community, ev: ScheduledEvent) -> str:
        """Create, update or cancel the guild's scheduled event for ``ev``; returns a note to
        show when that was not possible."""
        data = {
            "title": ev.title,
            "start": str(ev.start),
            "end": str(ev.end),
            "location": ev.location,
            "description": ev.description,
            "cancelled": ev.cancelled,
        }
        sig = _sig(data)
        cached = self._cache.get((community.id, ev.uid))
        if cached and cached[0] == sig:
            return cached[1]
        rec = await store.recall(community, f"event:{ev.uid}") or {}
        if rec.get("sig") == sig:
            self._cache[(community.id, ev.uid)] = (sig, rec.get("note", ""))
            return rec.get("note", "")
        event_id = rec.get("event_id")
        guild = self.client().get_guild(int(community.external_id))
        note = _cannot(guild)
        if not note:
            try:
                # not None: _cannot(None) gives a note
                event_id = await _apply(guild, ev, event_id)  # type: ignore[arg-type]
            except discord.Forbidden:
                note = _no_permission()
            except discord.HTTPException as exc:
                log.warning("scheduled event %s: %s", ev.uid, exc)
                note = _("I could not update the server's event.")
        # A note is not remembered as done: the next showing tries again (permission granted).
        done = {"event_id": event_id, "sig": "" if note else sig, "note": note}
        await store.remember(community, f"event:{ev.uid}", done)
        if not note:
            self._cache[(community.id, ev.uid)] = (sig, "")
        return note


def _no_permission() -> str:
    return _("I could not add this to the server's events: give me the Manage Events permission.")


def _cannot(guild: discord.Guild | None) -> str:
    """Why events cannot be managed in ``guild`` ("" when they can, as far as we know)."""
    if guild is None:
        return _("I could not add this to the server's events.")
    me = guild.me
    if me is not None and not (
        me.guild_permissions.manage_events or me.guild_permissions.create_events
    ):
        return _no_permission()
    return ""


async def _apply(guild: discord.Guild, ev: ScheduledEvent, event_id: str | None) -> str | None:
    """Make the server's event match ``ev``; returns its id. An event deleted by hand is made
    again; a finished one is left alone."""
    event = None
    if event_id:
        try:
            event = await guild.fetch_scheduled_event(int(event_id))
        except discord.NotFound:
            event = None
    live = (discord.EventStatus.scheduled, discord.EventStatus.active)
    if ev.cancelled:
        if event is not None and event.status is discord.EventStatus.scheduled:
            await event.cancel()
        elif event is not None and event.status is discord.EventStatus.active:
            await event.end()
        return event_id
    details: dict[str, Any] = {
        "name": cut(flat(ev.title), 100),
        "start_time": ev.start,
        "end_time": ev.end,
        "location": cut(flat(ev.location) or guild.name, 100),
        "description": cut(shown(ev.description), 1000),
        "entity_type": discord.EntityType.external,
        "privacy_level": discord.PrivacyLevel.guild_only,
    }
    if event is not None and event.status in live:
        await event.edit(**details)
        return event_id
    created = await guild.create_scheduled_event(**details)
    return str(created.id)
