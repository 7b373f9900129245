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

    from .calendar_feed import CalendarEntry
    from .canvas import CanvasSummary
    from .context import Activity, Context, JobContext, Scope
    from .models import Community
    from .series import SeriesOccurrence
    from .site import SiteAction, SiteDocument, SiteEvent, SitePage, SitePanel
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
def copkit_series_occurrence(ctx: Context, occurrence: SeriesOccurrence, step: str) -> bool | None:
    """Called for each step of an occurrence of a series (``--every``): ``step`` is
    ``announce`` (ahead of time), ``remind`` (shortly before), ``open`` (at its time) or
    ``cancel`` (the date was skipped, or the series ended or paused after it was announced).

    Only the plugin whose format is ``occurrence.format`` should act; ``ctx`` acts as the
    series' creator in its room. Return ``True`` when the step is handled (the core then
    shows nothing of its own: its default announcement and reminder are a view in the room).
    Each step of each occurrence is called once, whichever process runs it."""


@hookspec
def copkit_calendar_entries(community: Community, since: datetime) -> list[CalendarEntry]:
    """Called when a community's calendar is built (``calendar`` in chat, the ICS feed, the
    site). Return this plugin's scheduled events starting at ``since`` or later (past events
    included, cancelled ones marked). Series are added by the core: leave out what a series
    occurrence made (its UID is the occurrence's, see ``SeriesOccurrence.uid``)."""


@hookspec
def copkit_canvas(community_id: int) -> CanvasSummary | None:
    """Called when a plugin reads a community's canvas (``Hooks.canvas``). The plugin that keeps
    canvases returns the newest one (or ``None`` when the community has none); may be
    ``async def``. The first answer that is not ``None`` is used."""


# The community site (collectors; see copkit/core/site.py) ------------------------------------
#
# Each gets a ``scope`` (the community and the services, as in a timer job, with no room) and
# returns only what the chat shows the whole community: never private answers, health-check
# answers, unrevealed notes or direct messages.


@hookspec
def copkit_site_events(scope: Scope) -> list[SiteEvent]:
    """The community's events of this plugin's formats, past and upcoming, for the site's
    Events and Home pages. Return an empty list when there are none."""


@hookspec
def copkit_site_event(scope: Scope, ref: str) -> SitePage | None:
    """The page of the event ``ref`` (``<format>-<number>``, as given in
    :class:`SiteEvent`): its minutes or record as views. Return ``None`` when ``ref`` is not
    one of this plugin's events (or not in this community)."""


@hookspec
def copkit_site_actions(scope: Scope) -> list[SiteAction]:
    """The open action items of this plugin's events, for the site's Actions page."""


@hookspec
def copkit_site_panels(scope: Scope, page: str) -> list[SitePanel]:
    """Blocks for a site page: ``page`` is ``home`` or ``health``. A health check adds its
    results and pictures; a canvas or a scorecard would add theirs to ``home``."""


@hookspec
def copkit_site_image(scope: Scope, name: str) -> bytes | None:
    """The PNG picture ``name`` a panel of this plugin refers to (:class:`SiteImage`);
    ``None`` when it is not this plugin's or there is nothing to draw."""


@hookspec
def copkit_site_documents(scope: Scope) -> list[SiteDocument]:
    """The archive of this plugin's events as Markdown documents: each event's whole record
    (``whole=True``, one exported file per event) and its searchable parts (takeaways, notes,
    talks)."""


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
