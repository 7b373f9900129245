"""A tiny plugin used by the core tests: a stateless command, a writing command, an async hook
that fails, a timer and a format of its own."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from copkit.core.context import Context, JobContext
from copkit.core.errors import UserError
from copkit.core.hookspecs import hookimpl
from copkit.core.roles import Role
from copkit.core.specs import Action, Arg, Command, FormatInfo, JobType, Models
from copkit.core.views import Button, View, notice

EVENTS: list[tuple[str, Any]] = []


class Fired(Model):
    """One row per timer run, to prove exactly-once."""

    id = fields.IntField(primary_key=True)
    job_id = fields.IntField(unique=True)
    worker = fields.CharField(max_length=100)

    class Meta:
        table = "test_fired"


async def ping(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.reply(notice("pong"))


async def echo(ctx: Context, args: dict[str, Any]) -> None:
    if args["text"] == "boom":
        raise RuntimeError("a bug")
    if args["text"] == "oops":
        raise UserError("That is not allowed.")
    await ctx.contribute("echo", "demo:echo", args["text"])
    await ctx.show(
        View(text=args["text"], buttons=[Button("demo:press:1", "Press")]), key="demo:last"
    )


async def later(ctx: Context, args: dict[str, Any]) -> None:
    job = await ctx.schedule("demo.ring", args["after"], {"text": args["text"] or "ring"})
    await ctx.reply(f"job {job}")


async def secret(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.reply("the secret")


async def pressed(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.reply(f"pressed {args['id']} by {ctx.person.id}")


async def ring(ctx: JobContext, payload: dict[str, Any]) -> None:
    await Fired.create(job_id=ctx.job_id, worker=ctx.runtime.scheduler.worker_id)
    await ctx.show(notice(payload["text"]))


class DemoPlugin:
    @hookimpl
    def copkit_register_formats(self) -> list[FormatInfo]:
        return [FormatInfo("demo", "Demo", "A format for tests.")]

    @hookimpl
    def copkit_register_commands(self) -> list[Command]:
        return [
            Command(("demo", "ping"), "Answer pong.", ping, format="demo"),
            Command(
                ("demo", "echo"),
                "Echo text.",
                echo,
                (Arg("text", "text", positional=True, required=True),),
                format="demo",
            ),
            Command(
                ("demo", "later"),
                "Ring later.",
                later,
                (
                    Arg("after", "delay", type="duration", required=True),
                    Arg("text", "text", positional=True),
                ),
                format="demo",
            ),
            Command(
                ("demo", "secret"),
                "Core only.",
                secret,
                role=Role.CORE,
                format="demo",
                action="see the secret",
            ),
        ]

    @hookimpl
    def copkit_register_actions(self) -> list[Action]:
        return [Action("demo:press", pressed, format="demo")]

    @hookimpl
    def copkit_register_models(self) -> list[Models]:
        return [Models(app="testdemo", module="core_fixtures")]

    @hookimpl
    def copkit_register_jobs(self) -> list[JobType]:
        return [JobType("demo.ring", ring)]

    @hookimpl
    async def copkit_contribution(self, community, member, kind, ref) -> None:
        EVENTS.append(("contribution", (member, kind, ref)))


class FailingPlugin:
    @hookimpl
    async def copkit_contribution(self, community, member, kind, ref) -> None:
        raise RuntimeError("this plugin is broken")

    @hookimpl
    def copkit_community_created(self, community) -> None:
        raise ValueError("broken too")
