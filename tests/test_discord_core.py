"""The Discord adapter against a fake Discord: start-up, command sync, core commands, buttons
after a restart, forms, mentions and database outages. Plugins: the core plus a tiny test one."""

from __future__ import annotations

from typing import Any

import pytest
from fakes.discord_bot import BotUnderTest
from fakes.discord_demo import DemoPlugin
from fakes.discord_server import EPHEMERAL, FakeDiscord, labels_of, text_of

from copkit.core.context import Context
from copkit.core.hookspecs import hookimpl
from copkit.core.specs import Command

CORE = ("copkit.plugins.core_commands",)
CALLBACK = r"/interactions/\d+/[^/]+/callback"


class World:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.olga = fake.user("olga")
        self.ann = fake.user("ann")
        self.bob = fake.user("bob")
        self.guild = fake.add_guild("Guild CoP", owner=self.olga, members=[self.ann, self.bob])
        self.general = fake.add_channel(self.guild, "general")


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
    person = dict(subs["roles-core-add"]["options"][0])
    assert set(person.pop("description_localizations")) == {"de", "fr"}
    assert person == {"type": 6, "name": "person", "description": "who (@name)", "required": True}
    require = {o["name"]: o for o in subs["roles-require"]["options"]}
    assert [c["value"] for c in require["role"]["choices"]] == ["member", "core", "leader"]
    assert require["command"]["type"] == 3  # a "rest" argument is one string
    assert subs["log"]["options"][0]["type"] == 4  # int
    demo = {o["name"]: o for o in by_name["demo"]["options"]}
    assert demo["board"]["options"][0]["max_length"] == 100
    formats = subs["formats"]
    assert formats["description"] == "List formats and whether they are enabled."
    assert formats["description_localizations"]["de"] == (
        "Zeigt die Formate und ob sie eingeschaltet sind."
    )
    assert (
        formats["description_localizations"]["fr"]
        == "Lister les formats et indiquer s'ils sont activés."
    )
    # names too, where the language has another word (French says "formats" as well)
    assert formats["name_localizations"] == {"de": "formate"}
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
        "demo:add~f",  # opens a form
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
        bot.runtime.communities.forget(None)  # the next request must read the database
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


# Communities and roles -----------------------------------------------------------------------


async def test_guild_becomes_a_community_and_its_owner_leads(fake, world, bot):
    from copkit.core.models import Community, Membership

    assert await Community.filter(platform="discord").count() == 0, "nothing before first use"
    mark = fake.mark()
    await fake.slash(world.ann, world.general, "copkit roles")
    call = await fake.wait_for("POST", CALLBACK, since=mark)
    assert "Olga" in text_of(callback_body(call)) or world.olga["id"] in text_of(
        callback_body(call)
    )
    row = await Community.get(platform="discord", external_id=world.guild["id"])
    assert row.name == "Guild CoP"
    leader = await Membership.get(community_id=row.id, role=2)
    assert leader.person_id == world.olga["id"]


async def test_leader_names_a_core_team_role(fake, db_url):
    w = World(fake)
    facilitators = fake.add_role(w.guild, "Facilitators")
    mods = next(r for r in w.guild["roles"] if r["name"] == "mods")
    cat, mod = fake.user("cat"), fake.user("mod")
    fake.add_member(w.guild, cat, roles=[facilitators])
    fake.add_member(w.guild, mod, roles=[mods])
    b = await BotUnderTest(fake, db_url, plugins=CORE, extra=[DemoPlugin()]).start()
    try:
        for who, expected in ((cat, "Only the leader"), (mod, "only you see this")):
            mark = fake.mark()
            await fake.slash(who, w.general, "demo secret")
            call = await fake.wait_for("POST", CALLBACK, since=mark)
            assert expected in text_of(callback_body(call)), who["username"]
        mark = fake.mark()
        await fake.slash(w.olga, w.general, "copkit roles-corerole", {"role": "@facilitators"})
        await fake.wait_for("POST", CALLBACK, since=mark)
        for who, expected in ((cat, "only you see this"), (mod, "Only the leader")):
            mark = fake.mark()
            await fake.slash(who, w.general, "demo secret")
            call = await fake.wait_for("POST", CALLBACK, since=mark)
            assert expected in text_of(callback_body(call)), who["username"]
    finally:
        await b.stop()


