"""Per-person cards on Teams (Universal Actions ``refresh``), over real HTTP against the fake Bot
Connector: a shared card whose personal part (lean coffee's "your dots", the health check's
"your answers") each member sees for themselves in place. The refresh is answered for the person asking, never from a cache another
can hit; beyond 60 members the card carries a "My dots" button instead."""

from __future__ import annotations

import json
from typing import Any

from fakes.bot_connector import CHANNEL, TEAM, actions_of, card_text, user
from fakes.teams_env import ALICE, BOB, CAROL, OWNER, TeamsEnv
from test_teams_healthcheck import answer_everything

from copkit.core.models import Delivery, ShownView
from copkit.plugins.healthcheck import routes as R
from copkit.plugins.healthcheck.models import Round
from copkit.plugins.leancoffee.models import Session, Topic
from copkit.plugins.leancoffee.routes import MY_DOTS, board_key

PLUGINS = (
    "copkit.plugins.core_commands",
    "copkit.plugins.leancoffee",
    "copkit.plugins.healthcheck",
)


def text(card: Any) -> str:
    if isinstance(card, str):
        return card
    return card_text({"attachments": [{"content": card}]})


async def voting_board(env: TeamsEnv) -> tuple[int, str, list[Topic]]:
    await env.post(env.a.mention(OWNER, "leancoffee start --title Retro"))
    for title in ("Testing in prod", "Pairing", "Docs"):
        await env.post(env.a.mention(ALICE, f"leancoffee propose {title}"))
    await env.post(env.a.mention(OWNER, "leancoffee voting open"))
    s = await Session.get(room_id=CHANNEL)
    board_id = (await ShownView.get(key=board_key(s.id))).ref["message_id"]
    return s.id, board_id, list(await Topic.filter(session_id=s.id).order_by("number"))


def card(env: TeamsEnv, message_id: str) -> dict:
    return env.connector.messages[message_id].card


def refresh(env: TeamsEnv, who: dict, message_id: str, data: dict) -> dict:
    """What Teams sends when ``who`` looks at a card that asks to be refreshed for them."""
    activity = env.a.execute(who, message_id, data)
    activity["value"]["trigger"] = "automatic"
    return activity


async def dot(env: TeamsEnv, who: dict, board_id: str, topic: Topic) -> None:
    status, _ = await env.post(env.a.mention(who, f"leancoffee vote {topic.number}"))
    assert status == 200


async def test_each_member_sees_their_own_dots_on_the_shared_board(env: TeamsEnv):
    sid, board_id, topics = await voting_board(env)
    shared = card(env, board_id)
    assert shared["refresh"]["userIds"] == [m["id"] for m in env.connector.rosters[TEAM]]
    action = shared["refresh"]["action"]
    assert action["type"] == "Action.Execute"
    assert action["data"]["copkit"] == MY_DOTS.build(session=sid)
    assert "Your dots" not in text(shared)
    assert not [a for a in actions_of({"body": shared["body"]}) if a["title"] == "My dots"]

    await dot(env, ALICE, board_id, topics[0])
    await dot(env, ALICE, board_id, topics[2])
    await dot(env, BOB, board_id, topics[1])
    posts_before = len(env.connector.posts())

    status, answer = await env.post(refresh(env, ALICE, board_id, action["data"]))
    assert status == 200 and answer["type"] == "application/vnd.microsoft.card.adaptive"
    mine = text(answer["value"])
    assert "Your dots: #1, #3 · 0 dots left." in mine
    assert "Testing in prod" in mine  # the whole board, with her part in it
    assert answer["value"]["refresh"]["userIds"]  # her copy keeps refreshing

    # Bob asks with the very same data: he gets his own part, never Alice's
    status, answer = await env.post(refresh(env, BOB, board_id, action["data"]))
    assert "Your dots: #2 · 1 dot left." in text(answer["value"])
    assert "#1, #3" not in json.dumps(answer)
    status, answer = await env.post(refresh(env, CAROL, board_id, action["data"]))
    assert "You have 2 dots left" in text(answer["value"])
    assert "#1, #3" not in json.dumps(answer) and "#2 · 1" not in json.dumps(answer)
    # nothing was posted for it: no 1:1 chat, no message
    assert len(env.connector.posts()) == posts_before

    # no cache another person can hit: a refresh without data gets the shared card only, and
    # a re-delivery of Alice's refresh gets a neutral answer (her part was never recorded)
    status, answer = await env.post(refresh(env, CAROL, board_id, {"copkit": ""}))
    assert "Your dots" not in json.dumps(answer) and "#1, #3" not in json.dumps(answer)
    again = refresh(env, ALICE, board_id, action["data"])
    await env.post(again)
    status, answer = await env.post(again)
    assert status == 200 and "#1, #3" not in json.dumps(answer)
    for row in await Delivery.all():
        assert "Your dots" not in json.dumps(row.body)


