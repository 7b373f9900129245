"""Issue 17 item 5: help lists what this person may do, grouped by format; one command is
explained with its options in words; "Did you mean" ranks the obvious; delegating one
facilitation command offers the rest of the facilitation."""

from __future__ import annotations

import pytest

from copkit.core.errors import UsageError
from copkit.core.parsing import closest, resolve
from copkit.testing import Harness


@pytest.fixture
async def h(db_url):
    async with Harness(db_url) as h:
        yield h


async def test_help_lists_what_this_person_may_do_grouped_by_format(h):
    [mine] = await h.say("bob", "help")
    [leader] = await h.say("leader", "help")
    assert mine.private_to == "bob"
    assert "**Lean coffee** — `help leancoffee`:" in mine.view.text
    lc_line = next(ln for ln in mine.view.text.splitlines() if ln.startswith("**Lean coffee**"))
    assert "propose" in lc_line and "start" not in lc_line  # bob may not start one
    assert "formats enable" not in mine.view.text and "formats enable" in leader.view.text
    assert len(mine.view.text.splitlines()) < 30  # short: one line per format or community command


@pytest.mark.parametrize("line", ["help leancoffee start", "leancoffee start --help"])
async def test_one_command_explained_with_its_options(h, line):
    [answer] = await h.say("bob", line)
    text = answer.view.text
    assert answer.view.title == "leancoffee start"
    assert "- `--thumbs` — thumbs vote window (default 60s) (a duration" in text
    assert "Who may: the leader or core team." in text


async def test_a_group_alone_lists_its_commands(h):
    [answer] = await h.say("bob", "leancoffee")
    assert answer.view.title == "Lean coffee (leancoffee)"
    assert "`leancoffee propose <title…> [--pitch PITCH]`" in answer.view.text
    [answer] = await h.say("bob", "help healthcheck")
    assert "healthcheck take" in answer.view.text


def test_did_you_mean_ranks_the_obvious():
    names = ["leancoffee start", "leancoffee end", "lightning start", "formats", "help"]
    assert closest("lean coffee start".split(), names)[0] == "leancoffee start"
    assert closest(["fromats"], names)[0] == "formats"


async def test_unknown_command_suggests_leancoffee_start_first(h):
    with pytest.raises(UsageError, match="Did you mean: leancoffee start"):
        resolve(h.rt.registry.commands, "lean coffee start".split())
    [answer] = await h.say("bob", "lean coffee start")
    assert "Did you mean: leancoffee start" in answer.view.text


async def test_delegating_start_offers_the_whole_facilitation(h):
    [answer] = await h.say("leader", "roles require member leancoffee start")
    assert "“roles require member leancoffee” opens them all to members." in answer.view.text
    assert "end" in answer.view.text and "next" in answer.view.text
    await h.say("leader", "roles require member leancoffee")
    await h.say("bob", "leancoffee start")
    await h.say("bob", "leancoffee propose Tests")
    await h.say("bob", "leancoffee voting open")
    out = await h.say("bob", "leancoffee end")
    assert not any("Only the leader" in m.view.text for m in out)