async def test_core_only_format_needs_manage_server_on_discord_too(fake, db_url):
    from fakes.discord_demo import AuditPlugin
    from fakes.discord_server import Hidden

    w = World(fake)
    mod = fake.user("mod")
    fake.add_member(w.guild, mod, roles=[r for r in w.guild["roles"] if r["name"] == "mods"])
    b = await BotUnderTest(fake, db_url, plugins=CORE, extra=[AuditPlugin()]).start()
    try:
        synced = {c["name"]: c for c in fake.commands}
        assert int(synced["audit"]["default_member_permissions"]) == 1 << 5  # Manage Server
        assert synced["copkit"]["default_member_permissions"] is None
        with pytest.raises(Hidden):
            await fake.slash(w.ann, w.general, "audit run")
        mark = fake.mark()
        await fake.slash(mod, w.general, "audit stop")  # Discord lets mods in; the core says no
        call = await fake.wait_for("POST", CALLBACK, since=mark)
        assert "Only the leader" in text_of(callback_body(call))
    finally:
        await b.stop()


async def test_what_discord_cannot_take_is_reported_and_the_rest_synced(fake, db_url):
    from fakes.discord_demo import UnmappablePlugin

    w = World(fake)
    b = await BotUnderTest(fake, db_url, plugins=CORE, extra=[UnmappablePlugin()]).start()
    try:
        synced = {c["name"]: c for c in fake.commands}
        assert sorted(synced) == ["copkit", "wide"]
        assert len(synced["wide"]["options"]) == 25
        problems = [line for line in b.said if "not offered" in line]
        assert len(problems) == 5 + 1 + 1 + 1, problems
        assert any("/wide c29: /wide already has 25 subcommands" in p for p in problems)
        assert any("“bad.name” is not a valid Discord command name" in p for p in problems)
        assert any("argument name 'Two Words' is not valid" in p for p in problems)
        assert any("buttons of action wide:xxx" in p and "125 characters" in p for p in problems)
        mark = fake.mark()
        await fake.slash(w.ann, w.general, "wide c03")
        call = await fake.wait_for("POST", CALLBACK, since=mark)
        assert "only you see this" in text_of(callback_body(call))
    finally:
        await b.stop()


async def test_autocomplete_offers_a_plugins_many_choices(fake, world, bot):
    fruit = next(o for o in fake.commands[1]["options"] if o["name"] == "fruit")
    kind = fruit["options"][0]
    assert kind["autocomplete"] is True and "choices" not in kind
    mark = fake.mark()
    await fake.slash(world.ann, world.general, "demo fruit", {"kind": "-2"}, focus="kind")
    call = await fake.wait_for("POST", CALLBACK, since=mark)
    assert call.json["type"] == 8
    assert [c["value"] for c in call.json["data"]["choices"]] == [
        f"fruit-{n}" for n in range(20, 30)
    ]
    mark = fake.mark()
    await fake.slash(world.ann, world.general, "demo fruit", {"kind": "fruit-27"})
    call = await fake.wait_for("POST", CALLBACK, since=mark)
    assert callback_body(call)["content"] == "fruit fruit-27"
    mark = fake.mark()
    await fake.slash(world.ann, world.general, "demo fruit", {"kind": "banana"})
    call = await fake.wait_for("POST", CALLBACK, since=mark)
    assert "kind must be one of" in text_of(callback_body(call))
    assert callback_body(call)["flags"] & EPHEMERAL


# Views -----------------------------------------------------------------------------------------


async def test_burst_of_clicks_is_coalesced_and_ends_on_the_latest_state(fake, db_url):
    w = World(fake)
    b = await BotUnderTest(
        fake, db_url, plugins=CORE, extra=[DemoPlugin()], coalesce_interval=0.4
    ).start()
    try:
        await fake.slash(w.ann, w.general, "demo counter")
        call = await fake.wait_for("POST", CALLBACK)
        msg = fake.message_of(call)
        mark = fake.mark()
        people = [fake.user(f"p{n}") for n in range(6)]
        for p in people:
            fake.add_member(w.guild, p)
            await fake.click(p, msg, "+1")
        await fake.wait_for("POST", CALLBACK, since=mark, count=6)
        await fake.quiet(0.6)
        updates = [c for c in fake.calls[mark:] if c.path.endswith("/callback")]
        updates = [c for c in updates if c.json["type"] == 7]
        patches = fake.find("PATCH", rf"/channels/{w.general['id']}/messages/{msg['id']}", mark)
        assert 1 <= len(updates) + len(patches) < 6, "edits were coalesced"
        assert all(c.json["type"] in (6, 7) for c in fake.find("POST", CALLBACK, mark))
        assert text_of(fake.messages[int(msg["id"])]).endswith("6 votes")
    finally:
        await b.stop()


