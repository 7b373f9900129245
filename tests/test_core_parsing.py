"""The command parser: typed arguments, and random text never makes an exception escape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copkit.core.errors import UsageError
from copkit.core.parsing import bind, parse_duration, resolve, tokenize
from copkit.core.plugins import build_registry, make_plugin_manager
from copkit.core.specs import Arg, Command


async def _noop(ctx, args):
    return None


CMD = Command(
    ("x", "start"),
    "Start.",
    _noop,
    (
        Arg("title", "t", positional=True, required=True, max_length=20),
        Arg("votes", "n", type="int", default=2),
        Arg("ext", "e", type="list", default=["4", "2"]),
        Arg("quiet", "q", type="flag"),
        Arg("after", "a", type="duration"),
        Arg("mode", "m", choices=("a", "b")),
    ),
)
REGISTRY = build_registry(make_plugin_manager(entry_points_group=None)).commands


def test_tokenize_quotes():
    assert tokenize("a \"b c\" 'd e' “f g”") == ["a", "b c", "d e", "f g"]
    assert tokenize('a ""') == ["a", ""]
    with pytest.raises(UsageError):
        tokenize('a "b')


def test_bind_types():
    v = bind(CMD, ["My", "topic", "--votes", "3", "--ext=8,4", "--quiet", "--after", "1h30m"])
    assert v == {
        "title": "My topic",
        "votes": 3,
        "ext": ["8", "4"],
        "quiet": True,
        "after": timedelta(minutes=90),
        "mode": None,
    }


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ([], "title is missing"),
        (["t", "--votes", "many"], "votes must be a whole number"),
        (["t", "--nope", "1"], "Unknown option --nope"),
        (["t", "--votes"], "--votes needs a value"),
        (["t", "--mode", "c"], "mode must be one of: a, b"),
        (["x" * 21], "title is too long (21 characters, at most 20)"),
    ],
)
def test_bind_errors_carry_a_clear_message(words, message):
    with pytest.raises(UsageError) as err:
        bind(CMD, words)
    assert message in err.value.message


def test_durations():
    assert parse_duration("3d") == timedelta(days=3)
    assert parse_duration("8") == timedelta(minutes=8)
    assert parse_duration("90s") == timedelta(seconds=90)
    for bad in ("soon", "0m", "5x", "-3m", "1000d"):
        with pytest.raises(UsageError):
            parse_duration(bad)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_random_text_never_raises_anything_but_usage_errors(text):
    try:
        words = tokenize(text)
        if not words:
            return
        cmd, rest = resolve(REGISTRY, words)
        bind(cmd, rest)
    except UsageError as exc:
        assert exc.message and "Traceback" not in exc.message


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "--votes",
                "--ext",
                "--quiet",
                "--after",
                "--mode",
                "a",
                "3",
                "8m",
                "x,y",
                '"',
                "--",
                "-",
            ]
        ),
        max_size=8,
    )
)
def test_random_arguments_never_raise_anything_but_usage_errors(words):
    try:
        bind(CMD, words)
    except UsageError:
        pass


def test_a_structured_rest_argument_may_arrive_as_any_value():
    from copkit.core.parsing import convert_structured

    cmd = Command(("x",), "x", _noop, (Arg("words", "w", type="rest", positional=True),))
    assert convert_structured(cmd, {"words": 0}) == {"words": ["0"]}
    assert convert_structured(cmd, {"words": True}) == {"words": ["True"]}
    assert convert_structured(cmd, {"words": ["a", 1]}) == {"words": ["a", "1"]}
