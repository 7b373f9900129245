"""What a plugin handler receives: who, where, and the services to act (show, schedule, log)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .events import Person, RoomRef, Upload
from .live import Render
from .roles import Role
from .timezones import community_zone
from .views import AsSeenBy, Brand, Private, Target, ToRoom, View, notice, seen_by
from .writer import Write, write

if TYPE_CHECKING:
    from .communities import CommunityState
    from .messenger import MessageRef, Roles
    from .models import Community
    from .places import Opened
    from .services import Services
    from .specs import Registry


@dataclass(frozen=True, slots=True)
class Activity:
    """A running or finished instance of a format (a lean coffee session, a health-check round)."""

    community: Community
    format: str
    id: int
    title: str
    room_id: str = ""


def activity_ref(activity: Activity) -> str:
    """``<format>:<id>``: how the log names an activity (``leancoffee:12``)."""
    return f"{activity.format}:{activity.id}"


class Scope:
    """Services available wherever a plugin runs: in a request or in a timer job."""

    def __init__(
        self, services: Services, community: Community, room_id: str, request: Any = None
    ) -> None:
        self.services = services
        self.runtime = services  # the name plugins used before the services were split out
        self.community = community
        self.room_id = room_id
        self.request = request

    @property
    def platform(self) -> str:
        return self.community.platform

    def now(self) -> datetime:
        return self.services.clock.now()

    async def show(
        self,
        view: View,
        *,
        key: str | None = None,
        target: Target | None = None,
        coalesce: bool = True,
    ) -> MessageRef | None:
        """Post ``view``; with ``key``, update the view posted earlier under that key instead
        (paced like a live view; ``coalesce=False``: edit now)."""
        if key is None:  # (the common case, a new message: straight to the messenger)
            return await self.services.output.show_now(
                self.community,
                target or ToRoom(self.room_id),
                view,
                request=self.request,
                room_id=self.room_id,
            )
        return await self.services.output.show(
            self.community,
            target or ToRoom(self.room_id),
            view,
            key=key,
            request=self.request,
            room_id=self.room_id,
            coalesce=coalesce,
        )

    async def live(
        self,
        key: str,
        render: Render,
        *,
        target: Target | None = None,
        wait: bool = True,
    ) -> None:
        """Show what ``render()`` reads now under ``key`` and keep it the latest state: one
        render in flight, paced, locked across processes (see :mod:`copkit.core.live`). With
        ``wait=False`` (bursts, e.g. votes) return at once; the view follows shortly."""
        await self.services.output.live_view(
            self.community,
            key,
            render,
            target=target,
            room_id=self.room_id,
            request=self.request if wait else None,
            wait=wait,
        )

    @property
    def zone(self) -> ZoneInfo:
        """The community's time zone (UTC when it is unset or unknown)."""
        return community_zone(self.community.timezone)

    async def brand(self) -> Brand:
        """The community's brand: its name, tagline, accent colour and icon (logo or
        monogram), always filled in (see :mod:`copkit.core.brand`). Views get it on their own
        when shown; use it where the brand goes elsewhere (a picture's colours, a message
        for people outside the community)."""
        brand, _chosen = await self.services.output.brands.of(self.community)
        return brand

    async def send_private(self, person_id: str, view: View) -> None:
        await self.show(view, target=Private(person_id))

    async def schedule(
        self, handler: str, at: datetime | timedelta, payload: dict[str, Any] | None = None
    ) -> int:
        """Run the job type ``handler`` at ``at`` (or after a delay); returns the job id."""
        due = self.now() + at if isinstance(at, timedelta) else at
        return await self.services.scheduler.schedule(
            handler, due, payload or {}, community_id=self.community.id, room_id=self.room_id
        )

    async def cancel_job(self, job_id: int | None) -> None:
        if job_id:
            await self.services.scheduler.cancel(job_id)

    async def log(self, kind: str, ref: str = "", text: str = "", member: str = "") -> None:
        """Add a line to the community's log (transparency)."""
        await self.services.log.log(self.community, kind, ref=ref, text=text, member=member)

    async def activity_started(self, activity: Activity) -> None:
        """Log ``activity.started`` (by the person who started it, in a request) and tell
        the plugins; the log line is what the goals' signals count as an event and its host."""
        person = getattr(self, "person", None)
        await self.log(
            "activity.started",
            ref=activity_ref(activity),
            text=activity.title,
            member=person.id if person is not None else "",
        )
        await self.services.hooks.activity_started(activity)

    async def activity_ended(self, activity: Activity) -> None:
        """Log ``activity.ended`` and tell the plugins."""
        await self.log("activity.ended", ref=activity_ref(activity), text=activity.title)
        await self.services.hooks.activity_ended(activity)

    async def view_ref(self, key: str) -> MessageRef | None:
        """Where the view with ``key`` was posted, if it was."""
        return await self.services.output.view_ref(self.community, key)

    async def pin(self, key: str) -> bool | None:
        """Pin the view posted under ``key`` to its room: ``True`` pinned (Discord, the
        console), ``False`` the platform refused (a permission), ``None`` the platform has no
        pins (Teams). Say so to the person in the last two cases."""
        return await self.services.output.pin(self.community, key)

    async def open_voice(self, key: str, name: str, near_room_id: str | None = None) -> Opened:
        """A temporary voice room named ``name`` beside this room (or ``near_room_id``: the
        activity's room, when the request came from one of its threads), remembered as
        ``key`` (the same one when asked again): its room id, or the platform's reason for
        the people concerned when it refused, or nothing where the platform has no voice
        rooms."""
        near = near_room_id or self.room_id
        return await self.services.output.open_voice(self.community, key, name, near)

    async def close_places(self, prefix: str) -> int:
        """Remove the voice rooms opened for places named ``prefix…`` (at an activity's end;
        its threads stay)."""
        return await self.services.output.close_places(self.community, prefix, self.now())

    @property
    def roles(self) -> Roles | None:
        """The platform's roles copkit can give members (Discord), or ``None``."""
        return self.services.output.roles(self.community)

    async def room_members(self, room_id: str | None = None) -> list[str]:
        """Who the adapter last reported present in a room (voice channel, meeting)."""
        return self.services.presence.get((self.community.id, room_id or self.room_id), [])

    @property
    def registry(self) -> Registry:
        """Everything the plugins declared (commands, formats, actions, jobs)."""
        return self.services.registry

    async def settings_changed(self) -> CommunityState:
        """Reload this community's settings after a change (at once, in every process)."""
        return await self.services.communities.refresh(self.community)


