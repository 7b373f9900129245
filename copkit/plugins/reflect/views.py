"""Reflect's views: the scorecard, participation, a member's own history, nudges, the digest.

No view lists members by how much or how little they give: participation and the balance are
counts and shares of the whole community; ``me`` shows a member only their own.
"""

from __future__ import annotations

from copkit.core import goals
from copkit.core.i18n import N_, _, ngettext
from copkit.core.views import Field, Image, UserText, View

from .ingest import month_name
from .scorecard import Row
from .stats import LEVELS, Participation

TREND = {"up": "↑", "down": "↓", "same": "→", None: ""}
PERCENT = {"presenters_share", "not_leader_share", "actions_closed", "newcomer_contribution"}
LEVEL_WORDS = {
    "core": N_("core"),
    "active": N_("active"),
    "occasional": N_("occasional"),
    "peripheral": N_("peripheral"),
}
CADENCE_WORDS = {
    "week": N_("this week"),
    "month": N_("this month"),
    "quarter": N_("this quarter"),
    "year": N_("this year"),
    None: N_("this month"),
}


def number(value: float | None, signal: str | None = None) -> str:
    if value is None:
        return "—"
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    if signal and goals.signal_parts(signal)[0] in PERCENT:
        text += "%"
    return text


def measured_by(row: Row) -> str:
    if row.goal.signal:
        return _("measured: {signal}").format(signal=row.goal.signal)
    return _("entered by the core team")


def goal_line(n: int, row: Row) -> str:
    g = row.goal
    value = number(row.value, g.signal)
    target = number(g.target, g.signal) if g.target is not None else _("no target")
    mark = {True: "✅", False: "⏳", None: "·"}[row.met]
    line = _("{mark} **{n}.** {text} — {when}: **{value}** (target {target})").format(
        mark=mark,
        n=n,
        text=UserText(g.text),
        when=_(CADENCE_WORDS[g.cadence]),
        value=value,
        target=target,
    )
    if row.previous is not None:
        line += " " + _("{arrow} before: {value}").format(
            arrow=TREND[row.trend], value=number(row.previous, g.signal)
        )
    return line + f" · {measured_by(row)}"


def png_rows(rows: list[Row]) -> list[tuple[str, float | None, str, str]]:
    return [
        (
            r.goal.text,
            r.progress,
            number(r.value, r.goal.signal),
            number(r.goal.target, r.goal.signal) if r.goal.target is not None else "—",
        )
        for r in rows
    ]


def scorecard(rows: list[Row], png: bytes | None) -> View:
    if not rows:
        return View(
            title=_("Scorecard"),
            text=_(
                "No goals yet. The core team adds one with "
                '“goals add "Two events a month" --target 2 --signal events_held”.'
            ),
        )
    text = "\n".join(goal_line(i, r) for i, r in enumerate(rows, 1))
    met = sum(1 for r in rows if r.met)
    with_target = sum(1 for r in rows if r.met is not None)
    footer = ngettext(
        "{met} of {n} goal with a target met so far.",
        "{met} of {n} goals with a target met so far.",
        with_target,
    ).format(met=met, n=with_target)
    images = [Image("scorecard.png", png, _("The scorecard as bars"))] if png else []
    return View(title=_("Scorecard"), text=text, footer=footer, images=images)


def participation(p: Participation) -> View:
    lines = []
    for name in LEVELS:
        lines.append(
            _("**{level}**: {n} ({share}%) · before: {before}").format(
                level=_(LEVEL_WORDS[name]).capitalize(),
                n=p.counts[name],
                share=p.share(name),
                before=p.previous[name],
            )
        )
    movement = _(
        "{up} moved up, {down} moved down, {quiet} went quiet, {new} new this month."
    ).format(up=p.moved_up, down=p.moved_down, quiet=p.went_quiet, new=p.newcomers)
    balance = "  ".join(f"{month_name(m)}: {_share(g, t)}" for m, g, t in p.balance)
    return View(
        title=_("Participation"),
        text="\n".join(lines),
        fields=[
            Field(_("Movement"), movement),
            Field(_("Share of giving (talks, topics, notes, actions) per month"), balance),
        ],
        footer=ngettext(
            "Over the last {n} month, {known} members seen. Counts only — never names.",
            "Over the last {n} months, {known} members seen. Counts only — never names.",
            p.window,
        ).format(n=p.window, known=p.known),
    )


def _share(g: int, t: int) -> str:
    return f"{round(100 * g / (g + t))}%" if g + t else "—"


def me(history: dict, window: int) -> View:
    months = "\n".join(
        _("{month}: gave {g}, took part {t}").format(month=month_name(m), g=g, t=t)
        for m, g, t in history["months"]
    )
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(history["kinds"].items())) or "—"
    level = _(LEVEL_WORDS[LEVELS[3 - history["level"]]])
    private = (
        _("You are left out of the statistics (“me private off” to count again).")
        if history["private"]
        else _("You count in the statistics (“me private” to be left out; you still take part).")
    )
    return View(
        title=_("Your history"),
        text=months,
        fields=[
            Field(_("What you did"), kinds),
            Field(
                _("Your level"),
                ngettext(
                    "{level} (over the last {n} month)",
                    "{level} (over the last {n} months)",
                    window,
                ).format(level=level, n=window),
            ),
        ],
        footer=private,
    )
