"""Lean coffee through the core: commands, buttons, forms, timers and restarts on a real database
(SQLite, or PostgreSQL with COPKIT_TEST_POSTGRES_URL), driven with the test harness."""

from __future__ import annotations

from datetime import date

from copkit.core.hookspecs import hookimpl
from copkit.plugins.leancoffee.models import Minutes, Note, Session, Topic, Vote
from copkit.plugins.leancoffee.routes import (
    DONE,
    THUMBS,
    VOTE_PICK,
    VOTING_CLOSE,
    VOTING_OPEN,
    board_key,
)
from copkit.testing import Harness

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.leancoffee")
LEAD = "leader"


def harness(db_url: str, **kw) -> Harness:
    return Harness(db_url, plugins=PLUGINS, leader=LEAD, **kw)


async def session_id(room: str = "general") -> int:
    s = await Session.filter(room_id=room).order_by("-id").first()
    assert s is not None
    return s.id


async def board(h: Harness, sid: int | None = None) -> str:
    v = await h.view(board_key(sid or await session_id()))
    return v.text


async def board_button(h: Harness, sid: int, prefix: str) -> str:
    """The id of the board's button whose route has ``prefix``, as the board shows it now."""
    await h.rt.live.drain()
    v = await h.view(board_key(sid))
    return next(b.action_id for b in v.buttons if b.action_id.startswith(prefix + ":"))


def said(msgs) -> str:
    return "\n".join(f"{m.view.title} {m.view.text}" for m in msgs)


def section(text: str, name: str) -> str:
    """The lines of one board column (To discuss / Discussing / Discussed)."""
    out, on = [], False
    for line in text.splitlines():
        if line.startswith("**"):
            on = line.startswith(f"**{name}")
            continue
        if on:
            out.append(line)
    return "\n".join(out)


async def dots_of(sid: int, member: str) -> int:
    return await Vote.filter(session_id=sid, member=member).count()


class Recorder:
    """A plugin that records contributions and activity hooks, as an insights plugin would."""

    def __init__(self) -> None:
        self.contributions: list[tuple[str, str, str]] = []
        self.activities: list[tuple[str, str]] = []

    @hookimpl
    def copkit_contribution(self, community, member, kind, ref):
        self.contributions.append((member, kind, ref))

    @hookimpl
    def copkit_activity_started(self, activity):
        self.activities.append(("started", activity.format))

    @hookimpl
    def copkit_activity_ended(self, activity):
        self.activities.append(("ended", activity.format))