async def test_native_poll_with_a_vote_event(fake, world, bot):
    mark = fake.mark()
    await fake.slash(world.ann, world.general, "demo lunch")
    call = await fake.wait_for("POST", CALLBACK, since=mark)
    view_msg = fake.message_of(call)
    poll_call = await fake.wait_for("POST", rf"/webhooks/{fake.app_id}/[^/]+", since=mark)
    poll = poll_call.json["poll"]
    assert poll["question"]["text"] == "Lunch?" and poll["duration"] == 2
    assert [a["poll_media"]["text"] for a in poll["answers"]] == ["Pizza", "Sushi"]
    poll_msg = next(m for m in fake.messages.values() if m.get("poll"))
    mark = fake.mark()
    await fake.vote(world.bob, poll_msg, 2)
    patch = await fake.wait_for("PATCH", rf"/channels/\d+/messages/{view_msg['id']}", since=mark)
    assert "1 vote(s), last for Sushi" in text_of(patch.json)
    await fake.quiet(0.1)
    assert not fake.find("POST", r"/users/@me/channels", mark), "Discord shows the vote itself"
    mark = fake.mark()
    await fake.slash(world.ann, world.general, "demo close")
    await fake.wait_for("POST", rf"/channels/\d+/polls/{poll_msg['id']}/expire", since=mark)


async def test_anonymous_poll_is_buttons_not_a_native_poll(fake, world, bot):
    mark = fake.mark()
    await fake.slash(world.ann, world.general, "demo lunch", {"anonymous": True})
    call = await fake.wait_for("POST", CALLBACK, since=mark)
    await fake.quiet(0.1)
    assert not any(c.json and c.json.get("poll") for c in fake.calls[mark:])
    msg = fake.message_of(call)
    assert labels_of(msg) == ["1. Pizza", "2. Sushi"]
    mark = fake.mark()
    await fake.click(world.bob, msg, "2. Sushi")
    update = await fake.wait_for("POST", CALLBACK, since=mark)
    assert update.json["type"] == 7 and "last for Sushi" in text_of(callback_body(update))
    private = await fake.wait_for("POST", rf"/webhooks/{fake.app_id}/[^/]+", since=mark)
    assert private.json["flags"] & EPHEMERAL and private.json["content"] == "you chose Sushi"


async def test_scheduled_event_is_created_updated_and_cancelled(fake, world, bot):
    mark = fake.mark()
    await fake.slash(world.ann, world.general, "demo talk", {"title": "Rust"})
    created = await fake.wait_for(
        "POST", rf"/guilds/{world.guild['id']}/scheduled-events", since=mark
    )
    assert created.json["name"] == "Rust" and created.json["entity_type"] == 3
    assert created.json["entity_metadata"] == {"location": "Room 1"}
    assert created.json["scheduled_start_time"].startswith("2026-01-07T09:00:00")
    await fake.wait_for("POST", CALLBACK, since=mark)  # answered: the event's id is remembered
    (event_id,) = fake.events
    mark = fake.mark()
    await fake.slash(world.ann, world.general, "demo talk", {"title": "Rust 2"})
    edit = await fake.wait_for("PATCH", rf"/guilds/\d+/scheduled-events/{event_id}", since=mark)
    assert edit.json["name"] == "Rust 2"
    await fake.wait_for("POST", CALLBACK, since=mark)
    mark = fake.mark()
    await fake.slash(world.ann, world.general, "demo talk", {"title": "Rust 2", "cancel": True})
    cancel = await fake.wait_for("PATCH", rf"/guilds/\d+/scheduled-events/{event_id}", since=mark)
    assert cancel.json["status"] == 4
    assert len(fake.events) == 1, "one event, never a duplicate"


async def test_a_server_event_deleted_by_hand_is_made_again(fake, world, bot):
    await bot.slash(world.ann, world.general, "demo talk", {"title": "Rust"})
    fake.events.clear()  # a moderator deleted it in Discord
    mark = fake.mark()
    await bot.slash(world.ann, world.general, "demo talk", {"title": "Rust, again"})
    (made,) = fake.find("POST", rf"/guilds/{world.guild['id']}/scheduled-events", mark)
    assert made.json["name"] == "Rust, again" and len(fake.events) == 1


