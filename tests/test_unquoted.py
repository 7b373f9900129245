"""Issue 17 item 6: text of several words typed without quotes gets the quoted line to copy,
and a pulse question typed without quotes is read up to its "?" (or asked about)."""

from __future__ import annotations

import pytest

from copkit.core.errors import UsageError
from copkit.core.parsing import bind, question_and_options, tokenize
from copkit.core.specs import Arg, Command
from copkit.plugins.healthcheck.models import Pulse
from copkit.testing import Harness


async def _nothing(ctx, args):  # pragma: no cover - never run
    return None


START = Command(("lc", "start"), "", _nothing, (Arg("title", ""), Arg("votes", "", type="int")))
SCHEDULE = Command(
    ("bb", "schedule"),
    "",
    _nothing,
    (Arg("title", "", positional=True), Arg("at", ""), Arg("speaker", "", type="person")),
)


def test_a_lost_word_after_an_option_gets_the_quoted_form():
    with pytest.raises(UsageError) as caught:
        bind(START, tokenize("--title Friday café --votes 3"))
    assert '`lc start --title "Friday café" --votes 3`' in caught.value.message


def test_words_on_both_sides_of_an_option_are_ambiguous():
    with pytest.raises(UsageError) as caught:
        bind(SCHEDULE, tokenize("Talk --at tomorrow 12:30"))
    assert '`bb schedule Talk --at "tomorrow 12:30"`' in caught.value.message


def test_clear_lines_are_taken_as_typed():
    assert bind(SCHEDULE, tokenize('--at "tomorrow 12:30" My talk'))["title"] == "My talk"
    assert bind(SCHEDULE, tokenize("--speaker me My talk"))["title"] == "My talk"
    assert bind(START, tokenize('--title "Friday café"'))["title"] == "Friday café"


def test_question_up_to_its_question_mark():
    assert question_and_options("Move", ["to", "Thursdays?", "yes", "no"]) == (
        "Move to Thursdays?",
        ["yes", "no"],
    )
    assert question_and_options("Lunch?", ["yes", "no"]) == ("Lunch?", ["yes", "no"])


async def test_commands_answer_with_the_line_to_copy(db_url):
    async with Harness(db_url) as h:
        [answer] = await h.say("leader", "leancoffee start --title Friday café")
        assert '`leancoffee start --title "Friday café"`' in answer.view.text
        await h.say("leader", "healthcheck pulse Move to Thursdays? yes no")
        p = await Pulse.get()
        assert (p.question, p.options) == ("Move to Thursdays?", ["yes", "no"])
        [answer] = await h.say("leader", "healthcheck pulse Move to Thursdays yes no")
        assert "Where does the question end?" in answer.view.text
        assert await Pulse.all().count() == 1