async def test_propose_edit_withdraw_merge_remove_and_near_duplicates(db_url):
    async with harness(db_url) as h:
        out = await h.say(
            LEAD, "leancoffee start --votes 3 --timebox 5m --extensions 3,1 --title March"
        )
        sid = await session_id()
        s = await Session.get(id=sid)
        assert (s.votes, s.timebox, s.extensions, s.title) == (3, 300, [180, 60], "March")
        text = await board(h)
        assert "Proposing topics" in text and "To discuss** (0)" in text
        assert "3 dots each · 5 min timebox · extensions: 3 min, 1 min" in h.last().footer or True
        v = await h.view(board_key(sid))
        assert "3 dots each · 5 min timebox · extensions: 3 min, 1 min" == v.footer
        assert "March" in v.title and out

        # by command, with a pitch
        out = await h.say(
            "ann", 'leancoffee propose Testing in production --pitch "is it ever ok?"'
        )
        assert "Added #1 Testing in production." in said(out)
        # via the form behind the board's button
        button = next(
            b for b in v.buttons if b.form and b.action_id.startswith("leancoffee:propose")
        )
        assert [i.name for i in button.form.inputs] == ["title", "pitch"]
        out = await h.click("bob", button.form.action_id, {"title": "Remote pairing", "pitch": ""})
        assert "Added #2 Remote pairing." in said(out)
        # a near-duplicate is flagged, to the author and on the board
        out = await h.say("cat", "leancoffee propose testing in  production!")
        assert "It looks like #1" in said(out) and "leancoffee merge 3 1" in said(out)
        assert "#3** testing in production! · ≈ #1" in await board(h)
        await h.say("dan", "leancoffee propose Career ladders")
        await h.say("eve", "leancoffee propose Our on-call rota")

        # the author edits and withdraws; others cannot
        out = await h.say("bob", "leancoffee edit 2 Remote pair programming --pitch tools")
        assert "#2 updated." in said(out)
        t2 = await Topic.get(session_id=sid, number=2)
        assert (t2.title, t2.pitch) == ("Remote pair programming", "tools")
        out = await h.say("ann", "leancoffee edit 2 Hijacked")
        assert "Only the author of #2 can edit it." in said(out)
        out = await h.say("ann", "leancoffee withdraw 5")
        assert "Only the author of #5 can withdraw it." in said(out)
        out = await h.say("eve", "leancoffee withdraw 5")
        assert "#5 withdrawn." in said(out)
        assert "on-call" not in await board(h)

        # the facilitator merges (authors combined) and removes
        out = await h.say("ann", "leancoffee merge 3 1")
        assert "Only the leader or core team can merge topics." in said(out)
        out = await h.say(LEAD, "leancoffee merge 3 1")
        assert "#3 merged into #1" in said(out)
        t1 = await Topic.get(session_id=sid, number=1)
        assert [c[0] for c in t1.coauthors] == ["cat"]
        out = await h.say(LEAD, "leancoffee remove 4")
        assert "#4 removed" in said(out)
        text = await board(h)
        assert "To discuss** (2)" in text and "#3**" not in text and "#4**" not in text

        # once voting opened, topics are frozen for their authors
        await h.say(LEAD, "leancoffee voting open")
        out = await h.say("bob", "leancoffee edit 2 Too late")
        assert "Topics can only be changed until voting starts." in said(out)
        out = await h.say("bob", "leancoffee withdraw 2")
        assert "Topics can only be changed until voting starts." in said(out)
        assert (await Topic.get(id=t2.id)).status == "open"


async def test_voting_dots_stack_move_and_budget_with_merge_during_voting(db_url):
    async with harness(db_url) as h:
        await h.say(LEAD, "leancoffee start")
        sid = await session_id()
        for who, title in (("ann", "Alpha"), ("bob", "Beta"), ("cat", "Gamma"), ("dan", "Delta")):
            await h.say(who, f"leancoffee propose {title}")
        out = await h.say("ann", "leancoffee vote 1")
        assert "Voting hasn't opened yet." in said(out)
        out = await h.say("ann", "leancoffee voting open")
        assert "Only the leader or core team can open voting." in said(out)
        await h.say(LEAD, "leancoffee voting open")
        text = await board(h)
        assert "Voting is open" in text and "2 dots each" in text
        v = await h.view(board_key(sid))
        assert v.choices and v.choices[0].action_id == VOTE_PICK.build(page=1)

        # stacked dots, by command and by the board's choice
        out = await h.say("ann", "leancoffee vote 2")
        assert "Dot on #2. 1 dot left." in said(out)
        t2 = await Topic.get(session_id=sid, number=2)
        out = await h.click("ann", v.choices[0].action_id, {"selected": [str(t2.id)]})
        assert "That was your last dot." in said(out)
        assert "#2** Beta · ●● 2 dots" in await board(h)
        # the budget holds
        out = await h.say("ann", "leancoffee vote 3")
        assert "You have used all your 2 dots." in said(out)
        assert await dots_of(sid, "ann") == 2
        # move a dot: take it back, put it elsewhere
        out = await h.say("ann", "leancoffee unvote 2")
        assert "Dot taken back from #2." in said(out)
        out = await h.say("ann", "leancoffee unvote 4")
        assert "You have no dot on #4." in said(out)
        await h.say("ann", "leancoffee vote 4")
        assert await dots_of(sid, "ann") == 2

        # ties go to the earlier topic: #2 and #4 both at 1, #3 at 1 → 2, 3, 4
        await h.say("bob", "leancoffee vote 3")
        text = section(await board(h), "To discuss")
        assert text.index("#2**") < text.index("#3**") < text.index("#4**") < text.index("#1**")

        # merging during voting carries the dots over: #4 (1 dot) into #3 (1 dot)
        await h.say(LEAD, "leancoffee merge 4 3")
        assert "#3** Gamma · ●● 2 dots" in await board(h)
        out = await h.say("bob", "leancoffee vote 4")
        assert "#4 was merged into #3. Vote for #3 instead." in said(out)
        # removing a topic frees its dots
        await h.say("cat", "leancoffee vote 1")
        await h.say(LEAD, "leancoffee remove 1")
        assert await dots_of(sid, "cat") == 0
        out = await h.say("cat", "leancoffee vote 1")
        assert "#1 was removed." in said(out)

        # the top topic starts when voting closes
        out = await h.say(LEAD, "leancoffee voting close")
        assert "Now discussing #3 Gamma (●● 2 dots): 8 min, until 09:08." in said(out)
        out = await h.say("bob", "leancoffee vote 2")
        assert "Voting is closed." in said(out)
        out = await h.say("ann", "leancoffee unvote 2")
        assert "Voting is closed." in said(out)
        assert await Vote.filter(session_id=sid).count() == 3


