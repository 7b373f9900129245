"""Brown bag commands, buttons and timers."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from copkit.core.context import Activity, Context, JobContext, Scope
from copkit.core.errors import UserError
from copkit.core.events import Person
from copkit.core.i18n import _
from copkit.core.models import Community
from copkit.core.roles import Role
from copkit.core.timezones import parse_future, zone
from copkit.core.views import UserText, View, notice

from . import views as v
from .calendar import calendar
from .common import (
    average,
    check_apply,
    check_link,
    community_zone,
    parse_number,
    parse_rating,
    show_latest,
)
from .models import Feedback, Rsvp, Session, Talk, Upvote, Volunteer

MIN_MINUTES, MAX_MINUTES = 5, 8 * 60
REMIND_DAY = timedelta(hours=24)
REMIND_SOON = timedelta(minutes=15)


def session_key(session_id: int) -> str:
    return f"brownbag:session:{session_id}"


# Reading ---------------------------------------------------------------------------------------


async def get_session(scope: Scope, raw: object) -> Session:
    sid = parse_number(raw, _("session"))
    s = await Session.get_or_none(id=sid, community_id=scope.community.id)
    if s is None:
        raise UserError(_("There is no brown bag #{id}.").format(id=sid))
    return s


async def get_talk(scope: Scope, raw: object) -> Talk:
    tid = parse_number(raw, _("talk"))
    t = await Talk.get_or_none(id=tid, community_id=scope.community.id)
    if t is None or t.status == "dropped":
        raise UserError(_("There is no talk #{id} in the backlog.").format(id=tid))
    return t


async def stats(session_id: int) -> v.Stats:
    rows = (
        await Rsvp.filter(session_id=session_id)
        .annotate(n=Count("id"))
        .group_by("answer")
        .values_list("answer", "n")
    )
    ratings = await Feedback.filter(session_id=session_id).values_list("rating", flat=True)
    return v.Stats(
        counts={a: n for a, n in rows}, ratings=len(ratings), average=average(list(ratings))
    )


async def rsvps(session_id: int, *answers: str) -> list[str]:
    return list(
        await Rsvp.filter(session_id=session_id, answer__in=answers)
        .order_by("id")
        .values_list("member_id", flat=True)
    )


async def refresh_announcement(scope: Scope, session_id: int) -> None:
    """Update the session's announcement in place (posting it if it was never shown)."""

    async def render() -> View:
        s = await Session.get(id=session_id)
        return v.session_view(s, community_zone(scope), await stats(session_id))

    s = await Session.get(id=session_id)
    await show_latest(scope, session_key(session_id), render, target=_room_target(s))


def words(value: object) -> str:
    """A title typed as several words (or one quoted string), with spaces tidied."""
    if isinstance(value, (list, tuple)):
        value = " ".join(str(w) for w in value)
    return " ".join(str(value or "").split())


def _room_target(s: Session) -> Any:
    from copkit.core.views import ToRoom

    return ToRoom(s.room_id or None)


def _time_zone(scope: Scope, given: str | None) -> Any:
    return zone(given) if given else community_zone(scope)


