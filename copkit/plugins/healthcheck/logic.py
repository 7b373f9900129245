"""Rounds, answers, closing and results: the health check's rules, on the database.

Every answer (:mod:`.ballots`) and the close take the round's row lock first (a conditional
UPDATE of the open round), so on PostgreSQL they are ordered: an answer either lands before the
close (and is counted) or finds the round closed (and is refused). SQLite serialises
transactions anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from copkit.core import store
from copkit.core.errors import UserError
from copkit.core.i18n import _
from copkit.core.models import Membership

from . import deck
from .models import (
    CLOSED,
    OPEN,
    Answer,
    Dimension,
    Note,
    Respondent,
    Round,
    RoundDimension,
)
from .tally import Tally, red_twice, tally

MIN_RESPONSES = 3
MIN_DURATION = timedelta(minutes=10)
MAX_DURATION = timedelta(days=60)
COMMENT_MAX = 500
UNSET: Any = object()


class Closed(UserError):
    def __init__(self) -> None:
        super().__init__(_("This health check is closed: answers are no longer taken."))


def reminder_at(opened_at: datetime, closes_at: datetime) -> datetime | None:
    """When to remind: a day before the close, or half-way for a round shorter than two days.
    ``None`` for a round under an hour."""
    duration = closes_at - opened_at
    if duration < timedelta(hours=1):
        return None
    return closes_at - min(timedelta(days=1), duration / 2)


async def open_round(community_id: int) -> Round | None:
    return await Round.get_or_none(community_id=community_id, status=OPEN)


async def latest_round(community_id: int) -> Round | None:
    return await Round.filter(community_id=community_id).order_by("-number").first()


async def get_round(community_id: int, number: int | None = None) -> Round:
    """Round ``number``, or the open round, or the latest one."""
    if number is not None:
        r = await Round.get_or_none(community_id=community_id, number=number)
        if r is None:
            raise UserError(_("There is no health check #{n}.").format(n=number))
        return r
    r = await open_round(community_id) or await latest_round(community_id)
    if r is None:
        raise UserError(
            _("No health check yet. The leader or core team can run “healthcheck start”.")
        )
    return r


def check_start(closes_in: timedelta, min_responses: int) -> None:
    if min_responses < MIN_RESPONSES:
        raise UserError(
            _("min-responses must be at least {n}: fewer answers could not stay anonymous.").format(
                n=MIN_RESPONSES
            )
        )
    if min_responses > 1000:
        raise UserError(_("min-responses is too large."))
    if not MIN_DURATION <= closes_in <= MAX_DURATION:
        raise UserError(_("A round lasts between 10 minutes and 60 days."))


async def create_round(
    community_id: int,
    room_id: str,
    member: str,
    now: datetime,
    closes_in: timedelta,
    min_responses: int,
    then: Callable[[Round], Awaitable[None]] | None = None,
    *,
    moderate: bool = False,
) -> Round:
    """Store a new open round with a copy of the deck; ``then(round)`` runs in the same
    transaction (the caller schedules the round's timers there, so both exist or neither)."""
    check_start(closes_in, min_responses)
    existing = await open_round(community_id)
    if existing is not None:
        raise UserError(
            _("Health check #{n} is still open. Close it first with “healthcheck close”.").format(
                n=existing.number
            )
        )
    cards = await deck.active(community_id)
    if not cards:
        raise UserError(_("The deck is empty: add a dimension first."))
    last = await latest_round(community_id)
    async with store.transaction():
        r = await store.insert_if_absent(
            Round,
            community_id=community_id,
            number=(last.number + 1) if last else 1,
            room_id=room_id,
            status=OPEN,
            open_slot=community_id,
            opened_by=member,
            opened_at=now,
            closes_at=now + closes_in,
            min_responses=min_responses,
            secret=secrets.token_hex(32),
            moderate=moderate,
        )
        if r is None:  # someone started a round (or took its number) at the same moment
            raise UserError(_("A health check was just started by someone else."))
        await RoundDimension.bulk_create(
            [
                RoundDimension(
                    round_id=r.id,
                    dimension_id=d.id,
                    position=i,
                    title=d.title,
                    awesome=d.awesome,
                    crappy=d.crappy,
                )
                for i, d in enumerate(cards, 1)
            ]
        )
        if then is not None:
            await then(r)
    return r


async def items(round_id: int) -> list[RoundDimension]:
    return await RoundDimension.filter(round_id=round_id).order_by("position")


def lock_open(conn: sqlite3.Connection, table: str, row_id: int, secret: str) -> bool:
    """In the database's thread (SQLite): take the row lock of the open round or pulse ``row_id``
    of ``table`` whose secret is still ``secret``; ``False`` if it closed meanwhile. The
    PostgreSQL functions of migration 0004 begin with the same UPDATE."""
    locked = conn.execute(
        f"UPDATE {table} SET writes = writes + 1 WHERE id = ? AND status = 'open' AND secret = ?",
        (row_id, secret),
    )
    return locked.rowcount > 0


def ballot_token(secret: str, round_id: int, member: str) -> str:
    """The token ``member``'s answers carry while round ``round_id`` is open: an HMAC of their
    id under the round's secret. No row pairs a member with a token; once the secret is erased
    (at the close) nobody can compute it again."""
    mac = hmac.new(bytes.fromhex(secret), f"{round_id}:{member}".encode(), hashlib.sha256)
    return mac.hexdigest()[:48]


@dataclass
class Sheet:
    """One member's own answers while the round is open (shown only to them)."""

    answers: dict[int, Answer] = field(default_factory=dict)
    note: str | None = None

    def done(self, item_id: int) -> bool:
        a = self.answers.get(item_id)
        return bool(a and a.colour and a.trend)


async def sheet(round_id: int, member: str) -> Sheet:
    secret = await Round.filter(id=round_id, status=OPEN).values_list("secret", flat=True)
    if not secret or not secret[0]:
        return Sheet()
    token = ballot_token(str(secret[0]), round_id, member)
    answers = await Answer.filter(round_id=round_id, token=token)
    note = await Note.get_or_none(round_id=round_id, token=token)
    return Sheet({a.item_id: a for a in answers}, note.text if note else None)


async def respondents(round_id: int) -> int:
    return await Respondent.filter(round_id=round_id).count()


async def members(community_id: int) -> int:
    return await Membership.filter(community_id=community_id).count()


# Results ---------------------------------------------------------------------------------------


Tallies = dict[int, dict[int, Tally]]


async def tallies(round_ids: list[int], known: Tallies | None = None) -> Tallies:
    """Per round, per dimension id: the tally of its answers. ``known``: tallies read already
    (by an earlier call for the same page), completed with those missing."""
    if known is not None:
        missing = [rid for rid in round_ids if rid not in known]
        if missing:
            known.update(await tallies(missing))
        return {rid: known[rid] for rid in round_ids}
    if not round_ids:
        return {}
    dims = dict(
        await RoundDimension.filter(round_id__in=round_ids).values_list("id", "dimension_id")
    )
    rows = (
        await Answer.filter(round_id__in=round_ids)
        .order_by("id")
        .values_list("round_id", "item_id", "colour", "trend", "comment", "approved")
    )
    out: dict[int, dict[int, Tally]] = {rid: {} for rid in round_ids}
    for (rid, dim_id), t in tally(  # a comment held for moderation is not shown
        ((rid, dims[item_id]), c, tr, m if ok else None) for rid, item_id, c, tr, m, ok in rows
    ).items():
        out[rid][dim_id] = t
    return out


@dataclass
class Line:
    """One dimension in a round's results."""

    dimension_id: int
    title: str
    tally: Tally
    previous: Tally | None = None
    previous_number: int | None = None
    red_twice: bool = False


@dataclass
class Results:
    round: Round
    lines: list[Line]
    notes: list[str]
    held: int = 0  # comments and notes waiting for the leader's approval


async def results(r: Round, known: Tallies | None = None) -> Results:
    """The results of a closed round with enough answers, with the change since earlier rounds
    (``known``: see :func:`tallies`)."""
    its = await items(r.id)
    earlier = (
        await Round.filter(
            community_id=r.community_id, status=CLOSED, enough=True, number__lt=r.number
        )
        .order_by("-number")
        .limit(12)
    )
    all_t = await tallies([r.id] + [e.id for e in earlier], known)
    now_t = all_t[r.id]
    lines = []
    for it in its:
        t = now_t.get(it.dimension_id, Tally())
        line = Line(it.dimension_id, it.title, t)
        for e in earlier:
            prev = all_t[e.id].get(it.dimension_id)
            if prev is not None and prev.answered >= e.min_responses:  # shown in its round
                line.previous, line.previous_number = prev, e.number
                break
        line.red_twice = t.answered >= r.min_responses and red_twice(line.previous, t)
        lines.append(line)
    notes = list(
        await store.column(Note.filter(round_id=r.id, approved=True).order_by("id"), "text")
    )
    held = await Answer.filter(round_id=r.id, approved=False).count()
    held += await Note.filter(round_id=r.id, approved=False).count()
    return Results(r, lines, notes, held)


@dataclass
class Grid:
    rounds: list[Round]
    dimensions: list[tuple[int, str]]  # (dimension id, title)
    tallies: dict[int, dict[int, Tally]]
    asked: dict[int, set[int]]  # round id -> dimension ids it asked about


async def grid(community_id: int, limit: int = 12) -> Grid:
    """The last ``limit`` closed rounds and every dimension they asked about."""
    rounds = list(
        reversed(
            await Round.filter(community_id=community_id, status=CLOSED)
            .order_by("-number")
            .limit(limit)
        )
    )
    ids = [r.id for r in rounds]
    asked: dict[int, set[int]] = {rid: set() for rid in ids}
    for rid, dim_id in await RoundDimension.filter(round_id__in=ids).values_list(
        "round_id", "dimension_id"
    ):
        asked[rid].add(dim_id)
    seen = set().union(*asked.values()) if asked else set()
    dims = [
        d
        for d in await Dimension.filter(community_id=community_id).order_by("position", "id")
        if d.id in seen
    ]
    dims.sort(key=lambda d: (d.retired_at is not None, d.position, d.id))
    return Grid(
        rounds,
        [(d.id, d.title) for d in dims],
        await tallies([r.id for r in rounds if r.enough]),
        asked,
    )


async def dimension_trend(community_id: int, dimension_id: int) -> list[tuple[Round, Tally]]:
    rounds = await Round.filter(
        community_id=community_id, status=CLOSED, enough=True, items__dimension_id=dimension_id
    ).order_by("number")
    t = await tallies([r.id for r in rounds])
    return [(r, t[r.id].get(dimension_id, Tally())) for r in rounds]


async def trends(
    community_id: int, known: Tallies | None = None
) -> dict[int, list[tuple[Round, Tally]]]:
    """:func:`dimension_trend` of every dimension at once (by dimension id; ``known``: see
    :func:`tallies`)."""
    rounds = await Round.filter(community_id=community_id, status=CLOSED, enough=True).order_by(
        "number"
    )
    ids = [r.id for r in rounds]
    asked = set(
        await RoundDimension.filter(round_id__in=ids).values_list("round_id", "dimension_id")
    )
    t = await tallies(ids, known)
    out: dict[int, list[tuple[Round, Tally]]] = {}
    for _rid, dim_id in sorted(asked):
        out.setdefault(dim_id, [])
    for dim_id, series in out.items():
        series.extend((r, t[r.id].get(dim_id, Tally())) for r in rounds if (r.id, dim_id) in asked)
    return out
