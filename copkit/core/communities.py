"""Communities and the people and rooms copkit has seen in them, cached per process.

Settings (enabled formats, roles) are cached; on PostgreSQL, where several processes share them,
they are dropped at once when another process says they changed
(:class:`copkit.core.cachebus.CacheBus`), and re-read every few seconds only while that bus is
not listening (it may miss changes then).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tortoise.exceptions import IntegrityError

from .errors import UserError
from .events import CommunityRef, Person, RoomRef
from .i18n import _
from .lru import LRUDict, LRUSet
from .models import Community, FormatSetting, Membership, Room
from .roles import Role
from .singleflight import SingleFlight
from .specs import Registry
from .writer import Row, Write, write

if TYPE_CHECKING:
    from .cachebus import CacheBus
    from .plugins import Hooks


@dataclass
class CommunityState:
    """What dispatch needs of a community, cached: the row, enabled formats and roles."""

    row: Community
    enabled: frozenset[str]
    roles: dict[str, Role]
    loaded_at: float = field(default_factory=time.monotonic)


LogFn = Callable[..., Awaitable[None]]

# A person seen again: their row stays, with the name they now have (if they gave one).
_PERSON_CONFLICT = (
    "(community_id, person_id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at"
    " WHERE excluded.name <> '' AND copkit_membership.name <> excluded.name"
)

COMMUNITIES_KEPT = 10_000  # cached community settings (and their ids) per process
SEEN_KEPT = 100_000  # (community, room) and (community, person) pairs known to be stored


class Communities:
    """Finds (or creates) communities, caches their settings, remembers rooms and people."""

    def __init__(self, registry: Registry, hooks: Hooks, log: LogFn, cache_ttl: float) -> None:
        self.registry = registry
        self.hooks = hooks
        self._log = log
        self.cache_ttl = cache_ttl
        self.defaults: dict[str, str] = {}
        """``locale`` and ``timezone`` a new community starts with ([community] in copkit.toml)."""
        self.bus: CacheBus | None = None
        self.listeners: list[Callable[[int | None], None]] = []
        """Called with a community's id (``None``: all) when its cached settings are dropped
        or reloaded: other caches of it follow (the brand)."""
        # Bounded (least recently used go first): a forgotten entry costs one database read.
        self._by_ref: LRUDict[tuple[str, str], CommunityState] = LRUDict(COMMUNITIES_KEPT)
        self._by_id: LRUDict[int, tuple[str, str]] = LRUDict(COMMUNITIES_KEPT)
        self._rooms_seen: LRUSet[tuple[int, str]] = LRUSet(SEEN_KEPT)
        self._people_seen: LRUSet[tuple[int, str]] = LRUSet(SEEN_KEPT)
        self._loading = SingleFlight()  # one reload of a community at a time

    def listening(self) -> bool:
        """Whether every change made in another process drops the cached copy at once (the
        cache bus is connected), so that no timed reload is needed."""
        return self.bus is not None and self.bus.connected.is_set()

    def _fresh(self, state: CommunityState | None) -> bool:
        return state is not None and (
            not self.cache_ttl
            or self.listening()
            or time.monotonic() - state.loaded_at < self.cache_ttl
        )

    async def get(self, ref: CommunityRef) -> CommunityState:
        """The community an event came from, created (with its owner as leader) if new."""
        state = self._by_ref.get((ref.platform, ref.external_id))
        if state is not None and self._fresh(state):
            return state
        return await self._loading.run((ref.platform, ref.external_id), lambda: self._get(ref))

    async def _get(self, ref: CommunityRef) -> CommunityState:
        row = await Community.get_or_none(platform=ref.platform, external_id=ref.external_id)
        created = False
        if row is None:
            try:
                row = await Community.create(
                    platform=ref.platform,
                    external_id=ref.external_id,
                    name=ref.name[:200],
                    locale=self.defaults.get("locale", "en"),
                    timezone=self.defaults.get("timezone", "UTC"),
                )
                created = True
                if ref.owner_id:
                    await Membership.create(community=row, person_id=ref.owner_id, role=Role.LEADER)
            except IntegrityError:  # another request or process created it first
                row = await Community.get(platform=ref.platform, external_id=ref.external_id)
        state = await self.load(row)
        if created:
            await self._log(row, "community.created", text=row.name)
            await self.hooks.community_created(row)
        return state

    async def load(self, row: Community) -> CommunityState:
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
        self._by_ref[(row.platform, row.external_id)] = state
        self._by_id[row.id] = (row.platform, row.external_id)
        return state

    async def refresh(self, community: Community) -> CommunityState:
        """Reload a community after its settings changed (takes effect at once, in every process)."""
        state = await self.load(await Community.get(id=community.id))
        for listener in self.listeners:
            listener(community.id)
        if self.bus is not None:
            await self.bus.publish(community.id)
        return state

    def forget(self, community_id: int | None) -> None:
        """Drop cached settings of one community (or all), changed by another process."""
        for listener in self.listeners:
            listener(community_id)
        if community_id is None:
            self._by_ref.clear()
            return
        key = self._by_id.get(community_id)
        if key is not None:
            self._by_ref.pop(key, None)

    async def by_id(self, community_id: int) -> Community:
        key = self._by_id.get(community_id)
        state = self._by_ref.get(key) if key else None
        if state is not None and self._fresh(state):
            return state.row
        return (await self.load(await Community.get(id=community_id))).row

    async def state_of(self, community: Community) -> CommunityState:
        state = self._by_ref.get((community.platform, community.external_id))
        if state is None or not self._fresh(state):
            state = await self.load(await Community.get(id=community.id))
        return state

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

    async def remember_room(self, community: Community, room: RoomRef) -> None:
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

    def person_row(self, community: Community, person: Person) -> Row | None:
        """The row that stores ``person`` as seen in ``community`` (their name kept up to date),
        for the request's first write (:func:`copkit.core.writer.pending_rows`); ``None`` when
        this process stored them already."""
        key = (community.id, person.id)
        if key in self._people_seen:
            return None
        self._people_seen.add(key)
        return Row(
            Membership,
            {"community_id": community.id, "person_id": person.id, "name": person.name[:200]},
            _PERSON_CONFLICT,
        )

    def forget_person(self, community: Community, person: Person) -> None:
        """``person`` could not be stored after all (the database was down): try again."""
        self._people_seen.discard((community.id, person.id))

    async def remember_person(self, community: Community, person: Person) -> None:
        row = self.person_row(community, person)
        if row is not None:
            try:
                await write(Write(before=(row,)))
            except BaseException:
                self.forget_person(community, person)
                raise

    async def resolve_person(
        self, community: Community, mentions: dict[str, Person], token: str
    ) -> Person:
        """The person meant by ``token`` (a mention, an id or a known display name)."""
        found = await self.known_person(community, mentions, token)
        if found is None:
            raise unknown_person(token)
        return found

    async def known_person(
        self, community: Community, mentions: dict[str, Person], token: str
    ) -> Person | None:
        """The person meant by ``token`` among the mentions and the people copkit has seen;
        ``None`` if nobody; an error if several people have that name."""
        token = token.removeprefix("@").strip()
        if token in mentions:
            return mentions[token]
        row = await Membership.get_or_none(community_id=community.id, person_id=token)
        if row is None:
            rows = await Membership.filter(community_id=community.id, name=token).limit(2)
            if len(rows) > 1:
                raise UserError(
                    _("More than one person is called {name}; mention them instead.").format(
                        name=token
                    )
                )
            row = rows[0] if rows else None
        if row is None:
            return None
        return Person(id=row.person_id, name=row.name)


def unknown_person(token: str) -> UserError:
    return UserError(
        _("I don't know {name} yet: mention them (@name) or ask them to use copkit once.").format(
            name=token.removeprefix("@").strip()[:60]
        )
    )