class Context(Scope):
    """A request from a person: a command, an interaction or a form submission."""

    def __init__(
        self,
        services: Services,
        community: Community,
        room: RoomRef,
        person: Person,
        role: Role,
        request: Any = None,
    ) -> None:
        super().__init__(services, community, room.id, request)
        self.room = room
        self.person = person
        self.role = role
        self.mentions: dict[str, Person] = {}
        self.uploads: tuple[Upload, ...] = ()
        """The files sent with the request (see :class:`~copkit.core.events.Upload`)."""

    async def reply(self, view: View | str, *, private: bool = False) -> MessageRef | None:
        """Answer the person: in the room, or only to them."""
        if isinstance(view, str):
            view = notice(view)
        return await self.show(view, target=Private(self.person.id) if private else None)

    async def show_personal(self, shared: View, part: View) -> None:
        """The shared view as this person sees it: ``part`` (their own state: dots left, their
        answers) in ``shared``, in place and for them alone where the platform can (Teams'
        card refresh); elsewhere ``part`` privately (Discord's ephemeral answer, the console).
        Answered for the person asking only, never kept for anyone else."""
        await self.services.output.show_now(
            self.community,
            AsSeenBy(self.person.id, part),
            seen_by(shared, part),
            request=self.request,
            room_id=self.room_id,
        )

    async def contribute(self, kind: str, ref: str, text: str = "") -> None:
        """Log a contribution by this person and tell the plugins (``copkit_contribution``)."""
        await self.services.log.contribute(self.community, self.person.id, kind, ref, text)

    async def write(
        self, w: Write, *, contribution: tuple[str, str] | None = None, text: str = ""
    ) -> list[dict[str, Any]]:
        """Run ``w`` as one transaction (see :mod:`copkit.core.writer`); with ``contribution``
        (kind, ref), the log line of this person's contribution is written with it — when the
        main statement returned rows — and the plugins are told after it committed. Returns
        the main statement's rows."""
        if contribution is None:
            return await write(w)
        kind, ref = contribution
        line = self.services.log.row(
            self.community, kind, ref=ref, text=text, member=self.person.id
        )
        then = (*w.then, line)  # (not dataclasses.replace: it costs more than the rest here)
        rows = await write(
            Write(w.sql, w.values, before=w.before, then=then, tries=w.tries, sqlite=w.sqlite)
        )
        if rows or not (w.sql or w.sqlite):
            await self.services.hooks.contribution(self.community, self.person.id, kind, ref)
        return rows

    def may(self, role: Role, action: str) -> bool:
        """Whether this person may do ``action`` that needs ``role`` (plugins may decide)."""
        return self.services.access.permitted(
            self.community, self.person.id, self.role, role, action
        )

    def require(self, role: Role, action: str, words: str) -> None:
        """Refuse with 'only … can <words>' unless the person may do ``action``."""
        self.services.access.require(self.community, self.person.id, self.role, role, action, words)

    async def resolve_person(self, token: str) -> Person:
        """The person meant by ``token`` (a mention, an id or a known display name)."""
        return await self.services.resolve_person(self, token)


class JobContext(Scope):
    """A timer job being run."""

    def __init__(
        self, services: Services, community: Community, room_id: str, job_id: int, handler: str
    ) -> None:
        super().__init__(services, community, room_id)
        self.job_id = job_id
        self.handler = handler