async def test_scheduled_event_without_permission_gives_a_clear_note(fake, db_url):
    from fakes.discord_server import BASIC_PERMISSIONS

    olga = fake.user("olga")
    guild = fake.add_guild("No events", owner=olga, bot_permissions=BASIC_PERMISSIONS)
    general = fake.add_channel(guild, "general")
    b = await BotUnderTest(fake, db_url, plugins=CORE, extra=[DemoPlugin()]).start()
    try:
        mark = fake.mark()
        await fake.slash(olga, general, "demo talk")
        call = await fake.wait_for("POST", CALLBACK, since=mark)
        assert "give me the Manage Events permission" in text_of(callback_body(call))
        assert not fake.find("POST", r"/guilds/\d+/scheduled-events", mark)
    finally:
        await b.stop()


async def test_signups_open_a_thread(fake, world, bot):
    mark = fake.mark()
    await fake.slash(world.ann, world.general, "demo signup")
    made = await fake.wait_for("POST", rf"/channels/{world.general['id']}/threads", since=mark)
    assert made.json["name"] == "Lightning @\u200beveryone talks" and made.json["type"] == 11
    thread = next(c for c in fake.channels.values() if c.get("parent_id") == world.general["id"])
    post = await fake.wait_for("POST", rf"/channels/{thread['id']}/messages", since=mark)
    assert "Signups" in text_of(post.json) and labels_of(post.json) == ["Sign up"]
    answer = await fake.wait_for("POST", CALLBACK, since=mark)
    assert callback_body(answer)["content"] == f"→ <#{thread['id']}>"
    assert callback_body(answer)["flags"] & EPHEMERAL


async def test_images_are_attachments(fake, world, bot):
    mark = fake.mark()
    await fake.slash(world.ann, world.general, "demo chart")
    call = await fake.wait_for("POST", CALLBACK, since=mark)
    assert [name for name, _png in call.files] == ["health_chart.png"]
    assert call.files[0][1].startswith(b"\x89PNG")
    embed = callback_body(call)["embeds"][0]
    assert embed["image"]["url"] == "attachment://health_chart.png"


async def test_timer_posts_in_the_room_and_sends_a_direct_message(fake, world, bot):
    await fake.slash(world.ann, world.general, "demo remind")
    await fake.wait_for("POST", CALLBACK)
    await bot.restart()  # the timer is a row in the database
    mark = fake.mark()
    assert await bot.advance(minutes=5) == 1
    post = await fake.wait_for("POST", rf"/channels/{world.general['id']}/messages", since=mark)
    assert post.json["content"] == "Time is up"
    dm = await fake.wait_for("POST", r"/users/@me/channels", since=mark)
    assert str(dm.json["recipient_id"]) == world.ann["id"]
    dm_post = fake.find("POST", r"/channels/\d+/messages", mark)[-1]
    assert dm_post.json["content"] == "Your reminder"
    await bot.restart()  # a button in a direct message knows its server from the database
    answer = await bot.press(world.ann, fake.message_of(dm_post), "Got it")
    assert callback_body(answer)["content"] == "acknowledged in Guild CoP"


async def test_voice_states_are_the_rooms_presence(fake, db_url):
    w = World(fake)
    voice = fake.add_channel(w.guild, "Lean coffee", voice=True)
    demo = DemoPlugin()
    b = await BotUnderTest(fake, db_url, plugins=CORE, extra=[demo]).start()
    try:
        for user in (w.olga, w.ann, w.bob):
            await fake.voice(w.guild, voice, user)
        await fake.voice(w.guild, None, w.bob)
        ids = sorted([w.olga["id"], w.ann["id"]])
        await until(lambda: demo.presence and demo.presence[-1] == (voice["id"], ids))
        mark = fake.mark()
        await fake.slash(w.ann, voice, "demo who")
        call = await fake.wait_for("POST", CALLBACK, since=mark)
        assert text_of(callback_body(call)) == f"present: {','.join(ids)}"
        await b.restart()  # who is in voice comes back with the guild
        mark = fake.mark()
        await fake.slash(w.ann, voice, "demo who")
        call = await fake.wait_for("POST", CALLBACK, since=mark)
        assert text_of(callback_body(call)) == f"present: {','.join(ids)}"
    finally:
        await b.stop()


async def until(predicate, timeout: float = 3.0) -> None:
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


