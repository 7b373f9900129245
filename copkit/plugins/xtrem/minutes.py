"""The minutes of a session, kept as its record at the end: for Xtrem Reading the books read
(who, which round, what they hoped to find), the key points each reader posted, the
day-to-day ideas and the ratings; for Xtrem Watch the topics and their dots, the groups,
the source list (links with their topic and who found them) and the daily-work ideas."""

from __future__ import annotations

from typing import Any

from copkit.core.context import Scope
from copkit.core.facilitation import dots, groups
from copkit.core.facilitation.models import Ballot, Note, Phase
from copkit.core.i18n import _, ngettext
from copkit.core.views import Field, UserText, View

from . import engine
from .format import READING, WATCH
from .ideas import ideas_of
from .models import Book, Rating, Reading, Session, Source


async def _groups(s: Session) -> list[dict[str, Any]]:
    out = []
    for g in await groups.groups(engine.key(s)):
        names = [m.name or m.member for m in await groups.members(g.id)]
        out.append({"number": g.number, "theme": g.theme, "names": names})
    return out


async def reading_record(scope: Scope, s: Session) -> dict[str, Any]:
    titles = {}
    books: dict[int, dict[str, Any]] = {}
    for r in await Reading.filter(session_id=s.id).order_by("round", "id"):
        if r.book_id not in titles:
            b = await Book.get(id=r.book_id)
            titles[r.book_id] = b.title
            books[r.book_id] = {"title": b.title, "author": b.author, "readers": []}
        books[r.book_id]["readers"].append({"name": r.name, "round": r.round, "hope": r.hope})
    points = []
    for round_ in (1, 2):
        phase = await Phase.get_or_none(owner=engine.key(s), name=f"round{round_}")
        if phase is None:
            continue
        for n in await Note.filter(phase_id=phase.id).order_by("number"):
            book = titles.get(int(n.box)) if n.box.isascii() and n.box.isdigit() else None
            points.append({"name": n.author_name, "book": book or "", "text": n.text})
    ratings = [
        {
            "name": r.name,
            "book": titles.get(r.book_id, ""),
            "readability": r.readability,
            "recommendation": r.recommendation,
        }
        for r in await Rating.filter(session_id=s.id).order_by("id")
    ]
    return {
        "books": list(books.values()),
        "groups": await _groups(s),
        "points": points,
        "ideas": await ideas_of(s, "daytoday"),
        "ratings": ratings,
    }


async def watch_record(scope: Scope, s: Session) -> dict[str, Any]:
    topics = []
    ballot = await Ballot.get_or_none(owner=engine.key(s), name="topics")
    if ballot is not None:
        for c in dots.ranked(await dots.counts(ballot.id)):
            topics.append({"text": c.option.label, "dots": c.dots})
    sources = [
        {
            "number": x.number,
            "group": x.group,
            "topic": x.topic,
            "url": x.url,
            "about": x.about,
            "finder": x.finder_name or x.finder,
        }
        for x in await Source.filter(session_id=s.id).order_by("number")
    ]
    return {
        "topics": topics,
        "groups": await _groups(s),
        "sources": sources,
        "ideas": await ideas_of(s, "discuss"),
    }


engine.FINISH[READING] = reading_record
engine.FINISH[WATCH] = watch_record


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- {x}" for x in lines) or "—"


def _groups_field(rec: dict[str, Any]) -> Field:
    lines = []
    for g in rec.get("groups", []):
        names = ", ".join(UserText(n) for n in g["names"])
        head = _("Group {n}").format(n=g["number"])
        if g.get("theme"):
            head += f" · {UserText(g['theme'])}"
        lines.append(f"{head}: {names}")
    return Field(_("Groups"), _bullets(lines))


def reading_view(s: Session) -> View:
    rec = s.record
    view = View(title=_("Xtrem Reading — minutes"))
    books = []
    for b in rec.get("books", []):
        who = []
        for r in b["readers"]:
            part = _("{name} (round {n})").format(name=UserText(r["name"]), n=r["round"])
            if r.get("hope"):
                part = _("{name} (round {n}, hoping to find: {hope})").format(
                    name=UserText(r["name"]), n=r["round"], hope=UserText(r["hope"])
                )
            who.append(part)
        line = f"“{UserText(b['title'])}”"
        if b.get("author"):
            line += " — " + UserText(b["author"])
        books.append(f"{line}: {', '.join(who)}")
    view.text = ngettext("{n} book read", "{n} books read", len(rec.get("books", []))).format(
        n=len(rec.get("books", []))
    )
    view.fields.append(Field(_("Books read"), _bullets(books)))
    view.fields.append(_groups_field(rec))
    points = [
        f"{UserText(p['name'])} — “{UserText(p['book'])}”: {UserText(p['text'])}"
        for p in rec.get("points", [])
    ]
    view.fields.append(Field(_("Key points"), _bullets(points)))
    ideas = [f"{UserText(i['name'])}: {UserText(i['text'])}" for i in rec.get("ideas", [])]
    view.fields.append(Field(_("Day to day"), _bullets(ideas)))
    ratings = [
        _("{name} — “{book}”: readability {r}/5, recommendation {c}/5").format(
            name=UserText(r["name"]),
            book=UserText(r["book"]),
            r=r["readability"],
            c=r["recommendation"],
        )
        for r in rec.get("ratings", [])
    ]
    view.fields.append(Field(_("Ratings"), _bullets(ratings)))
    return view


def watch_view(s: Session) -> View:
    rec = s.record
    view = View(title=_("Xtrem Watch — minutes"))
    topics = [f"{UserText(t['text'])} · ● {t['dots']}" for t in rec.get("topics", [])]
    n = len(rec.get("sources", []))
    view.text = ngettext("{n} source found", "{n} sources found", n).format(n=n)
    view.fields.append(Field(_("Topics"), _bullets(topics)))
    view.fields.append(_groups_field(rec))
    sources = [
        _("{url} — {topic}, found by {name}").format(
            url=UserText(x["url"]), topic=UserText(x["topic"]), name=UserText(x["finder"])
        )
        + (f" ({UserText(x['about'])})" if x.get("about") else "")
        for x in rec.get("sources", [])
    ]
    view.fields.append(Field(_("Sources"), _bullets(sources)))
    ideas = [f"{UserText(i['name'])}: {UserText(i['text'])}" for i in rec.get("ideas", [])]
    view.fields.append(Field(_("Daily work"), _bullets(ideas)))
    return view


def minutes_view(s: Session) -> View:
    return reading_view(s) if s.format == READING else watch_view(s)


engine.MINUTES[READING] = reading_view
engine.MINUTES[WATCH] = watch_view
