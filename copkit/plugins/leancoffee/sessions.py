"""Lean coffee sessions: finding the one a request acts on, guarded transitions, and the live
board and thumbs views. Everything else in the format builds on this module.

Phases move proposing → voting → discussing → ended. Every transition of a session is a
conditional UPDATE on its ``step`` (so two facilitators, or a facilitator and a timer, cannot both
move on), and every timer job checks that it is still the session's ``timer_job``. The board's
buttons carry the step they were shown with: a press from an older board changes nothing.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from copkit.core import store
from copkit.core.clock import seconds_between
from copkit.core.context import Activity, Context, Scope
from copkit.core.errors import UserError
from copkit.core.i18n import _
from copkit.core.routes import StaleAction
from copkit.core.views import Tone, ToRoom, View, notice

from . import logic
from .board import BoardState, TopicCard, render_board, render_thumbs
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
)
from .routes import board_key, lc, thumbs_key

log = logging.getLogger("copkit.leancoffee")

ON_BOARD = (OPEN, CURRENT, DISCUSSED, SKIPPED)


class Stale(Exception):
    """Someone (a person or a timer) changed the session first."""


class NoTopic(Exception):
    """No open topic is left to discuss."""


# Lookups ------------------------------------------------------------------------------------


def running_key(community_id: int, room_id: str) -> str:
    return f"{community_id}:{room_id}"[:320]


def today(scope: Scope) -> date:
    return scope.now().astimezone(scope.zone).date()


def activity(scope: Scope, s: Session) -> Activity:
    return Activity(scope.community, lc.name, s.id, s.title or _("Lean coffee"), s.room_id)


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


async def session_of(ctx: Context, args: dict[str, Any]) -> Session:
    """The session a request acts on: the one a button or form names (``session``; refused once
    it ended, and when it carries a ``step`` the session has moved past), else the one running
    in the room (a command)."""
    if "session" not in args:
        return await need_session(ctx)
    s = await Session.get_or_none(id=args["session"], community_id=ctx.community.id)
    if s is None:
        raise StaleAction()
    if s.phase == ENDED:
        raise UserError(_("This lean coffee has ended."))
    if "step" in args and args["step"] != s.step:
        raise StaleAction()
    if "topic" in args and args["topic"] != (s.current_topic or 0):
        raise StaleAction()
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


_TOPIC_IN_ROOM = """
SELECT t.id FROM leancoffee_topic t JOIN leancoffee_session s ON s.id = t.session_id
WHERE s.running_key = ? AND t.number = ?
"""


async def topic_id_in_room(scope: Scope, raw: Any) -> int:
    """The id of topic number ``raw`` of the session running in the room, in one read (the
    reasons there is none take more)."""
    n = logic.topic_number(raw)
    found = await store.rows(_TOPIC_IN_ROOM, [running_key(scope.community.id, scope.room_id), n])
    if found:
        return int(found[0]["id"])
    return (await topic_by_number(await need_session(scope), n)).id


async def dot_counts(session_id: int) -> dict[int, int]:
    """Each topic's dots (the count the database keeps, not a count of the dots)."""
    rows = await Topic.filter(session_id=session_id, dot_count__gt=0).values_list("id", "dot_count")
    return {tid: n for tid, n in rows}


async def transition(s: Session, **changes: Any) -> None:
    """Apply ``changes`` if nobody changed the session since ``s`` was read; else raise Stale."""
    done = await Session.filter(id=s.id, step=s.step).update(step=s.step + 1, **changes)
    if not done:
        raise Stale
    s.step += 1
    for k, v in changes.items():
        setattr(s, k, v)


async def add_participants(session_id: int, members: list[str]) -> None:
    """Record people the adapter reported present (a voice channel) as participants."""
    for member in members:
        await store.insert_if_absent(Participant, session_id=session_id, member=member[:200])


# Closing a topic (when moving on, and when the session ends) ---------------------------------


async def finish_topic(
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


async def thumbs_now(s: Session) -> logic.ThumbsCount | None:
    """The count of the thumbs vote open now, if one is."""
    if not s.thumbs_open:
        return None
    values = await store.column(Thumbs.filter(session_id=s.id, round=s.thumbs_round), "value")
    return logic.count_thumbs(values)


# Views --------------------------------------------------------------------------------------


# TopicCard's fields in order, the dots (kept on the topic by the database) last.
_CARD_FIELDS = (*tuple(TopicCard.__dataclass_fields__)[:-1], "dot_count")


async def board_state(scope: Scope, s: Session) -> BoardState:
    # Plain values, not model objects: the board is read after every burst of changes.
    rows = (
        await Topic.filter(session_id=s.id, status__in=ON_BOARD)
        .order_by("number")
        .values_list(*_CARD_FIELDS)
    )
    cards = [TopicCard(*row) for row in rows]
    return BoardState(
        session_id=s.id,
        phase=s.phase,
        votes=s.votes,
        timebox=s.timebox,
        extensions=list(s.extensions or []),
        now=scope.now(),
        tz=scope.zone,
        title=s.title,
        topics=cards,
        ends_at=s.ends_at,
        paused_left=s.paused_left,
        thumbs_open=s.thumbs_open,
        thumbs_ends_at=s.thumbs_ends_at,
        step=s.step,
        current_topic=s.current_topic or 0,
    )


async def refresh_board(
    scope: Scope, session_id: int, *, wait: bool = True, room_id: str | None = None
) -> None:
    """Show the board as stored now: a live view (a burst of changes costs a render or two, and
    the board always ends on the latest state, across processes too). With ``wait=False`` (dots,
    which come in bursts) the caller does not wait for the render; ``room_id``, the session's
    room, when the caller knows it (saves reading the session)."""

    async def render() -> View:
        s = await Session.get(id=session_id)
        return render_board(await board_state(scope, s))

    if room_id is None:
        room_id = (await Session.get(id=session_id)).room_id
    await scope.live(board_key(session_id), render, target=ToRoom(room_id), wait=wait)


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
        return render_thumbs(session_id, round_, number, title, count, ends, scope.zone, outcome)

    s = await Session.get(id=session_id)
    await scope.live(thumbs_key(session_id, round_), render, target=ToRoom(s.room_id))


async def announce(scope: Scope, s: Session, text: str, tone: Tone = "info") -> None:
    await scope.show(notice(text, tone), target=ToRoom(s.room_id))
