"""Lean coffee state changes. Each one is stored before any view is shown.

Phases move proposing → voting → discussing → ended. Every transition of a session is a
conditional UPDATE on its ``step`` (so two facilitators, or a facilitator and a timer, cannot both
move on), and every timer job checks that it is still the session's ``timer_job``.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from copkit.core.context import Activity, Context, Scope
from copkit.core.errors import UserError
from copkit.core.i18n import _
from copkit.core.views import Button, ToRoom, UserText, View, notice

from . import logic
from .board import (
    BoardState,
    TopicCard,
    board_key,
    coalesced,
    render_board,
    render_thumbs,
    soon,
    thumbs_key,
)
from .models import (
    ACTION,
    CURRENT,
    DISCUSSED,
    DISCUSSING,
    ENDED,
    MAX_DOTS,
    MERGED,
    OPEN,
    PROPOSING,
    REMOVED,
    SKIPPED,
    TAKEAWAY,
    VOTING,
    WITHDRAWN,
    Note,
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
    """Show the board as stored now (coalesced: a burst of changes costs a render or two).

    With ``wait=False`` (dots, which come in bursts) the caller does not wait for the render when
    the messenger coalesces edits anyway: the board follows within that interval."""
    interval = scope.runtime.coalescer.interval
    if not wait and interval > 0:
        # A render without the request: it may run after the request was answered.
        bare = Scope(scope.runtime, scope.community, scope.room_id)
        soon(scope.runtime, ("board", session_id), _board_renderer(bare, session_id), interval)
        return
    await coalesced(scope.runtime, ("board", session_id), _board_renderer(scope, session_id))


def _board_renderer(scope: Scope, session_id: int):
    async def render() -> None:
        key = board_key(session_id)
        # Read and edit under the view lock: with several processes, the last edit is the latest.
        async with scope.runtime.view_lock(scope.community.id, key):
            s = await Session.get(id=session_id)
            view = render_board(await board_state(scope, s))
            await scope.show(view, key=key, target=ToRoom(s.room_id), coalesce=False)

    return render


async def refresh_thumbs(
    scope: Scope, session_id: int, round_: int, topic_id: int | None, outcome: str | None = None
) -> None:
    """Show the thumbs vote of ``round_`` (about topic ``topic_id``) as stored now."""

    async def render() -> None:
        key = thumbs_key(session_id, round_)
        async with scope.runtime.view_lock(scope.community.id, key):  # (see _board_renderer)
            await render_locked(key)

    async def render_locked(key: str) -> None:
        s = await Session.get(id=session_id)
        if outcome is None and not (s.thumbs_open and s.thumbs_round == round_):
            return  # closed meanwhile: the closing render shows the outcome
        votes = await Thumbs.filter(session_id=session_id, round=round_)
        count = logic.count_thumbs(v.value for v in votes)
        topic = await Topic.get_or_none(id=topic_id or 0)
        number, title = (topic.number, topic.title) if topic else (0, "")
        ends = s.thumbs_ends_at or scope.now()
        view = render_thumbs(session_id, round_, number, title, count, ends, zone(scope), outcome)
        await scope.show(view, key=key, target=ToRoom(s.room_id), coalesce=False)

    await coalesced(scope.runtime, ("thumbs", session_id, round_, outcome), render)


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


# Topics -------------------------------------------------------------------------------------


async def _new_number(session_id: int) -> int:
    last = (
        await Topic.filter(session_id=session_id)
        .order_by("-number")
        .limit(1)
        .values_list("number", flat=True)
    )
    return (last[0] if last else 0) + 1


async def propose(ctx: Context, s: Session, title: str | None, pitch: str | None) -> Topic:
    title = logic.check_title(title or "")
    pitch = logic.check_pitch(pitch)
    others = await Topic.filter(session_id=s.id, status__in=ON_BOARD).values_list("number", "title")
    similar = logic.similar_topic(title, others)
    for _attempt in range(10):
        number = await _new_number(s.id)
        try:
            t = await Topic.create(
                session_id=s.id,
                community_id=s.community_id,
                number=number,
                title=title,
                pitch=pitch,
                author=ctx.person.id,
                author_name=(ctx.person.name or ctx.person.id)[:200],
                similar_to=similar,
                created_at=ctx.now(),
            )
            break
        except IntegrityError:  # someone took that number at the same moment
            continue
    else:
        raise UserError(_("Many topics arrived at once; please try again."))
    await ctx.contribute("topic", f"leancoffee:topic:{t.id}", title)
    text = _("Added #{n} {title}.").format(n=t.number, title=UserText(title))
    if similar:
        text += " " + _(
            "It looks like #{m}; if it is the same, a facilitator can merge them: “leancoffee merge {n} {m}”."
        ).format(n=t.number, m=similar)
    await ctx.reply(notice(text, "warning" if similar else "success"), private=True)
    await refresh_board(ctx, s.id)
    return t


async def _own_open_topic(ctx: Context, s: Session, raw: Any, verb: str) -> Topic:
    t = await topic_by_number(s, raw)
    if t.author != ctx.person.id:
        raise UserError(_("Only the author of #{n} can {verb} it.").format(n=t.number, verb=verb))
    if s.phase != PROPOSING:
        raise UserError(_("Topics can only be changed until voting starts."))
    if t.status != OPEN:
        raise topic_gone(t)
    return t


async def edit(ctx: Context, s: Session, raw: Any, title: str | None, pitch: str | None) -> None:
    t = await _own_open_topic(ctx, s, raw, _("edit"))
    if not title and pitch is None:
        raise UserError(_("Give a new title, a new --pitch, or both."))
    changes: dict[str, Any] = {}
    if title:
        changes["title"] = logic.check_title(title)
    if pitch is not None:
        changes["pitch"] = logic.check_pitch(pitch)
    if not await Topic.filter(id=t.id, status=OPEN).update(**changes):
        raise topic_gone(await Topic.get(id=t.id))
    await ctx.reply(notice(_("#{n} updated.").format(n=t.number), "success"), private=True)
    await refresh_board(ctx, s.id)


async def withdraw(ctx: Context, s: Session, raw: Any) -> None:
    t = await _own_open_topic(ctx, s, raw, _("withdraw"))
    if not await Topic.filter(id=t.id, status=OPEN).update(status=WITHDRAWN):
        raise topic_gone(await Topic.get(id=t.id))
    await ctx.reply(notice(_("#{n} withdrawn.").format(n=t.number), "success"), private=True)
    await refresh_board(ctx, s.id)


async def merge(ctx: Context, s: Session, raw_from: Any, raw_into: Any) -> None:
    a = await topic_by_number(s, raw_from)
    b = await topic_by_number(s, raw_into)
    if a.id == b.id:
        raise UserError(_("A topic cannot be merged into itself."))
    if s.phase not in (PROPOSING, VOTING):
        raise UserError(_("Topics can only be merged before the discussion starts."))
    for t in (a, b):
        if t.status != OPEN:
            raise topic_gone(t)
    authors = [[b.author, b.author_name], *b.coauthors]
    for person in [[a.author, a.author_name], *a.coauthors]:
        if person[0] not in {p[0] for p in authors}:
            authors.append(person)
    async with in_transaction():
        if not await Topic.filter(id=a.id, status=OPEN).update(status=MERGED, merged_into=b.number):
            raise topic_gone(await Topic.get(id=a.id))
        if not await Topic.filter(id=b.id, status=OPEN).update(
            coauthors=authors[1:], pitch=b.pitch or a.pitch
        ):
            raise topic_gone(await Topic.get(id=b.id))
        await Vote.filter(topic_id=a.id).update(topic_id=b.id)
    await ctx.log(
        "leancoffee.merged", ref=f"leancoffee:topic:{a.id}", text=str(b.id), member=ctx.person.id
    )
    await announce(
        ctx,
        s,
        _("#{a} merged into #{b}: authors and dots combined.").format(a=a.number, b=b.number),
    )
    await refresh_board(ctx, s.id)


async def remove(ctx: Context, s: Session, raw: Any) -> None:
    t = await topic_by_number(s, raw)
    if t.status == CURRENT:
        raise UserError(
            _("#{n} is being discussed: use “leancoffee skip” instead.").format(n=t.number)
        )
    if t.status != OPEN:
        raise topic_gone(t)
    async with in_transaction():
        if not await Topic.filter(id=t.id, status=OPEN).update(status=REMOVED):
            raise topic_gone(await Topic.get(id=t.id))
        await Vote.filter(topic_id=t.id).delete()
    await ctx.log("leancoffee.removed", ref=f"leancoffee:topic:{t.id}", member=ctx.person.id)
    await announce(
        ctx, s, _("#{n} removed from the board; its dots are free again.").format(n=t.number)
    )
    await refresh_board(ctx, s.id)


# Voting -------------------------------------------------------------------------------------


async def open_voting(ctx: Context, s: Session) -> None:
    if s.phase == VOTING:
        raise UserError(_("Voting is already open."))
    if s.phase != PROPOSING:
        raise UserError(_("Voting is over."))
    if not await Topic.exists(session_id=s.id, status=OPEN):
        raise UserError(_("Add a topic first."))
    try:
        await transition(s, phase=VOTING)
    except Stale:
        raise UserError(_("Voting is already open.")) from None
    await ctx.log("leancoffee.voting", ref=f"leancoffee:session:{s.id}", member=ctx.person.id)
    await announce(
        ctx,
        s,
        _(
            "🗳 Voting is open: {n} dots each. Put them on the topics you most want to discuss."
        ).format(n=s.votes),
    )
    await refresh_board(ctx, s.id)


async def close_voting(ctx: Context, s: Session) -> None:
    if s.phase == PROPOSING:
        raise UserError(_("Voting hasn't opened yet: “leancoffee voting open”."))
    if s.phase != VOTING:
        raise UserError(_("Voting is already closed."))
    if not await advance(ctx, s, phase=DISCUSSING):
        raise UserError(_("Voting is already closed."))


_DOTS = " UNION ALL ".join(f"SELECT {i} AS dot" for i in range(MAX_DOTS))
# One statement places a dot: only while voting is open and the topic is open, on the member's
# lowest free dot index below the budget. The unique (session, member, dot) constraint settles two
# clicks of the same member at the same moment. On PostgreSQL the session row is share-locked, so
# closing the vote (an UPDATE of that row) waits for votes in flight and later ones see it closed.
_PLACE_DOT = f"""
INSERT INTO leancoffee_vote (session_id, topic_id, member, dot)
SELECT t.session_id, t.id, ?, d.dot
FROM leancoffee_topic t
JOIN leancoffee_session s ON s.id = t.session_id
JOIN ({_DOTS}) d ON d.dot < s.votes
WHERE t.id = ? AND t.community_id = ? AND t.status = 'open' AND s.phase = 'voting'
AND NOT EXISTS (
    SELECT 1 FROM leancoffee_vote v
    WHERE v.session_id = t.session_id AND v.member = ? AND v.dot = d.dot
)
ORDER BY d.dot
LIMIT 1{{lock}}
ON CONFLICT DO NOTHING
RETURNING session_id, dot,
    (SELECT t2.number FROM leancoffee_topic t2 WHERE t2.id = topic_id) AS number,
    (SELECT s2.votes FROM leancoffee_session s2 WHERE s2.id = session_id) AS votes,
    (SELECT COUNT(*) FROM leancoffee_vote v2
     WHERE v2.session_id = leancoffee_vote.session_id AND v2.member = ?
    ){{new_row}} AS used
