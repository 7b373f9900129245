"""After a brown bag: marking it done, feedback, links to the recording and slides, the record."""

from __future__ import annotations

from typing import Any

from copkit.core.context import Activity, Context, JobContext, Scope
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _
from copkit.core.links import check_link
from copkit.core.parsing import join_words
from copkit.core.ratings import check_apply, parse_rating
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.store import insert_if_absent
from copkit.core.views import View, notice

from . import views as v
from .format import FEEDBACK, bb, session_key
from .models import Feedback, Session
from .reading import get_session, refresh_announcement, rsvps, stats
from .sessions import SESSION


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
    await scope.log("brownbag.done", ref=session_key(s.id), text=str(count))
    await refresh_announcement(scope, s.id)
    for person in going:
        if person != s.speaker_id:
            await scope.send_private(person, v.feedback_prompt(s))
    await scope.activity_ended(Activity(scope.community, "brownbag", s.id, s.title, s.room_id))
    return True


@bb.command(
    "done",
    help=N_("Mark a brown bag done and ask for feedback."),
    args=(SESSION, Arg("attendance", N_("how many came"), type="int")),
)
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
    elif not await finish(ctx, s, attendance):
        raise UserError(_("Brown bag #{id} is already done.").format(id=s.id))
    await ctx.reply(
        notice(_("Brown bag #{id} is done. Thank you!").format(id=s.id), "success"), private=True
    )


@bb.command(
    "feedback",
    help=N_("Rate a brown bag 1–5 and say one thing you'll apply."),
    args=(
        SESSION,
        Arg("rating", N_("1 to 5"), positional=True, required=True),
        Arg("apply", N_("one thing you'll apply"), type="rest", positional=True),
    ),
    button=FEEDBACK,
)
async def feedback(ctx: Context, args: dict[str, Any]) -> None:
    """``brownbag feedback 3 5 …`` or the prompt's buttons and form: one rating per person,
    a second one replaces the first."""
    s = await get_session(ctx, args["session"])
    rating = parse_rating(args["rating"])
    apply = check_apply(join_words(args.get("apply")))
    if s.status != "done":
        raise UserError(_("Feedback opens when brown bag #{id} is done.").format(id=s.id))
    if ctx.person.id == s.speaker_id:
        raise UserError(_("Speakers don't rate their own talk."))
    mine = {"session_id": s.id, "member_id": ctx.person.id}
    created = await insert_if_absent(Feedback, **mine, rating=rating, apply=apply)
    if created is None:
        await Feedback.filter(**mine).update(rating=rating, apply=apply)
    await ctx.contribute("feedback", session_key(s.id), str(rating))
    await refresh_announcement(ctx, s.id)
    msg = _("Thanks for your feedback!") if created else _("Your feedback was updated.")
    await ctx.reply(notice(msg, "success"), private=True)


@bb.command(
    "links",
    help=N_("Add the recording and slides links."),
    args=(
        SESSION,
        Arg("recording", N_("link to the recording")),
        Arg("slides", N_("link to the slides")),
    ),
)
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
    await ctx.log("brownbag.links", ref=session_key(s.id), member=ctx.person.id)
    await refresh_announcement(ctx, s.id)
    await ctx.reply(
        notice(_("Links saved for brown bag #{id}.").format(id=s.id), "success"), private=True
    )


@bb.command(
    "record",
    help=N_("Show a brown bag's record, or all past ones."),
    args=(Arg("session", N_("the brown bag's number"), positional=True),),
)
async def record(ctx: Context, args: dict[str, Any]) -> None:
    if not args.get("session"):
        rows = (
            await Session.filter(community_id=ctx.community.id, status="done")
            .order_by("-starts_at")
            .limit(20)
        )
        await ctx.reply(v.past_view([(s, await stats(s.id)) for s in rows], ctx.zone))
        return
    s = await get_session(ctx, args["session"])
    await ctx.reply(await record_of(ctx, s))


async def record_of(scope: Scope, s: Session) -> View:
    """A brown bag's record, as the ``record`` command shows it (and the site)."""
    applies = [f.apply for f in await Feedback.filter(session_id=s.id).order_by("id") if f.apply]
    sections = await scope.services.hooks.minutes_sections(
        Activity(scope.community, "brownbag", s.id, s.title, s.room_id)
    )
    return v.record_view(
        s, scope.zone, await stats(s.id), applies, [(x.title, x.text) for x in sections]
    )


@bb.job("end")
async def end_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    s = await Session.get_or_none(id=payload.get("session"))
    if s is None or s.status != "scheduled" or s.end_job != ctx.job_id:
        return
    await finish(ctx, s)
