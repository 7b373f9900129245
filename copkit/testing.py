"""A test kit for plugin authors: an in-memory adapter, a fake clock and helpers.

Example::

    async with Harness(tmp_path / "t.db", extra=[my_plugin]) as h:
        await h.say("alice", "hello world")
        assert "Hello" in h.last().text
        await h.advance(minutes=5)   # runs the timers that fall due
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from .core.clock import FakeClock
from .core.errors import PlatformError
from .core.events import CommunityRef, Interaction, Person, RoomRef
from .core.messenger import MessageRef
from .core.models import Community
from .core.plugins import DEFAULT_PLUGINS, make_plugin_manager
from .core.runtime import Copkit
from .core.views import Private, Reply, Target, ToRoom, ToThread, View, plain_text, plain_view
from .testing_databases import DatabaseTemplate


@dataclass
class Message:
    """A view as the in-memory platform holds it: ``view`` shows text as it is (user text
    unmarked); ``marked`` is the view the plugin gave, user text still marked."""

    id: str
    room_id: str
    target: Target
    view: View
    edits: int = 0
    history: list[View] = field(default_factory=list)
    marked: View | None = None
    pinned: bool = False

    @property
    def private_to(self) -> str | None:
        return self.target.person_id if isinstance(self.target, Private) else None


class MemoryMessenger:
    """An adapter that keeps every message in memory, like a platform would."""

    def __init__(self, platform: str = "test") -> None:
        self.platform = platform
        self.messages: dict[str, Message] = {}
        self.log: list[Message] = []
        self.failures = 0
        """Set to N: the next N sends and edits fail as a platform outage would (a 502)."""
        self.directory: dict[str, Person] = {}
        """People the platform knows by id or name, whom copkit may not have seen yet."""
        self.roles: dict[str, set[str]] = {}
        """Roles copkit made on this platform: id -> the people given it."""
        self.role_names: dict[str, str] = {}
        self._ids = itertools.count(1)

    def _maybe_fail(self) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise PlatformError("the platform answered 502 Bad Gateway")

    async def send(
        self, community: Community, room_id: str, target: Target, view: View, request: Any
    ) -> MessageRef:
        self._maybe_fail()
        msg_id = f"m{next(self._ids)}"
        marked, view = view, plain_view(view)
        if isinstance(target, ToThread):
            target = ToThread(plain_text(target.name), target.room_id)
            room_id = f"thread:{target.name}:{msg_id}"
        msg = Message(msg_id, room_id, target, view, history=[view], marked=marked)
        self.messages[msg_id] = msg
        self.log.append(msg)
        return {"room_id": room_id, "message_id": msg_id}

    async def find_person(self, community: Community, token: str, request: Any) -> Person | None:
        return self.directory.get(token) or next(
            (p for p in self.directory.values() if p.name == token), None
        )

    async def edit(
        self, community: Community, ref: MessageRef, view: View, request: Any = None
    ) -> None:
        self._maybe_fail()
        msg = self.messages[ref["message_id"]]
        msg.marked, view = view, plain_view(view)
        msg.view = view
        msg.edits += 1
        msg.history.append(view)

    async def create_role(self, community: Community, name: str) -> str:
        role_id = f"r{next(self._ids)}"
        self.roles[role_id] = set()
        self.role_names[role_id] = name
        return role_id

    async def give_role(self, community: Community, person_id: str, role_id: str, on: bool) -> None:
        held = self.roles.setdefault(role_id, set())
        if on:
            held.add(person_id)
        else:
            held.discard(person_id)

    async def pin(self, community: Community, ref: MessageRef) -> bool:
        self._maybe_fail()
        self.messages[ref["message_id"]].pinned = True
        return True


def _person(who: str | Person) -> Person:
    return who if isinstance(who, Person) else Person(id=who, name=who)


class Harness:
    """Drive copkit as people would, on a real database, with a fake clock."""

    def __init__(
        self,
        database: str | Path,
        *,
        plugins: tuple[str, ...] | list[str] = DEFAULT_PLUGINS,
        extra: Sequence[Any] = (),
        leader: str = "leader",
        community: str = "cop",
        room: str = "general",
        coalesce_interval: float = 0.0,
    ) -> None:
        url = str(database)
        self.url = url if "://" in url else f"sqlite://{url}"
        self.plugins = list(plugins)
        self.extra = list(extra)
        self.clock = FakeClock()
        self.messenger = MemoryMessenger()
        self.community_ref = CommunityRef("test", community, community.title(), owner_id=leader)
        self.room = room
        self.coalesce_interval = coalesce_interval
        self.runtime: Copkit | None = None

    def _make_runtime(self) -> Copkit:
        pm = make_plugin_manager(self.plugins, extra=self.extra, entry_points_group=None)
        rt = Copkit(self.url, pm=pm, clock=self.clock, coalesce_interval=self.coalesce_interval)
        rt.add_messenger(self.messenger)
        return rt

    async def __aenter__(self) -> Harness:
        self.runtime = self._make_runtime()
        await self.runtime.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.runtime is not None:
            await self.runtime.close()
            self.runtime = None

    @property
    def rt(self) -> Copkit:
        assert self.runtime is not None, "use 'async with Harness(...)'"
        return self.runtime

    async def restart(self) -> None:
        """Stop this process and start a new one on the same database (and the same platform)."""
        await self.rt.close()
        self.runtime = self._make_runtime()
        await self.runtime.open()
        await self.runtime.scheduler.run_due()

    def _room(self, room: str | None) -> RoomRef:
        return RoomRef(room or self.room, room or self.room)

    async def say(self, who: str | Person, text: str, *, room: str | None = None) -> list[Message]:
        """``who`` types ``text``; returns the messages posted in answer."""
        start = len(self.messenger.log)
        await self.rt.handle_text(self.community_ref, self._room(room), _person(who), text)
        return self.messenger.log[start:]

    async def command(
        self,
        who: str | Person,
        path: tuple[str, ...],
        args: dict[str, Any],
        *,
        room: str | None = None,
    ) -> list[Message]:
        start = len(self.messenger.log)
        await self.rt.handle_command(self.community_ref, self._room(room), _person(who), path, args)
        return self.messenger.log[start:]

    async def click(
        self,
        who: str | Person,
        action_id: str,
        values: dict[str, Any] | None = None,
        *,
        room: str | None = None,
    ) -> list[Message]:
        """``who`` presses a button, picks a choice or submits a form with ``values``."""
        start = len(self.messenger.log)
        await self.rt.handle_interaction(
            self.community_ref, self._room(room), _person(who), Interaction(action_id, values or {})
        )
        return self.messenger.log[start:]

    async def present(self, people: list[str], *, room: str | None = None) -> None:
        await self.rt.handle_presence(
            self.community_ref, self._room(room), [_person(p) for p in people]
        )

    async def advance(self, delta: timedelta | None = None, **kwargs: float) -> int:
        """Move the fake clock forward and run the timers that fell due; returns how many ran."""
        self.clock.advance(delta or timedelta(**kwargs))
        ran = 0
        while n := await self.rt.scheduler.run_due():
            ran += n
        return ran

    # Reading what was shown ----------------------------------------------------------------

    def last(self, private_to: str | None = None) -> View:
        """The latest message (optionally the latest one only ``private_to`` saw)."""
        for msg in reversed(self.messenger.log):
            if private_to is None or msg.private_to == private_to:
                return msg.view
        raise AssertionError("nothing was shown")

    async def view(self, key: str) -> View:
        """The current state of the keyed view (e.g. a board updated in place)."""
        ref = await self.rt.view_ref(await self._community(), key)
        assert ref is not None, f"no view {key!r} was shown"
        return self.messenger.messages[ref["message_id"]].view

    async def _community(self) -> Community:
        return (await self.rt.community(self.community_ref)).row

    def texts(self) -> list[str]:
        return [f"{m.view.title} {m.view.text}".strip() for m in self.messenger.log]


def database_url_for_tests(tmp_path: Path) -> str:
    """PostgreSQL when ``COPKIT_TEST_POSTGRES_URL`` is set, else a SQLite file in ``tmp_path``."""
    return os.environ.get("COPKIT_TEST_POSTGRES_URL") or f"sqlite://{tmp_path / 'copkit.db'}"


__all__ = [
    "DatabaseTemplate",
    "FakeClock",
    "Harness",
    "MemoryMessenger",
    "Message",
    "Reply",
    "ToRoom",
    "database_url_for_tests",
]
