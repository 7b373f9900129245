"""Building the plugin manager and calling hooks through a small typed facade."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

import pluggy

from . import hookspecs
from .specs import Measure, OpenAction, Registry, Section

if TYPE_CHECKING:
    from datetime import datetime

    from .calendar_feed import CalendarEntry
    from .canvas import CanvasSummary
    from .context import Activity, Context, JobContext, Scope
    from .models import Community
    from .series import SeriesOccurrence
    from .site import SiteAction, SiteDocument, SiteEvent, SitePage, SitePanel

log = logging.getLogger("copkit.plugins")

ENTRY_POINT_GROUP = "copkit.plugins"
DEFAULT_PLUGINS = (
    "copkit.plugins.core_commands",
    "copkit.plugins.core_brand",
    "copkit.plugins.series",
    "copkit.plugins.leancoffee",
    "copkit.plugins.healthcheck",
    "copkit.plugins.brownbag",
    "copkit.plugins.lightningtalks",
    "copkit.plugins.workshop",
    "copkit.plugins.xtrem",
    "copkit.plugins.reflect",
    "copkit.plugins.workshop.canvas",
    "copkit.plugins.site",
    "copkit.plugins.announce",
)


def make_plugin_manager(
    builtin: tuple[str, ...] | list[str] = DEFAULT_PLUGINS,
    *,
    extra: Sequence[Any] = (),
    entry_points_group: str | None = ENTRY_POINT_GROUP,
) -> pluggy.PluginManager:
    """A plugin manager with copkit's hookspecs, the built-in plugins, third-party plugins from
    the ``copkit.plugins`` entry points, and ``extra`` objects (tests). Checks for unknown hooks."""
    pm = pluggy.PluginManager("copkit")
    pm.add_hookspecs(hookspecs)
    for name in builtin:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # a built-in that is not there yet
                continue
            raise
        pm.register(module, name=name.rsplit(".", 1)[-1])
    if entry_points_group:
        for ep in entry_points(group=entry_points_group):
            if pm.has_plugin(ep.name):
                continue
            try:
                pm.register(ep.load(), name=ep.name)
            except Exception:
                log.exception("plugin %s could not be loaded; skipped", ep.name)
    for obj in extra:
        pm.register(obj)
    pm.check_pending()
    return pm


def build_registry(pm: pluggy.PluginManager) -> Registry:
    """Collect what every plugin registers at start-up, through pluggy's own calling (so
    wrappers and hook-call monitoring see it)."""
    reg = Registry()
    owner_of = _owners(pm)
    for formats in reversed(pm.hook.copkit_register_formats()):
        for fmt in formats or []:
            reg.formats[fmt.name] = fmt
    for commands in reversed(pm.hook.copkit_register_commands()):
        for cmd in commands or []:
            reg.add_commands([cmd], owner_of(cmd.handler))
    for actions in reversed(pm.hook.copkit_register_actions()):
        for action in actions or []:
            reg.actions[action.prefix] = action
    for jobs in reversed(pm.hook.copkit_register_jobs()):
        for job in jobs or []:
            reg.jobs[job.name] = job
    for models in reversed(pm.hook.copkit_register_models()):
        reg.models.extend(m for m in models or [] if m not in reg.models)
    return reg


def _owners(pm: pluggy.PluginManager) -> Callable[[Any], str]:
    """Which plugin a handler belongs to: the plugin whose module (or object's module) holds it."""
    modules: list[tuple[str, str]] = []
    for name, plugin in pm.list_name_plugin():
        module = plugin.__name__ if inspect.ismodule(plugin) else type(plugin).__module__
        modules.append((module, name))
    modules.sort(key=lambda m: -len(m[0]))

    def owner_of(handler: Any) -> str:
        where = getattr(handler, "__module__", "") or ""
        for module, name in modules:
            if where == module or where.startswith(module + "."):
                return name
        return where or "?"

    return owner_of


_CALLED = (
    "copkit_community_created",
    "copkit_activity_started",
    "copkit_activity_ended",
    "copkit_contribution",
    "copkit_presence_changed",
    "copkit_job_due",
    "copkit_minutes_sections",
    "copkit_signals",
    "copkit_series_occurrence",
    "copkit_calendar_entries",
    "copkit_canvas",
    "copkit_open_actions",
    "copkit_action_closed",
    "copkit_permission",
    "copkit_site_events",
    "copkit_site_event",
    "copkit_site_actions",
    "copkit_site_panels",
    "copkit_site_image",
    "copkit_site_documents",
)
"""The hooks called while copkit runs (not the registration ones): each of their plain
implementations fails on its own."""

_ISOLATED = "_copkit_isolated"


def _isolating(fn: Any, plugin: str, hook: str, hooks: Hooks) -> Any:
    def failed() -> None:
        hooks.failures += 1
        log.exception("plugin %s failed in %s", plugin, hook)

    async def guarded(awaitable: Any) -> Any:
        try:
            return await awaitable
        except Exception:
            failed()
            return None

    def call(*args: Any) -> Any:
        try:
            result = fn(*args)
        except Exception:
            failed()
            return None
        return guarded(result) if inspect.isawaitable(result) else result

    setattr(call, _ISOLATED, True)
    return call


class Hooks:
    """Typed, awaiting, isolating calls of the notification, collector and decision hooks.

    Calls go through ``pm.hook`` (so ``wrapper=True`` implementations and
    ``add_hookcall_monitoring`` work). Each plain implementation fails on its own: an exception
    (raised, or from the coroutine it returns) is logged and counted, and the others still run.
    Coroutine results are awaited.
    """

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm
        self.failures = 0
        self._plugins = -1
        self._decides = False  # whether any plugin implements copkit_permission

    def _ensure_isolated(self) -> None:
        # (cheap: pluggy keeps its plugins in a dict; a plugin registered later is seen here)
        plugins = len(getattr(self.pm, "_name2plugin", None) or self.pm.list_name_plugin())
        if plugins == self._plugins:
            return
        for name in _CALLED:
            for impl in getattr(self.pm.hook, name).get_hookimpls():
                if impl.hookwrapper or impl.wrapper or getattr(impl.function, _ISOLATED, False):
                    continue
                impl.function = _isolating(impl.function, impl.plugin_name, name, self)
        self._decides = bool(self.pm.hook.copkit_permission.get_hookimpls())
        self._plugins = plugins

    async def _each(self, hook: str, /, **kwargs: Any) -> list[Any]:
        self._ensure_isolated()
        caller = getattr(self.pm.hook, hook)
        if not caller.get_hookimpls():  # (nobody implements it: no call at all)
            return []
        results = []
        for result in caller(**kwargs):
            if inspect.isawaitable(result):
                result = await result
            if result is not None:
                results.append(result)
        return results

    async def community_created(self, community: Community) -> None:
        await self._each("copkit_community_created", community=community)

    async def activity_started(self, activity: Activity) -> None:
        await self._each("copkit_activity_started", activity=activity)

    async def activity_ended(self, activity: Activity) -> None:
        await self._each("copkit_activity_ended", activity=activity)

    async def contribution(self, community: Community, member: str, kind: str, ref: str) -> None:
        await self._each(
            "copkit_contribution", community=community, member=member, kind=kind, ref=ref
        )

    async def presence_changed(
        self,
        community: Community,
        room: str,
        present: list[str],
        joined: list[str],
        left: list[str],
    ) -> None:
        await self._each(
            "copkit_presence_changed",
            community=community,
            room=room,
            present=present,
            joined=joined,
            left=left,
        )

    async def job_due(self, job: JobContext) -> None:
        await self._each("copkit_job_due", job=job)

    async def minutes_sections(self, activity: Activity) -> list[Section]:
        sections: list[Section] = []
        for result in await self._each("copkit_minutes_sections", activity=activity):
            sections.extend(result)
        return sorted(sections, key=lambda s: s.order)

    async def signals(
        self, community: Community, names: list[str], start: datetime, end: datetime
    ) -> dict[str, Measure]:
        """Every plugin's measures of ``names`` over ``[start, end)``, by name (first wins)."""
        out: dict[str, Measure] = {}
        if not names:
            return out
        for result in await self._each(
            "copkit_signals", community=community, names=names, start=start, end=end
        ):
            for m in result:
                if m.name in names:
                    out.setdefault(m.name, m)
        return out

    async def series_occurrence(
        self, ctx: Context, occurrence: SeriesOccurrence, step: str
    ) -> bool:
        """Whether a plugin handled this step of ``occurrence``."""
        results = await self._each(
            "copkit_series_occurrence", ctx=ctx, occurrence=occurrence, step=step
        )
        return any(results)

    async def calendar_entries(self, community: Community, since: datetime) -> list[CalendarEntry]:
        entries: list[CalendarEntry] = []
        for result in await self._each("copkit_calendar_entries", community=community, since=since):
            entries.extend(result)
        return entries

    async def canvas(self, community_id: int) -> CanvasSummary | None:
        """The community's canvas, from the plugin that keeps it (``None``: none, or no such
        plugin)."""
        for result in await self._each("copkit_canvas", community_id=community_id):
            return result
        return None

    async def _gathered(self, hook: str, /, **kwargs: Any) -> list[Any]:
        out: list[Any] = []
        for result in await self._each(hook, **kwargs):
            out.extend(result)
        return out

    async def _side_by_side(self, hook: str, /, **kwargs: Any) -> list[Any]:
        """Like :meth:`_each`, the coroutines of the implementations awaited together (for
        read-only collectors: each format's queries wait on the database at the same time, so
        a page costs its slowest format, not the sum). Results in the plugins' order."""
        self._ensure_isolated()
        calls = list(getattr(self.pm.hook, hook)(**kwargs))
        awaited = [c for c in calls if inspect.isawaitable(c)]
        done = iter(await asyncio.gather(*awaited)) if awaited else iter(())
        results = [next(done) if inspect.isawaitable(c) else c for c in calls]
        return [r for r in results if r is not None]

    async def _gathered_side_by_side(self, hook: str, /, **kwargs: Any) -> list[Any]:
        out: list[Any] = []
        for result in await self._side_by_side(hook, **kwargs):
            out.extend(result)
        return out

    async def site_events(self, scope: Scope) -> list[SiteEvent]:
        return await self._gathered_side_by_side("copkit_site_events", scope=scope)

    async def site_event(self, scope: Scope, ref: str) -> SitePage | None:
        pages = await self._each("copkit_site_event", scope=scope, ref=ref)
        return pages[0] if pages else None

    async def site_actions(self, scope: Scope) -> list[SiteAction]:
        return await self._gathered_side_by_side("copkit_site_actions", scope=scope)

    async def site_panels(self, scope: Scope, page: str) -> list[SitePanel]:
        panels = await self._gathered_side_by_side("copkit_site_panels", scope=scope, page=page)
        return sorted(panels, key=lambda p: p.order)

    async def site_image(self, scope: Scope, name: str) -> bytes | None:
        images = await self._each("copkit_site_image", scope=scope, name=name)
        return images[0] if images else None

    async def site_documents(self, scope: Scope) -> list[SiteDocument]:
        return await self._gathered_side_by_side("copkit_site_documents", scope=scope)

    async def open_actions(self, community: Community) -> list[OpenAction]:
        """Every plugin's open actions (``copkit_open_actions``), oldest first."""
        out: list[OpenAction] = []
        for result in await self._each("copkit_open_actions", community=community):
            out.extend(result)
        return sorted(out, key=lambda a: (a.since, a.key))

    async def action_closed(
        self, community: Community, key: str, verdict: str, member: str, at: datetime
    ) -> None:
        await self._each(
            "copkit_action_closed",
            community=community,
            key=key,
            verdict=verdict,
            member=member,
            at=at,
        )

    def permission(self, community: Community, member: str, role: int, action: str) -> bool | None:
        if self._plugins != len(getattr(self.pm, "_name2plugin", ())):
            self._ensure_isolated()
        if not self._decides:  # the common case: no plugin decides, roles do
            return None
        result = self.pm.hook.copkit_permission(
            community=community, member=member, role=role, action=action
        )
        if inspect.isawaitable(result):
            if inspect.iscoroutine(result):
                result.close()
            raise TypeError("copkit_permission must be synchronous")
        return None if result is None else bool(result)


def describe_plugins(pm: pluggy.PluginManager, reg: Registry) -> list[tuple[str, list[str]]]:
    """Each plugin's name and the commands it adds, for ``copkit plugins``."""
    rows = []
    for name, _plugin in sorted(pm.list_name_plugin()):
        rows.append((name, sorted(c for c, owner in reg.owners.items() if owner == name)))
    return rows
