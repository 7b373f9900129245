"""A member's private health-check card stays theirs on Teams, over real HTTP against the fake
Bot Connector (issue 12 #1, #2, #9):

- an automatic-refresh invoke naming someone else's card gets nothing of it (the card cache is
  keyed by conversation and person);
- ``copkit_delivery`` keeps no private answer and no key naming a conversation or a person, and
  old rows go on a time basis;
- the signed note on a private card's actions holds for that action only, expires, and is refused
  to someone no longer in the team.
"""

from __future__ import annotations

import copy
from datetime import timedelta

from fakes.bot_connector import TEAM, action, actions_of
from fakes.teams_env import ALICE, BOB, OWNER, TeamsEnv
from test_teams_healthcheck import answer_everything, personal, text

from copkit.core.models import Delivery, ShownView
from copkit.plugins.healthcheck.models import Round

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.healthcheck")


async def _round_with_alice(env: TeamsEnv) -> tuple[str, str]:
    """A short round in the channel; Alice answers it. The announcement's and Alice's private
    card's message ids."""
    for n in range(11, 4, -1):  # four dimensions
        await env.post(env.a.mention(OWNER, f"healthcheck deck retire {n}"))
    await env.post(env.a.mention(OWNER, "healthcheck start"))
    r = await Round.get()
    announcement = (await ShownView.get(key=f"healthcheck:round:{r.id}")).ref["message_id"]
    card = await answer_everything(env, ALICE, announcement)
    return announcement, card


def _refresh(env: TeamsEnv, who: dict, card_id: str, *, personal: bool = True) -> dict:
    activity = env.a.execute(who, card_id, {"copkit": ""}, personal=personal)
    activity["value"] = {"action": {"type": "Action.Execute", "verb": ""}, "trigger": "automatic"}
    return activity


async def test_a_refresh_never_returns_someone_elses_private_card(env: TeamsEnv):
    _announcement, alice_card = await _round_with_alice(env)
    assert "Thank you!" in text(env.connector.messages[alice_card].card)

    # Bob names the id of Alice's card from his own 1:1 chat, and from the channel
    for where in (True, False):
        status, answer = await env.post(_refresh(env, BOB, alice_card, personal=where))
        assert status == 200
        assert answer["type"] != "application/vnd.microsoft.card.adaptive", answer
        assert "Thank you" not in str(answer) and "Your answer" not in str(answer)
    # ids are timestamps: guessing around it gives nothing either
    for delta in range(-20, 21):
        status, answer = await env.post(_refresh(env, BOB, str(int(alice_card) + delta)))
        assert status == 200 and "Only you see this" not in str(answer)
        assert "Thank you" not in str(answer)

    # Alice herself, in her own chat, gets her card back
    status, answer = await env.post(_refresh(env, ALICE, alice_card))
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Thank you!" in text(answer["value"])
    # ... but not when she asks from another conversation (the card is not there)
    status, answer = await env.post(_refresh(env, ALICE, alice_card, personal=False))
    assert answer["type"] != "application/vnd.microsoft.card.adaptive"


async def test_deliveries_keep_no_private_answer_and_no_conversation(env: TeamsEnv):
    await _round_with_alice(env)
    rows = await Delivery.all()
    assert len(rows) > 5
    people = [ALICE["id"], ALICE["aadObjectId"], personal(ALICE), "1on1", TEAM, "19:"]
    for row in rows:
        assert not any(p in row.key for p in people), row.key
        body = str(row.body)
        for secret in ("Your answer", "Only you see this", "Thank you", ALICE["id"], "Green"):
            assert secret not in body, (row.key, body[:200])


async def test_a_redelivered_private_click_gets_a_neutral_answer(env: TeamsEnv):
    for n in range(11, 4, -1):
        await env.post(env.a.mention(OWNER, f"healthcheck deck retire {n}"))
    await env.post(env.a.mention(OWNER, "healthcheck start"))
    r = await Round.get()
    announcement = (await ShownView.get(key=f"healthcheck:round:{r.id}")).ref["message_id"]
    act = action(env.connector.messages[announcement].card, "Take the health check")
    await env.post(env.a.execute(ALICE, announcement, act["data"]))
    (card_id,) = [i for i, m in env.connector.messages.items() if m.conversation == personal(ALICE)]
    click = env.a.execute(
        ALICE,
        card_id,
        action(env.connector.messages[card_id].card, "🟢 Green")["data"],
        personal=True,
    )
    status, first = await env.post(click)
    assert status == 200 and "Your answer" in text(first["value"])
    updates = len(env.connector.of_kind("update"))
    for restart in (False, True):  # the same process, then another one (from the database)
        if restart:
            await env.restart()
        status, again = await env.post(click)
        assert status == 200
        assert "Your answer" not in str(again) and "Green" not in str(again)
        assert len(env.connector.of_kind("update")) == updates  # handled once


