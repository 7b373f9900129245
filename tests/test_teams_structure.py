"""The Teams adapter's shape (issue 11 #6, issue 12 #15): no import cycle among its modules (the
inbound and outbound halves are separate; the request is passed to ``edit`` explicitly, not
smuggled in a context variable), no module over 500 lines, the core's one test of a database
outage, and per-process caches that stay bounded however many people and chats write."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from fakes.bot_connector import user
from fakes.teams_env import ALICE, TeamsEnv
from fakes.teams_plugin import TOPICS, TeamsDemo

import copkit
from copkit.adapters.teams import BOT_KEY
from copkit.adapters.teams.messenger import TeamsMessenger
from copkit.adapters.teams.request import LRU
from copkit.core.messenger import Messenger

TEAMS = Path(copkit.__file__).parent / "adapters" / "teams"


def _local_imports(path: Path) -> set[str]:
    """The adapter's own modules ``path`` imports, anywhere in it (functions and
    ``TYPE_CHECKING`` blocks included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1:
                if module:
                    found.add(module.split(".")[0])
                else:
                    found |= {a.name for a in node.names}
            elif module.startswith("copkit.adapters.teams."):
                found.add(module.split(".")[3])
    return found & {p.stem for p in TEAMS.glob("*.py")}


def test_no_import_cycle_in_the_adapter():
    graph = {p.stem: _local_imports(p) - {p.stem} for p in TEAMS.glob("*.py")}
    graph["__init__"] = set()  # the package's own re-exports are not a cycle
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt) :] + [nxt] if nxt in path else [node, nxt])
            elif not state.get(nxt):
                visit(nxt, path + [nxt])
        state[node] = 2

    for module in sorted(graph):
        if not state.get(module):
            visit(module, [module])
    assert cycles == []
    assert "bot" not in graph["messenger"]  # the outbound half does not know the inbound one


def test_no_module_over_500_lines_and_no_smuggled_request():
    for path in TEAMS.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert len(source.splitlines()) <= 500, path.name
        assert "contextvars" not in source, path.name
        assert "_DB_DOWN" not in source, path.name
    edit = inspect.signature(TeamsMessenger.edit)
    assert "request" in edit.parameters and edit.parameters["request"].default is None
    assert "request" in inspect.signature(Messenger.edit).parameters


@pytest.fixture
async def env(db_url, teams_sdk):
    TOPICS.clear()
    async with TeamsEnv(db_url, extra=[TeamsDemo()], sdk=teams_sdk) as e:
        yield e


def _containers(bot) -> dict[str, object]:
    """Every dict, set or list the adapter holds, by a dotted name."""
    found: dict[str, object] = {}
    conversations = getattr(bot, "conversations", None)
    holders = {
        "bot": bot,
        "people": getattr(bot, "people", None),
        "conversations": conversations,
        "cards": getattr(conversations, "cards", None),
        "messenger": bot.messenger,
    }
    for prefix, holder in holders.items():
        if holder is None:
            continue
        for name, value in vars(holder).items():
            if isinstance(value, (dict, set, list)):
                found[f"{prefix}.{name}"] = value
    return found


async def test_per_process_caches_stay_bounded(env: TeamsEnv):
    assert env._runner is not None
    bot = env._runner.app[BOT_KEY]
    size = 8
    for value in _containers(bot).values():
        if isinstance(value, LRU):
            value.size = size
    for n in range(3 * size):  # people in chats, meetings and 1:1 chats copkit never saw
        someone = user(f"person{n}")
        await env.post(env.a.group_chat(someone, "tdemo where", chat=f"19:chat-{n}@thread.v2"))
        await env.post(env.a.personal(someone, "tdemo where"))
        await env.post(
            env.a.meeting_event("Join", [someone, ALICE], chat=f"19:meeting_{n}@thread.v2")
        )
        await env.post(env.a.mention(someone, "tdemo where"))
    grown = {name: len(v) for name, v in _containers(bot).items() if len(v) > size}
    assert grown == {}, grown
