"""Lean coffee dot voting: opened and closed by the facilitator; each dot is placed (or taken
back) by one conditional statement, by command, by the board's choices or by a topic's button."""

from __future__ import annotations

from typing import Any

from copkit.core import store
from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _, ngettext
from copkit.core.roles import Role
from copkit.core.routes import parse_int
from copkit.core.specs import Arg
from copkit.core.views import notice
from copkit.core.writer import Write

from .board import render_board, your_dots
from .models import (
    DISCUSSING,
    MAX_DOTS,
    MERGED,
    OPEN,
    PROPOSING,
    VOTING,
    Session,
    Topic,
    Vote,
)
from .routes import (
    MY_DOTS,
    UNVOTE,
    UNVOTE_PICK,
    VOTE,
    VOTE_PICK,
    VOTING_CLOSE,
    VOTING_OPEN,
    lc,
    ref,
)
from .sessions import (
    Stale,
    announce,
    board_state,
    refresh_board,
    session_of,
    topic_gone,
    topic_id_in_room,
    transition,
)
from .timebox import advance

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
    await ctx.log("leancoffee.voting", ref=ref("session", s.id), member=ctx.person.id)
    await announce(
        ctx,
        s,
        ngettext(
            "🗳 Voting is open: {n} dot each. Put it on the topic you most want to discuss.",
            "🗳 Voting is open: {n} dots each. Put them on the topics you most want to discuss.",
            s.votes,
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
LIMIT 1{{lock:s}}
ON CONFLICT DO NOTHING
RETURNING session_id, dot,
    (SELECT t2.number FROM leancoffee_topic t2 WHERE t2.id = topic_id) AS number,
    (SELECT s2.votes FROM leancoffee_session s2 WHERE s2.id = session_id) AS votes,
    (SELECT s3.room_id FROM leancoffee_session s3 WHERE s3.id = session_id) AS room_id,
    (SELECT COUNT(*) FROM leancoffee_vote v2
     WHERE v2.session_id = leancoffee_vote.session_id AND v2.member = ?
    ){{new_row}} AS used
"""
_TAKE_DOT = """
DELETE FROM leancoffee_vote WHERE id = (
    SELECT v.id FROM leancoffee_vote v
    JOIN leancoffee_session s ON s.id = v.session_id
    JOIN leancoffee_topic t ON t.id = v.topic_id
    WHERE v.topic_id = ? AND v.member = ? AND t.community_id = ? AND s.phase = 'voting'
    ORDER BY v.dot DESC LIMIT 1{lock:s}
)
RETURNING session_id, dot,
    (SELECT t2.number FROM leancoffee_topic t2 WHERE t2.id = topic_id) AS number,
    (SELECT s2.room_id FROM leancoffee_session s2 WHERE s2.id = session_id) AS room_id
"""
# Why a dot was neither placed nor taken back: the topic, its session's phase and budget, and
# the dots the member uses, in one read.
_WHY = """
SELECT t.number, t.status, t.merged_into, s.phase, s.votes,
    (SELECT COUNT(*) FROM leancoffee_vote v WHERE v.session_id = s.id AND v.member = ?) AS used
FROM leancoffee_topic t
JOIN leancoffee_session s ON s.id = t.session_id
WHERE t.id = ? AND t.community_id = ?
"""
PLACE_TRIES = 3
"""A dot is tried again while the member still has one free: the same member's other click took
the dot picked at the same moment (the unique constraint said no)."""


def place_dot(community_id: int, topic_id: int, member: str) -> Write:
    """One dot of ``member`` on the topic, as a write whose row (if a dot was placed) gives the
    session id and room, the topic's number, the budget and the dots the member now uses."""
    # (the member as a parameter, not the new row's column: SQLite then uses the index).
    return Write(_PLACE_DOT, (member, topic_id, community_id, member, member))


async def _why(community_id: int, topic_id: int, member: str) -> dict[str, Any] | None:
    found = await store.rows(_WHY, [member, topic_id, community_id])
    return found[0] if found else None


def _phase_error(phase: str) -> UserError | None:
    if phase == PROPOSING:
        return UserError(_("Voting hasn't opened yet."))
    if phase != VOTING:
        return UserError(_("Voting is closed."))
    return None


async def why_no_dot(community_id: int, topic_id: int, member: str) -> UserError | None:
    """Why no dot was placed; ``None`` when the member still has one free (try again)."""
    why = await _why(community_id, topic_id, member)
    if why is None:
        return UserError(_("That topic no longer exists."))
    err = _phase_error(why["phase"])
    if err is not None:
        return err
    if why["status"] != OPEN:
        t = Topic(number=why["number"], status=why["status"], merged_into=why["merged_into"])
        err = topic_gone(t)
        if t.status == MERGED:
            err = UserError(err.message + " " + _("Vote for #{m} instead.").format(m=t.merged_into))
        return err
    if why["used"] < why["votes"]:
        return None
    return UserError(
        ngettext(
            "You have used your {n} dot. Take it back to move it: “leancoffee unvote <number>”.",
            "You have used all your {n} dots. Take one back to move it: “leancoffee unvote <number>”.",
            why["votes"],
        ).format(n=why["votes"])
    )


async def vote(ctx: Context, topic_id: int) -> None:
    member = ctx.person.id
    # The dot and its log line: one transaction, one trip to the database; refused, one read
    # more says why.
    for _attempt in range(PLACE_TRIES):
        placed = await ctx.write(
            place_dot(ctx.community.id, topic_id, member),
            contribution=("vote", ref("topic", topic_id)),
        )
        if placed:
            break
        err = await why_no_dot(ctx.community.id, topic_id, member)
        if err is not None:
            raise err
    else:
        raise UserError(_("Too many clicks at once. Try again."))
    row = placed[0]
    left = row["votes"] - row["used"]
    text = (
        _("● Dot on #{n}.").format(n=row["number"])
        + " "
        + (
            _("That was your last dot.")
            if left <= 0
            else ngettext("{k} dot left.", "{k} dots left.", left).format(k=left)
        )
    )
    await ctx.reply(notice(text, "success"), private=True)
    await refresh_board(ctx, row["session_id"], wait=False, room_id=row["room_id"])


async def unvote(ctx: Context, topic_id: int) -> None:
    taken = await ctx.write(Write(_TAKE_DOT, (topic_id, ctx.person.id, ctx.community.id)))
    if not taken:
        why = await _why(ctx.community.id, topic_id, ctx.person.id)
        if why is None:
            raise UserError(_("That topic no longer exists."))
        raise _phase_error(why["phase"]) or UserError(
            _("You have no dot on #{n}.").format(n=why["number"])
        )
    row = taken[0]
    await ctx.reply(
        notice(_("Dot taken back from #{n}.").format(n=row["number"]), "success"), private=True
    )
    await refresh_board(ctx, row["session_id"], wait=False, room_id=row["room_id"])


def _picked(args: dict[str, Any]) -> int:
    """The topic picked in one of the board's choices."""
    topic_id = parse_int((args.get("selected") or [None])[0])
    if topic_id is None:
        raise UserError(_("Pick a topic."))
    return topic_id


# Commands, the board's buttons and choices --------------------------------------------------

_TOPIC = Arg("topic", N_("the topic's number"), positional=True, required=True)


@lc.command(
    "voting",
    "open",
    help=N_("Open dot voting."),
    role=Role.CORE,
    words=N_("open voting"),
    button=VOTING_OPEN,
)
async def voting_open(ctx: Context, args: dict[str, Any]) -> None:
    await open_voting(ctx, await session_of(ctx, args))


@lc.command(
    "voting",
    "close",
    help=N_("Close voting and start the top topic."),
    role=Role.CORE,
    words=N_("close voting"),
    button=VOTING_CLOSE,
)
async def voting_close(ctx: Context, args: dict[str, Any]) -> None:
    await close_voting(ctx, await session_of(ctx, args))


@lc.command(
    "vote",
    help=N_("Put one of your dots on a topic."),
    args=(_TOPIC,),
    words=N_("vote on topics"),
    button=VOTE,
)
async def vote_cmd(ctx: Context, args: dict[str, Any]) -> None:
    """A dot on the topic typed (its number), or on a topic's button (its id)."""
    if "topic_id" in args:
        await vote(ctx, args["topic_id"])
    else:
        await vote(ctx, await topic_id_in_room(ctx, args["topic"]))


@lc.button(VOTE_PICK, mirrors="vote")
async def vote_picked(ctx: Context, args: dict[str, Any]) -> None:
    await vote(ctx, _picked(args))


@lc.command(
    "unvote",
    help=N_("Take one of your dots back from a topic."),
    args=(_TOPIC,),
    words=N_("take dots back"),
    button=UNVOTE,
)
async def unvote_cmd(ctx: Context, args: dict[str, Any]) -> None:
    if "topic_id" in args:
        await unvote(ctx, args["topic_id"])
    else:
        await unvote(ctx, await topic_id_in_room(ctx, args["topic"]))


@lc.button(UNVOTE_PICK, mirrors="unvote")
async def unvote_picked(ctx: Context, args: dict[str, Any]) -> None:
    await unvote(ctx, _picked(args))


@lc.button(MY_DOTS)
async def my_dots(ctx: Context, args: dict[str, Any]) -> None:
    """The board as the person asking sees it: where their dots are (Teams: in place, for
    them alone; elsewhere privately)."""
    s = await Session.get_or_none(id=args["session"], community_id=ctx.community.id)
    if s is None:
        raise UserError(_("That lean coffee no longer exists."))
    numbers = list(
        await Vote.filter(session_id=s.id, member=ctx.person.id).values_list(
            "topic__number", flat=True
        )
    )
    part = your_dots(s.votes, [int(str(n)) for n in numbers], s.phase == VOTING)
    await ctx.show_personal(render_board(await board_state(ctx, s)), part)
