"""Private writing until the reveal, and clustering.

Before :func:`reveal`, a note is readable only by its author (:func:`visible`, :func:`mine`):
there is no function here that lists others' notes of an unrevealed phase, and formats show
only :func:`progress` (how many notes, how many people pressed "I'm done" — counts, not
names). :func:`reveal` succeeds exactly once per phase. :func:`merge` folds one note into
another (authors combined; with a ballot, its dots too)."""

from __future__ import annotations

from dataclasses import dataclass

from copkit.core import store
from copkit.core.errors import UserError
from copkit.core.i18n import _
from copkit.core.routes import parse_int
from copkit.core.usertext import storable

from . import dots
from .models import MERGED, OPEN, PAUSED, RUNNING, Done, Note, Nudge, Phase

NOTE_MAX = 300
"""The longest note (one idea: a sticky note, not an essay)."""


@dataclass(frozen=True, slots=True)
class Progress:
    """What everyone may know of a phase before the reveal."""

    notes: int
    writers: int
    done: int


def check_text(text: str, limit: int = NOTE_MAX) -> str:
    """A note's text tidied (spaces folded, at most ``limit`` characters), or a UserError."""
    text = " ".join(storable(text or "").split())
    if not text:
        raise UserError(_("Write something first: one idea per note."))
    if len(text) > limit:
        raise UserError(
            _(
                "A note holds at most {max} characters (this one has {n}): one idea per note."
            ).format(max=limit, n=len(text))
        )
    return text


_TAKE_NUMBER = """
UPDATE facilitation_phase SET counter = counter + 1
WHERE id = ? AND status IN (?, ?) AND revealed = ?
RETURNING counter
"""


async def write(
    phase_id: int,
    author: str,
    author_name: str,
    text: str,
    *,
    now: object,
    box: str = "",
    tag: str | None = None,
    strength: int | None = None,
    limit: int = NOTE_MAX,
) -> Note:
    """Store one note while the phase is open for writing (running or paused, not revealed);
    numbered by the phase's counter in the same transaction. Refused with a UserError after."""
    text = check_text(text, limit)
    if strength is not None and not 1 <= strength <= 5:
        raise UserError(_("A strength is from 1 to 5."))
    async with store.transaction():
        taken = await store.rows(_TAKE_NUMBER, [phase_id, RUNNING, PAUSED, False])
        if not taken:
            raise closed_error(await Phase.get_or_none(id=phase_id))
        return await Note.create(
            phase_id=phase_id,
            number=int(taken[0]["counter"]),
            author=author,
            author_name=author_name[:200],
            text=text,
            box=box,
            tag=tag,
            strength=strength,
            created_at=now,
        )


def closed_error(phase: Phase | None) -> UserError:
    if phase is None:
        return UserError(_("That step no longer exists."))
    if phase.revealed:
        return UserError(_("The notes of this step are revealed: writing is closed."))
    if phase.status == "pending":
        return UserError(_("Writing hasn't started yet."))
    return UserError(_("Writing is closed for this step."))


async def mine(phase_id: int, member: str) -> list[Note]:
    """The member's own notes in a phase (theirs to see at any time)."""
    return await Note.filter(phase_id=phase_id, author=member).order_by("number")


async def visible(phase: Phase, viewer: str) -> list[Note]:
    """The notes ``viewer`` may see: their own before the reveal, every open note after."""
    if not phase.revealed:
        return await mine(phase.id, viewer)
    return await Note.filter(phase_id=phase.id, status=OPEN).order_by("number")


async def revealed(phase: Phase) -> list[Note]:
    """Every open note of a revealed phase; a UserError before the reveal."""
    if not phase.revealed:
        raise UserError(_("The notes aren't revealed yet."))
    return await Note.filter(phase_id=phase.id, status=OPEN).order_by("number")


async def progress(phase_id: int) -> Progress:
    notes = await Note.filter(phase_id=phase_id).count()
    writers = len(set(await store.column(Note.filter(phase_id=phase_id), "author")))
    done = await Done.filter(phase_id=phase_id).count()
    return Progress(notes, writers, done)


async def mark_done(phase_id: int, member: str) -> bool:
    """ "I'm done" (once per person and phase; writing must still be open). True the first
    time, False when pressed again."""
    phase = await Phase.get_or_none(id=phase_id)
    if phase is None or phase.revealed or phase.status not in (RUNNING, PAUSED):
        raise closed_error(phase)
    return await store.insert_if_absent(Done, phase_id=phase_id, member=member) is not None


async def to_nudge(phase_id: int, participants: list[str]) -> list[str]:
    """Who of ``participants`` wrote nothing, is not done and was not nudged in this phase yet;
    each is recorded as nudged (exactly once, whoever runs this at the same moment)."""
    wrote = set(await store.column(Note.filter(phase_id=phase_id), "author"))
    done = set(await store.column(Done.filter(phase_id=phase_id), "member"))
    out = []
    for member in participants:
        if member in wrote or member in done:
            continue
        if await store.insert_if_absent(Nudge, phase_id=phase_id, member=member) is not None:
            out.append(member)
    return out


async def reveal(phase_id: int) -> Phase:
    """Show the phase's notes to everyone: exactly once (a second call is refused). Writing
    closes with it; the caller closes the phase's clock (:func:`.phases.close`)."""
    changed = await Phase.filter(id=phase_id, revealed=False).update(revealed=True)
    if not changed:
        phase = await Phase.get_or_none(id=phase_id)
        if phase is None:
            raise UserError(_("That step no longer exists."))
        raise UserError(_("The notes are already revealed."))
    return await Phase.get(id=phase_id)


async def by_number(phase: Phase, raw: object) -> Note:
    n = parse_int(raw)
    note = await Note.get_or_none(phase_id=phase.id, number=n) if n is not None else None
    if note is None:
        raise UserError(_("There is no note #{n}.").format(n=str(raw)[:20]))
    return note


async def merge(phase: Phase, raw_from: object, raw_into: object, *, ballot_id: int | None) -> Note:
    """Fold note ``raw_from`` into ``raw_into`` (numbers): it leaves the board, its authors join
    the other's and, with ``ballot_id``, its dots move there. Only after the reveal."""
    if not phase.revealed:
        raise UserError(_("Notes can be merged once they are revealed."))
    a = await by_number(phase, raw_from)
    b = await by_number(phase, raw_into)
    if a.id == b.id:
        raise UserError(_("A note cannot be merged into itself."))
    for note in (a, b):
        if note.status != OPEN:
            raise UserError(
                _("#{n} was merged into #{m}.").format(n=note.number, m=note.merged_into)
            )
    authors = [[b.author, b.author_name], *b.coauthors]
    for person in [[a.author, a.author_name], *a.coauthors]:
        if person[0] not in {p[0] for p in authors}:
            authors.append(person)
    async with store.transaction():
        if not await Note.filter(id=a.id, status=OPEN).update(status=MERGED, merged_into=b.number):
            raise UserError(_("#{n} was merged at the same moment.").format(n=a.number))
        if not await Note.filter(id=b.id, status=OPEN).update(coauthors=authors[1:]):
            raise UserError(_("#{n} was merged at the same moment.").format(n=b.number))
        if ballot_id is not None:
            await dots.merge_options(ballot_id, str(a.number), str(b.number))
    return await Note.get(id=b.id)


def authors_of(note: Note) -> list[str]:
    """Display names of a note's authors (merges included)."""
    return [note.author_name or note.author] + [p[1] or p[0] for p in note.coauthors]
