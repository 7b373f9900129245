"""What brown bags look like: the backlog, a session's announcement, reminders and the record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from copkit.core.i18n import _, ngettext
from copkit.core.ratings import rating_buttons, rating_text
from copkit.core.timezones import show, show_time
from copkit.core.views import Button, Choice, Field, Option, ScheduledEvent, Tone, UserText, View

from .calendar import CalendarEntry
from .format import FEEDBACK, ICS, RSVP, UPVOTE, VOLUNTEER
from .models import Session

ANSWERS = ("going", "maybe", "no")


def answer_label(answer: str) -> str:
    return {"going": _("Going"), "maybe": _("Maybe"), "no": _("Not going")}[answer]


# What people type for an RSVP, in every shipped language (kept here, not in the catalogues, so
# that a French "oui" works in a community whose language is English).
_SAID = {
    "going": (
        "yes y yep yeah sure going go coming attending in ok ✅ 👍 "
        "oui o ouais partant partante présent présente viens je-viens "
        "ja j jo dabei komme ich-komme zusage"
    ),
    "maybe": "maybe perhaps tentative possibly ? 🤔 peut-être peut-etre pe probablement vielleicht evtl eventuell",
    "no": (
        "no n nope not not-going out can't cannot ❌ 👎 "
        "non absent absente pas-dispo pas-là je-ne-viens-pas "
        "nein nö nicht nicht-dabei absage"
    ),
}
_ANSWER_WORDS = {w: a for a, words in _SAID.items() for w in words.split()}


def reminders_footer(s: Session) -> str:
    """Which reminders will still come, as the announcement's footer ("" when none will)."""
    day, soon = bool(s.remind_day_job), bool(s.remind_soon_job)
    if day and soon:
        return _("Reminders 24 h and 15 min before go to the speaker and everyone going.")
    if soon:
        return _("A reminder 15 min before goes to the speaker and everyone going.")
    return ""


def reminder_promise(s: Session) -> str:
    """What an RSVP "going" is promised: only the reminders that will still come."""
    day, soon = bool(s.remind_day_job), bool(s.remind_soon_job)
    if day and soon:
        return _("I'll remind you 24 h and 15 min before.")
    if soon:
        return _("I'll remind you 15 min before.")
    return ""


def answer_of(text: str) -> str | None:
    """The RSVP ``text`` stands for ("yes", "Going", "oui", "nicht dabei" → going/no), or None."""
    folded = "-".join(text.casefold().replace("’", "'").split()).strip(".!")
    if folded in _ANSWER_WORDS:
        return _ANSWER_WORDS[folded]
    for answer in ANSWERS:  # the labels people see on the buttons, in the community's language
        if folded == "-".join(answer_label(answer).casefold().split()):
            return answer
    return None


@dataclass
class BacklogItem:
    id: int
    title: str
    votes: int
    speakers: list[str]


def rank_backlog(items: list[BacklogItem]) -> list[BacklogItem]:
    """Most wanted first; among equals, talks with a speaker first, then the oldest."""
    return sorted(items, key=lambda t: (-t.votes, not t.speakers, t.id))


def backlog_view(items: list[BacklogItem]) -> View:
    ranked = rank_backlog(items)
    if not ranked:
        return View(
            title=_("Brown bag backlog"),
            text=_('Nothing proposed yet. Propose a talk with “brownbag propose "title"”.'),
        )
    lines = []
    for t in ranked:
        votes = ngettext("{n} vote", "{n} votes", t.votes).format(n=t.votes)
        who = (
            _("could give it: {names}").format(names=", ".join(UserText(s) for s in t.speakers))
            if t.speakers
            else _("no speaker yet")
        )
        lines.append(f"- **#{t.id}** {UserText(t.title)} — {votes} · {who}")
    options = tuple(Option(str(t.id), f"#{t.id} {t.title}"[:100]) for t in ranked[:25])
    return View(
        title=_("Brown bag backlog"),
        text="\n".join(lines),
        choices=[
            Choice(UPVOTE.build(), options, placeholder=_("Upvote a talk")),
            Choice(VOLUNTEER.build(), options, placeholder=_("I could give…")),
        ],
        footer=_("Most wanted first. The leader schedules from here."),
    )


