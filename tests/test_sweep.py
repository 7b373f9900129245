"""A property-based sweep (issue 12, #12): every registered command, and every registered action
prefix of every format, with random arguments, random id suffixes and random form values,
through the test kit on the test database (SQLite; PostgreSQL when COPKIT_TEST_POSTGRES_URL is
set). Nothing may get the bug apology, log an ERROR, or let a value reach the database that it
refuses. Bounded: one harness per sweep, a few hundred examples, well under a minute."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PG_URL, reset_postgres
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copkit.core.errors import Unavailable
from copkit.core.plugins import build_registry, make_plugin_manager
from copkit.core.specs import Arg, Command
from copkit.testing import Harness

REGISTRY = build_registry(make_plugin_manager(entry_points_group=None))
COMMANDS = sorted(REGISTRY.commands.values(), key=lambda c: c.name)
PREFIXES = sorted(REGISTRY.actions)
EXAMPLES = int(os.environ.get("COPKIT_SWEEP_EXAMPLES", "150"))
PEOPLE = ("leader", "ann", "bob")

NASTY = [
    "1",
    "2",
    "3",
    "0",
    "-1",
    "#1",
    "99999999999",
    "2147483648",
    "-2147483649",
    "99999999999999999999999",
    "²",
    "①",
    "١٢",
    "1_000",
    "1e9",
    "a\x00b",
    "x\ud800y",
    "\udfff",
    "x" * 201,
    "y" * 5000,
    "5m",
    "90s",
    "99999999999999999m",
    "99999999999d",
    "1h30m",
    "none",
    "2026-01-05",
    "2026-01-05 12:30",
    "99999-12-31",
    "in 2h",
    "tomorrow 10:00",
    "@leader",
    "@ann",
    "Europe/Paris",
    "../../etc/passwd",
    "z" * 300,
    "red",
    "yes",
    "up",
    "csv",
    "json",
    "last",
    "",
    " ",
    "**bold** [x](https://evil.example)",
    "=HYPERLINK(1)",
    "\u202e",
]
word = st.one_of(st.sampled_from(NASTY), st.text(max_size=30))


def arg_words(arg: Arg) -> st.SearchStrategy[list[str]]:
    if arg.type == "flag":
        return st.sampled_from([[], [f"--{arg.name}"]])
    values = word if not arg.choices else st.one_of(st.sampled_from(arg.choices), word)
    if arg.positional:
        n = (1, 3) if arg.type == "rest" else (0, 1)
        return st.lists(values, min_size=n[0], max_size=n[1])
    return st.one_of(st.just([]), values.map(lambda v, a=arg: [f"--{a.name}", v]))


@st.composite
def invocation(draw: Any) -> tuple[str, str]:
    cmd: Command = draw(st.sampled_from(COMMANDS))
    words: list[str] = []
    for arg in cmd.args:
        words += draw(arg_words(arg))
    if draw(st.booleans()):
        words = draw(st.permutations(words))
    quoted = [f'"{w}"' if (" " in w or not w) and '"' not in w else w for w in words]
    return draw(st.sampled_from(PEOPLE)), " ".join([cmd.name, *quoted])


suffix = st.lists(word.filter(lambda w: ":" not in w), max_size=4).map(":".join)
form_values = st.dictionaries(
    st.sampled_from(
        [
            "selected",
            "title",
            "pitch",
            "comment",
            "text",
            "owner",
            "due",
            "apply",
            "rating",
            "removed",
            "answer",
            "topic",
        ]
    ),
    st.one_of(word, st.lists(word, max_size=3), st.integers(), st.booleans(), st.none()),
    max_size=4,
)


@st.composite
def interaction(draw: Any) -> tuple[str, str, dict[str, Any]]:
    prefix = draw(st.sampled_from(PREFIXES))
    rest = draw(suffix)
    action_id = f"{prefix}:{rest}" if rest else prefix
    return draw(st.sampled_from(PEOPLE)), action_id, draw(form_values)


class Bugs(logging.Handler):
    """ERROR records, and the net under input checks ("the database refused a value")."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or "refused a value" in record.getMessage():
            self.records.append(record)


SETUP = [
    ("leader", "leancoffee start --timebox 5m"),
    ("ann", "leancoffee propose First topic"),
    ("bob", "leancoffee propose Second topic"),
    ("leader", "leancoffee voting open"),
    ("leader", "healthcheck start"),
    ("leader", "healthcheck pulse Lunch? yes no"),
    ("ann", "brownbag propose Testing in prod"),
    ("leader", 'brownbag schedule Testing --speaker ann --at "tomorrow 12:30"'),
    ("leader", 'lightning open Demos --at "tomorrow 16:00"'),
    ("ann", "lightning signup My talk"),
    ("leader", "workshop start"),
    ("ann", "workshop note A first idea"),
    ("bob", "workshop note A second idea --box importance"),
    ("leader", "retro start"),
    ("leader", "retro next"),
    ("ann", "retro note start A retro idea"),
]


