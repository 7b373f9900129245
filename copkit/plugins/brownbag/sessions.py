"""Brown-bag sessions: scheduling, RSVPs, changes (those who answered are told), calendar
entries and reminders."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import F

from copkit.core.context import Context, JobContext, Scope
from copkit.core.errors import UserError
from copkit.core.events import Person
from copkit.core.i18n import N_, _
from copkit.core.models import Community
from copkit.core.parsing import join_words
from copkit.core.people import person_or_me
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.store import transaction, upsert
from copkit.core.timezones import parse_future
from copkit.core.views import UserText, View, notice

from . import views as v
from .calendar import calendar
from .format import ICS, RSVP, bb, session_key
from .models import Rsvp, Session, Talk
from .reading import (
    get_session,
    get_talk,
    minutes,
    refresh_announcement,
    rsvps,
    stats,
    time_zone,
)

REMIND_DAY = timedelta(hours=24)
REMIND_SOON = timedelta(minutes=15)

SESSION = Arg("session", N_("the brown bag's number"), positional=True, required=True)
AT = Arg("at", N_('date and time, e.g. "2026-12-03 12:30"'), required=True)
TZ = Arg("tz", N_("a time zone for --at, e.g. Europe/Paris (default: the community's)"))
WHERE = Arg("where", N_("a link or a room"))


async def plan_jobs(scope: Scope, s: Session) -> None:
    """(Re)schedule the reminders and the end of a session; older jobs become stale."""
    for job in (s.remind_day_job, s.remind_soon_job, s.end_job):
        await scope.cancel_job(job)
    now = scope.now()
    ids: dict[str, int | None] = {}
    for name, at, which in (
        ("remind_day_job", s.starts_at - REMIND_DAY, "day"),
        ("remind_soon_job", s.starts_at - REMIND_SOON, "soon"),
    ):
        ids[name] = (
            await scope.schedule("brownbag.remind", at, {"session": s.id, "which": which})
            if at > now
            else None
        )
    ids["end_job"] = await scope.schedule(
        "brownbag.end", s.starts_at + timedelta(minutes=s.minutes), {"session": s.id}
    )
    await Session.filter(id=s.id).update(**ids)


def speaking_view(s: Session, scope: Scope) -> View:
    return View(
        title=_("You're speaking at a brown bag"),
        text=_("“{title}”, {when}.").format(
            title=UserText(s.title), when=v.when_text(s, scope.zone)
        ),
    )


@bb.command(
    "schedule",
    help=N_("Schedule a brown bag."),
    args=(
        Arg("title", N_("the talk's title"), type="rest", positional=True),
        Arg("speaker", N_("who speaks (@name)"), type="person", required=True),
        AT,
        Arg("duration", N_("how long, e.g. 45 or 1h"), type="duration"),
        WHERE,
        TZ,
        Arg("talk", N_("the backlog talk it comes from")),
    ),
    role=Role.CORE,
    words=N_("schedule brown bags"),
)
async def schedule(ctx: Context, args: dict[str, Any]) -> None:
    tz = time_zone(ctx, args.get("tz"))
    starts = parse_future(args["at"], tz, ctx.now())
    length = minutes(args.get("duration"), 45)
    talk = await get_talk(ctx, args["talk"]) if args.get("talk") else None
    title = join_words(args.get("title")) or (talk.title if talk else "")
    if not title:
        raise UserError(_("Give the session a title, or --talk with a backlog number."))
    if len(title) > 200:
        raise UserError(_("A title has at most 200 characters."))
    speaker = await person_or_me(ctx, args["speaker"])
    where = join_words(args.get("where"))[:500]
    async with transaction():
        if talk is not None and not await Talk.filter(id=talk.id, status="open").update(
            status="scheduled"
        ):
            raise UserError(_("Talk #{id} is already scheduled.").format(id=talk.id))
        s = await create_session(ctx, talk, title, speaker, starts, length, where)
        await plan_jobs(ctx, s)
    await ctx.log("brownbag.scheduled", ref=session_key(s.id), text=title, member=ctx.person.id)
    await refresh_announcement(ctx, s.id)
    if speaker.id != ctx.person.id:
        await ctx.send_private(speaker.id, speaking_view(s, ctx))


async def create_session(
    ctx: Context,
    talk: Talk | None,
    title: str,
    speaker: Person,
    starts: datetime,
    length: int,
    where: str,
) -> Session:
    return await Session.create(
        community_id=ctx.community.id,
        uid=f"brownbag-{uuid.uuid4().hex}@copkit",
        talk=talk,
        title=title,
        speaker_id=speaker.id,
        speaker_name=speaker.name or speaker.id,
        starts_at=starts,
        minutes=length,
        where=where,
        room_id=ctx.room_id,
        created_by=ctx.person.id,
    )


@bb.command("list", help=N_("Show upcoming brown bags."))
async def upcoming(ctx: Context, args: dict[str, Any]) -> None:
    rows = (
        await Session.filter(community_id=ctx.community.id, status="scheduled")
        .order_by("starts_at")
        .limit(20)
    )
    await ctx.reply(v.upcoming_view([(s, await stats(s.id)) for s in rows], ctx.zone))


@bb.command(
    "rsvp",
    help=N_("Say whether you're coming."),
    args=(
        SESSION,
        Arg(
            "answer",
            N_("going, maybe or no"),
            positional=True,
            required=True,
            choices=v.ANSWERS,
            normalize=v.answer_of,
        ),
    ),
    button=RSVP,
)
async def rsvp(ctx: Context, args: dict[str, Any]) -> None:
    """``brownbag rsvp 3 going`` or the announcement's buttons: the same answer twice changes
    nothing and says so."""
    answer = args["answer"]
    if answer not in v.ANSWERS:
        raise UserError(_("Answer going, maybe or no."))
    s = await get_session(ctx, args["session"])
    if s.status != "scheduled":
        raise UserError(_("Brown bag #{id} is not open for RSVPs any more.").format(id=s.id))
    before = await Rsvp.get_or_none(session_id=s.id, member_id=ctx.person.id)
    if before is not None and before.answer == answer:
        raise UserError(
            _("You already answered “{answer}” for “{title}”.").format(
                answer=v.answer_label(answer), title=UserText(s.title)
            )
        )
    await upsert(Rsvp, {"session_id": s.id, "member_id": ctx.person.id}, {"answer": answer})
    await ctx.log("brownbag.rsvp", ref=session_key(s.id), text=answer, member=ctx.person.id)
    await refresh_announcement(ctx, s.id)
    if answer == "going":
        msg = (_("You're going to “{title}”.") + " " + v.reminder_promise(s)).strip()
    elif answer == "maybe":
        msg = _("Noted: maybe for “{title}”.")
    else:
        msg = _("Noted: not going to “{title}”.")
    await ctx.reply(notice(msg.format(title=UserText(s.title)), "success"), private=True)


async def tell_those_concerned(ctx: Context, s: Session, view: View) -> set[str]:
    """Send ``view`` to the speaker and everyone going or maybe going (not the one acting)."""
    told = {s.speaker_id, *await rsvps(s.id, "going", "maybe")} - {ctx.person.id}
    for person in sorted(told):
        await ctx.send_private(person, view)
    return told


@bb.command(
    "reschedule",
    help=N_("Move a brown bag."),
    args=(SESSION, AT, Arg("duration", N_("how long"), type="duration"), WHERE, TZ),
    role=Role.CORE,
    words=N_("reschedule brown bags"),
)
async def reschedule(ctx: Context, args: dict[str, Any]) -> None:
    s = await get_session(ctx, args["session"])
    if s.status != "scheduled":
        raise UserError(_("Only a scheduled brown bag can be moved."))
    tz = time_zone(ctx, args.get("tz"))
    starts = parse_future(args["at"], tz, ctx.now())
    update: dict[str, Any] = {
        "starts_at": starts,
        "minutes": minutes(args.get("duration"), s.minutes),
        "sequence": F("sequence") + 1,
    }
    if args.get("where"):
        update["where"] = join_words(args["where"])[:500]
    if not await Session.filter(id=s.id, status="scheduled").update(**update):
        raise UserError(_("Only a scheduled brown bag can be moved."))
    s = await Session.get(id=s.id)
    await plan_jobs(ctx, s)
    await ctx.log(
        "brownbag.rescheduled", ref=session_key(s.id), text=starts.isoformat(), member=ctx.person.id
    )
    await refresh_announcement(ctx, s.id)
    await tell_those_concerned(ctx, s, v.moved_view(s, ctx.zone))
    await ctx.reply(
        notice(
            _("Brown bag #{id} moved to {when}.").format(id=s.id, when=v.when_text(s, ctx.zone)),
            "success",
        ),
        private=True,
    )


@bb.command(
    "cancel",
    help=N_("Cancel a brown bag (everyone who answered is told)."),
    args=(SESSION,),
    role=Role.CORE,
    words=N_("cancel brown bags"),
)
async def cancel(ctx: Context, args: dict[str, Any]) -> None:
    s = await get_session(ctx, args["session"])
    if not await Session.filter(id=s.id, status="scheduled").update(
        status="cancelled", sequence=F("sequence") + 1
    ):
        raise UserError(_("Brown bag #{id} is not scheduled.").format(id=s.id))
    s = await Session.get(id=s.id)
    for job in (s.remind_day_job, s.remind_soon_job, s.end_job):
        await ctx.cancel_job(job)
    talk_id = getattr(s, "talk_id", None)
    if talk_id is not None:
        await Talk.filter(id=talk_id, status="scheduled").update(status="open")
    await ctx.log("brownbag.cancelled", ref=session_key(s.id), member=ctx.person.id)
    await refresh_announcement(ctx, s.id)
    told = await tell_those_concerned(ctx, s, v.cancelled_view(s, ctx.zone))
    await ctx.reply(
        notice(
            _("Brown bag #{id} is cancelled; {n} people were told.").format(id=s.id, n=len(told)),
            "success",
        ),
        private=True,
    )


@bb.command(
    "speaker",
    help=N_("Change a brown bag's speaker."),
    args=(
        SESSION,
        Arg("person", N_("the new speaker (@name)"), type="person", positional=True, required=True),
    ),
    role=Role.CORE,
    words=N_("change speakers"),
)
async def change_speaker(ctx: Context, args: dict[str, Any]) -> None:
    s = await get_session(ctx, args["session"])
    speaker = await ctx.resolve_person(str(args["person"]))
    if speaker.id == s.speaker_id:
        raise UserError(
            _("{name} is already the speaker.").format(name=UserText(speaker.name or speaker.id))
        )
    if not await Session.filter(id=s.id, status="scheduled").update(
        speaker_id=speaker.id, speaker_name=speaker.name or speaker.id, sequence=F("sequence") + 1
    ):
        raise UserError(_("Brown bag #{id} is not scheduled.").format(id=s.id))
    old = s.speaker_id
    s = await Session.get(id=s.id)
    await ctx.log("brownbag.speaker", ref=session_key(s.id), text=speaker.id, member=ctx.person.id)
    await refresh_announcement(ctx, s.id)
    await ctx.send_private(speaker.id, speaking_view(s, ctx))
    await ctx.send_private(
        old,
        View(
            text=_("{name} now gives “{title}”. Thank you!").format(
                name=UserText(s.speaker_name), title=UserText(s.title)
            )
        ),
    )
    await ctx.reply(
        notice(
            _("{name} now speaks at brown bag #{id}.").format(
                name=UserText(s.speaker_name), id=s.id
            ),
            "success",
        ),
        private=True,
    )


@bb.command("ics", help=N_("Get a brown bag's calendar entry (.ics)."), args=(SESSION,), button=ICS)
async def ics(ctx: Context, args: dict[str, Any]) -> None:
    s = await get_session(ctx, args["session"])
    await ctx.reply(v.ics_view(s, session_ics(s, ctx.now())), private=True)


def session_ics(s: Session, stamp: datetime) -> bytes:
    """The .ics of one session."""
    return calendar([v.calendar_entry(s)], stamp)


async def community_feed(community_id: int, stamp: datetime, *, days_back: int = 365) -> bytes:
    """Every brown bag of a community as one calendar (for a web page to serve)."""
    community = await Community.get(id=community_id)
    since = stamp - timedelta(days=days_back)
    rows = await Session.filter(community_id=community_id, starts_at__gte=since).order_by(
        "starts_at"
    )
    return calendar(
        [v.calendar_entry(s) for s in rows],
        stamp,
        name=_("{name}: brown bags").format(name=community.name or community.external_id),
    )


@bb.job("remind")
async def remind_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    s = await Session.get_or_none(id=payload.get("session"))
    which = payload.get("which")
    if s is None or s.status != "scheduled" or which not in ("day", "soon"):
        return
    if getattr(s, f"remind_{which}_job") != ctx.job_id:
        return  # rescheduled since: a newer job reminds
    await ctx.send_private(s.speaker_id, v.reminder_view(s, ctx.zone, which, speaker=True))
    for person in await rsvps(s.id, "going"):
        if person != s.speaker_id:
            await ctx.send_private(person, v.reminder_view(s, ctx.zone, which, speaker=False))
    # Sent: the announcement and later RSVPs no longer promise this one.
    field = f"remind_{which}_job"
    if await Session.filter(id=s.id, **{field: ctx.job_id}).update(**{field: None}):
        await refresh_announcement(ctx, s.id)
