"""Xtrem Reading and Xtrem Watch in a Teams channel, over real HTTP against the fake Bot
Connector, on both SDK backends (SQLite; PostgreSQL with COPKIT_TEST_POSTGRES_URL).

A group's place is a reply chain of the channel: one new channel post per group (made once,
remembered across a restart), and every later message of the group a reply to it (posted to
the conversation ``<channel>;messageid=<root>``). The board is an Adaptive Card whose buttons,
choices and forms are Action.Execute (with Action.Submit as the fallback); private writing
reaches a person only (the invoke's answer, or their 1:1 chat)."""

from __future__ import annotations

import json
import re
from typing import Any

from fakes.bot_connector import CHANNEL, action, actions_of, card_text, nodes, user
from fakes.teams_env import ALICE, BOB, CAROL, OWNER, TeamsEnv

from copkit.core.facilitation import groups
from copkit.core.facilitation.models import Group, GroupMember, Note
from copkit.core.models import Place, ShownView
from copkit.plugins.xtrem.models import Book, Rating, Reading, Session, Source

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.xtrem")
DAVE = user("dave", "Dave")
EVE = user("eve", "Eve")
BOOKS = (
    ("Accelerate", "delivery"),
    ("Team Topologies", "teams"),
    ("The DevOps Handbook", "delivery"),
    ("Turn the Ship Around", "teams"),
    ("Drive", "teams"),
)


def text(card: dict | str) -> str:
    if isinstance(card, str):
        return card
    return card_text({"attachments": [{"content": card}]})


def answer_text(answer: Any) -> str:
    """What an invoke answered to the person who pressed (their card, with its note)."""
    return text((answer or {}).get("value") or "")


async def say(env: TeamsEnv, who: dict, line: str, conv: str | None = None) -> Any:
    """``who`` writes ``@copkit line`` in the channel (a new post), or as a reply in ``conv``."""
    status, payload = await env.post(env.a.mention(who, line, conversation=conv))
    assert status == 200, payload
    return payload


async def board(env: TeamsEnv) -> dict:
    s = await Session.all().order_by("-id").first()
    assert s is not None
    return (await ShownView.get(key=f"{s.format}:board:{s.id}")).ref


def card_of(env: TeamsEnv, ref: dict) -> dict:
    return env.connector.messages[ref["message_id"]].card


async def press(env: TeamsEnv, who: dict, label: str, **inputs: str) -> str:
    """``who`` presses ``label`` on the board (a form's Send is inside the ShowCard titled
    ``label``), from the reply chain the board is in."""
    ref = await board(env)
    act = action(card_of(env, ref), label)
    if act["type"] == "Action.ShowCard":
        act = action(act["card"], "Send")
    activity = env.a.execute(
        who, ref["message_id"], act["data"], conversation=ref["conversation_id"], inputs=inputs
    )
    status, answer = await env.post(activity)
    assert status == 200, answer
    assert answer["statusCode"] == 200
    return answer_text(answer)


async def choose(env: TeamsEnv, who: dict, label: str) -> str:
    """``who`` picks ``label`` in the board's choice: a button per option where Teams shows a
    short choice so, else the choice set and its OK."""
    ref = await board(env)
    card = card_of(env, ref)
    if any(a.get("title") == label for a in actions_of(card)):
        return await press(env, who, label)
    ok = next(a for a in actions_of(card) if a["title"] == "OK")
    value = next(
        c["value"]
        for node in nodes(card)
        if node.get("type") == "Input.ChoiceSet"
        for c in node.get("choices") or []
        if c.get("title") == label
    )
    activity = env.a.execute(
        who,
        ref["message_id"],
        ok["data"],
        conversation=ref["conversation_id"],
        inputs={ok["data"]["_sel"]: value},
    )
    status, answer = await env.post(activity)
    assert status == 200, answer
    return answer_text(answer)


async def next_(env: TeamsEnv) -> str:
    return await press(env, OWNER, "Next")


def creates(env: TeamsEnv) -> list[Any]:
    """The new channel posts copkit made (a group's root post each)."""
    return [
        c
        for c in env.connector.of_kind("create")
        if ((c.body.get("channelData") or {}).get("channel") or {}).get("id")
    ]


def posted_in(env: TeamsEnv, conv: str, since: int = 0) -> list[str]:
    """The texts posted into ``conv`` (sends and replies), in order."""
    return [
        env.connector.texts(c)
        for c in env.connector.calls[since:]
        if c.kind in ("send", "reply") and c.conversation == conv
    ]


def everything(env: TeamsEnv, since: int = 0) -> str:
    return "\n".join(env.connector.texts(c) for c in env.connector.posts()[since:])


async def thread_of(s: Session, number: int) -> str:
    """The reply chain of group ``number``: ``<channel>;messageid=<its root post>``."""
    place = await Place.get(key=f"{s.format}:{s.id}:group:{number}", kind="thread")
    return place.room_id


def check_root(env: TeamsEnv, conv: str, heading: str) -> None:
    """``conv`` is the reply chain of a new post in the channel that copkit made, headed
    ``heading``."""
    channel, _sep, root = conv.partition(";messageid=")
    assert channel == CHANNEL and root, conv
    posted = env.connector.messages[root]
    assert posted.conversation == conv
    assert any(env.connector.texts(c).startswith(heading) for c in creates(env))
    assert text(posted.card).startswith(heading)


