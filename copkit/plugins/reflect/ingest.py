"""Reading the community log into reflect's aggregates, from where the last read stopped.

Every view calls :func:`catch_up` first; it reads only the log rows added since (by id), a batch
at a time, and adds them to the aggregates in the same transaction that moves the cursor — a
conditional UPDATE from the old position, so two processes catching up at once never count a
row twice. The aggregates are per member and month and kind, so a scorecard or a digest reads a
few thousand rows however long the history.

Health-check lines (kinds ``healthcheck…``) are never read: answers are anonymous, and they never
feed participation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from copkit.core import store
from copkit.core.models import LogEntry

from .models import Cursor

BATCH = 5000
PRESENTING = frozenset({"talk", "signup", "volunteer", "host"})
"""Kinds that mean a member presented or ran an event (``host`` is an ``activity.started``)."""
GIVES = frozenset(
    {"topic", "note", "decision", "answer", "action", "action.done", "talk", "signup"}
    | {"volunteer", "host", "link"}
)
TAKES = frozenset({"vote", "feedback", "brownbag.rsvp", "attend", "read"})
"""The default lens: what gives and what takes (``reflect counts`` changes it per community)."""


def month_index(ts: int | datetime) -> int:
    """Months since year 0: ``2026-01`` → 2026*12. Aggregates are kept per month."""
    when = ts if isinstance(ts, datetime) else datetime.fromtimestamp(ts, UTC)
    when = when.astimezone(UTC)
    return when.year * 12 + when.month - 1


def month_name(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


def epoch(when: datetime) -> int:
    return int(when.timestamp())


class _Raced(Exception):
    """Another process moved the cursor first: its batch counts, ours is dropped."""


@dataclass
class _Batch:
    months: dict[tuple[int, str, str], int] = field(default_factory=lambda: defaultdict(int))
    members: dict[str, list[Any]] = field(default_factory=dict)  # first, last, give, presented
    events: dict[str, list[Any]] = field(default_factory=dict)  # format, host, started, ended
    actions: dict[str, list[Any]] = field(default_factory=dict)  # opened, closed

    def contribution(self, member: str, kind: str, at: int) -> None:
        self.months[(month_index(at), member, kind)] += 1
        m = self.members.setdefault(member, [at, at, None, None])
        m[0], m[1] = min(m[0], at), max(m[1], at)
        if kind in GIVES and m[2] is None:
            m[2] = at
        if kind in PRESENTING and m[3] is None:
            m[3] = at

    def add(self, kind: str, ref: str, member: str, at: int) -> None:
        if kind.startswith("healthcheck") or ref.startswith("healthcheck:"):
            return
        if kind in ("activity.started", "activity.ended"):
            fmt = ref.partition(":")[0]
            e = self.events.setdefault(ref, [fmt, "", None, None])
            if kind == "activity.started":
                e[1], e[2] = e[1] or member, e[2] or at
                if member:
                    self.contribution(member, "host", at)
            elif e[3] is None:
                e[3] = at
            return
        if kind == "action" and ref:
            self.actions.setdefault(ref, [None, None])[0] = at
        elif kind == "action.done" and ref:
            a = self.actions.setdefault(ref, [None, None])
            a[1] = a[1] or at
        if member:
            self.contribution(member, kind[:50], at)


async def catch_up(community_id: int) -> int:
    """Read the log rows added since the last call into the aggregates; how many were read."""
    read = 0
    while True:
        cursor = await Cursor.get_or_none(community_id=community_id)
        if cursor is None:
            await store.insert_if_absent(Cursor, community_id=community_id, last_id=0)
            continue
        rows = (
            await LogEntry.filter(community_id=community_id, id__gt=cursor.last_id)
            .order_by("id")
            .limit(BATCH)
            .values_list("id", "kind", "ref", "member", "at")
        )
        if not rows:
            return read
        batch = _Batch()
        for _id, kind, ref, member, at in rows:
            batch.add(kind, ref, member, epoch(at))
        try:
            async with store.transaction():
                moved = await store.execute(
                    "UPDATE reflect_cursor SET last_id = ? WHERE community_id = ? AND last_id = ?",
                    [rows[-1][0], community_id, cursor.last_id],
                )
                if not moved:
                    raise _Raced
                await _write(community_id, batch)
        except _Raced:
            continue
        read += len(rows)
        if len(rows) < BATCH:
            return read


async def _many(query: str, values: list[list[Any]]) -> None:
    if values:
        from tortoise import connections

        await connections.get("default").execute_many(store.sql(query), values)


async def _write(cid: int, b: _Batch) -> None:
    await _many(
        "INSERT INTO reflect_member_month (community_id, month, member, kind, n)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (community_id, month, member, kind)"
        " DO UPDATE SET n = reflect_member_month.n + excluded.n",
        [[cid, month, member, kind, n] for (month, member, kind), n in b.months.items()],
    )
    await _many(
        "INSERT INTO reflect_member"
        " (community_id, member, first_at, last_at, first_give_at, presented_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (community_id, member) DO UPDATE SET"
        " last_at = CASE WHEN excluded.last_at > reflect_member.last_at"
        "   THEN excluded.last_at ELSE reflect_member.last_at END,"
        " first_give_at = COALESCE(reflect_member.first_give_at, excluded.first_give_at),"
        " presented_at = COALESCE(reflect_member.presented_at, excluded.presented_at)",
        [[cid, member, *m] for member, m in b.members.items()],
    )
    await _many(
        "INSERT INTO reflect_event (community_id, ref, format, host, started_at, ended_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (community_id, ref) DO UPDATE SET"
        " host = CASE WHEN reflect_event.host = '' THEN excluded.host ELSE reflect_event.host END,"
        " started_at = COALESCE(reflect_event.started_at, excluded.started_at),"
        " ended_at = COALESCE(reflect_event.ended_at, excluded.ended_at)",
        [[cid, ref[:200], *e] for ref, e in b.events.items()],
    )
    await _many(
        "INSERT INTO reflect_action (community_id, ref, opened_at, closed_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (community_id, ref) DO UPDATE SET"
        " opened_at = COALESCE(reflect_action.opened_at, excluded.opened_at),"
        " closed_at = COALESCE(reflect_action.closed_at, excluded.closed_at)",
        [[cid, ref[:200], *a] for ref, a in b.actions.items()],
    )
