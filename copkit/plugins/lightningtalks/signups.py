"""Opening lightning talks, signing up and withdrawing, the cutoff, and arranging the line-up."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from copkit.core import series
from copkit.core.calendar_feed import CalendarEntry
from copkit.core.context import Activity, Context, JobContext, Scope
from copkit.core.errors import UserError
from copkit.core.hookspecs import hookimpl
from copkit.core.i18n import N_, _, ngettext
from copkit.core.models import Community
from copkit.core.parsing import join_words, parse_duration
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.timezones import parse_future, zone
from copkit.core.views import ToRoom, ToThread, UserText, When, notice

from . import logic, store
from . import views as v
from .cards import find_event, refresh, require_organiser, tell
from .format import EVENT, SIGNUP, WITHDRAW, event_key, lineup_key, lt, talk_ref
from .models import Event, Talk
from .stage import cancel_reminder

TITLE = Arg("title", N_("the title"), type="rest", positional=True)


@lt.command(
    "open",
    help=N_("Open lightning talks for sign-ups (an announcement and a sign-up thread)."),
    args=(
        TITLE,
        Arg(
            "at",
            N_(
                'when they start, e.g. "friday 17:00" or "2026-12-03 17:00" (with --every: the first)'
            ),
        ),
        Arg("slots", N_("how many talks (default 8)"), type="int"),
        Arg("minutes", N_("minutes per talk (default 5)"), type="int"),
        Arg(
            "cutoff",
            N_("when sign-ups close: a time, or how long before, e.g. 1h (default: at the start)"),
        ),
        Arg("tz", N_("a time zone for the times (default: the community's)")),
        EVENT,
        series.EVERY,
        series.ANNOUNCE,
    ),
    role=Role.CORE,
    words=N_("open lightning talks"),
)
async def open_(ctx: Context, args: dict[str, Any]) -> None:
    title = join_words(args.get("title"))
    if not title:
        raise UserError(_("Give the lightning talks a title."))
    if len(title) > 200:
        raise UserError(_("A title has at most 200 characters."))
    tz = zone(args["tz"]) if args.get("tz") else ctx.zone
    now = ctx.now()
    slots = logic.check_slots(args["slots"] if args.get("slots") is not None else 8)
    minutes = logic.check_minutes(args["minutes"] if args.get("minutes") is not None else 5)
    if args.get("every"):
        if args.get("cutoff"):
            raise UserError(
                _("A series' sign-ups close when each evening starts: leave out --cutoff.")
            )
        first = parse_future(args["at"], tz, now) if args.get("at") else None
        s = await series.create(
            ctx,
            format=lt.name,
            title=title,
            every=str(args["every"]),
            at=first,
            minutes=slots * minutes,
            options={"slots": slots, "minutes": minutes},
            announce=args.get("announce") or timedelta(days=7),
        )
        dates = await series.next_dates(s, now, 1)
        await ctx.reply(series.created_view(s, dates[0].starts_at if dates else None))
        return
    if not args.get("at"):
        raise UserError(_('Say when with --at "2026-12-03 17:00" (or repeat it with --every).'))
    starts = parse_future(args["at"], tz, now)
    cutoff = _cutoff(str(args["cutoff"]), starts, tz, now) if args.get("cutoff") else None
    if cutoff is not None and cutoff > starts:
        raise UserError(_("Sign-ups must close before the talks start."))
    await open_event(ctx, title, starts, slots, minutes, cutoff)


async def open_event(
    ctx: Context,
    title: str,
    starts: datetime,
    slots: int,
    minutes: int,
    cutoff: datetime | None,
    uid: str = "",
) -> Event:
    ev = await Event.create(
        community_id=ctx.community.id,
        title=title,
        room_id=ctx.room_id,
        starts_at=starts,
        slots=slots,
        minutes=minutes,
        cutoff_at=cutoff,
        created_by=ctx.person.id,
    )
    if cutoff is not None:
        job = await ctx.schedule("lightning.cutoff", cutoff, {"event": ev.id})
        await Event.filter(id=ev.id).update(cutoff_job=job)
    if starts - SPEAKER_REMINDER > ctx.now():
        await ctx.schedule("lightning.remind", starts - SPEAKER_REMINDER, {"event": ev.id})
    await ctx.log("lightning.opened", ref=event_key(ev.id), text=uid or title, member=ctx.person.id)
    await refresh(ctx, ev.id)  # the announcement (its sign-up button works from now on)
    ref = await ctx.show(
        v.lineup_view(ev, ctx.zone, [], []),
        key=lineup_key(ev.id),
        target=ToThread(v.thread_name(ev), ctx.room_id),
    )
    if ref is not None:
        await Event.filter(id=ev.id).update(thread_id=str(ref.get("room_id", "")))
        if await Talk.filter(event_id=ev.id).exists():  # signed up before the thread was known
            await refresh(ctx, ev.id)
    await ctx.activity_started(Activity(ctx.community, "lightning", ev.id, title, ctx.room_id))
    return ev


@hookimpl
async def copkit_series_occurrence(
    ctx: Context, occurrence: series.SeriesOccurrence, step: str
) -> bool | None:
    """A series' evening opens for sign-ups when it is announced (a week ahead)."""
    if occurrence.format != lt.name or step not in ("announce", "cancel"):
        return None
    if step == "cancel":
        if occurrence.ref.startswith("lightning-"):
            await cancel_event(ctx, int(occurrence.ref.split("-")[1].split("@")[0]))
        return True
    o = occurrence.options
    ev = await open_event(
        ctx,
        occurrence.title,
        occurrence.starts_at,
        int(o.get("slots") or 8),
        int(o.get("minutes") or 5),
        None,
        occurrence.uid,
    )
    await series.made(occurrence, event_uid(ev.id))
    return True


