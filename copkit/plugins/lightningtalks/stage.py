"""The run of show: the talk on stage, its timer with a one-minute warning, next and skip."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from copkit.core.context import Activity, Context, JobContext, Scope
from copkit.core.i18n import N_, _
from copkit.core.models import Job
from copkit.core.views import ToRoom, UserText, When, notice

from . import logic, store
from . import views as v
from .after import record_of
from .cards import find_event, refresh, require_organiser, tell
from .format import EVENT, NEXT, SKIP, event_key, lt, talk_ref
from .models import Event, Talk
from .store import Timers

WARNING = timedelta(minutes=1)
EARLY = timedelta(minutes=30)
"""Starting the run of show this long before the planned start gets a heads-up."""


def _timers(scope: Scope, old: Event) -> Timers:
    """Cancel the previous talk's timers and schedule the new one's (inside the change)."""

    async def plan(ev: Event, live: Talk | None) -> dict[str, Any]:
        for job in (old.warn_job, old.time_job):
            await scope.cancel_job(job)
        if live is None:
            return {"warn_job": None, "time_job": None}
        assert ev.talk_ends_at is not None
        payload = {"event": ev.id, "talk": live.id}
        warn = None
        if ev.minutes > 1:
            warn = await scope.schedule("lightning.warn", ev.talk_ends_at - WARNING, payload)
        time_up = await scope.schedule("lightning.time", ev.talk_ends_at, payload)
        return {"warn_job": warn, "time_job": time_up}

    return plan


async def cancel_reminder(scope: Scope, event_id: int) -> None:
    """The speakers' reminder is pointless once the run of show has started (or the evening
    is called off)."""
    pending = await Job.filter(
        community_id=scope.community.id, handler="lightning.remind", done_at=None, cancelled=False
    ).values_list("id", "payload")
    for job_id, payload in pending:
        if isinstance(payload, dict) and payload.get("event") == event_id:
            await scope.cancel_job(job_id)


async def advance(ctx: Context, args: dict[str, Any], how: str) -> None:
    """Start, next or skip. A button carries the talk it saw on stage (``talk``): pressed
    twice, or after someone else moved on, it changes nothing and says so."""
    ev = await find_event(ctx, args.get("event"))
    require_organiser(ctx, ev)
    early = ev.starts_at - ctx.now()
    step = await store.advance(ev.id, how, ctx.now(), _timers(ctx, ev), args.get("talk"))
    if how == "start":
        await cancel_reminder(ctx, ev.id)
    if how == "start" and early > EARLY:
        await ctx.reply(
            notice(
                _(
                    "Heads-up: “{event}” was planned for {when}, {wait} from now. The run of "
                    "show has started anyway; the organiser can skip or go on as usual."
                ).format(
                    event=UserText(ev.title),
                    when=When(ev.starts_at, ctx.zone),
                    wait=logic.wait_text(int(early.total_seconds() // 60)),
                ),
                "warning",
            ),
            private=True,
        )
    await ctx.log(f"lightning.{how}", ref=event_key(ev.id), member=ctx.person.id)
    await refresh(ctx, ev.id, run=True)
    if step.live is not None:
        await ctx.show(
            notice(
                _("On stage: {name} — “{title}” ({minutes} min).").format(
                    name=UserText(step.live.speaker_name),
                    title=UserText(step.live.title),
                    minutes=ev.minutes,
                )
            ),
            target=ToRoom(ev.room_id or None),
        )
    else:
        await finish(ctx, step.event)
    if step.promoted is not None:
        await ctx.log(
            "lightning.promoted", ref=talk_ref(step.promoted.id), member=step.promoted.speaker_id
        )
        await tell(
            ctx,
            step.promoted.speaker_id,
            _(
                "A talk was skipped, so a slot opened: “{title}” is now at the end of the "
                "line-up of “{event}”. Get ready!"
            ).format(title=UserText(step.promoted.title), event=UserText(ev.title)),
        )
        await refresh(ctx, ev.id, run=True)


@lt.command("run", help=N_("Start the run of show (organiser)."), args=(EVENT,))
async def run(ctx: Context, args: dict[str, Any]) -> None:
    await advance(ctx, {"event": args.get("event")}, "start")


@lt.command(
    "next",
    help=N_("The talk on stage was given: on to the next (organiser)."),
    args=(EVENT,),
    button=NEXT,
)
async def next_(ctx: Context, args: dict[str, Any]) -> None:
    await advance(ctx, args, "next")


@lt.command(
    "skip",
    help=N_("The talk on stage was not given: on to the next (organiser)."),
    args=(EVENT,),
    button=SKIP,
)
async def skip(ctx: Context, args: dict[str, Any]) -> None:
    await advance(ctx, args, "skip")


async def _on_stage(
    ctx: JobContext, payload: dict[str, Any], field: str
) -> tuple[Event, Talk] | None:
    """The event and the talk a timer is for, if that talk is still on stage and the timer is
    still the one planned for it."""
    ev = await Event.get_or_none(id=payload.get("event"))
    if ev is None or ev.status != "running" or ev.current_talk != payload.get("talk"):
        return None
    if getattr(ev, field) != ctx.job_id:
        return None
    talk = await Talk.get_or_none(id=ev.current_talk)
    return (ev, talk) if talk is not None else None


@lt.job("warn")
async def warn_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    found = await _on_stage(ctx, payload, "warn_job")
    if found is None:
        return
    ev, talk = found
    text = _("One minute left, {name}.").format(name=UserText(talk.speaker_name))
    await refresh(ctx, ev.id, board=False, run=True, note="⏱ " + text)
    await ctx.show(notice(text, "warning"), target=ToRoom(ev.room_id or None))
    await tell(ctx, talk.speaker_id, _("One minute left."))


@lt.job("time")
async def time_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    found = await _on_stage(ctx, payload, "time_job")
    if found is None:
        return
    ev, talk = found
    text = _("Time! Thank you, {name}.").format(name=UserText(talk.speaker_name))
    await refresh(ctx, ev.id, board=False, run=True, note="⏰ " + text)
    await ctx.show(notice(text, "warning"), target=ToRoom(ev.room_id or None))


async def finish(scope: Scope, ev: Event) -> None:
    """After the last talk: the record and a feedback prompt in the room."""
    await scope.log("lightning.done", ref=event_key(ev.id))
    target = ToRoom(ev.room_id or None)
    await scope.show(await record_of(scope, ev), target=target)
    await scope.show(v.feedback_prompt(ev), target=target)
    await scope.activity_ended(Activity(scope.community, "lightning", ev.id, ev.title, ev.room_id))
