"""Building the plugin manager and calling hooks through a small typed facade."""

from __future__ import annotations

import importlib
import inspect
import logging
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

import pluggy

from . import hookspecs
from .specs import Registry, Section

if TYPE_CHECKING:
    from .context import Activity, JobContext
    from .models import Community

log = logging.getLogger("copkit.plugins")

ENTRY_POINT_GROUP = "copkit.plugins"
DEFAULT_PLUGINS = (
    "copkit.plugins.core_commands",
    "copkit.plugins.leancoffee",
    "copkit.plugins.healthcheck",
    "copkit.plugins.brownbag",
    "copkit.plugins.lightningtalks",
)


def make_plugin_manager(
    builtin: tuple[str, ...] | list[str] = DEFAULT_PLUGINS,
    *,
    extra: list[Any] = (),  # type: ignore[assignment]
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
    """Collect what every plugin registers at start-up."""
    reg = Registry()
    for impl in pm.hook.copkit_register_formats.get_hookimpls():
        for fmt in impl.function() or []:
            reg.formats[fmt.name] = fmt
    for impl in pm.hook.copkit_register_commands.get_hookimpls():
        reg.add_commands(impl.function() or [], impl.plugin_name)
    for impl in pm.hook.copkit_register_actions.get_hookimpls():
        for action in impl.function() or []:
            reg.actions[action.prefix] = action
    for impl in pm.hook.copkit_register_jobs.get_hookimpls():
        for job in impl.function() or []:
            reg.jobs[job.name] = job
    for impl in pm.hook.copkit_register_models.get_hookimpls():
        reg.models.extend(impl.function() or [])
    return reg


class Hooks:
    """Typed, awaiting, isolating calls of the notification, collector and decision hooks.

    Each implementation is called on its own: one that raises is logged and skipped, and the
    others still run. Coroutine results are awaited.
    """

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm
        self.failures = 0

    async def _each(self, name: str, **kwargs: Any) -> list[Any]:
        results = []
        for impl in reversed(getattr(self.pm.hook, name).get_hookimpls()):
            try:
                args = {k: kwargs[k] for k in impl.argnames}
                result = impl.function(**args)
                if inspect.isawaitable(result):
                    result = await result
            except Exception:
                self.failures += 1
                log.exception("plugin %s failed in %s", impl.plugin_name, name)
                continue
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

    def permission(self, community: Community, member: str, role: int, action: str) -> bool | None:
        impls = self.pm.hook.copkit_permission.get_hookimpls()
        if not impls:
            return None
        for impl in reversed(impls):
            try:
                result = impl.function(
                    **{
                        k: v
                        for k, v in dict(
                            community=community, member=member, role=role, action=action
                        ).items()
                        if k in impl.argnames
                    }
                )
            except Exception:
                self.failures += 1
                log.exception("plugin %s failed in copkit_permission", impl.plugin_name)
                continue
            if inspect.isawaitable(result):
                raise TypeError(f"copkit_permission of {impl.plugin_name} must be synchronous")
            if result is not None:
                return bool(result)
        return None


def describe_plugins(pm: pluggy.PluginManager, reg: Registry) -> list[tuple[str, list[str]]]:
    """Each plugin's name and the commands it adds, for ``copkit plugins``."""
    rows = []
    for name, _plugin in sorted(pm.list_name_plugin()):
        rows.append((name, sorted(c for c, owner in reg.owners.items() if owner == name)))
    return rows