"""
_TAKE_DOT = """
DELETE FROM leancoffee_vote WHERE id = (
    SELECT v.id FROM leancoffee_vote v
    JOIN leancoffee_session s ON s.id = v.session_id
    WHERE v.topic_id = ? AND v.member = ? AND s.phase = 'voting'
    ORDER BY v.dot DESC LIMIT 1{lock}
)
RETURNING dot
"""


def _dialect(query: str, conn: Any) -> str:
    # SQLite writes one at a time anyway, and its RETURNING subqueries see the new row;
    # PostgreSQL's see the table as it was before the statement.
    if conn.capabilities.dialect == "sqlite":
        return query.replace("{lock}", "").replace("{new_row}", "")
    n = itertools.count(1)
    query = query.replace("{lock}", " FOR SHARE OF s").replace("{new_row}", " + 1")
    return re.sub(r"\?", lambda _m: f"${next(n)}", query)


async def _rows(query: str, values: list[Any]) -> list[dict[str, Any]]:
    """Run ``query`` (``?`` placeholders) and return its rows, RETURNING rows included."""
    conn = connections.get("default")
    return await conn.execute_query_dict(_dialect(query, conn), values)


async def place_dot(community_id: int, topic_id: int, member: str) -> dict[str, Any] | None:
    """Store one dot of ``member`` on the topic. Returns the session id, the topic's number, the
    budget and the dots the member now uses; ``None`` when no dot could be placed."""
    for _attempt in range(3):
        # (the member as a parameter, not the new row's column: SQLite then uses the index)
        placed = await _rows(_PLACE_DOT, [member, topic_id, community_id, member, member])
        if placed:
            return placed[0]
        # Nothing placed: refused, or the same member's other click took that dot at the same
        # moment (the unique constraint said no); a second look tells them apart.
    return None


async def why_no_dot(community_id: int, topic_id: int, member: str) -> UserError:
    t = await Topic.get_or_none(id=topic_id, community_id=community_id)
    if t is None:
        return UserError(_("That topic no longer exists."))
    s = await Session.get(id=t.session_id)
    if s.phase == PROPOSING:
        return UserError(_("Voting hasn't opened yet."))
    if s.phase != VOTING:
        return UserError(_("Voting is closed."))
    if t.status != OPEN:
        err = topic_gone(t)
        if t.status == MERGED:
            err = UserError(err.message + " " + _("Vote for #{m} instead.").format(m=t.merged_into))
        return err
    return UserError(
        _(
            "You have used all your {n} dots. Take one back to move it: “leancoffee unvote <number>”."
        ).format(n=s.votes)
    )


async def vote(ctx: Context, topic_id: int) -> None:
    member = ctx.person.id
    # On PostgreSQL the dot and its log line share one commit (one disk flush instead of two);
    # SQLite commits cheaply and a transaction there only holds its single connection longer.
    one_commit = connections.get("default").capabilities.dialect != "sqlite"
    async with in_transaction() if one_commit else contextlib.nullcontext():
        row = await place_dot(ctx.community.id, topic_id, member)
        if row is not None:
            await ctx.contribute("vote", f"leancoffee:topic:{topic_id}")
    if row is None:
        raise await why_no_dot(ctx.community.id, topic_id, member)
    left = row["votes"] - row["used"]
    text = (
        _("● Dot on #{n}.").format(n=row["number"])
        + " "
        + (
            _("That was your last dot.")
            if left <= 0
            else _("1 dot left.")
            if left == 1
            else _("{k} dots left.").format(k=left)
        )
    )
    await ctx.reply(notice(text, "success"), private=True)
    await refresh_board(ctx, row["session_id"], wait=False)


async def unvote(ctx: Context, topic_id: int) -> None:
    t = await Topic.get_or_none(id=topic_id, community_id=ctx.community.id)
    if t is None:
        raise UserError(_("That topic no longer exists."))
    if not await _rows(_TAKE_DOT, [t.id, ctx.person.id]):
        s = await Session.get(id=t.session_id)
        if s.phase != VOTING:
            raise UserError(
                _("Voting is closed.") if s.phase != PROPOSING else _("Voting hasn't opened yet.")
            )
        raise UserError(_("You have no dot on #{n}.").format(n=t.number))
    await ctx.reply(
        notice(_("Dot taken back from #{n}.").format(n=t.number), "success"), private=True
    )
    await refresh_board(ctx, t.session_id, wait=False)


async def topic_id_in_room(ctx: Context, raw: Any) -> int:
    s = await need_session(ctx)
    return (await topic_by_number(s, raw)).id


# Discussion ---------------------------------------------------------------------------------


async def _schedule(scope: Scope, s: Session, ends_at: datetime) -> int:
    kind, delay = logic.timer_step((ends_at - scope.now()).total_seconds())
    return await scope.schedule(
        TIMER, scope.now() + timedelta(seconds=delay), {"session": s.id, "kind": kind}
    )


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
    spent = t.spent + (int((now - active_since).total_seconds()) if active_since else 0)
    rounds = [*t.thumbs, thumbs.as_list()] if thumbs else t.thumbs
    await Topic.filter(id=topic_id).update(status=status, spent=spent, order=order, thumbs=rounds)


async def _thumbs_now(s: Session) -> logic.ThumbsCount | None:
    if not s.thumbs_open:
        return None
    values = await Thumbs.filter(session_id=s.id, round=s.thumbs_round).values_list(
        "value", flat=True
    )
    return logic.count_thumbs(values)


async def advance(
    scope: Scope,
    s: Session,
    *,
    finish: str | None = None,
    phase: str | None = None,
    thumbs: logic.ThumbsCount | None = None,
) -> bool:
    """Close the current topic (as ``finish``) and start the top-ranked open one; end the session
    when none remains. Returns False when someone else moved first."""
    now = scope.now()
    if thumbs is None:
        thumbs = await _thumbs_now(s)
    if not await Topic.exists(session_id=s.id, status=OPEN):
        return await end(
            scope, s, thumbs=thumbs, finish=finish or DISCUSSED, reason=_("No topics left.")
        )
    old_topic, old_since, old_job, order = (
        s.current_topic,
        s.active_since,
        s.timer_job,
        s.discussed_count,
    )
    ends_at = now + timedelta(seconds=s.timebox)
    changes: dict[str, Any] = dict(
        ends_at=ends_at, active_since=now, paused_left=None, thumbs_open=False, thumbs_ends_at=None
    )
    if phase:
        changes["phase"] = phase
    if old_topic:
        changes["discussed_count"] = order + 1
    try:
        async with in_transaction():
            # The transition comes first: on PostgreSQL it locks the session row, so votes in
            # flight are in before the ranking below is read, and later ones find voting closed.
            await transition(s, **changes)
            dots = await dot_counts(s.id)
            ranked = logic.rank(await Topic.filter(session_id=s.id, status=OPEN), dots)
            if not ranked:
                raise NoTopic
            nxt = ranked[0]
            job = await _schedule(scope, s, ends_at)
            await Session.filter(id=s.id).update(current_topic=nxt.id, timer_job=job)
            s.current_topic, s.timer_job = nxt.id, job
            if old_topic:
                await _finish(s, old_topic, finish or DISCUSSED, now, old_since, order + 1, thumbs)
            await Topic.filter(id=nxt.id).update(status=CURRENT, started_at=now)
    except Stale:
        return False
    except NoTopic:  # the last open topic went away at the same moment (rolled back)
        fresh = await Session.get(id=s.id)
        return await end(
            scope, fresh, thumbs=thumbs, finish=finish or DISCUSSED, reason=_("No topics left.")
        )
    await scope.cancel_job(old_job)
    if s.thumbs_round and thumbs is not None:
        await refresh_thumbs(scope, s.id, s.thumbs_round, old_topic, _("moving on"))
    n = dots.get(nxt.id, 0)
    await announce(
        scope,
        s,
        _("☕ Now discussing #{n} {title} ({dots}): {time}, until {at}.").format(
            n=nxt.number,
            title=UserText(nxt.title),
            dots=logic.dots_text(n),
            time=logic.minutes_text(s.timebox),
            at=ends_at.astimezone(zone(scope)).strftime("%H:%M"),
        ),
    )
    await refresh_board(scope, s.id)
    return True


async def current_topic(s: Session) -> Topic:
    if s.phase != DISCUSSING or not s.current_topic:
        raise UserError(_("No topic is being discussed right now."))
    return await Topic.get(id=s.current_topic)


async def next_topic(ctx: Context, s: Session, *, skip: bool = False) -> None:
    if s.phase == PROPOSING:
        raise UserError(_("Open voting first: “leancoffee voting open”."))
    if s.phase == VOTING:
        if skip:
            raise UserError(_("No topic is being discussed right now."))
        return await close_voting(ctx, s)
    t = await current_topic(s)
    await ctx.log(
        "leancoffee.skip" if skip else "leancoffee.next",
        ref=f"leancoffee:topic:{t.id}",
        member=ctx.person.id,
    )
    if skip:
        await announce(ctx, s, _("⏭ #{n} skipped; it goes back to the backlog.").format(n=t.number))
    if not await advance(ctx, s, finish=SKIPPED if skip else DISCUSSED):
        raise UserError(_("The board moved on at the same moment; have a look at it."))


async def _retime(
    scope: Scope,
    s: Session,
    ends_at: datetime | None,
    *,
    topic: Topic | None = None,
    topic_changes: dict[str, Any] | None = None,
    **changes: Any,
) -> None:
    """Change the session's timer (a new job for ``ends_at``, or none) and state atomically."""
    old_job = s.timer_job
    async with in_transaction():
        job = await _schedule(scope, s, ends_at) if ends_at else None
        await transition(s, ends_at=ends_at, timer_job=job, **changes)
        if topic is not None and topic_changes:
            await Topic.filter(id=topic.id).update(**topic_changes)
    await scope.cancel_job(old_job)


