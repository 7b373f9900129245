"""Lean coffee capture: notes, takeaways and action items (by command or by the board's forms),
and open actions across sessions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from copkit.core import store
from copkit.core.actions_models import ActionClosed
from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _
from copkit.core.parsing import to_int, words
from copkit.core.routes import parse_int
from copkit.core.specs import Arg, OpenAction
from copkit.core.timezones import parse_day
from copkit.core.views import Button, UserText, View, notice

from . import logic, routes
from .models import (
    ACTION,
    NOTE,
    TAKEAWAY,
    Note,
    Session,
    Topic,
)
from .routes import DONE, lc, ref
from .sessions import session_of, topic_by_number

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
    due_date = parse_day(due, ctx.zone, ctx.now()) if kind == ACTION and due else None
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
    await ctx.contribute(kind, ref(kind, n.id), text)
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
    dropped = await _dropped(ctx.community.id)
    rows = [a for a in await q.order_by("id").limit(50) if a.id not in dropped]
    if not rows:
        if announce_empty:
            await ctx.reply(notice(_("No open action items. 🎉")), private=True)
        return
    tz = ctx.zone
    # each action's day: its session's start, read as plain values (no session objects)
    started = dict(
        await Session.filter(id__in={a.session_id for a in rows}).values_list("id", "started_at")
    )
    lines = [action_line(a, started[a.session_id].astimezone(tz).date()) for a in rows]
    buttons = [
        Button(DONE.build(action=a.id), _("Done #{id}").format(id=a.id)) for a in rows if not a.done
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


def action_key(note_id: int) -> str:
    """The action's key among the community's open actions (``copkit.core.actions``)."""
    return f"{lc.name}:{note_id}"


async def _dropped(community_id: int) -> set[int]:
    """Our actions a review dropped (they stay undone, and leave the open list)."""
    keys = await store.column(
        ActionClosed.filter(community_id=community_id, key__startswith=f"{lc.name}:"), "key"
    )
    numbers = (to_int(k.rsplit(":", 1)[1], 1) for k in keys)
    return {n for n in numbers if n is not None}


async def open_actions(community_id: int) -> list[OpenAction]:
    rows = await Note.filter(community_id=community_id, kind=ACTION, done=False).order_by("id")
    return [
        OpenAction(
            key=action_key(a.id),
            source=lc.name,
            text=a.text,
            since=a.created_at,
            owner_name=a.owner_name or "",
            due=a.due,
        )
        for a in rows[:500]
    ]


async def closed_by_review(
    community_id: int, key: str, verdict: str, member: str, at: datetime
) -> None:
    prefix, _sep, raw = key.rpartition(":")
    number = to_int(raw, 1)
    if prefix != lc.name or number is None or verdict != "done":
        return
    await Note.filter(id=number, community_id=community_id, kind=ACTION, done=False).update(
        done=True, done_at=at, done_by=member[:200]
    )


async def mark_done(ctx: Context, raw: Any) -> None:
    action_id = parse_int(raw)
    if action_id is None:
        raise UserError(_("Give the action's number, e.g. 12."))
    a = await Note.get_or_none(id=action_id, community_id=ctx.community.id, kind=ACTION)
    if a is None:
        raise UserError(_("There is no action #{id}.").format(id=action_id))
    if not await Note.filter(id=a.id, done=False).update(
        done=True, done_at=ctx.now(), done_by=ctx.person.id
    ):
        raise UserError(_("Action #{id} is already done.").format(id=a.id))
    await ctx.contribute("action.done", ref("action", a.id))
    await ctx.reply(
        notice(_("✅ Action #{id} done: {text}").format(id=a.id, text=UserText(a.text)), "success")
    )


# Commands and the board's forms ------------------------------------------------------------

_TEXT = Arg("text", N_("what to write"), type="rest", positional=True, required=True)
_ON = Arg("topic", N_("the topic's number (default: the current one)"))


async def _capture(ctx: Context, args: dict[str, Any], kind: str) -> None:
    await add_note(
        ctx,
        await session_of(ctx, args),
        kind,
        words(args.get("text")),
        topic=args.get("topic"),
        owner=args.get("owner"),
        due=args.get("due"),
    )


@lc.command(
    "note", help=N_("Add a note."), args=(_TEXT, _ON), words=N_("add notes"), button=routes.NOTE
)
async def note(ctx: Context, args: dict[str, Any]) -> None:
    await _capture(ctx, args, NOTE)


@lc.command(
    "takeaway",
    help=N_("Add a takeaway."),
    args=(_TEXT, _ON),
    words=N_("add takeaways"),
    button=routes.TAKEAWAY,
)
async def takeaway(ctx: Context, args: dict[str, Any]) -> None:
    await _capture(ctx, args, TAKEAWAY)


@lc.command(
    "action",
    help=N_("Add an action item."),
    args=(
        _TEXT,
        Arg("owner", N_("who will do it (@name)"), type="person"),
        Arg("due", N_('when it is due, e.g. friday, "Jan 9", 2026-02-01 or 7d')),
        _ON,
    ),
    words=N_("add action items"),
    button=routes.ACTION,
)
async def action(ctx: Context, args: dict[str, Any]) -> None:
    await _capture(ctx, args, ACTION)


@lc.command(
    "actions",
    help=N_("List open action items."),
    args=(Arg("all", N_("include done ones"), type="flag"),),
)
async def actions(ctx: Context, args: dict[str, Any]) -> None:
    await show_open_actions(ctx, include_done=bool(args.get("all")))


@lc.command(
    "done",
    help=N_("Mark an action item done."),
    args=(Arg("action", N_("the action's number"), positional=True, required=True),),
    words=N_("mark action items done"),
    button=DONE,
)
async def done(ctx: Context, args: dict[str, Any]) -> None:
    await mark_done(ctx, args["action"])
