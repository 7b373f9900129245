"""``invite``: a short message that tells someone outside the channel what the community is
(from its canvas, ``copkit_canvas``) and when it meets next, to forward or paste anywhere.
It carries no buttons, so it still reads right once forwarded (on Teams, an Adaptive Card
with no actions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .i18n import _
from .models import Membership
from .roles import Role
from .series_calendar import upcoming
from .views import UserText, View, When

if TYPE_CHECKING:
    from .context import Scope

BOXES = ("vision", "importance", "how")
ITEMS_PER_BOX = 2


async def invite_view(scope: Scope) -> View:
    hooks = scope.services.hooks
    community = scope.community
    canvas = await hooks.canvas(community.id)
    brand, _chosen = await scope.services.output.brands.of(community)  # the name people know
    name = brand.name or community.name or community.external_id
    heads = {
        "vision": _("**What we're about:** {items}"),
        "importance": _("**Why it matters:** {items}"),
        "how": _("**What we do:** {items}"),
    }
    lines: list[str] = []
    for box in BOXES:
        items = canvas.boxes.get(box, ()) if canvas is not None else ()
        if items:
            shown = "; ".join(UserText(i) for i in items[:ITEMS_PER_BOX])
            lines.append(heads[box].format(items=shown))
    if not lines:
        lines.append(
            _("A community of practice: people who share a craft and get better at it together.")
        )
    if brand.tagline:
        lines.insert(0, f"*{UserText(brand.tagline)}*")
    nxt = await upcoming(hooks, community, scope.now(), limit=1)
    if nxt:
        lines.append(
            _("**Next:** {title}, {when}").format(
                title=UserText(nxt[0].title), when=When(nxt[0].start, scope.zone)
            )
        )
    else:
        lines.append(_("**Next:** nothing scheduled yet — ask to hear about the first event."))
    leader = await Membership.filter(community_id=community.id, role=Role.LEADER).first()
    who = (canvas.leader if canvas is not None else "") or (
        (leader.name or leader.person_id) if leader is not None else ""
    )
    if who:
        lines.append(_("Everyone is welcome: ask {leader} to join.").format(leader=UserText(who)))
    else:
        lines.append(_("Everyone is welcome: ask whoever sent you this to join."))
    return View(
        title=_("Join {name}").format(name=UserText(name)),
        text="\n".join(lines),
        footer=_("Forward this message to invite someone."),
    )
