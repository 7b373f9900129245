"""The monthly digest for the leader (and the sponsor): events held, participation and its
movement, the scorecard, the health trend and the open actions — a view and a picture.

The digest job runs on the first of each month for the month just ended; a row per month
(unique) is written before anything is sent, so a retried job or a second process never sends
it twice. ``digest`` shows the month so far, on demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from copkit.core import store
from copkit.core.context import Context, JobContext, Scope
from copkit.core.i18n import N_, _, ngettext
from copkit.core.models import Community
from copkit.core.roles import Role
from copkit.core.views import Field, Image, View

from . import charts, views
from .coach import settings_of
from .format import rf
from .ingest import catch_up, epoch, month_index, month_name
from .models import DigestSent, Timers
from .prepare import next_digest, prepare
from .scorecard import Row, scorecard
from .stats import LEVELS, Participation, leaders, lens_of, participation

MONTHS = 6


@dataclass
class Digest:
    month: int
    events: dict[str, int]  # format -> events held that month
    per_month: list[tuple[int, int]]  # month, events
    participation: Participation
    rows: list[Row]
    health: list[tuple[int, float | None]]
    open_actions: int
    overdue_actions: int


def _month_bounds(index: int) -> tuple[datetime, datetime]:
    start = datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)
    nxt = index + 1
    return start, datetime(nxt // 12, nxt % 12 + 1, 1, tzinfo=UTC)


async def build(scope: Scope, month: int) -> Digest:
    cid = scope.community.id
    start, end = _month_bounds(month)
    first, _end = _month_bounds(month - MONTHS + 1)
    rows = await store.rows(
        "SELECT format, ended_at FROM reflect_event WHERE community_id = ?"
        " AND ended_at >= ? AND ended_at < ?",
        [cid, epoch(first), epoch(end)],
    )
    events: dict[str, int] = {}
    per: dict[int, int] = {m: 0 for m in range(month - MONTHS + 1, month + 1)}
    for r in rows:
        m = month_index(int(r["ended_at"]))
        per[m] += 1
        if m == month:
            events[str(r["format"])] = events.get(str(r["format"]), 0) + 1
    community = await Community.get(id=cid)
    at = end - timedelta(seconds=1)
    health = []
    for m in per:
        s, e = _month_bounds(m)
        got = await scope.services.hooks.signals(scope.community, ["health.average"], s, e)
        health.append((m, got["health.average"].value if "health.average" in got else None))
    actions = await store.rows(
        "SELECT SUM(CASE WHEN closed_at IS NULL THEN 1 ELSE 0 END) AS open,"
        " SUM(CASE WHEN closed_at IS NULL AND opened_at < ? THEN 1 ELSE 0 END) AS overdue"
        " FROM reflect_action WHERE community_id = ? AND opened_at < ?",
        [epoch(end) - 14 * 86400, cid, epoch(end)],
    )
    return Digest(
        month,
        events,
        sorted(per.items()),
        await participation(cid, lens_of(community), at),
        await scorecard(scope.services.hooks, scope.community, at),
        health,
        int(actions[0]["open"] or 0),
        int(actions[0]["overdue"] or 0),
    )


async def picture(d: Digest) -> bytes:
    lens_months = [month_name(m)[2:] for m, _n in d.per_month]
    balance = await _balance(d)
    return await charts.render(
        charts.digest_png,
        _("Digest {month}").format(month=month_name(d.month)),
        lens_months,
        [n for _m, n in d.per_month],
        [
            (_(views.LEVEL_WORDS[n]), d.participation.counts[n], d.participation.previous[n])
            for n in LEVELS
        ],
        balance,
        [v for _m, v in d.health],
        [
            _("Events held"),
            _("Participation: before (grey) and now"),
            _("Share of giving (%)"),
            _("Health score"),
        ],
    )


async def _balance(d: Digest) -> list[float | None]:
    by = {m: (g, g + t) for m, g, t in d.participation.balance}
    return [
        round(100 * by[m][0] / by[m][1], 1) if m in by and by[m][1] else None
        for m, _n in d.per_month
    ]


def view(d: Digest, png: bytes | None) -> View:
    held = sum(d.events.values())
    by_format = ", ".join(f"{f} {n}" for f, n in sorted(d.events.items())) or "—"
    p = d.participation
    levels = ", ".join(f"{_(views.LEVEL_WORDS[n])} {p.counts[n]}" for n in LEVELS)
    movement = _("{up} moved up, {quiet} went quiet, {new} new.").format(
        up=p.moved_up, quiet=p.went_quiet, new=p.newcomers
    )
    card = "\n".join(views.goal_line(i, r) for i, r in enumerate(d.rows, 1)) or _("No goals yet.")
    health = " ".join(
        f"{month_name(m)[5:]}:{views.number(v)}" for m, v in d.health if v is not None
    ) or _("no health check in these months")
    return View(
        title=_("Monthly digest: {month}").format(month=month_name(d.month)),
        text=ngettext("{n} event held ({formats}).", "{n} events held ({formats}).", held).format(
            n=held, formats=by_format
        ),
        fields=[
            Field(_("Participation"), f"{levels}\n{movement}"),
            Field(_("Scorecard"), card[:1000]),
            Field(_("Health trend"), health),
            Field(
                _("Open actions"),
                _("{open} open, {overdue} older than two weeks.").format(
                    open=d.open_actions, overdue=d.overdue_actions
                ),
            ),
        ],
        images=[Image("digest.png", png, _("The digest's four charts"))] if png else [],
        footer=_("For the leader and the sponsor; the scorecard is public (“goals”)."),
    )


@rf.command(
    "digest",
    help=N_("The month so far, as the monthly digest shows it (only you see it)."),
    role=Role.CORE,
    top=True,
)
async def digest_show(ctx: Context, args: dict[str, Any]) -> None:
    await prepare(ctx)
    d = await build(ctx, month_index(ctx.now()))
    await ctx.reply(view(d, await picture(d)), private=True)


@rf.job("digest")
async def digest_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    await catch_up(ctx.community.id)
    now = ctx.now()
    month = month_index(now) - 1
    sent = await store.insert_if_absent(
        DigestSent, community_id=ctx.community.id, month=month_name(month), at=now
    )
    if sent is not None:
        d = await build(ctx, month)
        png = await picture(d)
        sponsor = settings_of(ctx.community).get("sponsor")
        readers = await leaders(ctx.community.id)
        for person in dict.fromkeys([*readers, *([sponsor] if sponsor else [])]):
            await ctx.send_private(person, view(d, png))
    job = await ctx.schedule("reflect.digest", next_digest(now))
    await Timers.filter(community_id=ctx.community.id).update(digest_job=job)
