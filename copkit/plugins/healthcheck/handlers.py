"""Looking back: a round's results, the history of rounds, one dimension's trend, and the
export of the aggregates (never an individual answer)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from copkit.core.context import Context, Scope
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _, ngettext
from copkit.core.specs import Arg
from copkit.core.usertext import spreadsheet_safe
from copkit.core.views import Attachment, ToRoom, View

from . import charts, deck, logic, report, views
from .models import Dimension, Round
from .rounds import grid_picture, show_results
from .routes import hc
from .tally import COLOURS, Tally, participation


@hc.command(
    "results",
    help=N_("Show a round's results (the latest by default)."),
    args=(Arg("round", N_("the round number"), type="int", positional=True),),
)
async def results(ctx: Context, args: dict[str, Any]) -> None:
    r = await logic.get_round(ctx.community.id, args.get("round"))
    await show_results(ctx, r, ToRoom(ctx.room_id))


@hc.command("history", help=N_("Every round, with the traffic-light grid."))
async def history(ctx: Context, args: dict[str, Any]) -> None:
    await ctx.reply(await history_view(ctx))


async def history_view(
    scope: Scope, *, picture: bool = True, known: logic.Tallies | None = None
) -> View:
    """Every round (the latest 20), with the traffic-light grid unless ``picture`` is false
    (``known``: tallies read already, see :func:`.logic.tallies`)."""
    rounds = list(
        reversed(await Round.filter(community_id=scope.community.id).order_by("-number").limit(20))
    )
    tallies = await logic.tallies([r.id for r in rounds if r.enough], known)
    tz = scope.zone
    lines = []
    for r in rounds:
        dominant = None
        if r.enough:
            shown = [t for t in tallies[r.id].values() if t.answered >= r.min_responses]
            dominant = {c: sum(1 for t in shown if t.dominant == c) for c in COLOURS}
        lines.append(views.history_line(r, tz, dominant))
    return views.history(lines, await grid_picture(scope) if picture else None)


@hc.command(
    "trend",
    help=N_("One dimension across rounds, with a chart."),
    args=(Arg("dimension", N_("a dimension"), type="rest", positional=True, required=True),),
)
async def trend(ctx: Context, args: dict[str, Any]) -> None:
    words = " ".join(args.get("dimension") or [])
    if not words:
        raise UserError(_("Which dimension? For example: healthcheck trend purpose"))
    dim = await deck.find(ctx.community.id, words)
    await ctx.reply(await trend_view(ctx, dim))


async def trend_view(
    scope: Scope,
    dim: Dimension,
    *,
    picture: bool = True,
    data: list[tuple[Round, Tally]] | None = None,
) -> View:
    """One dimension across rounds (``data``, else read), with its chart unless ``picture`` is
    false."""
    if data is None:
        data = await logic.dimension_trend(scope.community.id, dim.id)
    tz = scope.zone
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
    if shown and picture:  # every round in its place: those with too few answers as gaps
        png = await charts.render(
            charts.trend_png,
            [report.round_label(r, tz) for r, _t in data],
            [t.green for _r, t in data],
            [t.amber for _r, t in data],
            [t.red for _r, t in data],
            [t.score for _r, t in data],
            title=dim.title,
            labels=(_("green"), _("amber"), _("red"), _("score")),
            axis=_("% of answers · score 0–100"),
            hidden=[t.answered < r.min_responses for r, t in data],
            hidden_label=_("too few answers"),
        )
    return views.trend(dim.title, lines, png)


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
    w = csv.DictWriter(buf, EXPORT_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    w.writeheader()
    for rnd in data:
        head = {k: spreadsheet_safe(rnd[k]) for k in EXPORT_COLUMNS if k in rnd}
        if not rnd["dimensions"]:
            w.writerow(head)
        for d in rnd["dimensions"]:
            w.writerow({**head, **{k: spreadsheet_safe(v) for k, v in d.items()}})
    return buf.getvalue()


@hc.command(
    "export",
    help=N_("Export the results (aggregates only)."),
    args=(Arg("format", N_("csv or json"), default="csv", choices=("csv", "json")),),
)
async def export(ctx: Context, args: dict[str, Any]) -> None:
    fmt = args.get("format") or "csv"
    data = await export_data(ctx.community.id)
    if not data:
        raise UserError(_("Nothing to export yet: no health check has closed."))
    if fmt == "json":
        body = json.dumps({"rounds": data}, ensure_ascii=False, indent=1)
    else:
        body = to_csv(data)
    title = _("Health-check export ({fmt}, aggregates only)").format(fmt=fmt.upper())
    name = f"healthcheck-export.{fmt}"
    mime = "application/json" if fmt == "json" else "text/csv"
    n = len(data)
    text = ngettext("{n} round, in {name}.", "{n} rounds, in {name}.", n).format(n=n, name=name)
    file = Attachment(name, mime, body.encode("utf-8"), _("health-check results, aggregates only"))
    await ctx.reply(View(title=title, text=text, attachments=[file]), private=True)