def calendar_entry(s: Session) -> CalendarEntry:
    return CalendarEntry(
        uid=s.uid,
        title=_("Brown bag: {title}").format(title=s.title),
        start=s.starts_at,
        end=s.starts_at + timedelta(minutes=s.minutes),
        sequence=s.sequence,
        cancelled=s.status == "cancelled",
        location=s.where,
        description=_("Speaker: {name}").format(name=s.speaker_name or s.speaker_id),
    )


def scheduled_event(s: Session) -> ScheduledEvent:
    e = calendar_entry(s)
    return ScheduledEvent(
        uid=e.uid,
        title=e.title,
        start=e.start,
        end=e.end,
        location=e.location,
        description=e.description,
        cancelled=e.cancelled,
    )


def when_text(s: Session, tz: ZoneInfo) -> str:
    end = s.starts_at + timedelta(minutes=s.minutes)
    return f"{show(s.starts_at, tz, with_zone=False)}–{show_time(end, tz)} ({tz.key})"


@dataclass
class Stats:
    counts: dict[str, int] = field(default_factory=dict)
    ratings: int = 0
    average: float | None = None


def session_view(s: Session, tz: ZoneInfo, stats: Stats) -> View:
    counts = {a: stats.counts.get(a, 0) for a in ANSWERS}
    lines = [
        _("**Speaker:** {name}").format(name=UserText(s.speaker_name or s.speaker_id)),
        _("**When:** {when}").format(when=when_text(s, tz)),
    ]
    if s.where:
        lines.append(_("**Where:** {where}").format(where=UserText(s.where)))
    fields = [Field(answer_label(a), str(counts[a]), inline=True) for a in ANSWERS]
    buttons: list[Button] = []
    title = _("Brown bag #{id}: {title}").format(id=s.id, title=UserText(s.title))
    tone: Tone = "info"
    footer = ""
    if s.status == "scheduled":
        buttons = [
            Button(
                RSVP.build(session=s.id, answer=a),
                f"{answer_label(a)} ({counts[a]})",
                "success" if a == "going" else "secondary",
            )
            for a in ANSWERS
        ]
        buttons.append(Button(ICS.build(session=s.id), _("Add to calendar")))
        footer = reminders_footer(s)
        if s.sequence:
            footer = _("Updated.") + " " + footer
    elif s.status == "cancelled":
        title = _("Cancelled: {title}").format(title=title)
        tone = "warning"
        buttons = [Button(ICS.build(session=s.id), _("Update my calendar"))]
    else:
        tone = "success"
        title = _("Done: {title}").format(title=title)
        fields = [
            Field(_("Attendance"), str(s.attendance or 0), inline=True),
            Field(_("Rating"), rating_text(stats.average, stats.ratings), inline=True),
        ]
        lines += link_lines(s)
    return View(
        title=title,
        text="\n".join(lines),
        fields=fields,
        buttons=buttons,
        footer=footer,
        tone=tone,
        event=scheduled_event(s),
    )


def link_lines(s: Session) -> list[str]:
    lines = []
    if s.recording_url:
        lines.append(_("**Recording:** {url}").format(url=UserText(s.recording_url)))
    if s.slides_url:
        lines.append(_("**Slides:** {url}").format(url=UserText(s.slides_url)))
    return lines


def reminder_view(s: Session, tz: ZoneInfo, which: str, speaker: bool) -> View:
    soon = _("in 15 minutes") if which == "soon" else _("tomorrow")
    if speaker:
        text = _("You are speaking {soon}: “{title}”.").format(soon=soon, title=UserText(s.title))
    else:
        text = _("“{title}” by {name} starts {soon}.").format(
            title=UserText(s.title), name=UserText(s.speaker_name), soon=soon
        )
    lines = [text, when_text(s, tz)]
    if s.where:
        lines.append(_("Where: {where}").format(where=UserText(s.where)))
    return View(title=_("Brown bag reminder"), text="\n".join(lines))


