"""A test-only format that exercises every kind of view the Discord adapter renders: a board
with buttons, a select and a form, private answers, a counter (coalesced edits), native and
anonymous polls, a scheduled event, a thread, an image, a timer and voice presence."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta
from typing import Any

from copkit.core.context import Context, JobContext
from copkit.core.hookspecs import hookimpl
from copkit.core.models import LogEntry
from copkit.core.roles import Role
from copkit.core.specs import Action, Arg, Command, FormatInfo, JobType
from copkit.core.views import (
    Button,
    Choice,
    Form,
    FormInput,
    Image,
    Option,
    Poll,
    ScheduledEvent,
    ToThread,
    UserText,
    View,
)

FRUITS = tuple(f"fruit-{n:02d}" for n in range(30))  # more than Discord's 25 choices


def tiny_png() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


async def board(ctx: Context, args: dict[str, Any]) -> None:
    topic = UserText(args["topic"])
    form = Form("demo:added", "Add a topic", (FormInput("title", "Title"),))
    await ctx.show(
        View(
            title="Board",
            text=f"Topic: {topic}",
            buttons=[
                Button("demo:vote:1", "Vote", style="primary"),
                Button("demo:add", "Add", form=form),
            ],
            choices=[Choice("demo:pick", (Option("a", "A"), Option("b", "B")), placeholder="Pick")],
        ),
        key="demo:board",
    )


async def secret(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.reply("only you see this", private=True)


async def voted(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.show(View(title="Board", text=f"Votes: 1 by {ctx.person.name}"), key="demo:board")
    await ctx.reply(f"vote {args['id']} counted", private=True)


async def added(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.reply(View(text=f"added {UserText(args['title'])}"))


async def picked(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.reply(f"picked {','.join(args['selected'])}", private=True)


def counter_view(n: int) -> View:
    return View(title="Counter", text=f"{n} votes", buttons=[Button("demo:count", "+1")])


async def counter(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.show(counter_view(0), key="demo:counter")


async def count(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.contribute("vote", "demo:count")
    n = await LogEntry.filter(community_id=ctx.community.id, kind="vote", ref="demo:count").count()
    await ctx.show(counter_view(n), key="demo:counter")


def lunch_view(text: str, anonymous: bool, open_: bool = True) -> View:
    poll = Poll("demo:lunch", "Lunch?", ("Pizza", "Sushi"), anonymous=anonymous, hours=2)
    return View(title="Lunch", text=text, poll=poll if open_ else None)


async def lunch(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.show(lunch_view("Vote below", bool(args.get("anonymous"))), key="demo:lunch")


async def lunch_vote(ctx: Context, args: dict[str, Any]) -> None:
    choice = ("Pizza", "Sushi")[int(args["id"])]
    await ctx.contribute("vote", f"demo:lunch:{args['id']}")
    n = await LogEntry.filter(
        community_id=ctx.community.id, kind="vote", ref__startswith="demo:lunch"
    ).count()
    await ctx.show(lunch_view(f"{n} vote(s), last for {choice}", False), key="demo:lunch")
    await ctx.reply(f"you chose {choice}", private=True)


async def lunch_close(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.show(lunch_view("Closed", False, open_=False), key="demo:lunch")


async def talk(ctx: Context, args: dict[str, Any]) -> None:
    start = ctx.now() + timedelta(days=2)
    event = ScheduledEvent(
        "demo-talk",
        UserText(args.get("title") or "Brown bag"),
        start,
        start + timedelta(hours=1),
        location="Room 1",
        description="A talk",
        cancelled=bool(args.get("cancel")),
    )
    await ctx.show(View(title="Brown bag", text="In two days", event=event), key="demo:talk")


async def signup(ctx: Context, args: dict[str, Any]) -> None:
    view = View(title="Signups", text="Add your talk", buttons=[Button("demo:count", "Sign up")])
    await ctx.show(view, target=ToThread("Lightning @everyone talks"))


async def chart(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.show(View(title="Chart", images=[Image("health chart.png", tiny_png(), "a chart")]))


async def remind(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.schedule("demo.remind", timedelta(minutes=5), {"who": ctx.person.id})
    await ctx.reply("in 5 minutes", private=True)


async def reminded(ctx: JobContext, payload: dict[str, Any]) -> None:
    await ctx.show(View(text="Time is up"))
    view = View(text="Your reminder", buttons=[Button("demo:ack", "Got it")])
    await ctx.send_private(payload["who"], view)


async def ack(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.reply(f"acknowledged in {ctx.community.name}", private=True)


async def who(ctx: Context, args: dict[str, Any]) -> None:
    present = await ctx.room_members()
    await ctx.reply(f"present: {','.join(sorted(present)) or 'nobody'}")


async def note(ctx: Context, args: dict[str, Any]) -> None:
    """A private card whose form is prefilled with this person's own text."""
    form = Form("demo:noted", "Your note", (FormInput("text", "Note", default=f"{ctx.person.id}"),))
    view = View(title="Your card", buttons=[Button("demo:note", "Edit note", form=form)])
    await ctx.reply(view, private=True)


