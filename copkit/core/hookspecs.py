"""The hooks a copkit plugin may implement. Every hook name carries the ``copkit_`` prefix.

Families:

* registration (called once at start-up, synchronous, each returns a list);
* notifications (may be ``async def``; results are ignored; a failing plugin is logged and isolated);
* collectors (may be ``async def``; every result is gathered);
* decisions (synchronous, ``firstresult``: the first non-``None`` answer wins).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from datetime import datetime

    from .context import Activity, JobContext
    from .models import Community
    from .specs import Action, Command, FormatInfo, JobType, Measure, Models, OpenAction, Section

hookspec = pluggy.HookspecMarker("copkit")
hookimpl = pluggy.HookimplMarker("copkit")


# Registration ---------------------------------------------------------------------------------


@hookspec
def copkit_register_formats() -> list[FormatInfo]:
    """Called once at start-up. Return the event formats this plugin provides.

    A community enables or disables each format at runtime; a disabled format gets no dispatch there.
    """


@hookspec
def copkit_register_commands() -> list[Command]:
    """Called once at start-up, before adapters start (Discord syncs its command tree from this,
    Teams lists the commands in its manifest). Return the commands this plugin adds."""


@hookspec
def copkit_register_actions() -> list[Action]:
    """Called once at start-up. Return the handlers for interaction action ids (button presses,
    choices, form submissions, poll votes) by prefix, e.g. ``leancoffee:vote``."""


@hookspec
def copkit_register_jobs() -> list[JobType]:
    """Called once at start-up. Return the named timer handlers this plugin schedules."""


@hookspec
def copkit_register_models() -> list[Models]:
    """Called once at start-up. Return this plugin's tortoise model modules and migrations."""


# Notifications --------------------------------------------------------------------------------


@hookspec
def copkit_community_created(community: Community) -> None:
    """Fires after a community is first stored (first use on a guild, team or workspace).

    ``community`` is the stored row. The return value is ignored.
    """


@hookspec
def copkit_activity_started(activity: Activity) -> None:
    """Fires after a format starts an activity (a lean coffee, a health-check round …).

    ``activity`` says which community, format, id and title. The return value is ignored.
    """


@hookspec
def copkit_activity_ended(activity: Activity) -> None:
    """Fires after an activity ends (its minutes or results are stored). Return value ignored."""


@hookspec
def copkit_contribution(community: Community, member: str, kind: str, ref: str) -> None:
    """Fires after a member contributed: ``kind`` is e.g. ``topic``, ``vote``, ``note``,
    ``action``, ``signup``; ``ref`` names what they contributed to (``leancoffee:topic:12``).
    The contribution is already in the community's log. The return value is ignored."""


@hookspec
def copkit_presence_changed(
    community: Community, room: str, present: list[str], joined: list[str], left: list[str]
) -> None:
    """Fires when an adapter reports who is in a room (a voice channel, a meeting).

    ``present`` is everyone there now; ``joined`` and ``left`` the change. Return value ignored.
    """


@hookspec
def copkit_job_due(job: JobContext) -> None:
    """Fires for every timer job after its own handler ran. The return value is ignored."""


# Collectors -----------------------------------------------------------------------------------


@hookspec
def copkit_minutes_sections(activity: Activity) -> list[Section]:
    """Called when an activity's minutes are built. Return extra sections (possibly none); every
    plugin's sections are gathered and sorted by ``order``. This is how formats mix."""


@hookspec
def copkit_signals(
    community: Community, names: list[str], start: datetime, end: datetime
) -> list[Measure]:
    """Called when goals are measured (the scorecard, the coach, the digest). Return a
    :class:`Measure` for each of ``names`` this plugin measures over ``[start, end)`` — the
    documented signals of ``copkit.core.goals.SIGNALS`` (``health:safety``) and the coach's
    (``health.days_since``, ``health.red_twice``) — and nothing for the others. Every plugin's
    measures are gathered; the first for a name wins. This is how a format's data reaches the
    scorecard without anyone importing it."""


@hookspec
def copkit_open_actions(community: Community) -> list[OpenAction]:
    """Called when the community's open actions are listed (a retro's review, ``retro
    actions``): return the action items this plugin holds open, as :class:`OpenAction` (keys
    ``<format>:<id>``). The core leaves out those closed by a review
    (:mod:`copkit.core.actions`); every plugin's are gathered."""


@hookspec
def copkit_action_closed(
    community: Community, key: str, verdict: str, member: str, at: datetime
) -> None:
    """An open action was closed by a review (``verdict`` ``done`` or ``dropped``): the plugin
    whose ``key`` it is may mark it in its own tables. The return value is ignored."""


# Decisions ------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def copkit_permission(community: Community, member: str, role: int, action: str) -> bool | None:
    """Decide whether ``member`` (holding ``role``, a :class:`Role` value) may do ``action``
    (a command name or an action-id prefix) in ``community``.

    Return ``True`` to allow, ``False`` to refuse, ``None`` to leave it to the declared role.
    Must be synchronous. The first non-``None`` answer wins.
    """
