"""Pulse checks through the chat: the command that asks, the poll's votes, and the close and
the result's post (their own timer jobs). The rules live in :mod:`.pulse`.

A vote carries its pulse and option (:data:`.routes.VOTE`): the same vote again changes
nothing and says so; a vote on a closed pulse is refused.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from copkit.core import outbox
from copkit.core.context import Context, JobContext, Scope
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _, ngettext
from copkit.core.parsing import question_and_options
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.views import Private, ToRoom, View, notice

from . import pulse, views
from .models import OPEN, Pulse
from .routes import PULSE_CLOSE_JOB, PULSE_POST_JOB, VOTE, hc, pulse_key, pulse_result_key

DEFAULT_PULSE = timedelta(days=1)


async def show_count(scope: Scope, pulse_id: int, room_id: str) -> None:
    """The pulse's view as the database holds it now (a live view: the count ends on the latest
    state whichever process votes last; once closed, the result)."""

    async def render() -> View | None:
        p = await Pulse.get_or_none(id=pulse_id)
        if p is None:
            return None
        return views.pulse(p, await pulse.voters(p.id), scope.zone)

    await scope.live(pulse_key(pulse_id), render, target=ToRoom(room_id))


@hc.command(
    "pulse",
    help=N_('A quick question, anonymous unless --public: healthcheck pulse "question" option…'),
    args=(
        Arg("question", N_("the question"), positional=True, required=True, max_length=300),
        Arg("options", N_("2 to 10 options"), type="rest", positional=True, required=True),
        Arg("closes-in", N_("how long it stays open, e.g. 1d"), type="duration"),
        Arg(
            "public",
            N_("not anonymous: a native poll where the platform has one (whole hours)"),
            type="flag",
        ),
    ),
    role=Role.CORE,
    words=N_("start a pulse check"),
)
async def pulse_start(ctx: Context, args: dict[str, Any]) -> None:
    closes_in = args.get("closes-in") or DEFAULT_PULSE
    public = bool(args.get("public"))

    async def timer(p: Pulse) -> None:
        p.close_job_id = await ctx.schedule(PULSE_CLOSE_JOB, p.closes_at, {"pulse": p.id})
        await p.save(update_fields=["close_job_id"])

    question, options = question_and_options(args["question"], list(args.get("options") or []))
    if " " not in question.strip() and not question.rstrip().endswith("?") and len(options) > 2:
        raise UserError(  # "Move to Thursdays yes no": where does the question end?
            _(
                "Where does the question end? Put it in quotes or end it with “?”, e.g.: {line}"
            ).format(line='`healthcheck pulse "Move to Thursdays?" yes no`')
        )
    p = await pulse.create(
        ctx.community.id,
        ctx.room_id,
        ctx.person.id,
        question,
        options,
        ctx.now(),
        closes_in,
        timer,
        public=public,
    )
    await ctx.log("healthcheck.pulse", ref=pulse_key(p.id), member=ctx.person.id)
    await ctx.show(views.pulse(p, 0, ctx.zone), key=pulse_key(p.id))
    hours = (p.closes_at - p.opened_at) // timedelta(hours=1)
    if public and timedelta(hours=hours) != closes_in:
        text = ngettext(
            "A public pulse lasts whole hours: this one closes in {n} hour.",
            "A public pulse lasts whole hours: this one closes in {n} hours.",
            hours,
        )
        await ctx.reply(notice(text.format(n=hours)), private=True)


@hc.button(VOTE, role=Role.MEMBER, words=N_("vote in a pulse check"))
async def pulse_vote(ctx: Context, args: dict[str, Any]) -> None:
    p = await pulse.get(ctx.community.id, args["pulse"])
    option = args["option"]
    if not 0 <= option < len(p.options):
        raise UserError(_("That poll no longer exists."))
    if args.get("removed"):  # a vote taken back on the platform's own poll: no answer needed
        await pulse.withdraw(p, ctx.person.id, option)
        await show_count(ctx, p.id, p.room_id)
        return
    changed = await pulse.vote(p, ctx.person.id, option)
    until = views.when(p.closes_at, ctx.zone)
    if not changed:
        ack = _("You already voted {option}; nothing changed. You can change it until {close}.")
    elif p.public:
        ack = _("Your vote: {option}. Not anonymous; you can change it until {close}.")
    else:
        ack = _("Your vote: {option}. Anonymous; you can change it until {close}.")
    text = ack.format(option=p.options[option], close=until)
    await ctx.show(notice(text, "success"), target=Private(ctx.person.id))
    if changed:
        await show_count(ctx, p.id, p.room_id)


@hc.job(PULSE_CLOSE_JOB)
async def job_pulse_close(ctx: JobContext, payload: dict[str, Any]) -> None:
    p = await Pulse.get_or_none(id=payload.get("pulse"))
    if p is None or p.status != OPEN or p.close_job_id != ctx.job_id:
        return

    async def post_later(closed: Pulse) -> None:  # in the close's transaction
        await outbox.step(ctx, PULSE_POST_JOB, {"pulse": closed.id})

    closed = await pulse.close(p.id, ctx.now(), post_later)
    if closed is None:
        return
    await ctx.log("healthcheck.pulse_closed", ref=pulse_key(closed.id))


@hc.job(PULSE_POST_JOB)
async def job_pulse_post(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Show a closed pulse's result, its own step after the close: both views are keyed, so a
    retry edits them rather than posting twice."""
    p = await Pulse.get_or_none(id=payload.get("pulse"))
    if p is None or p.status == OPEN:
        return
    result = views.pulse_result(p)
    await ctx.show(result, key=pulse_key(p.id), target=ToRoom(p.room_id))
    await ctx.show(result, key=pulse_result_key(p.id), target=ToRoom(p.room_id))
