"""Lean coffee sessions: lookups, the board and thumbs views, start and end. Topics, voting,
discussion and capture are in their own modules. Each change is stored before any view is shown.

Phases move proposing → voting → discussing → ended. Every transition of a session is a
conditional UPDATE on its ``step`` (so two facilitators, or a facilitator and a timer, cannot both
move on), and every timer job checks that it is still the session's ``timer_job``.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from copkit.core.clock import seconds_between
from copkit.core.context import Activity, Context, Scope
from copkit.core.errors import UserError
from copkit.core.i18n import _
from copkit.core.views import ToRoom, UserText, View, notice

from . import logic
from .board import (
    BoardState,
    TopicCard,
    board_key,
    render_board,
    render_thumbs,
    thumbs_key,
)
from .models import (
    CURRENT,
    DISCUSSED,
    ENDED,
    MERGED,
    OPEN,
    REMOVED,
    SKIPPED,
    WITHDRAWN,
    Participant,
    Session,
    Thumbs,
    Topic,
    Vote,
)

log = logging.getLogger("copkit.leancoffee")

FORMAT = "leancoffee"
TIMER = "leancoffee.timer"
ON_BOARD = (OPEN, CURRENT, DISCUSSED, SKIPPED)


class Stale(Exception):
    """Someone (a person or a timer) changed the session first."""


class NoTopic(Exception):
    """No open topic is left to discuss."""


# Lookups ------------------------------------------------------------------------------------


def running_key(community_id: int, room_id: str) -> str:
    return f"{community_id}:{room_id}"[:320]


def zone(scope: Scope) -> tzinfo:
    try:
        return ZoneInfo(scope.community.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def today(scope: Scope) -> date:
    return scope.now().astimezone(zone(scope)).date()


def activity(scope: Scope, s: Session) -> Activity:
    return Activity(scope.community, FORMAT, s.id, s.title or _("Lean coffee"), s.room_id)


async def running_session(scope: Scope) -> Session | None:
    return await Session.get_or_none(running_key=running_key(scope.community.id, scope.room_id))


async def need_session(scope: Scope) -> Session:
    s = await running_session(scope)
    if s is None:
        raise UserError(
            _(
                "No lean coffee is running here. A facilitator can start one with “leancoffee start”."
            )
        )
    return s


async def session_by_id(scope: Scope, session_id: Any) -> Session:
    try:
        sid = int(session_id)
    except (TypeError, ValueError):
        raise UserError(_("That button no longer works.")) from None
    s = await Session.get_or_none(id=sid, community_id=scope.community.id)
    if s is None:
        raise UserError(_("That button no longer works."))
    if s.phase == ENDED:
        raise UserError(_("This lean coffee has ended."))
    return s


def topic_gone(t: Topic) -> UserError:
    """Why topic ``t`` cannot be voted on or changed any more."""
    n = t.number
    if t.status == WITHDRAWN:
        return UserError(_("#{n} was withdrawn.").format(n=n))
    if t.status == MERGED:
        return UserError(_("#{n} was merged into #{m}.").format(n=n, m=t.merged_into))
    if t.status == REMOVED:
        return UserError(_("#{n} was removed.").format(n=n))
    if t.status == CURRENT:
        return UserError(_("#{n} is being discussed.").format(n=n))
    return UserError(_("#{n} was already discussed.").format(n=n))


async def topic_by_number(s: Session, raw: Any) -> Topic:
    n = logic.topic_number(raw)
    t = await Topic.get_or_none(session_id=s.id, number=n)
    if t is None:
        raise UserError(_("There is no topic #{n}.").format(n=n))
    return t


async def dot_counts(session_id: int) -> dict[int, int]:
    rows = (
        await Vote.filter(session_id=session_id)
        .annotate(n=Count("id"))
        .group_by("topic_id")
        .values_list("topic_id", "n")
    )
    return {tid: n for tid, n in rows}


async def transition(s: Session, **changes: Any) -> None:
    """Apply ``changes`` if nobody changed the session since ``s`` was read; else raise Stale."""
    done = await Session.filter(id=s.id, step=s.step).update(step=s.step + 1, **changes)
    if not done:
        raise Stale
    s.step += 1
    for k, v in changes.items():
        setattr(s, k, v)


def facilitator(ctx: Context, command: str, words: str) -> None:
    """Buttons check the same (per-community configurable) role as the command they mirror."""
    from copkit.core.roles import Role

    ctx.require(Role.CORE, f"leancoffee {command}", words)


# Views --------------------------------------------------------------------------------------


# TopicCard's fields in order, but for the dots (last), which are counted separately.
_CARD_FIELDS = tuple(TopicCard.__dataclass_fields__)[:-1]


async def board_state(scope: Scope, s: Session) -> BoardState:
    # Plain values, not model objects: the board is read after every burst of changes.
    rows = (
        await Topic.filter(session_id=s.id, status__in=ON_BOARD)
        .order_by("number")
        .values_list(*_CARD_FIELDS)
    )
    dots = await dot_counts(s.id)
    cards = [TopicCard(*row, dots=dots.get(row[0], 0)) for row in rows]
    return BoardState(
        session_id=s.id,
        phase=s.phase,
        votes=s.votes,
        timebox=s.timebox,
        extensions=list(s.extensions or []),
        now=scope.now(),
        tz=zone(scope),
        title=s.title,
        topics=cards,
        ends_at=s.ends_at,
        paused_left=s.paused_left,
        thumbs_open=s.thumbs_open,
        thumbs_ends_at=s.thumbs_ends_at,
    )


async def refresh_board(scope: Scope, session_id: int, *, wait: bool = True) -> None:
    """Show the board as stored now: a live view (a burst of changes costs a render or two, and
    the board always ends on the latest state, across processes too). With ``wait=False`` (dots,
    which come in bursts) the caller does not wait for the render."""

    async def render() -> View:
        s = await Session.get(id=session_id)
        return render_board(await board_state(scope, s))

    s = await Session.get(id=session_id)
    await scope.live(board_key(session_id), render, target=ToRoom(s.room_id), wait=wait)


async def refresh_thumbs(
    scope: Scope, session_id: int, round_: int, topic_id: int | None, outcome: str | None = None
) -> None:
    """Show the thumbs vote of ``round_`` (about topic ``topic_id``) as stored now."""

    async def render() -> View | None:
        s = await Session.get(id=session_id)
        if outcome is None and not (s.thumbs_open and s.thumbs_round == round_):
            return None  # closed meanwhile: the closing render shows the outcome
        votes = await Thumbs.filter(session_id=session_id, round=round_)
        count = logic.count_thumbs(v.value for v in votes)
        topic = await Topic.get_or_none(id=topic_id or 0)
        number, title = (topic.number, topic.title) if topic else (0, "")
        ends = s.thumbs_ends_at or scope.now()
        return render_thumbs(session_id, round_, number, title, count, ends, zone(scope), outcome)

    s = await Session.get(id=session_id)
    await scope.live(thumbs_key(session_id, round_), render, target=ToRoom(s.room_id))


async def announce(scope: Scope, s: Session, text: str, tone: str = "info") -> None:
    await scope.show(notice(text, tone), target=ToRoom(s.room_id))  # type: ignore[arg-type]


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
    if await Session.exists(running_key=key):
        raise UserError(already)
    now = ctx.now()
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
    except IntegrityError:
        raise UserError(already) from None
    carried = await carry_over(s, now)
    await add_participants(s.id, await ctx.room_members())
    await ctx.log("leancoffee.started", ref=f"leancoffee:session:{s.id}", member=ctx.person.id)
    await refresh_board(ctx, s.id)
    if carried:
        await announce(
            ctx,
            s,
            _("↻ {n} topics carried over from the backlog are on the board.").format(n=carried)
            if carried > 1
            else _("↻ 1 topic carried over from the backlog is on the board."),
        )
    from .capture import show_open_actions

    await show_open_actions(ctx, announce_empty=False)
    await ctx.activity_started(activity(ctx, s))
    return s


async def carry_over(s: Session, now: datetime) -> int:
    """Move the community's backlog into session ``s`` (first come, first served: a topic is
    claimed with a conditional UPDATE, so two sessions starting at once never both take it)."""
    carried = 0
    for old in await Topic.filter(community_id=s.community_id, in_backlog=True).order_by("id"):
        async with in_transaction():
            if not await Topic.filter(id=old.id, in_backlog=True).update(in_backlog=False):
                continue
            carried += 1
            await Topic.create(
                session_id=s.id,
                community_id=s.community_id,
                number=carried,
                title=old.title,
                pitch=old.pitch,
                author=old.author,
                author_name=old.author_name,
                coauthors=old.coauthors,
                carried_over=True,
                origin=old.id,
                created_at=now,
            )
    return carried


async def add_participants(session_id: int, members: list[str]) -> None:
    """Record people the adapter reported present (a voice channel) as participants."""
    for member in members:
        try:
            await Participant.create(session_id=session_id, member=member[:200])
        except IntegrityError:
            pass


# Closing a topic (also when the session ends) -----------------------------------------------


async def _finish(
    s: Session,
    topic_id: int,
    status: str,
    now: datetime,
    active_since: datetime | None,
    order: int,
    thumbs: logic.ThumbsCount | None,
) -> None:
    t = await Topic.get(id=topic_id)
    spent = t.spent + seconds_between(active_since, now)
    rounds = [*t.thumbs, thumbs.as_list()] if thumbs else t.thumbs
    await Topic.filter(id=topic_id).update(status=status, spent=spent, order=order, thumbs=rounds)


async def _thumbs_now(s: Session) -> logic.ThumbsCount | None:
    if not s.thumbs_open:
        return None
    values = await Thumbs.filter(session_id=s.id, round=s.thumbs_round).values_list(
        "value", flat=True
    )
    return logic.count_thumbs(values)


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
    from .minutes import ensure_minutes, minutes_view

    now = scope.now()
    if thumbs is None:
        thumbs = await _thumbs_now(s)
    old_topic, old_since, old_job, order = (
        s.current_topic,
        s.active_since,
        s.timer_job,
        s.discussed_count,
    )
    round_open = s.thumbs_round if s.thumbs_open else 0
    try:
        async with in_transaction():
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
                await _finish(s, old_topic, finish, now, old_since, order + 1, thumbs)
            await Topic.filter(session_id=s.id, status__in=(OPEN, SKIPPED)).update(in_backlog=True)
    except Stale:
        return False
    await scope.cancel_job(old_job)
    if round_open:
        await refresh_thumbs(scope, s.id, round_open, old_topic, _("the session ended"))
    await scope.log("leancoffee.ended", ref=f"leancoffee:session:{s.id}")
    minutes = await ensure_minutes(scope, s)
    if reason:
        await announce(scope, s, reason + " " + _("This lean coffee has ended."), "success")
    await scope.show(minutes_view(minutes.data, s.id), target=ToRoom(s.room_id))
    await refresh_board(scope, s.id)
    await scope.activity_ended(activity(scope, s))
    return True


async def backlog(ctx: Context) -> None:
    rows = (
        await Topic.filter(community_id=ctx.community.id, in_backlog=True)
        .order_by("id")
        .prefetch_related("session")
    )
    if not rows:
        await ctx.reply(notice(_("The backlog is empty.")), private=True)
        return
    tz = zone(ctx)
    lines = [
        "- "
        + _("{title} (from {day})").format(
            title=UserText(t.title), day=t.session.started_at.astimezone(tz).date().isoformat()
        )
        for t in rows
    ]
    await ctx.reply(
        View(
            title=_("Lean coffee backlog"),
            text="\n".join(lines),
            footer=_("These topics are put on the board of the next lean coffee."),
        ),
        private=True,
    )
