"""The seam between the workshop and the canvas: what a finished workshop decided, and the one
function that receives it.

:func:`finish_workshop` is called exactly once per workshop, from :func:`.flow.finish`, after
the workshop is stored as done. For now it posts a summary in the workshop's room; the canvas
replaces its body to store, render and pin the canvas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from copkit.core.context import Scope
from copkit.core.i18n import _
from copkit.core.views import Field, ToRoom, UserText, View

from .logic import BOX_TITLES
from .logic import BOXES as BOX_ORDER
from .models import Workshop


@dataclass(frozen=True, slots=True)
class WorkshopOutcome:
    """The result of a workshop (``BOX_ORDER`` lists the boxes' keys in the canvas's order).

    ``boxes`` holds every key of :data:`BOX_ORDER` (a list of the items chosen, most-voted
    first; empty when the step was skipped). ``force_field`` holds ``(tag, text, strength)``
    with tag ``"support"`` or ``"slow"`` and strength 1–5 or ``None`` (empty when that step
    did not run). ``name`` is ``""`` and ``leader`` ``None`` when none was chosen;
    ``participants`` are display names, in the order they joined."""

    community_id: int
    workshop_id: int
    name: str
    leader: str | None
    date: date
    participants: list[str]
    boxes: dict[str, list[str]]
    force_field: list[tuple[str, str, int | None]] = field(default_factory=list)
    leader_id: str | None = None


def summary_view(outcome: WorkshopOutcome) -> View:
    title = (
        _("Our community: {name}").format(name=UserText(outcome.name))
        if outcome.name
        else _("Our community")
    )
    fields = []
    for key in BOX_ORDER:
        items = outcome.boxes.get(key, [])
        value = "\n".join(f"- {UserText(i)}" for i in items) if items else "—"
        fields.append(Field(_(BOX_TITLES[key]), value[:1000]))
    if outcome.force_field:
        lines = [
            ("➕ " if tag == "support" else "➖ ")
            + UserText(text)
            + (f" ({strength})" if strength else "")
            for tag, text, strength in outcome.force_field
        ]
        fields.append(Field(_("Force field"), "\n".join(lines)[:1000]))
    leader = UserText(outcome.leader) if outcome.leader else _("not chosen yet")
    text = _("Leader: {leader} · {day} · {n} people: {people}").format(
        leader=leader,
        day=outcome.date.isoformat(),
        n=len(outcome.participants),
        people=", ".join(UserText(p) for p in outcome.participants),
    )
    return View(title=title, text=text, fields=fields, tone="success")


async def finish_workshop(scope: Scope, outcome: WorkshopOutcome) -> None:
    """Receive a finished workshop's outcome (called once, when the workshop ends)."""
    w = await Workshop.get(id=outcome.workshop_id)
    await scope.show(summary_view(outcome), target=ToRoom(w.room_id))
