"""A round's life: open, follow, close, post the results (its own job), moderate comments."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from copkit.core import outbox, series, store
from copkit.core.calendar_feed import CalendarEntry
from copkit.core.context import Activity, Context, JobContext, Scope
from copkit.core.errors import UserError
from copkit.core.hookspecs import hookimpl
from copkit.core.i18n import N_, _, ngettext
from copkit.core.models import Community
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.storage import scrub
from copkit.core.timezones import parse_future
from copkit.core.views import ToRoom, View, notice

from . import charts, closing, logic, report, views
from .models import OPEN, Respondent, Round, RoundDimension
from .routes import CLOSE_JOB, FORMAT, POST_JOB, REMIND_JOB, hc, results_key, round_key

DEFAULT_CLOSES_IN = timedelta(days=3)


def _activity(scope: Scope, r: Round) -> Activity:
    return Activity(
        scope.community, FORMAT, r.id, _("Health check #{n}").format(n=r.number), r.room_id
    )


async def refresh_announcement(scope: Scope, r: Round) -> None:
    """The round's announcement as the database holds it now (a live view: whoever refreshes
    it last, in whichever process, it ends on the latest state)."""

    async def render() -> View | None:
        now = await Round.get_or_none(id=r.id)
        if now is None:
            return None
        total = await RoundDimension.filter(round_id=r.id).count()
        n = await logic.respondents(r.id) if now.status == OPEN else now.responses
        return views.announcement(now, total, n, scope.zone)

    await scope.live(round_key(r.id), render, target=ToRoom(r.room_id))


async def answered(ctx: Context, r: Round, count: int | None) -> None:
    """After an answer: ``count`` is how many have responded if this member just became one.
    The public count moves only when its step changes, so nobody sees one person arrive, and
    nothing records who answered when (participation is told at the close)."""
    if count is not None and views.bucket(count, r.min_responses) != views.bucket(
        count - 1, r.min_responses
    ):
        await refresh_announcement(ctx, r)


async def grid_picture(scope: Scope) -> bytes | None:
    g = await logic.grid(scope.community.id)
    if not any(r.enough for r in g.rounds):
        return None
    tz = scope.zone
    cells = report.grid_cells(g.rounds, g.dimensions, g.tallies, g.asked)
    note = _(
        "Score 0–100: ● 67 and up · ▲ 34–66 · ■ 33 and below\n"
        "Framed: red two rounds running · –: too few answers"
    )
    if len(g.rounds) > charts.MAX_ROUNDS:
        note += " · " + _("the last {n} rounds").format(n=charts.MAX_ROUNDS)
    return await charts.render(
        charts.grid_png,
        [report.round_label(r, tz) for r in g.rounds],
        [title for _id, title in g.dimensions],
        cells,
        title=_("Health checks"),
        note=note,
    )


@hc.command(
    "start",
    help=N_("Open a health-check round."),
    args=(
        Arg("closes-in", N_("how long it stays open, e.g. 3d"), type="duration"),
        Arg("min-responses", N_("answers needed to show results (3 or more)"), type="int"),
        Arg("moderate", N_("hold the comments until the leader approves them"), type="flag"),
        series.EVERY,
        series.FIRST,
        series.ANNOUNCE,
    ),
    role=Role.CORE,
    words=N_("start a health check"),
)
async def start(ctx: Context, args: dict[str, Any]) -> None:
    closes_in = args.get("closes-in") or DEFAULT_CLOSES_IN
    min_responses = args.get("min-responses")
    min_responses = logic.MIN_RESPONSES if min_responses is None else min_responses
    if args.get("every"):
        await start_series(ctx, args, closes_in, min_responses)
        return

    async def timers(r: Round) -> None:
        r.close_job_id = await ctx.schedule(CLOSE_JOB, r.closes_at, {"round": r.id})
        remind = logic.reminder_at(r.opened_at, r.closes_at)
        if remind is not None:
            r.remind_job_id = await ctx.schedule(REMIND_JOB, remind, {"round": r.id})
        await r.save(update_fields=["close_job_id", "remind_job_id"])

    r = await logic.create_round(
        ctx.community.id,
        ctx.room_id,
        ctx.person.id,
        ctx.now(),
        closes_in,
        min_responses,
        timers,
        moderate=bool(args.get("moderate")),
    )
    await ctx.log("healthcheck.started", ref=round_key(r.id), member=ctx.person.id)
    await refresh_announcement(ctx, r)
    await ctx.activity_started(_activity(ctx, r))


async def finish(scope: Scope, r: Round, closer: str = "") -> None:
    """Close ``r`` (if still open); the results are posted by their own job, scheduled in the
    close's transaction, so a crash between the two still posts them."""
    respondents: list[str] = []

    async def post_later(closed: Round, members: list[str]) -> None:
        respondents.extend(members)
        await outbox.step(scope, POST_JOB, {"round": closed.id})

    closed = await closing.close(r.id, scope.now(), closer, post_later)
    if closed is None:
        return
    for job in (closed.remind_job_id, closed.close_job_id):
        if job and not (isinstance(scope, JobContext) and scope.job_id == job):
            await scope.cancel_job(job)
    await scope.log(
        "healthcheck.closed",
        ref=round_key(closed.id),
        text=_("{k} of {m} members answered").format(k=closed.responses, m=closed.members),
    )
    # Participation, told at the close, in no particular order and all at one time.
    random.SystemRandom().shuffle(respondents)
    for member in respondents:
        await scope.runtime.hooks.contribution(
            scope.community, member, "healthcheck.response", round_key(closed.id)
        )


