"""Lightning talks through the core: sign-ups, waiting list, cutoff, organising, run of show."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

import pytest
from conftest import PG_URL, requires_postgres, reset_postgres

from copkit.core.models import Job, LogEntry
from copkit.core.views import ToThread
from copkit.plugins.lightningtalks import logic
from copkit.plugins.lightningtalks.models import Event, Feedback, Talk
from copkit.testing import Harness

PLUGINS = ["copkit.plugins.core_commands", "copkit.plugins.lightningtalks"]
PEOPLE = ("ann", "bob", "cid", "dee", "eve")
# The fake clock starts on Monday 2026-01-05 09:00 UTC (10:00 in Paris).
OPEN = 'lightning open "Friday lightning" --at "2026-01-09 17:00" --slots {slots} --minutes 5'


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("leader", "timezone Europe/Paris")
        for who in PEOPLE:
            await h.say(who, "help lightning")
        yield h


def private(h: Harness, person: str, since: int = 0) -> list[str]:
    return [
        f"{m.view.title} {m.view.text}".strip()
        for m in h.messenger.log[since:]
        if m.private_to == person
    ]


async def open_event(h: Harness, slots: int = 2, extra: str = "") -> Event:
    await h.say("leader", OPEN.format(slots=slots) + " " + extra)
    return await Event.filter().order_by("-id").first()


async def lineup_text(h: Harness, ev: Event) -> str:
    return (await h.view(f"lightning:lineup:{ev.id}")).text


async def statuses(ev: Event) -> list[tuple[str, str]]:
    """Every talk in sign-up order."""
    return [(t.speaker_id, t.status) for t in await Talk.filter(event_id=ev.id).order_by("seq")]


async def running_order(ev: Event) -> list[str]:
    """The speakers of the line-up in running order."""
    talks = await Talk.filter(event_id=ev.id, status="lineup").order_by("position")
    return [t.speaker_id for t in talks]


# Opening and signing up ----------------------------------------------------------------------


async def test_open_posts_an_announcement_and_a_signup_thread(h):
    msgs = await h.say("leader", OPEN.format(slots=8) + ' --cutoff "2026-01-09 12:00"')
    ev = await Event.get(id=1)
    assert (ev.slots, ev.minutes, ev.status) == (8, 5, "open")
    assert ev.starts_at == datetime(2026, 1, 9, 16, 0, tzinfo=UTC)
    assert ev.cutoff_at == datetime(2026, 1, 9, 11, 0, tzinfo=UTC)
    announcement, thread = msgs
    assert announcement.room_id == "general"
    assert announcement.view.title == "Lightning talks: Friday lightning"
    assert "**When:** Fri 9 Jan 2026, 17:00 (Europe/Paris)" in announcement.view.text
    assert [f.value for f in announcement.view.fields] == ["0/8", "0"]
    assert isinstance(thread.target, ToThread)
    assert thread.target.name == "Lightning talks: Friday lightning"
    assert ev.thread_id == thread.room_id
    form = thread.view.buttons[0].form
    assert form is not None and form.inputs[0].max_length == 100
    # In the thread, commands find the event by themselves.
    await h.say("ann", "lightning signup Property tests", room=ev.thread_id)
    assert "1. ann — “Property tests”" in await lineup_text(h, ev)


async def test_signup_by_command_and_form_updates_the_lineup_in_place(h):
    ev = await open_event(h, slots=2)
    thread_msg = h.messenger.log[-1]
    await h.click("ann", f"lightning:signup:{ev.id}", {"title": "  Property   tests "})
    await h.say("bob", 'lightning signup "Vim in 5 minutes"')
    await h.say("cid", "lightning signup Rust for Pythonistas")
    assert thread_msg.edits == 3  # the same message, edited
    assert thread_msg.view.text.splitlines() == [
        "1. ann — “Property tests”",
        "2. bob — “Vim in 5 minutes”",
        "",
        "**Waiting list**",
        "w1. cid — “Rust for Pythonistas”",
    ]
    announcement = await h.view(f"lightning:event:{ev.id}")
    assert [f.value for f in announcement.fields] == ["2/2", "1"]
    assert "you're on the waiting list" in private(h, "cid")[-1]
    assert "You're in the line-up" in private(h, "ann")[-1]


async def test_signup_bad_input_changes_nothing(h):
    ev = await open_event(h)
    await h.say("ann", "lightning signup Property tests")
    await h.say("eve", "lightning signup Observability")
    for who, line, values, expected in [
        ("ann", "lightning signup Another one", None, "already signed up"),
        ("ann", None, {"title": "Again"}, "already signed up"),
        ("bob", "lightning signup", None, "Give your talk a title"),
        ("bob", None, {"title": "   "}, "Give your talk a title"),
        ("bob", None, {"title": "x" * 101}, "at most 100 characters"),
        ("bob", "lightning signup " + "y" * 101, None, "at most 100 characters"),
        ("bob", "lightning signup Talk --event 9", None, "There are no lightning talks #9"),
        ("bob", "lightning withdraw", None, "You are not signed up"),
        ("bob", "lightning run", None, "Only"),
        ("bob", "lightning shuffle", None, "Only"),
        ("bob", "lightning remove @ann", None, "Only"),
        ("bob", "lightning open X --at tomorrow", None, "Only"),
        ("leader", 'lightning open X --at "2026-01-04 17:00"', None, "in the past"),
        (
            "leader",
            "lightning open X --at 2026-02-04 17:00",
            None,
            '`lightning open X --at "2026-02-04 17:00"`',
        ),
        ("leader", 'lightning open X --at "2026-02-30 17:00"', None, "I can't read"),
        ("leader", 'lightning open X --at "2026-02-03 17:00" --tz Nowhere/Land', None, "time zone"),
        ("leader", 'lightning open X --at "2026-02-03 17:00" --slots 0', None, "between 1 and"),
        ("leader", 'lightning open X --at "2026-02-03 17:00" --minutes 99', None, "between 1 and"),
        (
            "leader",
            'lightning open X --at "2026-02-03 17:00" --cutoff "2026-02-04 10:00"',
            None,
            "must close before",
        ),
        ("leader", "lightning reorder 1 1", None, "only once"),
        ("leader", "lightning reorder 1 5", None, "no talk 5"),
        ("leader", "lightning reorder first", None, "not a line-up number"),
        ("leader", "lightning shuffle --seed -3", None, "whole number"),
        ("leader", "lightning feedback 5", None, "No lightning talks have finished yet"),
        ("leader", "lightning next", None, "not running"),
    ]:
        if line is not None:
            answers = await h.say(who, line)
        else:
            answers = await h.click(who, f"lightning:signup:{ev.id}", values)
        assert len(answers) == 1 and answers[0].private_to == who, (line, values)
        assert expected in answers[0].view.text, (line, values, answers[0].view.text)
    assert await Event.all().count() == 1
    assert await statuses(ev) == [("ann", "lineup"), ("eve", "lineup")]


# Waiting list, withdrawal, cutoff ------------------------------------------------------------


async def test_withdrawal_promotes_the_first_waiting_who_is_told(h):
    ev = await open_event(h, slots=2)
    for who in ("ann", "bob", "cid", "dee"):
        await h.say(who, f"lightning signup Talk by {who}")
    mark = len(h.messenger.log)
    await h.say("dee", "lightning withdraw")  # waiting: nobody moves up
    assert private(h, "cid", mark) == []
    await h.say("dee", "lightning signup Talk by dee, again")  # back at the end
    mark = len(h.messenger.log)
    await h.click("ann", f"lightning:withdraw:{ev.id}")
    assert private(h, "cid", mark) == [
        "Lightning talks A slot opened: “Talk by cid” is now in the line-up of “Friday lightning”."
    ]
    assert private(h, "dee", mark) == []
    assert await statuses(ev) == [
        ("ann", "withdrawn"),
        ("bob", "lineup"),
        ("cid", "lineup"),
        ("dee", "withdrawn"),
        ("dee", "waiting"),
    ]
    text = await lineup_text(h, ev)
    assert "1. bob — “Talk by bob”\n2. cid — “Talk by cid”" in text
    assert "w1. dee — “Talk by dee, again”" in text


async def test_cutoff_closes_signups_even_across_a_restart(h):
    ev = await open_event(h, slots=2, extra='--cutoff "2026-01-07 12:00"')
    await h.say("ann", "lightning signup First")
    await h.say("bob", "lightning signup Second")
    await h.say("cid", "lightning signup Third")
    await h.restart()
    # Past the cutoff before the timer ran: sign-ups are refused all the same.
    h.clock.advance(datetime(2026, 1, 7, 11, 0, tzinfo=UTC) - h.clock.now())
    [answer] = await h.say("dee", "lightning signup Too late")
    assert "closed" in answer.view.text
    await h.advance(seconds=1)  # the persisted cutoff timer runs now
    assert (await Event.get(id=ev.id)).status == "closed"
    view = await h.view(f"lightning:lineup:{ev.id}")
    assert [b.label for b in view.buttons] == ["Withdraw"]
    assert view.footer == "Sign-ups are closed."
    # Withdrawing after the cutoff still promotes the first waiting.
    await h.say("bob", "lightning withdraw")
    assert await statuses(ev) == [("ann", "lineup"), ("bob", "withdrawn"), ("cid", "lineup")]
    assert await Talk.filter(speaker_id="dee").count() == 0


# Organising ----------------------------------------------------------------------------------


async def test_reorder_shuffle_and_remove(h):
    ev = await open_event(h, slots=4)
    for who in PEOPLE:
        await h.say(who, f"lightning signup Talk by {who}")
    await h.say("leader", "lightning reorder 3 1")
    assert await running_order(ev) == ["cid", "ann", "bob", "dee"]

    [msg] = await h.say("leader", "lightning shuffle --seed 1234")
    expected = logic.shuffled(["ann", "bob", "cid", "dee"], 1234)  # from the sign-up order
    assert await running_order(ev) == expected
    assert f"seed 1234: {', '.join(expected)}" in msg.view.text
    assert (await Event.get(id=ev.id)).shuffle_seed == 1234
    assert await LogEntry.filter(kind="lightning.shuffled", text="1234").exists()
    assert (
        "Order drawn at random (seed 1234)." in (await h.view(f"lightning:lineup:{ev.id}")).footer
    )
    # Without a seed one is drawn, and recorded.
    await h.say("leader", "lightning shuffle")
    seed = (await Event.get(id=ev.id)).shuffle_seed
    assert seed is not None and seed != 1234
    assert await LogEntry.filter(kind="lightning.shuffled", text=str(seed)).exists()
    order = logic.shuffled(["ann", "bob", "cid", "dee"], seed)
    assert await running_order(ev) == order

    mark = len(h.messenger.log)
    await h.say("leader", f"lightning remove @{order[0]}")
    assert "The organiser removed your talk" in private(h, order[0], mark)[0]
    assert "A slot opened" in private(h, "eve", mark)[0]  # eve was waiting
    assert await running_order(ev) == [*order[1:], "eve"]
    [again] = await h.say("leader", f"lightning remove @{order[0]}")
    assert "has no talk waiting" in again.view.text


# Run of show ---------------------------------------------------------------------------------


async def test_run_of_show_timers_survive_a_restart_and_next_skip_finish(h):
    ev = await open_event(h, slots=3)
    for who in ("ann", "bob", "cid"):
        await h.say(who, f"lightning signup Talk by {who}")
    await h.say("leader", "lightning run")
    run = await h.view(f"lightning:run:{ev.id}")
    assert run.text.splitlines()[:2] == [
        "**Now (1/3):** ann — “Talk by ann”",
        "**Next:** bob — “Talk by bob”",
    ]
    [answer] = await h.say("dee", "lightning signup Late")
    assert "closed" in answer.view.text
    mark = len(h.messenger.log)
    await h.restart()
    await h.advance(minutes=3, seconds=59)
    assert h.texts()[mark:] == []
    await h.advance(seconds=1)  # one minute left
    assert "One minute left, ann." in h.texts()[mark:]
    assert private(h, "ann", mark) == ["Lightning talks One minute left."]
    assert "⏱ One minute left, ann." in (await h.view(f"lightning:run:{ev.id}")).text
    await h.restart()
    await h.advance(minutes=1)
    assert "Time! Thank you, ann." in h.texts()[mark:]
    assert await h.advance(minutes=10) == 0  # each timer once

    # Two organisers press Next at the same moment: one step only.
    [nxt, _skip] = (await h.view(f"lightning:run:{ev.id}")).buttons
    await h.say("leader", "roles core add @dee")
    answers = await asyncio.gather(h.click("leader", nxt.action_id), h.click("dee", nxt.action_id))
    assert await statuses(ev) == [("ann", "done"), ("bob", "live"), ("cid", "lineup")]
    late = {m.id: m for m in answers[0] + answers[1] if "already over" in m.view.text}
    late = list(late.values())
    assert len(late) == 1 and late[0].private_to in ("leader", "dee")
    mark = len(h.messenger.log)
    await h.advance(minutes=2)
    await h.say("leader", "lightning skip")  # bob did not give it; his timers are void
    await h.advance(minutes=2, seconds=59)  # past bob's one-minute warning: void
    assert not [t for t in h.texts()[mark:] if "minute left" in t]
    await h.advance(minutes=1, seconds=1)
    assert "One minute left, cid." in h.texts()[mark:]
    [nxt, _skip] = (await h.view(f"lightning:run:{ev.id}")).buttons
    await h.click("leader", nxt.action_id)
    assert await statuses(ev) == [("ann", "done"), ("bob", "skipped"), ("cid", "done")]
    assert (await Event.get(id=ev.id)).status == "done"
    assert await Job.filter(done_at=None).count() == 0
    run = await h.view(f"lightning:run:{ev.id}")
    assert run.title == "Done: Friday lightning" and "2 talks given" in run.text
    titles = [m.view.title for m in h.messenger.log[-6:]]
    assert "Record of lightning talks #1: Friday lightning" in titles
    assert "How were the lightning talks?" in titles


async def test_feedback_links_and_record(h):
    ev = await open_event(h, slots=3)
    for who in ("ann", "bob"):
        await h.say(who, f"lightning signup Talk by {who}")
    [answer] = await h.say("cid", "lightning feedback 5")
    assert "No lightning talks have finished yet" in answer.view.text
    await h.say("leader", "lightning run")
    await h.say("leader", "lightning next")
    await h.say("leader", "lightning next")
    prompt = next(m.view for m in reversed(h.messenger.log) if m.view.title.startswith("How"))
    five = prompt.buttons[4]
    assert five.form is not None and five.form.inputs[0].label == "One thing I'll apply"
    await h.click("cid", five.form.action_id, {"apply": "Lightning talks at team level"})
    await h.click("dee", f"lightning:feedback:{ev.id}:3", {"apply": ""})
    await h.say("ann", "lightning feedback 4 shorter slides")
    [bad] = await h.say("ann", "lightning feedback 0")
    assert "from 1 to 5" in bad.view.text
    assert await Feedback.filter(event_id=ev.id).count() == 3

    await h.say("ann", "lightning link https://slides.example/ann")
    await h.say("leader", "lightning link https://video.example/bob --speaker @bob")
    for who, line, expected in [
        ("cid", "lightning link https://x.example", "cid has no talk"),
        ("ann", "lightning link https://x.example --event 7", "no lightning talks #7"),
        ("ann", "lightning link https://x.example --speaker @bob", "Only"),
        ("ann", "lightning link not-a-link", "is not a web link"),
    ]:
        [answer] = await h.say(who, line)
        assert expected in answer.view.text, line

    [msg] = await h.say("eve", "lightning record")
    assert msg.view.title == "Record of lightning talks #1: Friday lightning"
    assert msg.view.text.splitlines() == [
        "1. ann — “Talk by ann” ✓ · https://slides.example/ann",
        "2. bob — “Talk by bob” ✓ · https://video.example/bob",
    ]
    fields = {f.name: f.value for f in msg.view.fields}
    assert fields["Date"] == "Fri 9 Jan 2026, 17:00 (Europe/Paris)"
    assert fields["Talks given"] == "2"
    assert fields["Average rating"] == "4.0/5 (3 ratings)"
    assert fields["What people will apply"] == ("- Lightning talks at team level\n- shorter slides")


# Concurrency ---------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
async def each_db(request, tmp_path):
    """A SQLite file, then PostgreSQL (when ``COPKIT_TEST_POSTGRES_URL`` is set)."""
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'each.db'}"
    if not PG_URL:
        pytest.skip("set COPKIT_TEST_POSTGRES_URL to run")
    await reset_postgres(PG_URL)
    return PG_URL


async def test_thirty_presses_at_once_fill_eight_slots_exactly(each_db):
    people = [f"p{n:02d}" for n in range(30)]
    async with Harness(each_db, plugins=PLUGINS) as h:
        for who in people:
            await h.say(who, "roles")
        ev = await open_event(h, slots=8)
        # Everyone presses "sign up" at the same moment, some of them twice.
        presses = [
            h.click(who, f"lightning:signup:{ev.id}", {"title": f"Talk {who}"})
            for who in people + people[::3]
        ]
        await asyncio.gather(*presses)

        talks = list(await Talk.filter(event_id=ev.id).order_by("seq"))
        assert sorted(t.speaker_id for t in talks) == people  # nobody twice, nobody lost
        assert len({t.seq for t in talks}) == 30
        assert [t.status for t in talks] == ["lineup"] * 8 + ["waiting"] * 22
        # The line-up view (edited in place) and the waiting list, in arrival order.
        await h.rt.live.drain()
        text = await lineup_text(h, ev)
        lines = text.splitlines()
        assert lines[:8] == [
            f"{n}. {t.speaker_id} — “{t.title}”" for n, t in enumerate(talks[:8], 1)
        ]
        assert lines[10:] == [
            f"w{n}. {t.speaker_id} — “{t.title}”" for n, t in enumerate(talks[8:], 1)
        ]
        announcement = await h.view(f"lightning:event:{ev.id}")
        assert [f.value for f in announcement.fields] == ["8/8", "22"]
        # Everyone was told once where they stand.
        for t in talks:
            said = private(h, t.speaker_id)
            told = [s for s in said if "line-up" in s or "waiting list" in s]
            assert len(told) == 1, t.speaker_id
            assert ("waiting list" in told[0]) == (t.status == "waiting")

        # Eight withdraw at once: the first eight waiting move up, in order, each told once.
        mark = len(h.messenger.log)
        await asyncio.gather(
            *[h.click(t.speaker_id, f"lightning:withdraw:{ev.id}") for t in talks[:8]]
        )
        lineup = await Talk.filter(event_id=ev.id, status="lineup").order_by("seq")
        assert [t.speaker_id for t in lineup] == [t.speaker_id for t in talks[8:16]]
        for t in talks[8:16]:
            assert len([s for s in private(h, t.speaker_id, mark) if "A slot opened" in s]) == 1
        assert await Talk.filter(event_id=ev.id, status="waiting").count() == 14


WORKER = r"""
import asyncio, sys
from copkit.testing import Harness

