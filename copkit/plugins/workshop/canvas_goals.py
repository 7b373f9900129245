"""Measures become goals: ``canvas goal <n>`` turns item ``n`` of the Measures box into a goal
in the core (:mod:`copkit.core.goals`), where the reflect format and the health check read it.

A goal made from the canvas has ``source="canvas"`` and ``source_ref="canvas:v<version>:
measures:<n>"``; its text is the measure's. Making the same measure a goal again updates its
target and cadence instead of adding a second goal (one lock per community makes the check and
the insert one step, across processes too).
"""

from __future__ import annotations

from typing import Any

from copkit.core import goals, store
from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.views import UserText, notice

from . import canvas_store
from .canvas_commands import EDIT_WORDS, canvas_ref, cv, goal_words_of, refresh_pinned
from .canvas_markdown import empty_text


def canvas_goals(all_goals: list[goals.Goal]) -> dict[str, goals.Goal]:
    """The community's goals made from the canvas, by their text."""
    return {g.text: g for g in all_goals if g.source == "canvas"}


def goal_words(g: goals.Goal) -> str:
    """``target 2 · per month`` (what is set), or ""."""
    return goal_words_of({g.text: g})[g.text]


def _target(value: Any) -> float | None:
    text = str(value or "").strip().rstrip("%").strip()
    return goals.check_target(text) if text else None  # type: ignore[arg-type]


@cv.command(
    "goal",
    help=N_("Make a measure a goal (with a target and a cadence), or --remove it."),
    args=(
        Arg(
            "n",
            N_("the measure's number in the Measures box"),
            type="int",
            positional=True,
            required=True,
        ),
        Arg("target", N_("a number to reach, e.g. 1 or 50"), max_length=20),
        Arg("cadence", N_("the period it is measured over"), choices=goals.CADENCES),
        Arg("signal", N_("what copkit measures it by, e.g. events_held"), max_length=80),
        Arg("remove", N_("it is no longer a goal"), type="flag"),
    ),
    role=Role.CORE,
    words=EDIT_WORDS,
)
async def goal(ctx: Context, args: dict[str, Any]) -> None:
    stored = await canvas_store.current(ctx.community.id)
    if stored.canvas.is_empty():
        raise UserError(empty_text())
    measures = stored.canvas.items("measures")
    n = args["n"]
    if not measures:
        raise UserError(_("The Measures box is empty: “canvas edit measures add …” first."))
    if not 1 <= n <= len(measures):
        raise UserError(_("Give a measure's number from 1 to {n}.").format(n=len(measures)))
    text = measures[n - 1]
    target = _target(args.get("target"))
    cadence = goals.check_cadence(args.get("cadence"))
    signal = goals.check_signal(args.get("signal"))
    ref = f"canvas:v{stored.version}:measures:{n}"
    async with store.advisory_lock(f"canvas:goals:{ctx.community.id}"):
        existing = canvas_goals(await goals.goals_of(ctx.community.id)).get(text)
        if args.get("remove"):
            if existing is None:
                raise UserError(_("That measure is not a goal."))
            await goals.remove_goal(existing.id)
            said = _("“{goal}” is no longer a goal.")
        elif existing is not None:
            changes: dict[str, Any] = {"source_ref": ref}
            if args.get("target") is not None:
                changes["target"] = target
            if cadence is not None:
                changes["cadence"] = cadence
            if signal is not None:
                changes["signal"] = signal
            existing = await goals.update_goal(existing.id, **changes)
            said = _("“{goal}” was a goal already; now: {how}.")
        else:
            existing = await goals.add_goal(
                ctx.community.id,
                text,
                target=target,
                cadence=cadence,
                signal=signal,
                source="canvas",
                source_ref=ref,
                now=ctx.now(),
            )
            said = _("“{goal}” is a goal now ({how}).")
    how = goal_words(existing) or _("no target yet")
    await ctx.contribute("canvas.goal", canvas_ref(stored.version), f"{text} — {how}"[:300])
    await refresh_pinned(ctx)
    await ctx.reply(notice(said.format(goal=UserText(text), how=how), "success"))