def feedback_prompt(s: Session) -> View:
    return View(
        title=_("How was “{title}”?").format(title=UserText(s.title)),
        text=_("Rate it from 1 to 5 and tell us one thing you'll apply."),
        buttons=rating_buttons(FEEDBACK, session=s.id),
    )


def record_view(
    s: Session, tz: ZoneInfo, stats: Stats, applies: list[str], extra: list[tuple[str, str]]
) -> View:
    fields = [
        Field(_("Speaker"), UserText(s.speaker_name or s.speaker_id), inline=True),
        Field(_("Date"), show(s.starts_at, tz), inline=True),
        Field(
            _("Attendance"),
            str(s.attendance if s.attendance is not None else stats.counts.get("going", 0)),
            inline=True,
        ),
        Field(_("Average rating"), rating_text(stats.average, stats.ratings), inline=True),
        Field(_("Recording"), UserText(s.recording_url) or "—", inline=True),
        Field(_("Slides"), UserText(s.slides_url) or "—", inline=True),
    ]
    if applies:
        fields.append(
            Field(_("What people will apply"), "\n".join(f"- {UserText(a)}" for a in applies))
        )
    for title, text in extra:
        fields.append(Field(title, text))
    status = {"scheduled": _("scheduled"), "done": _("done"), "cancelled": _("cancelled")}[s.status]
    return View(
        title=_("Record of brown bag #{id}: {title}").format(id=s.id, title=UserText(s.title)),
        text=_("Status: {status}").format(status=status),
        fields=fields,
    )


def past_view(rows: list[tuple[Session, Stats]], tz: ZoneInfo) -> View:
    if not rows:
        return View(title=_("Past brown bags"), text=_("None yet."))
    lines = [
        _("- **#{id}** {title} — {speaker}, {date} · {n} attended · {rating}").format(
            id=s.id,
            title=UserText(s.title),
            speaker=UserText(s.speaker_name),
            date=show(s.starts_at, tz, with_zone=False),
            n=s.attendance or 0,
            rating=rating_text(st.average, st.ratings),
        )
        for s, st in rows
    ]
    return View(title=_("Past brown bags"), text="\n".join(lines))


def upcoming_view(rows: list[tuple[Session, Stats]], tz: ZoneInfo) -> View:
    if not rows:
        return View(title=_("Upcoming brown bags"), text=_("Nothing scheduled yet."))
    lines = [
        _("- **#{id}** {title} — {speaker}, {when} · {going} going").format(
            id=s.id,
            title=UserText(s.title),
            speaker=UserText(s.speaker_name),
            when=when_text(s, tz),
            going=st.counts.get("going", 0),
        )
        for s, st in rows
    ]
    return View(title=_("Upcoming brown bags"), text="\n".join(lines))


def ics_view(s: Session, ics: bytes) -> View:
    return View(
        title=_("Calendar entry for brown bag #{id}").format(id=s.id),
        text="```\n" + ics.decode("utf-8").replace("\r\n", "\n").strip() + "\n```",
        footer=_("Save it as brownbag-{id}.ics and open it with your calendar.").format(id=s.id),
    )


def moved_view(s: Session, tz: ZoneInfo) -> View:
    return View(
        title=_("Brown bag moved"),
        text=_("“{title}” by {name} is now {when}.").format(
            title=UserText(s.title), name=UserText(s.speaker_name), when=when_text(s, tz)
        ),
        buttons=[Button(ICS.build(session=s.id), _("Update my calendar"))],
    )


def cancelled_view(s: Session, tz: ZoneInfo) -> View:
    return View(
        title=_("Brown bag cancelled"),
        text=_("“{title}” by {name}, {when}, is cancelled.").format(
            title=UserText(s.title), name=UserText(s.speaker_name), when=when_text(s, tz)
        ),
        tone="warning",
        buttons=[Button(ICS.build(session=s.id), _("Update my calendar"))],
    )


def now_label(now: datetime, tz: ZoneInfo) -> str:
    return show(now, tz)