async def snapshot() -> tuple[int, ...]:
    rows = await Session.all()
    return (
        await Book.filter(removed_at=None).count(),
        await Reading.all().count(),
        await Rating.all().count(),
        await GroupMember.filter(left_at=None).count(),
        await Group.filter(status="open").count(),
        await Source.all().count(),
        await Note.all().count(),
        await Place.all().count(),
        sum(x.version for x in rows),
    )


async def refused(env: TeamsEnv, answer_of: Any, expected: str) -> None:
    """What ``answer_of()`` (a press or a line) answers contains ``expected``; nothing
    changed, nothing posted to the channel."""
    before, calls = await snapshot(), len(env.connector.calls)
    answer = await answer_of()
    said = answer if isinstance(answer, str) else ""
    said += "\n".join(
        env.connector.texts(c) for c in env.connector.calls[calls:] if c.kind in ("send", "reply")
    )
    assert expected in said, said
    assert len(said) < 400, said
    assert await snapshot() == before
    assert not [c for c in env.connector.calls[calls:] if c.kind == "create"]
    for c in env.connector.calls[calls:]:  # a refusal is private: the 1:1 chat, or the invoke
        if c.kind in ("send", "reply"):
            assert c.conversation.startswith("a:1on1-"), (c.conversation, env.connector.texts(c))


async def add_books(env: TeamsEnv, n: int = 4) -> None:
    for title, theme in BOOKS[:n]:
        await say(env, ALICE, f'xtremreading book add "{title}" --theme {theme}')


async def reading_groups(env: TeamsEnv) -> Session:
    """Books on the list, a session started, four picks (Alice's on the card), groups."""
    await add_books(env)
    await say(env, OWNER, "xtremreading start --round 15m")
    assert "Pick a book…" in text(card_of(env, await board(env)))
    await choose(env, ALICE, "1. Accelerate")
    for i, who in ((2, BOB), (3, CAROL), (4, DAVE)):
        await say(env, who, f"xtremreading pick {i} how teams work")
    assert "Alice Smith reads “Accelerate”" in everything(env)
    await next_(env)
    return await Session.get()


async def test_xtrem_reading_in_a_channel(env: TeamsEnv):
    s = await reading_groups(env)
    owner = f"xtremreading:{s.id}"
    assert await groups.placed(owner) == {
        ALICE["id"]: 1,
        CAROL["id"]: 1,
        BOB["id"]: 2,
        DAVE["id"]: 2,
    }
    one, two = await thread_of(s, 1), await thread_of(s, 2)
    check_root(env, one, "Group 1 · delivery")
    check_root(env, two, "Group 2 · teams")
    assert len(creates(env)) == 2  # one root post per group
    assert "Accelerate" in "\n".join(posted_in(env, one))  # who reads what, as replies
    assert "Turn the Ship Around" in "\n".join(posted_in(env, two))
    assert "Accelerate" not in "\n".join(posted_in(env, two))

    # round 1: the techniques in each reply chain; a key point written as a reply there
    await next_(env)
    assert "table of contents" in "\n".join(posted_in(env, one))
    mark = len(env.connector.calls)
    await say(env, ALICE, "xtremreading note Four key metrics", conv=one)
    assert any("Four key metrics" in t for t in posted_in(env, one, mark))
    assert not any("Four key metrics" in t for t in posted_in(env, two, mark))
    assert (await Note.get()).text == "Four key metrics"
    await say(env, BOB, "xtremreading note Stream aligned teams first", conv=two)

    # round 2: the swap inside each group, told in the reply chains
    await next_(env)
    second = {r.member: r.book_id for r in await Reading.filter(round=2)}
    first = {r.member: r.book_id for r in await Reading.filter(round=1)}
    assert second[ALICE["id"]] == first[CAROL["id"]] and second[BOB["id"]] == first[DAVE["id"]]
    assert any("Swap" in t and "The DevOps Handbook" in t for t in posted_in(env, one))
    await say(env, CAROL, "xtremreading note Measure lead time", conv=one)

    # sharing, the day-to-day question for the whole room, ratings on the card
    await next_(env)
    await next_(env)
    await say(env, BOB, "xtremreading idea Put our lead time on the board")
    await next_(env)
    answer = await press(env, ALICE, "Rate a book", readability="4", recommendation="5")
    assert "readability 4/5, recommendation 5/5" in answer
    await say(env, CAROL, "xtremreading rate 3 4")
    assert await Rating.all().count() == 2
    assert len(creates(env)) == 2  # still the same two root posts

    # the minutes in the channel
    await next_(env)
    s = await Session.get()
    assert s.status == "done"
    minutes = [
        c for c in env.connector.posts() if "Xtrem Reading — minutes" in env.connector.texts(c)
    ]
    assert len(minutes) == 1 and minutes[0].conversation.startswith(CHANNEL)
    said = env.connector.texts(minutes[0])
    for expected in (
        "Four key metrics",
        "Stream aligned teams first",
        "Measure lead time",
        "Put our lead time on the board",
        "readability 4/5, recommendation 5/5",
        "Group 1 · delivery",
    ):
        assert expected in said, expected
    assert "The session is over" in text(card_of(env, await board(env)))
    listed = await say(env, EVE, "xtremreading book list")
    assert listed is None
    assert "read by Alice Smith, Carol" in everything(env)
