"""The vision workshop through the core (SQLite; PostgreSQL with COPKIT_TEST_POSTGRES_URL):
private writing until the reveal, the shared timer across a restart, merges and dots, the
name vote with a run-off, the leader elected and made leader only on accepting, late
joiners, stale presses and the bad inputs of the issue — each answered and changing nothing."""

from __future__ import annotations

import asyncio

import pytest

from copkit.core.facilitation.models import Dot, Note, Option, Participant, Phase
from copkit.core.models import LogEntry, Membership
from copkit.plugins.workshop import flow
from copkit.plugins.workshop.models import Workshop
from copkit.testing import Harness

PLUGINS = ["copkit.plugins.core_commands", "copkit.plugins.workshop"]
PEOPLE = ("ann", "bob", "cid", "dee")


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        for who in PEOPLE:
            await h.say(who, "help workshop")
        yield h


def said(msgs) -> str:
    return "\n".join(f"{m.view.title} {m.view.text}" for m in msgs)


async def started(h: Harness, extra: str = "") -> Workshop:
    await h.say("leader", "workshop start --dots 2 " + extra)
    return await Workshop.get()


async def board(h: Harness, w: Workshop):
    await h.rt.live.drain()  # the board's last coalesced edit, not one drawn mid-burst
    return await h.view(f"workshop:board:{w.id}")


async def snapshot() -> tuple[int, ...]:
    w = await Workshop.all().order_by("id")
    return (
        await Note.all().count(),
        await Dot.all().count(),
        await Option.all().count(),
        sum(x.version for x in w),
        await Membership.filter(role=2).count(),
    )


def button(view, label: str) -> str:
    return next(b.action_id for b in view.buttons if b.label == label)


async def test_notes_stay_private_until_the_reveal(h):
    w = await started(h)
    await h.say("ann", "workshop note Learn together across teams")
    b = await board(h, w)
    form = next(x.form for x in b.buttons if x.form is not None)
    assert [i.name for i in form.inputs] == ["vision", "importance"]
    await h.click("bob", form.action_id, {"vision": "Secret idea", "importance": "Silos hurt"})
    b = await board(h, w)
    assert "📝 3 notes from 2 people" in b.text
    mark = len(h.messenger.log)
    for text in ("Learn together", "Secret idea", "Silos hurt"):
        for m in h.messenger.log:
            shown = f"{m.view.title} {m.view.text} {[f.value for f in m.view.fields]}"
            if text in shown:
                assert m.private_to in ("ann", "bob"), (text, shown)
        for entry in await LogEntry.all():
            assert text not in entry.text
    mine = await h.say("bob", "workshop notes")
    assert "Secret idea" in said(mine) and "Learn together" not in said(mine)
    assert all(m.private_to == "bob" for m in mine)
    await h.say("leader", "workshop reveal")
    b = await board(h, w)
    assert "#1** [Vision / Mission] Learn together across teams — ann" in b.text.replace(
        "- **", "**"
    )
    assert "Silos hurt" in b.text
    assert len(h.messenger.log) > mark


async def test_timer_heads_up_nudge_time_up_and_restart(h):
    w = await started(h)
    for who in PEOPLE:
        await h.say(who, "workshop join")
    await h.say("ann", "workshop note One idea")
    await h.say("bob", "workshop done")
    await h.say("leader", "workshop time +2m")
    await h.restart()
    await h.advance(minutes=5)
    assert not any("no note from you" in t for t in h.texts())  # (+2 min: the heads-up moved)
    await h.advance(minutes=1)
    nudged = sorted(m.private_to for m in h.messenger.log if "no note from you" in m.view.text)
    assert nudged == ["cid", "dee"]  # not ann (wrote), bob (done) or the facilitator
    assert "⏱ One minute left." in h.texts()
    await h.advance(minutes=1)
    assert any("Time's up" in t for t in h.texts())
    assert (await Phase.get(owner=f"workshop:{w.id}", name="vision")).status == "ended"
    await h.advance(minutes=10)
    assert sum("no note from you" in t for t in h.texts()) == 2  # once each
    msgs = await h.say("cid", "workshop note Too late")
    assert "Writing is closed" in said(msgs)
    assert await Note.filter(text="Too late").count() == 0


