"""The health check on the community site: exactly what the chat shows everyone, never more —
closed rounds' aggregate results (only above their anonymity threshold), the history with its
traffic-light grid, and each dimension's trend chart. No answer, comment under moderation or
participant's name is ever handed to the site."""

from __future__ import annotations

from copkit.core.context import Scope
from copkit.core.hookspecs import hookimpl
from copkit.core.i18n import _
from copkit.core.parsing import to_int
from copkit.core.site import SiteDocument, SiteEvent, SiteImage, SitePage, SitePanel, view_markdown
from copkit.core.views import View

from . import deck, logic, report
from .closing import others
from .handlers import history_view, trend_view
from .models import OPEN, Dimension, Respondent, Round
from .rounds import grid_picture
from .routes import FORMAT

PREFIX = f"{FORMAT}-"
GRID = "healthcheck-grid"
TREND = "healthcheck-trend-"
LATEST_RESULTS = 3  # rounds whose full results the Health page shows (each has its own page)


def _ref(round_id: int) -> str:
    return f"{PREFIX}{round_id}"


def _event(r: Round) -> SiteEvent:
    if r.status == OPEN:
        summary = _("open")
    elif r.enough:
        summary = _("{k} of {m} members answered").format(k=r.responses, m=r.members)
    else:
        summary = _("not enough answers to show results")
    return SiteEvent(
        ref=_ref(r.id),
        format=FORMAT,
        title=_("Health check #{n}").format(n=r.number),
        starts_at=r.opened_at,
        status="running" if r.status == OPEN else "done",
        summary=summary,
    )


async def _results(scope: Scope, r: Round, known: logic.Tallies | None = None) -> list[View]:
    """The round's result views as the chat posts them, without the picture (served apart)."""
    tz = scope.zone
    if r.status == OPEN:
        return [report.still_open(r, tz)]
    if not r.enough:
        members = [x.member for x in await Respondent.filter(round_id=r.id)]
        return [report.not_enough(r, others(members, r))]
    view, more = report.results(await logic.results(r, known), tz, None)
    return [view, *more]


def _grid() -> SiteImage:
    return SiteImage(GRID, _("Traffic-light grid of the health checks"))


@hookimpl
async def copkit_site_events(scope: Scope) -> list[SiteEvent]:
    rows = await Round.filter(community_id=scope.community.id).order_by("number")
    return [_event(r) for r in rows]


@hookimpl
async def copkit_site_event(scope: Scope, ref: str) -> SitePage | None:
    number = to_int(ref.removeprefix(PREFIX), 1) if ref.startswith(PREFIX) else None
    if number is None:
        return None
    r = await Round.get_or_none(id=number, community_id=scope.community.id)
    if r is None:
        return None
    return SitePage(_event(r), await _results(scope, r), [_grid()] if r.enough else [])


@hookimpl
async def copkit_site_panels(scope: Scope, page: str) -> list[SitePanel]:
    if page not in ("home", "health"):
        return []
    cid = scope.community.id
    rounds = await Round.filter(community_id=cid).order_by("-number")
    if not rounds:
        return []
    shown = [r for r in rounds if r.enough]
    known: logic.Tallies = {}  # each round's tallies read once for the whole page
    if page == "home":
        views = (
            [report.results(await logic.results(shown[0], known), scope.zone, None)[0]]
            if shown
            else []
        )
        if views:
            views[0].fields = []  # the summary only; the Health page has the rest
        return [SitePanel(_("Health"), views, [_grid()] if shown else [], order=50)]
    series = await logic.trends(cid, known) if shown else {}
    history = await history_view(scope, picture=False, known=known)
    panels = [SitePanel(_("Health checks"), [history], order=10)]
    if shown:
        panels[0].images.append(_grid())
        trends = SitePanel(_("Trends"), order=20)
        for dim in await deck.active(cid):
            data = series.get(dim.id, [])
            trends.views.append(await trend_view(scope, dim, picture=False, data=data))
            trends.images.append(
                SiteImage(f"{TREND}{dim.id}", _("Trend of {title}").format(title=dim.title))
            )
        panels.append(trends)
    for n, r in enumerate(shown[:LATEST_RESULTS]):
        panels.append(SitePanel(_event(r).title, await _results(scope, r, known), order=30 + n))
    return panels


@hookimpl
async def copkit_site_image(scope: Scope, name: str) -> bytes | None:
    if name == GRID:
        return await grid_picture(scope)
    number = to_int(name.removeprefix(TREND), 1) if name.startswith(TREND) else None
    if number is not None:
        dim = await Dimension.get_or_none(id=number, community_id=scope.community.id)
        if dim is None:
            return None
        view = await trend_view(scope, dim)
        return view.images[0].png if view.images else None
    return None


@hookimpl
async def copkit_site_documents(scope: Scope) -> list[SiteDocument]:
    docs = []
    rounds = await Round.filter(community_id=scope.community.id, enough=True).order_by("number")
    for r in rounds:
        text = "\n".join(view_markdown(v) for v in await _results(scope, r))
        docs.append(
            SiteDocument(
                key=_ref(r.id),
                event_ref=_ref(r.id),
                format=FORMAT,
                kind="health",
                title=_event(r).title,
                day=r.opened_at.astimezone(scope.zone).date(),
                text=text,
                whole=True,
            )
        )
    return docs