@hc.job(POST_JOB)
async def job_post(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Post a closed round's results, once: every part is a keyed view, so a retry (or a second
    run after a crash) shows only what was not shown yet."""
    r = await Round.get_or_none(id=payload.get("round"))
    if r is None or r.status == OPEN:
        return
    await scrub(closing.TABLES)  # again, in case the process stopped before the first one
    await refresh_announcement(ctx, r)
    parts = await result_views(ctx, r)
    first = await ctx.view_ref(results_key(r.id)) is None
    for i, view in enumerate(parts):
        if await ctx.view_ref(results_key(r.id, i)) is None:
            await ctx.show(view, key=results_key(r.id, i), target=ToRoom(r.room_id))
    if first:
        await ctx.activity_ended(_activity(ctx, r))


async def result_views(scope: Scope, r: Round) -> list[View]:
    tz = scope.zone
    if r.status == OPEN:
        return [report.still_open(r, tz)]
    if not r.enough:
        members = await store.column(Respondent.filter(round_id=r.id), "member")
        return [report.not_enough(r, closing.others(list(members), r))]
    res = await logic.results(r)
    view, more = report.results(res, tz, await grid_picture(scope))
    return [view, *more]


async def show_results(scope: Scope, r: Round, target: Any) -> None:
    for view in await result_views(scope, r):
        await scope.show(view, target=target)


@hc.command(
    "close",
    help=N_("Close the open round now and show the results."),
    role=Role.CORE,
    words=N_("close a health check"),
)
async def close(ctx: Context, args: dict[str, Any]) -> None:
    r = await logic.open_round(ctx.community.id)
    if r is None:
        raise UserError(_("No health check is open."))
    await finish(ctx, r, ctx.person.id)


@hc.job(CLOSE_JOB)
async def job_close(ctx: JobContext, payload: dict[str, Any]) -> None:
    r = await Round.get_or_none(id=payload.get("round"))
    if r is None or r.status != OPEN or r.close_job_id != ctx.job_id:
        return  # closed already, or a stale timer
    await finish(ctx, r)


@hc.job(REMIND_JOB)
async def job_remind(ctx: JobContext, payload: dict[str, Any]) -> None:
    r = await Round.get_or_none(id=payload.get("round"))
    if r is None or r.status != OPEN or r.remind_job_id != ctx.job_id:
        return
    n = await logic.respondents(r.id)
    await ctx.show(
        views.reminder(r, n, ctx.zone, r.closes_at - ctx.now()), target=ToRoom(r.room_id)
    )


@hc.command("status", help=N_("How the open round is going."))
async def status(ctx: Context, args: dict[str, Any]) -> None:
    r = await logic.open_round(ctx.community.id)
    if r is None:
        last = await logic.latest_round(ctx.community.id)
        text = _("No health check is open.")
        if last is not None:
            text += " " + _("The last one was #{n}; see “healthcheck results”.").format(
                n=last.number
            )
        await ctx.reply(notice(text), private=True)
        return
    its = await logic.items(r.id)
    sheet = await logic.sheet(r.id, ctx.person.id)
    mine = sum(1 for it in its if it.id in sheet.answers and sheet.answers[it.id].colour)
    n = await logic.respondents(r.id)
    await ctx.reply(views.status(r, n, len(its), mine, ctx.zone, ctx.now()), private=True)


# Moderation -------------------------------------------------------------------------------------


async def _moderated(ctx: Context, number: int | None) -> Round:
    r = await logic.get_round(ctx.community.id, number)
    if r.status == OPEN:
        raise UserError(_("Comments can be reviewed once the round has closed."))
    if not r.enough:
        raise UserError(_("That round had too few answers: its comments were discarded unread."))
    return r


_ROUND_ARG = Arg("round", N_("the round number"), type="int")
_WHICH = Arg("which", N_("comment numbers, or all"), type="rest", positional=True, required=True)


@hc.command(
    "comments",
    help=N_("The comments waiting for your approval (only you see them)."),
    args=(_ROUND_ARG,),
    role=Role.CORE,
    words=N_("moderate health-check comments"),
)
async def comments(ctx: Context, args: dict[str, Any]) -> None:
    """The leader's private list of the comments waiting for approval (unattributed)."""
    r = await _moderated(ctx, args.get("round"))
    pending = await closing.held(r.id)
    if not pending:
        await ctx.reply(
            notice(_("No comment of health check #{n} waits for approval.").format(n=r.number)),
            private=True,
        )
        return
    lines = [f"{i}. {views.quote(text)}" for i, (_k, _id, text) in enumerate(pending, 1)]
    view = View(
        title=ngettext(
            "Health check #{n}: {k} comment waits for approval",
            "Health check #{n}: {k} comments wait for approval",
            len(pending),
        ).format(n=r.number, k=len(pending)),
        text="\n".join(lines)[:3500],
        footer=_("Only you see this. “healthcheck approve 1 3” or “all”; “reject” deletes."),
    )
    await ctx.reply(view, private=True)


