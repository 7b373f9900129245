"""The canvas's commands and buttons: show it (view, picture, Markdown), edit it box by box,
its history, the Community Canvas themes, the pinned copy, and the seam with the workshop
(:func:`store_outcome`)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import TYPE_CHECKING, Any

from copkit.core import goals
from copkit.core.context import Context, Scope
from copkit.core.errors import UserError
from copkit.core.formats import Format
from copkit.core.i18n import N_, _, current_locale
from copkit.core.lru import LRUDict
from copkit.core.models import Membership, ShownView
from copkit.core.parsing import join_words
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.views import Button, Form, FormInput, Image, UserText, View, notice

from . import canvas_store
from .canvas_markdown import canvas_text, empty_text, headline, history_view, markdown_view
from .canvas_model import ITEM_MAX, Canvas, apply_edit, describe, extend
from .canvas_picture import render

if TYPE_CHECKING:
    from .outcome import WorkshopOutcome

cv = Format(
    "canvas",
    N_("Community canvas"),
    N_("The community's vision on one page: seven boxes, a picture to pin, goals to measure."),
)

cv.log_words(
    {
        "canvas.pin": N_("{who} pinned the community canvas"),
        "canvas.workshop": N_("The vision workshop updated the community canvas"),
    }
)

ADD = cv.route("add")
"""The canvas's "Add to the canvas" button and its form (box, text)."""

PINNED = "canvas:pinned"
"""The key of the pinned copy (one per community): every change re-renders it."""
EDIT_WORDS = N_("change the canvas")

_PICTURES: LRUDict[tuple[Any, ...], bytes] = LRUDict(64)
"""Pictures drawn lately, by everything they show (drawing one takes a few hundred ms)."""


def canvas_ref(version: int) -> str:
    return f"canvas:v{version}"


def _name(scope: Scope, canvas: Canvas) -> str:
    return canvas.name or scope.community.name or _("Our community")


async def canvas_view(scope: Scope, stored: canvas_store.Stored) -> View:
    """The canvas as a chat view with its picture, or a short answer when it is empty."""
    canvas = stored.canvas
    if canvas.is_empty():
        return notice(empty_text())
    name = _name(scope, canvas)
    footer = _("Version {n} · “canvas edit <box> add …” changes it").format(n=stored.version)
    made = {g.text: g for g in await goals.goals_of(scope.community.id) if g.source == "canvas"}
    content = json.dumps(canvas.to_json(), sort_keys=True, ensure_ascii=False)
    key = (
        hashlib.sha256(content.encode()).hexdigest(),
        stored.version,
        name,
        frozenset(made),
        current_locale(),
    )
    png = _PICTURES.get(key)
    if png is None:
        png = _PICTURES[key] = await render(
            canvas,
            name=name,
            footer=_("Version {n}").format(n=stored.version),
            goals=frozenset(made),
        )
    top = headline(canvas)
    form = Form(
        ADD.build(),
        _("Add to the canvas"),
        (
            FormInput("box", _("Box (vision, how, measures, …)"), max_length=40),
            FormInput("text", _("What to add"), max_length=ITEM_MAX, multiline=True),
        ),
    )
    return View(
        title=UserText(name),
        text=(top + "\n\n" if top else "") + canvas_text(canvas, goal_words_of(made)),
        images=[Image("canvas.png", png, _("The community canvas of {name}").format(name=name))],
        footer=footer,
        buttons=[Button(ADD.build(), _("Add to the canvas"), form=form)],
    )


def goal_words_of(made: dict[str, goals.Goal]) -> dict[str, str]:
    out = {}
    for text, g in made.items():
        parts = [_("target {n}").format(n=f"{g.target:g}")] if g.target is not None else []
        parts += [_("per {cadence}").format(cadence=g.cadence)] if g.cadence else []
        out[text] = " · ".join(parts)
    return out


async def _render_pinned(scope: Scope) -> View | None:
    stored = await canvas_store.current(scope.community.id)
    return await canvas_view(scope, stored)


async def refresh_pinned(scope: Scope) -> None:
    """Re-render the pinned copy, if there is one, to the newest version."""
    if await scope.view_ref(PINNED) is not None:
        await scope.live(PINNED, lambda: _render_pinned(scope))


async def post_pinned(scope: Scope) -> str:
    """Post the canvas in this room as the pinned copy (the one changes re-render) and pin it
    where the platform has pins; what to tell people when it could not be pinned, or ""."""
    await ShownView.filter(community_id=scope.community.id, key=PINNED).delete()
    view = await _render_pinned(scope)
    assert view is not None
    await scope.show(view, key=PINNED)
    pinned = await scope.pin(PINNED)
    if pinned is None:
        return _("This platform has no pinned messages: “canvas” shows the canvas any time.")
    if not pinned:
        return _("I could not pin the canvas: give me the Pin Messages permission here.")
    return ""


