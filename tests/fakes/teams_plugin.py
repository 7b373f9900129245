"""A small plugin for the Teams adapter tests: a board updated in place through a form and
votes, a private card with a button, a new thread, a timer, a poll and a picture."""

from __future__ import annotations

import io
from typing import Any

from copkit.core.context import Context, JobContext
from copkit.core.hookspecs import hookimpl
from copkit.core.specs import Action, Arg, Command, FormatInfo, JobType
from copkit.core.views import (
    Button,
    Form,
    FormInput,
    Image,
    Poll,
    Private,
    ToThread,
    UserText,
    View,
    notice,
)

TOPICS: dict[int, list[list[Any]]] = {}


def board_view(community_id: int) -> View:
    topics = TOPICS.setdefault(community_id, [])
    lines = [f"- {UserText(t)} ({v} votes)" for t, v in topics] or ["No topics yet."]
    form = Form("tdemo:proposed", "Propose a topic", (FormInput("title", "Title", max_length=40),))
    buttons = [Button("tdemo:propose", "Propose", "primary", form=form)]
    buttons += [Button(f"tdemo:vote:{i}", f"Vote {i + 1}") for i in range(len(topics))]
    return View(title="Board", text="\n".join(lines), buttons=buttons)


async def board(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.show(board_view(ctx.community.id), key="tdemo:board")


async def proposed(ctx: Context, args: dict[str, Any]) -> None:
    TOPICS.setdefault(ctx.community.id, []).append([args["title"], 0])
    await ctx.show(board_view(ctx.community.id), key="tdemo:board")


async def vote(ctx: Context, args: dict[str, Any]) -> None:
    TOPICS[ctx.community.id][int(args["id"])][1] += 1
    await ctx.show(board_view(ctx.community.id), key="tdemo:board")
    await ctx.reply("Your vote is in.", private=True)


async def dm(ctx: Context, args: dict[str, Any]) -> None:
    view = View(title="Just for you", buttons=[Button("tdemo:secret", "Reveal")])
    await ctx.show(view, target=Private(ctx.person.id), key=f"tdemo:dm:{ctx.person.id}")


async def secret(ctx: Context, args: dict[str, Any]) -> None:
    role = ctx.role.name.lower()
    view = View(title="Just for you", text=f"The secret, in room {ctx.room_id}, for {role}")
    await ctx.show(view, key=f"tdemo:dm:{ctx.person.id}")


SIGNUPS: list[str] = []


def signup_view() -> View:
    names = ", ".join(UserText(n) for n in SIGNUPS) or "nobody yet"
    return View(
        title="Signup",
        text=f"Reply in this thread. Signed up: {names}",
        buttons=[Button("tdemo:signup", "Sign me up")],
    )


async def thread(ctx: Context, args: dict[str, Any]) -> None:
    SIGNUPS.clear()
    await ctx.show(signup_view(), target=ToThread(args["name"]), key="tdemo:thread")


async def signup(ctx: Context, args: dict[str, Any]) -> None:
    SIGNUPS.append(ctx.person.name)
    await ctx.show(signup_view(), key="tdemo:thread")
    await ctx.reply(f"{ctx.person.name} is in (room {ctx.room_id})")


async def where(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.reply(f"room {ctx.room_id}")


async def later(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.schedule("tdemo.ring", args["after"], {"text": " ".join(args["text"]) or "ring"})
    await ctx.reply("scheduled")


async def ring(ctx: JobContext, payload: dict[str, Any]) -> None:
    await ctx.show(notice(f"Time is up: {payload['text']}"))


async def poll(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.show(View(poll=Poll("tdemo:poll", "Best day?", ("Monday", "Friday"))))


async def voted(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.reply(f"voted {args['id']}", private=True)


async def whoami(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.reply(f"{ctx.person.name} is {ctx.role.name.lower()}")


async def who(ctx: Context, args: dict[str, Any]) -> None:
    person = await ctx.runtime.resolve_person(ctx, args["person"])
    await ctx.reply(f"that is {person.name} ({person.id})")


async def present(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.reply("present: " + ",".join(sorted(await ctx.room_members())))


async def picture(ctx: Context, args: dict[str, Any]) -> None:
    from PIL import Image as PILImage

    img = PILImage.effect_noise((int(args["size"]), int(args["size"])), 90).convert("RGB")
    out = io.BytesIO()
    img.save(out, format="PNG")
    await ctx.show(View(title="A picture", images=[Image("noise.png", out.getvalue(), "noise")]))


class TeamsDemo:
    @hookimpl
    def copkit_register_formats(self) -> list[FormatInfo]:
        return [FormatInfo("tdemo", "Teams demo", "A format for the Teams tests.")]

    @hookimpl
    def copkit_register_commands(self) -> list[Command]:
        text = (Arg("text", "text", type="rest", positional=True),)
        return [
            Command(("tdemo", "board"), "Show the board.", board, format="tdemo"),
            Command(("tdemo", "dm"), "A private card.", dm, format="tdemo"),
            Command(
                ("tdemo", "thread"),
                "Start a thread.",
                thread,
                (Arg("name", "name", positional=True, required=True),),
                format="tdemo",
            ),
            Command(("tdemo", "where"), "Which room.", where, format="tdemo"),
            Command(("tdemo", "signup"), "Sign up in a thread.", signup, format="tdemo"),
            Command(
                ("tdemo", "later"),
                "Ring later.",
                later,
                (Arg("after", "delay", type="duration", positional=True, required=True), *text),
                format="tdemo",
            ),
            Command(("tdemo", "poll"), "A poll.", poll, format="tdemo"),
            Command(("tdemo", "whoami"), "Your role.", whoami, format="tdemo"),
            Command(
                ("tdemo", "who"),
                "Resolve a person.",
                who,
                (Arg("person", "who", type="person", positional=True, required=True),),
                format="tdemo",
            ),
            Command(("tdemo", "present"), "Who is here.", present, format="tdemo"),
            Command(
                ("tdemo", "picture"),
                "A picture.",
                picture,
                (Arg("size", "pixels", type="int", positional=True, default=64),),
                format="tdemo",
            ),
        ]

    @hookimpl
    def copkit_register_actions(self) -> list[Action]:
        return [
            Action("tdemo:proposed", proposed, format="tdemo"),
            Action("tdemo:vote", vote, format="tdemo"),
            Action("tdemo:secret", secret, format="tdemo"),
            Action("tdemo:poll", voted, format="tdemo"),
            Action("tdemo:signup", signup, format="tdemo"),
        ]

    @hookimpl
    def copkit_register_jobs(self) -> list[JobType]:
        return [JobType("tdemo.ring", ring)]
