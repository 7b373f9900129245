"""Announcements: every dated event of every format, told in the community's announcements
channel when it is scheduled, again a while before it starts, and when it moves or is
cancelled.

The events come from the community's calendar (:func:`copkit.core.series_calendar.dated`:
``copkit_calendar_entries`` and the series' dates), so no format writes announcement code. A
sweep job per community reads them and posts what is due; it plans its next run for the next
moment something falls due (at most ``SWEEP_EVERY`` later), and only the job the setting names
runs or plans (one chain, whatever restarts and processes do).

Exactly once: an announcement is claimed by inserting its row (unique per event, kind and
occurrence); only the process whose insert succeeded posts. A failed post gives the claim
back (the next sweep tries again); a channel copkit may not post in stops announcements and
tells the leader once. At most ``PER_SWEEP`` posts go out per sweep (the rest a minute later),
so a busy calendar never bursts into the platform's rate limits.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from . import store
from .announce_models import (
    CANCELLED,
    MOVED,
    REMINDER,
    SCHEDULED,
    Announcement,
    AnnounceSetting,
)
from .announce_views import (
    cancelled_view,
    cannot_post_view,
    moved_view,
    reminder_view,
    scheduled_view,
)
from .errors import PlatformError, UserError
from .i18n import _
from .models import Membership
from .roles import Role
from .series_calendar import Dated, dated
from .views import Private, ToRoom, View

if TYPE_CHECKING:
    from .context import JobContext, Scope

log = logging.getLogger("copkit.announce")

SWEEP_JOB = "announce.sweep"
SWEEP_EVERY = timedelta(minutes=5)  # new events are announced within this
SOON = timedelta(minutes=1)  # the next sweep when posts were left for later
PER_SWEEP = 5  # posts per sweep at most (rate limits)
AHEAD = timedelta(days=90)  # events further ahead are announced later
STALE = timedelta(minutes=10)  # a claim never posted (its process died) is taken over after


class _Stop(Exception):
    """Posting cannot go on in this sweep (the channel refused, or the platform is away)."""


def announcement_key(uid: str) -> str:
    """The key of an event's announcement (a view updated in place when it moves)."""
    return f"announce:{uid}"[:200]