def _next_extension(s: Session, t: Topic) -> int:
    ext = list(s.extensions or [])
    if t.extensions_used < len(ext):
        return ext[t.extensions_used]
    return ext[-1] if ext else 120


async def extend(ctx: Context, s: Session, seconds: int | None) -> None:
    t = await current_topic(s)
    if seconds is not None and not 30 <= seconds <= 3600:
        raise UserError(_("Extend by 30 seconds to 60 minutes."))
    ext = seconds or _next_extension(s, t)
    now = ctx.now()
    topic_changes: dict[str, Any] = {"extensions_used": t.extensions_used + 1}
    try:
        if s.thumbs_open:
            thumbs = await _thumbs_now(s)
            topic_changes["thumbs"] = [*t.thumbs, thumbs.as_list()] if thumbs else t.thumbs
            round_ = s.thumbs_round
            await _retime(
                ctx,
                s,
                now + timedelta(seconds=ext),
                topic=t,
                topic_changes=topic_changes,
                active_since=now,
                thumbs_open=False,
                thumbs_ends_at=None,
            )
            await refresh_thumbs(ctx, s.id, round_, t.id, _("extended by the facilitator"))
        elif s.paused_left is not None:
            await _retime(
                ctx, s, None, topic=t, topic_changes=topic_changes, paused_left=s.paused_left + ext
            )
        else:
            base = s.ends_at if s.ends_at and s.ends_at > now else now
            await _retime(
                ctx, s, base + timedelta(seconds=ext), topic=t, topic_changes=topic_changes
            )
    except Stale:
        raise UserError(_("The board moved on at the same moment; have a look at it.")) from None
    await ctx.log(
        "leancoffee.extend", ref=f"leancoffee:topic:{t.id}", text=str(ext), member=ctx.person.id
    )
    until = (
        _("paused")
        if s.paused_left is not None
        else _("until {at}").format(at=s.ends_at.astimezone(zone(ctx)).strftime("%H:%M"))
        if s.ends_at
        else ""
    )
    await announce(
        ctx,
        s,
        _("⏱ #{n} extended by {time}, {until}.").format(
            n=t.number, time=logic.minutes_text(ext), until=until
        ),
    )
    await refresh_board(ctx, s.id)


