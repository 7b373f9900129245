"""Output: views shown through the adapters' messengers, keyed views remembered, live views."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from tortoise.exceptions import IntegrityError

from . import places
from .brand import Brands
from .live import LiveViews, Render
from .messenger import MessageRef, Messenger, Pinning, Roles
from .models import Community, ShownView
from .store import advisory_lock
from .views import AsSeenBy, Private, Target, ToRoom, ToThread, View, with_personal_button

log = logging.getLogger("copkit")


class Output:
    def __init__(
        self,
        *,
        interval: float,
        cross_process: bool,
        spawn: Callable[[Coroutine[Any, Any, None]], Any],
        brands: Brands | None = None,
    ) -> None:
        self.messengers: dict[str, Messenger] = {}
        self.brands = brands or Brands(None, 0)
        """The communities' brands, put on every view shown (:mod:`.brand`)."""
        # Keyed views posted whose ShownView row could not be written (the database went away
        # between the post and the record): a retried job edits them instead of posting again.
        self._unrecorded: dict[tuple[int, str], tuple[str, MessageRef]] = {}
        self.live = LiveViews(
            self.show_now,
            interval=interval,
            cross_process_lock=advisory_lock if cross_process else None,
            spawn=spawn,
        )

    async def show(
        self,
        community: Community,
        target: Target | None,
        view: View,
        *,
        key: str | None = None,
        request: Any = None,
        room_id: str | None = None,
        coalesce: bool = True,
    ) -> MessageRef | None:
        """Post a view, or update the one posted under ``key``; remember where it went.

        Updates of a keyed view go through :class:`LiveViews` (paced, ending on the latest)
        unless ``coalesce`` is False, which edits now."""
        if key is not None and coalesce:
            shown = await ShownView.get_or_none(community_id=community.id, key=key)
            if shown is not None:

                async def same() -> View:
                    return view

                await self.live.update(
                    community,
                    key,
                    same,
                    target=target,
                    room_id=room_id,
                    request=request,
                    wait=False,
                )
                return shown.ref
        return await self.show_now(
            community, target, view, key=key, request=request, room_id=room_id
        )

    async def live_view(
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
        """Show ``render()`` under ``key``, ending on the latest state (see :mod:`.live`)."""
        await self.live.update(
            community, key, render, target=target, room_id=room_id, request=request, wait=wait
        )

    async def show_now(
        self,
        community: Community,
        target: Target | None,
        view: View,
        *,
        key: str | None = None,
        request: Any = None,
        room_id: str | None = None,
    ) -> MessageRef | None:
        """Send (or, for a keyed view shown before, edit) right now."""
        messenger = self.messengers.get(community.platform)
        if messenger is None:
            log.warning(
                "no adapter for %s; view not shown: %s", community.platform, view.title or view.text
            )
            return None
        if target is None or (isinstance(target, ToRoom) and target.room_id is None and room_id):
            target = ToRoom(room_id)
        if not getattr(messenger, "per_person_views", False):
            if isinstance(target, AsSeenBy):  # no per-person card here: the part, privately
                view = target.part
                target = Private(target.person_id)
            view = with_personal_button(view)
        view = await self.brands.dress(community, view)
        if key is not None:
            shown = await self._shown(community, key)
            if shown is not None:
                await messenger.edit(community, shown.ref, view, request)
                return shown.ref
        where = (
            target.room_id
            if isinstance(target, (ToRoom, ToThread)) and target.room_id
            else (room_id or "")
        )
        if isinstance(target, ToThread) and target.key:  # a named place, opened once

            async def send(to: ToRoom | ToThread) -> MessageRef | None:
                return await messenger.send(community, to.room_id or where, to, view, request)

            ref = await places.in_thread(community, target, where, send)
        else:
            ref = await messenger.send(community, where, target, view, request)
        if key is not None and ref is not None:
            try:
                await ShownView.create(
                    community=community, key=key, room_id=ref.get("room_id", where), ref=ref
                )
            except IntegrityError:  # shown concurrently: keep the first, update it
                shown = await ShownView.get(community_id=community.id, key=key)
                await messenger.edit(community, shown.ref, view, request)
                return shown.ref
            except Exception:  # posted but not recorded: remember it for the job's retry
                if len(self._unrecorded) >= 1000:
                    self._unrecorded.pop(next(iter(self._unrecorded)))
                self._unrecorded[(community.id, key)] = (ref.get("room_id", where), ref)
                raise
        return ref

    async def _shown(self, community: Community, key: str) -> ShownView | None:
        """Where the view ``key`` was posted: its row, or the post this process could not
        record (recorded now)."""
        shown = await ShownView.get_or_none(community_id=community.id, key=key)
        unrecorded = self._unrecorded.get((community.id, key))
        if shown is None and unrecorded is not None:
            where, ref = unrecorded
            shown = await ShownView.create(community=community, key=key, room_id=where, ref=ref)
        self._unrecorded.pop((community.id, key), None)
        return shown

    async def pin(self, community: Community, key: str) -> bool | None:
        """Pin the view posted under ``key``: ``True`` pinned, ``False`` refused, ``None`` when
        the platform has no pins (or nothing was posted under ``key``)."""
        messenger = self.messengers.get(community.platform)
        ref = await self.view_ref(community, key)
        if ref is None or not isinstance(messenger, Pinning):
            return None
        return await messenger.pin(community, ref)

    async def open_voice(
        self, community: Community, key: str, name: str, near_room_id: str
    ) -> places.Opened:
        """A voice room remembered as ``key`` (see :func:`copkit.core.places.open_voice`)."""
        messenger = self.messengers.get(community.platform)
        return await places.open_voice(community, messenger, key, name, near_room_id)

    async def close_places(self, community: Community, prefix: str, now: Any) -> int:
        """Remove the voice rooms of the places named ``prefix…``."""
        messenger = self.messengers.get(community.platform)
        return await places.close(community, messenger, prefix, now)

    def roles(self, community: Community) -> Roles | None:
        """The platform's roles, where it has roles copkit can give (else ``None``)."""
        messenger = self.messengers.get(community.platform)
        return messenger if isinstance(messenger, Roles) else None

    async def view_ref(self, community: Community, key: str) -> MessageRef | None:
        shown = await ShownView.get_or_none(community_id=community.id, key=key)
        return shown.ref if shown else None

    async def find_view(self, community: Community, **ref_match: Any) -> ShownView | None:
        """A shown view whose ref contains ``ref_match`` (adapters map platform messages back)."""
        for shown in await ShownView.filter(community_id=community.id).order_by("-id").limit(500):
            if all(shown.ref.get(k) == v for k, v in ref_match.items()):
                return shown
        return None