class Loop:
    """One event loop and one context for a whole sweep: tortoise keeps its connections in a
    context variable, so every step runs in the context the harness was opened in."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.context = contextvars.copy_context()

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(self.loop.create_task(coro, context=self.context))


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Loop, Harness, Bugs]]:
    """One harness for a whole sweep, its community set up with a running lean coffee, a
    health check and a pulse, a brown bag, a lightning talks event and a vision workshop."""
    loop = Loop()
    if PG_URL:
        loop.run(reset_postgres(PG_URL))
        url = PG_URL
    else:
        url = f"sqlite://{Path(tmp_path_factory.mktemp('sweep')) / 'copkit.db'}"
    h = Harness(url)
    loop.run(h.__aenter__())
    bugs = Bugs()
    logging.getLogger().addHandler(bugs)
    for who, text in SETUP:
        loop.run(h.say(who, text))
    try:
        yield loop, h, bugs
    finally:
        logging.getLogger().removeHandler(bugs)
        loop.run(h.__aexit__(None, None, None))
        loop.loop.close()


def answered(h: Harness, before: int) -> str:
    return "\n".join(f"{m.view.title} {m.view.text}" for m in h.messenger.log[before:])


def check(loop: Loop, h: Harness, bugs: Bugs, what: str, coro: Any) -> None:
    bugs.records.clear()
    before = len(h.messenger.log)
    try:
        loop.run(coro)
    except Unavailable as exc:  # pragma: no cover - a failure of the sweep
        raise AssertionError(f"{what!r} was answered as a database outage: {exc}") from exc
    said = answered(h, before)
    assert "Sorry, something went wrong" not in said, (what, said)
    assert not bugs.records, (what, [r.getMessage() for r in bugs.records])


SWEEP = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@SWEEP
@given(invocation(), st.sampled_from([0, 0, 0, 0, 1, 5, 30, 600]))
def test_every_command_with_random_arguments(sweep, call, minutes):
    """Then, sometimes, time passes: the timers the commands set run (a failing job logs an
    ERROR too)."""
    loop, h, bugs = sweep
    who, text = call
    check(loop, h, bugs, text, h.say(who, text))
    if minutes:
        check(loop, h, bugs, f"{text}, then {minutes} min", h.advance(minutes=minutes))


@SWEEP
@given(interaction())
def test_every_action_with_random_ids_and_values(sweep, call):
    loop, h, bugs = sweep
    who, action_id, values = call
    check(loop, h, bugs, f"{action_id} {values}", h.click(who, action_id, values))


@SWEEP
@given(
    st.sampled_from(COMMANDS),
    st.dictionaries(
        st.sampled_from(["x", *{a.name for c in COMMANDS for a in c.args}]),
        st.one_of(word, st.integers(), st.booleans(), st.lists(word, max_size=3)),
    ),
)
def test_every_command_with_random_structured_options(sweep, cmd, options):
    """As a Discord slash command delivers them: already split, maybe not strings."""
    loop, h, bugs = sweep
    options = {k: v for k, v in options.items() if k in {a.name for a in cmd.args}}
    check(loop, h, bugs, f"{cmd.name} {options}", h.command("leader", cmd.path, options))


KILLERS = [
    "²",
    "①",
    "99999999999",
    "99999999999999999999999",
    "-2147483649",
    "1_000",
    "a\x00b",
    "x\ud800y",
    "z" * 300,
    "y" * 5000,
    "99999999999999999m",
    "",
]


def killer_lines(cmd: Command) -> Iterator[str]:
    """``cmd`` with each argument in turn given each killer value, the others a plausible one."""
    for target in cmd.args:
        if target.type == "flag":
            continue
        for value in KILLERS:
            words: list[str] = []
            for arg in cmd.args:
                v = value if arg is target else ("1" if arg.required else None)
                if v is None:
                    continue
                q = f'"{v}"' if " " in v or not v else v
                words += [q] if arg.positional else [f"--{arg.name}", q]
            yield " ".join([cmd.name, *words])


def test_every_argument_of_every_command_with_each_killer_value(sweep):
    loop, h, bugs = sweep
    failures = []
    for cmd in COMMANDS:
        for line in killer_lines(cmd):
            try:
                check(loop, h, bugs, line, h.say("leader", line))
            except AssertionError as exc:
                failures.append(str(exc)[:300])
    assert not failures, "\n".join(failures)


def test_every_action_with_each_killer_id(sweep):
    loop, h, bugs = sweep
    failures = []
    for prefix in PREFIXES:
        for value in KILLERS:
            for action_id, values in (
                (f"{prefix}:{value}", {}),
                (f"{prefix}:1:{value}", {"selected": [value]}),
                (f"{prefix}:{value}:1:up", {"title": value, "comment": value}),
            ):
                try:
                    check(loop, h, bugs, action_id, h.click("ann", action_id, values))
                except AssertionError as exc:
                    failures.append(str(exc)[:300])
    assert not failures, "\n".join(failures)
