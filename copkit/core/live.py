"""Live views: a keyed view that changes, always ending on the latest state.

``scope.live(key, render)`` asks for the view under ``key`` to show what is stored now. Whatever
the rate of requests and however many processes make them:

* one render in flight per view and process; requests made meanwhile are covered by the next
  render, which starts after the last of them (so it reads their commits);
* a trailing throttle: at most one render and edit per ``interval`` seconds per view, and the
  last one always comes after the last request;
* across processes (PostgreSQL) the read and the edit happen under an advisory lock held in one
  transaction, so the edit sent last is the one that read last;
* plain updates of a keyed view with a ready view (``scope.show(view, key=…)``) go through the
  same path, so they are paced the same way.

A request that waits (the default) returns once a render covering its change has been shown; a
request that does not (a burst of votes) returns at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .views import Target, View

if TYPE_CHECKING:
    from .models import Community

log = logging.getLogger("copkit.live")

Render = Callable[[], Awaitable[View | None]]
"""Reads what is stored and renders it; ``None`` leaves the view as it is."""
ShowNow = Callable[..., Awaitable[Any]]
LockFactory = Callable[[str], contextlib.AbstractAsyncContextManager[None]]


@dataclass
class _Live:
    community: Community
    render: Render
    target: Target | None
    room_id: str | None
    request: Any = None
    requested: int = 0
    done: int = 0
    last: float = float("-inf")
    task: asyncio.Task[None] | None = None
    cond: asyncio.Condition = field(default_factory=asyncio.Condition)


class LiveViews:
    """The one owner of keyed views that change (see the module's docstring)."""

    MAX_IDLE = 10_000  # remembered "last edit" times kept for pacing; older ones are dropped

    def __init__(
        self,
        show_now: ShowNow,
        *,
        interval: float = 1.0,
        cross_process_lock: LockFactory | None = None,
        spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]] | None = None,
    ) -> None:
        self.interval = interval
        self.edits = 0
        self.requested = 0
        self.coalesced = 0
        """Requests covered by another request's edit (not each shown on its own)."""
        self._show_now = show_now
        self._lock = cross_process_lock
        self._spawn = spawn or asyncio.create_task
        self._state: dict[tuple[int, str], _Live] = {}
        self._last: dict[tuple[int, str], float] = {}
        self._draining = False
        self._wake: asyncio.Event | None = None

    async def update(
        self,
        community: Community,
        key: str,
        render: Render,
        *,
        target: Target | None = None,
        room_id: str | None = None,
        request: Any = None,
        wait: bool = True,
    ) -> None:
        k = (community.id, key)
        st = self._state.get(k)
        if st is None:
            st = self._state[k] = _Live(community, render, target, room_id)
            st.last = self._last.get(k, float("-inf"))
        if st.task is None and time.monotonic() - st.last >= self.interval:
            # Nothing in flight and not within the pace (always so when unpaced, as in tests
            # and scripts): show it now, within the request, which the adapter may answer with it.
            wait = True
        st.render, st.community = render, community
        st.target = target or st.target
        st.room_id = room_id or st.room_id
        st.request = request if wait else None
        st.requested += 1
        self.requested += 1
        ticket = st.requested
        if st.task is None:
            st.task = self._spawn(self._run(k, st))
        if wait:
            async with st.cond:
                await st.cond.wait_for(lambda: st.done >= ticket)

    def pending(self) -> int:
        """How many views have a render still to come."""
        return sum(1 for st in self._state.values() if st.done < st.requested)

    async def drain(self) -> None:
        """Show every pending update now, without pacing (at shutdown)."""
        self._draining = True
        if self._wake is not None:
            self._wake.set()  # wake renders waiting for their pace
        try:
            while tasks := [st.task for st in self._state.values() if st.task is not None]:
                await asyncio.wait(tasks, timeout=10)
        finally:
            self._draining = False
            self._wake = None

    async def _run(self, k: tuple[int, str], st: _Live) -> None:
        try:
            while st.done < st.requested:
                wait = st.last + self.interval - time.monotonic()
                if wait > 0 and not self._draining:
                    if self._wake is None:
                        self._wake = asyncio.Event()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), wait)
                target = st.requested
                self.coalesced += max(target - st.done - 1, 0)
                try:
                    async with self._locked(k):
                        view = await st.render()
                        if view is not None:
                            await self._show_now(
                                st.community,
                                st.target,
                                view,
                                key=k[1],
                                request=st.request,
                                room_id=st.room_id,
                            )
                            self.edits += 1
                except Exception:
                    log.exception("showing the live view %s failed", k[1])
                st.last = time.monotonic()
                async with st.cond:
                    st.done = target
                    st.cond.notify_all()
        finally:
            st.task = None
            if st.done >= st.requested and self._state.get(k) is st:
                del self._state[k]
                self._last[k] = st.last
                if len(self._last) > self.MAX_IDLE:
                    old = time.monotonic() - max(self.interval, 1.0)
                    self._last = {x: t for x, t in self._last.items() if t > old}

    @contextlib.asynccontextmanager
    async def _locked(self, k: tuple[int, str]) -> AsyncIterator[None]:
        if self._lock is None:
            yield
            return
        async with self._lock(f"copkit:view:{k}"):
            yield
