"""A lean coffee in a Discord voice channel, with the real discord.py client against the fake
Discord: three people in voice are the participants, the board lives in the voice channel's text
chat, topics come through the modal and the slash command, dots through the select, the timebox
ends after a restart, the thumbs vote closes when everyone in voice voted, and the minutes are
posted. A topic titled "@everyone free nitro" pings nobody."""

from __future__ import annotations

from fakes.discord_bot import BotUnderTest
from fakes.discord_server import EPHEMERAL, FakeDiscord, labels_of, text_of

from copkit.core.models import ShownView
from copkit.plugins.leancoffee.models import Minutes, Participant, Session, Topic, Vote
from copkit.plugins.leancoffee.routes import board_key

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.leancoffee")
CALLBACK = r"/interactions/\d+/[^/]+/callback"
BOT: list[BotUnderTest] = []


async def test_lean_coffee_in_a_voice_channel(fake: FakeDiscord, db_url: str):
    olga, ann, bob = fake.user("olga"), fake.user("ann"), fake.user("bob")
    crowd = [fake.user(f"p{n}") for n in range(10)]
    guild = fake.add_guild("CoP", owner=olga, members=[ann, bob, *crowd])
    fake.add_channel(guild, "general")
    voice = fake.add_channel(guild, "Lean coffee", voice=True)
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    BOT[:] = [bot]
    try:
        await run_scenario(fake, bot, guild, voice, olga, ann, bob, crowd)
    finally:
        await bot.stop()


async def board_of(fake: FakeDiscord, session_id: int) -> dict:
    shown = await ShownView.get(key=board_key(session_id))
    return fake.messages[int(shown.ref["message_id"])]


async def press(fake: FakeDiscord, who: dict, message: dict, label: str, **kw) -> dict:
    """``who`` clicks; returns the callback Discord received for that click (once handled)."""
    mark = fake.mark()
    await fake.click(who, message, label, **kw)
    call = await fake.wait_for("POST", CALLBACK, since=mark)
    await BOT[0].settle()
    return call


