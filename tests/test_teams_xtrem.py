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

from fakes.bot_connector import CHANNEL, TeamsActivities, action, actions_of, card_text, nodes, user
from fakes.teams_env import ALICE, BOB, CAROL, OWNER, TeamsEnv

from copkit.core.facilitation import groups
from copkit.core.facilitation.models import Group, GroupMember, Note
from copkit.core.models import Place, Room, ShownView
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


async def submit(env: TeamsEnv, who: dict, label: str, **inputs: str) -> None:
    """``who`` presses the Action.Submit fallback of ``label`` (an older Teams client)."""
    ref = await board(env)
    act = action(card_of(env, ref), label)
    if act["type"] == "Action.ShowCard":
        act = action(act["card"], "Send")
    assert act["fallback"]["type"] == "Action.Submit"
    activity = env.a.submit(
        who,
        ref["message_id"],
        act["fallback"]["data"],
        conversation=ref["conversation_id"],
        inputs=inputs,
    )
    status, answer = await env.post(activity)
    assert status == 200, answer


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
    before, calls, roots = await snapshot(), len(env.connector.calls), len(creates(env))
    answer = await answer_of()
    said = answer if isinstance(answer, str) else ""
    said += "\n".join(
        env.connector.texts(c) for c in env.connector.calls[calls:] if c.kind in ("send", "reply")
    )
    assert expected in said, said
    assert len(said) < 400, said
    assert await snapshot() == before
    assert len(creates(env)) == roots  # no new post in the channel
    for c in env.connector.calls[calls:]:  # a refusal is private: the 1:1 chat, or the invoke
        if c.kind in ("send", "reply"):
            assert c.conversation.startswith("a:1on1-"), (c.conversation, env.connector.texts(c))


async def add_books(env: TeamsEnv, n: int = 4) -> None:
    for title, theme in BOOKS[:n]:
        await say(env, ALICE, f'xtremreading book add "{title}" --theme {theme}')


async def reading_groups(
    env: TeamsEnv, start: str = "xtremreading start --round 15m", answers: list[str] | None = None
) -> Session:
    """Books on the list, a session started, four picks (Alice's on the card), groups."""
    await add_books(env)
    await say(env, OWNER, start)
    assert "Pick a book…" in text(card_of(env, await board(env)))
    await choose(env, ALICE, "1. Accelerate")
    for i, who in ((2, BOB), (3, CAROL), (4, DAVE)):
        await say(env, who, f"xtremreading pick {i} how teams work")
    assert "Alice Smith reads “Accelerate”" in everything(env)
    (answers if answers is not None else []).append(await next_(env))
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
    await submit(env, BOB, "Rate a book", readability="2", recommendation="3")
    assert await Rating.all().count() == 3
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
        "Bob — “Team Topologies”: readability 2/5, recommendation 3/5",
        "Group 1 · delivery",
    ):
        assert expected in said, expected
    assert "The session is over" in text(card_of(env, await board(env)))
    listed = await say(env, EVE, "xtremreading book list")
    assert listed is None
    assert "read by Alice Smith, Carol" in everything(env)


def personal(who: dict) -> str:
    return f"a:1on1-{who['id']}"


async def press_private(env: TeamsEnv, who: dict, label: str, **inputs: str) -> str:
    """``who`` presses ``label`` on the last card copkit sent to their 1:1 chat."""
    mid, posted = [
        (i, m) for i, m in env.connector.messages.items() if m.conversation == personal(who)
    ][-1]
    act = action(posted.card, label)
    if act["type"] == "Action.ShowCard":
        act = action(act["card"], "Send")
    activity = env.a.execute(who, mid, act["data"], inputs=inputs, personal=True)
    status, answer = await env.post(activity)
    assert status == 200, answer
    return answer_text(answer)