async def store_outcome(ctx: Scope, outcome: WorkshopOutcome) -> None:
    """The workshop's end: its outcome becomes the canvas's next version (logged), and the
    picture is posted in the workshop's room and pinned where the platform allows."""

    def made(canvas: Canvas) -> dict[str, Any]:
        fresh = Canvas(
            name=outcome.name.strip(),
            leader=(outcome.leader or "").strip(),
            date=outcome.date.isoformat()
            if hasattr(outcome.date, "isoformat")
            else str(outcome.date),
            participants=[str(p) for p in outcome.participants],
            boxes={k: [str(i) for i in v if str(i).strip()] for k, v in outcome.boxes.items()},
            # the workshop gives (side, idea, strength); the canvas keeps (idea, side, strength)
            force_field=[(text, side, strength) for side, text, strength in outcome.force_field],
            workshop_id=outcome.workshop_id,
        )
        for f in dataclasses.fields(Canvas):  # the workshop's canvas replaces the one before
            setattr(canvas, f.name, getattr(fresh, f.name))
        return {"op": "workshop", "workshop": outcome.workshop_id}

    stored = await canvas_store.change(outcome.community_id, "", ctx.now(), made)
    await ctx.log("canvas.workshop", ref=canvas_ref(stored.version), text=describe(stored.change))
    await ctx.settings_changed()  # the brand's name: the workshop's name vote
    note = await post_pinned(ctx)
    if note:
        await ctx.show(notice(note))


# Commands -------------------------------------------------------------------------------------


@cv.command(
    help=N_("Show the community canvas (a picture to pin; --markdown for Markdown)."),
    args=(Arg("markdown", N_("as Markdown"), type="flag"),),
)
async def show(ctx: Context, args: dict[str, Any]) -> None:
    stored = await canvas_store.current(ctx.community.id)
    if args.get("markdown") and not stored.canvas.is_empty():
        await ctx.reply(markdown_view(stored.canvas, _name(ctx, stored.canvas), stored.version))
        return
    await ctx.reply(await canvas_view(ctx, stored))


async def _changed(ctx: Context, stored: canvas_store.Stored) -> None:
    what = describe(stored.change)
    await ctx.contribute("canvas", canvas_ref(stored.version), what)
    await ctx.settings_changed()  # the brand's name may come from the canvas's
    await refresh_pinned(ctx)
    await ctx.reply(
        notice(_("Canvas version {n}: {what}.").format(n=stored.version, what=what), "success")
    )


@cv.command(
    "edit",
    help=N_("Change a box: add, change, remove or move an item (or change the name)."),
    args=(
        Arg(
            "box",
            N_("which box: vision, importance, how, measures, impact, …"),
            positional=True,
            required=True,
            max_length=40,
        ),
        Arg(
            "op",
            N_("add, change, remove or move"),
            positional=True,
            required=True,
            choices=("add", "change", "remove", "move"),
        ),
        Arg(
            "words",
            N_("the text, or the item's number (and its new text or position)"),
            type="rest",
            positional=True,
        ),
    ),
    role=Role.CORE,
    words=EDIT_WORDS,
    button=ADD,
)
async def edit(ctx: Context, args: dict[str, Any]) -> None:
    box = join_words(args.get("box"))
    if "op" in args:
        op, words = str(args["op"]), [str(w) for w in args.get("words") or []]
    else:  # the button's form: add its text to its box
        op, words = "add", [join_words(args.get("text"))]
    if not box:
        raise UserError(_("Which box? For example: vision, how, measures."))
    stored = await canvas_store.change(
        ctx.community.id, ctx.person.id, ctx.now(), lambda c: apply_edit(c, box, op, words)
    )
    await _changed(ctx, stored)


@cv.command(
    "extend",
    help=N_("Add the Community Canvas themes, seeded from the seven boxes."),
    role=Role.CORE,
    words=EDIT_WORDS,
)
async def extend_canvas(ctx: Context, args: dict[str, Any]) -> None:
    if (await canvas_store.current(ctx.community.id)).canvas.is_empty():
        raise UserError(empty_text())
    stored = await canvas_store.change(ctx.community.id, ctx.person.id, ctx.now(), extend)
    await _changed(ctx, stored)


@cv.command("history", help=N_("Every version of the canvas: who changed what."))
async def history(ctx: Context, args: dict[str, Any]) -> None:
    rows = await canvas_store.history(ctx.community.id)
    ids = {r.member for r in rows if r.member}
    names = dict(
        await Membership.filter(community_id=ctx.community.id, person_id__in=ids).values_list(
            "person_id", "name"
        )
    )
    await ctx.reply(history_view(rows, names))


@cv.command(
    "pin",
    help=N_("Post the canvas here and pin it; changes keep it up to date."),
    role=Role.CORE,
    words=N_("pin the canvas"),
)
async def pin(ctx: Context, args: dict[str, Any]) -> None:
    if (await canvas_store.current(ctx.community.id)).canvas.is_empty():
        raise UserError(empty_text())
    note = await post_pinned(ctx)
    await ctx.log("canvas.pin", ref=PINNED, member=ctx.person.id)
    if note:
        await ctx.reply(note, private=True)
