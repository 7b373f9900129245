"""The workshop's board: one live view in its room that shows the step, the shared timer, the
progress of private writing (counts, never names or notes), then — after the reveal — the
notes, their dots, the names, the candidates, and the buttons of the moment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from copkit.core.facilitation import dots, notes, people, phases
from copkit.core.facilitation.models import Ballot, Election, Note, Phase
from copkit.core.i18n import _, ngettext
from copkit.core.views import (
    CHOICE_OPTIONS_MAX,
    Button,
    Choice,
    Field,
    Form,
    FormInput,
    Option,
    UserText,
    View,
)

from . import logic
from .format import (
    ACCEPT,
    ALIGN,
    DECLINE,
    DONE,
    FORCE,
    JOIN,
    MINE,
    MORE,
    NEXT,
    PAUSE,
    PICK,
    PROPOSE,
    RESUME,
    REVEAL,
    WRITE,
    owner,
)
from .models import DONE as FINISHED
from .models import STOPPED, Workshop


@dataclass
class BoardState:
    w: Workshop
    step: logic.Step
    now: datetime
    zone: ZoneInfo
    phase: Phase | None = None
    progress: notes.Progress | None = None
    notes: list[Note] = field(default_factory=list)
    ballot: Ballot | None = None
    counts: list[dots.Count] = field(default_factory=list)
    election: Election | None = None
    people: int = 0


def ballot_name(step: str) -> str:
    return f"align:{step}"


async def gather(w: Workshop, now: datetime, zone: ZoneInfo) -> BoardState:
    st = BoardState(w, logic.step(w.step), now, zone)
    key = owner(w.id)
    st.people = len(await people.present(key))
    if st.step.kind in ("writing", "force"):
        st.phase = await Phase.get_or_none(owner=key, name=w.step)
        if st.phase is not None:
            st.progress = await notes.progress(st.phase.id)
            if st.phase.revealed:
                st.notes = await notes.revealed(st.phase)
        st.ballot = await Ballot.get_or_none(owner=key, name=ballot_name(w.step))
    else:
        st.election = await Election.get_or_none(owner=key, name=w.step)
        if st.election is not None and st.election.ballot_id is not None:
            st.ballot = await Ballot.get_or_none(id=st.election.ballot_id)
    if st.ballot is not None:
        st.counts = await dots.counts(st.ballot.id)
    return st


def write_form(w: Workshop, step: logic.Step) -> Form:
    inputs = tuple(
        FormInput(box, _(label), max_length=notes.NOTE_MAX, required=False, multiline=True)
        for box, label in zip(step.boxes, step.labels, strict=True)
    )
    return Form(WRITE.build(workshop=w.id, step=step.name), _("A note (only you see it)"), inputs)


def force_form(w: Workshop) -> Form:
    return Form(
        FORCE.build(workshop=w.id),
        _("A force (only you see it)"),
        (
            FormInput(logic.SUPPORT, _("Supports our vision"), notes.NOTE_MAX, required=False),
            FormInput(logic.SLOW, _("Slows it down"), notes.NOTE_MAX, required=False),
            FormInput("strength", _("Strength 1–5 (optional)"), 1, required=False),
        ),
    )


def _clock(st: BoardState) -> str:
    p = st.phase
    if p is None:
        return ""
    left = phases.seconds_left(p, st.now)
    if p.status == "paused":
        return _("⏸ Paused — {left} left.").format(left=phases.clock_text(left))
    if p.status == "running" and p.ends_at is not None:
        return _("⏱ {left} left (until {at}).").format(
            left=phases.clock_text(left), at=p.ends_at.astimezone(st.zone).strftime("%H:%M")
        )
    return _("⏰ Time's up: writing is closed.")


def _progress(st: BoardState) -> str:
    pr = st.progress
    if pr is None:
        return ""
    text = ngettext("📝 {n} note", "📝 {n} notes", pr.notes).format(n=pr.notes)
    text += " " + ngettext("from {n} person", "from {n} people", pr.writers).format(n=pr.writers)
    return text + " · " + _("✋ {done} of {people} done").format(done=pr.done, people=st.people)


def _note_line(n: Note, dots_: int | None, with_box: bool) -> str:
    box = f"[{_(logic.BOX_TITLES.get(n.box, n.box))}] " if with_box and n.box else ""
    authors = ", ".join(UserText(a) for a in notes.authors_of(n))
    line = f"- **#{n.number}** {box}{UserText(n.text)} — {authors}"
    if n.tag:
        sign = "➕" if n.tag == logic.SUPPORT else "➖"
        line = f"- {sign} **#{n.number}** {UserText(n.text)}"
        if n.strength:
            line += " " + _("(strength {n})").format(n=n.strength)
    if dots_ is not None:
        line += f" · ● {dots_}"
    return line


def _choice(st: BoardState, placeholder: str, labels: dict[int, str]) -> Choice | None:
    if st.ballot is None or st.ballot.status != "open":
        return None
    opts = [
        Option(str(c.option.id), labels.get(c.option.id, c.option.label)[:100])
        for c in st.counts[:CHOICE_OPTIONS_MAX]
    ]
    if not opts:
        return None
    return Choice(PICK.build(workshop=st.w.id, ballot=st.ballot.id), tuple(opts), placeholder)


def render(st: BoardState) -> View:
    w, step = st.w, st.step
    pos, total = logic.number_of(w.step, w.forcefield)
    view = View(
        title=_("Vision workshop · {pos}/{total} {title}").format(
            pos=pos, total=total, title=_(step.title)
        )
    )
    v = w.version
    if w.status in (FINISHED, STOPPED):
        view.title = _("Vision workshop")
        view.text = (
            _("The workshop is over. Thank you, everyone!")
            if w.status == FINISHED
            else _("The workshop was stopped.")
        )
        return view
    lines = [f"*{_(step.prompt)}*", ""]
    view.fields.append(Field(_("People"), str(st.people), inline=True))
    if step.kind in ("writing", "force"):
        lines += _writing(st, view, v)
    else:
        lines += _choosing(st, view, v)
    view.text = "\n".join(lines).strip()
    view.buttons.append(Button(JOIN.build(workshop=w.id), _("Join")))
    return view


def _writing(st: BoardState, view: View, v: int) -> list[str]:
    w, step = st.w, st.step
    lines: list[str] = []
    if w.stage == "writing":
        lines += [
            _clock(st),
            _progress(st),
            "",
            _("Write alone: nobody sees your notes until the reveal."),
        ]
        if st.phase is not None and st.phase.status in ("running", "paused"):
            form = force_form(w) if step.kind == "force" else write_form(w, step)
            view.buttons += [
                Button(form.action_id, _("Write a note"), "primary", form=form),
                Button(DONE.build(workshop=w.id, step=step.name), _("I'm done")),
                Button(MINE.build(workshop=w.id), _("My notes")),
                Button(MORE.build(workshop=w.id, version=v), _("+1 min")),
            ]
            if st.phase.status == "running":
                view.buttons.append(Button(PAUSE.build(workshop=w.id, version=v), _("Pause")))
            else:
                view.buttons.append(Button(RESUME.build(workshop=w.id, version=v), _("Resume")))
        view.buttons.append(Button(REVEAL.build(workshop=w.id, version=v), _("Reveal"), "success"))
        return lines
    counted = {c.option.key: c.dots for c in st.counts}
    voting = w.stage == "voting"
    with_box = len(step.boxes) > 1
    for n in st.notes:
        lines.append(_note_line(n, counted.get(str(n.number), 0) if voting else None, with_box))
    if not st.notes:
        lines.append(_("No notes in this step."))
    lines.append("")
    if voting and st.ballot is not None:
        lines.append(
            ngettext(
                "{n} dot each: “workshop vote <number>”, or pick below.",
                "{n} dots each: “workshop vote <number>”, or pick below.",
                st.ballot.budget,
            ).format(n=st.ballot.budget)
        )
        labels = {c.option.id: f"#{c.option.key} {c.option.label}" for c in st.counts}
        choice = _choice(st, _("Put a dot on…"), labels)
        if choice:
            view.choices.append(choice)
        view.buttons.append(
            Button(NEXT.build(workshop=w.id, version=v), _("Close the vote"), "success")
        )
    else:
        lines.append(_("Merge duplicates: “workshop merge <number> <into>”."))
        if step.kind == "writing" and st.notes:
            view.buttons.append(
                Button(ALIGN.build(workshop=w.id, version=v), _("Dot vote"), "primary")
            )
        view.buttons.append(Button(NEXT.build(workshop=w.id, version=v), _("Next step"), "success"))
    return lines


def _choosing(st: BoardState, view: View, v: int) -> list[str]:
    w, e = st.w, st.election
    lines: list[str] = []
    if e is None:
        return lines
    by_id = {c.option.id: c for c in st.counts}
    numbered = {c.option.id: i for i, c in enumerate(st.counts, start=1)}
    voting = w.stage == "voting"
    for c in st.counts:
        label = UserText(c.option.label)
        line = f"{numbered[c.option.id]}. {label}"
        if voting:
            line += f" · 👍 {c.dots}"
        lines.append(line)
    if not by_id:
        lines.append(_("Nobody proposed yet.") if w.step == "leader" else _("No names yet."))
    lines.append("")
    if w.stage == "elected":
        lines.append(
            _("🎉 {name} is elected. {name}, do you accept?").format(name=UserText(e.winner_label))
        )
        view.buttons += [
            Button(ACCEPT.build(workshop=w.id), _("Accept"), "success"),
            Button(DECLINE.build(workshop=w.id), _("Decline"), "danger"),
        ]
        return lines
    if voting:
        if e.round > 1:
            lines.append(_("Run-off between the tied: one vote each."))
        elif w.step == "name":
            lines.append(_("Two thumbs each, never both on one name: “workshop vote <number>”."))
        else:
            lines.append(_("One vote each: “workshop vote <number>”."))
        labels = {oid: f"{numbered[oid]}. {c.option.label}" for oid, c in by_id.items()}
        choice = _choice(st, _("Vote for…"), labels)
        if choice:
            view.choices.append(choice)
        view.buttons.append(
            Button(NEXT.build(workshop=w.id, version=v), _("Close the vote"), "success")
        )
        return lines
    if w.step == "name":
        lines.append(_("Propose a name: “workshop propose <name>”."))
        form = Form(
            PROPOSE.build(workshop=w.id),
            _("A name for the community"),
            (FormInput("name", _("Name"), logic.NAME_MAX),),
        )
        view.buttons.append(Button(form.action_id, _("Propose a name"), "primary", form=form))
    else:
        lines.append(_("Nominate someone taking part: “workshop nominate @name”."))
    view.buttons.append(Button(NEXT.build(workshop=w.id, version=v), _("Open the vote"), "success"))
    return lines
