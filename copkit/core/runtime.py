"""One copkit process: the services, put together, and their life cycle.

The work is done by small services, each in its own module — :mod:`.communities` (communities,
people and rooms, cached), :mod:`.access` (roles and overrides), :mod:`.dispatch` (from an event
to a handler), :mod:`.output` (views and live views), :mod:`.deliveries` (re-delivered events),
:mod:`.communitylog` (the community's log) and :mod:`.timers`. :class:`Copkit` builds them, opens
and closes the database, and offers the adapters a few entry points.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

import pluggy

from . import heap
from .access import Access
from .brand import Brands
from .cachebus import CacheBus
from .clock import Clock
from .communities import Communities, CommunityState
from .communitylog import CommunityLog
from .deliveries import Deliveries
from .dispatch import Dispatcher
from .events import CommunityRef, Interaction, Person, RoomRef, Upload
from .health import Health
from .messenger import MessageRef, Messenger
from .metrics import Metrics
from .models import Community, Job, ShownView
from .output import Output
from .parsing import interaction_values
from .plugins import Hooks, build_registry, make_plugin_manager
from .roles import Role
from .services import Services
from .specs import Registry
from .storage import close_database, is_postgres, open_database
from .timers import Scheduler
from .usertext import clean_event, clean_input, clean_value
from .views import Target, View

log = logging.getLogger("copkit")

__all__ = ["Copkit", "CommunityState"]


class Copkit:
    """One copkit process: plugins, storage, timers, caches and the adapters' messengers."""

    def __init__(
        self,
        database_url: str,
        *,
        pm: pluggy.PluginManager | None = None,
        clock: Clock | None = None,
        worker_id: str | None = None,
        coalesce_interval: float = 1.0,
        cache_ttl: float | None = None,
        poll_interval: float = 0.5,
        community_defaults: dict[str, str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.pm = pm or make_plugin_manager()
        self.hooks = Hooks(self.pm)
        self.registry: Registry = build_registry(self.pm)
        self.clock = clock or Clock()
        postgres = is_postgres(database_url)
        # Several processes share PostgreSQL: re-read cached settings every few seconds there.
        ttl = cache_ttl if cache_ttl is not None else (3.0 if postgres else 0)
        self._background: set[asyncio.Task[Any]] = set()
        self._frozen = False  # (what existed when it opened: see copkit.core.heap)
        self.metrics = Metrics()  # exported on /metrics by the HTTP server
        self.log_service = CommunityLog(self.clock, self.hooks)
        self.communities = Communities(self.registry, self.hooks, self.log_service.log, ttl)
        self.communities.defaults = {
            k: v for k, v in (community_defaults or {}).items() if k in ("locale", "timezone") and v
        }
        self.bus: CacheBus | None = (
            CacheBus(database_url, self.communities.forget) if postgres else None
        )
        self.communities.bus = self.bus
        self.brands = Brands(self.hooks, ttl, self.communities.listening)
        self.communities.listeners.append(self.brands.forget)
        self.output = Output(
            interval=coalesce_interval, cross_process=postgres, spawn=self.spawn, brands=self.brands
        )
        self.deliveries = Deliveries(self.clock, self.metrics)
        self.scheduler = Scheduler(self, self.clock, worker_id, poll_interval=poll_interval)
        self.health = Health()  # readiness checks (/readyz): the database, adapters' connections
        self.presence: dict[tuple[int, str], list[str]] = {}
        self.services = Services(
            clock=self.clock,
            hooks=self.hooks,
            registry=self.registry,
            communities=self.communities,
            access=Access(self.hooks),
            log=self.log_service,
            output=self.output,
            scheduler=self.scheduler,
            presence=self.presence,
            spawn=self.spawn,
        )
        self.dispatch = Dispatcher(self.services, self.metrics)

    @property
    def messengers(self) -> dict[str, Messenger]:
        return self.output.messengers

    @property
    def live(self) -> Any:
        """The live views (pacing, drain)."""
        return self.output.live

    # Life cycle -------------------------------------------------------------------------------

    async def open(self, *, upgrade: bool = True, timers: bool = False) -> None:
        """Open the database (applying migrations) and optionally start the timer loop."""
        await open_database(self.database_url, self.registry.models, upgrade=upgrade)
        if self.bus is not None:
            self.bus.start()
        if timers:
            self.scheduler.start()
        if not self._frozen:
            self._frozen = True
            heap.opened()

    async def close(self, *, grace: float = 5.0) -> None:
        """Stop the timers (a running job may finish within ``grace`` seconds), show pending
        live views, let background work finish (up to ``grace`` seconds), close the database."""
        await self.scheduler.stop(grace=grace)
        await self.live.drain()
        if self._background:  # e.g. a view refresh a plugin deferred: let it finish
            await asyncio.wait(list(self._background), timeout=grace)
        if self.bus is not None:
            await self.bus.stop()
        await self.live.drain()
        await close_database()
        if self._frozen:
            self._frozen = False
            heap.closed()

    def spawn(self, coro: Any, *, name: str | None = None) -> asyncio.Task[Any]:
        """Run ``coro`` in the background, owned by this process: :meth:`close` waits for it
        (up to 5 seconds) before closing the database."""
        task = asyncio.create_task(coro, name=name)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    def add_messenger(self, messenger: Messenger) -> None:
        self.messengers[messenger.platform] = messenger

    async def settle(self) -> None:
        """Let pending tasks run; used by tests and scripts."""
        await asyncio.sleep(0)

    # Entry points for adapters ------------------------------------------------------------------

    async def handle_text(
        self,
        community: CommunityRef,
        room: RoomRef,
        person: Person,
        text: str,
        *,
        request: Any = None,
        mentions: dict[str, Person] | None = None,
        uploads: tuple[Upload, ...] = (),
    ) -> None:
        """A line of text typed by ``person``: parse it and run the command. ``mentions`` maps
        a mentioned name (as typed after @) or id to the person the platform resolved;
        ``uploads`` are the files sent with it (a command's ``file`` argument takes the
        first)."""
        # (the common case, plain printable ASCII everywhere, is checked once at C speed)
        probe = f"{text}{community.external_id}{community.name}{room.id}{person.id}{person.name}"
        if mentions or not (probe.isascii() and probe.isprintable()):
            community, room, person, mentions = clean_event(community, room, person, mentions)
            text = clean_input(text)
        await self.dispatch.text(
            community, room, person, text, request=request, mentions=mentions, uploads=uploads
        )

    async def handle_command(
        self,
        community: CommunityRef,
        room: RoomRef,
        person: Person,
        path: tuple[str, ...],
        args: dict[str, Any],
        *,
        request: Any = None,
        mentions: dict[str, Person] | None = None,
    ) -> None:
        """A command whose arguments arrive already split (a Discord slash command)."""
        args = {k: clean_value(v) for k, v in args.items()}
        community, room, person, mentions = clean_event(community, room, person, mentions)
        await self.dispatch.command(
            community, room, person, path, args, request=request, mentions=mentions
        )

    async def handle_interaction(
        self,
        community: CommunityRef,
        room: RoomRef,
        person: Person,
        interaction: Interaction,
        *,
        request: Any = None,
    ) -> None:
        """A button press, choice, form submission or poll vote."""
        values = interaction_values({k: clean_value(v) for k, v in interaction.values.items()})
        community, room, person, _none = clean_event(community, room, person)
        interaction = replace(
            interaction, action_id=clean_input(interaction.action_id), values=values
        )
        await self.dispatch.interaction(community, room, person, interaction, request=request)

    async def handle_presence(
        self, community: CommunityRef, room: RoomRef, present: list[Person]
    ) -> None:
        """The adapter reports who is in ``room`` now."""
        await self.dispatch.presence(community, room, present)

    async def run_job(self, job: Job) -> None:
        await self.dispatch.job(job)

    # Shorthands onto the services (adapters, tests, scripts) ----------------------------------------

    async def community(self, ref: CommunityRef) -> CommunityState:
        return await self.communities.get(ref)

    async def community_by_id(self, community_id: int) -> Community:
        return await self.communities.by_id(community_id)

    async def community_state(self, community: Community) -> CommunityState:
        return await self.communities.state_of(community)

    async def refresh(self, community: Community) -> CommunityState:
        return await self.communities.refresh(community)

    def role_of(self, state: CommunityState, person: Person) -> Role:
        return self.communities.role_of(state, person)

    async def show(
        self,
        community: Community,
        target: Target,
        view: View,
        *,
        key: str | None = None,
        request: Any = None,
        room_id: str | None = None,
        coalesce: bool = True,
    ) -> MessageRef | None:
        return await self.output.show(
            community, target, view, key=key, request=request, room_id=room_id, coalesce=coalesce
        )

    async def view_ref(self, community: Community, key: str) -> MessageRef | None:
        return await self.output.view_ref(community, key)

    async def find_view(self, community: Community, **ref_match: Any) -> ShownView | None:
        return await self.output.find_view(community, **ref_match)

    async def log(
        self, community: Community, kind: str, *, ref: str = "", text: str = "", member: str = ""
    ) -> None:
        await self.log_service.log(community, kind, ref=ref, text=text, member=member)

    async def contribute(
        self, community: Community, member: str, kind: str, ref: str, text: str = ""
    ) -> None:
        await self.log_service.contribute(community, member, kind, ref, text)

    async def answered(self, platform: str, key: str) -> tuple[int, Any] | None:
        return await self.deliveries.answered(platform, key)

    async def remember_answer(
        self, platform: str, key: str, status: int, body: Any, *, private: bool = False
    ) -> None:
        await self.deliveries.remember(platform, key, status, body, private=private)