def test_every_builtin_format_fits_discord():
    """The shipped formats map to slash commands with nothing left out (one group each)."""
    from copkit.adapters.discord.commands import plan_commands
    from copkit.core.plugins import DEFAULT_PLUGINS, build_registry, make_plugin_manager

    registry = build_registry(make_plugin_manager(DEFAULT_PLUGINS, entry_points_group=None))

    async def never(*args: Any) -> None:
        raise AssertionError

    plan = plan_commands(registry, never)
    assert plan.problems == []
    assert len(plan.by_name) == len(registry.commands), "every command is offered"
    tops = {root.name for root in plan.roots}
    assert "copkit" in tops
    for cmd in registry.commands.values():
        if cmd.format is not None:
            assert cmd.path[0] in tops, cmd.name
    assert all(len(getattr(root, "commands", [])) <= 25 for root in plan.roots)


# Start-up: what copkit asks of Discord -------------------------------------------------------


async def test_start_up_says_the_invite_link_and_missing_permissions(fake, db_url):
    from fakes.discord_server import BASIC_PERMISSIONS

    from copkit.adapters.discord.access import PERMISSIONS

    olga = fake.user("olga")
    fake.add_guild("Fine", owner=olga)
    fake.add_guild("Strict", owner=olga, bot_permissions=BASIC_PERMISSIONS)
    b = await BotUnderTest(fake, db_url, plugins=CORE).start()
    try:
        invite = next(line for line in b.said if "invite link" in line)
        assert f"client_id={fake.app_id}" in invite
        assert "scope=bot+applications.commands" in invite
        assert f"permissions={PERMISSIONS.value}" in invite
        lacks = [line for line in b.said if "I lack" in line]
        assert lacks == ["Discord: in “Strict” I lack: Send Polls, Create Events, Pin Messages"]
    finally:
        await b.stop()


async def test_privileged_intent_only_when_asked_and_refusal_is_clear(fake, db_url):
    from copkit.adapters.discord.settings import DiscordSettings
    from copkit.core.errors import StartupError

    World(fake)
    settings = DiscordSettings(token="t", members_intent=True)
    b = BotUnderTest(fake, db_url, plugins=CORE, settings=settings)
    try:
        with pytest.raises(StartupError, match="Server Members intent"):
            await b.start()
    finally:
        await b.stop()
    fake.privileged_allowed = 1 << 1  # the operator ticks it in the Developer Portal
    b = await BotUnderTest(fake, db_url, plugins=CORE, settings=settings).start()
    try:
        assert fake.identified[-1]["intents"] & (1 << 1)
    finally:
        await b.stop()


def test_docs_list_what_the_code_asks_for():
    from pathlib import Path

    from copkit.adapters.discord.access import NEEDS, PERMISSIONS, SCOPES

    doc = (Path(__file__).parent.parent / "docs" / "discord.md").read_text(encoding="utf-8")
    assert str(PERMISSIONS.value) in doc
    for name in NEEDS:
        assert name.replace("_", " ").title() in doc, name
    for scope in SCOPES:
        assert f"`{scope}`" in doc
    for intent in ("Server Members", "Message Content", "Presence"):
        assert intent in doc
    assert "DISCORD_TOKEN" in doc and "copkit run" in doc and "--shard-count" in doc


async def test_a_private_form_is_prefilled_for_its_owner_only(fake, world, bot):
    cards = {}
    for who in (world.ann, world.bob):  # both cards exist before anyone opens the form
        call = await bot.slash(who, world.general, "demo note")
        assert callback_body(call)["flags"] & EPHEMERAL
        cards[who["id"]] = fake.message_of(call)
    for who in (world.ann, world.bob):
        opened = await bot.press(who, cards[who["id"]], "Edit note")
        assert opened.json["type"] == 9
        (row,) = opened.json["data"]["components"]
        assert row["components"][0]["value"] == who["id"], "never someone else's text"


async def test_a_form_whose_message_is_unknown_is_refused_politely(fake, world, bot):
    from copkit.core.models import ShownView

    call = await bot.slash(world.ann, world.general, "demo board", {"topic": "x"})
    board = fake.message_of(call)
    await ShownView.filter(key__startswith="discord:form:").delete()
    answer = await bot.press(world.bob, board, "Add")
    assert answer.json["type"] == 4 and callback_body(answer)["flags"] & EPHEMERAL
    assert "That form is not available" in callback_body(answer)["content"]


