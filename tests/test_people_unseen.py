"""Issue 17 item 7: people copkit has not seen can be named: Discord and Teams look them up on
the platform (a guild member, the team's roster), the console takes any name."""

from __future__ import annotations

import asyncio

from fakes.discord_bot import BotUnderTest
from fakes.discord_server import FakeDiscord
from fakes.teams_env import CAROL, OWNER, TeamsEnv

from copkit.adapters.console import ConsoleSession
from copkit.core.clock import FakeClock
from copkit.core.events import Person
from copkit.core.models import Membership
from copkit.core.roles import Role
from copkit.testing import Harness

PLUGINS = ("copkit.plugins.core_commands",)


async def test_the_platform_directory_is_asked_and_remembered(db_url):
    async with Harness(db_url, plugins=list(PLUGINS)) as h:
        [answer] = await h.say("leader", "roles core add @zed")
        assert "I don't know zed yet: mention them" in answer.view.text
        h.messenger.directory["u-zed"] = Person("u-zed", "Zed")
        [answer] = await h.say("leader", "roles core add @Zed")
        assert answer.view.text == "Zed is now core team."
        row = await Membership.get(person_id="u-zed")
        assert (row.name, row.role) == ("Zed", Role.CORE)


async def test_the_console_accepts_anyone(db_url):
    lines: list[str] = []
    session = ConsoleSession(db_url, clock=FakeClock(), out=lines.append, plugins=list(PLUGINS))
    await session.start()
    try:
        await session.run_script(["roles core add @bob", "roles"])
    finally:
        await session.stop()
    text = "\n".join(lines)
    assert "bob is now core team." in text and "Core team: bob" in text


async def test_discord_looks_members_up(fake: FakeDiscord, db_url: str):
    olga, ann = fake.user("olga"), fake.user("ann")
    guild = fake.add_guild("CoP", owner=olga, members=[ann])
    general = fake.add_channel(guild, "general")
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    try:
        zed = fake.user("zed")
        fake._add_member(guild, zed)  # joined after the bot's cache was filled
        mark = fake.mark()
        await fake.say(olga, general, f"<@{fake.bot['id']}> roles core add <@{zed['id']}>")
        for _ in range(100):
            if await Membership.filter(person_id=zed["id"], role=Role.CORE).exists():
                break
            await asyncio.sleep(0.05)
        assert fake.find("GET", rf"/guilds/{guild['id']}/members/{zed['id']}", mark)
        assert await Membership.filter(person_id=zed["id"], role=Role.CORE).exists()
        # By name, among the members the bot sees (ann never used copkit).
        await fake.say(olga, general, f"<@{fake.bot['id']}> roles core add ann")
        for _ in range(100):
            if await Membership.filter(person_id=ann["id"], role=Role.CORE).exists():
                break
            await asyncio.sleep(0.05)
        assert await Membership.filter(person_id=ann["id"], role=Role.CORE).exists()
        assert fake.member_queries and fake.member_queries[-1]["query"] == "ann"
    finally:
        await bot.stop()


async def test_teams_looks_people_up_in_the_roster(env: TeamsEnv):
    await env.post(env.a.mention(OWNER, "roles core add Carol"))
    row = await Membership.get(person_id=CAROL["id"])
    assert row.role == Role.CORE and row.name == "Carol"
    shown = [env.connector.texts(c) for c in env.connector.calls if c.kind in ("send", "reply")]
    assert any("Carol is now core team." in t for t in shown)
