"""Running a workshop: finding the one a request acts on, its guarded moves, the board, the
start of each step (a phase with its timer, or an election), the timer's heads-up and end,
joining and leaving, and the end that hands the outcome to :mod:`.outcome`."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import F

from copkit.core import store
from copkit.core.context import Activity, Context, JobContext, Scope
from copkit.core.errors import UserError
from copkit.core.facilitation import dots, elections, notes, people, phases
from copkit.core.facilitation.models import Ballot, Election, Note, Phase
from copkit.core.i18n import _
from copkit.core.routes import StaleAction
from copkit.core.views import Private, ToRoom, UserText, View, notice

from . import board, logic
from .format import PHASE_JOB, board_key, owner, ref, ws
from .models import DONE, RUNNING, Workshop
from .outcome import WorkshopOutcome, finish_workshop


def running_key(community_id: int, room_id: str) -> str:
    return f"{community_id}:{room_id}"[:320]


def activity(scope: Scope, w: Workshop) -> Activity:
    return Activity(scope.community, ws.name, w.id, _("Vision workshop"), w.room_id)


async def running(scope: Scope) -> Workshop | None:
    """The workshop running in the request's room, else the only one running in the
    community (a command typed in a thread or a direct message finds it)."""
    w = await Workshop.get_or_none(running_key=running_key(scope.community.id, scope.room_id))
    if w is not None:
        return w
    rows = await Workshop.filter(community_id=scope.community.id, status=RUNNING).limit(2)
    return rows[0] if len(rows) == 1 else None


async def need(scope: Scope) -> Workshop:
    w = await running(scope)
    if w is None:
        raise UserError(
            _("No workshop is running here. A facilitator starts one: “workshop start”.")
        )
    return w


async def of(ctx: Context, args: dict[str, Any]) -> Workshop:
    """The workshop a button names (its id), or the one running here."""
    if "workshop" in args:
        w = await Workshop.get_or_none(id=args["workshop"], community_id=ctx.community.id)
        if w is None:
            raise StaleAction()
        if w.status != RUNNING:
            raise UserError(_("This workshop is over."))
        return w
    return await need(ctx)


def check_version(w: Workshop, args: dict[str, Any]) -> None:
    if "version" in args and args["version"] != w.version:
        raise StaleAction(_("The workshop has moved on since; use the board as it is now."))


async def move(w: Workshop, **changes: Any) -> Workshop:
    """Apply ``changes`` unless someone moved the workshop first (then a UserError)."""
    done = await Workshop.filter(id=w.id, version=w.version, status=RUNNING).update(
        version=F("version") + 1, **changes
    )
    if not done:
        raise UserError(_("Someone moved the workshop on at the same moment."))
    return await Workshop.get(id=w.id)


async def refresh(scope: Scope, workshop_id: int, *, wait: bool = True) -> None:
    """Show the board as it is stored now (from any number of requests, ends on the latest)."""
    w = await Workshop.get(id=workshop_id)

    async def render() -> View:
        fresh = await Workshop.get(id=workshop_id)
        return board.render(await board.gather(fresh, scope.now(), scope.zone))

    await scope.live(board_key(w.id), render, target=ToRoom(w.room_id), wait=wait)


async def say(scope: Scope, w: Workshop, text: str, tone: Any = "info") -> None:
    await scope.show(notice(text, tone), target=ToRoom(w.room_id))


async def phase_of(w: Workshop) -> Phase | None:
    return await Phase.get_or_none(owner=owner(w.id), name=w.step)


async def need_phase(w: Workshop) -> Phase:
    st = logic.step(w.step)
    phase = await phase_of(w) if st.kind in ("writing", "force") else None
    if phase is None:
        raise UserError(_("This step has no writing: {title}.").format(title=_(st.title)))
    return phase


async def ballot_of(w: Workshop) -> Ballot | None:
    return await Ballot.get_or_none(owner=owner(w.id), name=board.ballot_name(w.step))


async def election_of(w: Workshop) -> Election | None:
    return await Election.get_or_none(owner=owner(w.id), name=w.step)


# Taking part ------------------------------------------------------------------------------


async def participate(ctx: Context, w: Workshop) -> None:
    """Count the person in (late joiners too); a newcomer after the start is told where we
    are, privately."""
    new = await people.join(
        ctx.community.id, owner(w.id), ctx.person.id, ctx.person.name, ctx.now()
    )
    if new and ctx.person.id != w.facilitator:
        st = logic.step(w.step)
        await ctx.reply(
            notice(
                _("Welcome to the workshop! We are at “{title}”: {prompt}").format(
                    title=_(st.title), prompt=_(st.prompt)
                )
            ),
            private=True,
        )


# Steps ------------------------------------------------------------------------------------


async def begin(scope: Scope, w: Workshop) -> None:
    """Open the workshop's current step: a phase with its timer, or an election."""
    st = logic.step(w.step)
    key = owner(w.id)
    if st.kind in ("writing", "force"):
        phase = await phases.create(scope, key, st.name, w.minutes[st.name], job=PHASE_JOB)
        if phase.status == "pending":
            phase = await phases.start(scope, phase.id)
        text = _("✍ {title} — {time}: {prompt} Write alone, one idea per note.").format(
            title=_(st.title), time=phases.minutes_text(phase.seconds), prompt=_(st.prompt)
        )
    elif st.kind == "name":
        await elections.open_election(scope.community.id, key, "name", budget=2, per_item=1)
        text = _("🏷 A name: propose names (“workshop propose <name>”); then two thumbs each.")
    else:
        await elections.open_election(scope.community.id, key, "leader", budget=1, per_item=1)
        text = _(
            "🧭 The leader: nominate someone taking part (“workshop nominate @name”), then vote."
        )
    await say(scope, w, text)
    await refresh(scope, w.id)


