"""Minutes: gathered from the database once, stored as data and as Markdown, shown as a view;
the ``minutes`` command and the Markdown button of a minutes view."""

from __future__ import annotations

from datetime import date
from typing import Any

from copkit.core import store
from copkit.core.context import Context, Scope
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _, ngettext
from copkit.core.models import Membership
from copkit.core.specs import Arg
from copkit.core.usertext import escape_markdown, render_text
from copkit.core.views import Attachment, Button, UserText, View, notice

from . import logic
from .models import (
    ACTION,
    CURRENT,
    DISCUSSED,
    ENDED,
    NOTE,
    OPEN,
    SKIPPED,
    TAKEAWAY,
    Minutes,
    Note,
    Participant,
    Session,
    Thumbs,
    Topic,
    Vote,
)
from .routes import MINUTES, lc
from .sessions import activity, dot_counts


async def gather(scope: Scope, s: Session) -> dict[str, Any]:
    """Everything the minutes say, as JSON-safe data."""
    tz = scope.zone
    topics = await Topic.filter(session_id=s.id, status__in=(OPEN, CURRENT, DISCUSSED, SKIPPED))
    dots = await dot_counts(s.id)
    notes = await Note.filter(session_id=s.id).order_by("id")
    people: set[str] = {s.started_by} if s.started_by else set()
    for t in topics:
        people.add(t.author)
        people.update(p[0] for p in t.coauthors)
    people.update(await store.column(Vote.filter(session_id=s.id).distinct(), "member"))
    people.update(await store.column(Thumbs.filter(session_id=s.id).distinct(), "member"))
    people.update(await store.column(Participant.filter(session_id=s.id), "member"))
    people.update(n.author for n in notes)
    names = (
        dict(
            await Membership.filter(
                community_id=s.community_id, person_id__in=list(people)
            ).values_list("person_id", "name")
        )
        if people
        else {}
    )

    def note_data(n: Note) -> dict[str, Any]:
        return {
            "id": n.id,
            "kind": n.kind,
            "text": n.text,
            "author": n.author_name or n.author,
            "owner": n.owner_name,
            "due": n.due.isoformat() if n.due else None,
        }

    def topic_data(t: Topic) -> dict[str, Any]:
        return {
            "number": t.number,
            "title": t.title,
            "pitch": t.pitch,
            "status": t.status,
            "authors": [t.author_name or t.author] + [p[1] or p[0] for p in t.coauthors],
            "dots": dots.get(t.id, 0),
            "spent": t.spent,
            "extensions": t.extensions_used,
            "thumbs": t.thumbs,
            "carried_over": t.carried_over,
            "notes": [note_data(n) for n in notes if n.topic == t.id],
        }

    discussed = sorted(
        (t for t in topics if t.status in (DISCUSSED, SKIPPED)),
        key=lambda t: (t.order or 0, t.number),
    )
    # Kept in the backlog: topics never reached, then skipped ones (in the order they came up).
    left = logic.rank([t for t in topics if t.status == OPEN], dots)
    left += [t for t in discussed if t.status == SKIPPED]
    known = {t.id for t in topics}
    started = s.started_at.astimezone(tz)
    ended = (s.ended_at or scope.now()).astimezone(tz)
    sections = await scope.runtime.hooks.minutes_sections(activity(scope, s))
    return {
        "session": s.id,
        "title": s.title,
        "date": started.date().isoformat(),
        "start": started.strftime("%H:%M"),
        "end": ended.strftime("%H:%M"),
        "tz": str(tz),
        "participants": sorted((names.get(p) or p for p in people), key=str.casefold),
        "votes": s.votes,
        "discussed": [topic_data(t) for t in discussed],
        "undiscussed": [topic_data(t) for t in left],
        "general": [note_data(n) for n in notes if n.topic not in known],
        "actions": [note_data(n) for n in notes if n.kind == ACTION],
        "sections": [{"title": x.title, "text": x.text} for x in sections],
    }


def _heading(data: dict[str, Any]) -> str:
    title = _("Lean coffee") + (f" — {data['title']}" if data.get("title") else "")
    return f"{title}, {data['date']}"


def _topic_head(t: dict[str, Any]) -> str:
    bits = [logic.dots_text(t["dots"])]
    if t["status"] == SKIPPED:
        bits.append(_("skipped"))
    else:
        bits.append(logic.minutes_text(t["spent"]))
    if t["extensions"]:
        bits.append(
            _("extended once")
            if t["extensions"] == 1
            else _("extended {n}×").format(n=t["extensions"])
        )
    if t.get("carried_over"):
        bits.append(_("carried over"))
    return f"#{t['number']} {t['title']} ({', '.join(bits)})"


