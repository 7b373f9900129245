"""The contract an adapter fulfils to show views (pacing of edits is in :mod:`.live`)."""

from __future__ import annotations

import logging
from typing import Any, Protocol, runtime_checkable

from .models import Community
from .views import Target, View

log = logging.getLogger("copkit.messenger")

MessageRef = dict[str, Any]
"""What an adapter returns for a posted view: at least ``room_id`` and ``message_id``; JSON-safe."""


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