async def go_on(scope: Scope, w: Workshop, *, skipped: bool = False) -> None:
    """Close the current step (its timer too) and begin the next one, or finish."""
    phase = await phase_of(w)
    if phase is not None:
        await phases.close(scope, phase.id, skipped=skipped)
    ballot = await ballot_of(w)
    if ballot is not None:
        await dots.close(ballot.id)
    if phase is not None and phase.revealed and logic.step(w.step).kind == "writing":
        kept = await chosen_of(w, phase)
        if kept:
            items = "; ".join(f"#{n.number} {UserText(n.text)}" for n in kept)
            await say(scope, w, _("📌 On the canvas: {items}").format(items=items))
    nxt = logic.next_step(w.step, w.forcefield)
    if nxt is None:
        await finish(scope, await move(w, status=DONE, ended_at=scope.now(), running_key=None))
        return
    stage = {"writing": "writing", "force": "writing", "name": "proposing", "leader": "nominating"}
    w = await move(w, step=nxt.name, stage=stage[nxt.kind])
    await scope.log("workshop.step", ref=ref("workshop", w.id), text=nxt.name)
    await begin(scope, w)


async def chosen_of(w: Workshop, phase: Phase) -> list[logic.Voted]:
    """The notes of a revealed writing step that go on the canvas (see :func:`.logic.chosen`)."""
    open_notes = await notes.revealed(phase)
    ballot = await Ballot.get_or_none(owner=owner(w.id), name=board.ballot_name(phase.name))
    counted = {c.option.key: c.dots for c in await dots.counts(ballot.id)} if ballot else {}
    voted = [
        logic.Voted(n.number, n.box, n.text, counted.get(str(n.number), 0)) for n in open_notes
    ]
    return logic.chosen(voted, ballot is not None)


async def outcome_of(scope: Scope, w: Workshop) -> WorkshopOutcome:
    """What the workshop decided: the boxes from each step's chosen notes, the force field,
    the name, the leader, the date and who took part."""
    key = owner(w.id)
    chosen: list[logic.Voted] = []
    force: list[tuple[str, str, int | None]] = []
    for st in logic.steps_of(w.forcefield):
        phase = await Phase.get_or_none(owner=key, name=st.name)
        if phase is None or not phase.revealed:
            continue
        if st.kind == "force":
            force += [(n.tag or "", n.text, n.strength) for n in await notes.revealed(phase)]
            continue
        chosen += await chosen_of(w, phase)
    everyone = await people.everyone(key)
    return WorkshopOutcome(
        community_id=w.community_id,
        workshop_id=w.id,
        name=w.name or "",
        leader=w.leader_name,
        date=w.started_at.astimezone(scope.zone).date(),
        participants=[p.name or p.member for p in everyone],
        boxes=logic.boxes_of(chosen),
        force_field=force,
        leader_id=w.leader_id,
    )


async def finish(scope: Scope, w: Workshop) -> None:
    """The end: log it, show the board's last state, and hand the outcome on (one call)."""
    await scope.log("workshop.done", ref=ref("workshop", w.id))
    await refresh(scope, w.id)
    await finish_workshop(scope, await outcome_of(scope, w))
    await scope.activity_ended(activity(scope, w))


# The timer --------------------------------------------------------------------------------


@ws.job("phase")
async def phase_timer(ctx: JobContext, payload: dict[str, Any]) -> None:
    fired = await phases.on_timer(ctx, payload)
    if fired is None:
        return
    workshop_id = int(fired.phase.owner.rsplit(":", 1)[1])  # (owner "workshop:<id>")
    w = await Workshop.get_or_none(id=workshop_id, status=RUNNING)
    if w is None or w.step != fired.phase.name:
        return
    if fired.kind == "warn":
        await say(ctx, w, _("⏱ One minute left."), "warning")
        present = [p.member for p in await people.present(owner(w.id)) if p.member != w.facilitator]
        for member in await notes.to_nudge(fired.phase.id, present):
            await ctx.show(
                notice(_("A minute left and no note from you yet: one idea is enough.")),
                target=Private(member),
            )
    else:
        await say(
            ctx,
            w,
            _("⏰ Time's up: writing is closed. The facilitator reveals the notes."),
            "warning",
        )
    await refresh(ctx, w.id)


async def my_notes_view(w: Workshop, phase: Phase, member: str) -> View:
    mine = await notes.mine(phase.id, member)
    if not mine:
        return notice(_("You have no note in this step yet."))
    lines = [f"- #{n.number} {UserText(n.text)}" for n in mine]
    return View(title=_("Your notes (only you see them until the reveal)"), text="\n".join(lines))


async def count_notes(w: Workshop) -> int:
    phase = await phase_of(w)
    return await Note.filter(phase_id=phase.id).count() if phase else 0


async def transaction_start(ctx: Context, row: dict[str, Any]) -> Workshop:
    """Create the workshop row unless one runs in the room (the unique key decides)."""
    made = await store.insert_if_absent(Workshop, **row)
    if made is None:
        raise UserError(_("A workshop is already running here. Stop it first: “workshop stop”."))
    return made