def _minutes(value: timedelta | None, default: int) -> int:
    if value is None:
        return default
    minutes = int(value.total_seconds() // 60)
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise UserError(
            _("A brown bag lasts between {a} and {b} minutes.").format(a=MIN_MINUTES, b=MAX_MINUTES)
        )
    return minutes


# Backlog ---------------------------------------------------------------------------------------


async def backlog_items(community_id: int) -> list[v.BacklogItem]:
    talks = await Talk.filter(community_id=community_id, status="open").order_by("id")
    ids = [t.id for t in talks]
    votes = dict(
        await Upvote.filter(talk_id__in=ids)
        .annotate(n=Count("id"))
        .group_by("talk_id")
        .values_list("talk_id", "n")
    )
    speakers: dict[int, list[str]] = {}
    for vol in await Volunteer.filter(talk_id__in=ids).order_by("id"):
        speakers.setdefault(vol.talk_id, []).append(vol.name or vol.member_id)  # type: ignore[attr-defined]
    return [v.BacklogItem(t.id, t.title, votes.get(t.id, 0), speakers.get(t.id, [])) for t in talks]


async def person_or_me(ctx: Context, raw: object) -> Person:
    """``me`` or a mention, as a person known to the community."""
    token = str(raw).strip()
    if token.lower() in ("me", "myself"):
        return ctx.person
    return await ctx.runtime.resolve_person(ctx, token)


async def propose(ctx: Context, args: dict[str, Any]) -> None:
    title = words(args["title"])
    if not title:
        raise UserError(_("Give the talk a title."))
    if len(title) > 200:
        raise UserError(_("A title has at most 200 characters."))
    speaker = await person_or_me(ctx, args["speaker"]) if args.get("speaker") else None
    talk = await Talk.create(community_id=ctx.community.id, title=title, proposer_id=ctx.person.id)
    if speaker is not None:
        await Volunteer.create(talk=talk, member_id=speaker.id, name=speaker.name or speaker.id)
    await ctx.contribute("talk", f"brownbag:talk:{talk.id}", title)
    msg = _("Added #{id} “{title}” to the brown bag backlog.").format(
        id=talk.id, title=UserText(title)
    )
    await ctx.reply(notice(msg, "success"))


async def backlog(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.reply(v.backlog_view(await backlog_items(ctx.community.id)))


async def _upvote(ctx: Context, raw: object) -> None:
    talk = await get_talk(ctx, raw)
    try:
        await Upvote.create(talk=talk, member_id=ctx.person.id)
    except IntegrityError:
        raise UserError(_("You have already upvoted #{id}.").format(id=talk.id)) from None
    n = await Upvote.filter(talk_id=talk.id).count()
    await ctx.contribute("vote", f"brownbag:talk:{talk.id}")
    await ctx.reply(
        notice(
            _("Upvoted #{id} “{title}” ({n} in all).").format(
                id=talk.id, title=UserText(talk.title), n=n
            ),
            "success",
        ),
        private=True,
    )


async def upvote(ctx: Context, args: dict[str, Any]) -> None:
    await _upvote(ctx, args["talk"])


async def upvote_action(ctx: Context, args: dict[str, Any]) -> None:
    for raw in args.get("selected") or [args.get("id")]:
        await _upvote(ctx, raw)


async def _volunteer(ctx: Context, raw: object) -> None:
    talk = await get_talk(ctx, raw)
    try:
        await Volunteer.create(
            talk=talk, member_id=ctx.person.id, name=ctx.person.name or ctx.person.id
        )
    except IntegrityError:
        raise UserError(_("You already offered to give #{id}.").format(id=talk.id)) from None
    await ctx.contribute("volunteer", f"brownbag:talk:{talk.id}")
    await ctx.reply(
        notice(
            _("Thanks! The leader sees you could give #{id} “{title}”.").format(
                id=talk.id, title=UserText(talk.title)
            ),
            "success",
        ),
        private=True,
    )


async def volunteer(ctx: Context, args: dict[str, Any]) -> None:
    await _volunteer(ctx, args["talk"])


async def volunteer_action(ctx: Context, args: dict[str, Any]) -> None:
    for raw in args.get("selected") or [args.get("id")]:
        await _volunteer(ctx, raw)


async def drop(ctx: Context, args: dict[str, Any]) -> None:
    talk = await get_talk(ctx, args["talk"])
    await Talk.filter(id=talk.id).update(status="dropped")
    await ctx.log("brownbag.talk.dropped", ref=f"brownbag:talk:{talk.id}", member=ctx.person.id)
    await ctx.reply(notice(_("Removed #{id} from the backlog.").format(id=talk.id), "success"))


# Scheduling ------------------------------------------------------------------------------------


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


async def schedule(ctx: Context, args: dict[str, Any]) -> None:
    tz = _time_zone(ctx, args.get("tz"))
    starts = parse_future(args["at"], tz, ctx.now())
    minutes = _minutes(args.get("duration"), 45)
    talk = await get_talk(ctx, args["talk"]) if args.get("talk") else None
    title = words(args.get("title")) or (talk.title if talk else "")
    if not title:
        raise UserError(_("Give the session a title, or --talk with a backlog number."))
    if len(title) > 200:
        raise UserError(_("A title has at most 200 characters."))
    speaker = await person_or_me(ctx, args["speaker"])
    where = " ".join(str(args.get("where") or "").split())[:500]
    async with in_transaction():
        if talk is not None and not await Talk.filter(id=talk.id, status="open").update(
            status="scheduled"
        ):
            raise UserError(_("Talk #{id} is already scheduled.").format(id=talk.id))
        s = await create_session(ctx, talk, title, speaker, starts, minutes, where)
        await plan_jobs(ctx, s)
    await ctx.log(
        "brownbag.scheduled", ref=f"brownbag:session:{s.id}", text=title, member=ctx.person.id
    )
    await refresh_announcement(ctx, s.id)
    if speaker.id != ctx.person.id:
        await ctx.send_private(
            speaker.id,
            View(
                title=_("You're speaking at a brown bag"),
                text=_("“{title}”, {when}.").format(
                    title=UserText(title), when=v.when_text(s, community_zone(ctx))
                ),
            ),
        )


async def create_session(
    ctx: Context,
    talk: Talk | None,
    title: str,
    speaker: Person,
    starts: datetime,
    minutes: int,
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
        minutes=minutes,
        where=where,
        room_id=ctx.room_id,
        created_by=ctx.person.id,
    )


async def upcoming(ctx: Context, args: dict[str, Any]) -> None:
    rows = (
        await Session.filter(community_id=ctx.community.id, status="scheduled")
        .order_by("starts_at")
        .limit(20)
    )
    await ctx.reply(v.upcoming_view([(s, await stats(s.id)) for s in rows], community_zone(ctx)))


async def _set_rsvp(ctx: Context, raw: object, answer: str) -> None:
    if answer not in v.ANSWERS:
        raise UserError(_("Answer going, maybe or no."))
    s = await get_session(ctx, raw)
    if s.status != "scheduled":
        raise UserError(_("Brown bag #{id} is not open for RSVPs any more.").format(id=s.id))
    changed = await Rsvp.filter(session_id=s.id, member_id=ctx.person.id).update(answer=answer)
    if not changed:
        try:
            await Rsvp.create(session_id=s.id, member_id=ctx.person.id, answer=answer)
        except IntegrityError:  # the same person, twice at once: the last answer wins
            await Rsvp.filter(session_id=s.id, member_id=ctx.person.id).update(answer=answer)
    await ctx.log(
        "brownbag.rsvp", ref=f"brownbag:session:{s.id}", text=answer, member=ctx.person.id
    )
    await refresh_announcement(ctx, s.id)
    if answer == "going":
        msg = _("You're going to “{title}”. I'll remind you 24 h and 15 min before.")
    elif answer == "maybe":
        msg = _("Noted: maybe for “{title}”.")
    else:
        msg = _("Noted: not going to “{title}”.")
    await ctx.reply(notice(msg.format(title=UserText(s.title)), "success"), private=True)


async def rsvp(ctx: Context, args: dict[str, Any]) -> None:
    await _set_rsvp(ctx, args["session"], args["answer"])


async def rsvp_action(ctx: Context, args: dict[str, Any]) -> None:
    sid, _sep, answer = str(args.get("id", "")).partition(":")
    await _set_rsvp(ctx, sid, answer)


async def reschedule(ctx: Context, args: dict[str, Any]) -> None:
    s = await get_session(ctx, args["session"])
    if s.status != "scheduled":
        raise UserError(_("Only a scheduled brown bag can be moved."))
    tz = _time_zone(ctx, args.get("tz"))
    starts = parse_future(args["at"], tz, ctx.now())
    minutes = _minutes(args.get("duration"), s.minutes)
    update: dict[str, Any] = {
        "starts_at": starts,
        "minutes": minutes,
        "sequence": F("sequence") + 1,
    }
    if args.get("where"):
        update["where"] = " ".join(str(args["where"]).split())[:500]
    if not await Session.filter(id=s.id, status="scheduled").update(**update):
        raise UserError(_("Only a scheduled brown bag can be moved."))
    s = await Session.get(id=s.id)
    await plan_jobs(ctx, s)
    await ctx.log(
        "brownbag.rescheduled",
        ref=f"brownbag:session:{s.id}",
        text=starts.isoformat(),
        member=ctx.person.id,
    )
    await refresh_announcement(ctx, s.id)
    zone_ = community_zone(ctx)
    for person in {s.speaker_id, *await rsvps(s.id, "going", "maybe")} - {ctx.person.id}:
        await ctx.send_private(person, v.moved_view(s, zone_))
    await ctx.reply(
        notice(
            _("Brown bag #{id} moved to {when}.").format(id=s.id, when=v.when_text(s, zone_)),
            "success",
        ),
        private=True,
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
    if s.talk_id is not None:  # type: ignore[attr-defined]
        await Talk.filter(id=s.talk_id, status="scheduled").update(status="open")  # type: ignore[attr-defined]
    await ctx.log("brownbag.cancelled", ref=f"brownbag:session:{s.id}", member=ctx.person.id)
    await refresh_announcement(ctx, s.id)
    zone_ = community_zone(ctx)
    told = {s.speaker_id, *await rsvps(s.id, "going", "maybe")} - {ctx.person.id}
    for person in sorted(told):
        await ctx.send_private(person, v.cancelled_view(s, zone_))
    await ctx.reply(
        notice(
            _("Brown bag #{id} is cancelled; {n} people were told.").format(id=s.id, n=len(told)),
            "success",
        ),
        private=True,
    )


async def change_speaker(ctx: Context, args: dict[str, Any]) -> None:
    s = await get_session(ctx, args["session"])
    speaker = await ctx.runtime.resolve_person(ctx, str(args["person"]))
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
    await ctx.log(
        "brownbag.speaker", ref=f"brownbag:session:{s.id}", text=speaker.id, member=ctx.person.id
    )
    await refresh_announcement(ctx, s.id)
    zone_ = community_zone(ctx)
    await ctx.send_private(
        speaker.id,
        View(
            title=_("You're speaking at a brown bag"),
            text=_("“{title}”, {when}.").format(
                title=UserText(s.title), when=v.when_text(s, zone_)
            ),
        ),
    )
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


async def ics(ctx: Context, args: dict[str, Any]) -> None:
    s = await get_session(ctx, args.get("session") or args.get("id"))
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


# After -----------------------------------------------------------------------------------------


async def finish(scope: Scope, s: Session, attendance: int | None = None) -> bool:
    """Mark a session done (once) and ask those who went for feedback."""
    going = await rsvps(s.id, "going")
    count = attendance if attendance is not None else len(set(going) - {s.speaker_id})
    if not await Session.filter(id=s.id, status="scheduled").update(
        status="done", done_at=scope.now(), attendance=count
    ):
        return False
    for job in (s.remind_day_job, s.remind_soon_job, s.end_job):
        if not isinstance(scope, JobContext) or job != scope.job_id:
            await scope.cancel_job(job)
    s = await Session.get(id=s.id)
    await scope.log("brownbag.done", ref=f"brownbag:session:{s.id}", text=str(count))
    await refresh_announcement(scope, s.id)
    for person in going:
        if person != s.speaker_id:
            await scope.send_private(person, v.feedback_prompt(s))
    await scope.activity_ended(Activity(scope.community, "brownbag", s.id, s.title, s.room_id))
    return True


async def done(ctx: Context, args: dict[str, Any]) -> None:
    s = await get_session(ctx, args["session"])
    if ctx.person.id != s.speaker_id:
        ctx.require(Role.CORE, "brownbag done", _("close someone else's brown bag"))
    attendance = args.get("attendance")
    if attendance is not None and not 0 <= attendance <= 100000:
        raise UserError(_("Attendance must be a number of people."))
    if s.status == "cancelled":
        raise UserError(_("Brown bag #{id} was cancelled.").format(id=s.id))
    if s.status == "done":
        if attendance is None:
            raise UserError(_("Brown bag #{id} is already done.").format(id=s.id))
        await Session.filter(id=s.id).update(attendance=attendance)
        await refresh_announcement(ctx, s.id)
    elif s.starts_at > ctx.now():
        raise UserError(_("Brown bag #{id} has not started yet.").format(id=s.id))
    else:
        await finish(ctx, s, attendance)
    await ctx.reply(
        notice(_("Brown bag #{id} is done. Thank you!").format(id=s.id), "success"), private=True
    )


async def _feedback(ctx: Context, raw: object, rating_raw: object, apply: str) -> None:
    s = await get_session(ctx, raw)
    rating = parse_rating(rating_raw)
    apply = check_apply(apply)
    if s.status != "done":
        raise UserError(_("Feedback opens when brown bag #{id} is done.").format(id=s.id))
    if ctx.person.id == s.speaker_id:
        raise UserError(_("Speakers don't rate their own talk."))
    updated = await Feedback.filter(session_id=s.id, member_id=ctx.person.id).update(
        rating=rating, apply=apply
    )
    if not updated:
        try:
            await Feedback.create(
                session_id=s.id, member_id=ctx.person.id, rating=rating, apply=apply
            )
        except IntegrityError:
            await Feedback.filter(session_id=s.id, member_id=ctx.person.id).update(
                rating=rating, apply=apply
            )
    await ctx.contribute("feedback", f"brownbag:session:{s.id}", str(rating))
    await refresh_announcement(ctx, s.id)
    msg = _("Thanks for your feedback!") if not updated else _("Your feedback was updated.")
    await ctx.reply(notice(msg, "success"), private=True)


async def feedback(ctx: Context, args: dict[str, Any]) -> None:
    await _feedback(ctx, args["session"], args["rating"], words(args.get("apply")))


async def feedback_action(ctx: Context, args: dict[str, Any]) -> None:
    sid, _sep, rating = str(args.get("id", "")).partition(":")
    await _feedback(ctx, sid, rating, str(args.get("apply") or ""))


async def links(ctx: Context, args: dict[str, Any]) -> None:
    s = await get_session(ctx, args["session"])
    if ctx.person.id != s.speaker_id:
        ctx.require(Role.CORE, "brownbag links", _("add links to someone else's talk"))
    update = {}
    if args.get("recording"):
        update["recording_url"] = check_link(args["recording"])
    if args.get("slides"):
        update["slides_url"] = check_link(args["slides"])
    if not update:
        raise UserError(_("Give --recording or --slides (or both)."))
    await Session.filter(id=s.id).update(**update)
    await ctx.log("brownbag.links", ref=f"brownbag:session:{s.id}", member=ctx.person.id)
    await refresh_announcement(ctx, s.id)
    await ctx.reply(
        notice(_("Links saved for brown bag #{id}.").format(id=s.id), "success"), private=True
    )


async def record(ctx: Context, args: dict[str, Any]) -> None:
    zone_ = community_zone(ctx)
    if not args.get("session"):
        rows = (
            await Session.filter(community_id=ctx.community.id, status="done")
            .order_by("-starts_at")
            .limit(20)
        )
        await ctx.reply(v.past_view([(s, await stats(s.id)) for s in rows], zone_))
        return
    s = await get_session(ctx, args["session"])
    applies = [
        a
        for a in await Feedback.filter(session_id=s.id)
        .order_by("id")
        .values_list("apply", flat=True)
        if a
    ]
    sections = await ctx.runtime.hooks.minutes_sections(
        Activity(ctx.community, "brownbag", s.id, s.title, s.room_id)
    )
    view = v.record_view(
        s, zone_, await stats(s.id), applies, [(x.title, x.text) for x in sections]
    )
    await ctx.reply(view)


# Timers ----------------------------------------------------------------------------------------


async def remind_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    s = await Session.get_or_none(id=payload.get("session"))
    which = payload.get("which")
    if s is None or s.status != "scheduled" or which not in ("day", "soon"):
        return
    if getattr(s, f"remind_{which}_job") != ctx.job_id:
        return  # rescheduled since: a newer job reminds
    zone_ = community_zone(ctx)
    await ctx.send_private(s.speaker_id, v.reminder_view(s, zone_, which, speaker=True))
    for person in await rsvps(s.id, "going"):
        if person != s.speaker_id:
            await ctx.send_private(person, v.reminder_view(s, zone_, which, speaker=False))


async def end_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    s = await Session.get_or_none(id=payload.get("session"))
    if s is None or s.status != "scheduled" or s.end_job != ctx.job_id:
        return
    await finish(ctx, s)
