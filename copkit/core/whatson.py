"""The weekly "what's on": at the day and time the leader chose (in the community's zone), one
post with the coming week's events, last week's highlights (records published, talks given
with their recording links, actions closed) and one "did you know" line from the community's
own archive. Skipped when there is nothing to say; never more than one a week (a row per
community and ISO week, inserted before anything is posted).

Everything comes through the core: the calendar (:func:`~copkit.core.series_calendar.upcoming`),
the archive every format hands the site (``copkit_site_documents``) and the actions' reviews
(:mod:`copkit.core.actions`)."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from . import store
from .actions_models import ActionClosed
from .announce import plan, setting_of, stopped
from .announce_models import AnnounceSetting, WhatsOnPost
from .errors import PlatformError, UserError
from .i18n import _, ngettext
from .recurrence import occurrences, parse_every
from .series_calendar import Upcoming, upcoming
from .site import SiteDocument
from .views import ToRoom, UserText, View, When

if TYPE_CHECKING:
    from .context import JobContext, Scope

JOB = "announce.whatson"
WEEK = timedelta(days=7)
_LINK = re.compile(r"https?://[^\s<>()\[\]]+")
SHOWN = 8  # events, records and talks listed per part at most


def read_weekly(text: str, zone: ZoneInfo, now: datetime) -> tuple[str, datetime]:
    """``monday 9:00`` as a weekly RRULE on one day, and the naive local time it counts
    from (today); a short error for anything else."""
    try:
        rule = parse_every(text)
    except UserError:
        rule = None
    ok = rule is not None and rule.at is not None and rule.rrule.startswith("FREQ=WEEKLY;BYDAY=")
    if not ok or rule is None or rule.at is None or "," in rule.rrule or "INTERVAL" in rule.rrule:
        raise UserError(_("Say one day of the week and a time, e.g. “whatson every monday 9:00”."))
    return rule.rrule, rule.first_start(zone, now)


def next_post(s: AnnounceSetting, zone: ZoneInfo, after: datetime) -> datetime | None:
    if not s.whatson_rule or s.whatson_first is None:
        return None
    first = s.whatson_first.replace(tzinfo=None)
    found = occurrences(s.whatson_rule, first, zone, after, 1)
    return found[0] if found else None


def week_of(when: datetime, zone: ZoneInfo) -> str:
    year, week, _day = when.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


# Content ------------------------------------------------------------------------------------


@dataclass
class Digest:
    coming: list[Upcoming] = field(default_factory=list)
    records: list[SiteDocument] = field(default_factory=list)
    talks: list[tuple[SiteDocument, list[str]]] = field(default_factory=list)
    closed: int = 0
    fact: SiteDocument | None = None

    @property
    def empty(self) -> bool:
        return not (self.coming or self.records or self.talks or self.closed)


async def digest(scope: Scope, now: datetime) -> Digest:
    hooks = scope.services.hooks
    out = Digest()
    out.coming = [
        u for u in await upcoming(hooks, scope.community, now, limit=SHOWN) if u.start < now + WEEK
    ]
    zone = scope.zone
    since = (now - WEEK).astimezone(zone).date()
    today = now.astimezone(zone).date()
    docs = await hooks.site_documents(scope)
    for doc in docs:
        if not doc.whole or not since <= doc.day < today:
            continue
        if doc.kind == "talk":
            out.talks.append((doc, list(dict.fromkeys(_LINK.findall(doc.text)))[:3]))
        else:
            out.records.append(doc)
    out.closed = await ActionClosed.filter(
        community_id=scope.community.id, at__gte=now - WEEK, at__lt=now
    ).count()
    known = [d for d in docs if d.day < since and (d.kind in ("takeaway", "talk"))]
    if known:
        known.sort(key=lambda d: d.key)
        out.fact = known[zlib.crc32(week_of(now, zone).encode()) % len(known)]
    return out


def whatson_view(scope: Scope, d: Digest) -> View:
    zone = scope.zone
    parts: list[str] = []
    if d.coming:
        parts.append(_("**This week**"))
        parts += [
            f"- {When(u.start, zone, with_zone=False)} — {UserText(u.title)}" for u in d.coming
        ]
    if d.records or d.talks or d.closed:
        parts.append(_("**Last week**"))
        for doc in d.records[:SHOWN]:
            parts.append(_("- Published: {title}").format(title=UserText(doc.title)))
        recording = _("recording")
        for doc, links in d.talks[:SHOWN]:
            line = _("- Talk: {title}").format(title=UserText(doc.title))
            if links:
                line += " — " + " · ".join(f"[{recording}]({link})" for link in links)
            parts.append(line)
        if d.closed:
            parts.append(
                ngettext("- {n} action closed", "- {n} actions closed", d.closed).format(n=d.closed)
            )
    if d.fact is not None:
        parts.append(
            _("**Did you know?** {title} (from {day})").format(
                title=UserText(d.fact.title), day=d.fact.day.isoformat()
            )
        )
    name = scope.community.name or scope.community.external_id
    return View(title=_("What's on at {name}").format(name=UserText(name)), text="\n".join(parts))


# The weekly job -----------------------------------------------------------------------------


async def restart(scope: Scope) -> datetime | None:
    """Plan the next post after a change of day or time (the new job replaces the old)."""
    s = await setting_of(scope.community.id)
    due = next_post(s, scope.zone, scope.now())
    if due is None:
        await AnnounceSetting.filter(id=s.id).update(whatson_job=None)
        await scope.cancel_job(s.whatson_job)
        return None
    if await plan(scope, JOB, "whatson_job", s.whatson_job, due):
        await scope.cancel_job(s.whatson_job)
    return due


async def whatson_job(scope: JobContext, payload: dict[str, object]) -> None:
    s = await AnnounceSetting.get_or_none(community_id=scope.community.id)
    if s is None or s.whatson_job != scope.job_id:
        return  # an older chain, or the post was turned off
    now = scope.now()
    try:
        await post_week(scope, s, now)
    finally:
        due = next_post(s, scope.zone, now)
        if due is not None:
            await plan(scope, JOB, "whatson_job", scope.job_id, due)


async def post_week(scope: Scope, s: AnnounceSetting, now: datetime) -> bool:
    """This week's post, once: False when it was posted (or skipped) already or is skipped."""
    week = week_of(now, scope.zone)
    row = await store.insert_if_absent(
        WhatsOnPost, community_id=scope.community.id, week=week, at=now
    )
    if row is None:
        return False
    d = await digest(scope, now)
    if d.empty:
        await WhatsOnPost.filter(id=row.id).update(skipped=True)
        await scope.log("announce.whatson_skipped", text=week)
        return False
    room = s.room_id or s.whatson_room
    if s.broken_at is not None and s.room_id:
        room = s.whatson_room
    try:
        await scope.show(whatson_view(scope, d), target=ToRoom(room))
    except (UserError, PlatformError) as exc:
        await WhatsOnPost.filter(id=row.id).delete()  # a retry of the job posts it
        if isinstance(exc, UserError) and room == s.room_id:
            await stopped(scope, s, exc)
            return False
        raise
    await scope.log("announce.whatson", text=week)
    return True


__all__ = ["JOB", "digest", "post_week", "read_weekly", "restart", "whatson_job"]