async def test_old_deliveries_are_purged_on_a_time_basis(env: TeamsEnv):
    rt = env.rt
    await rt.remember_answer("teams", "first", 200, None)
    env.clock.advance(timedelta(hours=25))
    for n in range(3):  # the 2nd, 3rd, 4th delivery of this process
        await rt.remember_answer("teams", f"later-{n}", 200, None)
    keys = sorted(row.key for row in await Delivery.all())
    assert keys == ["later-0", "later-1", "later-2"]


# The signed note on private cards -------------------------------------------------------------------


async def _alice_private_card(env: TeamsEnv) -> tuple[str, dict]:
    """Alice opens the health check: her private card and the data of its first colour."""
    for n in range(11, 4, -1):
        await env.post(env.a.mention(OWNER, f"healthcheck deck retire {n}"))
    await env.post(env.a.mention(OWNER, "healthcheck start"))
    r = await Round.get()
    announcement = (await ShownView.get(key=f"healthcheck:round:{r.id}")).ref["message_id"]
    act = action(env.connector.messages[announcement].card, "Take the health check")
    await env.post(env.a.execute(ALICE, announcement, act["data"]))
    (card_id,) = [i for i, m in env.connector.messages.items() if m.conversation == personal(ALICE)]
    return card_id, action(env.connector.messages[card_id].card, "🟢 Green")["data"]


async def _press(env: TeamsEnv, who: dict, card_id: str, data: dict) -> str:
    status, answer = await env.post(env.a.execute(who, card_id, data, personal=True))
    assert status == 200, answer
    return text(answer["value"])


async def test_a_note_holds_for_its_own_action_only(env: TeamsEnv):
    card_id, green = await _alice_private_card(env)
    others = [a["data"] for a in actions_of(env.connector.messages[card_id].card) if "data" in a]
    skip = next(d for d in others if d["copkit"].startswith("healthcheck:card:"))
    note = {k: skip[k] for k in ("c", "r", "u", "e", "s") if k in skip}
    moved = {**copy.deepcopy(green), **note}
    assert await _press(env, ALICE, card_id, moved) == "That button no longer works."
    # a note from before notes carried an action and an expiry
    old = {k: v for k, v in green.items() if k != "e"}
    assert await _press(env, ALICE, card_id, old) == "That button no longer works."
    assert "Your answer" not in text(env.connector.messages[card_id].card)
    # the note as copkit made it still works
    assert "Your answer" in await _press(env, ALICE, card_id, green)


async def test_a_note_expires(env: TeamsEnv):
    card_id, green = await _alice_private_card(env)
    env.clock.advance(timedelta(days=15))
    said = await _press(env, ALICE, card_id, green)
    assert said == "This card has expired: ask for a new one."
    assert "Your answer" not in text(env.connector.messages[card_id].card)


async def test_a_member_removed_from_the_team_cannot_use_their_card(env: TeamsEnv):
    card_id, green = await _alice_private_card(env)
    env.connector.rosters[TEAM] = [m for m in env.connector.rosters[TEAM] if m["id"] != ALICE["id"]]
    env.clock.advance(timedelta(minutes=11))  # the roster is re-read after a few minutes
    said = await _press(env, ALICE, card_id, green)
    assert said == "This card is for members of the team only."
    assert "Your answer" not in text(env.connector.messages[card_id].card)


def _chat_click(env: TeamsEnv, who: dict, card_id: str, data: dict, chat: str) -> dict:
    activity = env.a.group_chat(who, "", chat=chat)
    activity.pop("text")
    activity["entities"] = []
    activity.update(
        {
            "type": "invoke",
            "name": "adaptiveCard/action",
            "replyToId": card_id,
            "value": {
                "action": {"type": "Action.Execute", "verb": data["copkit"], "data": data},
                "trigger": "manual",
            },
        }
    )
    return activity


async def test_a_member_who_left_a_group_chat_cannot_use_their_card(env: TeamsEnv):
    chat = "19:groupchat-hc@thread.v2"
    env.connector.rosters[chat] = [{**ALICE, "userRole": "user"}, {**BOB, "userRole": "user"}]
    await env.post(env.a.group_chat(ALICE, "healthcheck start", chat=chat))  # Alice leads it
    r = await Round.get()
    announcement = (await ShownView.get(key=f"healthcheck:round:{r.id}")).ref["message_id"]
    act = action(env.connector.messages[announcement].card, "Take the health check")
    await env.post(_chat_click(env, BOB, announcement, act["data"], chat))
    (card_id,) = [i for i, m in env.connector.messages.items() if m.conversation == personal(BOB)]
    card = env.connector.messages[card_id].card
    assert "Your answer" in await _press(env, BOB, card_id, action(card, "🟢 Green")["data"])
    env.connector.rosters[chat] = [{**ALICE, "userRole": "user"}]
    env.clock.advance(timedelta(minutes=11))
    card = env.connector.messages[card_id].card
    said = await _press(env, BOB, card_id, action(card, "🔴 Red")["data"])
    assert said == "This card is for members of the chat only."
