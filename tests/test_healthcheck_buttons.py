"""The health check's buttons, choices and forms: declared with the command they mirror (same
role, same per-community override), every id a typed route (a mangled or forged one is "out of
date", never a bug), and what records an answer or a vote carries what it acts on, so pressing
twice changes state once and says so. SQLite always; PostgreSQL with COPKIT_TEST_POSTGRES_URL."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from test_healthcheck_helpers import PLUGINS, item_ids, start

from copkit.core.context import Scope
from copkit.plugins.healthcheck import models as m
from copkit.plugins.healthcheck import rounds
from copkit.plugins.healthcheck import routes as R
from copkit.testing import Harness

LEAD = "leader"
TABLES = (m.Round, m.Respondent, m.Answer, m.Note, m.PulseVote)
PLUGIN_DIR = Path(__file__).resolve().parent.parent / "copkit" / "plugins" / "healthcheck"


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS, leader=LEAD) as h:
        yield h


async def snapshot() -> dict[str, list[dict]]:
    # ``writes`` is the round's lock counter, bumped by every answer (even an unchanged one)
    return {
        t.__name__: [
            {k: v for k, v in row.items() if k != "writes"}
            for row in await t.all().order_by("id").values()
        ]
        for t in TABLES
    }


def said(msgs) -> str:
    return "\n".join(f"{x.view.title} {x.view.text}" for x in msgs)


async def refused(h: Harness, who: str, action_id: str, expected: str, values=None) -> None:
    """Pressing ``action_id`` is answered with ``expected`` alone, privately, and changes
    nothing."""
    before = await snapshot()
    out = await h.click(who, action_id, values)
    answer = said(out)
    assert expected in answer, (action_id, answer)
    assert len(out) == 1 and out[0].view.tone == "error", answer
    assert out[0].private_to == who
    assert "went wrong" not in answer and "Traceback" not in answer
    assert await snapshot() == before, action_id


async def test_roles_require_core_refuses_every_card_as_well_as_the_command(h):
    rid = await start(h)
    first = (await item_ids(rid))[0]
    await h.say(LEAD, "roles require core healthcheck take")
    who = "Only the leader or core team can take the health check."
    assert who in said(await h.say("ann", "healthcheck take"))
    for action_id, values in (
        (R.TAKE.build(round=rid), {}),
        (R.CARD.build(round=rid, index=2), {}),
        (R.COLOUR.build(round=rid, item=first), {"selected": ["red"]}),
        (R.TREND.build(round=rid, item=first), {"selected": ["worse"]}),
        (R.COMMENT.build(round=rid, item=first), {"comment": "hidden"}),
        (R.FORGET.build(round=rid), {"text": "a note"}),
        (R.DONE.build(round=rid), {}),
    ):
        await refused(h, "ann", action_id, who, values)
    assert await m.Respondent.all().count() == 0
    # the core team still may, through the same buttons
    out = await h.click(LEAD, R.COLOUR.build(round=rid, item=first), {"selected": ["red"]})
    assert "Your answer: 🔴 red" in said(out)
    assert await m.Answer.all().count() == 1


async def test_pressing_twice_changes_state_once_and_says_so(h):
    rid = await start(h)
    ids = await item_ids(rid)
    total = len(ids)
    out = await h.click("ann", R.TAKE.build(round=rid))
    assert f"· 1/{total} ·" in said(out)

    # Next from the first card, pressed twice: the second card both times, never the third
    for _press in range(2):
        out = await h.click("ann", R.CARD.build(round=rid, index=2))
        assert f"· 2/{total} ·" in said(out)

    colour = R.COLOUR.build(round=rid, item=ids[0])
    await h.click("ann", colour, {"selected": ["amber"]})
    once = await snapshot()
    out = await h.click("ann", colour, {"selected": ["amber"]})
    assert "Your answer: 🟡 amber" in said(out)
    assert await snapshot() == once
    assert await m.Respondent.filter(round_id=rid).count() == 1
    assert await m.Answer.filter(round_id=rid).count() == 1

    forget = R.FORGET.build(round=rid)
    await h.click("ann", forget, {"text": "Pairing"})
    once = await snapshot()
    out = await h.click("ann", forget, {"text": "Pairing"})
    assert "Thank you!" in said(out)
    assert await snapshot() == once and await m.Note.all().count() == 1

    for _press in range(2):  # Done: the thanks, and nothing else, both times
        out = await h.click("ann", R.DONE.build(round=rid))
        assert "Thank you!" in said(out) and out[-1].private_to == "ann"
        assert await snapshot() == once

    # a pulse vote pressed twice: counted once, and the second answer says nothing changed
    await h.say(LEAD, 'healthcheck pulse "Lunch?" yes no --closes-in 1h')
    pid = (await m.Pulse.all().order_by("-id").first()).id
    vote = R.VOTE.build(pulse=pid, option=1)
    assert "Your vote: no." in said(await h.click("ann", vote))
    once = await snapshot()
    out = await h.click("ann", vote)
    assert "You already voted no; nothing changed." in said(out)
    assert len(out) == 1 and out[0].private_to == "ann"
    assert await snapshot() == once and await m.PulseVote.all().count() == 1
    assert "Your vote: yes." in said(await h.click("ann", R.VOTE.build(pulse=pid, option=0)))
    assert await m.PulseVote.all().count() == 1


async def test_a_stale_card_or_vote_after_the_close_is_refused(h):
    rid = await start(h)
    first = (await item_ids(rid))[0]
    await h.say(LEAD, 'healthcheck pulse "Lunch?" yes no --closes-in 1h')
    pid = (await m.Pulse.all().order_by("-id").first()).id
    await h.say(LEAD, "healthcheck close")
    await h.advance(hours=1)
    await h.say(LEAD, "healthcheck start")  # a new round: the old cards still name the old one
    closed = "This health check is closed: answers are no longer taken."
    for action_id, values in (
        (R.TAKE.build(round=rid), {}),
        (R.CARD.build(round=rid, index=2), {}),
        (R.COLOUR.build(round=rid, item=first), {"selected": ["red"]}),
        (R.COMMENT.build(round=rid, item=first), {"comment": "late"}),
        (R.FORGET.build(round=rid), {"text": "late"}),
        (R.DONE.build(round=rid), {}),
    ):
        await refused(h, "ann", action_id, closed, values)
    await refused(h, "ann", R.VOTE.build(pulse=pid, option=0), "This poll is closed.")


async def test_mangled_or_forged_ids_are_out_of_date_never_a_bug(h):
    rid = await start(h)
    iid = (await item_ids(rid))[0]
    await h.say(LEAD, 'healthcheck pulse "Lunch?" yes no --closes-in 1h')
    pid = (await m.Pulse.all().order_by("-id").first()).id
    huge = "99999999999"
    for action_id in (
        f"{R.TAKE.prefix}:²",
        f"{R.TAKE.prefix}:{huge}",
        f"{R.TAKE.prefix}",
        f"{R.TAKE.prefix}:123456",  # no such round
        f"{R.CARD.prefix}:{rid}:①",
        f"{R.CARD.prefix}:{rid}",
        f"{R.CARD.prefix}:{rid}:{huge}",
        f"{R.COLOUR.prefix}:{rid}:²",
        f"{R.COLOUR.prefix}:{rid}:{iid}:1",
        f"{R.COLOUR.prefix}:{rid}:123456",  # no such dimension in this round
        f"{R.TREND.prefix}:①:{iid}",
        f"{R.COMMENT.prefix}:{rid}:{huge}",
        f"{R.FORGET.prefix}:-1",
        f"{R.DONE.prefix}:{rid}:x",
        f"{R.VOTE.prefix}:{pid}:²",
        f"{R.VOTE.prefix}:{pid}",
        f"{R.VOTE.prefix}:{huge}:0",
    ):
        await refused(h, "ann", action_id, "out of date", {"selected": ["red"], "comment": "x"})
    await refused(h, "ann", R.VOTE.build(pulse=pid, option=7), "That poll no longer exists.")


def test_no_id_is_built_or_split_by_hand():
    """Every action id and view key comes from routes.py: no f-string id, no split, no int()
    of an id's part anywhere else in the plugin."""
    for path in PLUGIN_DIR.glob("*.py"):
        if path.name == "routes.py":
            continue
        source = path.read_text()
        assert 'split(":")' not in source and "partition(" not in source, path.name
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.JoinedStr):
                head = node.values[0] if node.values else None
                text = head.value if isinstance(head, ast.Constant) else ""
                assert not str(text).startswith("healthcheck:"), (path.name, node.lineno)


def test_no_module_over_500_lines():
    for path in PLUGIN_DIR.glob("*.py"):
        assert len(path.read_text().splitlines()) <= 500, path.name


async def test_a_late_refresh_from_an_old_copy_of_the_round_ends_on_the_latest_state(h):
    """The announcement is rendered from the database when it is shown: a refresh still in
    flight from before the close (an answer's, another process's) cannot put back "open"."""
    rid = await start(h)
    stale = await m.Round.get(id=rid)
    await h.say(LEAD, "healthcheck close")
    await h.advance(seconds=0)
    assert "is closed" in (await h.view(R.round_key(rid))).title
    scope = Scope(h.rt, (await h.rt.community(h.community_ref)).row, stale.room_id)
    await rounds.refresh_announcement(scope, stale)
    await h.rt.live.drain()
    view = await h.view(R.round_key(rid))
    assert "is closed" in view.title and all(b.disabled for b in view.buttons)