async def pause(ctx: Context, s: Session) -> None:
    t = await current_topic(s)
    if s.paused_left is not None:
        raise UserError(_("The timer is already paused."))
    if s.thumbs_open or s.ends_at is None:
        raise UserError(_("There is no running timer to pause."))
    now = ctx.now()
    left = max(0, int((s.ends_at - now).total_seconds()))
    spent = int((now - s.active_since).total_seconds()) if s.active_since else 0
    try:
        await _retime(
            ctx,
            s,
            None,
            topic=t,
            topic_changes={"spent": F("spent") + spent},
            paused_left=left,
            active_since=None,
        )
    except Stale:
        raise UserError(_("The board moved on at the same moment; have a look at it.")) from None
    await announce(
        ctx, s, _("⏸ Timer paused with {left} left.").format(left=logic.minutes_text(left))
    )
    await refresh_board(ctx, s.id)


async def resume(ctx: Context, s: Session) -> None:
    await current_topic(s)
    if s.paused_left is None:
        raise UserError(_("The timer is not paused."))
    now = ctx.now()
    ends_at = now + timedelta(seconds=s.paused_left)
    try:
        await _retime(ctx, s, ends_at, paused_left=None, active_since=now)
    except Stale:
        raise UserError(_("The board moved on at the same moment; have a look at it.")) from None
    await announce(
        ctx,
        s,
        _("▶ Timer running again, until {at}.").format(
            at=ends_at.astimezone(zone(ctx)).strftime("%H:%M")
        ),
    )
    await refresh_board(ctx, s.id)


