"""Starting and ending a lean coffee, the backlog, and the board shown again. Topics, voting,
discussion and capture are in their own modules; sessions and the views in :mod:`.sessions`.
Each change is stored before any view is shown."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from copkit.core import series, store
from copkit.core.context import Context, Scope
from copkit.core.errors import UserError
from copkit.core.hookspecs import hookimpl
from copkit.core.i18n import N_, _, ngettext
from copkit.core.parsing import to_int
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.usertext import plain_text
from copkit.core.views import ToRoom, UserText, View, notice

from . import logic
from .board import render_board
from .capture import show_open_actions
from .minutes import ensure_minutes, minutes_view
from .models import DISCUSSED, ENDED, OPEN, SKIPPED, Session, Topic
from .recurring import start_series
from .routes import END, lc, ref
from .sessions import (
    Stale,
    activity,
    add_participants,
    announce,
    board_state,
    finish_topic,
    need_session,
    refresh_board,
    refresh_thumbs,
    running_key,
    session_of,
    thumbs_now,
    transition,
)

# Start --------------------------------------------------------------------------------------


async def start(
    ctx: Context,
    *,
    votes: int | None,
    timebox: timedelta | None,
    extensions: list[str] | None,
    window: timedelta | None,
    title: str | None,
) -> Session:
    votes = logic.check_votes(votes)
    seconds = logic.check_timebox(timebox)
    ext = logic.parse_extensions(extensions)
    window_s = logic.check_window(window)
    title = logic.clean(title)[:200]
    key = running_key(ctx.community.id, ctx.room_id)
    already = _("A lean coffee is already running here. End it first with “leancoffee end”.")
    now = ctx.now()
    # PostgreSQL: the session, the backlog carried onto its board, its participants and log
    # lines in one transaction, so one commit (one disk flush) before the board is shown.
    async with store.one_commit():
        try:
            s = await Session.create(
                community_id=ctx.community.id,
                room_id=ctx.room_id,
                running_key=key,
                title=title,
                votes=votes,
                timebox=seconds,
                extensions=ext,
                thumbs_window=window_s,
                started_by=ctx.person.id,
                started_at=now,
            )
        except IntegrityError:  # one is running here (or started at this very moment)
            raise UserError(already) from None
        carried = await carry_over(s, now)
        await add_participants(s.id, await ctx.room_members())
        await ctx.log("leancoffee.started", ref=ref("session", s.id), member=ctx.person.id)
        await ctx.activity_started(activity(ctx, s))
    await refresh_board(ctx, s.id, room_id=s.room_id)
    if carried:
        await announce(
            ctx,
            s,
            ngettext(
                "↻ {n} topic carried over from the backlog is on the board.",
                "↻ {n} topics carried over from the backlog are on the board.",
                carried,
            ).format(n=carried),
        )
    await show_open_actions(ctx, announce_empty=False)
    return s


BACKLOG_KEPT = 20
"""The most topics the community's backlog keeps (a board's worth): when a lean coffee ends with
more, the ones that waited longest leave it (one log line says how many)."""

_NEW_TOPIC = (
    "session_id, community_id, number, title, pitch, author, author_name, coauthors, status, "
    "carried_over, origin, in_backlog, spent, extensions_used, thumbs, created_at"
)
_CARRIED = (
    "?, ?, ROW_NUMBER() OVER (ORDER BY id), title, pitch, author, author_name, coauthors, "
    "'open', {true}, id, {false}, 0, 0, {empty}, ?"
)
# PostgreSQL: claim the backlog and copy it onto the new board in one statement (a concurrent
# start elsewhere in the community re-checks ``in_backlog`` on the rows it waited for, and skips
# them: first come, first served).
_CARRY_POSTGRES = (
    "WITH claimed AS (UPDATE leancoffee_topic SET in_backlog = false WHERE in_backlog = true AND "
    "id IN (SELECT id FROM leancoffee_topic WHERE community_id = ? AND in_backlog = true "
    "ORDER BY id DESC LIMIT ?) RETURNING id, title, pitch, author, author_name, coauthors) "
    f"INSERT INTO leancoffee_topic ({_NEW_TOPIC}) SELECT "
    + _CARRIED.format(true="true", false="false", empty="'[]'::jsonb")
    + " FROM claimed RETURNING 1"
)
# SQLite (one writer at a time): copy, then take the copied topics out of the backlog, in one
# transaction.
_CARRY_SQLITE = (
    f"INSERT INTO leancoffee_topic ({_NEW_TOPIC}) SELECT "
    + _CARRIED.format(true="1", false="0", empty="'[]'")
    + " FROM (SELECT id, title, pitch, author, author_name, coauthors FROM leancoffee_topic "
    "WHERE community_id = ? AND in_backlog = 1 ORDER BY id DESC LIMIT ?)"
)
_CLAIM_SQLITE = (
    "UPDATE leancoffee_topic SET in_backlog = 0 WHERE id IN "
    "(SELECT origin FROM leancoffee_topic WHERE session_id = ?)"
)
# (``in_backlog = true``, not ``in_backlog`` alone: SQLite's index serves only the former.)
_TRIM = (
    "UPDATE leancoffee_topic SET in_backlog = {false} WHERE community_id = ? AND "
    "in_backlog = {true} AND id < (SELECT id FROM leancoffee_topic WHERE community_id = ? AND "
    "in_backlog = {true} ORDER BY id DESC LIMIT 1 OFFSET ?)"
)


async def carry_over(s: Session, now: datetime) -> int:
    """Put the community's backlog (at most :data:`BACKLOG_KEPT` topics, in the order they
    came) on the board of session ``s``, which has no topics yet: copies of them, numbered from
    1, each naming the topic it came from (``origin``); the originals leave the backlog."""
    if store.is_sqlite():
        async with store.transaction():
            carried = await store.execute(
                _CARRY_SQLITE, [s.id, s.community_id, now, s.community_id, BACKLOG_KEPT]
            )
            if carried:
                await store.execute(_CLAIM_SQLITE, [s.id])
        return carried
    rows = await store.rows(
        _CARRY_POSTGRES, [s.community_id, BACKLOG_KEPT, s.id, s.community_id, now]
    )
    return len(rows)


def trim_query() -> str:
    return _TRIM.format(**({"true": "1", "false": "0"} if store.is_sqlite() else BOOLS))


BOOLS = {"true": "true", "false": "false"}


async def trim_backlog(community_id: int) -> int:
    """Keep the :data:`BACKLOG_KEPT` newest topics of the backlog; the number that left it."""
    query = trim_query()
    return await store.execute(query, [community_id, community_id, BACKLOG_KEPT - 1])


# End ----------------------------------------------------------------------------------------


async def end(
    scope: Scope,
    s: Session,
    *,
    thumbs: logic.ThumbsCount | None = None,
    finish: str = DISCUSSED,
    reason: str = "",
) -> bool:
    """End the session: close the current topic, send undiscussed topics to the backlog, store
    and post the minutes. Returns False if it had ended already."""
    now = scope.now()
    if thumbs is None:
        thumbs = await thumbs_now(s)
    old_topic, old_since, old_job, order = (
        s.current_topic,
        s.active_since,
        s.timer_job,
        s.discussed_count,
    )
    round_open = s.thumbs_round if s.thumbs_open else 0
    try:
        async with store.transaction():
            await transition(
                s,
                phase=ENDED,
                running_key=None,
                ended_at=now,
                current_topic=None,
                ends_at=None,
                paused_left=None,
                active_since=None,
                timer_job=None,
                thumbs_open=False,
                thumbs_ends_at=None,
                discussed_count=order + (1 if old_topic else 0),
            )
            if old_topic:
                await finish_topic(old_topic, finish, now, old_since, order + 1, thumbs)
            await Topic.filter(session_id=s.id, status__in=(OPEN, SKIPPED)).update(in_backlog=True)
            trimmed = await trim_backlog(s.community_id)
    except Stale:
        return False
    await scope.cancel_job(old_job)
    if round_open:
        await refresh_thumbs(scope, s.id, round_open, old_topic, _("the session ended"))
    await scope.log("leancoffee.ended", ref=ref("session", s.id))
    if trimmed:
        await scope.log("leancoffee.backlog_trimmed", ref=ref("session", s.id), text=str(trimmed))
    minutes = await ensure_minutes(scope, s)
    if reason:
        await announce(scope, s, reason + " " + _("This lean coffee has ended."), "success")
    await scope.show(minutes_view(minutes.data, s.id), target=ToRoom(s.room_id))
    await refresh_board(scope, s.id)
    await scope.activity_ended(activity(scope, s))
    return True


PRUNE_AGE = 3
"""A backlog topic carried over this many lean coffees without being discussed is offered for pruning."""


async def backlog_rows(community_id: int) -> list[tuple[Topic, int]]:
    """The backlog in order, each topic with how many lean coffees it has already waited."""
    rows = (
        await Topic.filter(community_id=community_id, in_backlog=True)
        .order_by("id")
        .prefetch_related("session")
    )
    ages = {t.id: 1 for t in rows}
    # Follow the carried-over chain one level per query (``origin`` is the topic it came from).
    back = {t.id: t.origin for t in rows if t.origin}
    hops = 0
    while back and hops < 50:
        hops += 1
        for tid in back:
            ages[tid] += 1
        found = dict(await Topic.filter(id__in=set(back.values())).values_list("id", "origin"))
        back = {tid: found[o] for tid, o in back.items() if found.get(o)}
    return [(t, ages[t.id]) for t in rows]


async def backlog(ctx: Context) -> None:
    rows = await backlog_rows(ctx.community.id)
    if not rows:
        await ctx.reply(notice(_("The backlog is empty.")), private=True)
        return
    tz = ctx.zone
    lines = []
    for i, (t, age) in enumerate(rows, 1):
        day = t.session.started_at.astimezone(tz).date().isoformat()
        line = f"{i}. " + _("{title} (from {day})").format(title=UserText(t.title), day=day)
        if age >= PRUNE_AGE:
            line += " · " + ngettext(
                "waited {n} lean coffee", "waited {n} lean coffees", age
            ).format(n=age)
        lines.append(line)
    old = sum(1 for _t, age in rows if age >= PRUNE_AGE)
    footer = _("These topics are put on the board of the next lean coffee.")
    if old:
        footer += " " + ngettext(
            "{n} topic has waited {age} lean coffees or more: “leancoffee backlog drop old” "
            "removes it.",
            "{n} topics have waited {age} lean coffees or more: “leancoffee backlog drop old” "
            "removes them.",
            old,
        ).format(n=old, age=PRUNE_AGE)
    await ctx.reply(
        View(title=_("Lean coffee backlog"), text="\n".join(lines), footer=footer),
        private=True,
    )


async def drop_from_backlog(ctx: Context, which: str) -> None:
    """Take topics out of the backlog: by their numbers in the list, or the old ones."""
    rows = await backlog_rows(ctx.community.id)
    if not rows:
        raise UserError(_("The backlog is empty."))
    which = which.strip().lower()
    if which in ("old", _("old").lower()):
        chosen = [t for t, age in rows if age >= PRUNE_AGE]
        if not chosen:
            raise UserError(_("No topic has waited {age} lean coffees yet.").format(age=PRUNE_AGE))
    else:
        numbers: list[int] = []
        for part in which.replace(",", " ").split():
            n = to_int(part)
            if n is None or not 1 <= n <= len(rows):
                raise UserError(
                    _("Give numbers from the backlog list (1 to {n}), or “old”.").format(
                        n=len(rows)
                    )
                )
            numbers.append(n)
        if not numbers:
            raise UserError(_("Say which topics: numbers from “leancoffee backlog”, or “old”."))
        chosen = [rows[n - 1][0] for n in sorted(set(numbers))]
    dropped = await Topic.filter(id__in=[t.id for t in chosen], in_backlog=True).update(
        in_backlog=False
    )
    for t in chosen:
        await ctx.log("leancoffee.backlog_dropped", ref=ref("topic", t.id), member=ctx.person.id)
    await ctx.reply(
        notice(
            ngettext(
                "{n} topic taken out of the backlog.",
                "{n} topics taken out of the backlog.",
                dropped,
            ).format(n=dropped),
            "success",
        ),
        private=True,
    )


# Commands -----------------------------------------------------------------------------------


@lc.command(
    "start",
    help=N_("Start a lean coffee in this room."),
    args=(
        Arg("votes", N_("dots per person (default 2)"), type="int"),
        Arg("timebox", N_("minutes per topic (default 8)"), type="duration"),
        Arg("extensions", N_("extensions in minutes (default 4,2; none for none)"), type="list"),
        Arg("thumbs", N_("thumbs vote window (default 60s)"), type="duration"),
        Arg("title", N_("a title for the minutes"), max_length=200),
        series.EVERY,
        series.FIRST,
        series.ANNOUNCE,
    ),
    role=Role.CORE,
    words=N_("start a lean coffee"),
)
async def start_session(ctx: Context, args: dict[str, Any]) -> None:
    if args.get("every"):
        await start_series(ctx, args)
        return
    await start(
        ctx,
        votes=args.get("votes"),
        timebox=args.get("timebox"),
        extensions=args.get("extensions"),
        window=args.get("thumbs"),
        title=args.get("title"),
    )


@lc.command(
    "end",
    help=N_("End the lean coffee and post the minutes."),
    role=Role.CORE,
    words=N_("end a lean coffee"),
    button=END,
)
async def end_session(ctx: Context, args: dict[str, Any]) -> None:
    if not await end(ctx, await session_of(ctx, args)):
        raise UserError(_("This lean coffee has ended."))


@lc.command("backlog", help=N_("List topics waiting for the next lean coffee."))
async def show_backlog(ctx: Context, args: dict[str, Any]) -> None:
    await backlog(ctx)


@lc.command(
    "backlog",
    "drop",
    help=N_("Take topics out of the backlog (their numbers in the list, or “old”)."),
    args=(
        Arg(
            "which",
            N_("numbers from the backlog list, or old"),
            type="rest",
            positional=True,
            required=True,
        ),
    ),
    role=Role.CORE,
    words=N_("prune the backlog"),
)
async def drop_backlog(ctx: Context, args: dict[str, Any]) -> None:
    await drop_from_backlog(ctx, " ".join(plain_text(str(w)) for w in args["which"]))


@lc.command("board", help=N_("Show the board to you again."))
async def show_board(ctx: Context, args: dict[str, Any]) -> None:
    s = await need_session(ctx)
    await ctx.reply(render_board(await board_state(ctx, s)), private=True)


# A series' date, opened by copkit -------------------------------------------------------

log = logging.getLogger("copkit.leancoffee")


def _delta(seconds: object) -> timedelta | None:
    return timedelta(seconds=seconds) if isinstance(seconds, int) else None


@hookimpl
async def copkit_series_occurrence(
    ctx: Context, occurrence: series.SeriesOccurrence, step: str
) -> bool | None:
    if occurrence.format != lc.name or step != "open":
        return None
    o = occurrence.options
    try:
        s = await start(
            ctx,
            votes=o.get("votes"),
            timebox=_delta(o.get("timebox")),
            extensions=o.get("extensions"),
            window=_delta(o.get("thumbs")),
            title=o.get("title") or occurrence.title,
        )
    except UserError as exc:  # e.g. one still running in that room: said in the log
        log.info("series %s: lean coffee not opened: %s", occurrence.series_id, exc.message)
        await ctx.log(
            "leancoffee.not_opened", ref=f"series:{occurrence.series_id}", text=exc.message
        )
        return True
    log.info("series %s: lean coffee %s opened", occurrence.series_id, s.id)
    await series.made(occurrence, f"leancoffee-{s.id}@copkit")  # in the calendar once
    return True