def stamp(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


async def setting_of(community_id: int) -> AnnounceSetting:
    return await store.upsert(AnnounceSetting, {"community_id": community_id}, {})


# The chain of sweeps ------------------------------------------------------------------------


async def plan(
    scope: Scope, handler: str, column: str, expected: int | None, due: datetime
) -> bool:
    """Make a job of ``handler`` due at ``due`` the community's one live job of its chain,
    if the setting still names ``expected`` (a stale job plans nothing)."""
    async with store.transaction():
        job_id = await scope.schedule(handler, due)
        changed = await AnnounceSetting.filter(
            community_id=scope.community.id, **{column: expected}
        ).update(**{column: job_id})
        if not changed:
            await scope.cancel_job(job_id)
            return False
    return True


async def restart_sweep(scope: Scope) -> None:
    """Sweep now (a channel was named, a setting changed): the new job replaces the old."""
    s = await setting_of(scope.community.id)
    if await plan(scope, SWEEP_JOB, "sweep_job", s.sweep_job, scope.now()):
        await scope.cancel_job(s.sweep_job)


async def sweep_job(scope: JobContext, payload: dict[str, object]) -> None:
    """The sweep: post what is due, then plan the next sweep (never a second chain)."""
    s = await AnnounceSetting.get_or_none(community_id=scope.community.id)
    if s is None or s.sweep_job != scope.job_id or not s.room_id:
        return
    now = scope.now()
    due = now + SWEEP_EVERY
    try:
        if s.broken_at is None:
            due = await sweep(scope, s)
    except Exception:  # noqa: BLE001  (the chain must go on: a minute later)
        log.warning(
            "announcements of community %s: sweep failed", scope.community.id, exc_info=True
        )
        due = now + SOON
    await plan(scope, SWEEP_JOB, "sweep_job", scope.job_id, max(due, now + timedelta(seconds=1)))


# Posting ------------------------------------------------------------------------------------


def _format_title(scope: Scope, name: str) -> str:
    info = scope.registry.formats.get(name)
    return _(info.title) if info is not None else ""


async def sweep(scope: Scope, s: AnnounceSetting) -> datetime:
    """Post the announcements due now; when the next sweep is needed."""
    now = scope.now()
    items = await dated(scope.services.hooks, scope.community, now - timedelta(days=1))
    uids = [d.entry.uid for d in items]
    done: dict[tuple[str, str, str], Announcement] = {
        (a.event, a.kind, a.occurrence): a
        for a in await Announcement.filter(community_id=scope.community.id, event__in=uids)
    }
    posts = _Posts(scope, s)
    due = now + SWEEP_EVERY
    try:
        for d in items:
            due = min(due, await _event(posts, d, done, now))
            if posts.budget <= 0:
                return now + SOON
    except _Stop:
        return now + SOON
    return due


async def _event(
    posts: _Posts, d: Dated, done: dict[tuple[str, str, str], Announcement], now: datetime
) -> datetime:
    """Post what is due for one event; when something of it falls due next."""
    e = d.entry
    later = now + SWEEP_EVERY
    first = done.get((e.uid, SCHEDULED, ""))
    if e.cancelled:
        if first is not None and first.posted_at is not None:
            if (e.uid, CANCELLED, "") not in done and await posts.post(d, CANCELLED, ""):
                await posts.refresh(d)
        return later
    if e.start <= now:
        return later
    if first is None:
        if d.announce_from is not None and d.announce_from > now:
            return min(later, d.announce_from)
        if e.start - now <= AHEAD:
            await posts.post(d, SCHEDULED, "")
        return later
    if first.posted_at is None:
        return later  # another process is posting it
    if abs((first.starts_at - e.start).total_seconds()) >= 1:
        if await posts.post(d, MOVED, stamp(e.start), was=first.starts_at):
            await Announcement.filter(id=first.id).update(starts_at=e.start)
            await posts.refresh(d)
        return later
    before = timedelta(minutes=posts.setting.before_minutes)
    if not before:
        return later
    remind_at = e.start - before
    if remind_at > now:
        return min(later, remind_at)
    if first.posted_at < remind_at and (e.uid, REMINDER, stamp(e.start)) not in done:
        await posts.post(d, REMINDER, stamp(e.start))
    return later


class _Posts:
    """Posts of one sweep: each claimed by its row, at most ``PER_SWEEP``."""

    def __init__(self, scope: Scope, setting: AnnounceSetting) -> None:
        self.scope = scope
        self.setting = setting
        self.budget = PER_SWEEP

    def view(self, d: Dated, kind: str, was: datetime | None) -> View:
        e, zone, now = d.entry, self.scope.zone, self.scope.now()
        role = self.setting.notify_role
        # a series' title is the leader's own words: say which format it is
        title = _format_title(self.scope, e.format) if d.announce_from is not None else ""
        if kind == SCHEDULED:
            return scheduled_view(e, zone, now, format_title=title, role=role)
        if kind == REMINDER:
            return reminder_view(e, zone, now, format_title=title, role=role)
        if kind == MOVED:
            assert was is not None
            return moved_view(e, was, zone, now, role=role)
        return cancelled_view(e, zone, now, role=role)

    async def post(self, d: Dated, kind: str, occurrence: str, was: datetime | None = None) -> bool:
        """Claim and post one announcement; False when another process has it."""
        e, now = d.entry, self.scope.now()
        keys = {
            "community_id": self.scope.community.id,
            "event": e.uid[:200],
            "kind": kind,
            "occurrence": occurrence,
        }
        row = await store.insert_if_absent(
            Announcement, **keys, title=e.title[:200], starts_at=e.start, claimed_at=now
        )
        if row is None:  # claimed: only a claim never posted, long ago, is taken over
            taken = await Announcement.filter(
                **keys, posted_at=None, claimed_at__lt=now - STALE
            ).update(claimed_at=now)
            if not taken:
                return False
            row = await Announcement.filter(**keys).first()
            if row is None:
                return False
        self.budget -= 1
        key = announcement_key(e.uid) if kind == SCHEDULED else None
        try:
            ref = await self.scope.show(
                self.view(d, kind, was),
                key=key,
                target=ToRoom(self.setting.room_id),
                coalesce=False,
            )
        except (UserError, PlatformError) as exc:
            await Announcement.filter(id=row.id).delete()  # to be posted later, once
            if _refused(exc):
                await stopped(self.scope, self.setting, exc)
            raise _Stop from exc
        if ref is not None and not ref.get("message_id"):  # (Teams: no way into that room)
            await Announcement.filter(id=row.id).delete()
            await stopped(self.scope, self.setting, None)
            raise _Stop
        await Announcement.filter(id=row.id).update(posted_at=now)
        await self.scope.log(f"announce.{kind}", ref=e.uid[:200], text=e.title)
        return True

    async def refresh(self, d: Dated) -> None:
        """The event's announcement as it stands now (moved, cancelled), in place."""
        key = announcement_key(d.entry.uid)
        if await self.scope.view_ref(key) is None:
            return
        view = self.view(d, SCHEDULED, None)
        view.notify = ""  # (an edit pings nobody anyway)
        try:
            await self.scope.show(
                view, key=key, coalesce=False, target=ToRoom(self.setting.room_id)
            )
        except (UserError, PlatformError):
            log.info("announcement %s could not be updated", key, exc_info=True)


def _refused(exc: BaseException) -> bool:
    """Whether the platform refused copkit the room (not a passing outage)."""
    return isinstance(exc, UserError) or getattr(exc, "status", 0) in (401, 403, 404)


async def leader_of(scope: Scope, fallback: str) -> str:
    row = await Membership.filter(community_id=scope.community.id, role=Role.LEADER).first()
    return row.person_id if row is not None else fallback


async def stopped(scope: Scope, s: AnnounceSetting, exc: BaseException | None) -> None:
    """The channel refused copkit: stop, and tell the leader (once, whoever noticed)."""
    if not await AnnounceSetting.filter(id=s.id, broken_at=None).update(broken_at=scope.now()):
        return
    reason = exc.message if isinstance(exc, UserError) else _("the platform refused the post.")
    channel = s.room_name or s.room_id
    await scope.log("announce.stopped", ref=s.room_id, text=reason)
    leader = await leader_of(scope, s.set_by)
    note = cannot_post_view(channel, reason)
    try:
        await scope.show(note, target=Private(leader) if leader else ToRoom(s.set_in))
    except (UserError, PlatformError):
        log.warning("community %s: could not tell the leader", scope.community.id, exc_info=True)
