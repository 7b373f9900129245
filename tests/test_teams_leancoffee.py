"""A lean coffee in a Teams channel, over real HTTP against the fake Bot Connector: topics proposed
through the card's form, dots placed with Action.Execute, the timebox ending in a proactive
message after a restart, a thumbs vote, and the minutes."""

from __future__ import annotations

import asyncio

from fakes.bot_connector import CHANNEL, action, actions_of, card_text, user
from fakes.teams_env import ALICE, BOB, CAROL, OWNER, TeamsEnv

from copkit.core import firstwrite
from copkit.core.models import ShownView
from copkit.plugins.leancoffee.models import Minutes, Session, Topic, Vote
from copkit.plugins.leancoffee.routes import board_key

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.leancoffee")


def text(card: dict | str) -> str:
    """A card's text, or an invoke's plain message."""
    if isinstance(card, str):
        return card
    return card_text({"attachments": [{"content": card}]})


async def board_message(env: TeamsEnv) -> tuple[int, str]:
    s = await Session.filter(room_id=CHANNEL).order_by("-id").first()
    assert s is not None
    shown = await ShownView.get(key=board_key(s.id))
    return s.id, shown.ref["message_id"]


def board(env: TeamsEnv, message_id: str) -> dict:
    return env.connector.messages[message_id].card


async def press(env: TeamsEnv, who: dict, message_id: str, label: str, **inputs) -> dict:
    """``who`` presses the Action.Execute titled ``label`` on a message's card (a form's Send
    button is found inside the Action.ShowCard that holds it)."""
    act = action(board(env, message_id), label)
    status, answer = await env.post(env.a.execute(who, message_id, act["data"], inputs=inputs))
    assert status == 200, answer
    assert answer["statusCode"] == 200
    return answer