async def run_scenario(fake, bot, guild, voice, olga, ann, bob, crowd) -> None:
    # three people join the voice channel: they are the room's presence
    for user in (olga, ann, bob):
        await fake.voice(guild, voice, user)
    await bot.settle()

    # the owner (the community's leader) starts from the voice channel's chat
    mark = fake.mark()
    await fake.slash(olga, voice, "leancoffee start", {"timebox": "5m", "title": "Retro"})
    start = await fake.wait_for("POST", CALLBACK, since=mark)
    await bot.settle()
    assert start.json["type"] == 4 and not start.json["data"].get("flags", 0) & EPHEMERAL
    s = await Session.get(room_id=voice["id"])
    board = await board_of(fake, s.id)
    assert board["channel_id"] == voice["id"], "the board is in the voice channel's text chat"
    assert "Proposing topics" in text_of(board)
    assert sorted(await Participant.filter(session_id=s.id).values_list("member", flat=True)) == (
        sorted([olga["id"], ann["id"], bob["id"]])
    )

    # propose through the modal (twice) and through the slash command
    opened = await press(fake, ann, board, "Propose a topic")
    assert opened.json["type"] == 9
    modal = opened.json["data"]
    assert [r["components"][0]["custom_id"] for r in modal["components"]] == ["title", "pitch"]
    mark = fake.mark()
    await fake.submit(ann, modal, {"title": "@everyone free nitro", "pitch": ""}, message=board)
    added = await fake.wait_for("POST", CALLBACK, since=mark)
    await bot.settle()
    board = await board_of(fake, s.id)
    assert "#1** @\u200beveryone free nitro" in text_of(board)
    assert "Added #1" not in text_of(board)
    assert "Added #1" in text_of(added.json.get("data") or {}) or any(
        "Added #1" in text_of(c.json) for c in fake.find("POST", r"/webhooks/.*", mark)
    )
    mark = fake.mark()
    await fake.slash(bob, voice, "leancoffee propose", {"title": "Pairing"})
    await fake.wait_for("POST", CALLBACK, since=mark)
    await bot.settle()
    opened = await press(fake, olga, board, "Propose a topic")
    mark = fake.mark()
    await fake.submit(olga, opened.json["data"], {"title": "Career ladders"}, message=board)
    await fake.wait_for("POST", CALLBACK, since=mark)
    await bot.settle()
    topics = await Topic.filter(session_id=s.id).order_by("number")
    assert [t.title for t in topics] == ["@everyone free nitro", "Pairing", "Career ladders"]

    # only the leader or core team opens voting
    refused = await press(fake, bob, board, "Open voting")
    assert "Only the leader or core team can open voting." in text_of(refused.json["data"])
    assert refused.json["data"]["flags"] & EPHEMERAL
    await press(fake, olga, board, "Open voting")
    board = await board_of(fake, s.id)
    assert "Voting is open" in text_of(board)
    assert "Give a dot to…" in labels_of(board)

    # dots through the select; each voter hears back privately
    async def dot(who: dict, topic: Topic) -> None:
        mark = fake.mark()
        await fake.click(who, await board_of(fake, s.id), "Give a dot to…", values=[str(topic.id)])
        await fake.wait_for("POST", CALLBACK, since=mark)
        await bot.settle()

    await dot(ann, topics[1])
    await dot(ann, topics[1])
    await dot(bob, topics[1])
    await dot(bob, topics[0])
    await dot(olga, topics[2])
    assert await Vote.filter(session_id=s.id).count() == 5
    assert "3 dots" in text_of(await board_of(fake, s.id))

    # ten people pick at the same moment: each dot counted once, the board ends on the total
    board = await board_of(fake, s.id)
    mark = fake.mark()
    for who in crowd:
        await fake.click(who, board, "Give a dot to…", values=[str(topics[0].id)])
    await fake.wait_for("POST", CALLBACK, since=mark, count=len(crowd))
    await bot.settle()
    assert await Vote.filter(session_id=s.id, topic_id=topics[0].id).count() == 11
    assert "11 dots" in text_of(await board_of(fake, s.id))

    # close voting: the top topic starts
    mark = fake.mark()
    await press(fake, olga, await board_of(fake, s.id), "Close voting and start")
    await bot.settle()
    said = [text_of(b) for b in fake.posted(mark)]
    assert any("Now discussing #1 @\u200beveryone free nitro" in t for t in said), said

    # the process restarts; the timebox ends: the thumbs vote reaches the voice chat by itself
    await bot.restart()
    mark = fake.mark()
    assert await bot.advance(minutes=6) >= 1
    thumbs_post = next(
        c
        for c in fake.find("POST", rf"/channels/{voice['id']}/messages", mark)
        if "Keep going on #1 @\u200beveryone free nitro?" in text_of(c.json)
    )
    thumbs = fake.message_of(thumbs_post)
    assert labels_of(thumbs) == ["👍 Keep going", "✋ Neutral", "👎 Move on"]

    # everyone in voice votes: the vote closes at once, no need to wait for the window
    got = await press(fake, ann, thumbs, "👍 Keep going")
    assert "Got your 👍." in text_of(got.json.get("data") or {}) or any(
        "Got your 👍." in text_of(c.json) for c in fake.calls[-3:] if c.json
    )
    await press(fake, bob, thumbs, "✋ Neutral")
    mark = fake.mark()
    await press(fake, olga, thumbs, "👍 Keep going")
    await bot.settle()
    assert any("keeps going on #1" in text_of(b) for b in fake.posted(mark))

    # a takeaway through its modal, an action item by slash command, then the end and minutes
    opened = await press(fake, ann, await board_of(fake, s.id), "Takeaway")
    mark = fake.mark()
    await fake.submit(ann, opened.json["data"], {"text": "Pair on the hard bits"}, message=board)
    await fake.wait_for("POST", CALLBACK, since=mark)
    await bot.settle()
    mark = fake.mark()
    await fake.slash(
        bob, voice, "leancoffee action", {"text": "Set up a pairing rota", "owner": bob}
    )
    await fake.wait_for("POST", CALLBACK, since=mark)
    await bot.settle()
    mark = fake.mark()
    await fake.slash(olga, voice, "leancoffee end")
    await fake.wait_for("POST", CALLBACK, since=mark)
    await bot.settle()
    minutes = await Minutes.get(session_id=s.id)
    assert (
        "Pair on the hard bits" in minutes.markdown and "Set up a pairing rota" in minutes.markdown
    )
    posted = [b for b in fake.posted(mark) if "Pair on the hard bits" in text_of(b)]
    assert posted, "the minutes are posted in the voice chat"
    assert "ended" in text_of(await board_of(fake, s.id)).lower()

    # nothing the bot sent in the whole session could ping anyone
    for c in fake.calls:
        body = c.json or {}
        body = body.get("data", body) if c.path.endswith("/callback") else body
        if c.method in ("POST", "PATCH") and isinstance(body, dict) and "embeds" in body:
            assert body.get("allowed_mentions") == {"parse": []}, c
