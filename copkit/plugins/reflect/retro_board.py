"""The retro's board: one live view in its room that shows the stage, the shared timer, the
open actions under review, the progress of private writing (counts, never names or notes),
then — after the reveal — the notes by prompt, their dots, the actions agreed, and the buttons
of the moment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from copkit.core.facilitation import dots, notes, phases
from copkit.core.facilitation.models import Note, Phase
from copkit.core.i18n import _, ngettext
from copkit.core.views import Button, Form, FormInput, UserText, View

from .retro_format import (
    ACTION,
    DONE,
    DOT,
    END,
    MINE,
    MORE,
    NEXT,
    PAUSE,
    PROMPT_WORDS,
    PROMPTS,
    RESUME,
    REVIEW,
    WRITE,
    prompt_label,
)
from .retro_models import DONE as FINISHED
from .retro_models import Retro, RetroAction

REVIEW_BUTTONS = 6
"""Actions reviewed by button on the board (the others by command: ``retro review 7 done``)."""
DOT_BUTTONS = 20


@dataclass
class BoardState:
    r: Retro
    now: datetime
    verdicts: dict[str, str] = field(default_factory=dict)
    phase: Phase | None = None
    progress: notes.Progress | None = None
    notes: list[Note] = field(default_factory=list)
    dots: dict[str, int] = field(default_factory=dict)
    voting_open: bool = False
    actions: list[RetroAction] = field(default_factory=list)


def verdict_word(verdict: str) -> str:
    return {"done": _("done ✅"), "carried": _("carried ↪"), "dropped": _("dropped ✖")}.get(
        verdict, verdict
    )


def review_line(n: int, item: dict[str, str], verdict: str | None) -> str:
    parts = [f"**{n}.** {UserText(item.get('text', ''))}"]
    if item.get("owner"):
        parts.append(f"@{UserText(item['owner'])}")
    if item.get("due"):
        parts.append(_("due {due}").format(due=item["due"]))
    parts.append(_("from {source}").format(source=item.get("source", "")))
    if verdict:
        parts.append(verdict_word(verdict))
    return "- " + " · ".join(parts)


def note_line(n: Note, prompts: str, dots_on: int | None, *, label: bool = True) -> str:
    who = ", ".join(UserText(a) for a in notes.authors_of(n))
    box = f"[{_(prompt_label(prompts, n.box))}] " if label else ""
    line = f"- **#{n.number}** {box}{UserText(n.text)} — {who}"
    if dots_on is not None:
        line += " " + "●" * dots_on if dots_on else ""
    return line


def action_line(a: RetroAction) -> str:
    parts = [f"**A{a.id}** {UserText(a.text)}"]
    if a.owner_name:
        parts.append(f"@{UserText(a.owner_name)}")
    if a.due:
        parts.append(_("due {due}").format(due=a.due.isoformat()))
    return "- " + " · ".join(parts)


def write_form(r: Retro) -> Form:
    inputs = tuple(
        FormInput(key, _(label), max_length=notes.NOTE_MAX, required=False, multiline=True)
        for key, label in PROMPTS[r.prompts]
    )
    return Form(
        WRITE.build(retro=r.id), _("Your notes (only you see them until the reveal)"), inputs
    )


def action_form(r: Retro) -> Form:
    return Form(
        ACTION.build(retro=r.id),
        _("An action"),
        (
            FormInput("text", _("What will be done"), max_length=300),
            FormInput("owner", _("Who (@name)"), required=False),
            FormInput("due", _("By when (2026-02-01 or 7d)"), required=False),
        ),
    )


def _clock(st: BoardState) -> str:
    p = st.phase
    if p is None:
        return ""
    left = phases.seconds_left(p, st.now)
    if p.status == "paused":
        return _("⏸ Paused — {left} left.").format(left=phases.clock_text(left))
    if p.status == "running":
        return _("⏱ {left} left.").format(left=phases.clock_text(left))
    return _("⏰ Time's up.")


def render(st: BoardState) -> View:
    r = st.r
    v = r.version
    lines: list[str] = []
    buttons: list[Button] = []
    title = _("Retrospective — {prompts}").format(prompts=_(PROMPT_WORDS[r.prompts]))
    if r.status == FINISHED:
        lines.append(_("The retro is over. Minutes: “retro minutes {id}”.").format(id=r.id))
        lines += [action_line(a) for a in st.actions]
        return View(title=title, text="\n".join(lines), tone="success")
    if r.stage == "review":
        lines.append(_("🔁 First, the open actions of earlier events: done, carried or dropped?"))
        if not r.review:
            lines.append(_("No open actions to review. 🎉"))
        for n, item in enumerate(r.review, 1):
            verdict = st.verdicts.get(item["key"])
            lines.append(review_line(n, item, verdict))
            if verdict is None and n <= REVIEW_BUTTONS:
                for word, label in (
                    ("done", _("Done {n}")),
                    ("carried", _("Carry {n}")),
                    ("dropped", _("Drop {n}")),
                ):
                    buttons.append(
                        Button(REVIEW.build(retro=r.id, item=n, verdict=word), label.format(n=n))
                    )
        buttons.append(Button(NEXT.build(retro=r.id, version=v), _("Start writing"), "primary"))
    elif r.stage == "writing":
        prompts = " / ".join(_(label) for _key, label in PROMPTS[r.prompts])
        lines.append(_("✍ Write alone, one idea per note: {prompts}.").format(prompts=prompts))
        lines.append(_clock(st))
        if st.progress is not None:
            p = st.progress
            lines.append(
                ngettext("📝 {n} note", "📝 {n} notes", p.notes).format(n=p.notes)
                + " · "
                + ngettext("{n} done", "{n} done", p.done).format(n=p.done)
            )
        buttons += [
            Button(WRITE.build(retro=r.id), _("Write"), "primary", form=write_form(r)),
            Button(DONE.build(retro=r.id), _("I'm done")),
            Button(MINE.build(retro=r.id), _("My notes")),
        ]
        buttons += _timer_buttons(st)
        buttons.append(Button(NEXT.build(retro=r.id, version=v), _("Reveal")))
    elif r.stage == "revealed":
        lines.append(_("👀 The notes, revealed. Group duplicates: “retro merge 4 2”."))
        lines += [note_line(n, r.prompts, None) for n in st.notes]
        buttons.append(Button(NEXT.build(retro=r.id, version=v), _("Dot vote"), "primary"))
    elif r.stage == "voting":
        lines.append(
            ngettext(
                "🗳 Dot vote: {n} dot each, on what matters most.",
                "🗳 Dot vote: {n} dots each, on what matters most.",
                r.dots,
            ).format(n=r.dots)
        )
        lines.append(_clock(st))
        lines += [note_line(n, r.prompts, st.dots.get(str(n.number), 0)) for n in st.notes]
        if st.voting_open:
            buttons += [
                Button(DOT.build(retro=r.id, note=n.number), f"● #{n.number}")
                for n in st.notes[:DOT_BUTTONS]
            ]
        buttons += _timer_buttons(st)
        buttons.append(Button(NEXT.build(retro=r.id, version=v), _("Close the vote"), "primary"))
    else:
        lines.append(_("📌 Actions: what will we do, who, by when?"))
        ranked = sorted(st.notes, key=lambda n: (-st.dots.get(str(n.number), 0), n.number))
        lines += [note_line(n, r.prompts, st.dots.get(str(n.number), 0)) for n in ranked[:5]]
        lines += [action_line(a) for a in st.actions]
        buttons.append(Button(ACTION.build(retro=r.id), _("Add an action"), form=action_form(r)))
        buttons.append(Button(END.build(retro=r.id, version=v), _("End the retro"), "primary"))
    return View(title=title, text="\n".join(x for x in lines if x), buttons=buttons)


def _timer_buttons(st: BoardState) -> list[Button]:
    p, r = st.phase, st.r
    if p is None or p.status not in ("running", "paused"):
        return []
    more = Button(MORE.build(retro=r.id, version=r.version), _("+1 min"))
    if p.status == "paused":
        return [more, Button(RESUME.build(retro=r.id, version=r.version), _("Resume"))]
    return [more, Button(PAUSE.build(retro=r.id, version=r.version), _("Pause"))]


async def dots_of(ballot_id: int | None) -> dict[str, int]:
    if ballot_id is None:
        return {}
    return {c.option.key: c.dots for c in await dots.counts(ballot_id)}
