"""The vision workshop in a Teams channel, over real HTTP against the fake Bot Connector
(Adaptive Cards): private writing through the board card's form (the answer is on the
writer's copy of the card only), a restart, the reveal, a merge, the name vote through the
card's choice set, and the leader who accepts on the card."""

from __future__ import annotations

from fakes.bot_connector import CHANNEL, action, actions_of, card_text
from fakes.teams_env import ALICE, BOB, CAROL, OWNER, TeamsEnv

from copkit.core.models import Membership, ShownView
from copkit.plugins.workshop.models import Workshop

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.workshop")


def text(card: dict | str) -> str:
    if isinstance(card, str):
        return card
    return card_text({"attachments": [{"content": card}]})


async def board_id(w: Workshop) -> str:
    return (await ShownView.get(key=f"workshop:board:{w.id}")).ref["message_id"]


def board(env: TeamsEnv, message_id: str) -> dict:
    return env.connector.messages[message_id].card


async def press(env: TeamsEnv, who: dict, message_id: str, label: str, **inputs) -> str:
    act = action(board(env, message_id), label)
    status, answer = await env.post(env.a.execute(who, message_id, act["data"], inputs=inputs))
    assert status == 200, answer
    return text(answer.get("value") or "")


async def pick(env: TeamsEnv, who: dict, message_id: str, label: str) -> str:
    """Pick ``label`` in the board's choice: a button per option when there are few (as
    Teams renders a short choice), else the choice set and its OK."""
    card = board(env, message_id)
    acts = actions_of(card)
    if any(a.get("title") == label for a in acts):
        return await press(env, who, message_id, label)
    ok = next(a for a in acts if a["title"] == "OK")
    field = ok["data"]["_sel"]
    choices = [
        c
        for node in _walk(card)
        if node.get("type") == "Input.ChoiceSet"
        for c in node.get("choices") or []
        if c.get("title") == label
    ]
    status, answer = await env.post(
        env.a.execute(who, message_id, ok["data"], inputs={field: choices[0]["value"]})
    )
    assert status == 200
    return text(answer.get("value") or "")


def _walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


async def test_workshop_in_a_channel(env: TeamsEnv):
    status, _ = await env.post(env.a.mention(OWNER, "workshop start --dots 2"))
    assert status == 200
    w = await Workshop.get()
    assert w.room_id == CHANNEL
    bid = await board_id(w)
    assert "Vision workshop · 1/7 Vision and importance" in text(board(env, bid))

    # a private note through the card's form: the answer is only on Alice's copy
    answer = await press(
        env, ALICE, bid, "Send", vision="Learn testing together", importance="Incidents repeat"
    )
    assert "only you see them" in answer
    assert "Incidents repeat" not in text(board(env, bid))
    await env.post(env.a.mention(BOB, "workshop note learn testing together"))
    assert "3 notes from 2 people" in text(board(env, bid))
    for call in env.connector.calls:
        if call.conversation == CHANNEL and "Incidents repeat" in env.connector.texts(call):
            raise AssertionError("a note reached the channel before the reveal")

    # a restart; the facilitator reveals on the card and merges by command
    await env.restart()
    assert "Only" in await press(env, ALICE, bid, "Reveal")
    await press(env, OWNER, bid, "Reveal")
    assert "Incidents repeat" in text(board(env, bid))
    await env.post(env.a.mention(OWNER, "workshop merge 3 1"))
    assert "Alice Smith, Bob" in text(board(env, bid))

    # the name vote through the choice set, two thumbs each but never both on one name
    for _ in range(5):
        await env.post(env.a.mention(OWNER, "workshop skip"))
    await env.post(env.a.mention(ALICE, "workshop propose Craft Guild"))
    await env.post(env.a.mention(CAROL, "workshop propose Test Pilots"))
    await press(env, OWNER, bid, "Open the vote")
    assert "👍 for “Craft Guild”" in await pick(env, ALICE, bid, "1. Craft Guild")
    assert "only 1 vote" in await pick(env, ALICE, bid, "1. Craft Guild")
    await pick(env, BOB, bid, "1. Craft Guild")
    await pick(env, CAROL, bid, "2. Test Pilots")
    await press(env, OWNER, bid, "Close the vote")
    assert (await Workshop.get(id=w.id)).name == "Craft Guild"

    # the leader: Bob nominated and elected; the leader changes when he accepts
    await env.post(env.a.mention(ALICE, "workshop nominate Bob"))
    await press(env, OWNER, bid, "Open the vote")
    await pick(env, ALICE, bid, "1. Bob")
    await press(env, OWNER, bid, "Close the vote")
    assert (await Membership.get(role=2)).person_id != BOB["id"]
    assert "Only the person elected" in await press(env, CAROL, bid, "Accept")
    await press(env, BOB, bid, "Accept")
    assert (await Membership.get(role=2)).person_id == BOB["id"]
    summary = [
        c for c in env.connector.calls if "Our community: Craft Guild" in env.connector.texts(c)
    ]
    assert summary, [env.connector.texts(c)[:80] for c in env.connector.calls[-8:]]
    assert all(c.conversation.startswith(CHANNEL) for c in summary)
    assert "The workshop is over" in text(board(env, bid))