# Timers -------------------------------------------------------------------------------------


async def on_timer(scope: Scope, job_id: int, payload: dict[str, Any]) -> None:
    """A timer job: heads-up, end of the timebox, or end of a thumbs vote. A job that is not the
    session's current one (the session ended, moved on or was re-timed) does nothing."""
    s = await Session.get_or_none(id=payload.get("session", 0))
    if s is None or s.phase != DISCUSSING or s.timer_job != job_id:
        log.info("stale lean coffee timer %s ignored", job_id)
        return
    kind = payload.get("kind")
    now = scope.now()
    if kind == "headsup" and s.ends_at and now < s.ends_at:
        t = await Topic.get(id=s.current_topic)
        try:
            await _retime(scope, s, s.ends_at)
        except Stale:
            return
        await announce(
            scope,
            s,
            _("⏳ One minute left on #{n} {title}.").format(n=t.number, title=UserText(t.title)),
            "warning",
        )
        return
    if kind in ("headsup", "end"):
        await time_up(scope, s)
    elif kind == "thumbs":
        await resolve_thumbs(scope, s, s.thumbs_round)


async def time_up(scope: Scope, s: Session) -> None:
    t = await Topic.get(id=s.current_topic)
    now = scope.now()
    if t.extensions_used >= len(s.extensions or []):
        await announce(
            scope,
            s,
            _("⏰ Time's up for #{n}. No extensions left: moving on.").format(n=t.number),
            "warning",
        )
        await advance(scope, s, finish=DISCUSSED)
        return
    round_ = s.thumbs_round + 1
    ends = now + timedelta(seconds=s.thumbs_window)
    spent = int((now - s.active_since).total_seconds()) if s.active_since else 0
    old_job = s.timer_job
    try:
        async with in_transaction():
            job = await scope.schedule(
                TIMER, ends, {"session": s.id, "kind": "thumbs", "round": round_}
            )
            await transition(
                s,
                thumbs_open=True,
                thumbs_round=round_,
                thumbs_ends_at=ends,
                ends_at=None,
                active_since=None,
                timer_job=job,
            )
            await Topic.filter(id=t.id).update(spent=F("spent") + spent)
    except Stale:
        return
    await scope.cancel_job(old_job)
    await refresh_thumbs(scope, s.id, round_, t.id)
    await refresh_board(scope, s.id)