async def _decide(ctx: Context, args: dict[str, Any], approve: bool) -> None:
    r = await _moderated(ctx, args.get("round"))
    which = [str(w) for w in args.get("which") or []]
    if not which:
        raise UserError(_("Which comments? Give their numbers, or “all”."))
    chosen = closing.pick(await closing.held(r.id), which)
    n = await closing.decide(r.id, chosen, approve)
    if approve:
        text = ngettext("{k} comment approved.", "{k} comments approved.", n)
    else:
        text = ngettext("{k} comment deleted.", "{k} comments deleted.", n)
    await ctx.log("healthcheck.moderated", ref=round_key(r.id), member=ctx.person.id)
    await ctx.reply(notice(text.format(k=n), "success"), private=True)
    # The posted results now show what was approved (edited in place).
    for i, view in enumerate(await result_views(ctx, r)):
        await ctx.show(view, key=results_key(r.id, i), target=ToRoom(r.room_id))


@hc.command(
    "approve",
    help=N_("Show held comments: healthcheck approve 1 3, or all."),
    args=(_WHICH, _ROUND_ARG),
    role=Role.CORE,
    words=N_("moderate health-check comments"),
)
async def approve(ctx: Context, args: dict[str, Any]) -> None:
    await _decide(ctx, args, True)


@hc.command(
    "reject",
    help=N_("Delete held comments: healthcheck reject 2, or all."),
    args=(_WHICH, _ROUND_ARG),
    role=Role.CORE,
    words=N_("moderate health-check comments"),
)
async def reject(ctx: Context, args: dict[str, Any]) -> None:
    await _decide(ctx, args, False)


# Every few months: a series of rounds, each opened by copkit at its time ---------------------


async def start_series(
    ctx: Context, args: dict[str, Any], closes_in: timedelta, min_responses: int
) -> None:
    logic.check_start(closes_in, min_responses)
    first = parse_future(args["first"], ctx.zone, ctx.now()) if args.get("first") else None
    s = await series.create(
        ctx,
        format=FORMAT,
        title=_("Health check"),
        every=str(args["every"]),
        at=first,
        minutes=int(min(closes_in, timedelta(days=1)).total_seconds() // 60),
        options={
            "closes_in": int(closes_in.total_seconds()),
            "min_responses": min_responses,
            "moderate": bool(args.get("moderate")),
        },
        announce=args.get("announce"),
    )
    dates = await series.next_dates(s, ctx.now(), 1)
    await ctx.reply(series.created_view(s, dates[0].starts_at if dates else None))


@hookimpl
async def copkit_series_occurrence(
    ctx: Context, occurrence: series.SeriesOccurrence, step: str
) -> bool | None:
    if occurrence.format != FORMAT or step != "open":
        return None
    o = occurrence.options
    try:
        await start(
            ctx,
            {
                "closes-in": timedelta(seconds=int(o.get("closes_in") or 0)) or None,
                "min-responses": o.get("min_responses"),
                "moderate": bool(o.get("moderate")),
            },
        )
        r = await Round.filter(community_id=ctx.community.id).order_by("-id").first()
        if r is not None:  # in the calendar once: as the series' date
            await series.made(occurrence, f"healthcheck-{r.id}@copkit")
    except UserError as exc:  # a round still open: said in the log
        await ctx.log(
            "healthcheck.not_opened", ref=f"series:{occurrence.series_id}", text=exc.message
        )
    return True


@hookimpl
async def copkit_calendar_entries(community: Community, since: datetime) -> list[CalendarEntry]:
    rows = await Round.filter(community_id=community.id, opened_at__gte=since).order_by("opened_at")
    return [
        CalendarEntry(
            uid=f"healthcheck-{r.id}@copkit",
            title=_("Health check #{n}").format(n=r.number),
            start=r.opened_at,
            end=r.closes_at,
            format=FORMAT,
        )
        for r in rows
    ]