def _note_line(n: dict[str, Any]) -> str:
    if n["kind"] == ACTION:
        extra = [f"@{n['owner']}"] if n["owner"] else []
        if n["due"]:
            extra.append(_("due {due}").format(due=n["due"]))
        tail = f" — {', '.join(extra)}" if extra else ""
        return f"- [ ] {n['text']}{tail} (#{n['id']})"
    return f"- {n['text']} ({n['author']})"


_KIND_TITLES = ((NOTE, "Notes"), (TAKEAWAY, "Takeaways"), (ACTION, "Actions"))


def _kind_title(kind: str) -> str:
    return {NOTE: _("Notes"), TAKEAWAY: _("Takeaways"), ACTION: _("Actions")}[kind]


def _thumbs_line(rounds: list[list[int]]) -> str:
    if len(rounds) == 1:
        u, m, d = rounds[0]
        return f"👍 {u} ✋ {m} 👎 {d}"
    return "; ".join(
        _("round {n}: {votes}").format(n=i, votes=f"👍 {u} ✋ {m} 👎 {d}")
        for i, (u, m, d) in enumerate(rounds, 1)
    )


def _users(data: dict[str, Any], shown: Any) -> dict[str, Any]:
    """``data`` with every text people wrote (titles, pitches, notes, names) through ``shown``."""

    def note(n: dict[str, Any]) -> dict[str, Any]:
        owner = shown(n["owner"]) if n.get("owner") else n.get("owner")
        return {**n, "text": shown(n["text"]), "author": shown(n["author"]), "owner": owner}

    def topic(t: dict[str, Any]) -> dict[str, Any]:
        return {
            **t,
            "title": shown(t["title"]),
            "pitch": shown(t["pitch"]) if t.get("pitch") else t.get("pitch"),
            "authors": [shown(a) for a in t["authors"]],
            "notes": [note(n) for n in t["notes"]],
        }

    return {
        **data,
        "title": shown(data["title"]) if data.get("title") else data.get("title"),
        "participants": [shown(p) for p in data["participants"]],
        "discussed": [topic(t) for t in data["discussed"]],
        "undiscussed": [topic(t) for t in data["undiscussed"]],
        "general": [note(n) for n in data["general"]],
        "actions": [note(n) for n in data["actions"]],
    }


def render_markdown(data: dict[str, Any]) -> str:
    """The minutes as a Markdown document (for export and the archive). What people wrote is
    escaped and kept on one line: it can start no heading, list, quote or code fence."""
    data = _users(data, escape_markdown)
    out = [f"# {_heading(data)}", ""]
    out.append(
        ngettext(
            "{start}–{end} ({tz}) · {n} participant: {names}",
            "{start}–{end} ({tz}) · {n} participants: {names}",
            len(data["participants"]),
        ).format(
            start=data["start"],
            end=data["end"],
            tz=data["tz"],
            n=len(data["participants"]),
            names=", ".join(data["participants"]) or "—",
        )
    )
    out += ["", f"## {_('Topics discussed')}", ""]
    if not data["discussed"]:
        out += [_("None."), ""]
    for i, t in enumerate(data["discussed"], 1):
        out += [f"### {i}. {_topic_head(t)}", ""]
        if t["pitch"]:
            out += [f"> {t['pitch']}", ""]
        out.append(_("Proposed by {names}.").format(names=", ".join(t["authors"])))
        if t["thumbs"]:
            out.append(_("Thumbs: {votes}.").format(votes=_thumbs_line(t["thumbs"])))
        out.append("")
        for kind, _title in _KIND_TITLES:
            items = [n for n in t["notes"] if n["kind"] == kind]
            if items:
                out += [f"**{_kind_title(kind)}**", "", *(_note_line(n) for n in items), ""]
    if data["undiscussed"]:
        out += [f"## {_('Not discussed (kept in the backlog)')}", ""]
        out += [
            f"- #{t['number']} {t['title']} ({logic.dots_text(t['dots'])})"
            for t in data["undiscussed"]
        ]
        out.append("")
    if data["general"]:
        out += [f"## {_('Other notes')}", "", *(_note_line(n) for n in data["general"]), ""]
    if data["actions"]:
        out += [f"## {_('Action items')}", "", *(_note_line(n) for n in data["actions"]), ""]
    for sec in data["sections"]:
        title = render_text(sec["title"], escape_markdown)
        out += [f"## {title}", "", render_text(sec["text"], escape_markdown), ""]
    return "\n".join(out).rstrip() + "\n"


