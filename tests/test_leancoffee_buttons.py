"""Lean coffee's buttons, choices and forms: each is declared with the command it mirrors (same
role, same per-community override), every id is a typed route (a forged or mangled one is "out
of date", never a bug), and what moves a session on carries the session's version, so pressing
twice, or pressing a stale copy of the board after a restart, changes state once.
SQLite always; PostgreSQL with COPKIT_TEST_POSTGRES_URL."""

from __future__ import annotations

import ast
from pathlib import Path

from copkit.core.models import Job
from copkit.plugins.leancoffee import models as m
from copkit.plugins.leancoffee import routes as r
from copkit.testing import Harness

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.leancoffee")
LEAD = "leader"
TABLES = (m.Session, m.Topic, m.Vote, m.Thumbs, m.Note, m.Participant, m.Minutes)
PLUGIN_DIR = Path(__file__).resolve().parent.parent / "copkit" / "plugins" / "leancoffee"


def harness(db_url: str) -> Harness:
    return Harness(db_url, plugins=PLUGINS, leader=LEAD)


async def snapshot() -> dict[str, list[dict]]:
    out = {t.__name__: await t.all().order_by("id").values() for t in TABLES}
    out["jobs"] = await Job.filter(done_at=None).order_by("id").values("id", "handler", "due_at")
    return out


def said(msgs) -> str:
    return "\n".join(f"{x.view.title} {x.view.text}" for x in msgs)


async def sid() -> int:
    return (await m.Session.all().order_by("-id").first()).id


async def button(h: Harness, route, view_key: str | None = None) -> str:
    """The id of the button of ``route`` on the board (or another live view) as shown now."""
    await h.rt.live.drain()
    view = await h.view(view_key or r.board_key(await sid()))
    found = [b.action_id for b in view.buttons if b.action_id.startswith(route.prefix + ":")]
    assert found, (route, [b.action_id for b in view.buttons])
    return found[0]


async def refused(h: Harness, who: str, action_id: str, expected: str, values=None) -> None:
    """Pressing ``action_id`` is answered with ``expected`` alone and changes nothing."""
    before = await snapshot()
    out = await h.click(who, action_id, values)
    answer = said(out)
    assert expected in answer, (action_id, answer)
    assert len(out) == 1 and out[0].view.tone == "error", answer
    assert "went wrong" not in answer and "Traceback" not in answer
    await h.rt.live.drain()
    assert await snapshot() == before, action_id


async def twice(h: Harness, route, expected: str, *, again: str = "out of date") -> str:
    """Press the board's ``route`` button; it does ``expected``. The same press again is
    refused with ``again`` and changes nothing."""
    action_id = await button(h, route)
    out = await h.click(LEAD, action_id)
    assert expected in said(out), (action_id, said(out))
    await refused(h, LEAD, action_id, again)
    return action_id


async def test_every_button_that_moves_the_session_on_acts_once_when_pressed_twice(db_url):
    async with harness(db_url) as h:
        await h.present([LEAD, "ann", "bob"])
        await h.say(LEAD, "leancoffee start --timebox 5m --extensions 4,2,2")
        for who, title in (("ann", "Alpha"), ("bob", "Beta"), ("ann", "Gamma"), ("bob", "Delta")):
            await h.say(who, f"leancoffee propose {title}")
        s = await sid()

        await twice(h, r.VOTING_OPEN, "Voting is open")
        await h.say("ann", "leancoffee vote 1")
        await twice(h, r.VOTING_CLOSE, "Now discussing #1 Alpha")
        assert await m.Topic.filter(session_id=s, status="discussing").count() == 1

        await twice(h, r.EXTEND, "#1 extended by 4 min")
        assert (await m.Topic.get(session_id=s, number=1)).extensions_used == 1
        await twice(h, r.PAUSE, "Timer paused")
        await twice(h, r.RESUME, "Timer running again")
        assert (await m.Session.get(id=s)).paused_left is None

        # the timebox ends: a thumbs vote; a second 👍 of the same person counts once
        await h.advance(minutes=9)
        thumbs_key = r.thumbs_key(s, 1)
        up = await button(h, r.THUMBS, thumbs_key)
        assert "Got your 👍." in said(await h.click("ann", up))
        before = await snapshot()
        assert "Got your 👍." in said(await h.click("ann", up))
        assert await snapshot() == before
        assert await m.Thumbs.filter(session_id=s, round=1).values_list("value", flat=True) == [
            "up"
        ]

        await twice(h, r.NEXT, "Now discussing #2 Beta")
        await twice(h, r.SKIP, "#2 skipped")
        assert await m.Topic.filter(session_id=s, status="skipped").count() == 1
        assert await m.Topic.filter(session_id=s, status="discussed").count() == 1
        await twice(h, r.END, "Minutes", again="This lean coffee has ended.")
        assert (await m.Session.get(id=s)).phase == "ended"
        assert await m.Minutes.filter(session_id=s).count() == 1
        # the thumbs vote of a moved-on round is over
        await refused(h, "bob", up, "That thumbs vote is over.")


