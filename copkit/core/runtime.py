"""The dispatcher: from an adapter's event to a plugin handler and back to a view."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pluggy
from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from . import parsing
from .cachebus import CacheBus
from .clock import Clock
from .context import Context, JobContext
from .dberrors import is_bad_input, is_conflict, is_unavailable
from .errors import NotEnabled, PermissionDenied, Unavailable, UsageError, UserError
from .events import CommunityRef, Interaction, Person, RoomRef
from .i18n import _, set_locale
from .messenger import EditCoalescer, MessageRef, Messenger
from .models import (
    Community,
    Delivery,
    FormatSetting,
    Job,
    LogEntry,
    Membership,
    Room,
    ShownView,
)
from .plugins import Hooks, build_registry, make_plugin_manager
from .roles import Role
from .specs import Command, Registry
from .storage import close_database, is_postgres, open_database
from .timers import Scheduler
from .views import Private, Target, ToRoom, ToThread, View, notice

log = logging.getLogger("copkit")


@dataclass
class CommunityState:
    """What dispatch needs of a community, cached: the row, enabled formats and roles."""

    row: Community
    enabled: frozenset[str]
    roles: dict[str, Role]
    loaded_at: float = field(default_factory=time.monotonic)


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
    ) -> None:
        self.database_url = database_url
        self.pm = pm or make_plugin_manager()
        self.hooks = Hooks(self.pm)
        self.registry: Registry = build_registry(self.pm)
        self.clock = clock or Clock()
        self.scheduler = Scheduler(self, self.clock, worker_id, poll_interval=poll_interval)
        self.coalescer = EditCoalescer(coalesce_interval)
        self.messengers: dict[str, Messenger] = {}
        self.presence: dict[tuple[int, str], list[str]] = {}
        # Several processes share PostgreSQL: re-read cached settings every few seconds there.
        self.cache_ttl = (
            cache_ttl if cache_ttl is not None else (3.0 if is_postgres(database_url) else 0)
        )
        self._communities: dict[tuple[str, str], CommunityState] = {}
        self._deliveries = 0
        self.bus: CacheBus | None = (
            CacheBus(database_url, self._forget) if is_postgres(database_url) else None
        )
        self._by_id: dict[int, tuple[str, str]] = {}
        self._rooms_seen: set[tuple[int, str]] = set()
        self._people_seen: set[tuple[int, str]] = set()
        self._view_locks: dict[tuple[int, str], asyncio.Lock] = {}
        self._view_last: dict[tuple[int, str], float] = {}
        self._background: set[asyncio.Task[Any]] = set()
        # Keyed views posted whose ShownView row could not be written (the database went away
        # between the post and the record): a retried job edits them instead of posting again.
        self._unrecorded: dict[tuple[int, str], tuple[str, MessageRef]] = {}

    # Life cycle -------------------------------------------------------------------------------

    async def open(self, *, upgrade: bool = True, timers: bool = False) -> None:
        """Open the database (applying migrations) and optionally start the timer loop."""
        await open_database(self.database_url, self.registry.models, upgrade=upgrade)
        if self.bus is not None:
            self.bus.start()
        if timers:
            self.scheduler.start()

    async def close(self) -> None:
        await self.scheduler.stop()
        if self._background:  # e.g. a view refresh a plugin deferred: let it finish
            await asyncio.wait(list(self._background), timeout=5)
        if self.bus is not None:
            await self.bus.stop()
        await self.coalescer.drain()
        await close_database()

    def spawn(self, coro: Any, *, name: str | None = None) -> asyncio.Task[Any]:
        """Run ``coro`` in the background, owned by this process: :meth:`close` waits for it
        (up to 5 seconds) before closing the database."""
        task = asyncio.create_task(coro, name=name)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    def add_messenger(self, messenger: Messenger) -> None:
        self.messengers[messenger.platform] = messenger

    # Communities, roles, formats ----------------------------------------------------------------

    async def community(self, ref: CommunityRef) -> CommunityState:
        key = (ref.platform, ref.external_id)
        state = self._communities.get(key)
        if state is not None and (
            not self.cache_ttl or time.monotonic() - state.loaded_at < self.cache_ttl
        ):
            return state
        row = await Community.get_or_none(platform=ref.platform, external_id=ref.external_id)
        created = False
        if row is None:
            try:
                row = await Community.create(
                    platform=ref.platform, external_id=ref.external_id, name=ref.name[:200]
                )
                created = True
                if ref.owner_id:
                    await Membership.create(community=row, person_id=ref.owner_id, role=Role.LEADER)
            except IntegrityError:  # another request or process created it first
                row = await Community.get(platform=ref.platform, external_id=ref.external_id)
        state = await self._load(row)
        if created:
            await self.log(row, "community.created", text=row.name)
            await self.hooks.community_created(row)
        return state

    async def _load(self, row: Community) -> CommunityState:
        settings = {s.format: s.enabled for s in await FormatSetting.filter(community_id=row.id)}
        enabled = frozenset(
            name
            for name, fmt in self.registry.formats.items()
            if settings.get(name, fmt.enabled_by_default)
        )
        roles = {
            m.person_id: Role(m.role)
            for m in await Membership.filter(community_id=row.id, role__gt=0)
        }
        state = CommunityState(row, enabled, roles)
        self._communities[(row.platform, row.external_id)] = state
        self._by_id[row.id] = (row.platform, row.external_id)
        return state

    async def refresh(self, community: Community) -> CommunityState:
        """Reload a community after its settings changed (takes effect at once, in every process)."""
        row = await Community.get(id=community.id)
        state = await self._load(row)
        if self.bus is not None:
            await self.bus.publish(community.id)
        return state

    def _forget(self, community_id: int | None) -> None:
        """Drop cached settings of one community (or all), changed by another process."""
        if community_id is None:
            self._communities.clear()
            return
        key = self._by_id.get(community_id)
        if key is not None:
            self._communities.pop(key, None)

    async def community_by_id(self, community_id: int) -> Community:
        key = self._by_id.get(community_id)
        if key and key in self._communities and not self.cache_ttl:
            return self._communities[key].row
        row = await Community.get(id=community_id)
        return (await self._load(row)).row

    def role_of(self, state: CommunityState, person: Person) -> Role:
        """A stored role; else core team for holders of the named platform role (or, when none
        is named, for platform admins); else member."""
        role = state.roles.get(person.id, Role.MEMBER)
        if role >= Role.CORE:
            return role
        named = state.row.core_role
        if named:
            wanted = named.strip().removeprefix("@").lower()
            if any(r.removeprefix("@").lower() == wanted for r in person.roles):
                return Role.CORE
        elif person.is_admin:
            return Role.CORE
        return role

    def permitted(
        self, community: Community, member: str, role: Role, needed: Role, action: str
    ) -> bool:
        decided = self.hooks.permission(community, member, int(role), action)
        if decided is not None:
            return decided
        override = (community.settings or {}).get("require", {}).get(action)
        if override is not None:
            needed = Role(override)
        return role >= needed

    def require(
        self, community: Community, member: str, role: Role, needed: Role, action: str, words: str
    ) -> None:
        if not self.permitted(community, member, role, needed, action):
            override = (community.settings or {}).get("require", {}).get(action)
            who = Role(override if override is not None else needed).who_may()
            raise PermissionDenied(_("Only {who} can {action}.").format(who=who, action=words))

    # Dispatch ---------------------------------------------------------------------------------

    async def handle_text(
        self,
        community: CommunityRef,
        room: RoomRef,
        person: Person,
        text: str,
        *,
        request: Any = None,
        mentions: dict[str, Person] | None = None,
    ) -> None:
        """A line of text typed by ``person``: parse it and run the command. ``mentions`` maps
        a mentioned name (as typed after @) or id to the person the platform resolved."""
        await self._guarded(community, room, person, request, self._text, text, mentions=mentions)

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
        await self._guarded(
            community, room, person, request, self._structured, path, args, mentions=mentions
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
        await self._guarded(community, room, person, request, self._interaction, interaction)

    async def handle_presence(
        self, community: CommunityRef, room: RoomRef, present: list[Person]
    ) -> None:
        """The adapter reports who is in ``room`` now."""
        try:
            state = await self.community(community)
        except Exception as exc:
            if is_unavailable(exc):
                raise Unavailable(str(exc)) from exc
            raise
        key = (state.row.id, room.id)
        before = set(self.presence.get(key, []))
        now = [p.id for p in present]
        self.presence[key] = now
        joined = [p for p in now if p not in before]
        left = [p for p in before if p not in set(now)]
        if joined or left:
            await self.hooks.presence_changed(state.row, room.id, now, joined, left)

    async def _guarded(
        self,
        community: CommunityRef,
        room: RoomRef,
        person: Person,
        request: Any,
        fn: Any,
        *args: Any,
        mentions: dict[str, Person] | None = None,
    ) -> None:
        set_locale("en")
        community, room, person = parsing.clean_refs(community, room, person)
        state: CommunityState | None = None
        try:
            state = await self.community(community)
            set_locale(state.row.locale)
            await self._remember_room(state.row, room)
            await self._remember_person(state.row, person)
            ctx = Context(self, state.row, room, person, self.role_of(state, person), request)
            ctx.mentions = mentions or {}
            await fn(ctx, state, *args)
        except UserError as exc:
            if state is not None:
                await self._answer(state.row, room, person, request, notice(exc.message, "error"))
        except Exception as exc:
            if not is_unavailable(exc):
                await self._bug(exc, community, state, room, person, request)
                return
            log.warning("database unavailable: %s", exc)
            if state is not None:
                try:
                    await self._answer(
                        state.row,
                        room,
                        person,
                        request,
                        notice(_("I can't reach my database. Try again in a moment."), "warning"),
                    )
                except Exception:
                    log.debug("could not tell the user", exc_info=True)
            raise Unavailable(str(exc)) from exc

    async def _bug(
        self,
        exc: Exception,
        community: CommunityRef,
        state: CommunityState | None,
        room: RoomRef,
        person: Person,
        request: Any,
    ) -> None:
        if is_conflict(exc):
            log.info("conflict while handling a request in %s: %s", community, exc)
            text = _("Someone changed this at the same moment. Please try again.")
        elif is_bad_input(exc):  # a value the database refused: checked too late, not a bug
            log.warning("the database refused a value in %s: %s", community, exc)
            text = _("A value is too long or out of range. Please shorten or correct it.")
        else:
            log.error("bug while handling a request in %s", community, exc_info=exc)
            text = _("Sorry, something went wrong on my side. It has been logged.")
        if state is not None:
            try:
                await self._answer(state.row, room, person, request, notice(text, "error"))
            except Exception:
                log.exception("could not apologise")

    async def _answer(
        self, community: Community, room: RoomRef, person: Person, request: Any, view: View
    ) -> None:
        await self.show(community, Private(person.id), view, request=request, room_id=room.id)

    async def _remember_room(self, community: Community, room: RoomRef) -> None:
        key = (community.id, room.id)
        if key in self._rooms_seen and room.data is None:
            return
        self._rooms_seen.add(key)
        existing = await Room.get_or_none(community_id=community.id, external_id=room.id)
        if existing is None:
            try:
                await Room.create(
                    community=community,
                    external_id=room.id,
                    name=room.name[:200],
                    kind=room.kind,
                    data=room.data,
                )
            except IntegrityError:
                pass
        elif room.data is not None and existing.data != room.data:
            existing.data = room.data
            await existing.save(update_fields=["data"])

    async def _remember_person(self, community: Community, person: Person) -> None:
        key = (community.id, person.id)
        if key in self._people_seen:
            return
        self._people_seen.add(key)
        row = await Membership.get_or_none(community_id=community.id, person_id=person.id)
        if row is None:
            try:
                await Membership.create(
                    community=community, person_id=person.id, name=person.name[:200]
                )
            except IntegrityError:
                pass
        elif person.name and row.name != person.name:
            row.name = person.name[:200]
            await row.save(update_fields=["name"])

    async def community_state(self, community: Community) -> CommunityState:
        key = (community.platform, community.external_id)
        state = self._communities.get(key)
        if state is None or (
            self.cache_ttl and time.monotonic() - state.loaded_at >= self.cache_ttl
        ):
            state = await self._load(await Community.get(id=community.id))
        return state

    async def resolve_person(self, ctx: Context, token: str) -> Person:
        """The person meant by ``token`` (a mention, an id or a known display name)."""
        token = token.removeprefix("@").strip()
        if token in ctx.mentions:
            return ctx.mentions[token]
        row = await Membership.get_or_none(community_id=ctx.community.id, person_id=token)
        if row is None:
            rows = await Membership.filter(community_id=ctx.community.id, name=token).limit(2)
            if len(rows) > 1:
                raise UserError(
                    _("More than one person is called {name}; mention them instead.").format(
                        name=token
                    )
                )
            row = rows[0] if rows else None
        if row is None:
            raise UserError(
                _("I don't know {name} yet: they need to use copkit once.").format(name=token)
            )
        return Person(id=row.person_id, name=row.name)

    def _check_format(self, state: CommunityState, fmt: str | None) -> None:
        if fmt is not None and fmt not in state.enabled:
            raise NotEnabled(
                _(
                    "{format} is not enabled here. The leader can turn it on with “formats enable {format}”."
                ).format(format=fmt)
            )

    async def _run_command(
        self, ctx: Context, state: CommunityState, cmd: Command, args: dict[str, Any]
    ) -> None:
        self._check_format(state, cmd.format)
        ctx.require(cmd.role, cmd.name, _(cmd.action) if cmd.action else cmd.name)
        await cmd.handler(ctx, args)

    async def _text(self, ctx: Context, state: CommunityState, text: str) -> None:
        words = parsing.tokenize(text.strip())
        if not words:
            raise UsageError(_("Type “help” to see what I can do."))
        if words[0].lower() in ("copkit", "/copkit") and len(words) > 1:
            words = words[1:]
        words[0] = words[0].lstrip("/")
        cmd, rest = parsing.resolve(self.registry.commands, words)
        if cmd.args:
            args = parsing.bind(cmd, rest)
        elif rest:
            raise UsageError(_("Too many words.") + "\n" + parsing.usage_line(cmd))
        else:
            args = {}
        await self._run_command(ctx, state, cmd, args)

    async def _structured(
        self, ctx: Context, state: CommunityState, path: tuple[str, ...], given: dict[str, Any]
    ) -> None:
        cmd = self.registry.commands.get(tuple(p.lower() for p in path))
        if cmd is None:
            parsing.resolve(self.registry.commands, list(path))  # raises with suggestions
            raise UsageError(_("Unknown command."))
        await self._run_command(ctx, state, cmd, parsing.convert_structured(cmd, given))

    async def _interaction(
        self, ctx: Context, state: CommunityState, interaction: Interaction
    ) -> None:
        found = self.registry.find_action(interaction.action_id)
        if found is None:
            raise UserError(_("That button no longer works."))
        action, rest = found
        self._check_format(state, action.format)
        ctx.require(action.role, action.prefix, action.prefix)
        values = parsing.interaction_values(interaction.values)
        await action.handler(ctx, {"id": parsing.clean_text(rest), **values})

    # Output -----------------------------------------------------------------------------------

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
        """Post a view, or update the one posted under ``key``; remember where it went.

        Updates are coalesced (see :class:`EditCoalescer`) unless ``coalesce`` is False, which
        sends the edit now: for a view rendered under :meth:`view_lock`."""
        messenger = self.messengers.get(community.platform)
        if messenger is None:
            log.warning(
                "no adapter for %s; view not shown: %s", community.platform, view.title or view.text
            )
            return None
        if isinstance(target, ToRoom) and target.room_id is None and room_id:
            target = ToRoom(room_id)
        if key is not None:
            shown = await ShownView.get_or_none(community_id=community.id, key=key)
            if shown is None and (community.id, key) in self._unrecorded:
                where, ref = self._unrecorded[(community.id, key)]
                shown = await ShownView.create(community=community, key=key, room_id=where, ref=ref)
                del self._unrecorded[(community.id, key)]
            if shown is not None:
                if coalesce:
                    await self.coalescer.edit(messenger, community, shown.ref, view)
                else:
                    self.coalescer.edits += 1
                    await messenger.edit(community, shown.ref, view)
                return shown.ref
        where = (
            target.room_id
            if isinstance(target, (ToRoom, ToThread)) and target.room_id
            else (room_id or "")
        )
        ref = await messenger.send(community, where, target, view, request)
        if key is not None and ref is not None:
            try:
                await ShownView.create(
                    community=community, key=key, room_id=ref.get("room_id", where), ref=ref
                )
            except IntegrityError:  # shown concurrently: keep the first, update it
                shown = await ShownView.get(community_id=community.id, key=key)
                await self.coalescer.edit(messenger, community, shown.ref, view)
                return shown.ref
            except Exception:  # posted but not recorded: remember it for the job's retry
                if len(self._unrecorded) >= 1000:
                    self._unrecorded.pop(next(iter(self._unrecorded)))
                self._unrecorded[(community.id, key)] = (ref.get("room_id", where), ref)
                raise
        return ref

    @contextlib.asynccontextmanager
    async def view_lock(self, community_id: int, key: str) -> AsyncIterator[None]:
        """Hold this while reading what a keyed view shows and showing it (``coalesce=False``).

        Several processes may refresh the same view: without it, one that read the database
        earlier can send its edit last, and the view stays behind. Under the lock processes take
        turns per view (a PostgreSQL advisory lock, in a transaction that also holds the reads),
        so the last edit sent is the last one read. Within one process an asyncio lock does it."""
        lkey = (community_id, key)
        lock = self._view_locks.setdefault(lkey, asyncio.Lock())
        try:
            async with lock:
                # At most one edit per coalescing interval per view and process, as the
                # coalescer would allow (paced before the lock, so nothing is held meanwhile).
                wait = self._view_last.get(lkey, 0.0) + self.coalescer.interval - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                try:
                    if not is_postgres(self.database_url):
                        yield
                        return
                    async with in_transaction():
                        await connections.get("default").execute_query(
                            "SELECT pg_advisory_xact_lock(hashtext($1))", [f"copkit:view:{lkey}"]
                        )
                        yield
                finally:
                    self._view_last[lkey] = time.monotonic()
        finally:
            if not lock.locked() and self._view_locks.get(lkey) is lock:
                del self._view_locks[lkey]
            if len(self._view_last) > 1000:  # forget views not edited for a while
                old = time.monotonic() - max(self.coalescer.interval, 1.0)
                self._view_last = {k: t for k, t in self._view_last.items() if t > old}

    # Re-deliveries ---------------------------------------------------------------------------------

    async def answered(self, platform: str, key: str) -> tuple[int, Any] | None:
        """The answer already given to the inbound event ``key`` (by any process), or ``None``.

        Adapters whose platform re-delivers events (Teams retries an activity it thinks was
        lost, possibly to another process) call this first, and :meth:`remember_answer` after."""
        try:
            row = await Delivery.get_or_none(platform=platform, key=key[:300])
        except Exception:  # the database is down: handling the event will say so
            log.debug("could not look up a delivery", exc_info=True)
            return None
        return (row.status, row.body) if row is not None else None

    async def remember_answer(self, platform: str, key: str, status: int, body: Any) -> None:
        """Record that ``key`` was answered with ``status`` and ``body`` (kept for a day)."""
        now = self.clock.now()
        try:
            await Delivery.create(
                platform=platform, key=key[:300], status=status, body=body, at=now
            )
            self._deliveries += 1
            if self._deliveries % 500 == 1:
                await Delivery.filter(at__lt=now - timedelta(days=1)).delete()
        except IntegrityError:
            pass  # answered twice at the same moment: the first answer stands
        except Exception:
            log.warning("could not remember an answered delivery", exc_info=True)

    async def view_ref(self, community: Community, key: str) -> MessageRef | None:
        shown = await ShownView.get_or_none(community_id=community.id, key=key)
        return shown.ref if shown else None

    async def find_view(self, community: Community, **ref_match: Any) -> ShownView | None:
        """A shown view whose ref contains ``ref_match`` (adapters map platform messages back)."""
        for shown in await ShownView.filter(community_id=community.id).order_by("-id").limit(500):
            if all(shown.ref.get(k) == v for k, v in ref_match.items()):
                return shown
        return None

    # Log and contributions --------------------------------------------------------------------

    async def log(
        self, community: Community, kind: str, *, ref: str = "", text: str = "", member: str = ""
    ) -> None:
        await LogEntry.create(
            community=community,
            kind=kind,
            ref=ref[:200],
            text=text[:2000],
            member=member[:200],
            at=self.clock.now(),
        )

    async def contribute(
        self, community: Community, member: str, kind: str, ref: str, text: str = ""
    ) -> None:
        await self.log(community, kind, ref=ref, text=text, member=member)
        await self.hooks.contribution(community, member, kind, ref)

    # Timers -----------------------------------------------------------------------------------

    async def run_job(self, job: Job) -> None:
        jt = self.registry.jobs.get(job.handler)
        if jt is None:
            log.error("no handler for job type %s; job %s dropped", job.handler, job.id)
            return
        if job.community_id is None:
            raise ValueError("job without community")
        community = await self.community_by_id(job.community_id)
        set_locale(community.locale)
        ctx = JobContext(self, community, job.room_id, job.id, job.handler)
        await jt.handler(ctx, dict(job.payload or {}))
        await self.hooks.job_due(ctx)

    async def settle(self) -> None:
        """Let pending tasks (coalesced edits) run; used by tests and scripts."""
        await asyncio.sleep(0)