async def thumbs_vote(ctx: Context, s: Session, round_: int, value: str) -> None:
    if value not in ("up", "neutral", "down"):
        raise UserError(_("Vote up, neutral or down."))
    if s.phase != DISCUSSING or not s.thumbs_open or s.thumbs_round != round_:
        raise UserError(_("That thumbs vote is over."))
    try:
        await Thumbs.create(
            session_id=s.id,
            round=round_,
            topic=s.current_topic or 0,
            member=ctx.person.id,
            value=value,
        )
    except IntegrityError:  # a change of mind
        await Thumbs.filter(session_id=s.id, round=round_, member=ctx.person.id).update(value=value)
    mark = {"up": "👍", "neutral": "✋", "down": "👎"}[value]
    await ctx.reply(notice(_("Got your {mark}.").format(mark=mark), "success"), private=True)
    voters = await Thumbs.filter(session_id=s.id, round=round_).values_list("member", flat=True)
    if logic.everyone_voted(await ctx.room_members(s.room_id), voters):
        await resolve_thumbs(ctx, s, round_)
    else:
        await refresh_thumbs(ctx, s.id, round_, s.current_topic)


async def resolve_thumbs(scope: Scope, s: Session, round_: int) -> None:
    """Close a thumbs vote once: extend on a majority of 👍 and ✋, else move on."""
    if s.phase != DISCUSSING or not s.thumbs_open or s.thumbs_round != round_:
        return
    count = await _thumbs_now(s) or logic.ThumbsCount()
    t = await Topic.get(id=s.current_topic)
    if count.keep_going and t.extensions_used < len(s.extensions or []):
        ext = s.extensions[t.extensions_used]
        now = scope.now()
        try:
            await _retime(
                scope,
                s,
                now + timedelta(seconds=ext),
                topic=t,
                topic_changes={
                    "extensions_used": t.extensions_used + 1,
                    "thumbs": [*t.thumbs, count.as_list()],
                },
                active_since=now,
                thumbs_open=False,
                thumbs_ends_at=None,
            )
        except Stale:
            return
        outcome = _("{time} more").format(time=logic.minutes_text(ext))
        await refresh_thumbs(scope, s.id, round_, t.id, outcome)
        await announce(
            scope,
            s,
            _("👍 The room keeps going on #{n}: {time} more, until {at}.").format(
                n=t.number,
                time=logic.minutes_text(ext),
                at=s.ends_at.astimezone(zone(scope)).strftime("%H:%M"),
            ),
        )
        await refresh_board(scope, s.id)
    else:
        await advance(scope, s, finish=DISCUSSED, thumbs=count)