async def test_lean_coffee_in_a_channel(env: TeamsEnv):
    status, _ = await env.post(env.a.mention(OWNER, "leancoffee start --timebox 5m --title Retro"))
    assert status == 200
    sid, board_id = await board_message(env)
    assert "Proposing topics" in text(board(env, board_id))

    # propose through the card's form (Action.Execute), and through the Submit fallback
    form = action(board(env, board_id), "Propose a topic")
    assert form["type"] == "Action.ShowCard"
    inputs = [b["id"] for b in form["card"]["body"] if b["type"].startswith("Input.")]
    assert inputs == ["f0.title", "f0.pitch"]  # unique in the card
    answer = await press(env, ALICE, board_id, "Send", title="Testing in prod", pitch="ever ok?")
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Added #1 Testing in prod." in text(answer["value"])  # Alice's own note
    assert "Added #1" not in text(board(env, board_id))  # …that the channel does not see
    assert "**#1** Testing in prod" in text(board(env, board_id))
    send = action(board(env, board_id), "Send")
    await env.post(
        env.a.submit(
            BOB, board_id, send["fallback"]["data"], inputs={"title": "Pairing", "pitch": ""}
        )
    )
    await env.post(env.a.mention(CAROL, "leancoffee propose Career ladders and how to grow"))
    topics = await Topic.filter(session_id=sid).order_by("number")
    assert [t.title for t in topics] == [
        "Testing in prod",
        "Pairing",
        "Career ladders and how to grow",
    ]

    # only the leader or core team opens voting; the team owner leads
    answer = await press(env, ALICE, board_id, "Open voting")
    assert "Only the leader or core team can open voting." in text(answer["value"])
    await press(env, OWNER, board_id, "Open voting")
    assert "Voting is open" in text(board(env, board_id))

    # dots through Action.Execute: the board offers the topics in a choice set (one title is
    # long) whose OK button carries the picked value; the note is only for the voter
    async def dot(who: dict, topic: Topic) -> str:
        ok = next(a for a in actions_of(board(env, board_id)) if a["title"] == "OK")
        assert ok["type"] == "Action.Execute" and ok["fallback"]["type"] == "Action.Submit"
        field = ok["data"]["_sel"]
        status, answer = await env.post(
            env.a.execute(who, board_id, ok["data"], inputs={field: str(topic.id)})
        )
        assert status == 200
        return text(answer["value"])

    assert "Dot on #1. 1 dot left." in await dot(ALICE, topics[0])
    assert "That was your last dot." in await dot(ALICE, topics[0])
    assert "all your 2 dots" in await dot(ALICE, topics[1])
    assert "Dot on #3." in await dot(BOB, topics[2])

    # many people click at the same moment: every dot is counted exactly once
    crowd = [user(f"p{i}") for i in range(12)]
    results = await asyncio.gather(*(dot(p, topics[1]) for p in crowd))
    assert all("Dot on #2." in r for r in results)
    assert await Vote.filter(session_id=sid, topic_id=topics[1].id).count() == 12
    await env.rt.live.drain()
    assert "12 dots" in text(board(env, board_id))

    # close voting: the top topic starts and its timebox is a stored timer
    await press(env, OWNER, board_id, "Close voting and start")
    assert "Discussing" in text(board(env, board_id))
    now = [
        c for c in env.connector.posts() if "Now discussing #2 Pairing" in env.connector.texts(c)
    ]
    assert now

    # the process restarts; the timebox ends; the thumbs vote reaches the channel proactively
    await env.restart()
    before = len(env.connector.calls)
    assert await env.run_timers(minutes=6) >= 1
    after = env.connector.calls[before:]
    sent = [c for c in after if c.kind == "send" and c.conversation == CHANNEL]
    assert any("Keep going on #2 Pairing?" in env.connector.texts(c) for c in sent), [
        env.connector.texts(c) for c in after
    ]
    assert any(c.kind == "update" and c.activity_id == board_id for c in after)  # the board too
    thumbs_id = next(
        m.id for m in env.connector.messages.values() if "Keep going on #2" in text(m.card)
    )
    answer = await press(env, ALICE, thumbs_id, "👍 Keep going")
    assert "Got your 👍." in text(answer["value"])
    await press(env, BOB, thumbs_id, "👍 Keep going")
    await env.run_timers(minutes=2)  # the thumbs window closes: two more minutes
    assert any("keeps going on #2" in env.connector.texts(c) for c in env.connector.posts())

    # a takeaway through its form (the Send button inside the "Takeaway" card), then the minutes
    send = action(action(board(env, board_id), "Takeaway")["card"], "Send")
    status, answer = await env.post(
        env.a.execute(CAROL, board_id, send["data"], inputs={"text": "Pair on the hard bits"})
    )
    assert status == 200 and "Pair on the hard bits" not in text(board(env, board_id))
    await env.post(env.a.mention(CAROL, "leancoffee takeaway Rotate pairs daily"))
    await env.post(env.a.mention(OWNER, "leancoffee end"))
    minutes = await Minutes.get(session_id=sid)
    posted = [c for c in env.connector.posts() if "Rotate pairs daily" in env.connector.texts(c)]
    assert posted, "the minutes were not posted"
    assert "Pairing" in env.connector.texts(posted[-1])
    assert "ended" in text(board(env, board_id)).lower()
    assert "Pair on the hard bits" in minutes.markdown and "Rotate pairs daily" in minutes.markdown


async def test_a_vote_delivered_again_to_another_process_counts_once(env: TeamsEnv):
    """The re-delivery record commits with the vote (one transaction): the same click delivered
    again, to this process or to another one (a restart forgets everything), adds no dot and is
    answered without the person's private note."""
    await env.post(env.a.mention(OWNER, "leancoffee start --title Twice"))
    await env.post(env.a.mention(ALICE, "leancoffee propose Pairing"))
    await env.post(env.a.mention(OWNER, "leancoffee voting open"))
    sid, board_id = await board_message(env)
    data = next(
        a["data"]
        for a in actions_of(board(env, board_id))
        if str((a.get("data") or {}).get("copkit", "")).startswith("leancoffee:vote")
    )
    click = env.a.execute(
        BOB, board_id, data, inputs={"_sel": "1"} if "_sel" in str(data) else None
    )
    status, first = await env.post(click)
    assert status == 200 and first["statusCode"] == 200
    assert await Vote.filter(session_id=sid).count() == 1
    for restart in (False, True):
        if restart:
            await env.restart()
        status, again = await env.post(click)
        assert status == 200
        assert await Vote.filter(session_id=sid).count() == 1
        assert again["value"] == "Done."  # the answer was Bob's alone: it was not kept