async def test_a_member_cannot_get_someone_elses_part_by_naming_them(env: TeamsEnv):
    sid, board_id, topics = await voting_board(env)
    await dot(env, ALICE, board_id, topics[0])
    data = card(env, board_id)["refresh"]["action"]["data"]
    # Bob forges the data with Alice's id in every place he can think of
    forged = {**data, "person": ALICE["id"], "from": ALICE, "userId": ALICE["id"]}
    status, answer = await env.post(refresh(env, BOB, board_id, forged))
    assert status == 200
    assert "Your dots: #1" not in json.dumps(answer)
    assert "You have 2 dots left" in text(answer["value"])
    # a session of another community is not found (no part from it, no error shown as a bug)
    other = {"copkit": MY_DOTS.build(session=sid + 1000)}
    status, answer = await env.post(refresh(env, BOB, board_id, other))
    assert status == 200 and "no longer exists" in json.dumps(answer)


async def test_over_60_members_the_card_asks_with_a_button(env: TeamsEnv):
    env.connector.rosters[TEAM] = env.connector.rosters[TEAM] + [
        {**user(f"m{k:02d}", f"Member {k}"), "userRole": "user"} for k in range(60)
    ]
    sid, board_id, topics = await voting_board(env)
    shared = card(env, board_id)
    assert "refresh" not in shared
    button = next(a for a in actions_of(shared) if a["title"] == "My dots")
    assert "“My dots” shows where your dots are." in text(shared)
    await dot(env, ALICE, board_id, topics[1])
    status, answer = await env.post(env.a.execute(ALICE, board_id, button["data"]))
    assert status == 200 and answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Your dots: #2 · 1 dot left." in text(answer["value"])
    status, answer = await env.post(env.a.execute(BOB, board_id, button["data"]))
    assert "You have 2 dots left" in text(answer["value"])


async def test_voting_closed_the_card_stops_refreshing(env: TeamsEnv):
    sid, board_id, topics = await voting_board(env)
    await dot(env, ALICE, board_id, topics[0])
    await env.post(env.a.mention(OWNER, "leancoffee voting close"))
    assert "refresh" not in card(env, board_id)
    data = {"copkit": MY_DOTS.build(session=sid)}
    status, answer = await env.post(refresh(env, ALICE, board_id, data))
    assert "Your dots went to #1." in text(answer["value"])


async def test_the_health_check_shows_each_member_their_own_answers(env: TeamsEnv):
    for n in range(11, 4, -1):  # four dimensions
        await env.post(env.a.mention(OWNER, f"healthcheck deck retire {n}"))
    await env.post(env.a.mention(OWNER, "healthcheck start"))
    r = await Round.get()
    announcement = (await ShownView.get(key=R.round_key(r.id))).ref["message_id"]
    shared = card(env, announcement)
    data = shared["refresh"]["action"]["data"]
    assert data["copkit"] == R.MINE.build(round=r.id)
    await answer_everything(env, ALICE, announcement)

    status, answer = await env.post(refresh(env, ALICE, announcement, data))
    assert status == 200 and answer["type"] == "application/vnd.microsoft.card.adaptive"
    mine = text(answer["value"])
    assert "You rated 4 of 4." in mine and "Your answer:" in mine
    assert "Take the health check" in mine  # the shared card, with her part in it
    # Bob (who has not answered) and Carol asking with the same data never see Alice's answers
    for who in (BOB, CAROL):
        status, answer = await env.post(refresh(env, who, announcement, data))
        assert "You have not answered yet" in text(answer["value"])
        assert "Your answer:" not in json.dumps(answer) and "You rated" not in json.dumps(answer)
    # the shared card itself, as cached and as the connector holds it, has nobody's answers
    assert "Your answer:" not in json.dumps(card(env, announcement))
    status, answer = await env.post(refresh(env, BOB, announcement, {"copkit": ""}))
    assert "Your answer:" not in json.dumps(answer)