async def fruit(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.reply(f"fruit {args['kind']}", private=True)


class DemoPlugin:
    """Register with ``extra=[DemoPlugin()]``."""

    def __init__(self) -> None:
        self.presence: list[tuple[str, list[str]]] = []

    @hookimpl
    def copkit_register_formats(self) -> list[FormatInfo]:
        return [FormatInfo("demo", "Demo", "A format for tests.")]

    @hookimpl
    def copkit_register_commands(self) -> list[Command]:
        topic = Arg("topic", "a topic", positional=True, required=True, max_length=100)
        return [
            Command(("demo", "board"), "Show the board.", board, (topic,), format="demo"),
            Command(
                ("demo", "secret"),
                "Core only.",
                secret,
                role=Role.CORE,
                format="demo",
                action="see the secret",
            ),
            Command(("demo", "counter"), "A counter.", counter, format="demo"),
            Command(
                ("demo", "lunch"),
                "A lunch poll.",
                lunch,
                (Arg("anonymous", "nobody sees who voted", type="flag"),),
                format="demo",
            ),
            Command(("demo", "close"), "Close the lunch poll.", lunch_close, format="demo"),
            Command(
                ("demo", "talk"),
                "Plan a talk.",
                talk,
                (Arg("title", "its title"), Arg("cancel", "call it off", type="flag")),
                format="demo",
            ),
            Command(("demo", "signup"), "Open signups.", signup, format="demo"),
            Command(("demo", "chart"), "A chart.", chart, format="demo"),
            Command(("demo", "remind"), "Remind me.", remind, format="demo"),
            Command(("demo", "who"), "Who is here.", who, format="demo"),
            Command(("demo", "note"), "Your private card.", note, format="demo"),
            Command(
                ("demo", "fruit"),
                "Pick a fruit.",
                fruit,
                (Arg("kind", "which fruit", choices=FRUITS, positional=True, required=True),),
                format="demo",
            ),
        ]

    @hookimpl
    def copkit_register_actions(self) -> list[Action]:
        return [
            Action("demo:vote", voted, format="demo"),
            Action("demo:added", added, format="demo"),
            Action("demo:pick", picked, format="demo"),
            Action("demo:count", count, format="demo"),
            Action("demo:lunch", lunch_vote, format="demo"),
            Action("demo:ack", ack, format="demo"),
        ]

    @hookimpl
    def copkit_register_jobs(self) -> list[JobType]:
        return [JobType("demo.remind", reminded)]

    @hookimpl
    def copkit_presence_changed(
        self, community: Any, room: str, present: list[str], joined: list[str], left: list[str]
    ) -> None:
        self.presence.append((room, sorted(present)))


class AuditPlugin:
    """A format whose commands all need the core team: Discord hides it from members."""

    @hookimpl
    def copkit_register_formats(self) -> list[FormatInfo]:
        return [FormatInfo("audit", "Audit", "Core team tools.")]

    @hookimpl
    def copkit_register_commands(self) -> list[Command]:
        return [
            Command(("audit", "run"), "Run.", secret, role=Role.CORE, format="audit"),
            Command(("audit", "stop"), "Stop.", secret, role=Role.LEADER, format="audit"),
        ]


class UnmappablePlugin:
    """Declares what Discord cannot take: too many subcommands, bad names, a long action id."""

    @hookimpl
    def copkit_register_formats(self) -> list[FormatInfo]:
        return [FormatInfo("wide", "Wide", "Too much.")]

    @hookimpl
    def copkit_register_commands(self) -> list[Command]:
        cmds = [
            Command(("wide", f"c{n:02d}"), f"Command {n}.", secret, format="wide")
            for n in range(30)
        ]
        cmds.append(Command(("bad.name", "x"), "A dot.", secret, format="wide"))
        cmds.append(
            Command(("wider", "go"), "Bad arg.", secret, (Arg("Two Words", "x"),), format="wide")
        )
        return cmds

    @hookimpl
    def copkit_register_actions(self) -> list[Action]:
        return [Action("wide:" + "x" * 120, count, format="wide")]
