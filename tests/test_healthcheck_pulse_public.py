"""A public pulse (``healthcheck pulse … --public``): not anonymous and says so, a poll a platform
may show natively, whole hours, no minimum number of votes, counts at the close, restart-safe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_healthcheck_helpers import PLUGINS, text_of

from copkit.core.models import Job
from copkit.plugins.healthcheck import pulse
from copkit.plugins.healthcheck.models import Pulse, PulseVote
from copkit.testing import Harness


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        yield h


def test_whole_hours():
    cases = {
        timedelta(minutes=5): 1,
        timedelta(minutes=89): 1,
        timedelta(minutes=90): 2,
        timedelta(hours=3): 3,
        timedelta(hours=2, minutes=31): 3,
        timedelta(days=32): 768,
        timedelta(days=40): 768,
    }
    for given, hours in cases.items():
        assert pulse.whole_hours(given) == timedelta(hours=hours), given


async def test_public_pulse_is_a_visible_poll_counted_without_threshold(h):
    out = await h.say("leader", 'healthcheck pulse "Pizza on Friday?" yes no maybe --public')
    view = out[0].view
    poll = view.poll
    assert poll is not None and not poll.anonymous and poll.hours == 24  # the default, 1 day
    assert poll.question == "Pizza on Friday?" and poll.options == ("yes", "no", "maybe")
    assert "Not anonymous" in view.text and "visible to everyone" in view.text
    assert "Anonymous" not in text_of(view)
    assert len(out) == 1, "a whole-day pulse needs no rounding note"
    p = await Pulse.get()
    assert p.public and p.min_responses == 0
    assert p.closes_at - p.opened_at == timedelta(days=1)

    pid = poll.action_id
    out = await h.click("ann", f"{pid}:2")
    ack = [m for m in out if m.private_to == "ann"]
    assert ack and "Your vote: maybe. Not anonymous" in ack[0].view.text
    await h.click("ann", f"{pid}:0")  # changes her mind: counted once
    await h.click("bob", f"{pid}:1")
    assert (await h.view(pid)).fields[0].value == "2"
    # A vote taken back on the platform's own poll (Discord reports it): only if still that vote.
    out = await h.click("cid", f"{pid}:1")
    assert (await h.view(pid)).fields[0].value == "3"
    out = await h.click("cid", f"{pid}:0", {"removed": True})
    assert (await h.view(pid)).fields[0].value == "3"
    out = await h.click("cid", f"{pid}:1", {"removed": True})
    assert [m.private_to for m in out] == [], "a taken-back vote needs no answer"
    assert (await h.view(pid)).fields[0].value == "2"
    assert await PulseVote.filter(pulse_id=p.id).count() == 2

    await h.advance(hours=24)
    res = h.last()
    assert res.title == "Pulse check: Pizza on Friday?"
    assert res.text.splitlines() == [
        "yes: █████ 1 (50%) ◀",
        "no: █████ 1 (50%) ◀",
        "maybe:  0 (0%)",
    ]
    assert res.footer == "2 votes." and "anonymous" not in res.footer
    closed = await h.view(pid)
    assert closed.poll is None and closed.text == res.text, "the pulse's own message shows it too"
    assert await PulseVote.all().count() == 0
    p = await Pulse.get()
    assert p.status == "closed" and p.counts == [1, 1, 0] and p.voters == 2 and p.enough
    out = await h.click("cid", f"{pid}:0")
    assert "This poll is closed." in out[-1].view.text


async def test_duration_rounded_to_whole_hours_and_the_starter_told(h):
    out = await h.say("leader", 'healthcheck pulse "Retro format?" a b --public --closes-in 90m')
    assert out[0].view.poll.hours == 2
    note = [m for m in out if m.private_to == "leader"]
    assert note and "whole hours" in note[0].view.text and "2 hours" in note[0].view.text
    p = await Pulse.get()
    assert p.closes_at - p.opened_at == timedelta(hours=2)
    job = await Job.get(id=p.close_job_id)
    assert job.due_at == p.closes_at

    out = await h.say("leader", 'healthcheck pulse "Short?" a b --public --closes-in 5m')
    assert out[0].view.poll.hours == 1 and "1 hour" in out[-1].view.text

    out = await h.say("leader", 'healthcheck pulse "Exact?" a b --public --closes-in 3h')
    assert [m.private_to for m in out] == [None], "no note when nothing was rounded"

    # An anonymous pulse keeps its exact duration and says nothing about hours.
    out = await h.say("leader", 'healthcheck pulse "Anon?" a b --closes-in 90m')
    assert out[0].view.poll.anonymous and len(out) == 1
    p = await Pulse.filter(question="Anon?").get()
    assert not p.public and p.min_responses == 3
    assert p.closes_at - p.opened_at == timedelta(minutes=90)


async def test_no_votes_and_one_vote_are_shown(h):
    await h.say("leader", 'healthcheck pulse "Anyone?" yes no --public --closes-in 1h')
    await h.advance(hours=1)
    assert h.last().footer == "0 votes." and h.last().tone != "warning"

    await h.say("leader", 'healthcheck pulse "Just you?" yes no --public --closes-in 1h')
    await h.click("ann", f"{h.last().poll.action_id}:1")
    await h.advance(hours=1)
    res = h.last()
    assert res.footer == "1 vote." and "no: ██████████ 1 (100%) ◀" in res.text


async def test_bad_input_and_roles_change_nothing(h):
    for who, line, expected in [
        ("leader", 'healthcheck pulse "Q?" only --public', "Give 2 to 10 options"),
        ("leader", 'healthcheck pulse "Q?" a A --public', "Two options are the same"),
        ("leader", 'healthcheck pulse "Q?" a b --public --closes-in 1m', "between 5 minutes"),
        ("leader", 'healthcheck pulse "Q?" a b --public --closes-in 33d', "between 5 minutes"),
        ("leader", 'healthcheck pulse "Q?" a b --public --closes-in soon', "duration"),
        ("ann", 'healthcheck pulse "Q?" a b --public', "Only"),
    ]:
        out = await h.say(who, line)
        assert expected in text_of(out[-1].view), (line, text_of(out[-1].view))
        assert out[-1].view.poll is None
    assert await Pulse.all().count() == 0
    assert await Job.all().count() == 0


async def test_restart_keeps_the_public_pulse_and_its_close(h):
    await h.say("leader", 'healthcheck pulse "Keep going?" yes no --public --closes-in 2h')
    pid = h.last().poll.action_id
    await h.click("ann", f"{pid}:0")
    await h.restart()
    await h.click("bob", f"{pid}:0")
    await h.click("cid", f"{pid}:1")
    await h.advance(hours=2)
    res = h.last()
    assert res.text.splitlines()[0] == "yes: ███████ 2 (67%) ◀" and res.footer == "3 votes."