async def test_a_stale_copy_of_the_board_after_a_restart_changes_state_once(db_url):
    async with harness(db_url) as h:
        await h.say(LEAD, "leancoffee start --timebox 5m")
        for who, title in (("ann", "Alpha"), ("bob", "Beta"), ("cat", "Gamma")):
            await h.say(who, f"leancoffee propose {title}")
        await h.say(LEAD, "leancoffee voting open")
        await h.say(LEAD, "leancoffee voting close")
        s = await sid()
        old_next = await button(h, r.NEXT)
        old_extend = await button(h, r.EXTEND)
        old_end = await button(h, r.END)

        await h.restart()  # the board's copy in the chat survives, its buttons still work
        out = await h.click(LEAD, old_next)
        assert "Now discussing #2 Beta" in said(out)
        await h.restart()
        # the same copy again: the session moved on since it was shown
        for stale in (old_next, old_extend, old_end):
            await refused(h, LEAD, stale, "out of date")
        session = await m.Session.get(id=s)
        assert session.phase == "discussing"
        assert await m.Topic.filter(session_id=s, status="discussed").count() == 1
        assert (await m.Topic.get(id=session.current_topic)).title == "Beta"

        # the heads-up re-arms the timer without moving the session on: the board stays current
        fresh = await button(h, r.EXTEND)
        await h.advance(minutes=4)
        assert "One minute left on #2" in "\n".join(h.texts()[-2:])
        assert "#2 extended" in said(await h.click(LEAD, fresh))


async def test_roles_require_core_refuses_the_buttons_choices_and_forms_too(db_url):
    async with harness(db_url) as h:
        await h.say(LEAD, "leancoffee start")
        await h.say("ann", "leancoffee propose Alpha")
        s = await sid()
        for command in ("propose", "vote", "unvote", "note", "takeaway", "action", "thumbs"):
            await h.say(LEAD, f"roles require core leancoffee {command}")
        who = "Only the leader or core team can"
        await refused(
            h, "ann", r.PROPOSE.build(session=s), f"{who} propose topics.", {"title": "x"}
        )
        out = await h.say("ann", "leancoffee propose Beta")
        assert f"{who} propose topics." in said(out)

        await h.say(LEAD, "leancoffee voting open")
        t1 = (await m.Topic.get(session_id=s, number=1)).id
        pick = {"selected": [str(t1)]}
        await refused(h, "ann", r.VOTE_PICK.build(page=1), f"{who} vote on topics.", pick)
        await refused(h, "ann", r.VOTE.build(topic_id=t1), f"{who} vote on topics.")
        assert f"{who} vote on topics." in said(await h.say("ann", "leancoffee vote 1"))
        await h.say(LEAD, "leancoffee vote 1")
        await refused(h, "ann", r.UNVOTE_PICK.build(), f"{who} take dots back.", pick)
        await refused(h, "ann", r.UNVOTE.build(topic_id=t1), f"{who} take dots back.")

        await h.say(LEAD, "leancoffee voting close")
        for route, words in ((r.NOTE, "add notes"), (r.TAKEAWAY, "add takeaways")):
            await refused(h, "ann", route.build(session=s), f"{who} {words}.", {"text": "Hi"})
        await refused(
            h, "ann", r.ACTION.build(session=s), f"{who} add action items.", {"text": "x"}
        )
        for command, words in (
            ("note", "add notes"),
            ("takeaway", "add takeaways"),
            ("action", "add action items"),
        ):
            assert f"{who} {words}." in said(await h.say("ann", f"leancoffee {command} Hi"))
        # the core team still may, through the same buttons
        out = await h.click(LEAD, r.NOTE.build(session=s), {"text": "From the form"})
        assert "📝 Note added on #1." in said(out)
        await h.advance(minutes=8)  # the thumbs vote
        up = await button(h, r.THUMBS, r.thumbs_key(s, 1))
        await refused(h, "ann", up, f"{who} vote on keeping going.")
        assert "Got your 👍." in said(await h.click(LEAD, up))