async def test_a_channel_copkit_may_not_post_in_is_named_privately(fake, world, db_url):
    async def slow(ctx: Context, args: dict[str, Any]) -> None:
        import asyncio

        await asyncio.sleep(0.3)  # deferred: the public answer becomes a channel post
        await ctx.reply("public result")

    class Slow:
        @hookimpl
        def copkit_register_commands(self) -> list[Command]:
            return [Command(("slow",), "Slow.", slow)]

    fake.fail[("POST", rf"/channels/{world.general['id']}/messages")] = (
        403,
        {"message": "Missing Permissions", "code": 50013},
    )
    b = await BotUnderTest(fake, db_url, plugins=CORE, extra=[Slow()], ack_after=0.1).start()
    try:
        mark = fake.mark()
        await fake.slash(world.ann, world.general, "copkit slow")
        edit = await fake.wait_for(
            "PATCH", rf"/webhooks/{fake.app_id}/[^/]+/messages/@original", since=mark
        )
        assert edit.json["content"] == (
            f"I'm not allowed to post in <#{world.general['id']}>: give me View Channel, "
            "Send Messages and Embed Links there."
        )
    finally:
        await b.stop()


async def test_private_answer_to_a_mention_goes_by_dm_or_says_how(fake, world, bot):
    mark = fake.mark()
    await fake.say(world.ann, world.general, f"<@{fake.bot['id']}> demo secret")
    dm = await fake.wait_for("POST", r"/users/@me/channels", since=mark)
    assert str(dm.json["recipient_id"]) == world.ann["id"]
    await bot.settle()
    assert "Only the leader or core team" in text_of(fake.posted(mark)[-1])
    fake.fail[("POST", r"/users/@me/channels")] = (
        403,
        {"message": "Cannot send messages to this user", "code": 50007},
    )
    mark = fake.mark()
    await fake.say(world.bob, world.general, f"<@{fake.bot['id']}> demo secret")
    reply = await fake.wait_for("POST", rf"/channels/{world.general['id']}/messages", since=mark)
    assert "I can't send you a private message" in reply.json["content"]
    assert reply.json["message_reference"]["message_id"]


async def test_forms_of_old_messages_are_forgotten_at_start_up(fake, world, bot):
    from datetime import timedelta

    from copkit.core.models import ShownView

    call = await bot.slash(world.ann, world.general, "demo board", {"topic": "x"})
    board = fake.message_of(call)
    forms = ShownView.filter(key__startswith="discord:form:")
    assert await forms.count() == 1
    await bot.restart()
    assert await forms.count() == 1, "a recent form is kept"
    old = bot.clock.now() - timedelta(days=91)
    await ShownView.filter(key__startswith="discord:form:").update(created_at=old)
    await bot.restart()
    assert await forms.count() == 0
    answer = await bot.press(world.bob, board, "Add")
    assert "That form is not available" in callback_body(answer)["content"]


async def test_per_message_maps_are_bounded(fake, world, db_url, monkeypatch):
    from copkit.adapters.discord import messenger as discord_messenger

    monkeypatch.setattr(discord_messenger, "MESSAGES_KEPT", 2, raising=False)
    b = await BotUnderTest(fake, db_url, plugins=CORE, extra=[DemoPlugin()]).start()
    try:
        for _ in range(4):
            mark = fake.mark()
            await fake.slash(world.ann, world.general, "copkit help")
            await fake.wait_for("POST", r"/interactions/\d+/[^/]+/callback", since=mark)
            await b.settle()
        assert len(b.adapter.messenger._images) <= 2
    finally:
        await b.stop()


async def test_a_network_error_reaching_discord_is_a_platform_error_not_a_database_outage(
    fake, world, bot, monkeypatch
):
    import socket

    import discord.http

    from copkit.core.dberrors import is_unavailable
    from copkit.core.errors import PlatformError
    from copkit.core.events import CommunityRef
    from copkit.core.views import ToRoom, View

    state = await bot.runtime.community(CommunityRef("discord", world.guild["id"], "Guild CoP"))
    channel = world.general["id"]
    ref = await bot.adapter.messenger.send(
        state.row, channel, ToRoom(channel), View(text="hi"), None
    )
    with socket.socket() as s:  # a port nobody listens on: Discord is unreachable
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{closed}/api/v10")
    for attempt in (
        bot.adapter.messenger.send(state.row, channel, ToRoom(channel), View(text="x"), None),
        bot.adapter.messenger.edit(state.row, ref, View(text="y")),
    ):
        with pytest.raises(PlatformError) as failed:
            await attempt
        assert not is_unavailable(failed.value), "not mistaken for the database being down"
        assert "Discord: could not" in str(failed.value)


async def test_readiness_follows_the_discord_gateway(fake, world, bot):
    assert await bot.runtime.health.failing() == []
    await bot.adapter.close()
    assert await bot.runtime.health.failing() == ["discord"]