# Capture ------------------------------------------------------------------------------------


async def add_note(
    ctx: Context,
    s: Session,
    kind: str,
    text: str | None,
    *,
    topic: Any = None,
    owner: str | None = None,
    due: str | None = None,
) -> Note:
    text = logic.check_note(text or "")
    due_date = logic.parse_due(due, today(ctx)) if kind == ACTION else None
    topic_row: Topic | None = None
    if topic not in (None, ""):
        topic_row = await topic_by_number(s, topic)
    elif s.current_topic:
        topic_row = await Topic.get_or_none(id=s.current_topic)
    else:
        topic_row = (
            await Topic.filter(session_id=s.id, order__not_isnull=True).order_by("-order").first()
        )
    owner_id = owner_name = None
    owner = (owner or "").strip()
    if kind == ACTION and owner:
        try:
            person = await ctx.runtime.resolve_person(ctx, owner)
            owner_id, owner_name = person.id, person.name or person.id
        except UserError:
            owner_id, owner_name = None, owner.removeprefix("@")[:200]
    n = await Note.create(
        session_id=s.id,
        community_id=s.community_id,
        topic=topic_row.id if topic_row else None,
        kind=kind,
        text=text,
        author=ctx.person.id,
        author_name=(ctx.person.name or ctx.person.id)[:200],
        owner=owner_id,
        owner_name=owner_name,
        due=due_date,
        created_at=ctx.now(),
    )
    await ctx.contribute(kind, f"leancoffee:{kind}:{n.id}", text)
    where = _(" on #{n}").format(n=topic_row.number) if topic_row else ""
    if kind == ACTION:
        text = _("📌 Action #{id} added{where}").format(id=n.id, where=where)
        if owner_name:
            text += " " + _("for {owner}").format(owner=UserText(owner_name))
        if due_date:
            text += ", " + _("due {due}").format(due=due_date.isoformat())
        text += "."
    elif kind == TAKEAWAY:
        text = _("💡 Takeaway added{where}.").format(where=where)
    else:
        text = _("📝 Note added{where}.").format(where=where)
    await ctx.reply(notice(text, "success"), private=True)
    return n