async def test_xtrem_watch_in_a_channel(env: TeamsEnv):
    await say(env, OWNER, "xtremwatch start --dots 2")
    # the brainstorm is private: Alice writes on the board's form, then in her own chat
    answer = await press(env, ALICE, "Add a topic", text="WebAssembly")
    assert "private chat" in answer
    assert "Topic #1 kept" in text(
        [m for m in env.connector.messages.values() if m.conversation == personal(ALICE)][-1].card
    )
    assert "Topic #2 kept" in await press_private(env, ALICE, "Add another topic", text="Wasm GC")
    for who, topic in ((BOB, "Passkeys"), (CAROL, "Local first"), (DAVE, "Platform engineering")):
        await press(env, who, "Add a topic", text=topic)
    for c in env.connector.posts():
        if not c.conversation.startswith("a:1on1-"):
            assert "WebAssembly" not in env.connector.texts(c), "a topic reached the channel"
    assert "5 topics from 4 people" in text(card_of(env, await board(env)))

    # the pitch: a minute each, the timer passes the word
    await next_(env)
    for _turn in range(4):
        await env.run_timers(minutes=1, seconds=1)
    s = await Session.get()
    assert s.step == "vote"
    assert "WebAssembly" in everything(env)

    # the dot vote on the card (two dots each)
    for who, picks in (
        (ALICE, ("1. WebAssembly", "3. Passkeys")),
        (BOB, ("3. Passkeys", "1. WebAssembly")),
        (CAROL, ("1. WebAssembly", "4. Local first")),
        (DAVE, ("3. Passkeys", "5. Platform engineering")),
    ):
        for label in picks:
            assert "Dot on" in await choose(env, who, label)
    assert "all your 2 dots" in await choose(env, ALICE, "4. Local first")
    await next_(env)
    s = await Session.get()
    themes = sorted(g.theme for g in await groups.groups(f"xtremwatch:{s.id}"))
    assert themes == ["Passkeys", "WebAssembly"]
    one, two = await thread_of(s, 1), await thread_of(s, 2)
    g1, g2 = (
        await groups.by_number(f"xtremwatch:{s.id}", 1),
        await groups.by_number(f"xtremwatch:{s.id}", 2),
    )
    check_root(env, one, f"Group 1 · {g1.theme}")
    check_root(env, two, f"Group 2 · {g2.theme}")

    # diving: sources posted as replies in each group's chain go to the source list
    await next_(env)
    members1 = [m.member for m in await groups.members(g1.id)]
    members2 = [m.member for m in await groups.members(g2.id)]
    people = {p["id"]: p for p in (ALICE, BOB, CAROL, DAVE)}
    first, second = people[members1[0]], people[members2[0]]
    mark = len(env.connector.calls)
    await say(env, first, "xtremwatch source https://example.org/one The standard", conv=one)
    await say(env, second, "xtremwatch source https://example.org/two", conv=two)
    assert any("https://example.org/one" in t for t in posted_in(env, one, mark))
    assert any("https://example.org/two" in t for t in posted_in(env, two, mark))
    assert not any("https://example.org/one" in t for t in posted_in(env, two, mark))
    for _step in ("sync", "deepdive", "prepare", "present"):
        await next_(env)

    # presentations in turn: "We start" on the card, out of turn refused
    outsider = people[members2[0]]
    await refused(env, lambda: press(env, outsider, "We start"), "It's group 1's turn")
    ref = await board(env)
    start = action(card_of(env, ref), "We start")["data"]
    await press(env, first, "We start")
    assert "Group 1 presents" in everything(env)
    assert "We start" not in text(card_of(env, ref))
    again = env.a.execute(first, ref["message_id"], start, conversation=ref["conversation_id"])

    async def twice() -> str:  # the same press again (a second tap, an older copy)
        status, answer = await env.post(again)
        assert status == 200
        return answer_text(answer)

    await refused(env, twice, "under way")
    await next_(env)
    await press(env, second, "We start")
    await next_(env)
    await say(env, CAROL, "xtremwatch idea Try passkeys on the staff portal")
    await next_(env)
    minutes = [
        c for c in env.connector.posts() if "Xtrem Watch — minutes" in env.connector.texts(c)
    ]
    assert len(minutes) == 1
    said = env.connector.texts(minutes[0])
    assert "https://example.org/one" in said and "https://example.org/two" in said
    assert f"found by {first['name']}" in said
    assert "Try passkeys on the staff portal" in said
    assert len(creates(env)) == 2


