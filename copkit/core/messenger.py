"""The contract an adapter fulfils to show views, and the edit coalescer in front of it."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

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
    ) -> MessageRef:
        """Post ``view`` and return where it went."""
        ...

    async def edit(
        self, community: Community, ref: MessageRef, view: View, request: Any = None
    ) -> None:
        """Replace the view posted at ``ref``; ``request`` as for :meth:`send` (an edit made while
        answering a click on that very message can be the click's answer)."""
        ...


@dataclass
class _Pending:
    last: float
    latest: tuple[Messenger, Community, MessageRef, View] | None = None
    task: asyncio.Task[None] | None = None


class EditCoalescer:
    """At most one edit per ``interval`` seconds per message; the last edit shows the latest view.

    Only messages edited within the last ``interval`` are remembered (an older entry says nothing
    an absent one would not), so the state stays small however many messages were ever edited.
    """

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self._state: OrderedDict[str, _Pending] = OrderedDict()  # by time of the last edit
        self.edits = 0

    async def edit(
        self,
        messenger: Messenger,
        community: Community,
        ref: MessageRef,
        view: View,
        request: Any = None,
    ) -> None:
        """Edit now (with ``request``) or, within ``interval`` of the last edit, once the
        interval is over (with the latest view and no request: the request is long answered)."""
        if self.interval <= 0:
            self.edits += 1
            await messenger.edit(community, ref, view, request)
            return
        key = messenger.platform + json.dumps(ref, sort_keys=True)
        now = time.monotonic()
        self._forget_idle(now)
        st = self._state.get(key)
        if st is None or (st.task is None and now - st.last >= self.interval):
            self._state[key] = _Pending(last=now)
            self._state.move_to_end(key)
            self.edits += 1
            await messenger.edit(community, ref, view, request)
            return
        st.latest = (messenger, community, ref, view)
        if st.task is None:
            st.task = asyncio.create_task(self._flush(key, st.last + self.interval - now))

    def _forget_idle(self, now: float) -> None:
        """Drop the entries whose interval is over and that have nothing pending (oldest first)."""
        while self._state:
            key, st = next(iter(self._state.items()))
            if st.task is not None or now - st.last < self.interval:
                return
            del self._state[key]

    async def _flush(self, key: str, delay: float) -> None:
        await asyncio.sleep(max(delay, 0))
        st = self._state.get(key)
        if st is None:
            return
        st.task = None
        if st.latest is None:
            return
        messenger, community, ref, view = st.latest
        st.latest = None
        st.last = time.monotonic()
        self._state.move_to_end(key)
        self.edits += 1
        try:
            await messenger.edit(community, ref, view, None)
        except Exception:
            log.exception("editing a view failed")

    async def drain(self) -> None:
        """Send every pending edit now (at shutdown)."""
        for key, st in list(self._state.items()):
            if st.task is not None:
                st.task.cancel()
                st.task = None
                if st.latest is not None:
                    messenger, community, ref, view = st.latest
                    st.latest = None
                    try:
                        await messenger.edit(community, ref, view, None)
                    except Exception:
                        log.exception("editing a view failed")
            self._state.pop(key, None)