async def cancel_event(scope: Scope, event_id: int) -> None:
    """A series' evening called off (its date skipped, or the series paused or ended): sign-ups
    close, its timers stop, the cards say so, and everyone signed up is told (once)."""
    if not await Event.filter(id=event_id, status__in=("open", "closed")).update(
        status="cancelled"
    ):
        return
    ev = await Event.get(id=event_id)
    await scope.cancel_job(ev.cutoff_job)
    await cancel_reminder(scope, ev.id)
    await scope.log("lightning.cancelled", ref=event_key(ev.id))
    await refresh(scope, ev.id)
    text = _("“{event}”, {when}, is cancelled: your talk “{title}” will not be given then.")
    for talk in [*await store.lineup(ev.id), *await store.waiting(ev.id)]:
        await tell(
            scope,
            talk.speaker_id,
            text.format(
                event=UserText(ev.title),
                when=When(ev.starts_at, scope.zone),
                title=UserText(talk.title),
            ),
        )
    await scope.activity_ended(Activity(scope.community, "lightning", ev.id, ev.title, ev.room_id))


def event_uid(event_id: int) -> str:
    return f"lightning-{event_id}@copkit"


@hookimpl
async def copkit_calendar_entries(community: Community, since: datetime) -> list[CalendarEntry]:
    rows = await Event.filter(community_id=community.id, starts_at__gte=since).order_by("starts_at")
    return [
        CalendarEntry(
            uid=event_uid(ev.id),
            title=_("Lightning talks: {title}").format(title=ev.title),
            start=ev.starts_at,
            end=ev.starts_at + timedelta(minutes=ev.slots * ev.minutes),
            cancelled=ev.status == "cancelled",
            format=lt.name,
        )
        for ev in rows
    ]


