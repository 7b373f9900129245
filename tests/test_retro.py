"""The retro through the core (SQLite; PostgreSQL with COPKIT_TEST_POSTGRES_URL): it opens
with the open actions of earlier events (lean coffee's and an earlier retro's) to review —
done, carried, dropped, by button and by command, logged, each once — then private writing
until the reveal, grouping, dot votes within the budget, the timer across a restart, actions
with owners and due dates that join the open actions, the minutes, and bad inputs answered
with nothing changed."""

from __future__ import annotations

import asyncio

import pytest

from copkit.core.actions_models import ActionClosed, ActionReview
from copkit.core.facilitation.models import Dot, Note, Phase
from copkit.core.models import LogEntry
from copkit.plugins.leancoffee.models import Note as LcNote
from copkit.plugins.reflect.retro_models import Retro, RetroAction
from copkit.testing import Harness

PLUGINS = [
    "copkit.plugins.core_commands",
    "copkit.plugins.leancoffee",
    "copkit.plugins.reflect",
]
PEOPLE = ("ann", "bob", "cid")


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        await h.say("leader", "roles leader leader")
        for who in PEOPLE:
            await h.say(who, "help")
        yield h


def said(msgs) -> str:
    return "\n".join(
        " ".join([m.view.title, m.view.text, *(f"{f.name} {f.value}" for f in m.view.fields)])
        for m in msgs
    )


async def lean_coffee_actions(h: Harness, *texts: str) -> None:
    await h.say("leader", "leancoffee start")
    await h.say("ann", "leancoffee propose Pairing")
    for text in texts:
        await h.say("leader", f"leancoffee action {text} --owner @ann --due 7d")
    await h.say("leader", "leancoffee end")


async def board(h: Harness, r: Retro):
    return await h.view(f"retro:board:{r.id}")


def button(view, label: str) -> str:
    return next(b.action_id for b in view.buttons if b.label == label)


async def state() -> tuple[int, ...]:
    rs = await Retro.all()
    return (
        await Note.all().count(),
        await Dot.all().count(),
        await RetroAction.all().count(),
        await ActionReview.all().count(),
        await ActionClosed.all().count(),
        sum(r.version for r in rs),
        len(rs),
    )


async def run_retro(h: Harness, *, prompts: str = "") -> Retro:
    await h.say("leader", f"retro start {prompts}".strip())
    return await Retro.filter(status="running").get()


async def test_review_of_open_actions_by_button_and_command(h):
    await lean_coffee_actions(h, "Write the pairing guide", "Book a room", "Ask the sponsor")
    r = await run_retro(h)
    assert [i["text"] for i in r.review] == [
        "Write the pairing guide",
        "Book a room",
        "Ask the sponsor",
    ]
    b = await board(h, r)
    assert "Write the pairing guide" in b.text and "from leancoffee" in b.text
    done = button(b, "Done 1")
    await h.click("leader", done)
    before = await state()
    again = await h.click("leader", done)  # a repeated press changes nothing
    assert "reviewed already" in said(again)
    assert await state() == before
    await h.say("leader", "retro review 2 carried")
    await h.click("leader", button(await board(h, r), "Drop 3"))
    assert "done ✅" in (await board(h, r)).text and "dropped ✖" in (await board(h, r)).text
    first = await LcNote.filter(text="Write the pairing guide").get()
    assert first.done  # done by the review, in lean coffee's own table too
    kinds = [e.kind for e in await LogEntry.filter(kind__startswith="action.").order_by("id")]
    assert kinds == ["action.done", "action.carried", "action.dropped"]
    # lean coffee no longer lists the done and the dropped one; the carried one stays open
    listed = said(await h.say("ann", "leancoffee actions"))
    assert "Book a room" in listed and "Ask the sponsor" not in listed
    assert "Write the pairing guide" not in listed
    # a member may not review
    before = await state()
    out = await h.say("ann", "retro review 2 done")
    assert await state() == before and "core team" in said(out).lower()
    await h.say("leader", "retro end")
    # the next retro reviews only what is still open: the carried action
    r2 = await run_retro(h)
    assert [i["text"] for i in r2.review] == ["Book a room"]


async def test_two_presses_at_once_give_one_verdict(h):
    await lean_coffee_actions(h, "Write the pairing guide")
    r = await run_retro(h)
    b = await board(h, r)
    await asyncio.gather(
        h.click("leader", button(b, "Done 1")),
        h.click("leader", button(b, "Drop 1")),
        h.click("leader", button(b, "Done 1")),
    )
    assert await ActionReview.all().count() == 1
    assert await ActionClosed.all().count() == 1
    assert await LogEntry.filter(kind__startswith="action.").count() == 1


