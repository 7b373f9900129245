"""Recurring events: any format's event can come back (``--every "2nd tuesday 12:30"``).

A :class:`~copkit.core.series_models.Series` holds the rule (RFC 5545, read by
``dateutil.rrule`` on the community's wall clock, so 12:30 stays 12:30 across daylight-saving
changes) and the format's options. Its next occurrence is stored as a row with three timer
jobs — announce (ahead), remind (shortly before), open (at its time); when it opens, the one
after is planned. Skipped and moved dates are rows too, stored ahead of time.

Exactly once, across processes: an occurrence row is unique per series and date (two
planners make one row, one of them schedules its jobs, in the transaction that claims it),
a step runs only from the job the row names, and it is claimed by a conditional UPDATE of its
``*_at`` column. Formats act through ``copkit_series_occurrence``; the core shows a default
announcement (with a :class:`~copkit.core.views.ScheduledEvent`, which Discord turns into a
server event) and a reminder when the format does not.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import F

from . import store
from .context import Context, JobContext, Scope
from .errors import UserError
from .events import Person, RoomRef
from .i18n import N_, _
from .recurrence import occurrences, on_day, parse_every
from .roles import Role
from .series_models import ACTIVE, ENDED, OPENED, PAUSED, PLANNED, SKIPPED, Occurrence, Series
from .specs import Arg
from .timezones import community_zone, show
from .views import ScheduledEvent, ToRoom, UserText, View

EVERY = Arg("every", N_('repeat it, e.g. "2nd tuesday 12:30", "week on friday", "3 months"'))
FIRST = Arg("first", N_('with --every: the first date, e.g. "2026-12-08 12:30"'))
ANNOUNCE = Arg(
    "announce",
    N_("with --every: how long ahead each date is announced (default 1d)"),
    type="duration",
)

JOB = "series.step"
STEPS = ("announce", "remind", "open")
_DONE_AT = {"announce": "announced_at", "remind": "reminded_at", "open": "opened_at"}
HORIZON = timedelta(days=3 * 366)  # a rule with no date within this is refused
LOOKAHEAD = 400  # dates scanned for the next one to plan (skipped ones are passed over)


@dataclass(frozen=True, slots=True)
class SeriesOccurrence:
    """One date of a series, as a format's ``copkit_series_occurrence`` sees it."""

    series_id: int
    occurrence_id: int
    format: str
    title: str
    starts_at: datetime
    ends_at: datetime
    room_id: str
    created_by: str
    uid: str  # the occurrence's own calendar UID (use it for what the format makes of it)
    where: str = ""
    every: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    ref: str = ""  # what the format made of it (see :func:`made`), once it has


def occurrence_uid(s: Series, original_start: datetime) -> str:
    return f"series-{s.id}-{original_start.astimezone(UTC):%Y%m%dT%H%M%SZ}@copkit"


def occurrence_key(o: Occurrence) -> str:
    """The key of an occurrence's announcement (a view updated in place)."""
    return f"series:occurrence:{o.id}"


def series_ref(series_id: int) -> str:
    return f"series:{series_id}"


def _zone(s: Series) -> Any:
    return community_zone(s.tz)


def _first_local(s: Series) -> datetime:
    return s.first_local.replace(tzinfo=None)


def describe(s: Series, o: Occurrence) -> SeriesOccurrence:
    return SeriesOccurrence(
        series_id=s.id,
        occurrence_id=o.id,
        format=s.format,
        title=s.title,
        starts_at=o.starts_at,
        ends_at=o.starts_at + timedelta(minutes=s.minutes),
        room_id=s.room_id,
        created_by=s.created_by,
        uid=occurrence_uid(s, o.original_start),
        where=s.where,
        every=s.every,
        options=dict(s.options or {}),
        ref=o.ref,
    )


async def made(occurrence: SeriesOccurrence, uid: str) -> None:
    """Say that a format made the calendar entry ``uid`` of ``occurrence`` (e.g. a session):
    the community's calendar then shows the series' date, not both."""
    await Occurrence.filter(id=occurrence.occurrence_id).update(ref=uid[:200])


# Creating ----------------------------------------------------------------------------------


