"""The leader's coach: private nudges when something needs care, at most one a week, each with
its reason and a suggested next step, each switched off with ``coach off <nudge>``.

The weekly job looks at the aggregates (and the health check, through ``copkit_signals``), picks
the first finding in the order of :data:`NUDGES`, records it — a week's row, checked under a lock,
so a retried job, a second process or a restart never sends a second one that week — and then
sends it to the leader(s).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from copkit.core import store
from copkit.core.context import Context, JobContext, Scope
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _, ngettext
from copkit.core.models import Community
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.views import Field, View, notice

from .format import rf
from .ingest import catch_up, epoch
from .models import Nudge, Timers
from .prepare import COACH_EVERY, prepare
from .stats import leaders

QUIET_WEEKS = 4
SAME_FORMAT_RUN = 4
HEALTH_EVERY_DAYS = 91
ACTION_OVERDUE_DAYS = 14
LEADER_SHARE = 0.8  # of the last LEADER_WINDOW events with a known host
LEADER_WINDOW = 6
NEWCOMERS_GONE = 2


@dataclass(frozen=True, slots=True)
class Finding:
    key: str
    reason: str
    step: str


NUDGES: dict[str, str] = {
    "quiet": N_("no event for {n} weeks"),
    "same-format": N_("the same format {n} times in a row"),
    "health-overdue": N_("no health check for {n} days"),
    "health-red": N_("a health-check dimension red twice running"),
    "actions-overdue": N_("open actions older than {n} days"),
    "leader-runs-all": N_("the leader ran almost every event"),
    "newcomers-gone": N_("newcomers who never came back"),
}
_THRESHOLD = {
    "quiet": QUIET_WEEKS,
    "same-format": SAME_FORMAT_RUN,
    "health-overdue": HEALTH_EVERY_DAYS,
    "actions-overdue": ACTION_OVERDUE_DAYS,
}


def settings_of(community: Community) -> dict[str, Any]:
    return dict((community.settings or {}).get("reflect", {}))


async def save_settings(ctx: Context, changes: dict[str, Any]) -> None:
    community = await Community.get(id=ctx.community.id)
    settings = dict(community.settings or {})
    mine = dict(settings.get("reflect", {}))
    mine.update(changes)
    settings["reflect"] = mine
    community.settings = settings
    await community.save(update_fields=["settings"])
    await ctx.settings_changed()


async def findings(scope: Scope, now: datetime) -> list[Finding]:
    """Everything that needs care now, in the order of :data:`NUDGES` (switched-off ones too)."""
    cid, ts = scope.community.id, epoch(now)
    out: list[Finding] = []
    last = await store.rows(
        "SELECT format, host, ended_at FROM reflect_event WHERE community_id = ?"
        " AND ended_at IS NOT NULL ORDER BY ended_at DESC LIMIT ?",
        [cid, max(SAME_FORMAT_RUN, LEADER_WINDOW)],
    )
    first = await store.rows(
        "SELECT MIN(first_at) AS f FROM reflect_member WHERE community_id = ?", [cid]
    )
    since = int(first[0]["f"] or ts) if first else ts
    quiet_for = QUIET_WEEKS * 7 * 86400
    if (last and ts - int(last[0]["ended_at"]) > quiet_for) or (
        not last and ts - since > quiet_for
    ):
        out.append(
            Finding(
                "quiet",
                _("No event has happened for {n} weeks.").format(n=QUIET_WEEKS),
                _("Pick a light format — a lean coffee takes ten minutes to set up."),
            )
        )
    run = [r["format"] for r in last[:SAME_FORMAT_RUN]]
    if len(run) == SAME_FORMAT_RUN and len(set(run)) == 1:
        out.append(
            Finding(
                "same-format",
                _("The last {n} events were all {format}.").format(n=len(run), format=run[0]),
                _("Vary the pleasures: try another format next time (“formats” lists them)."),
            )
        )
    measured = await scope.services.hooks.signals(
        scope.community, ["health.days_since", "health.red_twice"], now - timedelta(days=3650), now
    )
    days = measured.get("health.days_since")
    never_for = (ts - since) / 86400
    has_health = "healthcheck" in scope.services.registry.formats
    overdue_health = (days is not None and days.value > HEALTH_EVERY_DAYS) or (
        days is None and never_for > HEALTH_EVERY_DAYS
    )
    if has_health and overdue_health:
        out.append(
            Finding(
                "health-overdue",
                _("The last health check is more than {n} days old.").format(n=HEALTH_EVERY_DAYS),
                _("Open a round with “healthcheck start” and talk about the results together."),
            )
        )
    red = measured.get("health.red_twice")
    if red and red.value > 0:
        out.append(
            Finding(
                "health-red",
                _("Red twice running: {names}.").format(names=red.detail or "?"),
                _("Give that dimension a retrospective of its own, and agree one action."),
            )
        )
    overdue = await store.rows(
        "SELECT COUNT(*) AS n FROM reflect_action WHERE community_id = ? AND closed_at IS NULL"
        " AND opened_at < ?",
        [cid, ts - ACTION_OVERDUE_DAYS * 86400],
    )
    n = int(overdue[0]["n"] or 0)
    if n:
        out.append(
            Finding(
                "actions-overdue",
                ngettext(
                    "{n} open action is older than {days} days.",
                    "{n} open actions are older than {days} days.",
                    n,
                ).format(n=n, days=ACTION_OVERDUE_DAYS),
                _("Review them at the start of the next event: done, carried or dropped."),
            )
        )
    heads = set(await leaders(cid))
    hosted = [r["host"] for r in last[:LEADER_WINDOW] if r["host"]]
    if heads and len(hosted) >= LEADER_WINDOW - 1:
        by_leader = sum(1 for h in hosted if h in heads)
        if by_leader >= LEADER_SHARE * len(hosted):
            out.append(
                Finding(
                    "leader-runs-all",
                    _("You ran {n} of the last {m} events.").format(n=by_leader, m=len(hosted)),
                    _("Ask someone from the core team to host the next one; offer to co-host."),
                )
            )
    gone = await store.rows(
        "SELECT COUNT(*) AS n FROM reflect_member WHERE community_id = ? AND first_at >= ?"
        " AND first_at < ? AND last_at - first_at < 86400",
        [cid, ts - 56 * 86400, ts - 21 * 86400],
    )
    g = int(gone[0]["n"] or 0)
    if g >= NEWCOMERS_GONE:
        out.append(
            Finding(
                "newcomers-gone",
                ngettext(
                    "{n} newcomer of the last two months never came back.",
                    "{n} newcomers of the last two months never came back.",
                    g,
                ).format(n=g),
                _("Welcome the next ones by name and invite them to a small first step."),
            )
        )
    return out


def nudge_view(f: Finding) -> View:
    return View(
        title=_("A nudge from your coach"),
        text=f.reason,
        fields=[Field(_("A next step"), f.step)],
        footer=_("At most one nudge a week. Switch this one off with “coach off {key}”.").format(
            key=f.key
        ),
    )


async def send_nudge(scope: Scope, now: datetime) -> Finding | None:
    """Send the first finding not switched off, unless a nudge went out less than a week ago."""
    off = set(settings_of(scope.community).get("coach_off", []))
    todo = [f for f in await findings(scope, now) if f.key not in off]
    heads = await leaders(scope.community.id)
    if not todo or not heads:
        return None
    cid = scope.community.id
    async with store.advisory_lock(f"reflect-coach-{cid}"):
        last = await Nudge.filter(community_id=cid).order_by("-sent_at").first()
        if last is not None and now - last.sent_at < COACH_EVERY:
            return None
        year, week, _day = now.isocalendar()
        row = await store.insert_if_absent(
            Nudge, community_id=cid, kind=todo[0].key, sent_at=now, week=f"{year}-W{week:02d}"
        )
    if row is None:
        return None
    for person in heads:
        await scope.send_private(person, nudge_view(todo[0]))
    return todo[0]


@rf.job("coach")
async def coach_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    await catch_up(ctx.community.id)
    now = ctx.now()
    await send_nudge(ctx, now)
    job = await ctx.schedule("reflect.coach", now + COACH_EVERY)
    await Timers.filter(community_id=ctx.community.id).update(coach_job=job)


_KEY = Arg("nudge", N_("which nudge (see “coach”)"), positional=True, required=True)


def _key(raw: str) -> str:
    key = str(raw).strip().lower()
    if key not in NUDGES:
        raise UserError(
            _("There is no nudge “{key}”. They are: {keys}.").format(
                key=key[:40], keys=", ".join(NUDGES)
            )
        )
    return key


@rf.command(
    "coach",
    help=N_("What the coach sees now, and which nudges are on."),
    role=Role.LEADER,
    top=True,
)
async def coach_show(ctx: Context, args: dict[str, Any]) -> None:
    await prepare(ctx)
    off = set(settings_of(ctx.community).get("coach_off", []))
    found = await findings(ctx, ctx.now())
    now_text = "\n".join(f"- {f.reason} {f.step}" for f in found) or _("Nothing needs care now.")
    switches = "\n".join(
        ("○ " if key in off else "● ")
        + f"{key}: "
        + _(words).format(n=_THRESHOLD.get(key, ""))
        + (" " + _("(off)") if key in off else "")
        for key, words in NUDGES.items()
    )
    sponsor = settings_of(ctx.community).get("sponsor") or _("none")
    await ctx.reply(
        View(
            title=_("Your coach"),
            text=now_text,
            fields=[Field(_("Nudges"), switches), Field(_("Sponsor (gets the digest)"), sponsor)],
            footer=_("At most one nudge a week, privately. “coach off <nudge>” switches one off."),
        ),
        private=True,
    )


async def _switch(ctx: Context, key: str, on: bool) -> None:
    off = set(settings_of(ctx.community).get("coach_off", []))
    (off.discard if on else off.add)(key)
    await save_settings(ctx, {"coach_off": sorted(off)})
    await ctx.log("reflect.coach", ref=key, text="on" if on else "off", member=ctx.person.id)
    text = _("The “{key}” nudge is on.") if on else _("The “{key}” nudge is off.")
    await ctx.reply(notice(text.format(key=key), "success"), private=True)


@rf.command(
    "coach", "off", help=N_("Switch a nudge off."), args=(_KEY,), role=Role.LEADER, top=True
)
async def coach_off(ctx: Context, args: dict[str, Any]) -> None:
    await _switch(ctx, _key(args["nudge"]), False)


@rf.command(
    "coach", "on", help=N_("Switch a nudge back on."), args=(_KEY,), role=Role.LEADER, top=True
)
async def coach_on(ctx: Context, args: dict[str, Any]) -> None:
    await _switch(ctx, _key(args["nudge"]), True)


@rf.command(
    "coach",
    "sponsor",
    help=N_("Who also gets the monthly digest (“none” for nobody)."),
    args=(
        Arg("person", N_("the sponsor, or none"), type="person", positional=True, required=True),
    ),
    role=Role.LEADER,
    top=True,
)
async def coach_sponsor(ctx: Context, args: dict[str, Any]) -> None:
    raw = str(args["person"]).strip()
    if raw.lower() == "none":
        await save_settings(ctx, {"sponsor": None})
        await ctx.reply(notice(_("No sponsor gets the digest now."), "success"), private=True)
        return
    person = await ctx.resolve_person(raw)
    await save_settings(ctx, {"sponsor": person.id})
    await ctx.log("reflect.sponsor", ref=person.id, member=ctx.person.id)
    await ctx.reply(
        notice(_("The sponsor will get the monthly digest too."), "success"), private=True
    )
