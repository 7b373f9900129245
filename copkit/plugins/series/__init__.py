"""Recurring events and the community's calendar: the ``series`` and ``calendar`` commands,
the timers that announce, remind and open each occurrence, and the ``series`` tables.

The recurrence logic is the core's (:mod:`copkit.core.series`): formats call it for
``--every`` and implement ``copkit_series_occurrence`` to open their own occurrences.
"""

from __future__ import annotations

from copkit.core.hookspecs import hookimpl
from copkit.core.specs import Command, JobType, Models

from . import commands


@hookimpl
def copkit_register_commands() -> list[Command]:
    return commands.commands()


@hookimpl
def copkit_register_jobs() -> list[JobType]:
    return commands.jobs()


@hookimpl
def copkit_register_models() -> list[Models]:
    return [
        Models(
            app="series",
            module="copkit.core.series_models",
            migrations="copkit.plugins.series.migrations",
        )
    ]