@lt.command(
    "signup", help=N_("Sign up with your talk's title."), args=(TITLE, EVENT), button=SIGNUP
)
async def signup(ctx: Context, args: dict[str, Any]) -> None:
    """``lightning signup <title>`` or the sign-up form: a slot if one is free, else the
    waiting list; once per person. With several lightning talks open and none named, the
    soonest, and the answer says so."""
    ev, others = await _signup_event(ctx, args.get("event"))
    signed = await store.signup(ev.id, ctx.person, join_words(args.get("title")), ctx.now())
    t = signed.talk
    await ctx.contribute("signup", talk_ref(t.id), t.title)
    await refresh(ctx, ev.id)
    if signed.in_lineup:
        msg = _("You're in the line-up of “{event}” with “{title}”.")
    else:
        msg = _(
            "All slots of “{event}” are taken: you're on the waiting list with “{title}”. "
            "I'll tell you if a slot opens."
        )
    text = msg.format(event=UserText(ev.title), title=UserText(t.title))
    if others:
        text += "\n" + ngettext(
            "Another lightning talks event is open too (#{ids}); you signed up for the sooner "
            "one. For that one: “lightning signup … --event {ids}”.",
            "{n} other lightning talks events are open too (#{ids}); you signed up for the "
            "soonest. For another: “lightning signup … --event N”.",
            len(others),
        ).format(n=len(others), ids=", #".join(str(o) for o in others))
    await ctx.reply(notice(text, "success"), private=True)


SPEAKER_REMINDER = timedelta(minutes=30)


def _cutoff(raw: str, starts: datetime, tz: ZoneInfo, now: datetime) -> datetime:
    """``--cutoff``: a time ("2026-12-03 12:00"), or how long before the start ("1h")."""
    try:
        before = parse_duration(raw)
    except UserError:
        return parse_future(raw, tz, now)
    cutoff = starts - before
    if cutoff <= now:
        raise UserError(
            _("Sign-ups would close {before} before the start, which is already past.").format(
                before=raw.strip()
            )
        )
    return cutoff


async def _signup_event(ctx: Context, raw: object) -> tuple[Event, list[int]]:
    """The event to sign up for and the ids of the other open ones (when none was named)."""
    if raw not in (None, "") or (
        ctx.room_id and await Event.filter(thread_id=ctx.room_id).exists()
    ):
        return await find_event(ctx, raw), []
    open_ = await Event.filter(community_id=ctx.community.id, status="open").order_by(
        "starts_at", "id"
    )
    if len(open_) < 2:
        return await find_event(ctx, raw), []
    return open_[0], [e.id for e in open_[1:]]