async def test_a_restart_mid_round_keeps_the_root_posts_and_fires_the_timer_once(env: TeamsEnv):
    answers: list[str] = []
    s = await reading_groups(env, "xtremreading start --round 15m --voice", answers)
    # no voice room on Teams: nothing attempted; the facilitator (who pressed) told once, and
    # each group once, in its first message (as on Discord when the permission is missing)
    assert answers[0].count("breakout rooms") == 1, answers
    assert everything(env).count("breakout rooms") == 2
    assert "voice channel is open" not in everything(env)
    await next_(env)  # round 1, 15 minutes
    one, two = await thread_of(s, 1), await thread_of(s, 2)
    await env.restart()  # nothing kept in memory: references and places from the database
    mark = len(env.connector.calls)
    await say(env, CAROL, "xtremreading note Deploy often", conv=one)
    assert any("Deploy often" in t for t in posted_in(env, one, mark))

    await env.run_timers(minutes=14, seconds=1)
    warned = [t for t in posted_in(env, CHANNEL, mark) if "One minute left" in t]
    assert len(warned) == 1
    for conv in (one, two):
        assert [t for t in posted_in(env, conv, mark) if "One minute left" in t] == [
            "⏱ One minute left."
        ]
    await env.run_timers(minutes=1)
    await env.restart()
    assert await env.run_timers(minutes=30) == 0  # rung once: nothing left to ring
    for conv in (CHANNEL, one, two):
        ups = [t for t in posted_in(env, conv, mark) if "Time's up" in t]
        assert len(ups) == 1, (conv, ups)
    assert len(creates(env)) == 2  # the same two root posts, never a third
    assert await Place.filter(kind="thread").count() == 2
    updates = [c for c in env.connector.calls[mark:] if c.kind == "update"]
    assert updates and updates[-1].activity_id == (await board(env))["message_id"]
    assert "Time's up" in text(card_of(env, await board(env)))

    # the facilitator goes on after the restart; the swap lands in the same reply chains
    await next_(env)
    assert any("Swap" in t for t in posted_in(env, one, mark))
    assert any("Swap" in t for t in posted_in(env, two, mark))
    assert len(creates(env)) == 2


async def test_bad_input_gets_a_short_answer_and_changes_nothing(env: TeamsEnv):
    s = await reading_groups(env)
    await refused(
        env, lambda: say(env, BOB, 'xtremreading book add "accelerate!" --theme x'), "already"
    )
    # only the facilitator moves the session on: by button as by command
    await refused(env, lambda: press(env, ALICE, "Next"), "can move the session on")
    await refused(env, lambda: say(env, ALICE, "xtremreading next"), "can move the session on")
    # a stale or repeated press of Next changes nothing
    ref = await board(env)
    old = action(card_of(env, ref), "Next")["data"]
    await next_(env)  # round 1
    again = env.a.execute(OWNER, ref["message_id"], old, conversation=ref["conversation_id"])

    async def stale() -> str:
        status, answer = await env.post(again)
        assert status == 200
        return answer_text(answer)

    await refused(env, stale, "moved on")
    # a late joiner is placed once; joining twice is refused
    mark = len(env.connector.calls)
    assert "You're in group" in await press(env, EVE, "Join")
    eves = (await groups.group_of(f"xtremreading:{s.id}", EVE["id"])).number
    assert any("Eve joins the group" in t for t in posted_in(env, await thread_of(s, eves), mark))
    await refused(env, lambda: press(env, EVE, "Join"), "already")
    await refused(env, lambda: say(env, EVE, "xtremreading join 2"), "the facilitator can move you")
    # a rating of 7, on the card and by command
    for _step in ("round2", "share"):
        await next_(env)
    await refused(
        env,
        lambda: press(env, ALICE, "Rate a book", readability="7", recommendation="5"),
        "from 1 to 5",
    )
    await refused(env, lambda: say(env, ALICE, "xtremreading rate 7 5"), "from 1 to 5")
    await refused(
        env,
        lambda: press(env, ALICE, "Rate a book", readability="4", recommendation="4", book="99"),
        "no book 99",
    )
    assert await Rating.all().count() == 0
    # a rating pressed twice is one rating
    await press(env, ALICE, "Rate a book", readability="4", recommendation="4")
    await press(env, ALICE, "Rate a book", readability="4", recommendation="4")
    assert await Rating.all().count() == 1
    assert s.id == (await Session.get()).id


