"""Finding the event a request is about, and its three live cards: the announcement, the
line-up in the sign-up thread and the run of show."""

from __future__ import annotations

from copkit.core.context import Context, Scope
from copkit.core.errors import UserError
from copkit.core.i18n import _
from copkit.core.roles import Role
from copkit.core.routes import parse_int
from copkit.core.views import ToRoom, View

from . import store
from . import views as v
from .format import event_key, lineup_key, run_key
from .models import Event, Talk


async def find_event(scope: Scope, raw: object = None, *, done: bool = False) -> Event:
    """The event numbered ``raw``; else the one whose thread this is; else the soonest one not
    finished (the latest finished one with ``done``)."""
    cid = scope.community.id
    if raw is not None and raw != "":
        eid = parse_int(raw)
        if eid is None:
            raise UserError(
                _("“{value}” is not a {what} number.").format(
                    value=str(raw)[:30], what=_("lightning talks")
                )
            )
        ev = await Event.get_or_none(id=eid, community_id=cid)
        if ev is None:
            raise UserError(_("There are no lightning talks #{id}.").format(id=eid))
        return ev
    if scope.room_id:
        ev = await Event.get_or_none(community_id=cid, thread_id=scope.room_id)
        if ev is not None:
            return ev
    query = Event.filter(community_id=cid)
    if done:
        ev = await query.filter(status="done").order_by("-id").first()
    else:  # the soonest one not finished yet
        ev = (
            await query.exclude(status__in=("done", "cancelled"))
            .order_by("starts_at", "id")
            .first()
        )
    if ev is None:
        raise UserError(
            _("No lightning talks have finished yet.")
            if done
            else _(
                "No lightning talks are planned. The core team opens them with “lightning open”."
            )
        )
    return ev


def require_organiser(ctx: Context, ev: Event) -> None:
    if ctx.person.id != ev.created_by:
        ctx.require(Role.CORE, "lightning organise", _("organise these lightning talks"))


async def refresh(
    scope: Scope, event_id: int, *, board: bool = True, run: bool = False, note: str = ""
) -> None:
    """Show the announcement and the line-up in the thread (``board``) and the run of show
    (``run``, with an optional ``note`` such as the one-minute warning) as they are stored now;
    from any number of requests and processes at once, each ends on the latest state."""
    ev = await Event.get(id=event_id)
    tz = scope.zone

    async def announcement() -> View:
        e = await Event.get(id=event_id)
        taken = await Talk.filter(event_id=event_id, status__in=store.IN_ORDER).count()
        waiting = await Talk.filter(event_id=event_id, status="waiting").count()
        return v.announcement_view(e, tz, taken, waiting)

    async def line_up() -> View:
        e = await Event.get(id=event_id)
        return v.lineup_view(e, tz, await store.lineup(e.id), await store.waiting(e.id))

    async def run_of_show() -> View:
        e = await Event.get(id=event_id)
        return v.run_view(e, tz, await store.lineup(e.id), note)

    if board:
        await scope.live(event_key(ev.id), announcement, target=ToRoom(ev.room_id or None))
    if board and ev.thread_id:
        await scope.live(lineup_key(ev.id), line_up, target=ToRoom(ev.thread_id))
    if run:
        await scope.live(run_key(ev.id), run_of_show, target=ToRoom(ev.room_id or None))


async def tell(scope: Scope, person_id: str, text: str) -> None:
    await scope.send_private(person_id, View(title=_("Lightning talks"), text=text))
