"""The retro in a Teams channel, over real HTTP against the fake Bot Connector (Adaptive
Cards): an earlier retro's action reviewed on the board card (carried, then refused when
pressed again), private writing through the card's form (the answer on the writer's copy
only), a restart, the reveal, a merge, dots by the card's buttons, the minutes."""

from __future__ import annotations

from fakes.bot_connector import CHANNEL, action, card_text
from fakes.teams_env import ALICE, BOB, OWNER, TeamsEnv

from copkit.core.actions_models import ActionReview
from copkit.core.facilitation.models import Dot
from copkit.core.models import ShownView
from copkit.plugins.reflect.retro_models import Retro

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.reflect")


def text(card: dict | str) -> str:
    if isinstance(card, str):
        return card
    return card_text({"attachments": [{"content": card}]})


async def board_id(r: Retro) -> str:
    return (await ShownView.get(key=f"retro:board:{r.id}")).ref["message_id"]


def board(env: TeamsEnv, message_id: str) -> dict:
    return env.connector.messages[message_id].card


async def press(env: TeamsEnv, who: dict, message_id: str, label: str, **inputs) -> str:
    act = action(board(env, message_id), label)
    status, answer = await env.post(env.a.execute(who, message_id, act["data"], inputs=inputs))
    assert status == 200, answer
    return text(answer.get("value") or "")


async def say(env: TeamsEnv, who: dict, line: str) -> None:
    status, _ = await env.post(env.a.mention(who, line))
    assert status == 200


async def test_retro_in_a_channel(env: TeamsEnv):
    # an earlier retro agreed an action
    await say(env, OWNER, "retro start")
    await say(env, OWNER, "retro action Write the onboarding page --owner Bob --due 7d")
    await say(env, OWNER, "retro end")

    await say(env, OWNER, "retro start --prompts msg --dots 1")
    r = await Retro.get(status="running")
    assert r.room_id == CHANNEL
    bid = await board_id(r)
    assert "Write the onboarding page" in text(board(env, bid))
    await press(env, OWNER, bid, "Carry 1")
    assert "carried ↪" in text(board(env, bid))
    assert await ActionReview.filter(verdict="carried").count() == 1

    await press(env, OWNER, bid, "Start writing")
    answer = await press(env, ALICE, bid, "Send", mad="Flaky builds", glad="Kind reviews")
    assert "only you see them" in answer
    await say(env, BOB, "retro note mad builds that flake")
    assert "3 notes" in text(board(env, bid))
    for call in env.connector.calls:
        if call.conversation == CHANNEL and "Flaky builds" in env.connector.texts(call):
            raise AssertionError("a note reached the channel before the reveal")

    await env.restart()
    assert "Only" in await press(env, ALICE, bid, "Reveal")
    await press(env, OWNER, bid, "Reveal")
    assert "Flaky builds" in text(board(env, bid))
    await say(env, OWNER, "retro merge 3 1")
    assert "Alice Smith, Bob" in text(board(env, bid))
    await press(env, OWNER, bid, "Dot vote")
    assert "Dot on #1" in await press(env, ALICE, bid, "● #1")
    assert "used your 1 dot" in await press(env, ALICE, bid, "● #2")
    assert await Dot.all().count() == 1
    await press(env, OWNER, bid, "Close the vote")
    await press(env, OWNER, bid, "End the retro")
    minutes = [c for c in env.connector.calls if "Retro minutes" in env.connector.texts(c)]
    assert minutes and all(c.conversation.startswith(CHANNEL) for c in minutes)
    assert "Write the onboarding page" in env.connector.texts(minutes[-1])
