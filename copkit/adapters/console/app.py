"""The console session: type commands, act as several people, press buttons, fill forms."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from copkit.core.clock import Clock, FakeClock, MovableClock
from copkit.core.errors import Unavailable, UserError
from copkit.core.events import UPLOAD_READ_MAX, CommunityRef, Interaction, Person, RoomRef, Upload
from copkit.core.i18n import _, set_locale
from copkit.core.models import Community, Membership
from copkit.core.parsing import parse_duration, tokenize
from copkit.core.plugins import make_plugin_manager
from copkit.core.runtime import Copkit
from copkit.core.views import Button, Choice, Poll

from .messenger import ConsoleMessenger
from .render import flat, markdown_to_text
from .terminal import Terminal, open_file


def console_help() -> str:
    return _(
        """Console commands:
  /as NAME              act as NAME (the first person is the leader)
  /room NAME            move to room NAME (threads are rooms too)
  /presence A B C       who is in this room now (like a voice channel)
  /press N              press button N (a form asks for each field); N may be a label
  /choose N 1,3         pick options 1 and 3 of choice N (or of the choice labelled N)
  /vote N K             vote for option K in poll N
  /wait 8m              let time pass (timers fire at once)
  /open [N]             open picture or file N (the last one without N) in your viewer
  /restart              stop and start copkit again on the same database
  /help                 this text; anything else is a copkit command (try: help)
  /quit"""
    )


def local_file(line: str) -> tuple[str, tuple[Upload, ...]]:
    """A line whose last word is the path of a file here (``brand set logo ./logo.png``):
    the line without it, and the file as sent with the command (the console's attachment)."""
    head, _sep, last = line.rpartition(" ")
    if not head or not ("/" in last or "." in last):
        return line, ()
    path = Path(last).expanduser()
    try:
        if not path.is_file():
            return line, ()
        size = path.stat().st_size
        data = path.read_bytes() if size <= UPLOAD_READ_MAX else b""
    except OSError:
        return line, ()
    return head.rstrip(), (Upload(path.name, size, data),)


class ConsoleSession:
    """One local community driven line by line, from a person or a script."""

    def __init__(
        self,
        database_url: str,
        *,
        user: str = "you",
        clock: Clock | None = None,
        out: Callable[[str], None] = print,
        plugins: list[str] | None = None,
        files_dir: Path | None = None,
        community_defaults: dict[str, str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.clock = clock or Clock()
        self.out = out
        self.room = "general"
        self.messenger = ConsoleMessenger(out, files_dir)
        self.user = user
        self.community = CommunityRef("console", "local", "Local community", owner_id=user)
        self.plugins = plugins
        self.community_defaults = community_defaults
        self.runtime: Copkit | None = None
        self.terminal: Terminal | None = None
        self._lines: Iterator[str] | None = None
        self.echo = True
        self.people: dict[str, None] = {user: None}
        """Everyone the console has acted as or seen in a room, in order (for ``/as``)."""

    @property
    def user(self) -> str:
        """Who types now (``/as NAME``)."""
        return self.messenger.acting

    @user.setter
    def user(self, name: str) -> None:
        self.messenger.acting = name

    @property
    def movable(self) -> bool:
        """Whether ``/wait`` moves the clock (always, in scripts and at the keyboard alike)."""
        return isinstance(self.clock, (FakeClock, MovableClock))

    def _runtime(self) -> Copkit:
        pm = make_plugin_manager(*([self.plugins] if self.plugins is not None else []))
        rt = Copkit(
            self.database_url,
            pm=pm,
            clock=self.clock,
            coalesce_interval=0,
            community_defaults=self.community_defaults,
        )
        rt.add_messenger(self.messenger)
        return rt

    async def start(self, *, timers: bool = False) -> None:
        self.runtime = self._runtime()
        await self.runtime.open(timers=timers)
        await self._run_due()

    async def stop(self) -> None:
        if self.runtime:
            await self.runtime.close()
            self.runtime = None

    async def _run_due(self) -> None:
        assert self.runtime
        if self.movable:
            while await self.runtime.scheduler.run_due():
                pass
        self.messenger.flush()

    def person(self) -> Person:
        return Person(id=self.user, name=self.user)

    def roomref(self) -> RoomRef:
        return RoomRef(self.room, self.room)

    async def _ask(self, prompt: str) -> str:
        if self._lines is not None:
            answer = next(self._lines, "")
            self.out(f"  {prompt}: {answer}")
            return answer
        if self.terminal is not None:
            return await self.terminal.read(f"  {prompt}: ", remember=False)
        return await asyncio.to_thread(input, f"  {prompt}: ")

    async def handle(self, line: str) -> bool:
        """Run one line; returns False when the session should end."""
        assert self.runtime
        line = line.strip()
        if not line:
            return True
        if line.startswith("#"):
            self.out(line)
            return True
        if self.echo:
            self.out(f"{self.user}@{self.room}> {line}")
        try:
            if line.startswith("/"):
                return await self._console_command(line)
            line, uploads = local_file(line)
            await self.runtime.handle_text(
                self.community, self.roomref(), self.person(), line, uploads=uploads
            )
            await self._run_due()  # jobs due now, as the timer loop runs them on a real clock
        except Unavailable:
            self.out(_("I can't reach my database. Try again in a moment."))
        except UserError as exc:
            self.out(markdown_to_text(exc.message))
        self.messenger.flush()
        return True

    async def _console_command(self, line: str) -> bool:
        assert self.runtime
        try:
            words = tokenize(line)
        except UserError as exc:
            self.out(markdown_to_text(exc.message))
            return True
        cmd, rest = words[0].lower(), words[1:]
        if cmd in ("/quit", "/exit"):
            return False
        if cmd == "/help":
            self.out(console_help())
        elif cmd == "/as":
            await self._act_as(rest)
        elif cmd == "/room" and rest:
            self.room = " ".join(rest)
        elif cmd == "/presence":
            people = [Person(id=p.removeprefix("@"), name=p.removeprefix("@")) for p in rest]
            self.people.update(dict.fromkeys(p.id for p in people))
            await self.runtime.handle_presence(self.community, self.roomref(), people)
            names = ", ".join(p.id for p in people) or _("nobody")
            self.out("  " + _("in #{room}: {names}").format(room=self.room, names=names))
        elif cmd == "/wait":
            if not rest:
                self.out(_("How long? e.g. /wait 8m (timers due meanwhile fire at once)."))
            else:
                await self._wait(parse_duration(rest[0]))
        elif cmd == "/open":
            self._open(rest)
        elif cmd == "/restart":
            await self.stop()
            self.out("  " + _("… copkit restarted"))
            await self.start(timers=not isinstance(self.clock, FakeClock))
        elif cmd in ("/press", "/choose", "/vote") and rest:
            await self._press(cmd, rest)
        else:
            self.out(_("Unknown console command. Type /help."))
        self.messenger.flush()
        return True

    async def _act_as(self, rest: list[str]) -> None:
        if rest:
            self.user = rest[0].removeprefix("@")
            self.people[self.user] = None
            return
        known = dict(self.people)
        community = await Community.get_or_none(
            platform=self.community.platform, external_id=self.community.external_id
        )
        if community is not None:
            rows = await Membership.filter(community=community).order_by("id")
            known.update(dict.fromkeys(r.person_id for r in rows))
        self.out(
            _(
                "/as NAME acts as someone else: what you type next is theirs (e.g. /as ann)."
                " You are {name} now. People so far: {people}."
            ).format(name=self.user, people=", ".join(known))
        )

    def _open(self, rest: list[str]) -> None:
        files = self.messenger.files
        if not files:
            self.out(_("No picture or file has been saved yet."))
            return
        try:
            path = files[int(rest[0]) - 1] if rest else files[-1]
            assert rest == [] or int(rest[0]) >= 1
        except (ValueError, IndexError, AssertionError):
            self.out(_("Open a saved file by its number, from 1 to {n}.").format(n=len(files)))
            return
        command = open_file(path)
        if command is None:
            self.out(
                _(
                    "I found no viewer to open it here (xdg-open or open); it is saved at {path}."
                ).format(path=path)
            )
        else:
            self.out(_("Opening {path}.").format(path=path))

    async def _wait(self, delta: timedelta) -> None:
        if not isinstance(self.clock, (FakeClock, MovableClock)):
            await asyncio.sleep(delta.total_seconds())
            return
        # Jump from one due timer to the next (each fires at its own time), then to the end.
        assert self.runtime
        end = self.clock.now() + delta
        for _step in range(10_000):
            due = await self.runtime.scheduler.next_due()
            if due is None or due > end:
                break
            if due > self.clock.now():
                self.clock.advance(due - self.clock.now())
            elif not await self.runtime.scheduler.run_due():
                break  # due but not runnable here (claimed elsewhere): don't spin
            await self._run_due()
        if end > self.clock.now():
            self.clock.advance(end - self.clock.now())
        await self._run_due()

    async def _press(self, cmd: str, rest: list[str]) -> None:
        assert self.runtime
        found = self.messenger.find(rest[0])
        if found is None:
            self.out(_("There is no button {n} on screen.").format(n=rest[0]))
            return
        item = found
        values: dict[str, Any] = {}
        if isinstance(item, Button):
            action = item.action_id
            if item.form:
                action = item.form.action_id
                self.out(f"  {flat(item.form.title)}")
                for inp in item.form.inputs:
                    label = flat(inp.label)
                    if not inp.required:
                        label += " " + _("(optional)")
                    answer = await self._ask(label)
                    if len(answer) > inp.max_length:
                        self.out(_("Too long: at most {n} characters.").format(n=inp.max_length))
                        return
                    values[inp.name] = answer
        elif isinstance(item, Choice):
            picks = rest[1].split(",") if len(rest) > 1 else []
            try:
                values["selected"] = [item.options[int(p) - 1].value for p in picks]
            except (ValueError, IndexError):
                self.out(_("Pick options by number, e.g. /choose {n} 1,2").format(n=rest[0]))
                return
            action = item.action_id
        elif isinstance(item, Poll):
            try:
                k = int(rest[1]) - 1
                assert 0 <= k < len(item.options)
            except (ValueError, IndexError, AssertionError):
                self.out(_("Vote with an option number, e.g. /vote {n} 1").format(n=rest[0]))
                return
            action = f"{item.action_id}:{k}"
        else:
            return
        await self.runtime.handle_interaction(
            self.community, self.roomref(), self.person(), Interaction(action, values)
        )

    async def run_script(self, lines: list[str]) -> None:
        self._lines = iter(lines)
        for line in self._lines:
            if not await self.handle(line):
                break
        self._lines = None

    async def interactive(self, terminal: Terminal | None = None) -> None:
        """Lines from the keyboard; timers fire meanwhile, their output above the prompt."""
        self.terminal = terminal or Terminal()
        self.terminal.start()
        self.out = self.messenger.out = self.terminal.write
        self.out(_("copkit console — type /help for console commands, help for copkit's."))
        self.echo = False
        loop_flush = asyncio.create_task(self._flush_loop())
        try:
            while True:
                try:
                    line = await self.terminal.read(f"{self.user}@{self.room}> ")
                except EOFError:
                    break
                if not await self.handle(line):
                    break
        finally:
            loop_flush.cancel()
            self.terminal.close()

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            self.messenger.flush()


async def run_console(
    database_url: str,
    *,
    script: list[str] | None,
    user: str,
    plugins: list[str] | None = None,
    community_defaults: dict[str, str] | None = None,
) -> int:
    """A scripted session on a fake clock, or an interactive one on the real clock (``/wait``
    moves it forward); the console speaks the language new communities get."""
    set_locale((community_defaults or {}).get("locale") or "en")
    clock: Clock = FakeClock() if script is not None else MovableClock()
    session = ConsoleSession(
        database_url,
        user=user,
        clock=clock,
        plugins=plugins,
        community_defaults=community_defaults,
    )
    try:
        await session.start(timers=script is None)
        if script is not None:
            await session.run_script(script)
        else:
            await session.interactive()
    finally:
        await session.stop()
    sys.stdout.flush()
    return 0
