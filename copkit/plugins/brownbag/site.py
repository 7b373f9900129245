"""Brown bags on the community site: sessions as events (upcoming, past, cancelled), each with
its announcement or record (speaker, slides and recording links, feedback average), and the
records as documents for search and export."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from copkit.core.context import Scope
from copkit.core.hookspecs import hookimpl
from copkit.core.i18n import _
from copkit.core.parsing import to_int
from copkit.core.site import SiteDocument, SiteEvent, SitePage, view_markdown
from copkit.core.timezones import show

from . import views as v
from .after import record_of
from .format import bb
from .models import Session
from .reading import stats

PREFIX = f"{bb.name}-"


def _ref(session_id: int) -> str:
    return f"{PREFIX}{session_id}"


COLUMNS = ("id", "title", "starts_at", "status", "speaker_name", "speaker_id", "where")


def _event(row: tuple[Any, ...], now: datetime) -> SiteEvent:
    sid, title, starts_at, status, speaker_name, speaker_id, where = row
    shown = {"done": "done", "cancelled": "cancelled"}.get(status, "upcoming")
    if shown == "upcoming" and starts_at <= now:
        shown = "running"
    return SiteEvent(
        ref=_ref(sid),
        format=bb.name,
        title=title,
        starts_at=starts_at,
        status=shown,  # type: ignore[arg-type]
        summary=_("Speaker: {name}").format(name=speaker_name or speaker_id),
        where=where,
        minutes=shown == "done",
    )


def _row(s: Session) -> tuple[Any, ...]:
    return tuple(getattr(s, c) for c in COLUMNS)


@hookimpl
async def copkit_site_events(scope: Scope) -> list[SiteEvent]:
    now = scope.now()
    rows = (
        await Session.filter(community_id=scope.community.id)
        .order_by("starts_at")
        .values_list(*COLUMNS)
    )
    return [_event(tuple(r), now) for r in rows]


@hookimpl
async def copkit_site_event(scope: Scope, ref: str) -> SitePage | None:
    number = to_int(ref.removeprefix(PREFIX), 1) if ref.startswith(PREFIX) else None
    if number is None:
        return None
    s = await Session.get_or_none(id=number, community_id=scope.community.id)
    if s is None:
        return None
    event = _event(_row(s), scope.now())
    if s.status == "done":
        return SitePage(event, [await record_of(scope, s)])
    view = v.session_view(s, scope.zone, await stats(s.id))
    view.buttons = []
    view.choices = []
    return SitePage(event, [view])


@hookimpl
async def copkit_site_documents(scope: Scope) -> list[SiteDocument]:
    docs = []
    tz = scope.zone
    for s in await Session.filter(community_id=scope.community.id, status="done").order_by("id"):
        record = await record_of(scope, s)
        day: date = s.starts_at.astimezone(tz).date()
        docs.append(
            SiteDocument(
                key=_ref(s.id),
                event_ref=_ref(s.id),
                format=bb.name,
                kind="talk",
                title=s.title,
                day=day,
                text=view_markdown(record)
                + "\n"
                + _("Given on {when}.").format(when=show(s.starts_at, tz)),
                whole=True,
            )
        )
    return docs
