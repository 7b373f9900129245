"""Who people are in Teams: the leader of a new community (a team owner), who owns or still
belongs to a team (from its roster, cached briefly), and who is present in a meeting chat.
Every cache here is bounded."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from copkit.core.dberrors import is_unavailable
from copkit.core.errors import Unavailable
from copkit.core.events import CommunityRef, Person, RoomRef
from copkit.core.models import Community
from copkit.core.runtime import Copkit

from . import inbound
from .connector import JSON, ConnectorError
from .inbound import Where
from .request import LRU
from .seam import Turn

log = logging.getLogger("copkit.teams")

PLATFORM = "teams"
ROLE_TTL = timedelta(minutes=10)
CACHE_SIZE = 5000
MEETING_SIZE = 1000  # people kept as present in one meeting chat
T = TypeVar("T")


async def db(work: Awaitable[T]) -> T:
    """``work`` (a database read of the adapter's own), with an outage said as such."""
    try:
        return await work
    except Exception as exc:
        if is_unavailable(exc):
            raise Unavailable(str(exc)) from exc
        raise


@dataclass(frozen=True)
class Role:
    member: bool
    owner: bool
    at: datetime


class People:
    def __init__(self, runtime: Copkit, size: int = CACHE_SIZE) -> None:
        self.runtime = runtime
        self._now: Callable[[], datetime] = runtime.clock.now
        self._known_communities = LRU(size)
        self._roles = LRU(size)  # (team, person) -> Role
        self._presence = LRU(min(size, 1000))  # (community, room) -> {person id: Person}

    async def new_community_owner(self, w: Where, turn: Turn, person: Person) -> str | None:
        """For a community seen for the first time: who becomes its leader (a team owner)."""
        if w.community_id in self._known_communities:
            return None
        exists = await Community.exists(platform=PLATFORM, external_id=w.community_id)
        self._known_communities.put(w.community_id, True)
        if exists:
            return None
        if not w.team_id:
            return person.id
        try:
            owners: list[str] = []
            token: str | None = None
            for _page in range(10):
                members, token = await turn.members_page(w.team_id, token)
                owners += [
                    m["id"]
                    for m in members
                    if str(m.get("userRole", "")).lower() == "owner" and m.get("id")
                ]
                if not token:
                    break
        except ConnectorError as exc:
            log.warning("cannot read the roster of team %s: %s", w.team_id, exc)
            return person.id
        if person.id in owners or not owners:
            return person.id
        return owners[0]

    async def role(self, team_id: str, turn: Turn, person: Person) -> Role:
        """Whether ``person`` belongs to and owns the team (from its roster; cached for a few
        minutes). If the roster cannot be read, the last answer stands (a member by default)."""
        key = (team_id, person.id)
        cached: Role | None = self._roles.get(key)
        now = self._now()
        if cached is not None and now - cached.at < ROLE_TTL:
            return cached
        try:
            member = await turn.member(team_id, person.id)
            role = Role(
                member is not None,
                member is not None and str(member.get("userRole", "")).lower() == "owner",
                now,
            )
        except ConnectorError as exc:
            log.info("cannot read member %s of team %s: %s", person.id, team_id, exc)
            role = Role(cached.member if cached else True, bool(cached and cached.owner), now)
        self._roles.put(key, role)
        return role

    # Meetings -----------------------------------------------------------------------------------

    def _present(self, community_id: str, room_id: str) -> dict[str, Person]:
        key = (community_id, room_id)
        present = self._presence.get(key)
        if present is None:
            present = {}
        self._presence.put(key, present)
        return present

    async def on_meeting(self, turn: Turn, activity: JSON, reference: JSON | None) -> None:
        w = inbound.where(activity)
        person = inbound.person(activity)
        owner = await db(self.new_community_owner(w, turn, person))
        community = CommunityRef(PLATFORM, w.community_id, w.community_name[:200], owner_id=owner)
        room_id = inbound.base_conversation(w.conversation_id)
        present = self._present(w.community_id, room_id)
        name = activity.get("name")
        if name == inbound.MEETING_JOIN:
            for p in inbound.meeting_members(activity):
                if len(present) < MEETING_SIZE or p.id in present:
                    present[p.id] = p
        elif name == inbound.MEETING_LEAVE:
            for p in inbound.meeting_members(activity):
                present.pop(p.id, None)
        elif name == inbound.MEETING_END:
            present.clear()
        else:
            return
        room = RoomRef(room_id, w.room_name[:200], "voice", reference)
        await self.runtime.handle_presence(community, room, list(present.values()))

    async def interacting(self, person: Person, community: CommunityRef, room: RoomRef) -> None:
        """In a meeting chat, whoever interacts counts as present (when Teams sends no events)."""
        present = self._present(community.external_id, room.id)
        if person.id in present or len(present) >= MEETING_SIZE:
            return
        present[person.id] = person
        try:
            await self.runtime.handle_presence(
                community, RoomRef(room.id, room.name, room.kind), list(present.values())
            )
        except Unavailable:
            log.info("presence not recorded: database unavailable")