async def main(url, event_id, people):
    async with Harness(url, plugins=PLUGINS) as h:
        async def edit(community, ref, view, request=None):  # a view another process posted
            pass
        h.messenger.edit = edit
        for who in people:
            await h.say(who, "roles")
        print("ready", flush=True)
        sys.stdin.readline()
        await asyncio.gather(*[
            h.click(who, f"lightning:signup:{event_id}", {"title": f"Talk {who}"})
            for who in people
        ])
    print("done", flush=True)

asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")))
""".replace("PLUGINS", repr(PLUGINS))


@requires_postgres
async def test_three_processes_signing_up_at_once_on_postgresql():
    """The slot limit holds across processes: the database, not Python, decides."""
    await reset_postgres(PG_URL)
    people = [f"q{n:02d}" for n in range(30)]
    async with Harness(PG_URL, plugins=PLUGINS) as h:
        ev = await open_event(h, slots=8)
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            WORKER,
            PG_URL,
            str(ev.id),
            ",".join(people[i::3] + people[i::6]),  # some press twice
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for i in range(3)
    ]
    try:
        for p in procs:
            assert (await asyncio.wait_for(p.stdout.readline(), 60)).strip() == b"ready"
        for p in procs:
            p.stdin.write(b"go\n")
            await p.stdin.drain()
        for p in procs:
            assert (await asyncio.wait_for(p.stdout.readline(), 60)).strip() == b"done"
            assert await p.wait() == 0
    finally:
        for p in procs:
            if p.returncode is None:
                p.kill()
    async with Harness(PG_URL, plugins=PLUGINS):
        talks = list(await Talk.filter(event_id=ev.id).order_by("seq"))
        assert sorted(t.speaker_id for t in talks) == people
        assert len({t.seq for t in talks}) == 30
        assert [t.status for t in talks] == ["lineup"] * 8 + ["waiting"] * 22


# Plain functions -----------------------------------------------------------------------------


def test_shuffle_is_fair_and_repeatable():
    items = list(range(8))
    assert logic.shuffled(items, 7) == logic.shuffled(items, 7)
    assert sorted(logic.shuffled(items, 7)) == items
    firsts = [logic.shuffled(items, seed)[0] for seed in range(4000)]
    counts = [firsts.count(i) for i in items]
    assert min(counts) > 400 and max(counts) < 600  # about 500 each


def test_reordered_and_positions():
    assert logic.reordered(["a", "b", "c"], [3, 1]) == ["c", "a", "b"]
    assert logic.reordered(["a", "b", "c"], [2]) == ["b", "a", "c"]
    assert logic.parse_positions(["3", "1,2"]) == [3, 1, 2]
