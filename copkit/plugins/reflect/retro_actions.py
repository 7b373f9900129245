"""The retro's actions: those it agrees (what, who, by when), which join the community's open
actions (``copkit_open_actions``); and the review it opens with — each open action of earlier
events (lean coffee, retros…) done, carried or dropped, by button or by command, logged
(:mod:`copkit.core.actions`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from copkit.core import actions
from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _
from copkit.core.parsing import parse_duration, to_int, words
from copkit.core.roles import Role
from copkit.core.routes import parse_int
from copkit.core.specs import Arg, OpenAction
from copkit.core.views import UserText, View, notice

from . import retro_board as board
from .retro import of, participate, refresh, say
from .retro_format import ACTION, REVIEW, owner, ref, rt
from .retro_models import CLOSED_DONE, DROPPED, OPEN, Retro, RetroAction

ACTION_MAX = 300


def action_key(action_id: int) -> str:
    """The action's key among the community's open actions (``retro:action:7``)."""
    return ref("action", action_id)


def parse_due(raw: str | None, today: date) -> date | None:
    """``2026-02-01``, or a delay from today such as ``7d``; nothing in the past."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        due = date.fromisoformat(raw)
    except ValueError:
        try:
            delta = parse_duration(raw)
        except UserError:
            raise UserError(
                _("“{value}” is not a date (try 2026-02-01 or 7d).").format(value=raw[:30])
            ) from None
        due = today + timedelta(days=max(1, round(delta.total_seconds() / 86400)))
    if due < today:
        raise UserError(_("A due date is today or later."))
    return due


async def add_action(ctx: Context, r: Retro, text: str, who: str, due_raw: str) -> None:
    text = " ".join((text or "").split())
    if not text:
        raise UserError(_("Say what will be done: retro action Share the slides --owner @ann."))
    if len(text) > ACTION_MAX:
        raise UserError(_("An action holds at most {n} characters.").format(n=ACTION_MAX))
    due = parse_due(due_raw, ctx.now().astimezone(ctx.zone).date())
    owner_id, owner_name = None, ""
    who = (who or "").strip()
    if who:
        try:
            person = await ctx.resolve_person(who)
            owner_id, owner_name = person.id, person.name or person.id
        except UserError:
            owner_name = who.removeprefix("@")
    await participate(ctx, r)
    a = await RetroAction.create(
        retro_id=r.id,
        community_id=r.community_id,
        text=text,
        owner_id=owner_id,
        owner_name=owner_name[:200],
        due=due,
        author=ctx.person.id,
        created_at=ctx.now(),
    )
    await ctx.contribute("action", action_key(a.id), text)
    await ctx.reply(notice(_("📌 Action A{id} added.").format(id=a.id), "success"), private=True)
    await refresh(ctx, r.id)


@rt.command(
    "action",
    help=N_("Agree an action: retro action Share the slides --owner @ann --due 7d."),
    args=(
        Arg("text", N_("what will be done"), type="rest", positional=True, required=True),
        Arg("owner", N_("who will do it (@name)"), type="person"),
        Arg("due", N_("when (2026-02-01 or 7d)")),
    ),
    words=N_("add actions"),
)
async def action_cmd(ctx: Context, args: dict[str, Any]) -> None:
    r = await of(ctx, args)
    await add_action(
        ctx, r, words(args.get("text")), str(args.get("owner") or ""), str(args.get("due") or "")
    )


@rt.button(ACTION, mirrors="action")
async def action_form(ctx: Context, args: dict[str, Any]) -> None:
    r = await of(ctx, args)
    await add_action(
        ctx,
        r,
        str(args.get("text") or ""),
        str(args.get("owner") or ""),
        str(args.get("due") or ""),
    )


# The review ---------------------------------------------------------------------------------


def item_of(r: Retro, raw: object) -> tuple[int, OpenAction]:
    n = parse_int(raw)
    if n is None or not 1 <= n <= len(r.review):
        raise UserError(_("There is no action {n} to review.").format(n=str(raw)[:20]))
    it = r.review[n - 1]
    due = date.fromisoformat(it["due"]) if it.get("due") else None
    return n, OpenAction(
        it["key"], it["source"], it["text"], datetime.min, it.get("owner", ""), due
    )


async def review(ctx: Context, r: Retro, raw: object, verdict_raw: object) -> None:
    verdict = actions.check_verdict(verdict_raw)
    n, item = item_of(r, raw)
    if not await actions.review(ctx, item, verdict, owner(r.id)):
        given = (await actions.verdicts(r.community_id, owner(r.id))).get(item.key, "")
        raise UserError(
            _("Action {n} was reviewed already: {verdict}.").format(
                n=n, verdict=board.verdict_word(given)
            )
        )
    await say(
        ctx,
        r,
        _("{n}. {text} — {verdict}").format(
            n=n, text=UserText(item.text), verdict=board.verdict_word(verdict)
        ),
    )
    await refresh(ctx, r.id)


@rt.command(
    "review",
    help=N_("Review an earlier action: retro review 2 done (or carried, dropped)."),
    args=(
        Arg("item", N_("the action's number in the review"), positional=True, required=True),
        Arg("verdict", N_("done, carried or dropped"), positional=True, required=True),
    ),
    role=Role.CORE,
    words=N_("review actions"),
    button=REVIEW,
)
async def review_cmd(ctx: Context, args: dict[str, Any]) -> None:
    r = await of(ctx, args)
    await review(ctx, r, args["item"], args["verdict"])


@rt.command("actions", help=N_("The community's open actions, from every format."))
async def actions_cmd(ctx: Context, args: dict[str, Any]) -> None:
    rows = await actions.open_actions(ctx)
    if not rows:
        await ctx.reply(notice(_("No open actions. 🎉")), private=True)
        return
    lines: list[str] = []
    for a in rows[:50]:
        item = {"text": a.text, "owner": a.owner_name, "source": a.source}
        item["due"] = a.due.isoformat() if a.due else ""
        lines.append(board.review_line(len(lines) + 1, item, None))
    await ctx.reply(View(title=_("Open actions"), text="\n".join(lines)), private=True)


# The hooks' side (bound in the plugin's __init__) ------------------------------------------


async def open_actions(community_id: int) -> list[OpenAction]:
    rows = await RetroAction.filter(community_id=community_id, status=OPEN).order_by("id")
    return [
        OpenAction(action_key(a.id), rt.name, a.text, a.created_at, a.owner_name, a.due)
        for a in rows[:500]
    ]


async def closed_by_review(community_id: int, key: str, verdict: str, at: datetime) -> None:
    prefix = ref("action", 0)[:-1]
    raw = key.removeprefix(prefix) if key.startswith(prefix) else ""
    number = to_int(raw, 1)
    if number is None:
        return
    status = CLOSED_DONE if verdict == actions.DONE else DROPPED
    await RetroAction.filter(id=number, community_id=community_id, status=OPEN).update(
        status=status, closed_at=at
    )
