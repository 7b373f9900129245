"""What the whole room answers at the end ("how could we use this day to day?", "what can
we do with this in our daily work?"), and notes kept after a round's clock is over."""

from __future__ import annotations

from datetime import datetime

from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.facilitation import notes, people
from copkit.core.facilitation.models import Note, Phase
from copkit.core.i18n import _
from copkit.core.views import UserText

from . import engine
from . import format as fm
from .models import Session


async def keep_note(
    phase: Phase, author: str, name: str, text: str, now: datetime, *, box: str = ""
) -> Note:
    """A note of ``phase``: numbered by the phase while its clock runs (refused if writing
    closed in between), else added after the others (the step goes on without a clock)."""
    if phase.status in ("running", "paused"):
        return await notes.write(phase.id, author, name, text, now=now, box=box)
    number = await Note.filter(phase_id=phase.id).count() + 1
    return await Note.create(
        phase_id=phase.id,
        number=number,
        author=author,
        author_name=name[:200],
        text=text,
        box=box,
        created_at=now,
    )


async def write_idea(ctx: Context, s: Session, step: str, raw: str) -> None:
    if s.step != step:
        raise UserError(
            _("Ideas are for the step “{step}”.").format(step=_(fm.step(s.format, step).title))
        )
    text = notes.check_text(raw)
    phase = await Phase.get_or_none(owner=engine.key(s), name=step)
    if phase is None:
        raise UserError(_("That step no longer exists."))
    await people.join(ctx.community.id, engine.key(s), ctx.person.id, ctx.person.name, ctx.now())
    note = await keep_note(phase, ctx.person.id, ctx.person.name, text, ctx.now())
    await ctx.contribute(f"{s.format}.idea", fm.ref(s.format, "note", note.id))
    await engine.say(
        ctx,
        s,
        _("💡 {name}: {text}").format(name=UserText(ctx.person.name), text=UserText(note.text)),
    )
    await engine.refresh(ctx, s, wait=False)


async def ideas_of(s: Session, step: str) -> list[dict[str, str]]:
    phase = await Phase.get_or_none(owner=engine.key(s), name=step)
    if phase is None:
        return []
    rows = await Note.filter(phase_id=phase.id).order_by("number")
    return [{"name": n.author_name or n.author, "text": n.text} for n in rows]
