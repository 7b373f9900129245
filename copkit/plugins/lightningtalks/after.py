"""After the lightning talks: the record, links to slides and recordings, and feedback."""

from __future__ import annotations

from typing import Any

from copkit.core.context import Context, Scope
from copkit.core.errors import UserError
from copkit.core.events import Person
from copkit.core.i18n import N_, _
from copkit.core.links import check_link
from copkit.core.parsing import join_words
from copkit.core.ratings import average, check_apply, parse_rating
from copkit.core.specs import Arg
from copkit.core.store import insert_if_absent
from copkit.core.views import UserText, View, notice

from . import store
from . import views as v
from .cards import find_event, require_organiser
from .format import EVENT, FEEDBACK, event_key, lt, talk_ref
from .models import Event, Feedback, Talk


async def record_of(scope: Scope, ev: Event) -> View:
    given = await Feedback.filter(event_id=ev.id).order_by("id")
    ratings = [f.rating for f in given]
    applies = [f.apply for f in given if f.apply]
    return v.record_view(
        ev, scope.zone, await store.lineup(ev.id), average(ratings), len(ratings), applies
    )


@lt.command(
    "record",
    help=N_("Show the record of lightning talks: talks, speakers, links, feedback."),
    args=(Arg("event", N_("which lightning talks (number)"), positional=True),),
)
async def record(ctx: Context, args: dict[str, Any]) -> None:
    ev = await find_event(ctx, args.get("event"), done=not args.get("event"))
    await ctx.reply(await record_of(ctx, ev))


@lt.command(
    "link",
    help=N_("Add a link (slides, recording) to your talk."),
    args=(
        Arg("url", N_("the link"), positional=True, required=True),
        Arg("speaker", N_("whose talk (organiser)"), type="person"),
        EVENT,
    ),
)
async def link(ctx: Context, args: dict[str, Any]) -> None:
    """A link (slides, recording) on a talk: the speaker's own, or anyone's for the organiser."""
    url = check_link(args.get("url"))
    speaker: Person = ctx.person
    if args.get("speaker"):
        speaker = await ctx.resolve_person(str(args["speaker"]))
    talks = Talk.filter(
        event__community_id=ctx.community.id, speaker_id=speaker.id, status__in=store.IN_ORDER
    )
    if args.get("event"):
        talks = talks.filter(event_id=(await find_event(ctx, args["event"])).id)
    talk = await talks.order_by("-id").first()
    if talk is None:
        raise UserError(
            _("{name} has no talk to add a link to.").format(
                name=UserText(speaker.name or speaker.id)
            )
        )
    ev = await Event.get(talks__id=talk.id)
    if speaker.id != ctx.person.id:
        require_organiser(ctx, ev)
    await Talk.filter(id=talk.id).update(link=url)
    await ctx.log("lightning.link", ref=talk_ref(talk.id), member=ctx.person.id)
    await ctx.reply(
        notice(_("Link saved for “{title}”.").format(title=UserText(talk.title)), "success"),
        private=True,
    )


@lt.command(
    "feedback",
    help=N_("Rate the lightning talks 1–5 and say one thing you'll apply."),
    args=(
        Arg("rating", N_("1 to 5"), positional=True, required=True),
        Arg("apply", N_("one thing you'll apply"), type="rest", positional=True),
        EVENT,
    ),
    button=FEEDBACK,
)
async def feedback(ctx: Context, args: dict[str, Any]) -> None:
    """``lightning feedback 4 …`` or the prompt's buttons and form: one rating per person,
    a second one replaces the first."""
    ev = await find_event(ctx, args.get("event"), done=not args.get("event"))
    rating = parse_rating(args["rating"])
    apply = check_apply(join_words(args.get("apply")))
    if ev.status != "done":
        raise UserError(_("Feedback opens when the talks are over."))
    mine = {"event_id": ev.id, "member_id": ctx.person.id}
    created = await insert_if_absent(Feedback, **mine, rating=rating, apply=apply)
    if created is None:
        await Feedback.filter(**mine).update(rating=rating, apply=apply)
    await ctx.contribute("feedback", event_key(ev.id), str(rating))
    msg = _("Thanks for your feedback!") if created else _("Your feedback was updated.")
    await ctx.reply(notice(msg, "success"), private=True)
