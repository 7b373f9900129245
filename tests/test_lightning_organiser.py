"""Lightning talks as an organiser runs several: which event a plain sign-up goes to, a cutoff
given as "how long before", a heads-up when the run starts early, speakers reminded, and the
slot of a skipped talk offered to the waiting list."""

from __future__ import annotations

import pytest

from copkit.plugins.lightningtalks.models import Event, Talk
from copkit.testing import Harness

PLUGINS = ["copkit.plugins.core_commands", "copkit.plugins.lightningtalks"]
# The fake clock starts on Monday 2026-01-05 09:00 UTC.


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        for who in ("ann", "bob", "cid"):
            await h.say(who, "help lightning")
        yield h


def said(msgs) -> str:
    return "\n".join(f"{m.view.title} {m.view.text}" for m in msgs)


def private(h: Harness, person: str, since: int = 0) -> str:
    return "\n".join(
        f"{m.view.title} {m.view.text}" for m in h.messenger.log[since:] if m.private_to == person
    )


async def test_a_plain_signup_with_two_events_open_takes_the_sooner_and_says_so(h):
    await h.say("leader", 'lightning open Later --at "2026-01-12 17:00"')
    await h.say("leader", 'lightning open Sooner --at "2026-01-09 17:00"')
    later, sooner = await Event.all().order_by("id")
    out = said(await h.say("ann", "lightning signup Property tests"))
    assert "line-up of “Sooner”" in out
    assert f"Another lightning talks event is open too (#{later.id})" in out
    assert f"--event {later.id}" in out
    assert await Talk.filter(event_id=sooner.id, speaker_id="ann").exists()
    # naming the event takes that one, without the note
    out = said(await h.say("ann", f"lightning signup Property tests --event {later.id}"))
    assert "line-up of “Later”" in out and "open too" not in out
    # the line-up shown without a number is the sooner one too
    assert "Sooner" in said(await h.say("bob", "lightning lineup"))


async def test_a_cutoff_can_be_how_long_before_the_start(h):
    await h.say("leader", 'lightning open Friday --at "2026-01-09 17:00" --cutoff 1h')
    ev = await Event.get()
    assert ev.cutoff_at is not None and (ev.starts_at - ev.cutoff_at).total_seconds() == 3600
    out = said(await h.say("leader", 'lightning open Soon --at "2026-01-05 10:00" --cutoff 2h'))
    assert "already past" in out
    assert await Event.all().count() == 1
    # a time still works
    await h.say(
        "leader", 'lightning open Monday --at "2026-01-12 17:00" --cutoff "2026-01-12 12:00"'
    )
    ev = await Event.get(title="Monday")
    assert ev.cutoff_at is not None and ev.cutoff_at.hour == 12


async def test_speakers_are_reminded_and_an_early_run_gets_a_heads_up(h):
    await h.say("leader", 'lightning open Friday --at "2026-01-05 17:00"')
    await h.say("ann", "lightning signup Property tests")
    mark = len(h.messenger.log)
    await h.advance(hours=7, minutes=20)  # 16:20: not yet
    assert "Reminder" not in private(h, "ann", mark)
    await h.advance(minutes=15)  # 16:35: 25 minutes before
    text = private(h, "ann", mark)
    assert text.count("Reminder: you give “Property tests” at “Friday”") == 1

    await h.say("leader", 'lightning open Next --at "2026-01-09 17:00"')
    ev = await Event.get(title="Next")
    await h.say("bob", f"lightning signup Rust --event {ev.id}")
    out = said(await h.say("leader", f"lightning run --event {ev.id}"))
    assert "Heads-up: “Next” was planned for" in out and "4 days from now" in out
    assert (await Event.get(id=ev.id)).status == "running"
    # its reminder will not come: the talks are on
    mark = len(h.messenger.log)
    await h.advance(days=4)
    assert "Reminder" not in private(h, "bob", mark)


async def test_the_slot_of_a_skipped_talk_goes_to_the_first_person_waiting(h):
    await h.say("leader", 'lightning open Friday --at "2026-01-05 09:30" --slots 2')
    for who, title in (("ann", "A"), ("bob", "B"), ("cid", "C")):
        await h.say(who, f"lightning signup {title}")
    ev = await Event.get()
    assert await Talk.filter(event_id=ev.id, status="waiting").count() == 1
    await h.advance(minutes=30)
    await h.say("leader", "lightning run")
    mark = len(h.messenger.log)
    await h.say("leader", "lightning skip")  # the first talk was not given
    assert "a slot opened: “C” is now at the end of the line-up" in private(h, "cid", mark)
    await h.say("leader", "lightning next")
    live = await Talk.get(event_id=ev.id, status="live")
    assert live.speaker_id == "cid"
    await h.say("leader", "lightning next")
    assert (await Event.get(id=ev.id)).status == "done"
    # a talk given does not free a slot: nobody else was waiting anyway, and none was promoted twice
    assert await Talk.filter(event_id=ev.id, status="done").count() == 2
