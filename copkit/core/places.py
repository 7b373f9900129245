"""Places copkit opens for part of an activity and remembers by key (rows of
:class:`~copkit.core.models.Place`): a group's thread, a temporary voice channel.

* A **named thread** is a :class:`~copkit.core.views.ToThread` with a ``key``: the first view
  shown there opens the thread (the adapter's new-thread target: a Discord thread, a Teams
  channel post whose replies hold the rest), and the room it went to is stored; every later
  view with that key is posted into that room. One holder at a time opens a given key, so two
  views at the same moment do not open two threads.
* A **voice room** (:func:`open_voice`) is opened where the platform has them and copkit may
  (:class:`~copkit.core.messenger.VoiceRooms`); :func:`close` removes every voice room of an
  activity at its end, after a restart too. Where it may not, the platform's reason is
  returned for the facilitator; where the platform has none, what to use instead if the
  adapter says (its ``voice_instead``: Teams, a meeting's breakout rooms), else nothing.

Formats name places ``<format>:<id>:<what>`` (e.g. ``xtremreading:3:group:1``), so
:func:`close` finds an activity's places by that prefix.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from .i18n import _
from .messenger import NO_THREAD, MessageRef, RoomRefused, VoiceRooms
from .models import Community, Place
from .store import advisory_lock
from .views import ToRoom, ToThread

log = logging.getLogger("copkit.places")

THREAD, VOICE = "thread", "voice"

Send = Callable[[ToRoom | ToThread], Awaitable[MessageRef | None]]


@dataclass(frozen=True, slots=True)
class Opened:
    """A voice room opened (``room_id``), or why not (``note``; where the platform has no
    voice rooms, what to use instead, or empty)."""

    room_id: str = ""
    note: str = ""


async def room_of(community_id: int, key: str, kind: str = THREAD) -> str | None:
    """The room of the place ``key`` (``None`` before it was opened or after it closed)."""
    place = await Place.get_or_none(community_id=community_id, key=key, kind=kind, closed_at=None)
    return place.room_id if place else None


async def _record(community_id: int, key: str, kind: str, room_id: str, parent: str) -> None:
    try:
        await Place.create(
            community_id=community_id, key=key, kind=kind, room_id=room_id, parent_id=parent
        )
    except IntegrityError:  # (reopened after a close: the same row, open again)
        await Place.filter(community_id=community_id, key=key, kind=kind).update(
            room_id=room_id, parent_id=parent, closed_at=None
        )


async def in_thread(
    community: Community, target: ToThread, parent: str, send: Send
) -> MessageRef | None:
    """Show a view in the named thread ``target.key``: opened by the first view, posted into
    by the later ones (``send`` posts to the target it is given)."""
    async with advisory_lock(f"place:{community.id}:{target.key}"):
        room = await room_of(community.id, target.key)
        if room is not None:
            return await send(ToRoom(room))
        ref = await send(target)
        if ref is not None and ref.get("room_id") and not ref.get(NO_THREAD):
            await _record(community.id, target.key, THREAD, str(ref["room_id"]), parent)
        return ref


async def open_voice(
    community: Community, messenger: Any, key: str, name: str, near_room_id: str
) -> Opened:
    """A voice room for ``key`` (the one opened before, or a new one); an empty
    :class:`Opened` where the platform has none, its reason where it refused."""
    if not isinstance(messenger, VoiceRooms):  # nothing is attempted; maybe a hint
        instead = getattr(messenger, "voice_instead", "")
        return Opened(note=_(instead) if isinstance(instead, str) and instead else "")
    async with advisory_lock(f"place:{community.id}:{key}:voice"):
        room = await room_of(community.id, key, VOICE)
        if room is not None:
            return Opened(room)
        try:
            room = await messenger.open_voice(community, near_room_id, name)
        except RoomRefused as exc:
            return Opened(note=str(exc))
        await _record(community.id, key, VOICE, room, near_room_id)
        return Opened(room)


async def close(community: Community, messenger: Any, prefix: str, now: datetime) -> int:
    """Remove the voice rooms whose key starts with ``prefix`` (threads stay, as the record
    of what was said); how many were removed."""
    open_rooms = await Place.filter(
        community_id=community.id, kind=VOICE, closed_at=None, key__startswith=prefix
    )
    removed = 0
    for place in open_rooms:
        if isinstance(messenger, VoiceRooms):
            try:
                await messenger.remove_room(community, place.room_id)
            except RoomRefused as exc:
                log.info("could not remove voice room %s: %s", place.room_id, exc)
                continue
        if await Place.filter(id=place.id, closed_at=None).update(closed_at=now):
            removed += 1
    return removed


async def key_of_room(community_id: int, room_id: str) -> str | None:
    """The key of the open place that is ``room_id`` (a command typed in a group's thread);
    the latest when several were (a room reused by name, as the console's threads)."""
    place = (
        await Place.filter(community_id=community_id, room_id=room_id, closed_at=None)
        .order_by("-id")
        .first()
    )
    return place.key if place else None
