"""Changes to an event's line-up, each one atomic and serialised per event.

Every change runs in a transaction that first bumps ``Event.counter`` with a conditional UPDATE.
That UPDATE takes the event row's write lock (PostgreSQL) or the database's (SQLite), so two
changes of one event never interleave: 30 people signing up at once are numbered 1…30 in the
order they reach the database, the first ``slots`` get the line-up, the rest wait, in order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import F

from copkit.core.errors import UserError
from copkit.core.events import Person
from copkit.core.i18n import _
from copkit.core.store import insert_if_absent, transaction

from . import logic
from .models import Event, Talk

PLANNED = ("open", "closed")
IN_ORDER = ("lineup", "live", "done", "skipped")


def active_key(event_id: int, person_id: str) -> str:
    return f"{event_id}:{person_id}"[:250]


async def lock(event_id: int, **conditions: Any) -> Event | None:
    """Bump the event's counter if ``conditions`` hold; the event as it is now, else ``None``.
    Call inside a transaction: the row stays locked until it ends."""
    if not await Event.filter(id=event_id, **conditions).update(counter=F("counter") + 1):
        return None
    return await Event.get(id=event_id)


async def lineup(event_id: int) -> list[Talk]:
    """The talks in running order (planned, live and given)."""
    return list(
        await Talk.filter(event_id=event_id, status__in=IN_ORDER).order_by("position", "seq")
    )


async def waiting(event_id: int) -> list[Talk]:
    return list(await Talk.filter(event_id=event_id, status="waiting").order_by("seq"))


async def _promote(ev: Event) -> Talk | None:
    """Move the first person waiting to the end of the line-up (inside a locked change)."""
    if await Talk.filter(event_id=ev.id, status__in=("lineup", "live")).count() >= ev.slots:
        return None
    first = await Talk.filter(event_id=ev.id, status="waiting").order_by("seq").first()
    if first is None:
        return None
    await Talk.filter(id=first.id).update(status="lineup", position=ev.counter)
    return await Talk.get(id=first.id)


@dataclass
class Signed:
    talk: Talk
    in_lineup: bool


async def signup(event_id: int, person: Person, title: str, now: datetime) -> Signed:
    """Sign ``person`` up: a slot if one is free, else the waiting list."""
    title = logic.check_title(title)
    key = active_key(event_id, person.id)
    async with transaction():
        ev = await lock(event_id, status="open")
        if ev is None or (ev.cutoff_at is not None and now >= ev.cutoff_at):
            raise UserError(_("Sign-ups for these lightning talks are closed."))
        taken = await Talk.filter(event_id=event_id, status="lineup").count()
        # active_key is unique: the same person signing up in two processes at once is
        # refused here, whichever of them comes second
        talk = await insert_if_absent(
            Talk,
            event_id=event_id,
            speaker_id=person.id,
            speaker_name=(person.name or person.id)[:200],
            title=title,
            seq=ev.counter,
            position=ev.counter,
            status="lineup" if taken < ev.slots else "waiting",
            active_key=key,
        )
        if talk is None:
            raise UserError(_("You are already signed up."))
    return Signed(talk, talk.status == "lineup")


async def withdraw(event_id: int, person_id: str) -> tuple[Talk, Talk | None]:
    """Withdraw ``person_id``'s talk; returns it and whoever was promoted into its slot."""
    async with transaction():
        ev = await lock(event_id, status__in=PLANNED)
        if ev is None:
            raise UserError(_("The talks have started: ask the organiser to skip yours."))
        talk = await Talk.get_or_none(active_key=active_key(event_id, person_id))
        if talk is None or talk.status not in ("lineup", "waiting"):
            raise UserError(_("You are not signed up."))
        await Talk.filter(id=talk.id).update(status="withdrawn", active_key=None)
        promoted = await _promote(ev) if talk.status == "lineup" else None
    return talk, promoted


