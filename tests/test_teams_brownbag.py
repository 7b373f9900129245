"""A brown bag in a Teams channel, over real HTTP against the fake Bot Connector: the speaker is
@-mentioned (and told privately, though they never wrote to copkit), RSVPs through
Action.Execute, and the reminders reach people's personal chats after a restart."""

from __future__ import annotations

from datetime import UTC, datetime

from fakes.bot_connector import CHANNEL, TENANT, action, actions_of, card_text
from fakes.teams_env import ALICE, BOB, CAROL, OWNER, TeamsEnv

from copkit.core.models import ShownView
from copkit.plugins.brownbag.models import Rsvp, Session

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.brownbag")


def texts_to(env: TeamsEnv, who: dict, since: int = 0) -> list[str]:
    """What reached ``who``'s personal chat with copkit (after call number ``since``)."""
    conv = f"a:1on1-{who['id']}"
    return [
        env.connector.texts(c)
        for c in env.connector.calls[since:]
        if c.kind in ("send", "reply") and c.conversation == conv
    ]


async def test_brown_bag_in_a_channel(env: TeamsEnv):
    await env.post(env.a.mention(OWNER, "timezone Europe/Paris"))
    await env.post(
        env.a.mention(
            OWNER,
            'brownbag schedule "Property testing" --speaker {0} --at "2026-01-08 12:30"',
            mentions=[BOB],
        )
    )
    s = await Session.get()
    assert s.speaker_id == BOB["id"] and s.starts_at == datetime(2026, 1, 8, 11, 30, tzinfo=UTC)
    # Bob never wrote to copkit: his personal chat is created from the team's reference
    create = [
        c for c in env.connector.of_kind("create") if c.body["members"] == [{"id": BOB["id"]}]
    ]
    assert create and create[0].body["channelData"]["tenant"]["id"] == TENANT
    assert any("You're speaking at a brown bag" in t for t in texts_to(env, BOB))

    card_id = (await ShownView.get(key=f"brownbag:session:{s.id}")).ref["message_id"]
    card = env.connector.messages[card_id].card
    text = card_text({"attachments": [{"content": card}]})
    assert "Brown bag #1: Property testing" in text
    assert "{{DATE(2026-01-08T11:30:00Z, SHORT)}}" in text  # each reader's own time zone

    # RSVPs through Action.Execute: the card's counts change in place, for everyone
    for who, label in ((ALICE, "Going (0)"), (CAROL, "Maybe (0)")):
        act = action(env.connector.messages[card_id].card, label)
        status, answer = await env.post(env.a.execute(who, card_id, act["data"]))
        assert status == 200 and answer["statusCode"] == 200
    card = env.connector.messages[card_id].card
    assert [a["title"] for a in actions_of(card)][:3] == ["Going (1)", "Maybe (1)", "Not going (0)"]
    assert await Rsvp.filter(session_id=s.id).count() == 2

    # a restart, then the day before: the speaker and those going hear from copkit privately
    await env.restart()
    mark = len(env.connector.calls)
    env.clock.advance(datetime(2026, 1, 7, 11, 31, tzinfo=UTC) - env.clock.now())
    await env.run_timers(seconds=0)
    assert any("You are speaking tomorrow" in t for t in texts_to(env, BOB, mark))
    assert any("starts tomorrow" in t for t in texts_to(env, ALICE, mark))
    assert texts_to(env, CAROL, mark) == []  # "maybe" gets no reminder
    # nothing private went to the channel
    channel = [c for c in env.connector.calls[mark:] if c.conversation.startswith(CHANNEL)]
    assert not any("speaking tomorrow" in env.connector.texts(c) for c in channel)
