"""The Bot Connector is reached over one kept HTTP session on both SDK backends: the calls of
many turns (sends, replies, card updates, member lookups, 1:1 chats) share one TCP connection,
with the bot's token on each (botbuilder's own client opened a new connection in a thread for
every call, and made a new client for every turn)."""

from __future__ import annotations

from fakes.bot_connector import OUTBOUND_TOKEN, TEAM
from fakes.teams_env import ALICE, BOB, OWNER, TeamsEnv

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.leancoffee")


async def test_turns_reuse_one_connection_to_the_bot_connector(env: TeamsEnv):
    env.connector.rosters[TEAM] = [{**OWNER, "userRole": "owner"}]
    await env.post(env.a.mention(OWNER, "leancoffee start --title Reuse"))
    await env.post(env.a.mention(ALICE, "leancoffee propose Alpha"))
    await env.post(env.a.mention(BOB, "leancoffee propose Beta"))
    await env.post(env.a.mention(OWNER, "leancoffee voting open"))
    await env.post(env.a.mention(ALICE, "leancoffee vote 1"))
    await env.post(env.a.personal(BOB, "help"))
    calls = env.connector.calls
    assert len(calls) >= 6 and {"send", "update", "members"} <= {c.kind for c in calls}, [
        c.kind for c in calls
    ]
    assert {c.auth for c in calls} == {f"Bearer {OUTBOUND_TOKEN}"}
    peers = {c.peer for c in calls}
    assert len(peers) == 1, f"{len(peers)} connections for {len(calls)} calls"
