"""The Teams adapter over real HTTP: activities in, Bot Connector calls out (fake, on loopback)."""

from __future__ import annotations

import pytest
from fakes.bot_connector import BOT_ID, CHANNEL, OUTBOUND_TOKEN, TEAM, TENANT
from fakes.teams_env import ALICE, BOB, CAROL, OWNER, TeamsEnv
from fakes.teams_plugin import TOPICS, TeamsDemo

from copkit.core.models import Community, Membership, Room
from copkit.core.roles import Role

PLUGINS = ("copkit.plugins.core_commands",)


@pytest.fixture
async def env(db_url):
    TOPICS.clear()
    async with TeamsEnv(db_url, plugins=PLUGINS, extra=[TeamsDemo()]) as e:
        yield e


async def test_command_with_mention_replies_in_the_thread(env: TeamsEnv):
    activity = env.a.mention(ALICE, "tdemo who {0}", mentions=[BOB])
    status, _ = await env.post(activity)
    assert status == 200
    reply = env.connector.posts()[-1]
    assert reply.conversation == activity["conversation"]["id"]  # the post's thread
    assert reply.auth == f"Bearer {OUTBOUND_TOKEN}"
    assert f"that is Bob ({BOB['id']})" in env.connector.texts(reply)
    community = await Community.get(platform="teams", external_id=f"{TENANT}/{TEAM}")
    assert community.name == "Engineering"
    room = await Room.get(community=community, external_id=CHANNEL)
    assert room.data["serviceUrl"] == env.connector.url
    assert room.data["conversation"]["id"] == CHANNEL
    assert room.data["bot"]["id"] == BOT_ID


async def test_team_owner_becomes_leader_and_other_owners_core(env: TeamsEnv):
    env.connector.rosters[TEAM].append({**CAROL, "userRole": "owner"})
    env.connector.rosters[TEAM] = [
        m
        for m in env.connector.rosters[TEAM]
        if m["id"] != CAROL["id"] or m.get("userRole") == "owner"
    ]
    await env.post(env.a.mention(ALICE, "tdemo whoami"))
    assert "Alice Smith is member" in env.connector.texts(env.connector.posts()[-1])
    community = await Community.get(platform="teams", external_id=f"{TENANT}/{TEAM}")
    leader = await Membership.get(community=community, role=Role.LEADER)
    assert leader.person_id == OWNER["id"]
    await env.post(env.a.mention(CAROL, "tdemo whoami"))
    assert "Carol is core" in env.connector.texts(env.connector.posts()[-1])
    await env.post(env.a.mention(OWNER, "roles core add {0}", mentions=[BOB]))
    assert "Bob is now core team" in env.connector.texts(env.connector.posts()[-1])
    await env.post(env.a.mention(BOB, "tdemo whoami"))
    assert "Bob is core" in env.connector.texts(env.connector.posts()[-1])