async def test_mangled_or_forged_ids_are_out_of_date_never_a_bug(db_url):
    async with harness(db_url) as h:
        await h.say(LEAD, "leancoffee start")
        await h.say("ann", "leancoffee propose Alpha")
        await h.say(LEAD, "leancoffee voting open")
        s = await sid()
        huge = "99999999999"
        for action_id in (
            f"{r.NEXT.prefix}:²:1:1",
            f"{r.NEXT.prefix}:{s}:①:0",
            f"{r.END.prefix}:{huge}:0",
            f"{r.END.prefix}:{s}",  # no version
            f"{r.VOTING_CLOSE.prefix}:{s}:{huge}",
            f"{r.THUMBS.prefix}:{s}:²:up",
            f"{r.THUMBS.prefix}:{s}:1:up:down",
            f"{r.VOTE.prefix}:²",
            f"{r.VOTE.prefix}:page1",  # a board from before the routes
            f"{r.DONE.prefix}:{huge}",
            f"{r.MINUTES.prefix}:①",
            f"{r.PROPOSE.prefix}:²",
            f"{r.END.prefix}:123456:0",  # no such session
        ):
            await refused(h, LEAD, action_id, "out of date", {"title": "x"})
        for picked in (["²"], [huge], ["①"], []):
            await refused(h, LEAD, r.VOTE_PICK.build(page=1), "Pick a topic.", {"selected": picked})
        for text, expected in (
            ("leancoffee vote ²", "Give the topic's number"),
            (f"leancoffee vote {huge}", "Give the topic's number"),
            ("leancoffee done ①", "Give the action's number"),
            (f"leancoffee done {huge}", "Give the action's number"),
        ):
            out = await h.say("ann", text)
            assert expected in said(out) and "went wrong" not in said(out), text


def _imports(path: Path) -> set[str]:
    """The plugin's own modules ``path`` imports at its top level (or anywhere)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(a.name for a in node.names)
    return found


def test_the_plugin_has_no_import_cycles_no_hand_built_ids_and_small_files():
    modules = {p.stem: p for p in PLUGIN_DIR.glob("*.py") if p.stem != "__init__"}
    graph = {name: _imports(path) & set(modules) for name, path in modules.items()}
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, " → ".join((*path, name))
        if name in done:
            return
        for dep in graph[name]:
            visit(dep, (*path, name))
        done.add(name)

    for name in graph:
        visit(name, ())
    for path in PLUGIN_DIR.glob("*.py"):
        text = path.read_text()
        assert 'split(":")' not in text and 'f"leancoffee:' not in text, path.name
        assert len(text.splitlines()) <= 500, path.name
        for node in ast.walk(ast.parse(text)):  # every import at the top of its module
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = [n for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)]
                assert not inner, f"{path.name}: import inside {node.name}"
