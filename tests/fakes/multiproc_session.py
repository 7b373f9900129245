"""A lean coffee in one Teams channel, driven over HTTP against a :class:`Fleet`, and what it left.

Shared by ``tests/test_scale_*.py`` and ``benchmarks/scaleout.py``. The test process opens the
same database only to read what the workers stored.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from copkit.core.models import Job, LogEntry, ShownView
from copkit.core.plugins import build_registry, make_plugin_manager
from copkit.core.storage import close_database, open_database
from copkit.plugins.leancoffee.models import Minutes, Session, Topic, Vote
from copkit.plugins.leancoffee.routes import VOTE, board_key

from .bot_connector import TEAM, TeamsActivities, actions_of, card_text, user
from .multiproc import Outcome, Spreader, TimedConnector

OWNER = user("olivia", "Olivia Owner")
PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.leancoffee")


async def open_reader(url: str) -> None:
    """Open the database in this process (no migrations: the workers applied them)."""
    registry = build_registry(make_plugin_manager(PLUGINS, entry_points_group=None))
    await open_database(url, registry.models, upgrade=False)


async def close_reader() -> None:
    await close_database()


def participant(i: int) -> dict[str, str]:
    return user(f"p{i:04d}", f"Person {i}")


def plan(participants: int, topics: int) -> list[tuple[int, int]]:
    """Who puts a dot on which topic (indexes): two dots each, a skewed but fixed pattern."""
    out = []
    for i in range(participants):
        out.append((i, i % topics))
        out.append((i, (i * i + 1) % min(topics, 3)))
    return out


@dataclass
class Run:
    """What one lean coffee left behind, in a form two runs can be compared by."""

    session_id: int = 0
    board_after_votes: str = ""
    counts: dict[int, int] = field(default_factory=dict)  # topic number -> dots
    order: list[int] = field(default_factory=list)  # topic numbers as discussed
    minutes: dict[str, Any] = field(default_factory=dict)  # timing fields removed
    acked: Counter[tuple[str, int]] = field(default_factory=Counter)  # (member, topic id)
    sent: Counter[tuple[str, int]] = field(default_factory=Counter)
    outcomes: list[Outcome] = field(default_factory=list)
    vote_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds per vote, as the sender saw

    def comparable(self) -> dict[str, Any]:
        return {
            "board": self.board_after_votes,
            "counts": self.counts,
            "order": self.order,
            "minutes": self.minutes,
        }


def strip_timing(minutes: dict[str, Any]) -> dict[str, Any]:
    drop = {"session", "date", "start", "end", "spent"}

    def clean(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: clean(v) for k, v in node.items() if k not in drop}
        if isinstance(node, list):
            return [clean(v) for v in node]
        return node

    return clean(minutes)


class LeanCoffeeDriver:
    """Drives one session: start, propose, vote, close, let the timeboxes run out."""

    def __init__(self, connector: TimedConnector, spreader: Spreader) -> None:
        self.connector = connector
        self.spreader = spreader
        self.a = TeamsActivities(connector.url)
        # fresh activity ids for every driver: the endpoint answers a repeated id only once
        self.a._ids = itertools.count(int(time.time() * 1000) * 1000)
        connector.rosters[TEAM] = [{**OWNER, "userRole": "owner"}]
        self.run = Run()
        self.board_id = ""
        self.topic_ids: list[int] = []
        self._card: dict[str, Any] = {}

    async def say(self, who: dict[str, str], text: str, *, to: int | None = None) -> Outcome:
        out = await self.spreader.post(self.a.mention(who, text), to=to)
        assert out.status == 200, (text, out)
        return out

    async def start(self, topics: int, *, timebox: str = "1m") -> None:
        await self.say(
            OWNER, f"leancoffee start --timebox {timebox} --extensions none --title Scale"
        )
        for k in range(topics):
            await self.say(
                user(f"author{k}", f"Author {k}"), f"leancoffee propose Topic {k} of the day"
            )
        await self.say(OWNER, "leancoffee voting open")
        s = await Session.get(running_key__not_isnull=True)
        self.run.session_id = s.id
        self.topic_ids = list(
            await Topic.filter(session_id=s.id).order_by("number").values_list("id", flat=True)
        )
        shown = await ShownView.get(key=board_key(s.id))
        self.board_id = shown.ref["message_id"]
        await self.connector.wait_for(lambda: self.board_id in self.connector.messages)
        self._card = self.connector.messages[self.board_id].card

    def vote_activity(self, who: dict[str, str], topic_id: int) -> dict[str, Any]:
        """A click giving a dot to the topic, as the board card offers it."""
        data, inputs = vote_click(self._card, topic_id)
        return self.a.execute(who, self.board_id, data, inputs=inputs)

    async def vote(self, who: dict[str, str], topic_id: int) -> Outcome:
        self.run.sent[(who["id"], topic_id)] += 1
        t0 = time.perf_counter()
        out = await self.spreader.post(self.vote_activity(who, topic_id))
        self.run.latencies.append(time.perf_counter() - t0)
        self.run.outcomes.append(out)
        value = (out.body or {}).get("value") if isinstance(out.body, dict) else None
        said = value if isinstance(value, str) else card_text({"attachments": [{"content": value}]})
        if out.ok and "Dot on #" in (said or ""):
            self.run.acked[(who["id"], topic_id)] += 1
        return out

    async def vote_burst(
        self, participants: int, *, concurrency: int = 24, during: Any = None
    ) -> None:
        """Every participant places their dots, ``concurrency`` requests in flight; ``during``
        (a coroutine function taking the number of votes done) runs once a third are done."""
        todo = plan(participants, len(self.topic_ids))
        sem = asyncio.Semaphore(concurrency)
        done = 0
        hook: asyncio.Task[Any] | None = None

        async def one(i: int, k: int) -> None:
            nonlocal done, hook
            async with sem:
                await self.vote(participant(i), self.topic_ids[k])
                done += 1
                if during is not None and hook is None and done >= len(todo) // 3:
                    hook = asyncio.ensure_future(during(done))

        t0 = time.perf_counter()
        # Each person's two clicks go one after the other, people in parallel.
        by_person: dict[int, list[int]] = {}
        for i, k in todo:
            by_person.setdefault(i, []).append(k)

        async def person(i: int, ks: list[int]) -> None:
            for k in ks:
                await one(i, k)

        await asyncio.gather(*(person(i, ks) for i, ks in by_person.items()))
        self.run.vote_seconds = time.perf_counter() - t0
        if hook is not None:
            await hook

    async def settle(self, seconds: float = 1.6) -> None:
        """Let every worker's live views send their last edit (1 s interval)."""
        await asyncio.sleep(seconds)

    def board_text(self) -> str:
        return card_text(
            {"attachments": [{"content": self.connector.messages[self.board_id].card}]}
        )

    async def close_voting(self) -> float:
        await self.say(OWNER, "leancoffee voting close")
        return time.time()

    async def wait_ended(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = await Session.get(id=self.run.session_id)
            if s.phase == "ended" and await Minutes.exists(session_id=s.id):
                return
            await asyncio.sleep(0.2)
        raise AssertionError(f"the session did not end within {timeout:.0f} s")

    async def collect(self) -> Run:
        sid = self.run.session_id
        topics = await Topic.filter(session_id=sid).order_by("number")
        dots = Counter(await Vote.filter(session_id=sid).values_list("topic_id", flat=True))
        self.run.counts = {t.number: dots.get(t.id, 0) for t in topics}
        self.run.order = [t.number for t in sorted(topics, key=lambda t: t.order or 0) if t.order]
        m = await Minutes.get_or_none(session_id=sid)
        self.run.minutes = strip_timing(m.data) if m else {}
        return self.run


async def vote_rows(session_id: int) -> Counter[tuple[str, int]]:
    rows = await Vote.filter(session_id=session_id).values_list("member", "topic_id")
    return Counter((m, t) for m, t in rows)


async def vote_log_count(community_id: int | None = None) -> int:
    q = LogEntry.filter(kind="vote")
    if community_id is not None:
        q = q.filter(community_id=community_id)
    return await q.count()


def _worker(claimed_by: str | None) -> str:
    """Which process claimed a job: a test worker's id is ``worker-<n>-…``, copkit run's its own."""
    parts = (claimed_by or "").split("-")
    return parts[1] if len(parts) > 1 else parts[0]


async def timer_report(session_id: int, speed: float) -> dict[str, Any]:
    """Every lean coffee timer job of the session: done once, and how late (real seconds)."""
    jobs = [
        j
        for j in await Job.filter(handler="leancoffee.timer").order_by("id")
        if (j.payload or {}).get("session") == session_id
    ]
    fired = [j for j in jobs if j.claimed_by]  # (a job that moves the session on may mark
    # itself cancelled while it runs: claimed is what says it ran)
    late = [
        (j.claimed_at - j.due_at).total_seconds() / speed for j in fired if j.claimed_at is not None
    ]
    return {
        "jobs": len(jobs),
        "fired": len(fired),
        "not_done": [j.id for j in fired if j.done_at is None],
        "attempts": [j.attempts for j in fired],
        "errors": [j.error for j in fired if j.error],
        "late_max": max(late, default=0.0),
        "late": late,
        "workers": Counter(_worker(j.claimed_by) for j in fired),
    }


def vote_click(card: dict[str, Any], topic_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The data (and inputs) of the board's click that gives a dot to ``topic_id``: a button
    per topic (``selected``), or a choice set and its OK button (``_sel``)."""
    for act in actions_of(card):
        data = act.get("data") or {}
        if not str(data.get("copkit", "")).startswith("leancoffee:vote"):
            continue
        if data.get("selected") == [str(topic_id)]:
            return data, {}
        if isinstance(data.get("_sel"), str):
            return data, {data["_sel"]: str(topic_id)}
    return {"copkit": VOTE.build(topic_id=topic_id)}, {}


def announcements(connector: TimedConnector, needle: str) -> list[str]:
    """Texts of posts (not card edits) containing ``needle``."""
    return [connector.texts(c) for c in connector.posts() if needle in connector.texts(c)]
