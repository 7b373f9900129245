"""Lean coffee topics: proposed, edited and withdrawn by their authors; merged and removed by
the facilitator."""

from __future__ import annotations

from typing import Any

from copkit.core import store
from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _
from copkit.core.parsing import words
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.views import UserText, notice

from . import logic
from .models import (
    CURRENT,
    MERGED,
    OPEN,
    PROPOSING,
    REMOVED,
    VOTING,
    WITHDRAWN,
    Session,
    Topic,
    Vote,
)
from .routes import PROPOSE, lc, ref
from .sessions import (
    ON_BOARD,
    announce,
    refresh_board,
    session_of,
    topic_by_number,
    topic_gone,
)

# Topics -------------------------------------------------------------------------------------


async def _new_number(session_id: int) -> int:
    last = await store.column(
        Topic.filter(session_id=session_id).order_by("-number").limit(1), "number"
    )
    return (last[0] if last else 0) + 1


async def propose(ctx: Context, s: Session, title: str | None, pitch: str | None) -> Topic:
    title = logic.check_title(title or "")
    pitch = logic.check_pitch(pitch)
    others = await Topic.filter(session_id=s.id, status__in=ON_BOARD).values_list("number", "title")
    similar = logic.similar_topic(title, others)
    for _attempt in range(10):
        t = await store.insert_if_absent(
            Topic,
            session_id=s.id,
            community_id=s.community_id,
            number=await _new_number(s.id),
            title=title,
            pitch=pitch,
            author=ctx.person.id,
            author_name=(ctx.person.name or ctx.person.id)[:200],
            similar_to=similar,
            created_at=ctx.now(),
        )
        if t is not None:
            break
        # someone took that number at the same moment
    else:
        raise UserError(_("Many topics arrived at once; please try again."))
    await ctx.contribute("topic", ref("topic", t.id), title)
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
    async with store.transaction():
        if not await Topic.filter(id=t.id, status=OPEN).update(status=WITHDRAWN):
            raise topic_gone(await Topic.get(id=t.id))
        await Topic.filter(session_id=s.id, similar_to=t.number).update(similar_to=None)
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
    async with store.transaction():
        if not await Topic.filter(id=a.id, status=OPEN).update(status=MERGED, merged_into=b.number):
            raise topic_gone(await Topic.get(id=a.id))
        if not await Topic.filter(id=b.id, status=OPEN).update(
            coauthors=authors[1:], pitch=b.pitch or a.pitch
        ):
            raise topic_gone(await Topic.get(id=b.id))
        await Vote.filter(topic_id=a.id).update(topic_id=b.id)
        # "≈ #a" markers now mean #b; #b itself no longer looks like anything it absorbed.
        await Topic.filter(session_id=s.id, similar_to=a.number).update(similar_to=b.number)
        await Topic.filter(id=b.id, similar_to__in=(a.number, b.number)).update(similar_to=None)
    await ctx.log("leancoffee.merged", ref=ref("topic", a.id), text=str(b.id), member=ctx.person.id)
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
    async with store.transaction():
        if not await Topic.filter(id=t.id, status=OPEN).update(status=REMOVED):
            raise topic_gone(await Topic.get(id=t.id))
        await Vote.filter(topic_id=t.id).delete()
        await Topic.filter(session_id=s.id, similar_to=t.number).update(similar_to=None)
    await ctx.log("leancoffee.removed", ref=ref("topic", t.id), member=ctx.person.id)
    await announce(
        ctx, s, _("#{n} removed from the board; its dots are free again.").format(n=t.number)
    )
    await refresh_board(ctx, s.id)


# Commands and the board's form -------------------------------------------------------------

_TOPIC = Arg("topic", N_("the topic's number"), positional=True, required=True)


@lc.command(
    "propose",
    help=N_("Propose a topic."),
    args=(
        Arg("title", N_("the title"), type="rest", positional=True, required=True),
        Arg("pitch", N_("a sentence or two about it"), max_length=300),
    ),
    words=N_("propose topics"),
    button=PROPOSE,
)
async def propose_topic(ctx: Context, args: dict[str, Any]) -> None:
    s = await session_of(ctx, args)
    await propose(ctx, s, words(args.get("title")), args.get("pitch"))


@lc.command(
    "edit",
    help=N_("Change your topic's title or pitch (until voting)."),
    args=(
        _TOPIC,
        Arg("title", N_("the new title"), type="rest", positional=True),
        Arg("pitch", N_("the new pitch"), max_length=300),
    ),
)
async def edit_topic(ctx: Context, args: dict[str, Any]) -> None:
    s = await session_of(ctx, args)
    await edit(ctx, s, args["topic"], words(args.get("title")), args.get("pitch"))


@lc.command("withdraw", help=N_("Withdraw your topic (until voting)."), args=(_TOPIC,))
async def withdraw_topic(ctx: Context, args: dict[str, Any]) -> None:
    await withdraw(ctx, await session_of(ctx, args), args["topic"])


@lc.command(
    "merge",
    help=N_("Merge a topic into another (authors and dots combined)."),
    args=(_TOPIC, Arg("into", N_("the topic to keep"), positional=True, required=True)),
    role=Role.CORE,
    words=N_("merge topics"),
)
async def merge_topics(ctx: Context, args: dict[str, Any]) -> None:
    await merge(ctx, await session_of(ctx, args), args["topic"], args["into"])


@lc.command(
    "remove",
    help=N_("Remove a topic from the board."),
    args=(_TOPIC,),
    role=Role.CORE,
    words=N_("remove topics"),
)
async def remove_topic(ctx: Context, args: dict[str, Any]) -> None:
    await remove(ctx, await session_of(ctx, args), args["topic"])