@lt.job("remind")
async def remind_speakers(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Shortly before the start, each speaker in the line-up is reminded privately."""
    ev = await Event.get_or_none(id=payload.get("event"))
    if ev is None or ev.status not in ("open", "closed"):
        return
    for talk in await store.lineup(ev.id):
        await tell(
            ctx,
            talk.speaker_id,
            _("Reminder: you give “{title}” at “{event}”, {when}. {minutes} minutes each!").format(
                title=UserText(talk.title),
                event=UserText(ev.title),
                when=When(ev.starts_at, ctx.zone),
                minutes=ev.minutes,
            ),
        )


async def after_promotion(scope: Scope, ev: Event, promoted: Talk | None) -> None:
    if promoted is None:
        return
    await scope.log("lightning.promoted", ref=talk_ref(promoted.id), member=promoted.speaker_id)
    await tell(
        scope,
        promoted.speaker_id,
        _("A slot opened: “{title}” is now in the line-up of “{event}”.").format(
            title=UserText(promoted.title), event=UserText(ev.title)
        ),
    )


@lt.command(
    "withdraw",
    help=N_("Withdraw your talk (the first person waiting gets it)."),
    args=(EVENT,),
    button=WITHDRAW,
)
async def withdraw(ctx: Context, args: dict[str, Any]) -> None:
    ev = await find_event(ctx, args.get("event"))
    talk, promoted = await store.withdraw(ev.id, ctx.person.id)
    await ctx.log("lightning.withdrawn", ref=talk_ref(talk.id), member=ctx.person.id)
    await refresh(ctx, ev.id)
    await ctx.reply(
        notice(_("You withdrew “{title}”.").format(title=UserText(talk.title)), "success"),
        private=True,
    )
    await after_promotion(ctx, ev, promoted)


@lt.command("lineup", help=N_("Show the line-up and the waiting list."), args=(EVENT,))
async def show_lineup(ctx: Context, args: dict[str, Any]) -> None:
    ev = await find_event(ctx, args.get("event"))
    view = v.lineup_view(ev, ctx.zone, await store.lineup(ev.id), await store.waiting(ev.id))
    await ctx.reply(view, private=True)


@lt.job("cutoff")
async def cutoff_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    ev = await Event.get_or_none(id=payload.get("event"))
    if ev is None or ev.cutoff_job != ctx.job_id:
        return
    if not await Event.filter(id=ev.id, status="open").update(status="closed"):
        return
    await ctx.log("lightning.closed", ref=event_key(ev.id))
    await refresh(ctx, ev.id)
    if ev.thread_id:
        await ctx.show(notice(_("Sign-ups are closed.")), target=ToRoom(ev.thread_id))


# Organising -------------------------------------------------------------------------------------


@lt.command(
    "reorder",
    help=N_("Change the running order, e.g. “lightning reorder 3 1 2” (organiser)."),
    args=(
        Arg("order", N_("line-up numbers in the new order"), type="rest", positional=True),
        EVENT,
    ),
)
async def reorder(ctx: Context, args: dict[str, Any]) -> None:
    ev = await find_event(ctx, args.get("event"))
    require_organiser(ctx, ev)
    picks = logic.parse_positions(args.get("order") or [])
    await store.set_order(ev.id, picks, None)
    await ctx.log(
        "lightning.reordered",
        ref=event_key(ev.id),
        text=" ".join(map(str, picks)),
        member=ctx.person.id,
    )
    await refresh(ctx, ev.id)
    await ctx.reply(notice(_("New order saved."), "success"), private=True)


@lt.command(
    "shuffle",
    help=N_("Draw a random running order; the seed is recorded (organiser)."),
    args=(Arg("seed", N_("a seed, to repeat a draw")), EVENT),
)
async def shuffle(ctx: Context, args: dict[str, Any]) -> None:
    ev = await find_event(ctx, args.get("event"))
    require_organiser(ctx, ev)
    raw = args.get("seed")
    seed = logic.check_seed(raw) if raw not in (None, "") else secrets.randbelow(logic.SEED_MAX)
    order = await store.set_order(ev.id, None, seed)
    await ctx.log("lightning.shuffled", ref=event_key(ev.id), text=str(seed), member=ctx.person.id)
    await refresh(ctx, ev.id)
    names = ", ".join(UserText(t.speaker_name) for t in order)
    await ctx.reply(
        notice(
            _("Order drawn with seed {seed}: {names}.").format(seed=seed, names=names), "success"
        )
    )


@lt.command(
    "remove",
    help=N_("Remove someone's talk; they are told (organiser)."),
    args=(
        Arg("person", N_("whose talk (@name)"), type="person", positional=True, required=True),
        EVENT,
    ),
)
async def remove(ctx: Context, args: dict[str, Any]) -> None:
    ev = await find_event(ctx, args.get("event"))
    require_organiser(ctx, ev)
    person = await ctx.resolve_person(str(args["person"]))
    talk, promoted = await store.remove(ev.id, person.id)
    await ctx.log("lightning.removed", ref=talk_ref(talk.id), text=person.id, member=ctx.person.id)
    await refresh(ctx, ev.id, run=ev.status == "running")
    await tell(
        ctx,
        talk.speaker_id,
        _("The organiser removed your talk “{title}” from “{event}”.").format(
            title=UserText(talk.title), event=UserText(ev.title)
        ),
    )
    await ctx.reply(
        notice(_("Removed “{title}”.").format(title=UserText(talk.title)), "success"), private=True
    )
    await after_promotion(ctx, ev, promoted)