async def test_whole_session_timers_thumbs_capture_minutes_and_next_time(db_url):
    rec = Recorder()
    async with Harness(db_url, plugins=PLUGINS, leader=LEAD, extra=[rec]) as h:
        await h.present([LEAD, "ann", "bob"])
        await h.say(LEAD, "leancoffee start --timebox 5m")
        sid = await session_id()
        for who, title in (("ann", "Alpha"), ("bob", "Beta"), ("ann", "Gamma"), ("bob", "Delta")):
            await h.say(who, f"leancoffee propose {title}")
        await h.say(LEAD, "leancoffee voting open")
        for who, n in (("ann", 1), ("ann", 1), ("bob", 2), ("bob", 3), (LEAD, 2), (LEAD, 3)):
            await h.say(who, f"leancoffee vote {n}")
        out = await h.say(LEAD, "leancoffee voting close")
        # 2, 2, 2 dots: the earliest topic wins the tie
        assert "Now discussing #1 Alpha (●● 2 dots): 5 min, until 09:05." in said(out)
        text = await board(h)
        assert "#1** Alpha · ●● 2 dots · ⏱ until 09:05" in section(text, "Discussing")

        # heads-up one minute before the end
        await h.advance(minutes=3, seconds=59)
        assert "One minute left" not in "\n".join(h.texts())
        await h.advance(seconds=1)
        assert "⏳ One minute left on #1 Alpha." in h.last().text
        # time's up: a thumbs vote; everyone present votes → decided at once
        await h.advance(minutes=1)
        thumbs = h.last()
        assert "Keep going on #1 Alpha?" in thumbs.title
        ids = [b.action_id for b in thumbs.buttons]
        assert ids == [
            THUMBS.build(session=sid, round=1, vote=v) for v in ("up", "neutral", "down")
        ]
        await h.click("ann", ids[0])
        await h.click("bob", ids[2])
        await h.click("bob", ids[1])  # a change of mind
        out = await h.click(LEAD, ids[2])
        assert "The room keeps going on #1: 4 min more, until 09:09." in said(out)
        assert (await Topic.get(session_id=sid, number=1)).extensions_used == 1
        out = await h.click("ann", ids[0])
        assert "That thumbs vote is over." in said(out)
        # second timebox: heads-up at 3 min, the vote after 4; only two of three vote, the
        # window closes after 60 s: 👍 1 ✋ 0 👎 1 is no majority → the next topic
        await h.advance(minutes=3)
        assert "One minute left on #1" in h.last().text
        await h.advance(minutes=1)
        ids2 = [b.action_id for b in h.last().buttons]
        assert ids2[0] == THUMBS.build(session=sid, round=2, vote="up")
        await h.click("ann", ids2[0])
        await h.click("bob", ids2[1])
        await h.advance(seconds=59)
        assert (await Session.get(id=sid)).thumbs_open
        await h.advance(seconds=1)
        assert "keeps going on #1: 2 min more" in "\n".join(h.texts()[-3:])
        await h.advance(minutes=2)
        assert any("No extensions left: moving on." in t for t in h.texts()[-4:])
        assert "Now discussing #2 Beta" in "\n".join(h.texts()[-3:])
        t1 = await Topic.get(session_id=sid, number=1)
        assert (t1.status, t1.spent, t1.extensions_used, t1.order) == ("discussed", 660, 2, 1)
        assert t1.thumbs == [[1, 1, 1], [1, 1, 0]]

        # capture during the topic
        out = await h.say("ann", "leancoffee note Tools matter less than habits")
        assert "📝 Note added on #2." in said(out)
        await h.say("bob", "leancoffee takeaway Pair for an hour, then swap")
        out = await h.say(
            "ann", "leancoffee action Write the pairing guide --owner @bob --due 2026-02-01"
        )
        assert "📌 Action #" in said(out) and "for bob, due 2026-02-01." in said(out)
        out = await h.say("ann", "leancoffee action Book a room --owner Zoe --due 7d")
        assert "for Zoe, due 2026-01-12." in said(out)

        # the facilitator skips, extends, pauses and resumes
        out = await h.say("ann", "leancoffee skip")
        assert "Only the leader or core team can skip a topic." in said(out)
        await h.advance(minutes=1)
        out = await h.say(LEAD, "leancoffee skip")
        assert "⏭ #2 skipped" in said(out) and "Now discussing #3 Gamma" in said(out)
        out = await h.say(LEAD, "leancoffee extend 3m")
        assert "#3 extended by 3 min, until 09:21." in said(out)
        await h.advance(minutes=2)
        out = await h.say(LEAD, "leancoffee pause")
        assert "Timer paused with 6 min left." in said(out)
        assert "⏸ paused, 6 min left" in await board(h)
        ran = await h.advance(minutes=30)
        assert ran == 0  # no timer while paused
        out = await h.say(LEAD, "leancoffee resume")
        assert "Timer running again, until 09:51." in said(out)
        await h.say("bob", "leancoffee takeaway Say no more often")
        await h.advance(minutes=1)
        out = await h.say(LEAD, "leancoffee next")
        assert "Now discussing #4 Delta" in said(out)

        # the end: minutes posted and stored; #4 (current) is discussed, #2 (skipped) kept
        await h.advance(minutes=2)
        out = await h.say(LEAD, "leancoffee end")
        minutes = next(m.view for m in out if m.view.title.startswith("Minutes"))
        assert "Lean coffee, 2026-01-05" in minutes.title
        assert "1. #1 Alpha (●● 2 dots, 11 min, extended 2×)" in minutes.text
        assert "Thumbs: round 1: 👍 1 ✋ 1 👎 1; round 2: 👍 1 ✋ 1 👎 0." in minutes.text
        assert "2. #2 Beta (●● 2 dots, skipped)" in minutes.text
        assert "3. #3 Gamma (●● 2 dots, 3 min, extended once)" in minutes.text
        assert "4. #4 Delta (no dots, 2 min)" in minutes.text
        assert "Not discussed (kept in the backlog)" in minutes.text and "#2 Beta" in minutes.text
        assert "3 participants: ann, bob, leader" in minutes.text
        assert "This lean coffee has ended." in await board(h, sid)
        m = await Minutes.get(session_id=sid)
        assert m.day == date(2026, 1, 5) and "## Action items" in m.markdown
        assert "- [ ] Write the pairing guide — @bob, due 2026-02-01" in m.markdown
        assert "Tools matter less than habits (ann)" in m.markdown

        out = await h.say("cat", "leancoffee minutes")
        assert "Minutes: Lean coffee, 2026-01-05" in said(out)
        out = await h.say("cat", "leancoffee minutes 2026-01-05 --markdown")
        assert "```markdown\n# Lean coffee, 2026-01-05" in said(out)
        out = await h.say("cat", "leancoffee minutes last --markdown")
        assert "### 1. #1 Alpha" in said(out)
        out = await h.say("cat", "leancoffee minutes 2025-12-31")
        assert "No lean coffee minutes on 2025-12-31." in said(out)
        out = await h.say("cat", "leancoffee backlog")
        assert "Beta (from 2026-01-05)" in said(out)

        # next time: the backlog comes first, carried over; open actions listed, markable done
        await h.advance(days=7)
        out = await h.say(LEAD, "leancoffee start")
        text = said(out)
        assert "1 topic carried over from the backlog is on the board." in text
        assert "Open action items from earlier sessions" in text
        assert "Write the pairing guide · @bob · due 2026-02-01 · from 2026-01-05" in text
        sid2 = await session_id()
        assert sid2 != sid
        await h.say("ann", "leancoffee propose Fresh topic")
        todo = section(await board(h, sid2), "To discuss")
        assert todo.index("#1** Beta · ↻ carried over") < todo.index("#2** Fresh topic")
        guide = await Note.get(text="Write the pairing guide")
        out = await h.click("bob", DONE.build(action=guide.id))
        assert f"Action #{guide.id} done" in said(out)
        out = await h.say("bob", f"leancoffee done {guide.id}")
        assert f"Action #{guide.id} is already done." in said(out)
        out = await h.say("bob", "leancoffee actions")
        assert "Book a room" in said(out) and "pairing guide" not in said(out)
        out = await h.say("cat", "leancoffee backlog")
        assert "The backlog is empty." in said(out)

    kinds = {k for _m, k, _r in rec.contributions}
    assert {"topic", "vote", "note", "takeaway", "action", "action.done"} <= kinds
    assert ("ann", "vote", f"leancoffee:topic:{t1.id}") in rec.contributions
    assert rec.activities == [("started", "leancoffee"), ("ended", "leancoffee")] + [
        ("started", "leancoffee")
    ]


