"""Commands, buttons and timer jobs: parse what arrived, check who may, call the flow."""

from __future__ import annotations

from typing import Any

from copkit.core.context import Context, JobContext
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _
from copkit.core.parsing import to_int
from copkit.core.roles import Role
from copkit.core.specs import Action, Arg, Command, JobType

from . import capture, discussion, flow, topics, voting
from .minutes import find_minutes, markdown_view, minutes_view
from .models import ACTION, NOTE, TAKEAWAY, Minutes, Session

F = flow.FORMAT


def _words(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(value)
    return value or ""


# Commands -----------------------------------------------------------------------------------


async def cmd_start(ctx: Context, args: dict[str, Any]) -> None:
    await flow.start(
        ctx,
        votes=args.get("votes"),
        timebox=args.get("timebox"),
        extensions=args.get("extensions"),
        window=args.get("thumbs"),
        title=args.get("title"),
    )


async def cmd_propose(ctx: Context, args: dict[str, Any]) -> None:
    s = await flow.need_session(ctx)
    await topics.propose(ctx, s, _words(args.get("title")), args.get("pitch"))


async def cmd_edit(ctx: Context, args: dict[str, Any]) -> None:
    s = await flow.need_session(ctx)
    await topics.edit(ctx, s, args["topic"], _words(args.get("title")), args.get("pitch"))


async def cmd_withdraw(ctx: Context, args: dict[str, Any]) -> None:
    await topics.withdraw(ctx, await flow.need_session(ctx), args["topic"])


async def cmd_merge(ctx: Context, args: dict[str, Any]) -> None:
    await topics.merge(ctx, await flow.need_session(ctx), args["topic"], args["into"])


async def cmd_remove(ctx: Context, args: dict[str, Any]) -> None:
    await topics.remove(ctx, await flow.need_session(ctx), args["topic"])


async def cmd_voting_open(ctx: Context, args: dict[str, Any]) -> None:
    await voting.open_voting(ctx, await flow.need_session(ctx))


async def cmd_voting_close(ctx: Context, args: dict[str, Any]) -> None:
    await voting.close_voting(ctx, await flow.need_session(ctx))


async def cmd_vote(ctx: Context, args: dict[str, Any]) -> None:
    await voting.vote(ctx, await voting.topic_id_in_room(ctx, args["topic"]))


async def cmd_unvote(ctx: Context, args: dict[str, Any]) -> None:
    await voting.unvote(ctx, await voting.topic_id_in_room(ctx, args["topic"]))


async def cmd_next(ctx: Context, args: dict[str, Any]) -> None:
    await discussion.next_topic(ctx, await flow.need_session(ctx))


async def cmd_skip(ctx: Context, args: dict[str, Any]) -> None:
    await discussion.next_topic(ctx, await flow.need_session(ctx), skip=True)


async def cmd_extend(ctx: Context, args: dict[str, Any]) -> None:
    d = args.get("minutes")
    await discussion.extend(
        ctx, await flow.need_session(ctx), int(d.total_seconds()) if d else None
    )


async def cmd_pause(ctx: Context, args: dict[str, Any]) -> None:
    await discussion.pause(ctx, await flow.need_session(ctx))


async def cmd_resume(ctx: Context, args: dict[str, Any]) -> None:
    await discussion.resume(ctx, await flow.need_session(ctx))


async def cmd_thumbs(ctx: Context, args: dict[str, Any]) -> None:
    s = await flow.need_session(ctx)
    await discussion.thumbs_vote(ctx, s, s.thumbs_round, args["vote"])


def _note_cmd(kind: str):
    async def handler(ctx: Context, args: dict[str, Any]) -> None:
        s = await flow.need_session(ctx)
        await capture.add_note(
            ctx,
            s,
            kind,
            _words(args.get("text")),
            topic=args.get("topic"),
            owner=args.get("owner"),
            due=args.get("due"),
        )

    return handler


async def cmd_end(ctx: Context, args: dict[str, Any]) -> None:
    s = await flow.need_session(ctx)
    if not await flow.end(ctx, s):
        raise UserError(_("This lean coffee has ended."))


async def cmd_minutes(ctx: Context, args: dict[str, Any]) -> None:
    m = await find_minutes(ctx, args.get("when"))
    view = markdown_view(m) if args.get("markdown") else minutes_view(m.data, m.session_id)
    await ctx.reply(view, private=True)


async def cmd_actions(ctx: Context, args: dict[str, Any]) -> None:
    await capture.show_open_actions(ctx, include_done=bool(args.get("all")))


async def cmd_done(ctx: Context, args: dict[str, Any]) -> None:
    await capture.mark_done(ctx, args["action"])


async def cmd_backlog(ctx: Context, args: dict[str, Any]) -> None:
    await flow.backlog(ctx)


async def cmd_board(ctx: Context, args: dict[str, Any]) -> None:
    s = await flow.need_session(ctx)
    from .board import render_board

    await ctx.reply(render_board(await flow.board_state(ctx, s)), private=True)


def commands() -> list[Command]:
    topic = Arg("topic", N_("the topic's number"), positional=True, required=True)
    text = Arg("text", N_("what to write"), type="rest", positional=True, required=True)
    on = Arg("topic", N_("the topic's number (default: the current one)"))
    core = dict(role=Role.CORE, format=F)
    return [
        Command(
            ("leancoffee", "start"),
            N_("Start a lean coffee in this room."),
            cmd_start,
            (
                Arg("votes", N_("dots per person (default 2)"), type="int"),
                Arg("timebox", N_("minutes per topic (default 8)"), type="duration"),
                Arg(
                    "extensions",
                    N_("extensions in minutes (default 4,2; none for none)"),
                    type="list",
                ),
                Arg("thumbs", N_("thumbs vote window (default 60s)"), type="duration"),
                Arg("title", N_("a title for the minutes"), max_length=200),
            ),
            action=N_("start a lean coffee"),
            **core,
        ),
        Command(
            ("leancoffee", "propose"),
            N_("Propose a topic."),
            cmd_propose,
            (
                Arg("title", N_("the title"), type="rest", positional=True, required=True),
                Arg("pitch", N_("a sentence or two about it"), max_length=300),
            ),
            format=F,
        ),
        Command(
            ("leancoffee", "edit"),
            N_("Change your topic's title or pitch (until voting)."),
            cmd_edit,
            (
                topic,
                Arg("title", N_("the new title"), type="rest", positional=True),
                Arg("pitch", N_("the new pitch"), max_length=300),
            ),
            format=F,
        ),
        Command(
            ("leancoffee", "withdraw"),
            N_("Withdraw your topic (until voting)."),
            cmd_withdraw,
            (topic,),
            format=F,
        ),
        Command(
            ("leancoffee", "merge"),
            N_("Merge a topic into another (authors and dots combined)."),
            cmd_merge,
            (topic, Arg("into", N_("the topic to keep"), positional=True, required=True)),
            action=N_("merge topics"),
            **core,
        ),
        Command(
            ("leancoffee", "remove"),
            N_("Remove a topic from the board."),
            cmd_remove,
            (topic,),
            action=N_("remove topics"),
            **core,
        ),
        Command(
            ("leancoffee", "voting", "open"),
            N_("Open dot voting."),
            cmd_voting_open,
            action=N_("open voting"),
            **core,
        ),
        Command(
            ("leancoffee", "voting", "close"),
            N_("Close voting and start the top topic."),
            cmd_voting_close,
            action=N_("close voting"),
            **core,
        ),
        Command(
            ("leancoffee", "vote"),
            N_("Put one of your dots on a topic."),
            cmd_vote,
            (topic,),
            format=F,
        ),
        Command(
            ("leancoffee", "unvote"),
            N_("Take one of your dots back from a topic."),
            cmd_unvote,
            (topic,),
            format=F,
        ),
        Command(
            ("leancoffee", "next"),
            N_("Close this topic and start the next one."),
            cmd_next,
            action=N_("move on to the next topic"),
            **core,
        ),
        Command(
            ("leancoffee", "skip"),
            N_("Skip this topic (it goes back to the backlog)."),
            cmd_skip,
            action=N_("skip a topic"),
            **core,
        ),
        Command(
            ("leancoffee", "extend"),
            N_("Give the current topic more time."),
            cmd_extend,
            (
                Arg(
                    "minutes",
                    N_("how long (default: the next extension)"),
                    type="duration",
                    positional=True,
                ),
            ),
            action=N_("extend a topic"),
            **core,
        ),
        Command(
            ("leancoffee", "pause"),
            N_("Pause the timer."),
            cmd_pause,
            action=N_("pause the timer"),
            **core,
        ),
        Command(
            ("leancoffee", "resume"),
            N_("Resume the timer."),
            cmd_resume,
            action=N_("resume the timer"),
            **core,
        ),
        Command(
            ("leancoffee", "thumbs"),
            N_("Vote whether to keep going: up, neutral or down."),
            cmd_thumbs,
            (
                Arg(
                    "vote",
                    N_("up, neutral or down"),
                    positional=True,
                    required=True,
                    choices=("up", "neutral", "down"),
                ),
            ),
            format=F,
        ),
        Command(("leancoffee", "note"), N_("Add a note."), _note_cmd(NOTE), (text, on), format=F),
        Command(
            ("leancoffee", "takeaway"),
            N_("Add a takeaway."),
            _note_cmd(TAKEAWAY),
            (text, on),
            format=F,
        ),
        Command(
            ("leancoffee", "action"),
            N_("Add an action item."),
            _note_cmd(ACTION),
            (
                text,
                Arg("owner", N_("who will do it (@name)"), type="person"),
                Arg("due", N_("when (2026-02-01 or 7d)")),
                on,
            ),
            format=F,
        ),
        Command(
            ("leancoffee", "end"),
            N_("End the lean coffee and post the minutes."),
            cmd_end,
            action=N_("end a lean coffee"),
            **core,
        ),
        Command(
            ("leancoffee", "minutes"),
            N_("Show the minutes of the last lean coffee or of a date."),
            cmd_minutes,
            (
                Arg("when", N_("last or a date like 2026-01-05"), positional=True),
                Arg("markdown", N_("as Markdown"), type="flag"),
            ),
            format=F,
        ),
        Command(
            ("leancoffee", "actions"),
            N_("List open action items."),
            cmd_actions,
            (Arg("all", N_("include done ones"), type="flag"),),
            format=F,
        ),
        Command(
            ("leancoffee", "done"),
            N_("Mark an action item done."),
            cmd_done,
            (Arg("action", N_("the action's number"), positional=True, required=True),),
            format=F,
        ),
        Command(
            ("leancoffee", "backlog"),
            N_("List topics waiting for the next lean coffee."),
            cmd_backlog,
            format=F,
        ),
        Command(("leancoffee", "board"), N_("Show the board to you again."), cmd_board, format=F),
    ]


# Buttons, choices and forms -------------------------------------------------------------------


def _picked(args: dict[str, Any]) -> int:
    """The topic picked in a choice (``leancoffee:vote:page1``), or of a per-topic button
    (``leancoffee:vote:<id>``)."""
    if "selected" in args:
        raw = (args.get("selected") or [None])[0]
    else:
        raw = args.get("id")
    n = to_int(raw)
    if n is None:
        raise UserError(_("Pick a topic."))
    return n


async def act_vote(ctx: Context, args: dict[str, Any]) -> None:
    await voting.vote(ctx, _picked(args))


async def act_unvote(ctx: Context, args: dict[str, Any]) -> None:
    await voting.unvote(ctx, _picked(args))


async def act_propose(ctx: Context, args: dict[str, Any]) -> None:
    s = await flow.session_by_id(ctx, args["id"])
    await topics.propose(ctx, s, args.get("title"), args.get("pitch"))


async def act_voting(ctx: Context, args: dict[str, Any]) -> None:
    what, _sep, sid = args["id"].partition(":")
    if what == "open":
        flow.facilitator(ctx, "voting open", _("open voting"))
        await voting.open_voting(ctx, await flow.session_by_id(ctx, sid))
    elif what == "close":
        flow.facilitator(ctx, "voting close", _("close voting"))
        await voting.close_voting(ctx, await flow.session_by_id(ctx, sid))
    else:
        raise UserError(_("That button no longer works."))


def _facilitator_button(command: str, words: str, run):
    async def handler(ctx: Context, args: dict[str, Any]) -> None:
        flow.facilitator(ctx, command, _(words))
        await run(ctx, await flow.session_by_id(ctx, args["id"]))

    return handler


async def _end(ctx: Context, s: Session) -> None:
    if not await flow.end(ctx, s):
        raise UserError(_("This lean coffee has ended."))


def _note_button(kind: str):
    async def handler(ctx: Context, args: dict[str, Any]) -> None:
        s = await flow.session_by_id(ctx, args["id"])
        await capture.add_note(
            ctx, s, kind, args.get("text"), owner=args.get("owner"), due=args.get("due")
        )

    return handler


async def act_thumbs(ctx: Context, args: dict[str, Any]) -> None:
    try:
        sid, round_, value = args["id"].split(":")
    except ValueError:
        raise UserError(_("That button no longer works.")) from None
    round_n = to_int(round_)
    s = await Session.get_or_none(id=to_int(sid) or 0, community_id=ctx.community.id)
    if s is None or round_n is None:
        raise UserError(_("That button no longer works."))
    await discussion.thumbs_vote(ctx, s, round_n, value)


async def act_done(ctx: Context, args: dict[str, Any]) -> None:
    await capture.mark_done(ctx, args["id"])


async def act_minutes(ctx: Context, args: dict[str, Any]) -> None:
    m = await Minutes.get_or_none(
        session_id=to_int(args["id"]) or 0,
        community_id=ctx.community.id,
    )
    if m is None:
        raise UserError(_("Those minutes are gone."))
    await ctx.reply(markdown_view(m), private=True)


def actions() -> list[Action]:
    fb = _facilitator_button
    return [
        Action("leancoffee:vote", act_vote, format=F),
        Action("leancoffee:unvote", act_unvote, format=F),
        Action("leancoffee:propose", act_propose, format=F),
        Action("leancoffee:voting", act_voting, format=F),
        Action(
            "leancoffee:next",
            fb("next", N_("move on to the next topic"), discussion.next_topic),
            format=F,
        ),
        Action(
            "leancoffee:skip",
            fb("skip", N_("skip a topic"), lambda c, s: discussion.next_topic(c, s, skip=True)),
            format=F,
        ),
        Action(
            "leancoffee:extend",
            fb("extend", N_("extend a topic"), lambda c, s: discussion.extend(c, s, None)),
            format=F,
        ),
        Action("leancoffee:pause", fb("pause", N_("pause the timer"), discussion.pause), format=F),
        Action(
            "leancoffee:resume", fb("resume", N_("resume the timer"), discussion.resume), format=F
        ),
        Action("leancoffee:end", fb("end", N_("end a lean coffee"), _end), format=F),
        Action("leancoffee:note", _note_button(NOTE), format=F),
        Action("leancoffee:takeaway", _note_button(TAKEAWAY), format=F),
        Action("leancoffee:action", _note_button(ACTION), format=F),
        Action("leancoffee:thumbs", act_thumbs, format=F),
        Action("leancoffee:done", act_done, format=F),
        Action("leancoffee:minutes", act_minutes, format=F),
    ]


# Timers and presence ------------------------------------------------------------------------


async def job_timer(ctx: JobContext, payload: dict[str, Any]) -> None:
    await discussion.on_timer(ctx, ctx.job_id, payload)


def jobs() -> list[JobType]:
    return [JobType(flow.TIMER, job_timer)]


async def presence_changed(community_id: int, room: str, present: list[str]) -> None:
    """People present in the room of a running session are its participants."""
    if not present:
        return
    s = await Session.get_or_none(running_key=flow.running_key(community_id, room))
    if s is not None:
        await flow.add_participants(s.id, present)
