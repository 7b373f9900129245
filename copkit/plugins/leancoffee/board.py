"""The board and the thumbs vote: plain data in, a view out. Every id comes from :mod:`.routes`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from copkit.core.i18n import _, ngettext
from copkit.core.views import (
    CHOICE_OPTIONS_MAX,
    TEXT_MAX,
    Button,
    Choice,
    Form,
    FormInput,
    Option,
    PersonalPart,
    UserText,
    View,
)

from . import logic
from .models import CURRENT, DISCUSSED, DISCUSSING, ENDED, OPEN, PROPOSING, SKIPPED, VOTING
from .routes import (
    ACTION,
    END,
    EXTEND,
    MY_DOTS,
    NEXT,
    NOTE,
    PAUSE,
    PROPOSE,
    RESUME,
    SKIP,
    TAKEAWAY,
    THUMBS,
    UNVOTE_PICK,
    VOTE_PICK,
    VOTING_CLOSE,
    VOTING_OPEN,
)

CHOICE_MAX = CHOICE_OPTIONS_MAX


@dataclass(slots=True)
class TopicCard:
    id: int
    number: int
    title: str
    status: str = OPEN
    pitch: str = ""
    author_name: str = ""
    carried_over: bool = False
    similar_to: int | None = None
    order: int | None = None
    spent: int = 0
    extensions_used: int = 0
    dots: int = 0


@dataclass(slots=True)
class BoardState:
    session_id: int
    phase: str
    votes: int
    timebox: int
    extensions: list[int]
    now: datetime
    tz: tzinfo
    title: str = ""
    topics: list[TopicCard] = field(default_factory=list)
    ends_at: datetime | None = None
    paused_left: int | None = None
    thumbs_open: bool = False
    thumbs_ends_at: datetime | None = None
    step: int = 0  # the session's version: the buttons that move it on carry it
    current_topic: int = 0  # the id of the topic being discussed


def propose_form(session_id: int) -> Form:
    return Form(
        PROPOSE.build(session=session_id),
        _("Propose a topic"),
        (
            FormInput("title", _("Title"), max_length=logic.TITLE_MAX),
            FormInput(
                "pitch", _("Pitch"), max_length=logic.PITCH_MAX, required=False, multiline=True
            ),
        ),
    )


_NOTE_ROUTES = {"note": NOTE, "takeaway": TAKEAWAY, "action": ACTION}


def note_form(session_id: int, kind: str) -> Form:
    titles = {
        "note": _("Add a note"),
        "takeaway": _("Add a takeaway"),
        "action": _("Add an action item"),
    }
    inputs = [FormInput("text", _("Text"), max_length=logic.NOTE_MAX, multiline=True)]
    if kind == "action":
        inputs += [
            FormInput("owner", _("Owner"), max_length=100, required=False),
            FormInput(
                "due", _("Due date"), max_length=20, required=False, placeholder="2026-02-01"
            ),
        ]
    return Form(_NOTE_ROUTES[kind].build(session=session_id), titles[kind], tuple(inputs))


def _clock(at: datetime, tz: tzinfo) -> str:
    return at.astimezone(tz).strftime("%H:%M")


def _line(t: TopicCard, *, dots: bool, pitch: bool = True) -> str:
    parts = [f"**#{t.number}** {UserText(t.title)}"]
    if dots:
        parts.append(logic.dots_text(t.dots))
    if t.carried_over:
        parts.append(_("↻ carried over"))
    if t.similar_to:
        parts.append(_("≈ #{n}").format(n=t.similar_to))
    line = " · ".join(parts)
    if t.pitch and pitch:
        short = t.pitch if len(t.pitch) <= 80 else t.pitch[:79] + "…"
        line += f" — *{UserText(short)}*"
    return "- " + line


def _fit(lines: list[str], budget: int) -> list[str]:
    """As many of ``lines`` as fit in ``budget`` characters, and a line saying how many not."""
    out: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        if used + len(line) + 1 > budget:
            return out + ["- " + _("… and {n} more").format(n=len(lines) - i)]
        out.append(line)
        used += len(line) + 1
    return out


def _timer(s: BoardState) -> str:
    if s.thumbs_open and s.thumbs_ends_at:
        return _("✋ thumbs vote until {at}").format(
            at=s.thumbs_ends_at.astimezone(s.tz).strftime("%H:%M:%S")
        )
    if s.paused_left is not None:
        return _("⏸ paused, {left} left").format(left=logic.minutes_text(s.paused_left))
    if s.ends_at:
        return _("⏱ until {at}").format(at=_clock(s.ends_at, s.tz))
    return ""


def _phase_line(s: BoardState) -> str:
    if s.phase == PROPOSING:
        return _("**Proposing topics.** Add yours with the button or “leancoffee propose <title>”.")
    if s.phase == VOTING:
        return _(
            "**Voting is open:** {n} dots each, stack them if you like. "
            "Pick below or type “leancoffee vote <number>”."
        ).format(n=s.votes)
    if s.phase == DISCUSSING:
        return _("**Discussing.** Add notes, takeaways and action items as you go.")
    return _("**This lean coffee has ended.** Thank you! The minutes are posted below.")


def render_board(s: BoardState) -> View:
    """The whole board. Pure and fast: it only formats what it is given."""
    dots = s.phase != PROPOSING
    todo = [t for t in s.topics if t.status == OPEN]
    if dots:
        todo = logic.rank(todo, {t.id: t.dots for t in todo})
    else:
        todo.sort(key=lambda t: t.number)
    current = [t for t in s.topics if t.status == CURRENT]
    done = sorted(
        (t for t in s.topics if t.status in (DISCUSSED, SKIPPED)),
        key=lambda t: (t.order or 0, t.number),
    )
    now_lines = []
    if current:
        t = current[0]
        extra = [_timer(s)]
        if t.extensions_used:
            extra.append(_("extension {n}").format(n=t.extensions_used))
        now_lines.append(_line(t, dots=True) + " · " + " · ".join(x for x in extra if x))
    done_lines = []
    for t in done:
        what = _("skipped") if t.status == SKIPPED else logic.minutes_text(t.spent)
        line = f"- **#{t.number}** {UserText(t.title)} · {logic.dots_text(t.dots)} · {what}"
        if t.extensions_used:
            line += " · " + (
                _("extended once")
                if t.extensions_used == 1
                else _("extended {n}×").format(n=t.extensions_used)
            )
        done_lines.append(line)
    todo_lines = [_line(t, dots=dots) for t in todo]
    # Views have a size limit (core TEXT_MAX): drop the pitches, then
    # the tail of the lists, so the three columns always show.
    fixed = sum(len(x) + 1 for x in now_lines) + 400
    if fixed + sum(len(x) + 1 for x in todo_lines + done_lines) > TEXT_MAX:
        todo_lines = [_line(t, dots=dots, pitch=False) for t in todo]
    room = TEXT_MAX - fixed
    done_lines = done_lines[::-1]  # the latest discussed first when it must be cut
    if sum(len(x) + 1 for x in todo_lines + done_lines) > room:
        todo_lines = _fit(todo_lines, max(room // 2, room - sum(len(x) + 1 for x in done_lines)))
        done_lines = _fit(done_lines, room - sum(len(x) + 1 for x in todo_lines))
    done_lines = done_lines[::-1]
    nothing = ["- " + _("nothing yet")]
    lines = [_phase_line(s), ""]
    lines.append(_("**To discuss** ({n})").format(n=len(todo)))
    lines += todo_lines or nothing
    lines.append(_("**Discussing**"))
    lines += now_lines or nothing
    lines.append(_("**Discussed** ({n})").format(n=len(done)))
    lines += done_lines or nothing

    sid, step, topic = s.session_id, s.step, s.current_topic
    buttons: list[Button] = []
    choices: list[Choice] = []
    if s.phase != ENDED:
        form = propose_form(sid)
        buttons.append(Button(form.action_id, _("Propose a topic"), "primary", form=form))
    if s.phase == PROPOSING:
        opening = VOTING_OPEN.build(session=sid, step=step)
        buttons.append(Button(opening, _("Open voting"), "success"))
    elif s.phase == VOTING:
        for i in range(0, min(len(todo), 2 * CHOICE_MAX), CHOICE_MAX):
            options = tuple(
                Option(str(t.id), f"#{t.number} {t.title}"[:100], logic.dots_text(t.dots))
                for t in todo[i : i + CHOICE_MAX]
            )
            # Every component of a view needs its own id: one per page of options.
            page = VOTE_PICK.build(page=i // CHOICE_MAX + 1)
            choices.append(Choice(page, options, _("Give a dot to…")))
        voted = [t for t in todo if t.dots][:CHOICE_MAX]
        if voted:
            options = tuple(Option(str(t.id), f"#{t.number} {t.title}"[:100]) for t in voted)
            choices.append(Choice(UNVOTE_PICK.build(), options, _("Take a dot back from…")))
        closing = VOTING_CLOSE.build(session=sid, step=step)
        buttons.append(Button(closing, _("Close voting and start"), "success"))
    elif s.phase == DISCUSSING:
        on = {"session": sid, "topic": topic, "step": step}
        for kind, label in (("note", _("Note")), ("takeaway", _("Takeaway"))):
            form = note_form(sid, kind)
            buttons.append(Button(form.action_id, label, form=form))
        form = note_form(sid, "action")
        buttons += [
            Button(form.action_id, _("Action item"), form=form),
            Button(NEXT.build(**on), _("Next topic"), "success"),
            Button(EXTEND.build(**on), _("Extend")),
            Button(SKIP.build(**on), _("Skip")),
        ]
        if s.paused_left is not None:
            buttons.append(Button(RESUME.build(session=sid, step=step), _("Resume")))
        elif s.ends_at is not None:
            buttons.append(Button(PAUSE.build(session=sid, step=step), _("Pause")))
    if s.phase != ENDED:
        buttons.append(Button(END.build(session=sid, step=step), _("End"), "danger"))

    ext = ", ".join(logic.minutes_text(e) for e in s.extensions) or _("none")
    footer = _("{votes} dots each · {timebox} timebox · extensions: {ext}").format(
        votes=s.votes, timebox=logic.minutes_text(s.timebox), ext=ext
    )
    title = _("☕ Lean coffee")
    if s.title:
        title += f" — {UserText(s.title)}"
    personal = None
    if s.phase == VOTING:
        personal = PersonalPart(
            MY_DOTS.build(session=sid), _("My dots"), _("“My dots” shows where your dots are.")
        )
    return View(
        title=title,
        text="\n".join(lines),
        buttons=buttons,
        choices=choices,
        footer=footer,
        tone="success" if s.phase == ENDED else "info",
        personal=personal,
    )


def your_dots(votes: int, numbers: list[int], voting: bool) -> View:
    """The board's personal part: where this person's dots are and how many are left."""
    left = max(votes - len(numbers), 0)
    where = ", ".join(f"#{n}" for n in sorted(numbers))
    if not voting:
        text = _("Your dots went to {where}.").format(where=where) if numbers else ""
        return View(text=text or _("You gave no dots."))
    count = ngettext("{k} dot left", "{k} dots left", left).format(k=left)
    if numbers:
        text = _("Your dots: {where} · {count}.").format(where=where, count=count)
    else:
        text = _("You have {count}: give them from the list below.").format(count=count)
    return View(text=text)


def render_thumbs(
    session_id: int,
    round_: int,
    number: int,
    title: str,
    count: logic.ThumbsCount,
    ends_at: datetime,
    tz: tzinfo,
    outcome: str | None = None,
) -> View:
    """The thumbs vote at the end of a timebox; with ``outcome`` it is closed."""
    head = _("Keep going on #{n} {title}?").format(n=number, title=UserText(title))
    if outcome is not None:
        return View(title=head, text=f"{count} → {outcome}", tone="success")
    text = _(
        "👍 keep going · ✋ neutral · 👎 move on. So far: {count}. "
        "Closes at {at} or when everyone here has voted."
    ).format(count=count, at=ends_at.astimezone(tz).strftime("%H:%M:%S"))

    def vote(value: str) -> str:
        return THUMBS.build(session=session_id, round=round_, vote=value)

    return View(
        title=head,
        text=text,
        buttons=[
            Button(vote("up"), _("👍 Keep going"), "success"),
            Button(vote("neutral"), _("✋ Neutral")),
            Button(vote("down"), _("👎 Move on"), "danger"),
        ],
        tone="warning",
    )
