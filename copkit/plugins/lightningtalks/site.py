"""Lightning talks on the community site: each evening as an event, its line-up (before) or
record (after: talks, speakers, links, feedback average), and the talks as documents."""

from __future__ import annotations

from tortoise.functions import Count

from copkit.core.context import Scope
from copkit.core.hookspecs import hookimpl
from copkit.core.i18n import _
from copkit.core.parsing import to_int
from copkit.core.site import SiteDocument, SiteEvent, SitePage, view_markdown

from . import store
from . import views as v
from .after import record_of
from .format import lt
from .models import Event, Talk

PREFIX = f"{lt.name}-"


def _ref(event_id: int) -> str:
    return f"{PREFIX}{event_id}"


def _event(ev: Event, taken: int) -> SiteEvent:
    status = ev.status if ev.status in ("done", "running", "cancelled") else "upcoming"
    return SiteEvent(
        ref=_ref(ev.id),
        format=lt.name,
        title=ev.title,
        starts_at=ev.starts_at,
        status=status,  # type: ignore[arg-type]
        summary=_("{n} talks").format(n=taken) if taken != 1 else _("1 talk"),
        minutes=status == "done",
    )


@hookimpl
async def copkit_site_events(scope: Scope) -> list[SiteEvent]:
    rows = await Event.filter(community_id=scope.community.id).order_by("starts_at")
    counts = dict(
        await Talk.filter(event__community_id=scope.community.id, status__in=store.IN_ORDER)
        .annotate(n=Count("id"))
        .group_by("event_id")
        .values_list("event_id", "n")
    )
    return [_event(ev, counts.get(ev.id, 0)) for ev in rows]


@hookimpl
async def copkit_site_event(scope: Scope, ref: str) -> SitePage | None:
    number = to_int(ref.removeprefix(PREFIX), 1) if ref.startswith(PREFIX) else None
    if number is None:
        return None
    ev = await Event.get_or_none(id=number, community_id=scope.community.id)
    if ev is None:
        return None
    order = await store.lineup(ev.id)
    if ev.status == "done":
        return SitePage(_event(ev, len(order)), [await record_of(scope, ev)])
    view = v.lineup_view(ev, scope.zone, order, await store.waiting(ev.id))
    view.buttons = []
    return SitePage(_event(ev, len(order)), [view])


@hookimpl
async def copkit_site_documents(scope: Scope) -> list[SiteDocument]:
    docs = []
    tz = scope.zone
    for ev in await Event.filter(community_id=scope.community.id, status="done").order_by("id"):
        record = await record_of(scope, ev)
        docs.append(
            SiteDocument(
                key=_ref(ev.id),
                event_ref=_ref(ev.id),
                format=lt.name,
                kind="talk",
                title=ev.title,
                day=ev.starts_at.astimezone(tz).date(),
                text=view_markdown(record),
                whole=True,
            )
        )
    return docs
