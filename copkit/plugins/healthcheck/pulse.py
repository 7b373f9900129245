"""Pulse checks: one quick question. One vote per member (changeable) while open; at the close the
votes are counted into the pulse row and deleted, so nothing links people to options.

An anonymous pulse (the default) shows results only from ``MIN_VOTERS`` votes. A public one is
not anonymous (a platform may show it as its own poll, where people see who voted): it has no
threshold and lasts whole hours, as the core's polls do (``Poll.hours``)."""

from __future__ import annotations

import random
import secrets
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from copkit.core import writer
from copkit.core.errors import UserError
from copkit.core.i18n import _
from copkit.core.storage import scrub, secure_delete
from copkit.core.views import POLL_OPTION_TEXT_MAX, POLL_OPTIONS_MAX

from .logic import ballot_token, lock_open
from .models import CLOSED, OPEN, Pulse, PulseVote

QUESTION_MAX = 300
OPTION_MAX = POLL_OPTION_TEXT_MAX
MIN_VOTERS = 3
PUBLIC_HOURS_MAX = 32 * 24


def whole_hours(closes_in: timedelta) -> timedelta:
    """``closes_in`` rounded to the nearest whole hour, 1 hour to 32 days."""
    hours = int(closes_in.total_seconds() / 3600 + 0.5)
    return timedelta(hours=max(1, min(PUBLIC_HOURS_MAX, hours)))


def check(question: str, options: list[str], closes_in: timedelta) -> None:
    if not question.strip():
        raise UserError(_("Ask a question."))
    if len(question) > QUESTION_MAX:
        raise UserError(
            _("The question is too long (at most {n} characters).").format(n=QUESTION_MAX)
        )
    if not 2 <= len(options) <= POLL_OPTIONS_MAX:
        raise UserError(_("Give 2 to {n} options.").format(n=POLL_OPTIONS_MAX))
    if any(not o.strip() for o in options):
        raise UserError(_("An option is empty."))
    if any(len(o) > OPTION_MAX for o in options):
        raise UserError(_("An option is too long (at most {n} characters).").format(n=OPTION_MAX))
    if len({o.strip().lower() for o in options}) != len(options):
        raise UserError(_("Two options are the same."))
    if not timedelta(minutes=5) <= closes_in <= timedelta(days=32):
        raise UserError(_("A pulse lasts between 5 minutes and 32 days."))


async def create(
    community_id: int,
    room_id: str,
    member: str,
    question: str,
    options: list[str],
    now: datetime,
    closes_in: timedelta,
    then: Callable[[Pulse], Awaitable[None]] | None = None,
    *,
    public: bool = False,
) -> Pulse:
    """Store a new pulse; ``then(pulse)`` (scheduling its close) runs in the same transaction.
    A public pulse's duration is rounded to whole hours (see :func:`whole_hours`)."""
    options = [o.strip() for o in options]
    check(question, options, closes_in)
    if public:
        closes_in = whole_hours(closes_in)
    async with in_transaction():
        p = await Pulse.create(
            community_id=community_id,
            room_id=room_id,
            question=question.strip(),
            options=options,
            opened_by=member,
            opened_at=now,
            closes_at=now + closes_in,
            public=public,
            min_responses=0 if public else MIN_VOTERS,
            secret=secrets.token_hex(32),
        )
        if then is not None:
            await then(p)
    return p


async def get(community_id: int, pulse_id: int) -> Pulse:
    p = await Pulse.get_or_none(id=pulse_id, community_id=community_id)
    if p is None:
        raise UserError(_("That poll no longer exists."))
    return p


# A vote is one write (one trip): the open pulse's row lock (ordering it with the close), then
# the member's one vote set, changed or taken back. On PostgreSQL the database function
# ``healthcheck_pulse_vote`` (migration 0004) does it; on SQLite one function in aiosqlite's
# thread. Both return -1 if the pulse closed, else 1 if the vote changed and 0 if not.
_PG_VOTE = "SELECT healthcheck_pulse_vote(?::integer, ?, ?, ?::integer, ?::boolean) AS done"


