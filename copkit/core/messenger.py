"""The contract an adapter fulfils to show views (pacing of edits is in :mod:`.live`)."""

from __future__ import annotations

import logging
from typing import Any, Protocol, runtime_checkable

from .events import Person
from .models import Community
from .views import Target, View

log = logging.getLogger("copkit.messenger")

MessageRef = dict[str, Any]
"""What an adapter returns for a posted view: at least ``room_id`` and ``message_id``; JSON-safe."""

NO_THREAD = "no_thread"
"""Set (true) in the :data:`MessageRef` of a view meant for a new thread that was posted in
the room instead (the platform refused the thread this time, or the room has none, as a chat):
a named place is not taken to be that room, so each later view tries the thread again (or is
posted in the room headed with the place's name)."""


class PeopleFinder(Protocol):
    """What an adapter may add to its messenger: find someone copkit has not seen yet."""

    async def find_person(self, community: Community, token: str, request: Any) -> Person | None:
        """The person ``token`` names on the platform (a mention, an id, a display name), or
        ``None``; ``request`` as for :meth:`Messenger.send`."""
        ...


class Messenger(Protocol):
    """Implemented by each adapter. ``request`` is the adapter's own object for the request being
    answered (an interaction, a turn context), or ``None`` for proactive messages (timers)."""

    platform: str

    async def send(
        self, community: Community, room_id: str, target: Target, view: View, request: Any
    ) -> MessageRef | None:
        """Post ``view`` and return where it went; ``None`` when nothing was posted (e.g. a private
        answer the platform would not deliver)."""
        ...

    async def edit(
        self, community: Community, ref: MessageRef, view: View, request: Any = None
    ) -> None:
        """Replace the view posted at ``ref`` (``request`` as for :meth:`send`; ``None`` when the
        edit is sent later, e.g. coalesced, or for a timer)."""
        ...


@runtime_checkable
class Pinning(Protocol):
    """Implemented by adapters whose platform can pin a message to its room (Discord, the
    console). A platform without pins (Teams) does not implement it: pinning there is a no-op
    the plugin is told about (:meth:`copkit.core.context.Scope.pin` returns ``False``)."""

    async def pin(self, community: Community, ref: MessageRef) -> bool:
        """Pin the message at ``ref``; ``False`` when the platform refused (no permission)."""
        ...


class RoomRefused(Exception):
    """The platform would not open (or remove) a room: ``str(exc)`` says why, for people
    (e.g. the permission to grant)."""


@runtime_checkable
class VoiceRooms(Protocol):
    """Implemented by adapters whose platform has voice rooms copkit may open (Discord): a
    temporary voice channel per group, removed at the end (:mod:`copkit.core.places`)."""

    async def open_voice(self, community: Community, near_room_id: str, name: str) -> str:
        """Open a voice room named ``name`` beside ``near_room_id``; its room id. Raises
        :class:`RoomRefused` when the platform refuses (a missing permission)."""
        ...

    async def remove_room(self, community: Community, room_id: str) -> None:
        """Remove a room copkit opened (gone already: nothing to do)."""


@runtime_checkable
class Roles(Protocol):
    """Implemented by adapters whose platform has roles a member can be given (Discord):
    copkit makes its own opt-in role and gives it to (or takes it from) a member who asks.
    A refusal of the platform (no permission) raises a :class:`~copkit.core.errors.UserError`
    saying what to grant."""

    async def create_role(self, community: Community, name: str) -> str:
        """A new role named ``name`` that can be mentioned; its id."""
        ...

    async def give_role(self, community: Community, person_id: str, role_id: str, on: bool) -> None:
        """Give ``person_id`` the role ``role_id`` (``on``) or take it away."""
        ...
