"""``healthcheck deck from-canvas``: one dimension per goal of the community's vision.

The seed says to adapt the self-assessment to the community's own vision. The goals are the
community's goals in the core (:mod:`copkit.core.goals`: the canvas's measures made goals, and
any others); while it has none, the Measures of the canvas, read through the core (the
``copkit_canvas`` hook) — never by importing the plugin that keeps the canvas. Each becomes a proposed dimension with an awesome and a crappy
statement; the leader adds them (the button, or ``--add``) and then edits the wording with
``healthcheck deck edit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from copkit.core import goals
from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _, ngettext
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.views import Button, UserText, View, notice

from . import deck
from .deck import STATEMENT_MAX, TITLE_MAX
from .routes import DECK_REF, hc

FROM_CANVAS = hc.route("fromcanvas:{version:int}")
"""Add the proposed dimensions; carries the canvas version they were proposed from."""


@dataclass(frozen=True, slots=True)
class Proposal:
    title: str
    awesome: str
    crappy: str


def _cut(text: str, most: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def propose(goal: str) -> Proposal:
    """A dimension for ``goal``: its text as the title, and two statements to edit."""
    title = _cut(goal, TITLE_MAX)
    short = _cut(goal, STATEMENT_MAX - 80)
    return Proposal(
        title=title,
        awesome=_cut(_("We are clearly on our way: “{goal}”.").format(goal=short), STATEMENT_MAX),
        crappy=_cut(
            _("We are not getting closer to “{goal}”, or we lost sight of it.").format(goal=short),
            STATEMENT_MAX,
        ),
    )


async def proposals(ctx: Context) -> tuple[int, list[Proposal]]:
    """The canvas version and one proposal per goal (or, without goals, per Measures item)."""
    canvas = await ctx.services.hooks.canvas(ctx.community.id)
    version = canvas.version if canvas else 0
    texts = [g.text for g in await goals.goals_of(ctx.community.id)]
    if not texts and canvas is None:
        raise UserError(
            _("There is no canvas yet: run the vision workshop or “canvas edit measures add …”.")
        )
    texts = texts or [g for g in (canvas.boxes.get("measures", ()) if canvas else ()) if g.strip()]
    if not texts:
        raise UserError(
            _("The canvas has no measures yet: add some with “canvas edit measures add …”.")
        )
    return version, [propose(t) for t in texts]


def proposal_view(version: int, items: list[Proposal]) -> View:
    lines = []
    for n, p in enumerate(items, 1):
        lines.append(f"**{n}. {UserText(p.title)}**")
        lines.append(f"🟢 {UserText(p.awesome)}")
        lines.append(f"🔴 {UserText(p.crappy)}")
    count = len(items)
    return View(
        title=_("Dimensions from the canvas's goals"),
        text="\n".join(lines),
        footer=_(
            "Add them, then reword each with “healthcheck deck edit <dimension> --awesome … "
            "--crappy …”."
        ),
        buttons=[
            Button(
                FROM_CANVAS.build(version=version),
                ngettext("Add it to the deck", "Add these {n} to the deck", count).format(n=count),
                "primary",
            )
        ],
    )


@hc.command(
    "deck",
    "from-canvas",
    help=N_("Propose one dimension per goal of the community canvas."),
    args=(Arg("add", N_("add them to the deck now"), type="flag"),),
    role=Role.LEADER,
    words=N_("change the health-check deck"),
    button=FROM_CANVAS,
)
async def from_canvas(ctx: Context, args: dict[str, Any]) -> None:
    version, items = await proposals(ctx)
    if "version" not in args and not args.get("add"):
        await ctx.reply(proposal_view(version, items))
        return
    if "version" in args and args["version"] != version:
        raise UserError(_("The canvas changed since: run “healthcheck deck from-canvas” again."))
    added, skipped = [], []
    for p in items:
        try:
            dim = await deck.add(
                ctx.community.id, ctx.person.id, p.title, p.awesome, p.crappy, ctx.now()
            )
        except UserError as exc:
            skipped.append(f"{UserText(p.title)}: {exc.message}")
            continue
        added.append(dim)
    if added:
        await ctx.log(
            "healthcheck.deck", ref=DECK_REF, member=ctx.person.id, text=f"from canvas v{version}"
        )
    text = ngettext(
        "Added {n} dimension from the canvas.", "Added {n} dimensions from the canvas.", len(added)
    ).format(n=len(added))
    if added:
        text += " " + _("Keys: {keys}.").format(keys=", ".join(d.key for d in added))
    if skipped:
        text += "\n" + _("Not added:") + "\n" + "\n".join(f"- {s}" for s in skipped)
    await ctx.reply(notice(text, "success" if added else "warning"))