def _sqlite_vote(pulse_id: int, secret: str, token: str, option: int, withdraw: bool) -> Any:
    def step(conn: sqlite3.Connection) -> list[dict[str, Any]]:
        if not lock_open(conn, "healthcheck_pulse", pulse_id, secret):
            return [{"done": -1}]
        if withdraw:
            conn.execute(
                "DELETE FROM healthcheck_pulse_vote"
                " WHERE pulse_id = ? AND member = ? AND option = ?",
                (pulse_id, token, option),
            )
            return [{"done": 1}]
        changed = conn.execute(
            "INSERT INTO healthcheck_pulse_vote (pulse_id, member, option) VALUES (?, ?, ?)"
            " ON CONFLICT (pulse_id, member) DO UPDATE SET option = excluded.option"
            " WHERE healthcheck_pulse_vote.option <> excluded.option",
            (pulse_id, token, option),
        )
        return [{"done": 1 if changed.rowcount else 0}]

    return step


async def _cast(p: Pulse, member: str, option: int, withdraw: bool) -> bool:
    if p.status != OPEN or not p.secret:
        raise UserError(_("This poll is closed."))
    token = ballot_token(p.secret, p.id, member)
    values = (p.id, p.secret, token, option, withdraw)
    rows = await writer.write(
        writer.Write(_PG_VOTE, values, sqlite=_sqlite_vote(p.id, p.secret, token, option, withdraw))
    )
    done = int(rows[0]["done"]) if rows else -1
    if done < 0:
        raise UserError(_("This poll is closed."))
    return done > 0


async def vote(p: Pulse, member: str, option: int) -> bool:
    """Record ``member``'s vote in pulse ``p`` (as read by the request: its secret keys the
    token; last one wins); returns whether the vote changed (``False`` for the same vote again:
    a second press changes nothing)."""
    if not 0 <= option < len(p.options):
        raise UserError(_("That poll no longer exists."))
    return await _cast(p, member, option, withdraw=False)


async def withdraw(p: Pulse, member: str, option: int) -> None:
    """Take back ``member``'s vote if it is still for ``option`` (a platform reports a vote taken
    back after, or before, the new one)."""
    await _cast(p, member, option, withdraw=True)


async def voters(pulse_id: int) -> int:
    return await PulseVote.filter(pulse_id=pulse_id).count()


async def close(
    pulse_id: int, now: datetime, then: Callable[[Pulse], Awaitable[None]] | None = None
) -> Pulse | None:
    """Count and forget the votes; ``None`` if it was closed already. ``then(pulse)`` runs in
    the same transaction. The starter's own vote
    does not count towards the minimum of an anonymous pulse (with one friend they could
    otherwise read a third member's vote off the counts); the deleted votes are scrubbed from
    the database's files."""
    await secure_delete()
    async with in_transaction():
        p = await Pulse.get_or_none(id=pulse_id, status=OPEN)
        if p is None or not await Pulse.filter(id=pulse_id, status=OPEN).update(
            status=CLOSED, closed_at=now, secret=None, writes=F("writes") + 1
        ):
            return None
        starter = ballot_token(p.secret, pulse_id, p.opened_by) if p.secret else ""
        p.status, p.closed_at, p.secret = CLOSED, now, None
        votes = list(await PulseVote.filter(pulse_id=pulse_id).values_list("member", "option"))
        await PulseVote.filter(pulse_id=pulse_id).delete()
        random.SystemRandom().shuffle(votes)
        counts = [0] * len(p.options)
        for _token, o in votes:
            counts[o] += 1
        p.voters = len(votes)
        p.enough = sum(1 for t, _o in votes if t != starter) >= p.min_responses
        p.counts = counts if p.enough else None
        await Pulse.filter(id=pulse_id).update(voters=p.voters, enough=p.enough, counts=p.counts)
        if then is not None:  # the caller schedules the result's post here
            await then(p)
    await scrub(("healthcheck_pulse", "healthcheck_pulse_vote"))
    return p