async def test_pause_resume_and_skip(h):
    w = await started(h)
    await h.say("leader", "workshop pause")
    await h.advance(minutes=30)
    assert not any("One minute left" in t for t in h.texts())
    assert "⏸ Paused — 5:00 left." in (await board(h, w)).text
    await h.say("ann", "workshop note Still writing while paused")
    await h.say("leader", "workshop resume")
    await h.advance(minutes=4)
    assert any("One minute left" in t for t in h.texts())
    await h.say("leader", "workshop skip")
    w = await Workshop.get(id=w.id)
    assert (w.step, w.stage) == ("how", "writing")
    assert (await Phase.get(owner=f"workshop:{w.id}", name="vision")).status == "skipped"


async def test_merge_and_dot_vote_decide_what_goes_on_the_canvas(h):
    w = await started(h, "--no-forcefield")
    await h.say("ann", "workshop note Learn testing together")
    await h.say("bob", "workshop note learn testing together!")
    await h.say("cid", "workshop note Why now: incidents repeat --box importance")
    await h.say("dee", "workshop note Nobody votes for this")
    await h.say("leader", "workshop reveal")
    await h.say("leader", "workshop align")
    await h.say("ann", "workshop vote 2")
    await h.say("bob", "workshop vote 1")
    await h.say("cid", "workshop vote 3")
    msgs = await h.say("leader", "workshop merge 2 1")
    assert "#2 merged into #1: authors and dots combined." in said(msgs)
    b = await board(h, w)
    assert "Learn testing together — ann, bob · ● 2" in b.text
    assert b.choices and len(b.choices[0].options) == 3
    await h.click("dee", b.choices[0].action_id, {"selected": [b.choices[0].options[0].value]})
    await h.say("leader", "workshop next")
    outcome = await flow.outcome_of(await _scope(h, w), await Workshop.get(id=w.id))
    assert outcome.boxes["vision"] == ["Learn testing together"]
    assert outcome.boxes["importance"] == ["Why now: incidents repeat"]
    assert outcome.boxes["how"] == [] and outcome.force_field == []
    assert outcome.participants == ["leader", "ann", "bob", "cid", "dee"]


async def _scope(h: Harness, w: Workshop):
    from copkit.core.context import Scope

    return Scope(h.rt.services, (await h.rt.community(h.community_ref)).row, w.room_id)


async def _to_step(h: Harness, step: str) -> Workshop:
    for _ in range(12):
        w = await Workshop.get()
        if w.step == step:
            return w
        await h.say("leader", "workshop skip")
    raise AssertionError(step)


async def test_name_vote_two_thumbs_run_off_and_leader_on_acceptance(h):
    await started(h)
    for who in PEOPLE:
        await h.say(who, "workshop join")
    w = await _to_step(h, "name")
    await h.say("ann", "workshop propose Craft Guild")
    await h.say("bob", "workshop propose Test Pilots")
    await h.say("leader", "workshop next")
    await h.say("ann", "workshop vote 1")
    await h.say("bob", "workshop vote 2")
    await h.say("leader", "workshop next")  # a tie
    assert any("a run-off" in t for t in h.texts())
    await h.restart()
    await h.say("ann", "workshop vote 1")
    await h.say("cid", "workshop vote 1")
    await h.say("leader", "workshop next")
    w = await Workshop.get(id=w.id)
    assert (w.name, w.step, w.stage) == ("Craft Guild", "leader", "nominating")
    await h.say("bob", "workshop nominate @ann")
    await h.say("cid", "workshop nominate me")
    await h.say("leader", "workshop next")
    for who, n in (("ann", 1), ("bob", 1), ("cid", 2)):
        await h.say(who, f"workshop vote {n}")
    await h.say("leader", "workshop next")
    assert (await Workshop.get(id=w.id)).stage == "elected"
    leader = await Membership.get(role=2)
    assert leader.person_id == "leader"  # not before ann accepts
    b = await board(h, w)
    msgs = await h.click("bob", button(b, "Accept"))
    assert "Only the person elected" in said(msgs)
    await h.click("ann", button(b, "Accept"))
    assert (await Membership.get(role=2)).person_id == "ann"
    assert (await Membership.get(person_id="leader")).role == 1
    w = await Workshop.get(id=w.id)
    assert (w.status, w.leader_id, w.running_key) == ("done", "ann", None)
    summary = next(m.view for m in h.messenger.log if m.view.title.startswith("Our community"))
    assert summary.title == "Our community: Craft Guild"
    assert "Leader: ann" in summary.text