class _Trips:
    """What reaches the database driver, one entry per trip: an asyncpg call's SQL, or on SQLite
    a call into aiosqlite's thread (a writer batch: the SQL of all its writes)."""

    def __init__(self, monkeypatch) -> None:  # noqa: ANN001
        import aiosqlite
        import asyncpg

        self.sent: list[str] = []
        sent = self.sent
        original = aiosqlite.Connection._execute

        async def sqlite_trip(conn, fn, *args, **kwargs):  # noqa: ANN001, ANN202
            text = repr(args)  # (a writer batch: its compiled writes, SQL and all)
            sent.append(text if "INSERT" in text or "DELETE" in text else str(args[:1]))
            return await original(conn, fn, *args, **kwargs)

        monkeypatch.setattr(aiosqlite.Connection, "_execute", sqlite_trip)
        for name in ("execute", "fetch", "fetchrow", "fetchval", "executemany"):
            method = getattr(asyncpg.connection.Connection, name)

            def wrap(method):  # noqa: ANN001, ANN202
                async def pg_trip(conn, *args, **kwargs):  # noqa: ANN001, ANN202
                    sent.append(str(args[0]) if args else "")
                    return await method(conn, *args, **kwargs)

                return pg_trip

            monkeypatch.setattr(asyncpg.connection.Connection, name, wrap(method))


async def test_a_dot_and_its_re_delivery_record_are_one_trip(env: TeamsEnv, monkeypatch):
    """A click that gives or takes back a dot writes the dot and the record that the activity was
    answered in one statement (one transaction): no trip of its own for the record, and none to
    look the topic up first (issue 20)."""
    await env.post(env.a.mention(OWNER, "leancoffee start --title Trips"))
    await env.post(env.a.mention(ALICE, "leancoffee propose Pairing"))
    await env.post(env.a.mention(OWNER, "leancoffee voting open"))
    await env.post(env.a.mention(BOB, "help"))  # known to copkit already
    sid, board_id = await board_message(env)
    [topic] = await Topic.filter(session_id=sid)
    for route, dots in (("leancoffee:vote:page:1", 1), ("leancoffee:unvote:pick", 0)):
        trips = _Trips(monkeypatch)
        click = env.a.execute(BOB, board_id, {"copkit": route, "selected": [str(topic.id)]})
        status, answer = await env.post(click)
        monkeypatch.undo()
        assert status == 200 and answer["statusCode"] == 200, answer
        assert "#1" in answer["value"], answer
        record = [t for t in trips.sent if "copkit_delivery" in t]
        assert len(record) == 1 and "leancoffee_vote" in record[0], trips.sent
        before = trips.sent[: trips.sent.index(record[0])]
        assert not any("leancoffee_" in t for t in before), trips.sent  # nothing read first
        assert await Vote.filter(session_id=sid, member=BOB["id"]).count() == dots


async def test_an_activity_is_recorded_before_any_of_its_writes(env: TeamsEnv, monkeypatch):
    """Writes that do not go through the writer (a topic proposed, a log line) come after the
    record that the activity was answered, so a re-delivery to another process at the same
    moment stops there; delivered again after a restart, it adds nothing."""
    await env.post(env.a.mention(OWNER, "leancoffee start --title Order"))
    await env.post(env.a.mention(BOB, "help"))  # known to copkit already
    trips = _Trips(monkeypatch)
    proposal = env.a.mention(BOB, "leancoffee propose Pairing")
    status, _answer = await env.post(proposal)
    monkeypatch.undo()
    assert status in (200, 202)
    writes = [t for t in trips.sent if firstwrite.is_write(t.strip("('\""))]
    assert writes and "copkit_delivery" in writes[0], writes
    assert any("leancoffee_topic" in t for t in writes), writes
    await env.restart()
    status, _answer = await env.post(proposal)
    assert status in (200, 202)
    assert [t.title for t in await Topic.all()] == ["Pairing"]
