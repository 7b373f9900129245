"""Command, action and timer handlers: parse, check, call the logic, show the views."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.i18n import _
from copkit.core.models import Membership
from copkit.core.parsing import to_int
from copkit.core.usertext import no_fence, spreadsheet_safe
from copkit.core.views import Private, ToRoom, UserText, View, notice

from . import charts, deck, logic, report, views
from .models import Dimension, Round, RoundDimension
from .pulses import (  # noqa: F401 - the pulse's handlers, declared in __init__
    job_pulse_close,
    job_pulse_post,
    pulse_start,
    pulse_vote,
)
from .rounds import (  # noqa: F401 - the round's handlers, declared in __init__
    _open_round_of,
    _tz,
    answered,
    approve,
    close,
    comments,
    finish,
    grid_picture,
    job_close,
    job_post,
    job_remind,
    reject,
    show_results,
    start,
    status,
)
from .tally import COLOURS, participation

FORMAT = "healthcheck"


async def results(ctx: Context, args: dict[str, Any]) -> None:
    r = await logic.get_round(ctx.community.id, args.get("round"))
    await show_results(ctx, r, ToRoom(ctx.room_id))


async def history(ctx: Context, args: dict[str, Any]) -> None:
    rounds = list(
        reversed(await Round.filter(community_id=ctx.community.id).order_by("-number").limit(20))
    )
    tallies = await logic.tallies([r.id for r in rounds if r.enough])
    tz = _tz(ctx)
    lines = []
    for r in rounds:
        dominant = None
        if r.enough:
            shown = [t for t in tallies[r.id].values() if t.answered >= r.min_responses]
            dominant = {c: sum(1 for t in shown if t.dominant == c) for c in COLOURS}
        lines.append(views.history_line(r, tz, dominant))
    await ctx.reply(views.history(lines, await grid_picture(ctx)))


async def trend(ctx: Context, args: dict[str, Any]) -> None:
    words = " ".join(args.get("dimension") or [])
    if not words:
        raise UserError(_("Which dimension? For example: healthcheck trend purpose"))
    dim = await deck.find(ctx.community.id, words)
    data = [(r, t) for r, t in await logic.dimension_trend(ctx.community.id, dim.id)]
    tz = _tz(ctx)
    lines = []
    shown = []
    for r, t in data:
        if t.answered < r.min_responses:
            lines.append(
                f"#{r.number} · {views.day(r.opened_at, tz)} · " + _("too few answers to show")
            )
            continue
        shown.append((r, t))
        lines.append(
            f"#{r.number} · {views.day(r.opened_at, tz)} · {views.DOT[t.dominant]} · "
            + " ".join(f"{views.DOT[c]} {getattr(t, c)}" for c in COLOURS)
            + f" · {_('score')} {t.score}"
        )
    png = None
    if shown:
        png = await charts.render(
            charts.trend_png,
            [report.round_label(r, tz) for r, _t in shown],
            [t.green for _r, t in shown],
            [t.amber for _r, t in shown],
            [t.red for _r, t in shown],
            [t.score for _r, t in shown],
            title=dim.title,
            labels=(_("green"), _("amber"), _("red"), _("score")),
        )
    await ctx.reply(views.trend(dim.title, lines, png))


# Export (aggregates only) ------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "round",
    "opened_at",
    "closed_at",
    "min_responses",
    "responses",
    "members",
    "participation_pct",
    "shown",
    "dimension",
    "title",
    "position",
    "answers",
    "green",
    "amber",
    "red",
    "better",
    "same",
    "worse",
    "dominant",
    "score",
)


async def export_data(community_id: int) -> list[dict[str, Any]]:
    """One record per closed round: counts per dimension, never an individual answer. Counts
    under the anonymity threshold are left out, as in the results."""
    rounds = await Round.filter(community_id=community_id, status="closed").order_by("number")
    tallies = await logic.tallies([r.id for r in rounds if r.enough])
    keys = dict(await Dimension.filter(community_id=community_id).values_list("id", "key"))
    out = []
    for r in rounds:
        dims = []
        if r.enough:
            for it in await logic.items(r.id):
                t = tallies[r.id].get(it.dimension_id)
                shown = t is not None and t.answered >= r.min_responses
                entry: dict[str, Any] = {
                    "dimension": keys.get(it.dimension_id, ""),
                    "title": it.title,
                    "position": it.position,
                    "shown": shown,
                }
                if shown and t is not None:
                    entry.update(
                        answers=t.answered, **t.counts(), dominant=t.dominant, score=t.score
                    )
                dims.append(entry)
        out.append(
            {
                "round": r.number,
                "opened_at": r.opened_at.isoformat(),
                "closed_at": r.closed_at.isoformat() if r.closed_at else None,
                "min_responses": r.min_responses,
                "responses": r.responses,
                "members": r.members,
                "participation_pct": participation(r.responses, r.members),
                "shown": r.enough,
                "dimensions": dims,
            }
        )
    return out


def to_csv(data: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, EXPORT_COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for rnd in data:
        head = {k: spreadsheet_safe(rnd[k]) for k in EXPORT_COLUMNS if k in rnd}
        if not rnd["dimensions"]:
            w.writerow(head)
        for d in rnd["dimensions"]:
            w.writerow({**head, **{k: spreadsheet_safe(v) for k, v in d.items()}})
    return buf.getvalue()


EXPORT_CHUNK = 3500  # characters per message: within every platform's limit


def chunks(body: str, size: int = EXPORT_CHUNK) -> list[str]:
    """``body`` cut at line ends into pieces of at most ``size`` characters (a longer line is cut)."""
    out: list[str] = []
    piece = ""
    for line in body.splitlines(keepends=True):
        while len(line) > size:
            if piece:
                out.append(piece)
                piece = ""
            out.append(line[:size])
            line = line[size:]
        if len(piece) + len(line) > size:
            out.append(piece)
            piece = ""
        piece += line
    if piece:
        out.append(piece)
    return out


async def export(ctx: Context, args: dict[str, Any]) -> None:
    fmt = args.get("format") or "csv"
    data = await export_data(ctx.community.id)
    if not data:
        raise UserError(_("Nothing to export yet: no health check has closed."))
    if fmt == "json":
        body = json.dumps({"rounds": data}, ensure_ascii=False, indent=1)
    else:
        body = to_csv(data)
    parts = chunks(body, EXPORT_CHUNK)
    title = _("Health-check export ({fmt}, aggregates only)").format(fmt=fmt.upper())
    for i, part in enumerate(parts, 1):
        view = View(title=title, text=f"```{fmt}\n{no_fence(part.rstrip(chr(10)))}\n```")
        if len(parts) > 1:
            view.footer = _("Part {i} of {n}: join the parts in order.").format(i=i, n=len(parts))
        await ctx.reply(view, private=True)


# Answering (private) -----------------------------------------------------------------------------


async def _show_private(ctx: Context, view: View) -> None:
    await ctx.show(view, target=Private(ctx.person.id))


async def _show_step(ctx: Context, r: Round, index: int, sheet: logic.Sheet | None = None) -> None:
    """Card ``index`` (1-based); one past the deck is "What did we forget?", then the thanks."""
    its = await logic.items(r.id)
    if sheet is None:
        sheet = await logic.sheet(r.id, ctx.person.id)
    tz = _tz(ctx)
    if 1 <= index <= len(its):
        view = views.card(r, its[index - 1], index, len(its), sheet, tz)
    elif index == len(its) + 1:
        view = views.forget_card(r, len(its), sheet, tz)
    else:
        rated = sum(1 for it in its if it.id in sheet.answers and sheet.answers[it.id].colour)
        view = views.thanks(r, rated, len(its), tz)
    if not view.footer:
        view.footer = views.private_footer(r, tz)
    await _show_private(ctx, view)


async def take(ctx: Context, args: dict[str, Any]) -> None:
    r = await _open_round_of(ctx, args["id"])
    its = await logic.items(r.id)
    sheet = await logic.sheet(r.id, ctx.person.id)
    first = next((i for i, it in enumerate(its, 1) if not sheet.done(it.id)), len(its) + 1)
    await _show_step(ctx, r, first, sheet)


async def step(ctx: Context, args: dict[str, Any]) -> None:
    rid, _sep, index = args["id"].partition(":")
    r = await _open_round_of(ctx, rid)
    n = to_int(index)
    if n is None:
        raise UserError(_("That button no longer works."))
    await _show_step(ctx, r, max(1, n))


def _picked(args: dict[str, Any]) -> str:
    selected = args.get("selected") or []
    if isinstance(selected, str):
        selected = [selected]
    if len(selected) != 1:
        raise UserError(_("Pick one."))
    return str(selected[0])


async def _pick(ctx: Context, args: dict[str, Any], what: str) -> None:
    rid, _sep, iid = args["id"].partition(":")
    r = await _open_round_of(ctx, rid)
    item_id = to_int(iid)
    if item_id is None:
        raise UserError(_("That button no longer works."))
    it = await logic.item(r.id, item_id)
    value = _picked(args)
    new = await logic.save(r.id, ctx.person.id, it.id, **{what: value})
    await answered(ctx, r, new)
    sheet = await logic.sheet(r.id, ctx.person.id)
    await _show_step(ctx, r, it.position + 1 if sheet.done(it.id) else it.position, sheet)


async def pick_colour(ctx: Context, args: dict[str, Any]) -> None:
    await _pick(ctx, args, "colour")


async def pick_trend(ctx: Context, args: dict[str, Any]) -> None:
    await _pick(ctx, args, "trend")


async def comment(ctx: Context, args: dict[str, Any]) -> None:
    rid, _sep, iid = args["id"].partition(":")
    r = await _open_round_of(ctx, rid)
    item_id = to_int(iid)
    if item_id is None:
        raise UserError(_("That button no longer works."))
    it = await logic.item(r.id, item_id)
    new = await logic.save(r.id, ctx.person.id, it.id, comment=str(args.get("comment") or ""))
    await answered(ctx, r, new)
    await _show_step(ctx, r, it.position)


async def forget(ctx: Context, args: dict[str, Any]) -> None:
    r = await _open_round_of(ctx, args["id"])
    new = await logic.save(r.id, ctx.person.id, note=str(args.get("text") or ""))
    await answered(ctx, r, new)
    total = await RoundDimension.filter(round_id=r.id).count()
    await _show_step(ctx, r, total + 2)


async def done(ctx: Context, args: dict[str, Any]) -> None:
    r = await _open_round_of(ctx, args["id"])
    total = await RoundDimension.filter(round_id=r.id).count()
    await _show_step(ctx, r, total + 2)


# Deck -------------------------------------------------------------------------------------------


async def _show_deck(ctx: Context, private: bool = False) -> None:
    view = views.deck(
        await deck.active(ctx.community.id),
        await deck.retired(ctx.community.id),
        await logic.open_round(ctx.community.id),
    )
    await ctx.reply(view, private=private)


async def deck_show(ctx: Context, args: dict[str, Any]) -> None:
    await _show_deck(ctx)


async def _deck_changed(ctx: Context, text: str, dim: Dimension | None = None) -> None:
    await ctx.log(
        "healthcheck.deck",
        ref=f"healthcheck:dimension:{dim.key}" if dim else "healthcheck:deck",
        member=ctx.person.id,
    )
    r = await logic.open_round(ctx.community.id)
    if r is not None:
        text += " " + _(
            "Health check #{n} keeps its deck; this applies from the next round."
        ).format(n=r.number)
    await ctx.reply(notice(text, "success"))


async def deck_add(ctx: Context, args: dict[str, Any]) -> None:
    dim = await deck.add(
        ctx.community.id, ctx.person.id, args["title"], args["awesome"], args["crappy"], ctx.now()
    )
    await _deck_changed(
        ctx,
        _("Added “{title}” to the deck (key {key}).").format(
            title=UserText(dim.title), key=dim.key
        ),
        dim,
    )


async def deck_edit(ctx: Context, args: dict[str, Any]) -> None:
    dim = await deck.edit(
        ctx.community.id,
        ctx.person.id,
        args["dimension"],
        ctx.now(),
        title=args.get("title"),
        awesome=args.get("awesome"),
        crappy=args.get("crappy"),
    )
    await _deck_changed(ctx, _("Updated “{title}”.").format(title=UserText(dim.title)), dim)


async def deck_move(ctx: Context, args: dict[str, Any]) -> None:
    dim = await deck.move(
        ctx.community.id, ctx.person.id, args["dimension"], args["position"], ctx.now()
    )
    await _deck_changed(
        ctx,
        _("Moved “{title}” to position {pos}.").format(
            title=UserText(dim.title), pos=args["position"]
        ),
        dim,
    )


async def deck_retire(ctx: Context, args: dict[str, Any]) -> None:
    dim = await deck.retire(ctx.community.id, ctx.person.id, args["dimension"], ctx.now())
    await _deck_changed(
        ctx,
        _("Retired “{title}”; its results stay in the history.").format(title=UserText(dim.title)),
        dim,
    )


async def deck_restore(ctx: Context, args: dict[str, Any]) -> None:
    dim = await deck.restore(ctx.community.id, ctx.person.id, args["dimension"], ctx.now())
    await _deck_changed(
        ctx, _("“{title}” is back in the deck.").format(title=UserText(dim.title)), dim
    )


async def deck_reset(ctx: Context, args: dict[str, Any]) -> None:
    await deck.reset(ctx.community.id, ctx.person.id, ctx.now())
    await _deck_changed(ctx, _("The deck is back to the default; history is kept."))


async def deck_history(ctx: Context, args: dict[str, Any]) -> None:
    changes = await deck.history(ctx.community.id)
    tz = _tz(ctx)
    ids = {c.member for c in changes}
    names = dict(
        await Membership.filter(community_id=ctx.community.id, person_id__in=ids).values_list(
            "person_id", "name"
        )
    )
    lines = [
        views.deck_change_line(c, tz, names.get(c.member) or c.member) for c in reversed(changes)
    ]
    await ctx.reply(
        View(title=_("Deck history"), text="\n".join(lines) or _("The deck has not been changed."))
    )
