"""The Xtrem formats, to learn collaboratively: Xtrem Reading ("two books in one hour") and
Xtrem Watch (a collective technology watch), both on one engine of timed group rounds
(:mod:`.engine`). The moves themselves — phases with timers, private notes, dot votes,
groups of 2–3 and their places — are the core's :mod:`copkit.core.facilitation` and
:mod:`copkit.core.places`."""

from __future__ import annotations

from copkit.core.hookspecs import hookimpl
from copkit.core.specs import Action, Command, FormatInfo, JobType, Models

from . import books, commands, controls, minutes, reading, watch  # noqa: F401  (they register)
from .format import xr, xw


@hookimpl
def copkit_register_formats() -> list[FormatInfo]:
    return [xr.info, xw.info]


@hookimpl
def copkit_register_commands() -> list[Command]:
    return xr.commands() + xw.commands()


@hookimpl
def copkit_register_actions() -> list[Action]:
    return xr.actions() + xw.actions()


@hookimpl
def copkit_register_jobs() -> list[JobType]:
    return xr.jobs() + xw.jobs()


@hookimpl
def copkit_register_models() -> list[Models]:
    return [
        Models(
            app="xtrem",
            module="copkit.plugins.xtrem.models",
            migrations="copkit.plugins.xtrem.migrations",
        )
    ]