async def remove(event_id: int, person_id: str) -> tuple[Talk, Talk | None]:
    """The organiser removes a planned or waiting talk; the first waiting takes its slot."""
    async with transaction():
        ev = await lock(event_id, status__in=(*PLANNED, "running"))
        if ev is None:
            raise UserError(_("These lightning talks are over."))
        talk = await Talk.get_or_none(active_key=active_key(event_id, person_id))
        if talk is None or talk.status not in ("lineup", "waiting"):
            raise UserError(_("{name} has no talk waiting to be given.").format(name=person_id))
        await Talk.filter(id=talk.id).update(status="removed", active_key=None)
        promoted = await _promote(ev) if talk.status == "lineup" else None
    return talk, promoted


async def set_order(event_id: int, picks: list[int] | None, seed: int | None) -> list[Talk]:
    """Reorder the planned line-up by ``picks`` (1-based), or shuffle it with ``seed``."""
    async with transaction():
        ev = await lock(event_id, status__in=PLANNED)
        if ev is None:
            raise UserError(_("The order can only change before the talks start."))
        talks = list(
            await Talk.filter(event_id=event_id, status="lineup").order_by("position", "seq")
        )
        if len(talks) < 2:
            raise UserError(_("There is nothing to reorder yet."))
        if seed is not None:
            new = logic.shuffled(sorted(talks, key=lambda t: t.seq), seed)
            await Event.filter(id=event_id).update(shuffle_seed=seed)
        else:
            new = logic.reordered(talks, picks or [])
        for n, talk in enumerate(new, 1):
            await Talk.filter(id=talk.id).update(position=n)
    return await lineup(event_id)


@dataclass
class Step:
    """The run of show after a start, next or skip."""

    event: Event
    ended: Talk | None  # the talk that was live
    live: Talk | None  # the talk on stage now (None: all done)
    promoted: Talk | None = None  # someone waiting who got the slot of a skipped talk


Timers = Callable[[Event, Talk | None], Awaitable[dict[str, Any]]]


async def advance(
    event_id: int, how: str, now: datetime, timers: Timers, expected: int | None = None
) -> Step:
    """Start the run (``how="start"``), or end the live talk as given (``next``) or not
    (``skip``) and put the next one on stage. Pressing twice at once advances once.

    ``expected`` is the talk the person saw on stage (a button carries it): if another talk
    is on stage by now, nothing changes. ``timers(event, live_talk)`` cancels the old talk's
    timers and schedules the new one's in the same transaction, returning the event fields to
    store (the job ids)."""
    async with transaction():
        if how == "start":
            ev = await lock(event_id, status__in=PLANNED)
            if ev is None:
                raise UserError(_("These lightning talks have already started."))
            ended = None
        else:
            before = await Event.get(id=event_id)
            if before.status != "running":
                raise UserError(_("The talks are not running."))
            if expected is None:
                expected = before.current_talk
            ev = await lock(event_id, status="running", current_talk=expected)
            if ev is None:
                raise UserError(_("That talk is already over."))
            ended = await Talk.get_or_none(id=ev.current_talk) if ev.current_talk else None
            if ended is not None:
                await Talk.filter(id=ended.id).update(status="done" if how == "next" else "skipped")
        # A talk not given frees its slot: the first person waiting speaks at the end.
        promoted = await _promote(ev) if how == "skip" else None
        live = (
            await Talk.filter(event_id=event_id, status="lineup")
            .order_by("position", "seq")
            .first()
        )
        if how == "start" and live is None:
            raise UserError(_("Nobody has signed up yet."))
        if live is not None:
            await Talk.filter(id=live.id).update(status="live")
            live = await Talk.get(id=live.id)
            await Event.filter(id=event_id).update(
                status="running",
                current_talk=live.id,
                talk_ends_at=now + timedelta(minutes=ev.minutes),
            )
        else:
            await Event.filter(id=event_id).update(
                status="done", current_talk=None, talk_ends_at=None, ended_at=now
            )
        ev = await Event.get(id=event_id)
        jobs = await timers(ev, live)
        if jobs:
            await Event.filter(id=event_id).update(**jobs)
            ev = await Event.get(id=event_id)
    return Step(ev, ended, live, promoted)