async def test_decline_and_an_elected_person_who_leaves_reopen_nominations(h):
    await started(h)
    for who in PEOPLE:
        await h.say(who, "workshop join")
    w = await _to_step(h, "leader")
    await h.say("ann", "workshop nominate me")
    await h.say("leader", "workshop next")
    await h.say("bob", "workshop vote 1")
    await h.say("leader", "workshop next")
    await h.say("ann", "workshop decline")
    assert (await Workshop.get(id=w.id)).stage == "nominating"
    await h.say("bob", "workshop nominate me")
    await h.say("leader", "workshop next")
    await h.say("bob", "workshop vote 1")
    await h.say("leader", "workshop next")
    await h.say("bob", "workshop leave")
    assert (await Workshop.get(id=w.id)).stage == "nominating"
    assert (await Membership.get(role=2)).person_id == "leader"


async def test_bad_inputs_answer_and_change_nothing(h):
    w = await started(h)
    await h.say("ann", "workshop note An idea")
    form = next(x.form for x in (await board(h, w)).buttons if x.form is not None)
    cases = [
        ("ann", "workshop note", None, "Write something first"),
        ("ann", 'workshop note "   "', None, "Write something first"),
        ("ann", None, {"vision": "", "importance": " "}, "Write something first"),
        ("ann", "workshop note " + "x" * 301, None, "at most 300 characters"),
        ("ann", None, {"vision": "y" * 301}, "at most 300 characters"),
        ("ann", "workshop note Idea --box resources", None, "boxes are: vision, importance"),
        ("ann", "workshop force support Hm", None, "isn't the current step"),
        ("ann", "workshop reveal", None, "Only"),
        ("ann", "workshop next", None, "Only"),
        ("ann", "workshop merge 1 1", None, "Only"),
        ("ann", "workshop vote 1", None, "dot vote isn't open"),
        ("ann", "workshop propose Guild", None, "not the step"),
        ("ann", "workshop nominate @bob", None, "not the step"),
        ("ann", "workshop accept", None, "not the step"),
        ("leader", "workshop start", None, "already running"),
        ("leader", "workshop merge 1 2", None, "once they are revealed"),
        ("leader", "workshop time +0m", None, "not a duration"),
        ("leader", "workshop time 25h", None, "between one second and a day"),
        ("leader", "workshop time soon", None, "not a duration"),
    ]
    for who, line, values, expected in cases:
        before = await snapshot()
        msgs = await (h.say(who, line) if line else h.click(who, form.action_id, values))
        assert expected in said(msgs), (line, values, said(msgs))
        assert await snapshot() == before, (line, values)
    await h.say("leader", "workshop reveal")
    for who, line, values, expected in [
        ("leader", "workshop reveal", None, "already revealed"),
        ("ann", "workshop note After the reveal", None, "revealed: writing is closed"),
        ("ann", None, {"vision": "From the old form"}, "revealed: writing is closed"),
        ("leader", "workshop merge 1 7", None, "no note #7"),
    ]:
        before = await snapshot()
        msgs = await (h.say(who, line) if line else h.click(who, form.action_id, values))
        assert expected in said(msgs), (line, said(msgs))
        assert await snapshot() == before
    # a form of a step that has closed, and a stale "next"
    old_next = button(await board(h, w), "Next step")
    await h.say("leader", "workshop next")
    for who, action, values, expected in [
        ("ann", form.action_id, {"vision": "Old step"}, "writing is closed"),
        ("leader", old_next, {}, "moved on"),
    ]:
        before = await snapshot()
        msgs = await h.click(who, action, values)
        assert expected in said(msgs), said(msgs)
        assert await snapshot() == before
    w = await _to_step(h, "name")
    await h.say("ann", "workshop propose Guild")
    await h.say("leader", "workshop next")
    await h.say("ann", "workshop vote 1")
    for who, line, expected in [
        ("ann", "workshop vote 1", "only 1 vote"),  # her own name, twice
        ("ann", "workshop vote 9", "no number 9"),
        ("ann", "workshop propose Later", "Proposals are closed"),
    ]:
        before = await snapshot()
        msgs = await h.say(who, line)
        assert expected in said(msgs), said(msgs)
        assert await snapshot() == before
    await h.say("leader", "workshop next")
    await h.say("bob", "workshop join")
    await h.say("bob", "workshop leave")
    for who, line, expected in [
        ("ann", "workshop nominate @bob", "isn't taking part"),  # bob left
        ("ann", "workshop nominate @nobody", "don't know"),
        ("ann", "workshop next", "Only"),
    ]:
        before = await snapshot()
        msgs = await h.say(who, line)
        assert expected in said(msgs), said(msgs)
        assert await snapshot() == before
    assert not any("Sorry, something went wrong" in t for t in h.texts())


