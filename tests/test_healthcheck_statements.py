"""A health-check click costs at most four statements (issue 20), counted at the drivers
(:mod:`statements`), on SQLite and on PostgreSQL: a member's colour, trend and comment clicks,
once the round is under way (their first click also counts them as a respondent)."""

from __future__ import annotations

import pytest
from statements import counting, statement_counter
from test_healthcheck_helpers import PLUGINS, item_ids, start

from copkit.plugins.healthcheck import routes as R
from copkit.plugins.healthcheck.models import Answer, Respondent
from copkit.testing import Harness

MOST = 4


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS) as h:
        yield h


async def test_a_click_is_at_most_four_statements(h: Harness):
    for who in ("ann", "bob", "cid"):
        await h.say(who, "hello")  # known members
    rid = await start(h)
    ids = await item_ids(rid)
    await h.click("ann", R.TAKE.build(round=rid))
    await h.click("ann", R.COLOUR.build(round=rid, item=ids[0]), {"selected": ["green"]})
    with statement_counter() as st:
        clicks = [
            (R.TREND.build(round=rid, item=ids[0]), {"selected": ["better"]}),
            (R.COLOUR.build(round=rid, item=ids[1]), {"selected": ["red"]}),
            (R.COLOUR.build(round=rid, item=ids[1]), {"selected": ["amber"]}),  # changed
            (R.COMMENT.build(round=rid, item=ids[1]), {"comment": "too many meetings"}),
        ]
        counts = []
        for action, values in clicks:
            with counting(st):
                out = await h.click("ann", action, values)
            assert out and "error" not in str(out[-1].view.tone)
            counts.append(st.count)
            assert st.count <= MOST, f"{action}: {st.count} statements\n{st}"
    print("statements per click:", counts)
    mine = {a.item_id: a for a in await Answer.filter(round_id=rid)}
    assert mine[ids[0]].colour == "green" and mine[ids[0]].trend == "better"
    assert mine[ids[1]].colour == "amber" and mine[ids[1]].comment == "too many meetings"
    assert await Respondent.filter(round_id=rid).count() == 1


async def test_a_click_on_a_closed_round_changes_nothing(h: Harness):
    await h.say("ann", "hello")
    rid = await start(h)
    ids = await item_ids(rid)
    await h.click("ann", R.COLOUR.build(round=rid, item=ids[0]), {"selected": ["green"]})
    await h.say("leader", "healthcheck close")
    before = [(a.item_id, a.colour) for a in await Answer.filter(round_id=rid)]
    out = await h.click("ann", R.COLOUR.build(round=rid, item=ids[0]), {"selected": ["red"]})
    assert "closed" in (out[-1].view.text + out[-1].view.title).lower()
    assert [(a.item_id, a.colour) for a in await Answer.filter(round_id=rid)] == before
