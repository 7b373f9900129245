"""The engine both Xtrem formats run on: finding the session a request acts on, its guarded
moves, the steps (a shared clock, a clock per turn, or none), the groups with their threads
(and, where the community uses voice, a voice room each), the timer, and the end.

What differs between the formats plugs in by step: :data:`ENTER` (what happens when a step
begins: form the groups, swap the books, open the vote), :data:`LEAVE` (what must hold to
move on: two readers), :data:`TURNS` (whose turn comes in a step of turns), :data:`SECTION`
(the format's part of the board), :data:`CONTROLS` (its buttons and choices on the board:
a book to pick, a dot to give, a rating form), :data:`FINISH` (the record kept at the end) and
:data:`MINUTES` (the record shown).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tortoise.expressions import F

from copkit.core import places, store
from copkit.core.context import Activity, Context, JobContext, Scope
from copkit.core.errors import UserError
from copkit.core.facilitation import groups, people, phases
from copkit.core.facilitation.models import Group, Phase
from copkit.core.i18n import _
from copkit.core.parsing import to_int
from copkit.core.routes import StaleAction
from copkit.core.views import Button, Choice, Private, ToRoom, ToThread, UserText, View, notice

from . import format as fm
from .models import DONE, RUNNING, Session

Hook = Callable[[Scope, Session], Awaitable[None]]
ENTER: dict[tuple[str, str], Hook] = {}
LEAVE: dict[tuple[str, str], Hook] = {}
TURNS: dict[tuple[str, str], Callable[[Session], Awaitable[list[str]]]] = {}
SECTION: dict[str, Callable[[Session, Scope], Awaitable[list[str]]]] = {}
CONTROLS: dict[str, Callable[[Session, Scope], Awaitable[tuple[list[Button], list[Choice]]]]] = {}
FINISH: dict[str, Callable[[Scope, Session], Awaitable[dict[str, Any]]]] = {}
MINUTES: dict[str, Callable[[Session], View]] = {}
ANNOUNCE_TURN: dict[tuple[str, str], Callable[[Scope, Session, int], Awaitable[None]]] = {}
MIN_GROUP = 2
"""A group left with fewer people than this merges into another."""


def title(fmt: str) -> str:
    return _(fm.FORMATS[fmt].info.title)


def running_key(community_id: int, room_id: str) -> str:
    return f"{community_id}:{room_id}"[:320]


def activity(scope: Scope, s: Session) -> Activity:
    return Activity(scope.community, s.format, s.id, title(s.format), s.room_id)


def key(s: Session) -> str:
    return fm.owner(s.format, s.id)


# Finding the session ------------------------------------------------------------------------


async def running(scope: Scope, fmt: str) -> Session | None:
    """The session of ``fmt`` running in this room, else the one whose group's thread this
    room is, else the only one running in the community."""
    s = await Session.get_or_none(running_key=running_key(scope.community.id, scope.room_id))
    if s is not None and s.format == fmt:
        return s
    place = await places.key_of_room(scope.community.id, scope.room_id)
    if place is not None:  # a group's thread: its own session, whatever else runs
        prefix, _sep, rest = place.partition(":")
        sid = to_int(rest.split(":", 1)[0], 1)
        if prefix == fmt and sid is not None:
            s = await Session.get_or_none(id=sid, community_id=scope.community.id)
            if s is not None and s.status == RUNNING:
                return s
    rows = await Session.filter(community_id=scope.community.id, status=RUNNING, format=fmt).limit(
        2
    )
    return rows[0] if len(rows) == 1 else None


async def need(scope: Scope, fmt: str) -> Session:
    s = await running(scope, fmt)
    if s is None:
        raise UserError(
            _("No {title} is running here. A facilitator starts one: “{fmt} start”.").format(
                title=title(fmt), fmt=fmt
            )
        )
    return s


async def of(ctx: Context, fmt: str, args: dict[str, Any]) -> Session:
    """The session a button names, or the one running here; a button of an older board (or
    pressed twice) is refused as out of date."""
    if "session" in args:
        s = await Session.get_or_none(id=args["session"], community_id=ctx.community.id)
        if s is None or s.format != fmt:
            raise StaleAction()
        if s.status != RUNNING:
            raise UserError(_("This session is over."))
        if "version" in args and args["version"] != s.version:
            raise StaleAction(_("The session has moved on since; use the board as it is now."))
        return s
    return await need(ctx, fmt)


async def move(s: Session, **changes: Any) -> Session:
    """Apply ``changes`` unless someone moved the session first (then a UserError)."""
    done = await Session.filter(id=s.id, version=s.version, status=RUNNING).update(
        version=F("version") + 1, **changes
    )
    if not done:
        raise UserError(_("Someone moved the session on at the same moment."))
    return await Session.get(id=s.id)


def is_facilitator(ctx: Context, s: Session) -> bool:
    return ctx.person.id == s.facilitator


# Showing --------------------------------------------------------------------------------------


async def say(scope: Scope, s: Session, text: str, tone: Any = "info") -> None:
    await scope.show(notice(text, tone), target=ToRoom(s.room_id))


async def tell_facilitator(scope: Scope, s: Session, view: View) -> None:
    await scope.show(view, target=Private(s.facilitator))


def group_name(g: Group) -> str:
    """ "Group 2 · <theme>" (the theme is people's text: shown as typed)."""
    name = _("Group {n}").format(n=g.number)
    return f"{name} · {UserText(g.theme)}" if g.theme else name


async def to_group(scope: Scope, s: Session, g: Group, view: View) -> None:
    """Show ``view`` in the group's thread (opened by the first view, then reused)."""
    where = ToThread(group_name(g), s.room_id, key=fm.group_key(s.format, s.id, g.number))
    await scope.show(view, target=where)


async def to_groups(
    scope: Scope, s: Session, text_of: Callable[[Group], Awaitable[str]], tone: Any = "info"
) -> None:
    for g in await groups.groups(key(s)):
        await to_group(scope, s, g, notice(await text_of(g), tone))


async def names_of(g: Group) -> str:
    return ", ".join(UserText(m.name or m.member) for m in await groups.members(g.id))


async def refresh(scope: Scope, s: Session, *, wait: bool = True) -> None:
    async def render() -> View:
        return await board(scope, await Session.get(id=s.id))

    await scope.live(fm.board_key(s.format, s.id), render, target=ToRoom(s.room_id), wait=wait)


async def phase_of(s: Session) -> Phase | None:
    name = turn_phase(s) if fm.step(s.format, s.step).kind == "turns" else s.step
    return await Phase.get_or_none(owner=key(s), name=name)


def turn_phase(s: Session) -> str:
    return f"{s.step}{s.turn}"


def clock_line(scope: Scope, p: Phase | None) -> str:
    if p is None:
        return ""
    left = phases.seconds_left(p, scope.now())
    if p.status == "paused":
        return _("⏸ Paused, {left} left.").format(left=phases.clock_text(left))
    if p.status == "running" and p.ends_at is not None:
        return _("⏱ {left} left (until {at}).").format(
            left=phases.clock_text(left), at=p.ends_at.astimezone(scope.zone).strftime("%H:%M")
        )
    if p.status == "pending":
        return ""
    return _("⏰ Time's up.")


async def board(scope: Scope, s: Session) -> View:
    """The session's board in its room: the step, its clock, the format's part, buttons."""
    r = fm.ROUTES[s.format]
    if s.status != RUNNING:
        text = (
            _("The session is over. Thank you, everyone!")
            if s.status == DONE
            else _("The session was stopped.")
        )
        return View(title=title(s.format), text=text)
    st = fm.step(s.format, s.step)
    pos, total = fm.position(s.format, s.step)
    view = View(
        title=_("{title} · {pos}/{total} {step}").format(
            title=title(s.format), pos=pos, total=total, step=_(st.title)
        )
    )
    lines = [f"*{_(st.prompt)}*"]
    phase = await phase_of(s)
    clock = clock_line(scope, phase)
    if clock:
        lines.append(clock)
    lines += [""] + await SECTION[s.format](s, scope)
    view.text = "\n".join(lines).strip()
    controls = CONTROLS.get(s.format)
    if controls is not None:
        buttons, choices = await controls(s, scope)
        view.buttons += buttons
        view.choices += choices
    view.buttons.append(
        Button(r["next"].build(session=s.id, version=s.version), _("Next"), "success")
    )
    if phase is not None and phase.status in ("running", "paused"):
        view.buttons.append(Button(r["more"].build(session=s.id, version=s.version), _("+1 min")))
    view.buttons.append(Button(r["join"].build(session=s.id), _("Join")))
    return view


# Taking part ---------------------------------------------------------------------------------


async def participate(ctx: Context, s: Session, *, place: bool = True) -> Group | None:
    """Count the person in; once the groups exist, a late joiner is placed in one (told
    privately, and the group told in its thread). Their group, if any."""
    await people.join(ctx.community.id, key(s), ctx.person.id, ctx.person.name, ctx.now())
    if not place or not await groups.formed(key(s)) or is_facilitator(ctx, s):
        return await groups.group_of(key(s), ctx.person.id)
    g, placed = await groups.place(key(s), ctx.person.id, ctx.person.name, ctx.now())
    if placed:
        text = _("Welcome! You're in group {n}: {names}.").format(
            n=g.number, names=await names_of(g)
        )
        await ctx.reply(notice(text), private=True)
        joins = _("👋 {name} joins the group.").format(name=UserText(ctx.person.name))
        await to_group(ctx, s, g, notice(joins))
        await refresh(ctx, s, wait=False)
    return g


async def need_group(ctx: Context, s: Session) -> Group:
    g = await participate(ctx, s)
    if g is None:
        raise UserError(_("You're not in a group: “{fmt} join”.").format(fmt=s.format))
    return g


async def announce_merge(scope: Scope, s: Session, merged: groups.Merged | None) -> None:
    if merged is None:
        return
    names = ", ".join(UserText(n) for n in merged.moved)
    text = _("🔀 Group {n} was merged into group {m}.").format(n=merged.number, m=merged.into)
    await say(scope, s, text)
    into = await groups.by_number(key(s), merged.into)
    if names:
        await to_group(
            scope,
            s,
            into,
            notice(_("👋 From group {n}: {names}.").format(n=merged.number, names=names)),
        )


# Groups and their places ---------------------------------------------------------------------


async def open_places(scope: Scope, s: Session) -> None:
    """Each group's thread (its first message: who is in it) and, when the session uses
    voice, a voice room per group — or, where the platform refused, its short note (what to
    grant; use the thread) to the facilitator and in each group's thread, once."""
    notes: set[str] = set()
    for g in await groups.groups(key(s)):
        text = _("👥 {group}: {names}.").format(group=group_name(g), names=await names_of(g))
        if s.options.get("voice") and not notes:  # (refused once: not asked again)
            where = fm.group_key(s.format, s.id, g.number)
            opened = await scope.open_voice(where, group_name(g), s.room_id)
            if opened.room_id:
                text += "\n" + _("🔊 A voice channel is open for this group: {name}.").format(
                    name=group_name(g)
                )
            elif opened.note:
                notes.add(opened.note)
        if notes:
            text += "\n" + "\n".join(sorted(notes))
        await to_group(scope, s, g, notice(text))
    for note in sorted(notes):
        await tell_facilitator(scope, s, notice(note, "warning"))


def groups_lines(numbered: list[tuple[Group, str]]) -> list[str]:
    return [f"- **{group_name(g)}**: {names}" for g, names in numbered]


async def groups_section(s: Session) -> list[str]:
    listed = [(g, await names_of(g)) for g in await groups.groups(key(s))]
    return groups_lines(listed)


# Steps ---------------------------------------------------------------------------------------


async def begin(scope: Scope, s: Session) -> None:
    """Open the session's current step: what the format does first, then its clock."""
    st = fm.step(s.format, s.step)
    hook = ENTER.get((s.format, s.step))
    if st.kind == "timed":
        phase = await phases.create(
            scope, key(s), st.name, s.seconds.get(st.name, int(st.minutes * 60)), job=job(s)
        )
        if phase.status == "pending":
            phase = await phases.start(scope, phase.id)
        text = _("▶ {step} — {time}: {prompt}").format(
            step=_(st.title), time=phases.minutes_text(phase.seconds), prompt=_(st.prompt)
        )
        await say(scope, s, text)
        if st.in_groups:

            async def same(_g: Group) -> str:
                return text

            await to_groups(scope, s, same)
        if hook is not None:
            await hook(scope, s)
    elif st.kind == "turns":
        if hook is not None:
            await hook(scope, s)
        await begin_turn(scope, await Session.get(id=s.id))
    else:
        await say(scope, s, _("▶ {step}: {prompt}").format(step=_(st.title), prompt=_(st.prompt)))
        if hook is not None:
            await hook(scope, s)
    await refresh(scope, s)


def job(s: Session) -> str:
    return f"{s.format}.phase"


async def begin_turn(scope: Scope, s: Session) -> None:
    """The turn ``s.turn`` of a step of turns: its clock (pitches start at once; a
    presentation when its group says so), announced by the format."""
    turns = await TURNS[(s.format, s.step)](s)
    if s.turn >= len(turns):
        await go_on(scope, s)
        return
    st = fm.step(s.format, s.step)
    seconds = s.seconds.get(st.name, int(st.minutes * 60))
    phase = await phases.create(scope, key(s), turn_phase(s), seconds, job=job(s))
    if s.step == "pitch" and phase.status == "pending":
        await phases.start(scope, phase.id)
    await ANNOUNCE_TURN[(s.format, s.step)](scope, s, s.turn)


async def next_turn(scope: Scope, s: Session) -> None:
    phase = await phase_of(s)
    if phase is not None:
        await phases.close(scope, phase.id, skipped=phase.status == "pending")
    s = await move(s, turn=s.turn + 1)
    await begin_turn(scope, s)
    await refresh(scope, s)


async def go_on(scope: Scope, s: Session, *, skipped: bool = False) -> None:
    """Close the current step (its clock too) and begin the next one, or finish."""
    check = LEAVE.get((s.format, s.step))
    if check is not None and not skipped:
        await check(scope, s)
    phase = await phase_of(s)
    if phase is not None:
        await phases.close(scope, phase.id, skipped=skipped)
    nxt = fm.next_step(s.format, s.step)
    if nxt is None:
        await finish(scope, s)
        return
    s = await move(s, step=nxt.name, turn=0)
    await scope.log(f"{s.format}.step", ref=fm.ref(s.format, "session", s.id), text=nxt.name)
    await begin(scope, s)


async def on_next(scope: Scope, s: Session) -> None:
    """ "Next": the next turn in a step of turns, else the next step."""
    if fm.step(s.format, s.step).kind == "turns":
        turns = await TURNS[(s.format, s.step)](s)
        if s.turn + 1 < len(turns):
            await next_turn(scope, s)
            return
    await go_on(scope, s)


async def finish(scope: Scope, s: Session) -> None:
    """The end: the record kept, the voice rooms removed, the minutes shown (once)."""
    record = await FINISH[s.format](scope, s)
    s = await move(s, status=DONE, ended_at=scope.now(), running_key=None, record=record)
    await scope.close_places(f"{s.format}:{s.id}:")
    await scope.log(f"{s.format}.done", ref=fm.ref(s.format, "session", s.id))
    await refresh(scope, s)
    await scope.show(MINUTES[s.format](s), target=ToRoom(s.room_id))
    await scope.activity_ended(activity(scope, s))


async def create(ctx: Context, fmt: str, row: dict[str, Any]) -> Session:
    """Start a session unless one runs in the room (the unique key decides)."""
    made = await store.insert_if_absent(
        Session,
        community_id=ctx.community.id,
        format=fmt,
        room_id=ctx.room_id,
        running_key=running_key(ctx.community.id, ctx.room_id),
        facilitator=ctx.person.id,
        facilitator_name=ctx.person.name[:200],
        started_at=ctx.now(),
        **row,
    )
    if made is None:
        raise UserError(
            _("A session is already running here. Stop it first: “{fmt} stop”.").format(fmt=fmt)
        )
    await people.join(ctx.community.id, key(made), ctx.person.id, ctx.person.name, ctx.now())
    await ctx.log(f"{fmt}.started", ref=fm.ref(fmt, "session", made.id), member=ctx.person.id)
    await ctx.activity_started(activity(ctx, made))
    return made


# The timer ----------------------------------------------------------------------------------


async def phase_timer(ctx: JobContext, payload: dict[str, Any]) -> None:
    fired = await phases.on_timer(ctx, payload)
    if fired is None:
        return
    fmt, _sep, sid = fired.phase.owner.partition(":")
    s = await Session.get_or_none(id=int(sid), status=RUNNING, format=fmt)
    if s is None:
        return
    st = fm.step(s.format, s.step)
    current = turn_phase(s) if st.kind == "turns" else s.step
    if fired.phase.name != current:
        return
    if fired.kind == "warn":
        await say(ctx, s, _("⏱ One minute left."), "warning")
        if st.in_groups:

            async def warn(_g: Group) -> str:
                return _("⏱ One minute left.")

            await to_groups(ctx, s, warn, "warning")
    elif s.step == "pitch":
        await say(ctx, s, _("⏰ Time's up: the word passes on."), "warning")
        await on_next(ctx, s)
        return
    else:
        await say(ctx, s, _("⏰ Time's up: the facilitator moves on."), "warning")
        if st.in_groups:

            async def up(_g: Group) -> str:
                return _("⏰ Time's up.")

            await to_groups(ctx, s, up, "warning")
    await refresh(ctx, s)
