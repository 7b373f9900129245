"""The facilitation moves on a real database (SQLite; PostgreSQL with COPKIT_TEST_POSTGRES_URL):
phases and their timers across a restart, private notes until a reveal that happens once,
merges, dots that never exceed the budget under concurrency, 40 writers at once, elections."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from copkit.core.context import JobContext, Scope
from copkit.core.errors import UserError
from copkit.core.facilitation import dots, elections, notes, people, phases
from copkit.core.facilitation.models import Dot, Note, Nudge
from copkit.core.hookspecs import hookimpl
from copkit.core.specs import JobType
from copkit.testing import Harness

FIRED: list[tuple[str, int]] = []


async def phase_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    fired = await phases.on_timer(ctx, payload)
    if fired is not None:
        FIRED.append((fired.kind, fired.phase.id))


class TimerPlugin:
    @hookimpl
    def copkit_register_jobs(self) -> list[JobType]:
        return [JobType("facil.phase", phase_job)]


@pytest.fixture
async def h(db_url):
    FIRED.clear()
    async with Harness(
        db_url, plugins=["copkit.plugins.core_commands"], extra=[TimerPlugin()]
    ) as h:
        await h.say("leader", "help")
        yield h


async def scope_of(h: Harness) -> Scope:
    row = (await h.rt.community(h.community_ref)).row
    return Scope(h.rt.services, row, "general")


async def test_phase_timer_heads_up_more_time_pause_resume_and_restart(h):
    s = await scope_of(h)
    p = await phases.create(s, "t:1", "vision", 300, job="facil.phase")
    assert (await phases.create(s, "t:1", "vision", 300, job="facil.phase")).id == p.id
    p = await phases.start(s, p.id)
    assert p.status == "running" and phases.seconds_left(p, s.now()) == 300
    with pytest.raises(UserError, match="already started"):
        await phases.start(s, p.id)
    await h.advance(minutes=4)
    assert FIRED == [("warn", p.id)]
    p = await phases.add_time(s, p.id, 120)  # 1 min left + 2 min
    assert phases.seconds_left(p, s.now()) == 180 and p.seconds == 420
    await h.restart()
    s = await scope_of(h)
    await h.advance(minutes=1)
    assert FIRED == [("warn", p.id)]  # the new heads-up is two minutes from now
    p = await phases.pause(s, p.id)
    with pytest.raises(UserError, match="already paused"):
        await phases.pause(s, p.id)
    await h.advance(minutes=30)  # nothing fires while paused
    assert FIRED == [("warn", p.id)]
    p = await phases.resume(s, p.id)
    assert phases.seconds_left(p, s.now()) == 120
    await h.advance(minutes=1)
    await h.advance(minutes=1)
    assert FIRED == [("warn", p.id), ("warn", p.id), ("end", p.id)]
    assert (await phases.get(p.id)).status == "ended"
    with pytest.raises(UserError, match="over"):
        await phases.add_time(s, p.id, 60)
    assert await phases.close(s, p.id) is None  # already over


async def test_skip_cancels_the_timers(h):
    s = await scope_of(h)
    p = await phases.start(s, (await phases.create(s, "t:1", "a", 120, job="facil.phase")).id)
    closed = await phases.close(s, p.id, skipped=True)
    assert closed is not None and closed.status == "skipped"
    await h.advance(minutes=5)
    assert FIRED == []


async def test_private_notes_until_a_single_reveal(h):
    s = await scope_of(h)
    p = await phases.create(s, "t:1", "vision", 300, job="facil.phase")
    with pytest.raises(UserError, match="hasn't started"):
        await notes.write(p.id, "ann", "Ann", "too early", now=s.now())
    p = await phases.start(s, p.id)
    await notes.write(p.id, "ann", "Ann", "Share what we learn", now=s.now())
    await notes.write(p.id, "bob", "Bob", "Break silos", now=s.now(), box="importance")
    for bad in ("", " ", "x" * 301):
        with pytest.raises(UserError):
            await notes.write(p.id, "bob", "Bob", bad, now=s.now())
    assert [n.text for n in await notes.visible(p, "ann")] == ["Share what we learn"]
    assert [n.text for n in await notes.visible(p, "cid")] == []
    with pytest.raises(UserError, match="aren't revealed"):
        await notes.revealed(p)
    assert await notes.progress(p.id) == notes.Progress(2, 2, 0)
    assert await notes.mark_done(p.id, "ann") is True
    assert await notes.mark_done(p.id, "ann") is False
    assert (await notes.progress(p.id)).done == 1
    assert await notes.to_nudge(p.id, ["ann", "bob", "cid", "dee"]) == ["cid", "dee"]
    assert await notes.to_nudge(p.id, ["ann", "bob", "cid", "dee"]) == []  # once only
    assert await Nudge.filter(phase_id=p.id).count() == 2
    p = await notes.reveal(p.id)
    with pytest.raises(UserError, match="already revealed"):
        await notes.reveal(p.id)
    with pytest.raises(UserError, match="revealed: writing is closed"):
        await notes.write(p.id, "cid", "Cid", "late idea", now=s.now())
    with pytest.raises(UserError):
        await notes.mark_done(p.id, "bob")
    assert [n.number for n in await notes.visible(p, "cid")] == [1, 2]
    assert await Note.filter(phase_id=p.id).count() == 2


async def test_merge_combines_authors_and_dots(h):
    s = await scope_of(h)
    p = await phases.start(s, (await phases.create(s, "t:1", "v", 300, job="facil.phase")).id)
    for who in ("ann", "bob", "cid"):
        await notes.write(p.id, who, who.title(), f"idea of {who}", now=s.now())
    with pytest.raises(UserError, match="once they are revealed"):
        await notes.merge(p, 1, 2, ballot_id=None)
    p = await notes.reveal(p.id)
    ballot = await dots.open_ballot(s.community.id, "t:1", "align", budget=3)
    for n in await notes.revealed(p):
        await dots.add_option(ballot.id, str(n.number), n.text, n.author)
    o1, o2 = await dots.option(ballot.id, "1"), await dots.option(ballot.id, "2")
    assert o1 and o2
    assert await dots.place(o1.id, "dee") and await dots.place(o2.id, "dee")
    assert await dots.place(o1.id, "eve")
    merged = await notes.merge(p, 1, 2, ballot_id=ballot.id)
    assert notes.authors_of(merged) == ["Bob", "Ann"]
    with pytest.raises(UserError, match="merged into #2"):
        await notes.merge(p, 1, 3, ballot_id=ballot.id)
    with pytest.raises(UserError, match="into itself"):
        await notes.merge(p, 2, 2, ballot_id=ballot.id)
    with pytest.raises(UserError, match="no note #9"):
        await notes.merge(p, 9, 2, ballot_id=ballot.id)
    counts = {c.option.key: c.dots for c in await dots.counts(ballot.id)}
    assert counts == {"2": 3, "3": 0}
    assert [n.number for n in await notes.revealed(p)] == [2, 3]


async def test_dots_never_exceed_the_budget_under_concurrent_clicks(h):
    s = await scope_of(h)
    ballot = await dots.open_ballot(s.community.id, "t:1", "align", budget=2)
    opts = [await dots.add_option(ballot.id, str(i), f"opt {i}") for i in range(4)]
    assert all(opts)
    clicks = [dots.place(o.id, who) for who in ("ann", "bob") for o in opts if o for _ in range(3)]
    placed = await asyncio.gather(*clicks, return_exceptions=True)
    assert sum(1 for x in placed if isinstance(x, dots.Placed)) == 4
    refused = [x for x in placed if not isinstance(x, dots.Placed)]
    assert all(isinstance(x, UserError) and "used all your 2 dots" in x.message for x in refused)
    for who in ("ann", "bob"):
        got = await Dot.filter(ballot_id=ballot.id, member=who).values_list("dot", flat=True)
        assert sorted(got) == [0, 1]
    with pytest.raises(UserError, match="used all your 2 dots"):
        await dots.place(opts[0].id, "ann")
    assert await dots.take_back(opts[0].id, "ann") in (True, False)
    assert await dots.close(ballot.id) is True and await dots.close(ballot.id) is False
    with pytest.raises(UserError, match="closed"):
        await dots.place(opts[1].id, "cid")


async def test_per_item_limit_refuses_a_second_vote_on_the_same_option(h):
    s = await scope_of(h)
    ballot = await dots.open_ballot(s.community.id, "t:1", "name", budget=2, per_item=1)
    a = await dots.add_option(ballot.id, "cop", "CoP")
    assert a is not None
    results = await asyncio.gather(
        *[dots.place(a.id, "ann") for _ in range(5)], return_exceptions=True
    )
    assert sum(1 for r in results if isinstance(r, dots.Placed)) == 1
    refused = [r for r in results if not isinstance(r, dots.Placed)]
    assert len(refused) == 4 and all("only 1 vote" in r.message for r in refused)


async def test_forty_writers_at_once_none_lost_none_duplicated(h):
    s = await scope_of(h)
    p = await phases.start(s, (await phases.create(s, "t:1", "v", 300, job="facil.phase")).id)
    people_ = [f"p{i:02d}" for i in range(40)]
    await asyncio.gather(
        *[
            notes.write(p.id, who, who, f"{who} idea {k}", now=s.now())
            for who in people_
            for k in range(2)
        ]
    )
    rows = await Note.filter(phase_id=p.id)
    assert len(rows) == 80
    assert sorted(n.number for n in rows) == list(range(1, 81))
    assert sorted(n.text for n in rows) == sorted(f"{w} idea {k}" for w in people_ for k in (0, 1))


async def test_writing_races_the_close(h):
    s = await scope_of(h)
    p = await phases.start(s, (await phases.create(s, "t:1", "v", 300, job="facil.phase")).id)

    async def write(i: int) -> bool:
        try:
            await notes.write(p.id, f"m{i}", "", f"idea {i}", now=s.now())
            return True
        except UserError:
            return False

    results = await asyncio.gather(*[write(i) for i in range(20)], notes.reveal(p.id))
    accepted = sum(1 for r in results[:20] if r)
    assert await Note.filter(phase_id=p.id).count() == accepted


async def test_election_with_a_run_off_and_acceptance(h):
    s = await scope_of(h)
    e = await elections.open_election(s.community.id, "t:1", "leader")
    with pytest.raises(UserError, match="Nobody is proposed"):
        await elections.start_vote(e)
    await elections.nominate(e, "ann", "Ann", "bob")
    await elections.nominate(e, "bob", "Bob", "bob")
    with pytest.raises(UserError, match="already proposed"):
        await elections.nominate(e, "ann", "Ann", "cid")
    with pytest.raises(UserError, match="hasn't opened"):
        await elections.vote(e, "ann", "cid")
    e = await elections.start_vote(e)
    with pytest.raises(UserError, match="Nominations are closed"):
        await elections.nominate(e, "cid", "Cid", "cid")
    await elections.vote(e, "ann", "cid")
    await elections.vote(e, "bob", "dee")
    with pytest.raises(UserError):
        await elections.vote(e, "bob", "dee")  # one vote each
    result = await elections.close(e)
    assert result.winner is None and [o.key for o in result.tied] == ["ann", "bob"]
    e = await elections.open_election(s.community.id, "t:1", "leader")
    assert e.round == 2
    await elections.vote(e, "ann", "cid")
    result = await elections.close(e)
    assert result.winner is not None and result.winner.key == "ann"
    with pytest.raises(UserError, match="already closed|isn't open"):
        await elections.close(e)
    with pytest.raises(UserError, match="Only the person elected"):
        await elections.answer(e, "bob", accept=True)
    e = await elections.answer(e, "ann", accept=True)
    assert e.status == "accepted"
    with pytest.raises(UserError):
        await elections.answer(e, "ann", accept=True)


async def test_people_join_leave_and_come_back(h):
    s = await scope_of(h)
    now = s.now()
    assert await people.join(s.community.id, "t:1", "ann", "Ann", now) is True
    assert await people.join(s.community.id, "t:1", "ann", "Ann", now) is False
    assert await people.join(s.community.id, "t:1", "bob", "Bob", now + timedelta(seconds=1))
    assert [p.member for p in await people.present("t:1")] == ["ann", "bob"]
    assert await people.leave("t:1", "ann", now) is True
    assert await people.leave("t:1", "ann", now) is False
    assert not await people.is_present("t:1", "ann")
    assert [p.member for p in await people.everyone("t:1")] == ["ann", "bob"]
    assert await people.join(s.community.id, "t:1", "ann", "Ann", now) is True
