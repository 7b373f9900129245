"""The board's controls beside "Next" and "Join", so a session runs from its card as well as
by command: Xtrem Reading's choice of a book and its rating form; Xtrem Watch's topic form
(private until the pitch), the dot choice and "we start" for the group whose turn it is.

Each mirrors its command (same role, same checks, same answers): a press after its step, on
an old board or twice, is refused by the command's own checks and changes nothing.
"""

from __future__ import annotations

from typing import Any

from copkit.core.context import Context, Scope
from copkit.core.errors import UserError
from copkit.core.i18n import _
from copkit.core.views import Button, Choice, Form, FormInput, Option, UserText

from . import books, engine, reading, watch
from . import format as fm
from .format import READING, WATCH, xr, xw
from .models import Reading, Session

OPTIONS_MAX = 25
"""Options in one choice (Discord's select menus hold 25)."""


def _label(number: int, text: str) -> str:
    return f"{number}. " + UserText(text[:90])


def _selected(args: dict[str, Any], missing: str) -> str:
    picked = args.get("selected") or []
    if not isinstance(picked, list) or not picked:
        raise UserError(missing)
    return str(picked[0])[:20]


def rate_form(s: Session) -> Form:
    return Form(
        fm.RATE.build(session=s.id),
        _("Rate a book you read"),
        (
            FormInput("readability", _("Readability, 1–5"), max_length=1),
            FormInput("recommendation", _("Recommendation, 1–5"), max_length=1),
            FormInput(
                "book",
                _("The book's number (default: the one you read first)"),
                max_length=9,
                required=False,
            ),
        ),
    )


async def reading_controls(s: Session, scope: Scope) -> tuple[list[Button], list[Choice]]:
    if s.step == "pick":
        taken = {r.book_id for r in await Reading.filter(session_id=s.id, round=1)}
        options = tuple(
            Option(str(b.number), _label(b.number, b.title))
            for b in await books.listed(scope.community.id)
            if b.id not in taken
        )[:OPTIONS_MAX]
        if options:
            return [], [Choice(fm.PICK.build(session=s.id), options, _("Pick a book…"))]
    if s.step in ("share", "daytoday", "rate"):
        form = rate_form(s)
        return [Button(form.action_id, _("Rate a book"), "primary", form=form)], []
    return [], []


async def watch_controls(s: Session, scope: Scope) -> tuple[list[Button], list[Choice]]:
    if s.step == "brainstorm":
        form = watch.topic_form(s)
        return [Button(form.action_id, _("Add a topic"), "primary", form=form)], []
    if s.step == "vote":
        options = tuple(
            Option(str(n.number), _label(n.number, n.text)) for n in await watch._topics(s)
        )[:OPTIONS_MAX]
        if options:
            return [], [Choice(fm.VOTE.build(session=s.id), options, _("Give a dot to…"))]
    if s.step == "present":
        phase = await engine.phase_of(s)
        if phase is not None and phase.status == "pending":
            return [Button(fm.PRESENT.build(session=s.id), _("We start"), "primary")], []
    return [], []


engine.CONTROLS[READING] = reading_controls
engine.CONTROLS[WATCH] = watch_controls


@xr.button(fm.PICK, mirrors="pick")
async def pick_pressed(ctx: Context, args: dict[str, Any]) -> None:
    s = await engine.of(ctx, READING, args)
    await reading.do_pick(ctx, s, _selected(args, _("Pick a book.")), "")


@xr.button(fm.RATE, mirrors="rate")
async def rate_pressed(ctx: Context, args: dict[str, Any]) -> None:
    s = await engine.of(ctx, READING, args)
    await reading.do_rate(ctx, s, args)


@xw.button(fm.TOPIC, mirrors="topic")
async def topic_pressed(ctx: Context, args: dict[str, Any]) -> None:
    s = await engine.of(ctx, WATCH, args)
    await watch.do_topic(ctx, s, str(args.get("text") or ""))


@xw.button(fm.VOTE, mirrors="vote")
async def vote_pressed(ctx: Context, args: dict[str, Any]) -> None:
    s = await engine.of(ctx, WATCH, args)
    await watch.do_vote(ctx, s, _selected(args, _("Pick a topic.")))


@xw.button(fm.PRESENT, mirrors="present")
async def present_pressed(ctx: Context, args: dict[str, Any]) -> None:
    await watch.do_present(ctx, await engine.of(ctx, WATCH, args))
