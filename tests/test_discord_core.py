"""The Discord adapter against a fake Discord: start-up, command sync, core commands, buttons
after a restart, forms, mentions and database outages. Plugins: the core plus a tiny test one."""

from __future__ import annotations

from typing import Any

import pytest
from fakes.discord_bot import BotUnderTest
from fakes.discord_server import EPHEMERAL, FakeDiscord, labels_of, text_of

from copkit.core.context import Context
from copkit.core.hookspecs import hookimpl
from copkit.core.roles import Role
from copkit.core.specs import Action, Arg, Command, FormatInfo
from copkit.core.views import Button, Choice, Form, FormInput, Option, UserText, View

CORE = ("copkit.plugins.core_commands",)


async def board(ctx: Context, args: dict[str, Any]) -> None:
    topic = UserText(args["topic"])
    await ctx.show(
        View(
            title="Board",
            text=f"Topic: {topic}",
            buttons=[
                Button("demo:vote:1", "Vote", style="primary"),
                Button(
                    "demo:add",
                    "Add",
                    form=Form("demo:added", "Add a topic", (FormInput("title", "Title"),)),
                ),
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


class DemoPlugin:
    @hookimpl
    def copkit_register_formats(self) -> list[FormatInfo]:
        return [FormatInfo("demo", "Demo", "A format for tests.")]

    @hookimpl
    def copkit_register_commands(self) -> list[Command]:
        return [
            Command(
                ("demo", "board"),
                "Show the board.",
                board,
                (Arg("topic", "a topic", positional=True, required=True, max_length=100),),
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
        return [
            Action("demo:vote", voted, format="demo"),
            Action("demo:added", added, format="demo"),
            Action("demo:pick", picked, format="demo"),
        ]


class World:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.olga = fake.user("olga")
        self.ann = fake.user("ann")
        self.bob = fake.user("bob")
        self.guild = fake.add_guild("Guild CoP", owner=self.olga, members=[self.ann, self.bob])
        self.general = fake.add_channel(self.guild, "general")


@pytest.fixture
async def fake(monkeypatch):
    f = FakeDiscord()
    await f.start()
    f.install(monkeypatch)
    yield f
    await f.close()


@pytest.fixture
async def world(fake):
    return World(fake)


@pytest.fixture
async def bot(fake, world, db_url):
    b = BotUnderTest(fake, db_url, plugins=CORE, extra=[DemoPlugin()])
    await b.start()
    yield b
    await b.stop()


def callback_body(call) -> dict[str, Any]:
    return call.json["data"]


async def test_login_sync_payload_and_intents(fake, world, bot):
    assert fake.identified[0]["intents"] & (1 << 0)  # guilds
    assert fake.identified[0]["intents"] & (1 << 7)  # voice states
    assert fake.identified[0]["intents"] & (1 << 24)  # polls
    assert not fake.identified[0]["intents"] & (1 << 1)  # no privileged members intent by default
    assert not fake.identified[0]["intents"] & (1 << 15)  # no message content intent
    puts = fake.find("PUT", rf"/applications/{fake.app_id}/commands")
    assert len(puts) == 1, "commands are synced once, as one list"
    by_name = {c["name"]: c for c in puts[0].json}
    assert sorted(by_name) == ["copkit", "demo"]
    core = by_name["copkit"]
    assert core["contexts"] == [0] and core["dm_permission"] is False
    assert core["default_member_permissions"] is None  # mixed roles: the core checks
    subs = {o["name"]: o for o in core["options"]}
    assert {"help", "formats", "formats-enable", "roles-core-add", "log"} <= set(subs)
    person = subs["roles-core-add"]["options"][0]
    assert person == {"type": 6, "name": "person", "description": "who (@name)", "required": True}
    require = {o["name"]: o for o in subs["roles-require"]["options"]}
    assert [c["value"] for c in require["role"]["choices"]] == ["member", "core", "leader"]
    assert require["command"]["type"] == 3  # a "rest" argument is one string
    assert subs["log"]["options"][0]["type"] == 4  # int
    demo = {o["name"]: o for o in by_name["demo"]["options"]}
    assert demo["board"]["options"][0]["max_length"] == 100
    names = [json_names(c) for c in puts[0].json]
    assert all(len(n) == len(set(n)) for n in names), "no duplicate names"
    assert any("slash commands synced" in line for line in bot.said)


def json_names(cmd: dict[str, Any]) -> list[str]:
    return [o["name"] for o in cmd.get("options") or []]


async def test_core_command_answers_the_interaction(fake, world, bot):
    mark = fake.mark()
    await fake.slash(world.ann, world.general, "copkit help")
    call = await fake.wait_for("POST", r"/interactions/\d+/[^/]+/callback", since=mark)
    assert call.json["type"] == 4
    body = callback_body(call)
    assert body["flags"] & EPHEMERAL, "help is private"
    assert "What I can do" in text_of(body)
    assert body["allowed_mentions"] == {"parse": []}
    await fake.quiet(0.1)
    assert len(fake.find("POST", r"/interactions/.*", since=mark)) == 1


async def test_person_option_and_roles(fake, world, bot):
    mark = fake.mark()
    await fake.slash(world.olga, world.general, "copkit roles-core-add", {"person": world.ann})
    call = await fake.wait_for("POST", r"/interactions/\d+/[^/]+/callback", since=mark)
    assert "is now core team" in text_of(callback_body(call))
    mark = fake.mark()
    await fake.slash(world.ann, world.general, "demo secret")
    call = await fake.wait_for("POST", r"/interactions/\d+/[^/]+/callback", since=mark)
    assert text_of(callback_body(call)) == "only you see this"
    mark = fake.mark()
    await fake.slash(world.bob, world.general, "demo secret")
    call = await fake.wait_for("POST", r"/interactions/\d+/[^/]+/callback", since=mark)
    assert "Only the leader or core team" in text_of(callback_body(call))
    assert callback_body(call)["flags"] & EPHEMERAL


async def test_manage_server_counts_as_core_team(fake, world, db_url, monkeypatch):
    mod = fake.user("mod")
    world.guild["members"].append(fake.member_payload(mod, roles=[world.guild["_admin_role"]]))
    world.guild["member_count"] = len(world.guild["members"])
    b = await BotUnderTest(fake, db_url, plugins=CORE, extra=[DemoPlugin()]).start()
    try:
        mark = fake.mark()
        await fake.slash(mod, world.general, "demo secret")
        call = await fake.wait_for("POST", r"/interactions/\d+/[^/]+/callback", since=mark)
        assert text_of(callback_body(call)) == "only you see this"
    finally:
        await b.stop()


async def test_mentions_never_ping(fake, world, bot):
    mark = fake.mark()
    await fake.slash(
        world.ann, world.general, "demo board", {"topic": "@everyone free nitro <@&123> @here"}
    )
    call = await fake.wait_for("POST", r"/interactions/\d+/[^/]+/callback", since=mark)
    body = callback_body(call)
    assert body["allowed_mentions"] == {"parse": []}
    shown = text_of(body)
    assert "free nitro" in shown
    assert "@everyone" not in shown and "@here" not in shown  # shown literally, not as a mention
    await fake.quiet(0.1)
    for c in fake.calls[mark:]:
        if c.method in ("POST", "PATCH") and c.json and ("content" in c.json or "embeds" in c.json):
            assert c.json.get("allowed_mentions") == {"parse": []}, c


async def test_button_click_after_restart(fake, world, bot):
    await fake.slash(world.ann, world.general, "demo board", {"topic": "Testing"})
    call = await fake.wait_for("POST", r"/interactions/\d+/[^/]+/callback")
    board_msg = fake.message_of(call)
    assert labels_of(board_msg) == ["Pick", "Vote", "Add…"]
    assert [c["custom_id"] for row in board_msg["components"] for c in row["components"]] == [
        "demo:pick",
        "demo:vote:1",
        "demo:add",
    ]
    await bot.restart()
    assert len(fake.find("PUT", rf"/applications/{fake.app_id}/commands")) == 2
    mark = fake.mark()
    await fake.click(world.bob, board_msg, "Vote")
    update = await fake.wait_for("POST", r"/interactions/\d+/[^/]+/callback", since=mark)
    assert update.json["type"] == 7, "the clicked board is updated as the interaction's response"
    assert "Votes: 1 by Bob" in text_of(callback_body(update))
    follow = await fake.wait_for("POST", rf"/webhooks/{fake.app_id}/[^/]+", since=mark)
    assert follow.json["flags"] & EPHEMERAL and follow.json["content"] == "vote 1 counted"


async def test_select_and_form_survive_a_restart(fake, world, bot):
    await fake.slash(world.ann, world.general, "demo board", {"topic": "Forms"})
    call = await fake.wait_for("POST", r"/interactions/\d+/[^/]+/callback")
    board_msg = fake.message_of(call)
    await bot.restart()
    mark = fake.mark()
    await fake.click(world.bob, board_msg, "Pick", values=["b"])
    call = await fake.wait_for("POST", r"/interactions/\d+/[^/]+/callback", since=mark)
    assert callback_body(call)["content"] == "picked b"
    mark = fake.mark()
    await fake.click(world.bob, board_msg, "Add")
    call = await fake.wait_for("POST", r"/interactions/\d+/[^/]+/callback", since=mark)
    assert call.json["type"] == 9, "a form button opens a modal as the first response"
    modal = call.json["data"]
    assert modal["custom_id"] == "demo:added" and modal["title"] == "Add a topic"
    await bot.restart()
    mark = fake.mark()
    await fake.submit(world.bob, modal, {"title": "@here Retros"}, message=board_msg)
    call = await fake.wait_for("POST", r"/interactions/\d+/[^/]+/callback", since=mark)
    assert "added @\u200bhere Retros" == callback_body(call)["content"]


async def test_slow_core_is_deferred_within_three_seconds(fake, world, db_url):
    import asyncio

    async def slow(ctx: Context, args: dict[str, Any]) -> None:
        await asyncio.sleep(0.4)
        await ctx.reply("public result")
        await ctx.reply("private result", private=True)

    class Slow:
        @hookimpl
        def copkit_register_commands(self) -> list[Command]:
            return [Command(("slow",), "Slow.", slow)]

    b = await BotUnderTest(fake, db_url, plugins=CORE, extra=[Slow()], ack_after=0.1).start()
    try:
        mark = fake.mark()
        await fake.slash(world.ann, world.general, "copkit slow")
        defer = await fake.wait_for("POST", r"/interactions/\d+/[^/]+/callback", since=mark)
        assert defer.json["type"] == 5 and defer.json["data"]["flags"] & EPHEMERAL
        post = await fake.wait_for("POST", rf"/channels/{world.general['id']}/messages", since=mark)
        assert post.json["content"] == "public result"
        edit = await fake.wait_for(
            "PATCH", rf"/webhooks/{fake.app_id}/[^/]+/messages/@original", since=mark
        )
        assert edit.json["content"] == "private result"
        await fake.quiet(0.2)
        assert not fake.find("DELETE", r".*", since=mark)
    finally:
        await b.stop()


async def test_database_down_says_try_again(fake, world, bot):
    from tortoise import connections
    from tortoise.exceptions import DBConnectionError

    async def down(*args, **kwargs):
        raise DBConnectionError("connection refused")

    conn = type(connections.get("default"))
    with pytest.MonkeyPatch.context() as mp:
        for name in ("execute_query", "execute_query_dict", "execute_insert", "execute_many"):
            mp.setattr(conn, name, down)
        bot.runtime._communities.clear()  # the next request must read the database
        mark = fake.mark()
        await fake.slash(world.ann, world.general, "copkit help")
        call = await fake.wait_for("POST", r"/interactions/\d+/[^/]+/callback", since=mark)
    assert "Try again in a moment" in text_of(callback_body(call))
    assert callback_body(call)["flags"] & EPHEMERAL
    mark = fake.mark()
    await fake.slash(world.ann, world.general, "copkit help")  # back up: answered again
    call = await fake.wait_for("POST", r"/interactions/\d+/[^/]+/callback", since=mark)
    assert "What I can do" in text_of(callback_body(call))


async def test_command_by_mention(fake, world, bot):
    mark = fake.mark()
    await fake.say(world.ann, world.general, f'<@{fake.bot["id"]}> demo board "hello @everyone"')
    post = await fake.wait_for("POST", rf"/channels/{world.general['id']}/messages", since=mark)
    assert "hello @\u200beveryone" in text_of(post.json)
    assert post.json["allowed_mentions"] == {"parse": []}