async def test_a_whole_retro_private_writing_reveal_merge_dots_actions_minutes(h):
    r = await run_retro(h, prompts="--prompts 4ls --dots 2")
    assert r.prompts == "4ls"
    await h.say("leader", "retro next")  # no earlier actions: on to writing
    await h.say("ann", "retro note liked The demos")
    await h.say("bob", "retro note lacked Time to prepare")
    await h.say("cid", "retro note lacked Preparation time")
    msgs = await h.say("ann", "retro note start Something")
    assert "prompts are: liked, learned, lacked, longed" in said(msgs)
    b = await board(h, r)
    assert "📝 3 notes" in b.text and "The demos" not in b.text
    for m in h.messenger.log:
        if "Time to prepare" in m.view.text:
            assert m.private_to == "bob"
    mine = said(await h.say("bob", "retro notes"))
    assert "Time to prepare" in mine and "The demos" not in mine
    await h.say("leader", "retro reveal")
    b = await board(h, r)
    assert "The demos" in b.text and "Time to prepare" in b.text
    await h.say("leader", "retro merge 3 2")
    await h.say("leader", "retro next")  # the dot vote
    b = await board(h, r)
    await h.click("ann", button(b, "● #2"))
    await h.say("ann", "retro dot 2")
    before = await state()
    out = await h.say("ann", "retro dot 1")  # over the budget
    assert "used all your 2 dots" in said(out) and await state() == before
    await h.say("bob", "retro dot 1")
    await h.say("leader", "retro next")  # the actions
    out = await h.say("bob", "retro dot 1")
    assert "isn't open" in said(out)
    await h.say("leader", "retro action Block an hour before each talk --owner @bob --due 14d")
    a = await RetroAction.get()
    assert a.owner_name and a.due is not None and a.status == "open"
    msgs = await h.say("leader", "retro end")
    minutes = said(msgs)
    assert "Retro minutes" in minutes and "Block an hour" in minutes
    assert "#2** Time to prepare — bob, cid ●●" in minutes
    assert said(await h.say("ann", "retro minutes")).count("Block an hour") == 1
    # the action joins the community's open actions, and the next retro reviews it
    assert "Block an hour" in said(await h.say("ann", "retro actions"))
    r2 = await run_retro(h)
    assert [i["source"] for i in r2.review] == ["retro"]
    await h.say("leader", "retro review 1 done")
    assert (await RetroAction.get()).status == "done"
    assert "No open actions" in said(await h.say("ann", "retro actions"))


async def test_timer_heads_up_more_time_pause_and_restart(h):
    r = await run_retro(h, prompts="--minutes 5")
    await h.say("leader", "retro next")
    await h.say("ann", "retro note start Pair more")
    await h.say("bob", "retro done")
    await h.say("cid", "retro notes")  # cid takes part but writes nothing
    await h.say("leader", "retro time +2m")
    await h.restart()
    await h.advance(minutes=5)
    assert not any("One minute left" in t for t in h.texts())
    await h.advance(minutes=1)
    assert "⏱ One minute left." in h.texts()
    await h.advance(minutes=1)
    assert any("writing is closed" in t for t in h.texts())
    phase = await Phase.get(owner=f"retro:{r.id}", name="write")
    assert phase.status == "ended"
    out = await h.say("cid", "retro note start Too late")
    assert "closed" in said(out) and await Note.filter(text="Too late").count() == 0
    # pause in the dot vote: the clock stops across a restart
    await h.say("leader", "retro next")
    await h.say("leader", "retro next")
    await h.say("leader", "retro pause")
    await h.restart()
    await h.advance(minutes=30)
    assert "⏸ Paused — 5:00 left." in (await board(h, r)).text
    await h.say("leader", "retro resume")
    await h.advance(minutes=6)
    assert any("dot vote is closed" in t for t in h.texts())


@pytest.mark.parametrize(
    "who,text,answer",
    [
        ("leader", "retro start --prompts 5ls", "ssc, 4ls or msg"),
        ("leader", "retro start --dots 99", "1 to 10 dots"),
        ("leader", "retro start --minutes 0", "1 to 120 minutes"),
        ("leader", "retro review 9 done", "no action 9"),
        ("leader", "retro review 1 maybe", "done, carried or dropped"),
        ("ann", "retro note stop", "Writing is closed"),
        ("ann", "retro dot 1", "isn't open"),
        ("leader", "retro merge 1 2", "merged once they are revealed"),
        ("leader", "retro pause", "No timer"),
        ("ann", "retro action", "what will be done"),
        ("ann", "retro action x --due yesterday", "not a date"),
        ("ann", "retro action x --due 2001-01-01", "today or later"),
        ("ann", "retro minutes 999", "no retro 999"),
        ("leader", "retro time +0s", "not a duration"),
    ],
)
async def test_bad_inputs_answered_and_nothing_changed(h, who, text, answer):
    await lean_coffee_actions(h, "One action")
    if not text.startswith("retro start"):
        await run_retro(h)
    before = await state()
    out = said(await h.say(who, text))
    assert answer.lower() in out.lower(), out
    assert "Traceback" not in out
    assert await state() == before
