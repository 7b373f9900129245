"""Lean coffee on the community site: sessions as events, their minutes as pages, open action
items, and the minutes, takeaways and notes as documents for search and export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.functions import Count

from copkit.core.context import Scope
from copkit.core.hookspecs import hookimpl
from copkit.core.i18n import _, ngettext
from copkit.core.parsing import to_int
from copkit.core.site import SiteAction, SiteDocument, SiteEvent, SitePage
from copkit.core.views import UserText, View

from .minutes import ensure_minutes, minutes_view
from .models import ACTION, DISCUSSED, ENDED, NOTE, SKIPPED, TAKEAWAY, Minutes, Note, Session, Topic
from .routes import lc

PREFIX = f"{lc.name}-"


@dataclass(frozen=True, slots=True)
class _Row:
    """What an event line needs of a session (read without the rest of its columns)."""

    id: int
    title: str
    started_at: datetime
    phase: str


def _ref(session_id: int) -> str:
    return f"{PREFIX}{session_id}"


def _event(s: Session | _Row, has_minutes: bool, discussed: int | None = None) -> SiteEvent:
    summary = ""
    if discussed is not None:
        summary = ngettext("{n} topic discussed", "{n} topics discussed", discussed).format(
            n=discussed
        )
    return SiteEvent(
        ref=_ref(s.id),
        format=lc.name,
        title=s.title or _("Lean coffee"),
        starts_at=s.started_at,
        status="done" if s.phase == ENDED else "running",
        summary=summary,
        minutes=has_minutes,
    )


async def _minutes(scope: Scope) -> dict[int, Minutes]:
    return {m.session_id: m for m in await Minutes.filter(community_id=scope.community.id)}


@hookimpl
async def copkit_site_events(scope: Scope) -> list[SiteEvent]:
    cid = scope.community.id
    with_minutes = set(await Minutes.filter(community_id=cid).values_list("session_id", flat=True))
    discussed = dict(
        await Topic.filter(community_id=cid, status__in=(DISCUSSED, SKIPPED))
        .annotate(n=Count("id"))
        .group_by("session_id")
        .values_list("session_id", "n")
    )
    sessions = [
        _Row(*r)
        for r in await Session.filter(community_id=cid)
        .order_by("started_at")
        .values_list("id", "title", "started_at", "phase")
    ]
    return [
        _event(s, s.id in with_minutes, discussed.get(s.id, 0) if s.phase == ENDED else None)
        for s in sessions
    ]


def _proposers(data: dict[str, Any]) -> View:
    lines = [
        _("#{n} {title} — proposed by {who}").format(
            n=t["number"],
            title=UserText(t["title"]),
            who=", ".join(UserText(a) for a in t["authors"]),
        )
        for t in [*data.get("discussed", []), *data.get("undiscussed", [])]
    ]
    return View(title=_("Who proposed what"), text="\n".join(f"- {x}" for x in lines))


@hookimpl
async def copkit_site_event(scope: Scope, ref: str) -> SitePage | None:
    number = to_int(ref.removeprefix(PREFIX), 1) if ref.startswith(PREFIX) else None
    if number is None:
        return None
    s = await Session.get_or_none(id=number, community_id=scope.community.id)
    if s is None:
        return None
    if s.phase != ENDED:
        return SitePage(_event(s, False), [View(text=_("This lean coffee is running now."))])
    m = await ensure_minutes(scope, s)
    event = _event(s, True, len(m.data.get("discussed", [])))
    return SitePage(event, [minutes_view(m.data), _proposers(m.data)])


@hookimpl
async def copkit_site_actions(scope: Scope) -> list[SiteAction]:
    notes = await Note.filter(community_id=scope.community.id, kind=ACTION, done=False).order_by(
        "id"
    )
    return [
        SiteAction(
            text=n.text,
            event_ref=_ref(n.session_id),
            format=lc.name,
            owner=n.owner_name or n.owner or "",
            due=n.due,
        )
        for n in notes
    ]


KIND_WORDS = {NOTE: "note", TAKEAWAY: "takeaway", ACTION: "action"}


@hookimpl
async def copkit_site_documents(scope: Scope) -> list[SiteDocument]:
    minutes = await _minutes(scope)
    docs = [
        SiteDocument(
            key=_ref(m.session_id),
            event_ref=_ref(m.session_id),
            format=lc.name,
            kind="minutes",
            title=m.data.get("title") or _("Lean coffee"),
            day=m.day,
            text=m.markdown,
            whole=True,
        )
        for m in minutes.values()
    ]
    for n in await Note.filter(community_id=scope.community.id).order_by("id"):
        m = minutes.get(n.session_id)
        if m is None:
            continue  # not in the minutes yet: the session is still running
        docs.append(
            SiteDocument(
                key=f"{lc.name}-note-{n.id}",
                event_ref=_ref(n.session_id),
                format=lc.name,
                kind=KIND_WORDS.get(n.kind, "note"),
                title=n.text[:80],
                day=m.day,
                text=n.text,
            )
        )
    return docs
