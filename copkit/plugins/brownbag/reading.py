"""Reading brown bags back: sessions and talks by number, counts, and the live announcement."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from tortoise.functions import Count

from copkit.core.context import Scope
from copkit.core.errors import UserError
from copkit.core.i18n import _
from copkit.core.ratings import average
from copkit.core.routes import parse_int
from copkit.core.timezones import zone
from copkit.core.views import ToRoom, View

from . import views as v
from .format import session_key
from .models import Feedback, Rsvp, Session, Talk

MIN_MINUTES, MAX_MINUTES = 5, 8 * 60


def number(raw: object, what: str) -> int:
    """``3`` or ``#3``; a short error otherwise."""
    n = parse_int(raw)
    if n is None:
        raise UserError(
            _("“{value}” is not a {what} number.").format(value=str(raw)[:30], what=what)
        )
    return n


async def get_session(scope: Scope, raw: object) -> Session:
    sid = number(raw, _("session"))
    s = await Session.get_or_none(id=sid, community_id=scope.community.id)
    if s is None:
        raise UserError(_("There is no brown bag #{id}.").format(id=sid))
    return s


async def get_talk(scope: Scope, raw: object) -> Talk:
    tid = number(raw, _("talk"))
    t = await Talk.get_or_none(id=tid, community_id=scope.community.id)
    if t is None or t.status == "dropped":
        raise UserError(_("There is no talk #{id} in the backlog.").format(id=tid))
    return t


async def stats(session_id: int) -> v.Stats:
    rows = (
        await Rsvp.filter(session_id=session_id)
        .annotate(n=Count("id"))
        .group_by("answer")
        .values_list("answer", "n")
    )
    ratings = [f.rating for f in await Feedback.filter(session_id=session_id)]
    return v.Stats(counts={a: n for a, n in rows}, ratings=len(ratings), average=average(ratings))


async def rsvps(session_id: int, *answers: str) -> list[str]:
    found = await Rsvp.filter(session_id=session_id, answer__in=answers).order_by("id")
    return [r.member_id for r in found]


async def refresh_announcement(scope: Scope, session_id: int) -> None:
    """Show the session's announcement as it is stored now (posting it if it never was); from
    any number of requests and processes at once, it ends on the latest state."""
    s = await Session.get(id=session_id)
    tz = scope.zone

    async def render() -> View:
        latest = await Session.get(id=session_id)
        return v.session_view(latest, tz, await stats(session_id))

    await scope.live(session_key(session_id), render, target=ToRoom(s.room_id or None))


def time_zone(scope: Scope, given: str | None) -> ZoneInfo:
    """The zone named with ``--tz``, else the community's."""
    return zone(given) if given else scope.zone


def minutes(value: timedelta | None, default: int) -> int:
    if value is None:
        return default
    n = int(value.total_seconds() // 60)
    if not MIN_MINUTES <= n <= MAX_MINUTES:
        raise UserError(
            _("A brown bag lasts between {a} and {b} minutes.").format(a=MIN_MINUTES, b=MAX_MINUTES)
        )
    return n
