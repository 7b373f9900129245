"""The brown-bag backlog: talks proposed, upvoted, volunteered for and dropped."""

from __future__ import annotations

from typing import Any

from tortoise.functions import Count

from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _
from copkit.core.parsing import join_words
from copkit.core.people import person_or_me
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.store import insert_if_absent
from copkit.core.views import UserText, notice

from . import views as v
from .format import UPVOTE, VOLUNTEER, bb, talk_ref
from .models import Talk, Upvote, Volunteer
from .reading import get_talk

TITLE = Arg("title", N_("the talk's title"), type="rest", positional=True)
TALK = Arg("talk", N_("the backlog talk's number"), positional=True, required=True)


async def backlog_items(community_id: int) -> list[v.BacklogItem]:
    talks = await Talk.filter(community_id=community_id, status="open").order_by("id")
    ids = [t.id for t in talks]
    votes = dict(
        await Upvote.filter(talk_id__in=ids)
        .annotate(n=Count("id"))
        .group_by("talk_id")
        .values_list("talk_id", "n")
    )
    speakers: dict[int, list[str]] = {}
    for talk_id, name, member in await (
        Volunteer.filter(talk_id__in=ids).order_by("id").values_list("talk_id", "name", "member_id")
    ):
        speakers.setdefault(talk_id, []).append(name or member)
    return [v.BacklogItem(t.id, t.title, votes.get(t.id, 0), speakers.get(t.id, [])) for t in talks]


def chosen_talks(args: dict[str, Any]) -> list[object]:
    """The talks a command names (``talk``) or a choice selected (``selected``)."""
    if "selected" in args:
        return list(args["selected"] or [])
    return [args.get("talk")]


@bb.command(
    "propose",
    help=N_("Propose a talk you could give or would like to hear."),
    args=(TITLE, Arg("speaker", N_("me, or who could give it (@name)"), type="person")),
)
async def propose(ctx: Context, args: dict[str, Any]) -> None:
    title = join_words(args["title"])
    if not title:
        raise UserError(_("Give the talk a title."))
    if len(title) > 200:
        raise UserError(_("A title has at most 200 characters."))
    speaker = await person_or_me(ctx, args["speaker"]) if args.get("speaker") else None
    talk = await Talk.create(community_id=ctx.community.id, title=title, proposer_id=ctx.person.id)
    if speaker is not None:
        await Volunteer.create(talk=talk, member_id=speaker.id, name=speaker.name or speaker.id)
    await ctx.contribute("talk", talk_ref(talk.id), title)
    msg = _("Added #{id} “{title}” to the brown bag backlog.").format(
        id=talk.id, title=UserText(title)
    )
    await ctx.reply(notice(msg, "success"))


@bb.command("backlog", help=N_("Show proposed talks, votes and who could give them."))
async def backlog(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.reply(v.backlog_view(await backlog_items(ctx.community.id)))


@bb.command("upvote", help=N_("Upvote a proposed talk."), args=(TALK,), button=UPVOTE)
async def upvote(ctx: Context, args: dict[str, Any]) -> None:
    """``brownbag upvote 3`` or the backlog's choice: one upvote per person and talk."""
    for raw in chosen_talks(args):
        talk = await get_talk(ctx, raw)
        if await insert_if_absent(Upvote, talk=talk, member_id=ctx.person.id) is None:
            raise UserError(_("You have already upvoted #{id}.").format(id=talk.id))
        n = await Upvote.filter(talk_id=talk.id).count()
        await ctx.contribute("vote", talk_ref(talk.id))
        await ctx.reply(
            notice(
                _("Upvoted #{id} “{title}” ({n} in all).").format(
                    id=talk.id, title=UserText(talk.title), n=n
                ),
                "success",
            ),
            private=True,
        )


@bb.command("volunteer", help=N_("Offer to give a proposed talk."), args=(TALK,), button=VOLUNTEER)
async def volunteer(ctx: Context, args: dict[str, Any]) -> None:
    for raw in chosen_talks(args):
        talk = await get_talk(ctx, raw)
        name = ctx.person.name or ctx.person.id
        if await insert_if_absent(Volunteer, talk=talk, member_id=ctx.person.id, name=name) is None:
            raise UserError(_("You already offered to give #{id}.").format(id=talk.id))
        await ctx.contribute("volunteer", talk_ref(talk.id))
        await ctx.reply(
            notice(
                _("Thanks! The leader sees you could give #{id} “{title}”.").format(
                    id=talk.id, title=UserText(talk.title)
                ),
                "success",
            ),
            private=True,
        )


@bb.command(
    "drop",
    help=N_("Remove a talk from the backlog."),
    args=(TALK,),
    role=Role.CORE,
    words=N_("change the backlog"),
)
async def drop(ctx: Context, args: dict[str, Any]) -> None:
    talk = await get_talk(ctx, args["talk"])
    await Talk.filter(id=talk.id).update(status="dropped")
    await ctx.log("brownbag.talk.dropped", ref=talk_ref(talk.id), member=ctx.person.id)
    await ctx.reply(notice(_("Removed #{id} from the backlog.").format(id=talk.id), "success"))