HOSTILE = "<at>Bob</at> **bold** [x](https://evil.example) <script>alert(1)</script>"
ESCAPED = (
    "\\<at\\>Bob\\</at\\> \\*\\*bold\\*\\* \\[x\\]\\(https://evil.example\\) "
    "\\<script\\>alert\\(1\\)\\</script\\>"
)


def teams_typed(line: str) -> str:
    """A line as Teams sends what someone typed: HTML, its special characters as entities."""
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


async def test_user_text_stays_text_in_cards_and_messages(env: TeamsEnv):
    start = len(env.connector.messages)
    await say(env, ALICE, teams_typed(f'xtremreading book add "{HOSTILE}" --theme "**hot**"'))
    await say(env, ALICE, 'xtremreading book add "Drive" --theme "**hot**"')
    assert (await Book.get(number=1)).title == HOSTILE  # kept as typed
    await say(env, OWNER, "xtremreading start")
    await choose(env, ALICE, f"1. {HOSTILE}")  # the choice's option: plain text, as typed
    await say(env, BOB, teams_typed(f"xtremreading pick 2 {HOSTILE}"))
    await next_(env)
    s = await Session.get()
    one = await thread_of(s, 1)
    check_root(env, one, "Group 1 · \\*\\*hot\\*\\*")
    await next_(env)
    await say(env, ALICE, teams_typed(f"xtremreading note {HOSTILE}"), conv=one)
    for _step in ("round2", "share", "daytoday", "rate"):
        await next_(env)
    await next_(env)  # the minutes

    posted = list(env.connector.messages.values())[start:]
    cards = [m.card for m in posted if m.activity.get("attachments")]
    blocks = "\n".join(
        n["text"] for card in cards for n in nodes(card) if n.get("type") == "TextBlock"
    )
    assert blocks.count(ESCAPED) >= 5, blocks  # the list, the picks, the chain, the minutes
    raw = re.sub(re.escape(ESCAPED), "", blocks)
    for fragment in ("<at>", "<script>", "**bold**", "[x](", "**hot**"):
        assert fragment not in raw, fragment
    root = env.connector.messages[one.partition(";messageid=")[2]]
    assert "\\*\\*hot\\*\\*" in text(root.card) and "**hot**" not in text(root.card)
    assert (await Room.get(external_id=one)).name == "Group 1 · **hot**"  # as typed, unmarked
    dumped = json.dumps([m.activity for m in posted])
    assert "\ufdd0" not in dumped and "\ufdd1" not in dumped
    for m in posted:
        assert not [e for e in m.activity.get("entities") or [] if e.get("type") == "mention"]
        assert not [e for c in [m.card] for e in nodes(c) if "entities" in e]


