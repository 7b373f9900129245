"""Announcements, the weekly "what's on" and invitations: the ``announce``, ``notify``,
``whatson`` and ``invite`` commands, their timers and the ``announce`` tables.

The logic is the core's (:mod:`copkit.core.announce`, :mod:`copkit.core.whatson`,
:mod:`copkit.core.invite`): every format's events are announced from the community's
calendar, so no format does anything for it.
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
            app="announce",
            module="copkit.core.announce_models",
            migrations="copkit.plugins.announce.migrations",
        )
    ]
