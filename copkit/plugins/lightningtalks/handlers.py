"""Lightning talk commands, buttons and timers."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from copkit.core.context import Activity, Context, JobContext, Scope
from copkit.core.errors import UserError
from copkit.core.events import Person
from copkit.core.i18n import _
from copkit.core.roles import Role
from copkit.core.timezones import parse_future, zone
from copkit.core.views import ToRoom, ToThread, UserText, View, notice
from copkit.plugins.brownbag.common import (
    average,
    check_apply,
    check_link,
    community_zone,
    parse_number,
    parse_rating,
    show_latest,
)

from . import logic, store
from . import views as v
from .models import Event, Feedback, Talk

WARNING = timedelta(minutes=1)


def event_key(ev: Event) -> str:
    return f"lightning:event:{ev.id}"


def lineup_key(ev: Event) -> str:
    return f"lightning:lineup:{ev.id}"


def run_key(ev: Event) -> str:
    return f"lightning:run:{ev.id}"


def words(value: object) -> str:
    if isinstance(value, (list, tuple)):
        value = " ".join(str(w) for w in value)
    return " ".join(str(value or "").split())


# Finding the event -------------------------------------------------------------------------------


async def find_event(scope: Scope, raw: object = None, *, done: bool = False) -> Event:
    """The event numbered ``raw``; else the one whose thread this is; else the latest one
    (the latest finished one with ``done``)."""
    cid = scope.community.id
    if raw:
        eid = parse_number(raw, _("lightning talks"))
        ev = await Event.get_or_none(id=eid, community_id=cid)
        if ev is None:
            raise UserError(_("There are no lightning talks #{id}.").format(id=eid))
        return ev
    if scope.room_id:
        ev = await Event.get_or_none(community_id=cid, thread_id=scope.room_id)
        if ev is not None:
            return ev
    query = Event.filter(community_id=cid)
    query = query.filter(status="done") if done else query.exclude(status="done")
    ev = await query.order_by("-id").first()
    if ev is None:
        raise UserError(
            _("No lightning talks have finished yet.")
            if done
            else _(
                "No lightning talks are planned. The core team opens them with “lightning open”."
            )
        )
    return ev


def require_organiser(ctx: Context, ev: Event) -> None:
    if ctx.person.id != ev.created_by:
        ctx.require(Role.CORE, "lightning organise", _("organise these lightning talks"))


# Showing ----------------------------------------------------------------------------------------


async def refresh(
    scope: Scope, event_id: int, *, board: bool = True, run: bool = False, note: str = ""
) -> None:
    """Update the announcement and the line-up in the thread (``board``) and the run of show
    (``run``, with an optional ``note`` such as the one-minute warning)."""
    ev = await Event.get(id=event_id)
    tz = community_zone(scope)

    async def announcement() -> View:
        e = await Event.get(id=event_id)
        taken = await Talk.filter(event_id=event_id, status__in=store.IN_ORDER).count()
        return v.announcement_view(
            e, tz, taken, await Talk.filter(event_id=e.id, status="waiting").count()
        )

    async def line_up() -> View:
        e = await Event.get(id=event_id)
        return v.lineup_view(e, tz, await store.lineup(e.id), await store.waiting(e.id))

    async def run_of_show() -> View:
        e = await Event.get(id=event_id)
        return v.run_view(e, tz, await store.lineup(e.id), note)

    if board:
        await show_latest(scope, event_key(ev), announcement, target=ToRoom(ev.room_id or None))
    if board and ev.thread_id:
        await show_latest(scope, lineup_key(ev), line_up, target=ToRoom(ev.thread_id))
    if run:
        await show_latest(scope, run_key(ev), run_of_show, target=ToRoom(ev.room_id or None))


async def tell(scope: Scope, person_id: str, text: str) -> None:
    await scope.send_private(person_id, View(title=_("Lightning talks"), text=text))


# Opening ----------------------------------------------------------------------------------------


async def open_(ctx: Context, args: dict[str, Any]) -> None:
    title = words(args.get("title"))
    if not title:
        raise UserError(_("Give the lightning talks a title."))
    if len(title) > 200:
        raise UserError(_("A title has at most 200 characters."))
    tz = zone(args["tz"]) if args.get("tz") else community_zone(ctx)
    now = ctx.now()
    starts = parse_future(args["at"], tz, now)
    slots = logic.check_slots(args["slots"] if args.get("slots") is not None else 8)
    minutes = logic.check_minutes(args["minutes"] if args.get("minutes") is not None else 5)
    cutoff = parse_future(args["cutoff"], tz, now) if args.get("cutoff") else None
    if cutoff is not None and cutoff > starts:
        raise UserError(_("Sign-ups must close before the talks start."))
    ev = await Event.create(
        community_id=ctx.community.id,
        title=title,
        room_id=ctx.room_id,
        starts_at=starts,
        slots=slots,
        minutes=minutes,
        cutoff_at=cutoff,
        created_by=ctx.person.id,
    )
    if cutoff is not None:
        job = await ctx.schedule("lightning.cutoff", cutoff, {"event": ev.id})
        await Event.filter(id=ev.id).update(cutoff_job=job)
    await ctx.log(
        "lightning.opened", ref=f"lightning:event:{ev.id}", text=title, member=ctx.person.id
    )
    tzone = community_zone(ctx)
    await ctx.show(
        v.announcement_view(ev, tzone, 0, 0), key=event_key(ev), target=ToRoom(ctx.room_id)
    )
    ref = await ctx.show(
        v.lineup_view(ev, tzone, [], []),
        key=lineup_key(ev),
        target=ToThread(v.thread_name(ev), ctx.room_id),
    )
    if ref is not None:
        await Event.filter(id=ev.id).update(thread_id=str(ref.get("room_id", "")))
    await ctx.activity_started(Activity(ctx.community, "lightning", ev.id, title, ctx.room_id))


# Signing up -------------------------------------------------------------------------------------


async def _signup(ctx: Context, ev: Event, title: str) -> None:
    signed = await store.signup(ev.id, ctx.person, title, ctx.now())
    t = signed.talk
    await ctx.contribute("signup", f"lightning:talk:{t.id}", t.title)
    await refresh(ctx, ev.id)
    if signed.in_lineup:
        msg = _("You're in the line-up of “{event}” with “{title}”.")
    else:
        msg = _(
            "All slots of “{event}” are taken: you're on the waiting list with “{title}”. "
            "I'll tell you if a slot opens."
        )
    await ctx.reply(
        notice(msg.format(event=UserText(ev.title), title=UserText(t.title)), "success"),
        private=True,
    )


async def signup(ctx: Context, args: dict[str, Any]) -> None:
    await _signup(ctx, await find_event(ctx, args.get("event")), words(args.get("title")))


async def signup_action(ctx: Context, args: dict[str, Any]) -> None:
    await _signup(ctx, await find_event(ctx, args.get("id")), str(args.get("title") or ""))


async def _after_promotion(scope: Scope, ev: Event, promoted: Talk | None) -> None:
    if promoted is None:
        return
    await scope.log(
        "lightning.promoted", ref=f"lightning:talk:{promoted.id}", member=promoted.speaker_id
    )
    await tell(
        scope,
        promoted.speaker_id,
        _("A slot opened: “{title}” is now in the line-up of “{event}”.").format(
            title=UserText(promoted.title), event=UserText(ev.title)
        ),
    )


async def _withdraw(ctx: Context, ev: Event) -> None:
    talk, promoted = await store.withdraw(ev.id, ctx.person.id)
    await ctx.log("lightning.withdrawn", ref=f"lightning:talk:{talk.id}", member=ctx.person.id)
    await refresh(ctx, ev.id)
    await ctx.reply(
        notice(_("You withdrew “{title}”.").format(title=UserText(talk.title)), "success"),
        private=True,
    )
    await _after_promotion(ctx, ev, promoted)


async def withdraw(ctx: Context, args: dict[str, Any]) -> None:
    await _withdraw(ctx, await find_event(ctx, args.get("event")))


async def withdraw_action(ctx: Context, args: dict[str, Any]) -> None:
    await _withdraw(ctx, await find_event(ctx, args.get("id")))


async def show_lineup(ctx: Context, args: dict[str, Any]) -> None:
    ev = await find_event(ctx, args.get("event"))
    view = v.lineup_view(
        ev, community_zone(ctx), await store.lineup(ev.id), await store.waiting(ev.id)
    )
    await ctx.reply(view, private=True)


async def cutoff_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    ev = await Event.get_or_none(id=payload.get("event"))
    if ev is None or ev.cutoff_job != ctx.job_id:
        return
    if not await Event.filter(id=ev.id, status="open").update(status="closed"):
        return
    await ctx.log("lightning.closed", ref=f"lightning:event:{ev.id}")
    await refresh(ctx, ev.id)
    if ev.thread_id:
        await ctx.show(notice(_("Sign-ups are closed.")), target=ToRoom(ev.thread_id))


# Organising -------------------------------------------------------------------------------------


async def reorder(ctx: Context, args: dict[str, Any]) -> None:
    ev = await find_event(ctx, args.get("event"))
    require_organiser(ctx, ev)
    picks = logic.parse_positions(args.get("order") or [])
    await store.set_order(ev.id, picks, None)
    await ctx.log(
        "lightning.reordered",
        ref=f"lightning:event:{ev.id}",
        text=" ".join(map(str, picks)),
        member=ctx.person.id,
    )
    await refresh(ctx, ev.id)
    await ctx.reply(notice(_("New order saved."), "success"), private=True)


async def shuffle(ctx: Context, args: dict[str, Any]) -> None:
    ev = await find_event(ctx, args.get("event"))
    require_organiser(ctx, ev)
    raw = args.get("seed")
    seed = logic.check_seed(raw) if raw not in (None, "") else secrets.randbelow(logic.SEED_MAX)
    order = await store.set_order(ev.id, None, seed)
    await ctx.log(
        "lightning.shuffled", ref=f"lightning:event:{ev.id}", text=str(seed), member=ctx.person.id
    )
    await refresh(ctx, ev.id)
    names = ", ".join(UserText(t.speaker_name) for t in order)
    await ctx.reply(
        notice(
            _("Order drawn with seed {seed}: {names}.").format(seed=seed, names=names), "success"
        )
    )


async def remove(ctx: Context, args: dict[str, Any]) -> None:
    ev = await find_event(ctx, args.get("event"))
    require_organiser(ctx, ev)
    person = await ctx.runtime.resolve_person(ctx, str(args["person"]))
    talk, promoted = await store.remove(ev.id, person.id)
    await ctx.log(
        "lightning.removed", ref=f"lightning:talk:{talk.id}", text=person.id, member=ctx.person.id
    )
    await refresh(ctx, ev.id, run=ev.status == "running")
    await tell(
        ctx,
        talk.speaker_id,
        _("The organiser removed your talk “{title}” from “{event}”.").format(
            title=UserText(talk.title), event=UserText(ev.title)
        ),
    )
    await ctx.reply(
        notice(_("Removed “{title}”.").format(title=UserText(talk.title)), "success"), private=True
    )
    await _after_promotion(ctx, ev, promoted)


# Run of show ------------------------------------------------------------------------------------


def _timers(scope: Scope, old: Event):  # type: ignore[no-untyped-def]
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


async def _advance(ctx: Context, ev: Event, how: str, expected: int | None = None) -> None:
    require_organiser(ctx, ev)
    step = await store.advance(ev.id, how, ctx.now(), _timers(ctx, ev), expected)
    await ctx.log(f"lightning.{how}", ref=f"lightning:event:{ev.id}", member=ctx.person.id)
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


async def run(ctx: Context, args: dict[str, Any]) -> None:
    ev = await find_event(ctx, args.get("event"))
    await _advance(ctx, ev, "start")


async def next_(ctx: Context, args: dict[str, Any]) -> None:
    await _advance(ctx, await find_event(ctx, args.get("event")), "next")


async def skip(ctx: Context, args: dict[str, Any]) -> None:
    await _advance(ctx, await find_event(ctx, args.get("event")), "skip")


async def _pressed(ctx: Context, args: dict[str, Any], how: str) -> None:
    """``lightning:next:<event>:<talk on stage>``: a stale or repeated press changes nothing."""
    eid, _sep, talk = str(args.get("id", "")).partition(":")
    expected = parse_number(talk, _("talk")) if talk else None
    await _advance(ctx, await find_event(ctx, eid), how, expected)


async def next_action(ctx: Context, args: dict[str, Any]) -> None:
    await _pressed(ctx, args, "next")


async def skip_action(ctx: Context, args: dict[str, Any]) -> None:
    await _pressed(ctx, args, "skip")


async def _live(ctx: JobContext, payload: dict[str, Any], field: str) -> tuple[Event, Talk] | None:
    ev = await Event.get_or_none(id=payload.get("event"))
    if ev is None or ev.status != "running" or ev.current_talk != payload.get("talk"):
        return None
    if getattr(ev, field) != ctx.job_id:
        return None
    talk = await Talk.get_or_none(id=ev.current_talk)
    return (ev, talk) if talk is not None else None


async def warn_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    found = await _live(ctx, payload, "warn_job")
    if found is None:
        return
    ev, talk = found
    text = _("One minute left, {name}.").format(name=UserText(talk.speaker_name))
    await refresh(ctx, ev.id, board=False, run=True, note="⏱ " + text)
    await ctx.show(notice(text, "warning"), target=ToRoom(ev.room_id or None))
    await tell(ctx, talk.speaker_id, _("One minute left."))


async def time_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    found = await _live(ctx, payload, "time_job")
    if found is None:
        return
    ev, talk = found
    text = _("Time! Thank you, {name}.").format(name=UserText(talk.speaker_name))
    await refresh(ctx, ev.id, board=False, run=True, note="⏰ " + text)
    await ctx.show(notice(text, "warning"), target=ToRoom(ev.room_id or None))


async def finish(scope: Scope, ev: Event) -> None:
    """After the last talk: the record and a feedback prompt in the room."""
    await scope.log("lightning.done", ref=f"lightning:event:{ev.id}")
    target = ToRoom(ev.room_id or None)
    await scope.show(await record_of(scope, ev), target=target)
    await scope.show(v.feedback_prompt(ev), target=target)
    await scope.activity_ended(Activity(scope.community, "lightning", ev.id, ev.title, ev.room_id))


# After ------------------------------------------------------------------------------------------


async def record_of(scope: Scope, ev: Event) -> View:
    ratings = list(await Feedback.filter(event_id=ev.id).values_list("rating", flat=True))
    applies = [
        a
        for a in await Feedback.filter(event_id=ev.id)
        .order_by("id")
        .values_list("apply", flat=True)
        if a
    ]
    return v.record_view(
        ev,
        community_zone(scope),
        await store.lineup(ev.id),
        average(ratings),
        len(ratings),
        applies,
    )


async def record(ctx: Context, args: dict[str, Any]) -> None:
    ev = await find_event(ctx, args.get("event"), done=not args.get("event"))
    await ctx.reply(await record_of(ctx, ev))


async def link(ctx: Context, args: dict[str, Any]) -> None:
    """A link (slides, recording) on a talk: the speaker's own, or anyone's for the organiser."""
    url = check_link(args.get("url"))
    speaker: Person = ctx.person
    if args.get("speaker"):
        speaker = await ctx.runtime.resolve_person(ctx, str(args["speaker"]))
    talks = Talk.filter(
        event__community_id=ctx.community.id, speaker_id=speaker.id, status__in=store.IN_ORDER
    )
    if args.get("event"):
        talks = talks.filter(event_id=(await find_event(ctx, args["event"])).id)
    talk = await talks.order_by("-id").first()
    if talk is None:
        raise UserError(
            _("{name} has no talk to add a link to.").format(
                name=UserText(speaker.name or speaker.id)
            )
        )
    ev = await Event.get(id=talk.event_id)  # type: ignore[attr-defined]
    if speaker.id != ctx.person.id:
        require_organiser(ctx, ev)
    await Talk.filter(id=talk.id).update(link=url)
    await ctx.log("lightning.link", ref=f"lightning:talk:{talk.id}", member=ctx.person.id)
    await ctx.reply(
        notice(_("Link saved for “{title}”.").format(title=UserText(talk.title)), "success"),
        private=True,
    )


async def _feedback(ctx: Context, ev: Event, rating_raw: object, apply: str) -> None:
    rating = parse_rating(rating_raw)
    apply = check_apply(apply)
    if ev.status != "done":
        raise UserError(_("Feedback opens when the talks are over."))
    updated = await Feedback.filter(event_id=ev.id, member_id=ctx.person.id).update(
        rating=rating, apply=apply
    )
    if not updated:
        try:
            await Feedback.create(
                event_id=ev.id, member_id=ctx.person.id, rating=rating, apply=apply
            )
        except IntegrityError:
            updated = await Feedback.filter(event_id=ev.id, member_id=ctx.person.id).update(
                rating=rating, apply=apply
            )
    await ctx.contribute("feedback", f"lightning:event:{ev.id}", str(rating))
    msg = _("Your feedback was updated.") if updated else _("Thanks for your feedback!")
    await ctx.reply(notice(msg, "success"), private=True)


async def feedback(ctx: Context, args: dict[str, Any]) -> None:
    ev = await find_event(ctx, args.get("event"), done=not args.get("event"))
    await _feedback(ctx, ev, args["rating"], words(args.get("apply")))


async def feedback_action(ctx: Context, args: dict[str, Any]) -> None:
    eid, _sep, rating = str(args.get("id", "")).partition(":")
    await _feedback(ctx, await find_event(ctx, eid), rating, str(args.get("apply") or ""))
