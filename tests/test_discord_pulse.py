"""A health-check pulse on Discord: a public pulse is a native poll whose votes arrive as gateway
events (MESSAGE_POLL_VOTE_ADD, and _REMOVE when a vote is taken back), counted through a restart
and shown at the close; an anonymous pulse is never a native poll (Discord shows who voted)."""

from __future__ import annotations

import pytest
from fakes.discord_bot import BotUnderTest
from fakes.discord_server import EPHEMERAL, labels_of, text_of

from copkit.adapters.discord import inbound as discord_inbound
from copkit.plugins.healthcheck.models import Pulse, PulseVote

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.healthcheck")


@pytest.fixture
async def world(fake, db_url):
    olga = fake.user("olga")
    people = [fake.user(n) for n in ("ann", "bob", "cid")]
    guild = fake.add_guild("CoP", owner=olga, members=people)
    general = fake.add_channel(guild, "general")
    bot = await BotUnderTest(fake, db_url, plugins=PLUGINS).start()
    yield bot, olga, people, general
    await bot.stop()


def fields_of(msg: dict) -> dict[str, str]:
    return {f["name"]: f["value"] for e in msg.get("embeds") or [] for f in e.get("fields", [])}


def poll_of(call) -> dict | None:
    body = call.json if isinstance(call.json, dict) else {}
    return body.get("poll") or (body.get("data") or {}).get("poll")


async def test_public_pulse_is_a_native_poll_with_vote_events(fake, world):
    bot, olga, (ann, bob, cid), general = world
    mark = fake.mark()
    start = await bot.slash(
        olga,
        general,
        "healthcheck pulse",
        {"question": "Pizza on Friday?", "options": "yes no maybe", "public": True,
         "closes-in": "90m"},
    )  # fmt: skip
    view_msg = fake.message_of(start)
    assert "Not anonymous" in text_of(view_msg) and labels_of(view_msg) == []

    polls = [c for c in fake.calls[mark:] if poll_of(c)]
    assert len(polls) == 1, "one native poll, in its own message"
    payload = polls[0].json
    poll = payload["poll"]
    assert poll["question"]["text"] == "Pizza on Friday?"
    assert [a["poll_media"]["text"] for a in poll["answers"]] == ["yes", "no", "maybe"]
    assert poll["duration"] == 2 and not poll.get("allow_multiselect")  # 90 minutes → 2 hours
    assert payload["allowed_mentions"]["parse"] == []
    note = [c for c in fake.calls[mark:] if (c.json or {}).get("flags", 0) & EPHEMERAL]
    assert note and "closes in 2 hours" in text_of(note[0].json), "the starter is told"
    poll_msg = next(m for m in fake.messages.values() if m.get("poll"))
    pulse = await Pulse.get()
    assert pulse.public and pulse.room_id == general["id"]

    # Votes arrive as gateway events; the view above the poll counts them.
    for who, answer in ((ann, 1), (bob, 2)):
        mark = fake.mark()
        await fake.vote(who, poll_msg, answer)
        await fake.wait_for("PATCH", rf"/channels/\d+/messages/{view_msg['id']}", since=mark)
        await bot.settle()
    assert fields_of(fake.messages[int(view_msg["id"])])["Votes so far"] == "2"
    await fake.quiet(0.1)
    assert not fake.find("POST", r"/users/@me/channels"), "no DM: Discord shows the vote itself"

    # A changed vote (Discord sends the new answer) and a vote after a restart: counted once each.
    await bot.restart()
    for who, answer in ((ann, 2), (cid, 2)):
        mark = fake.mark()
        await fake.vote(who, poll_msg, answer)
        await fake.wait_for("PATCH", rf"/channels/\d+/messages/{view_msg['id']}", since=mark)
        await bot.settle()
    assert fields_of(fake.messages[int(view_msg["id"])])["Votes so far"] == "3"
    assert sorted(await PulseVote.all().values_list("option", flat=True)) == [1, 1, 1]
    await fake.vote(ann, poll_msg, 9)  # no such answer: ignored
    await fake.quiet(0.2)
    assert await PulseVote.filter(option__gt=2).count() == 0

    # A vote taken back (MESSAGE_POLL_VOTE_REMOVE) is taken back here too; taking back an answer
    # that is no longer one's vote (Discord's remove of a changed vote, late) changes nothing.
    await fake.vote(bob, poll_msg, 1, remove=True)
    await fake.quiet(0.2)
    await bot.settle()
    assert await PulseVote.all().count() == 3
    mark = fake.mark()
    await fake.vote(bob, poll_msg, 2, remove=True)
    await fake.wait_for("PATCH", rf"/channels/\d+/messages/{view_msg['id']}", since=mark)
    await bot.settle()
    assert fields_of(fake.messages[int(view_msg["id"])])["Votes so far"] == "2"
    assert not fake.find("POST", r"/users/@me/channels"), "nothing to tell bob"

    # The close (a persisted timer) ends the poll and posts the counts.
    mark = fake.mark()
    assert await bot.advance(hours=2) >= 1
    await fake.wait_for("POST", rf"/channels/\d+/polls/{poll_msg['id']}/expire", since=mark)
    posted = fake.find("POST", rf"/channels/{general['id']}/messages", mark)
    result = [c for c in posted if "Pulse check: Pizza on Friday?" in text_of(c.json)]
    assert result, [text_of(c.json) for c in posted]
    shown = text_of(result[0].json)
    assert "no: ██████████ 2 (100%) ◀" in shown and "2 votes." in shown
    assert result[0].json["allowed_mentions"]["parse"] == []
    assert "Pizza on Friday?" in text_of(fake.messages[int(view_msg["id"])])
    assert await PulseVote.all().count() == 0
    assert (await Pulse.get()).counts == [0, 2, 0]


async def test_anonymous_pulse_is_never_a_native_poll(fake, world, monkeypatch):
    bot, olga, (ann, bob, cid), general = world
    monkeypatch.setattr(discord_inbound, "POLL_RECORD_TRIES", 1)  # no wait for a poll record
    mark = fake.mark()
    start = await bot.slash(
        olga, general, "healthcheck pulse", {"question": "Honest?", "options": "yes no"}
    )
    msg = fake.message_of(start)
    await fake.quiet(0.1)
    assert not [c for c in fake.calls[mark:] if poll_of(c)]
    assert not any(m.get("poll") for m in fake.messages.values())
    assert labels_of(msg) == ["1. yes", "2. no"]
    assert "Anonymous" in text_of(msg)
    # A poll vote event for a message that is no native poll changes nothing.
    await fake.vote(ann, msg, 1)
    await fake.quiet(0.2)
    assert await PulseVote.all().count() == 0
