"""Announcements on Teams, over real HTTP against the fake Bot Connector: the leader names the
channel, an event is announced there by a new post (after a restart too, once), a channel
that refuses copkit gets one note to the leader's personal chat, and ``invite`` is an
Adaptive Card with no actions (it reads the same once forwarded)."""

from __future__ import annotations

from fakes.bot_connector import CHANNEL, actions_of, card_text
from fakes.teams_env import BOB, OWNER, TeamsEnv

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.brownbag", "copkit.plugins.announce")


def channel_posts(env: TeamsEnv, since: int = 0) -> list[str]:
    return [
        env.connector.texts(c)
        for c in env.connector.calls[since:]
        if c.kind in ("send", "create", "reply") and CHANNEL in (c.conversation or "")
    ]


async def setup(env: TeamsEnv) -> None:
    await env.post(env.a.mention(OWNER, "timezone Europe/Paris"))
    await env.post(env.a.mention(OWNER, "announce channel here"))
    await env.post(
        env.a.mention(
            OWNER,
            'brownbag schedule "Property testing" --speaker {0} --at "2026-01-08 12:30"',
            mentions=[BOB],
        )
    )


async def test_events_are_announced_in_the_channel_once(env: TeamsEnv):
    await setup(env)
    mark = len(env.connector.calls)
    await env.restart()
    await env.run_timers(minutes=5)
    posted = [t for t in channel_posts(env, mark) if "New event" in t]
    assert len(posted) == 1 and "Brown bag: Property testing" in posted[0]
    await env.run_timers(minutes=30)
    assert len([t for t in channel_posts(env, mark) if "New event" in t]) == 1


async def test_a_refusing_channel_is_told_to_the_leader_once(env: TeamsEnv):
    await setup(env)
    env.connector.fail["send"] = 403
    mark = len(env.connector.calls)
    await env.run_timers(minutes=5)
    await env.run_timers(minutes=30)
    leader = f"a:1on1-{OWNER['id']}"
    notes = [
        env.connector.texts(c)
        for c in env.connector.calls[mark:]
        if c.conversation == leader and "Announcements are stopped" in env.connector.texts(c)
    ]
    assert len(notes) == 1, [c.kind for c in env.connector.calls[mark:]]
    assert len([t for t in channel_posts(env, mark) if "New event" in t]) == 1  # refused once


async def test_invite_is_a_card_that_can_be_forwarded(env: TeamsEnv):
    await setup(env)
    mark = len(env.connector.calls)
    await env.post(env.a.mention(BOB, "invite"))
    [call] = [c for c in env.connector.calls[mark:] if "Join" in env.connector.texts(c)]
    card = call.body["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard"
    assert "Brown bag: Property testing" in card_text(call.body)
    assert actions_of(card) == [] and "refresh" not in card
