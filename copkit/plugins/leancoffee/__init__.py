"""Lean coffee: topics proposed by everyone, dot-voted, discussed in timeboxes with thumbs votes,
captured as notes, takeaways and action items, and kept as minutes. Hook implementations only;
the logic is in :mod:`.flow`, :mod:`.logic`, :mod:`.board` and :mod:`.minutes`."""

from __future__ import annotations

from copkit.core.hookspecs import hookimpl
from copkit.core.i18n import N_
from copkit.core.specs import Action, Command, FormatInfo, JobType, Models

from . import handlers


@hookimpl
def copkit_register_formats() -> list[FormatInfo]:
    return [
        FormatInfo(
            "leancoffee",
            N_("Lean coffee"),
            N_("Everyone proposes topics, dot-votes, and discusses them in timeboxes."),
        )
    ]


@hookimpl
def copkit_register_commands() -> list[Command]:
    return handlers.commands()


@hookimpl
def copkit_register_actions() -> list[Action]:
    return handlers.actions()


@hookimpl
def copkit_register_jobs() -> list[JobType]:
    return handlers.jobs()


@hookimpl
def copkit_register_models() -> list[Models]:
    return [
        Models(
            app="leancoffee",
            module="copkit.plugins.leancoffee.models",
            migrations="copkit.plugins.leancoffee.migrations",
        )
    ]


@hookimpl
async def copkit_presence_changed(community, room, present, joined, left) -> None:
    await handlers.presence_changed(community.id, room, present)