async def create(
    ctx: Context,
    *,
    format: str,
    title: str,
    every: str,
    at: datetime | None = None,
    minutes: int = 60,
    options: dict[str, Any] | None = None,
    where: str = "",
    announce: timedelta | None = None,
    remind: timedelta | None = None,
) -> Series:
    """A new series of ``format`` in this room, its first occurrence planned; a short error
    for a rule that cannot be read or has no date ahead."""
    if JOB not in ctx.registry.jobs:
        raise UserError(_("Recurring events are not available here (the series plugin is off)."))
    rule = parse_every(every)
    zone = ctx.zone
    now = ctx.now()
    first = rule.first_start(zone, now, at)
    ahead = occurrences(rule.rrule, first, zone, max(now, at or now) - timedelta(seconds=1), 1)
    if not ahead or ahead[0] - now > HORIZON:
        raise UserError(_("“{every}” has no date in the next three years.").format(every=every))
    announce = timedelta(days=1) if announce is None else announce
    remind = timedelta(minutes=15) if remind is None else remind
    if not timedelta(0) <= announce <= timedelta(days=60):
        raise UserError(_("Announce between 0 minutes and 60 days ahead."))
    s = await Series.create(
        community_id=ctx.community.id,
        uid=f"series-{uuid.uuid4().hex}@copkit",
        format=format,
        room_id=ctx.room_id,
        title=title[:200],
        every=" ".join(every.split())[:100],
        rule=rule.rrule,
        first_local=first,
        tz=zone.key,
        minutes=max(1, min(minutes, 24 * 60)),
        options=options or {},
        announce_minutes=int(announce.total_seconds() // 60),
        remind_minutes=int(remind.total_seconds() // 60),
        where=where[:500],
        created_by=ctx.person.id,
    )
    await ctx.log("series.created", ref=series_ref(s.id), text=s.every, member=ctx.person.id)
    await plan_next(ctx, s, at - timedelta(seconds=1) if at else now)
    return s


def created_view(s: Series, first: datetime | None) -> View:
    zone = _zone(s)
    lines = [
        _("Every “{every}” ({zone}).").format(every=UserText(s.every), zone=zone.key),
    ]
    if first is not None:
        lines.append(_("First: {when}.").format(when=show(first, zone, with_zone=False)))
    lines.append(_("Change one date with “series skip DATE” or “series move DATE --to …”."))
    return View(
        title=_("Series #{id}: {title}").format(id=s.id, title=UserText(s.title)),
        text="\n".join(lines),
        tone="success",
    )


# Planning ----------------------------------------------------------------------------------


async def _row(s: Series, start: datetime) -> Occurrence:
    """The occurrence of ``s`` on the rule's date ``start``: stored once, whoever asks."""
    o = await Occurrence.get_or_none(series_id=s.id, original_start=start)
    if o is None:
        o = await store.insert_if_absent(
            Occurrence, series_id=s.id, original_start=start, starts_at=start
        )
    return o or await Occurrence.get(series_id=s.id, original_start=start)


async def next_dates(s: Series, after: datetime, count: int) -> list[Occurrence]:
    """The next ``count`` dates of ``s`` after ``after`` (stored rows where there are:
    skipped and moved dates as they are; others as unsaved rows)."""
    starts = occurrences(s.rule, _first_local(s), _zone(s), after, count)
    if not starts:
        return []
    stored = {
        o.original_start: o
        for o in await Occurrence.filter(series_id=s.id, original_start__in=starts)
    }
    return [
        stored.get(start) or Occurrence(series_id=s.id, original_start=start, starts_at=start)
        for start in starts
    ]


async def plan_next(scope: Scope, s: Series, after: datetime) -> Occurrence | None:
    """Plan the first date of ``s`` after ``after`` that is not skipped or done: its row
    and its three jobs (once, however many processes plan at the same moment)."""
    if s.status != ACTIVE:
        return None
    for start in occurrences(s.rule, _first_local(s), _zone(s), after, LOOKAHEAD):
        o = await _row(s, start)
        if o.status == PLANNED:
            await _schedule(scope, s, o)
            return o
    return None


async def _schedule(scope: Scope, s: Series, o: Occurrence) -> None:
    """Schedule ``o``'s jobs, in the transaction that claims it (``open_job`` still unset):
    a second planner finds it claimed and schedules nothing."""
    now = scope.now()
    announce_at = max(o.starts_at - timedelta(minutes=s.announce_minutes), now)
    remind_at = o.starts_at - timedelta(minutes=s.remind_minutes)
    async with store.transaction():
        if not await Occurrence.filter(id=o.id, status=PLANNED, open_job=None).update(open_job=0):
            return
        payload = {"occurrence": o.id}
        ids: dict[str, int | None] = {
            "announce_job": await scope.schedule(JOB, announce_at, {**payload, "step": "announce"})
            if o.announced_at is None
            else None,
            "remind_job": await scope.schedule(JOB, remind_at, {**payload, "step": "remind"})
            if remind_at > now and o.reminded_at is None
            else None,
            "open_job": await scope.schedule(
                JOB, max(o.starts_at, now), {**payload, "step": "open"}
            ),
        }
        await Occurrence.filter(id=o.id).update(**ids)


async def _unschedule(scope: Scope, o: Occurrence) -> None:
    for job in (o.announce_job, o.remind_job, o.open_job):
        await scope.cancel_job(job)
    await Occurrence.filter(id=o.id).update(announce_job=None, remind_job=None, open_job=None)


# Running a step ----------------------------------------------------------------------------


def _acting(scope: Scope, s: Series) -> Context:
    """The series' creator, in its room, with the core team's role: who an occurrence is
    opened as (the creator asked for it when making the series)."""
    return Context(
        scope.services,
        scope.community,
        RoomRef(s.room_id, s.room_id),
        Person(s.created_by, s.created_by),
        Role.CORE,
    )


async def run_step(scope: JobContext, payload: dict[str, Any]) -> None:
    """The ``series.step`` job: announce, remind or open one occurrence, once."""
    step = payload.get("step")
    o = await Occurrence.get_or_none(id=payload.get("occurrence"))
    if step not in STEPS or o is None or o.status != PLANNED:
        return
    if getattr(o, f"{step}_job") != scope.job_id:
        return  # moved or re-planned since: a newer job does it
    s = await Series.get(id=o.series_id)
    if s.status != ACTIVE:
        return
    column = _DONE_AT[step]
    now = scope.now()
    claim = {column: now, **({"opened_by": f"job:{scope.job_id}"} if step == "open" else {})}
    if not await Occurrence.filter(id=o.id, status=PLANNED, **{column: None}).update(**claim):
        return  # another worker runs it
    try:
        await _step(scope, s, o, step)
    except Exception:
        # let a retry of this job do it again (a platform was away), never a second job
        await Occurrence.filter(id=o.id, **{column: now}).update(**{column: None})
        raise


async def _step(scope: JobContext, s: Series, o: Occurrence, step: str) -> None:
    state = await scope.runtime.community_state(scope.community)
    enabled = s.format in state.enabled
    ctx = _acting(scope, s)
    handled = enabled and await scope.runtime.hooks.series_occurrence(ctx, describe(s, o), step)
    if step == "open":
        await Occurrence.filter(id=o.id).update(status=OPENED)
        await scope.log("series.opened", ref=series_ref(s.id), text=o.starts_at.isoformat())
        await plan_next(scope, s, o.original_start)
        return
    if handled or not enabled:
        return
    if step == "announce":
        await show_announcement(scope, s, o)
    else:
        await scope.show(reminder_view(s, o), target=ToRoom(s.room_id))


# Views -------------------------------------------------------------------------------------


def scheduled_event(s: Series, o: Occurrence) -> ScheduledEvent:
    return ScheduledEvent(
        uid=occurrence_uid(s, o.original_start),
        title=s.title,
        start=o.starts_at,
        end=o.starts_at + timedelta(minutes=s.minutes),
        location=s.where,
        description=_("Every {every}.").format(every=s.every),
        cancelled=o.status == SKIPPED or (s.status != ACTIVE and o.status == PLANNED),
    )


def announcement_view(s: Series, o: Occurrence) -> View:
    zone = _zone(s)
    ev = scheduled_event(s, o)
    lines = [
        _("**When:** {when}").format(when=show(o.starts_at, zone)),
        _("Every “{every}” — series #{id}.").format(every=UserText(s.every), id=s.id),
    ]
    if s.where:
        lines.insert(1, _("**Where:** {where}").format(where=UserText(s.where)))
    if ev.cancelled:
        return View(
            title=_("Cancelled: {title}").format(title=UserText(s.title)),
            text="\n".join(lines),
            tone="warning",
            event=ev,
        )
    return View(
        title=_("Coming up: {title}").format(title=UserText(s.title)),
        text="\n".join(lines),
        event=ev,
    )


async def show_announcement(scope: Scope, s: Series, o: Occurrence) -> None:
    """The occurrence's announcement as stored now (updated in place after a change)."""
    fresh = await Occurrence.get(id=o.id)
    await scope.show(
        announcement_view(s, fresh),
        key=occurrence_key(fresh),
        target=ToRoom(s.room_id),
        coalesce=False,
    )


def reminder_view(s: Series, o: Occurrence) -> View:
    zone = _zone(s)
    n = s.remind_minutes
    return View(
        title=_("Starting soon: {title}").format(title=UserText(s.title)),
        text=_("In {n} minutes: {when}.").format(n=n, when=show(o.starts_at, zone)),
    )


# Changes -----------------------------------------------------------------------------------


async def find_date(
    scope: Scope, day: datetime, series_id: int | None
) -> tuple[Series, Occurrence]:
    """The occurrence on the local date ``day`` of the community's live series (or of
    series ``series_id``); a short error when there is none, or more than one."""
    query = Series.filter(community_id=scope.community.id, status__in=(ACTIVE, PAUSED))
    if series_id is not None:
        query = query.filter(id=series_id)
    rows = await query.order_by("id")
    if series_id is not None and not rows:
        raise UserError(_("There is no live series #{id} here.").format(id=series_id))
    found: list[tuple[Series, Occurrence]] = []
    for s in rows:
        start = on_day(s.rule, _first_local(s), _zone(s), day)
        if start is not None:
            found.append((s, await _row(s, start)))
            continue
        for o in await Occurrence.filter(series_id=s.id, moved=True, status=PLANNED):
            if o.starts_at.astimezone(_zone(s)).date() == day.date():
                found.append((s, o))
                break
    day_text = day.date().isoformat()
    if not found:
        if series_id is not None:
            raise UserError(
                _("{day} is not a date of series #{id}.").format(day=day_text, id=series_id)
            )
        raise UserError(_("{day} is not a date of any series here.").format(day=day_text))
    if len(found) > 1:
        ids = ", ".join(f"--series {s.id}" for s, _o in found)
        raise UserError(
            _("More than one series meets on {day}: say which with {ids}.").format(
                day=day_text, ids=ids
            )
        )
    return found[0]


async def skip(scope: Scope, s: Series, o: Occurrence, member: str) -> None:
    if o.status == OPENED or o.starts_at <= scope.now():
        raise UserError(_("That date has already come."))
    if not await Occurrence.filter(id=o.id, status=PLANNED).update(
        status=SKIPPED, sequence=F("sequence") + 1
    ):
        raise UserError(_("That date is already skipped."))
    await Series.filter(id=s.id).update(sequence=F("sequence") + 1)
    await _unschedule(scope, o)
    await scope.log(
        "series.skipped", ref=series_ref(s.id), text=o.starts_at.isoformat(), member=member
    )
    await _cancelled(scope, s, o)
    if o.open_job:  # it was the next one: plan the one after
        await plan_next(scope, await Series.get(id=s.id), o.original_start)


async def _cancelled(scope: Scope, s: Series, o: Occurrence) -> None:
    """Tell what was shown of ``o`` that it will not happen (if it was announced)."""
    fresh = await Occurrence.get(id=o.id)
    if fresh.announced_at is None:
        return
    await scope.runtime.hooks.series_occurrence(_acting(scope, s), describe(s, fresh), "cancel")
    if await scope.view_ref(occurrence_key(fresh)) is not None:
        await show_announcement(scope, await Series.get(id=s.id), fresh)


async def move(scope: Scope, s: Series, o: Occurrence, to: datetime, member: str) -> None:
    if o.status != PLANNED or o.starts_at <= scope.now():
        raise UserError(_("Only a date still to come can be moved."))
    if not await Occurrence.filter(id=o.id, status=PLANNED).update(
        starts_at=to, moved=True, sequence=F("sequence") + 1
    ):
        raise UserError(_("Only a date still to come can be moved."))
    await Series.filter(id=s.id).update(sequence=F("sequence") + 1)
    was_planned = o.open_job is not None
    await _unschedule(scope, o)
    moved = await Occurrence.get(id=o.id)
    await scope.log("series.moved", ref=series_ref(s.id), text=to.isoformat(), member=member)
    if was_planned:
        await _schedule(scope, s, moved)
    if moved.announced_at is not None:
        await show_announcement(scope, s, moved)


async def set_status(scope: Scope, s: Series, status: str, member: str) -> Series:
    """Pause, resume or end ``s``; jobs of its planned date are cancelled or planned again."""
    allowed = {PAUSED: (ACTIVE,), ACTIVE: (PAUSED,), ENDED: (ACTIVE, PAUSED)}[status]
    extra: dict[str, Any] = {"ended_at": scope.now()} if status == ENDED else {}
    if not await Series.filter(id=s.id, status__in=allowed).update(
        status=status, sequence=F("sequence") + 1, **extra
    ):
        messages = {
            PAUSED: _("Series #{id} is not running."),
            ACTIVE: _("Series #{id} is not paused."),
            ENDED: _("Series #{id} has ended already."),
        }
        raise UserError(messages[status].format(id=s.id))
    s = await Series.get(id=s.id)
    await scope.log(
        f"series.{'resumed' if status == ACTIVE else status}", ref=series_ref(s.id), member=member
    )
    if status == ACTIVE:
        await plan_next(scope, s, scope.now())
        return s
    for o in await Occurrence.filter(series_id=s.id, status=PLANNED).exclude(open_job=None):
        await _unschedule(scope, o)
        if o.announced_at is not None:
            # Announced already (a brown bag scheduled, sign-ups open): that date is cancelled,
            # and stays so if the series resumes before it (as a skipped date).
            await Occurrence.filter(id=o.id, status=PLANNED).update(
                status=SKIPPED, sequence=F("sequence") + 1
            )
            await _cancelled(scope, s, o)
    return s