async def test_session_ends_by_itself_when_no_topics_remain(db_url):
    async with harness(db_url) as h:
        await h.say(LEAD, "leancoffee start --timebox 2m --extensions none")
        await h.say("ann", "leancoffee propose Only one")
        await h.say(LEAD, "leancoffee voting open")
        await h.say(LEAD, "leancoffee voting close")
        await h.advance(minutes=2)
        texts = "\n".join(h.texts()[-4:])
        assert "No extensions left: moving on." in texts
        assert "No topics left. This lean coffee has ended." in texts
        s = await Session.get(id=await session_id())
        assert s.phase == "ended" and s.running_key is None
        assert await Minutes.exists(session_id=s.id)


async def test_who_facilitates_is_configurable_per_community(db_url):
    async with harness(db_url) as h:
        out = await h.say("ann", "leancoffee start")
        assert "Only the leader or core team can start a lean coffee." in said(out)
        await h.say(LEAD, "roles require member leancoffee start")
        await h.say(LEAD, "roles require member leancoffee voting open")
        out = await h.say("ann", "leancoffee start")
        assert "Proposing topics" in await board(h)
        sid = await session_id()
        await h.say("bob", "leancoffee propose Something")
        opening = await board_button(h, sid, VOTING_OPEN.prefix)
        out = await h.click("bob", opening)  # the board's button too
        assert "Voting is open" in said(out)
        closing = await board_button(h, sid, VOTING_CLOSE.prefix)
        out = await h.click("bob", closing)
        assert "Only the leader or core team can close voting." in said(out)
        await h.say(LEAD, "roles core add @bob")
        out = await h.click("bob", closing)
        assert "Now discussing #1 Something" in said(out)