def action_line(a: Note, day: date | None = None) -> str:
    parts = [f"**#{a.id}** {UserText(a.text)}"]
    if a.owner_name:
        parts.append(f"@{UserText(a.owner_name)}")
    if a.due:
        parts.append(_("due {due}").format(due=a.due.isoformat()))
    if day:
        parts.append(_("from {day}").format(day=day.isoformat()))
    if a.done:
        parts.append(_("done ✅"))
    return "- " + " · ".join(parts)


async def show_open_actions(
    ctx: Context, *, announce_empty: bool = True, include_done: bool = False
) -> None:
    q = Note.filter(community_id=ctx.community.id, kind=ACTION)
    if not include_done:
        q = q.filter(done=False)
    rows = await q.order_by("id").limit(50).prefetch_related("session")
    if not rows:
        if announce_empty:
            await ctx.reply(notice(_("No open action items. 🎉")), private=True)
        return
    tz = zone(ctx)
    lines = [action_line(a, a.session.started_at.astimezone(tz).date()) for a in rows]
    buttons = [
        Button(f"leancoffee:done:{a.id}", _("Done #{id}").format(id=a.id))
        for a in rows
        if not a.done
    ][:10]
    title = _("Action items") if include_done else _("Open action items from earlier sessions")
    view = View(
        title=title,
        text="\n".join(lines),
        buttons=buttons,
        footer=_("Mark one done with “leancoffee done <number>”."),
    )
    if announce_empty:
        await ctx.reply(view, private=True)
    else:
        await ctx.show(view)


async def mark_done(ctx: Context, raw: Any) -> None:
    try:
        action_id = int(str(raw).strip().lstrip("#"))
    except ValueError:
        raise UserError(_("Give the action's number, e.g. 12.")) from None
    a = await Note.get_or_none(id=action_id, community_id=ctx.community.id, kind=ACTION)
    if a is None:
        raise UserError(_("There is no action #{id}.").format(id=action_id))
    if not await Note.filter(id=a.id, done=False).update(
        done=True, done_at=ctx.now(), done_by=ctx.person.id
    ):
        raise UserError(_("Action #{id} is already done.").format(id=a.id))
    await ctx.contribute("action.done", f"leancoffee:action:{a.id}")
    await ctx.reply(
        notice(_("✅ Action #{id} done: {text}").format(id=a.id, text=UserText(a.text)), "success")
    )


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