async def test_a_refused_new_post_goes_to_the_channel_and_the_next_message_opens_the_chain(
    env: TeamsEnv,
):
    await add_books(env)
    await say(env, OWNER, "xtremreading start")
    await say(env, ALICE, "xtremreading pick 1")
    await say(env, BOB, "xtremreading pick 2")
    env.connector.fail["create"] = 403  # the channel refuses the bot's first new post
    answer = await next_(env)
    assert "went wrong" not in answer and "2/7 Groups" in answer
    s = await Session.get()
    refused_first, opened = creates(env)
    assert env.connector.texts(refused_first).startswith("Group 1 · delivery")
    headed = [
        c
        for c in env.connector.posts()
        if c.kind == "send" and "👥 Group 1" in env.connector.texts(c)
    ]
    assert headed and headed[0].conversation.startswith(CHANNEL)  # shown anyway, headed
    one = await thread_of(s, 1)  # the next message opened the reply chain, remembered
    check_root(env, one, "Group 1 · delivery")
    await next_(env)
    assert any("table of contents" in t for t in posted_in(env, one))
    assert len(creates(env)) == 2


async def test_two_channels_each_group_chain_finds_its_own_session(env: TeamsEnv):
    other = TeamsActivities(env.connector.url, channel="19:0ther5ession@thread.tacv2")
    await add_books(env, 5)
    for a in (env.a, other):
        status, _answer = await env.post(a.mention(OWNER, "xtremreading start"))
        assert status == 200
    for a, picks in ((env.a, ((ALICE, 1), (BOB, 2))), (other, ((CAROL, 3), (DAVE, 4)))):
        for who, n in picks:
            await env.post(a.mention(who, f"xtremreading pick {n}"))
    for s in await Session.all().order_by("id"):
        ref = (await ShownView.get(key=f"xtremreading:board:{s.id}")).ref
        a = env.a if s.room_id == CHANNEL else other
        nxt = action(card_of(env, ref), "Next")["data"]
        for _step in ("groups", "round1"):
            status, answer = await env.post(
                a.execute(OWNER, ref["message_id"], nxt, conversation=ref["conversation_id"])
            )
            assert status == 200
            nxt = action(card_of(env, ref), "Next")["data"]
    first, second = await Session.all().order_by("id")
    assert second.room_id == "19:0ther5ession@thread.tacv2"
    chain = await thread_of(second, 1)
    assert chain.startswith("19:0ther5ession@thread.tacv2;messageid=")
    await env.post(other.mention(CAROL, "xtremreading note Fast flow", conversation=chain))
    note = await Note.get()
    phase = await note.phase
    assert phase.owner == f"xtremreading:{second.id}"
    assert any("Fast flow" in t for t in posted_in(env, chain))


async def test_in_a_group_chat_each_group_message_is_headed_with_its_group(env: TeamsEnv):
    chat = "19:xtremchat@thread.v2"
    for line, who in (  # the chat is a community of its own, with its own book list
        ('xtremreading book add "Accelerate" --theme delivery', OWNER),  # the first one leads
        ('xtremreading book add "Drive" --theme delivery', ALICE),
        ('xtremreading book add "Team Topologies" --theme delivery', ALICE),
        ("xtremreading start", OWNER),
        ("xtremreading pick 1", ALICE),
        ("xtremreading pick 2", BOB),
        ("xtremreading next", OWNER),
        ("xtremreading next", OWNER),
    ):
        status, _answer = await env.post(env.a.group_chat(who, line, chat=chat))
        assert status == 200
    s = await Session.get(room_id=chat)
    assert s.step == "round1", s.step
    in_chat = posted_in(env, chat)
    group_posts = [t for t in in_chat if t.startswith("Group 1 · delivery")]
    assert len(group_posts) >= 3, in_chat  # who is in it, who reads what, the round's prompt
    assert any("table of contents" in t for t in group_posts)
    assert not await Place.filter(kind="thread").exists()  # no chain taken to be the chat
    assert len(creates(env)) == 0
