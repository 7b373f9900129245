"""The retro's minutes: the review of earlier actions, the notes by prompt with their dots,
and the actions agreed — as sections for any activity's minutes (``copkit_minutes_sections``)
and as the view ``retro minutes`` shows (posted in the room at the end)."""

from __future__ import annotations

from typing import Any

from copkit.core import actions
from copkit.core.context import Activity, Context, Scope
from copkit.core.errors import UserError
from copkit.core.facilitation import notes
from copkit.core.facilitation.models import Ballot, Phase
from copkit.core.i18n import N_, _
from copkit.core.routes import parse_int
from copkit.core.specs import Arg, Section
from copkit.core.views import Field, View

from . import retro_board as board
from .retro_format import PROMPT_WORDS, PROMPTS, owner, rt
from .retro_models import Retro, RetroAction


async def sections(r: Retro) -> list[Section]:
    out: list[Section] = []
    given = await actions.verdicts(r.community_id, owner(r.id))
    if r.review:
        lines = [
            board.review_line(n, item, given.get(item["key"]) or "")
            for n, item in enumerate(r.review, 1)
        ]
        out.append(Section(_("Earlier actions reviewed"), "\n".join(lines), order=10))
    phase = await Phase.get_or_none(owner=owner(r.id), name="write")
    if phase is not None and phase.revealed:
        ballot = await Ballot.get_or_none(owner=owner(r.id), name="dots")
        counted = await board.dots_of(ballot.id if ballot else None)
        shown = await notes.revealed(phase)
        for key, label in PROMPTS[r.prompts]:
            these = [n for n in shown if n.box == key]
            these.sort(key=lambda n: (-counted.get(str(n.number), 0), n.number))
            if these:
                text = "\n".join(
                    board.note_line(n, r.prompts, counted.get(str(n.number), 0), label=False)
                    for n in these
                )
                out.append(Section(_(label), text, order=20))
    agreed = await RetroAction.filter(retro_id=r.id).order_by("id")
    if agreed:
        text = "\n".join(board.action_line(a) for a in agreed)
        out.append(Section(_("Actions"), text, order=30))
    return out


async def sections_for(activity: Activity) -> list[Section]:
    """``copkit_minutes_sections``: ours only for a retro."""
    if activity.format != rt.name:
        return []
    r = await Retro.get_or_none(id=activity.id, community_id=activity.community.id)
    return await sections(r) if r is not None else []


async def minutes_view(scope: Scope, r: Retro) -> View:
    act = Activity(scope.community, rt.name, r.id, _("Retrospective"), r.room_id)
    parts = await scope.services.hooks.minutes_sections(act)
    day = r.started_at.astimezone(scope.zone).date().isoformat()
    return View(
        title=_("Retro minutes — {day} ({prompts})").format(
            day=day, prompts=_(PROMPT_WORDS[r.prompts])
        ),
        text="" if parts else _("Nothing was written."),
        fields=[Field(s.title, s.text) for s in parts],
    )


@rt.command(
    "minutes",
    help=N_("The minutes of a retro (the last one by default)."),
    args=(Arg("retro", N_("the retro's number"), positional=True),),
)
async def minutes_cmd(ctx: Context, args: dict[str, Any]) -> None:
    raw = args.get("retro")
    q = Retro.filter(community_id=ctx.community.id)
    if raw not in (None, ""):
        n = parse_int(str(raw).removeprefix("#"))
        r = await q.filter(id=n).first() if n is not None else None
        if r is None:
            raise UserError(_("There is no retro {n}.").format(n=str(raw)[:20]))
    else:
        r = await q.order_by("-id").first()
        if r is None:
            raise UserError(_("No retro yet. The core team starts one: “retro start”."))
    await ctx.reply(await minutes_view(ctx, r))
