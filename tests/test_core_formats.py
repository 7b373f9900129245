"""Formats declared once: typed routes build and parse ids, a button has its command's role and
the community's override, and the object emits the lists the register hooks always took."""

from __future__ import annotations

from typing import Any

import pytest

from copkit.core.context import Context
from copkit.core.formats import Format
from copkit.core.hookspecs import hookimpl
from copkit.core.roles import Role
from copkit.core.routes import ACTION_ID_MAX, Route, StaleAction, parse_int
from copkit.core.specs import Arg
from copkit.testing import Harness


def test_a_route_builds_and_parses_the_same_id():
    r = Route("demo:next:{session:int}:{topic:int}")
    assert r.prefix == "demo:next"
    action_id = r.build(session=12, topic=3)
    assert action_id == "demo:next:12:3"
    assert r.parse(action_id.removeprefix(r.prefix + ":")) == {"session": 12, "topic": 3}


@pytest.mark.parametrize(
    "rest", ["", "12", "12:3:4", "²:3", "①:3", "12:99999999999", "12:-1", "12: 3", "x:3", "12:3 "]
)
def test_ids_that_do_not_convert_are_out_of_date_not_bugs(rest):
    r = Route("demo:next:{session:int}:{topic:int}")
    with pytest.raises(StaleAction):
        r.parse(rest)


def test_an_id_over_the_platform_limit_is_refused_when_built():
    r = Route("demo:x:{page:str}")
    with pytest.raises(ValueError):
        r.build(page="y" * ACTION_ID_MAX)
    with pytest.raises(ValueError):
        r.build()  # missing value
    with pytest.raises(ValueError):
        Route("demo:x:{n:int}").build(n=2**40)  # would not parse back


def test_words_and_literals_in_routes():
    r = Route("demo:thumbs:{session:int}:{round:int}:{value:word}")
    assert r.parse("3:1:up") == {"session": 3, "round": 1, "value": "up"}
    with pytest.raises(StaleAction):
        r.parse("3:1:up:down")
    assert Route("demo:static").build() == "demo:static"


def test_parse_int_takes_ascii_digits_in_range_only():
    assert parse_int("#7") == 7
    assert parse_int("²") is None and parse_int("①") is None
    assert parse_int("99999999999") is None and parse_int("") is None


demo = Format("demo", "Demo", "A format for tests.")
GO = demo.route("go:{thing:int}")
POKE = demo.route("poke:{thing:int}")
calls: list[tuple[str, dict[str, Any]]] = []


@demo.command("go", help="Go.", args=(Arg("thing", "n", type="int"),), words="go", button=GO)
async def go(ctx: Context, args: dict[str, Any]) -> None:
    calls.append((ctx.person.id, args))
    await ctx.reply("went")


@demo.button(POKE, role=Role.CORE, words="poke things")
async def poke(ctx: Context, args: dict[str, Any]) -> None:
    calls.append((ctx.person.id, args))


@demo.job("tick")
async def tick(ctx: Any, payload: dict[str, Any]) -> None:
    calls.append(("job", payload))


def test_the_format_emits_commands_actions_and_jobs():
    (cmd,) = demo.commands()
    assert cmd.path == ("demo", "go") and cmd.format == "demo"
    actions = {a.prefix: a for a in demo.actions()}
    assert actions["demo:go"].permission == "demo go" and actions["demo:go"].role == Role.MEMBER
    assert actions["demo:poke"].role == Role.CORE
    assert [j.name for j in demo.jobs()] == ["demo.tick"]


async def test_a_button_has_the_role_and_the_override_of_its_command(db_url):
    calls.clear()
    async with Harness(
        db_url, plugins=["copkit.plugins.core_commands"], extra=[demo.plugin()]
    ) as h:
        await h.click("bob", GO.build(thing=4))
        assert calls == [("bob", {"thing": 4})]
        await h.say("leader", "roles require core demo go")
        await h.say("bob", "demo go --thing 5")
        assert "Only" in h.last("bob").text
        await h.click("bob", GO.build(thing=6))
        assert "Only" in h.last("bob").text
        assert len(calls) == 1  # neither the command nor the button ran
        await h.click("bob", POKE.build(thing=1))
        assert "poke things" in h.last("bob").text
        await h.click("leader", "demo:go:²")
        assert "out of date" in h.last("leader").text
        await h.click("leader", "demo:go:99999999999")
        assert "out of date" in h.last("leader").text
        assert len(calls) == 1


class Watcher:
    """A wrapper hookimpl and a failing plain one: pluggy does the calling, failures stay apart."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    @hookimpl(wrapper=True)
    def copkit_contribution(self, community, member, kind, ref):
        self.seen.append(f"before {kind}")
        result = yield
        self.seen.append(f"after {kind}")
        return result


class Failing:
    @hookimpl
    async def copkit_contribution(self, community, member, kind, ref):
        raise RuntimeError("a broken plugin")


async def test_hooks_go_through_pluggy_wrappers_and_monitoring_work(db_url):
    watcher = Watcher()
    monitored: list[str] = []
    async with Harness(
        db_url,
        plugins=["copkit.plugins.core_commands"],
        extra=[demo.plugin(), watcher, Failing()],
    ) as h:
        undo = h.rt.pm.add_hookcall_monitoring(
            lambda name, impls, kwargs: monitored.append(name), lambda *a: None
        )
        try:
            await h.rt.contribute(await h._community(), "ann", "kudos", "x")
        finally:
            undo()
        assert watcher.seen == ["before kudos", "after kudos"]
        assert "copkit_contribution" in monitored
        assert h.rt.hooks.failures == 1