async def test_late_joiner_is_welcomed_and_counted(h):
    w = await started(h)
    await h.say("leader", "workshop skip")
    msgs = await h.say("dee", "workshop note A late idea")
    welcome = [m for m in msgs if "Welcome to the workshop" in m.view.text]
    assert welcome and welcome[0].private_to == "dee" and "How and measures" in welcome[0].view.text
    assert await Participant.filter(owner=f"workshop:{w.id}", member="dee").exists()
    msgs = await h.say("dee", "workshop join")
    assert "taking part already" in said(msgs)


async def test_forty_people_submit_notes_at_once(h):
    w = await started(h)
    form = next(x.form for x in (await board(h, w)).buttons if x.form is not None)
    people = [f"p{i:02d}" for i in range(40)]
    await asyncio.gather(*[h.click(p, form.action_id, {"vision": f"idea of {p}"}) for p in people])
    rows = await Note.filter(phase__owner=f"workshop:{w.id}")
    assert sorted(n.text for n in rows) == sorted(f"idea of {p}" for p in people)
    assert sorted(n.number for n in rows) == list(range(1, 41))
    assert "📝 40 notes from 40 people" in (await board(h, w)).text


async def test_only_the_facilitator_roles_move_it_by_button_too(h):
    w = await started(h)
    b = await board(h, w)
    before = await snapshot()
    msgs = await h.click("ann", button(b, "Reveal"))
    assert "Only the leader or core team" in said(msgs)
    msgs = await h.click("ann", button(b, "+1 min"))
    assert "Only" in said(msgs)
    assert await snapshot() == before
    await h.click("leader", button(b, "Reveal"))
    msgs = await h.click("leader", button(b, "Reveal"))  # the same (now stale) button again
    assert "moved on" in said(msgs) or "already revealed" in said(msgs)


async def test_force_field_by_form_with_a_strength(h):
    w = await started(h)
    w = await _to_step(h, "forcefield")
    form = next(x.form for x in (await board(h, w)).buttons if x.form is not None)
    assert [i.name for i in form.inputs] == ["support", "slow", "strength"]
    before = await snapshot()
    msgs = await h.click("ann", form.action_id, {"support": "Sponsors", "strength": "9"})
    assert "from 1 to 5" in said(msgs) and await snapshot() == before
    msgs = await h.say("ann", "workshop force sideways Hm")
    assert "must be one of" in said(msgs) and await snapshot() == before
    await h.click(
        "ann", form.action_id, {"support": "Sponsors", "slow": "No time", "strength": "4"}
    )
    await h.say("bob", "workshop force slow Silos --strength 2")
    await h.say("leader", "workshop reveal")
    await h.say("leader", "workshop next")
    outcome = await flow.outcome_of(await _scope(h, w), await Workshop.get(id=w.id))
    assert outcome.force_field == [
        ("support", "Sponsors", 4),
        ("slow", "No time", 4),
        ("slow", "Silos", 2),
    ]
