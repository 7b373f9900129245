"""The leader plus one friend cannot read a third member's answers; the public count and the log
show nobody arriving; comments can wait for the leader's approval; the results' post is its own
step, done once even across a crash."""

from __future__ import annotations

import logging

import pytest
from test_healthcheck_helpers import PLUGINS, answer, close, start, text_of

from copkit.core.models import Job, LogEntry
from copkit.plugins.healthcheck.models import Answer, Note, Pulse, PulseVote, Round
from copkit.testing import Harness


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        yield h


def _shown(out) -> str:
    return "\n".join(text_of(m.view) for m in out)


async def test_leader_and_a_friend_cannot_read_a_third_members_answers(h):
    rid = await start(h)  # minimum 3
    await answer(h, "leader", rid, "green", comments={0: "leader words"})
    await answer(h, "friend", rid, "green")
    await answer(h, "victim", rid, "red", "worse", comments={0: "victim words"})
    out = await close(h)
    text = _shown(out)
    assert "victim words" not in text and "🔴" not in text
    assert "Only 2 members answered (3 needed)" in text
    assert "not counted towards the minimum" in text
    assert await Answer.filter(round_id=rid).count() == 0  # discarded unread
    # The same when the close timer closes it: the one who opened it does not count either.
    rid = await start(h, "--closes-in 1h")
    for who in ("leader", "friend", "victim"):
        await answer(h, who, rid, "red")
    await h.advance(hours=1)
    assert not (await Round.get(id=rid)).enough


async def test_the_count_moves_in_steps_and_nothing_tells_who_answered_when(h, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("tortoise.db_client", "asyncpg", "aiosqlite"):
        caplog.set_level(logging.INFO, logger=name)
    rid = await start(h)
    key = f"healthcheck:round:{rid}"
    ref = await h.rt.view_ref((await h.rt.community(h.community_ref)).row, key)
    message = h.messenger.messages[ref["message_id"]]
    versions = []
    for who in ("ann", "bob", "cid", "dan", "eve", "fay"):
        await answer(h, who, rid, "red", comments={0: f"words of {who}"})
        versions.append(len(message.history))
        assert "ann" not in text_of(message.view)
    assert (await h.view(key)).fields[0].value == "5 or more"
    # Edited only when the step changed (at 3 and at 5), never on one person's first answer.
    assert versions == [1, 1, 2, 2, 3, 3]
    status = (await h.say("zed", "healthcheck status"))[-1].view.text
    assert "Answers so far: 5 or more" in status
    log = (await h.say("leader", "log --last 200"))[-1].view.text
    assert "healthcheck.response" not in log
    assert not await LogEntry.filter(member__in=["ann", "bob", "cid"]).exists()
    await close(h)
    for rec in caplog.records:  # no answer at any log level
        assert "words of" not in rec.getMessage() and "red" not in rec.getMessage().split()


async def test_comments_wait_for_the_leaders_approval(h):
    rid = await start(h, "--moderate")
    for who in ("ann", "bob", "cid"):
        await answer(h, who, rid, "amber", comments={0: f"remark of {who}"}, note=f"note {who}")
    out = await close(h)
    text = _shown(out)
    assert "remark of" not in text and "note " not in text
    assert "6 comments wait for the leader's approval." in text
    out = await h.say("ann", "healthcheck comments")
    assert out[-1].view.tone == "error"  # only the leader or core team
    listing = (await h.say("leader", "healthcheck comments"))[-1]
    assert listing.private_to == "leader"
    pending = h.last("leader").text
    assert pending.count("remark of") == 3 and pending.count("note ") == 3
    out = await h.say("leader", "healthcheck approve 9")
    assert "No held comment 9" in out[-1].view.text
    lines = pending.splitlines()
    first = next(i for i, ln in enumerate(lines, 1) if "remark of ann" in ln)
    last = next(i for i, ln in enumerate(lines, 1) if "note cid" in ln)
    out = await h.say("leader", f"healthcheck reject {last}")
    assert "1 comment deleted." in out[0].view.text
    pending = (await h.say("leader", "healthcheck comments"))[-1].view.text
    first = next(i for i, ln in enumerate(pending.splitlines(), 1) if "remark of ann" in ln)
    await h.say("leader", f"healthcheck approve {first}")
    results = await h.view(f"healthcheck:results:{rid}")  # the posted results, edited
    assert "remark of ann" in text_of(results) and "remark of bob" not in text_of(results)
    assert "4 comments wait" in text_of(results)
    await h.say("leader", "healthcheck approve all")
    shown = text_of((await h.say("zed", "healthcheck results"))[-1].view)
    assert "remark of bob" in shown and "note ann" in shown and "note cid" not in shown
    assert await Note.filter(round_id=rid).count() == 2


async def test_results_are_posted_once_by_their_own_job_even_across_a_crash(h):
    rid = await start(h)
    for who in ("ann", "bob", "cid"):
        await answer(h, who, rid, "green")
    await h.say("leader", "healthcheck close")  # the process dies before the post runs
    post = await Job.get(handler="healthcheck.post")
    assert post.payload == {"round": rid} and post.done_at is None
    before = len(h.messenger.log)
    await h.restart()  # the next process posts them
    titles = [m.view.title for m in h.messenger.log[before:]]
    assert titles.count("Health check #1: results") == 1
    # Run again (a retry, a second claim after a lost lease): nothing is posted twice.
    await Job.filter(id=post.id).update(done_at=None, claimed_by=None)
    await h.advance(seconds=0)
    titles = [m.view.title for m in h.messenger.log[before:]]
    assert titles.count("Health check #1: results") == 1


async def test_an_anonymous_pulse_needs_three_votes_besides_its_starter(h):
    await h.say("leader", 'healthcheck pulse "Move to Thursdays?" yes no --closes-in 1h')
    poll = h.last().poll
    for who, option in (("leader", 0), ("friend", 0), ("victim", 1)):
        await h.click(who, f"{poll.action_id}:{option}")
    assert (await h.view(poll.action_id)).fields[0].value == "3 or more"  # in steps
    votes = await PulseVote.all().values_list("member", flat=True)
    assert not {"leader", "friend", "victim"} & set(votes)  # tokens, not ids
    first = len(h.messenger.log)
    await h.advance(hours=1)  # the close, then the result's own job
    shown = _shown(h.messenger.log[first:])
    assert "not enough answers to stay anonymous" in shown and "◀" not in shown
    assert await Job.filter(handler="healthcheck.pulse_post", done_at__not_isnull=True).count() == 1
    assert await PulseVote.all().count() == 0 and not (await Pulse.get()).secret