def render_view(data: dict[str, Any], session_id: int | None = None) -> View:
    """The minutes as a chat view (bold headings instead of Markdown headers)."""
    data = _users(data, UserText)
    lines = [
        ngettext(
            "{start}–{end} · {n} participant: {names}",
            "{start}–{end} · {n} participants: {names}",
            len(data["participants"]),
        ).format(
            start=data["start"],
            end=data["end"],
            n=len(data["participants"]),
            names=", ".join(data["participants"][:30])
            + (" …" if len(data["participants"]) > 30 else ""),
        ),
        "",
    ]
    for i, t in enumerate(data["discussed"], 1):
        head = _topic_head(t)
        lines.append(f"**{i}. {head}**")
        if t["thumbs"]:
            lines.append(_("Thumbs: {votes}.").format(votes=_thumbs_line(t["thumbs"])))
        for kind, _title in _KIND_TITLES:
            for n in (n for n in t["notes"] if n["kind"] == kind):
                label = {NOTE: "📝", TAKEAWAY: "💡", ACTION: "📌"}[kind]
                lines.append(f"{label} " + _note_line(n)[2:])
    if not data["discussed"]:
        lines.append(_("No topic was discussed."))
    if data["undiscussed"]:
        lines += ["", "**" + _("Not discussed (kept in the backlog)") + "**"]
        lines += [f"- #{t['number']} {t['title']}" for t in data["undiscussed"]]
    if data["general"]:
        lines += ["", "**" + _("Other notes") + "**", *(_note_line(n) for n in data["general"])]
    for sec in data["sections"]:
        lines += ["", f"**{sec['title']}**", sec["text"]]
    buttons = [Button(MINUTES.build(session=session_id), _("Markdown"))] if session_id else []
    return View(
        title=_("Minutes: {heading}").format(heading=_heading(data)),
        text="\n".join(lines),
        buttons=buttons,
        tone="success",
    )


def minutes_view(data: dict[str, Any], session_id: int | None = None) -> View:
    return render_view(data, session_id)


def markdown_view(m: Minutes) -> View:
    """The minutes as a Markdown file (for a wiki or a git repository)."""
    name = f"leancoffee-{m.day.isoformat()}.md"
    return View(
        title=_("Minutes of {day} (Markdown)").format(day=m.day.isoformat()),
        text=_("The minutes as Markdown, in {name}.").format(name=name),
        attachments=[
            Attachment(name, "text/markdown", m.markdown.encode("utf-8"), _("the minutes"))
        ],
    )


async def ensure_minutes(scope: Scope, s: Session) -> Minutes:
    """The stored minutes of an ended session, building them if needed (once)."""
    existing = await Minutes.get_or_none(session_id=s.id)
    if existing is not None:
        return existing
    data = await gather(scope, s)
    made = await store.insert_if_absent(
        Minutes,
        session_id=s.id,
        community_id=s.community_id,
        day=date.fromisoformat(data["date"]),
        data=data,
        markdown=render_markdown(data),
        created_at=scope.now(),
    )
    return made or await Minutes.get(session_id=s.id)


async def find_minutes(scope: Scope, when: str | None) -> list[Minutes]:
    """The last minutes, or every lean coffee's minutes of one day (in the order they ran)."""
    when = (when or "last").strip().lower()
    # Sessions that ended while minutes could not be written (a crash) get them now.
    ended = await Session.filter(community_id=scope.community.id, phase=ENDED).values_list(
        "id", flat=True
    )
    have = set(
        await Minutes.filter(community_id=scope.community.id).values_list("session_id", flat=True)
    )
    for sid in sorted(set(ended) - have)[-5:]:
        await ensure_minutes(scope, await Session.get(id=sid))
    q = Minutes.filter(community_id=scope.community.id)
    if when != "last":
        try:
            day = date.fromisoformat(when)
        except ValueError:
            raise UserError(_("Say “last” or give a date like 2026-01-05.")) from None
        found = await q.filter(day=day).order_by("id")
        if not found:
            raise UserError(_("No lean coffee minutes on {day}.").format(day=day.isoformat()))
        return found
    last = await q.order_by("-id").first()
    if last is None:
        raise UserError(_("No lean coffee has ended here yet."))
    return [last]


@lc.command(
    "minutes",
    help=N_("Show the minutes of the last lean coffee or of a date."),
    args=(
        Arg("when", N_("last or a date like 2026-01-05"), positional=True),
        Arg("markdown", N_("as Markdown"), type="flag"),
    ),
    button=MINUTES,
)
async def show_minutes(ctx: Context, args: dict[str, Any]) -> None:
    """The minutes asked for; from a minutes view's button, that session's as Markdown."""
    if "session" in args:
        m = await Minutes.get_or_none(session_id=args["session"], community_id=ctx.community.id)
        if m is None:
            raise UserError(_("Those minutes are gone."))
        await ctx.reply(markdown_view(m), private=True)
        return
    found = await find_minutes(ctx, args.get("when"))
    if len(found) > 1:
        n = len(found)
        text = ngettext(
            "{n} lean coffee ran that day; here are its minutes.",
            "{n} lean coffees ran that day; here are their minutes, in order.",
            n,
        )
        await ctx.reply(notice(text.format(n=n)), private=True)
    for m in found:
        view = markdown_view(m) if args.get("markdown") else minutes_view(m.data, m.session_id)
        await ctx.reply(view, private=True)
