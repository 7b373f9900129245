"""Dot votes with a budget, as lean coffee proved them: each dot is one row, unique per
(ballot, member, dot index), placed by one conditional INSERT on the member's lowest free
index below the budget — two clicks at the same moment cannot both take a dot, and nobody
ever holds more than the budget. Closing the ballot is an UPDATE of its row, which PostgreSQL
serialises against dots in flight (they share-lock that row)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.expressions import F

from copkit.core import store
from copkit.core.errors import UserError
from copkit.core.i18n import _, ngettext
from copkit.core.writer import Write, write

from .models import CLOSED, MERGED, OPEN, WITHDRAWN, Ballot, Dot, Option

MAX_DOTS = 10
"""The largest budget a ballot may give each person."""


@dataclass(frozen=True, slots=True)
class Placed:
    """A dot placed: on which option, and how many of their dots the member now uses."""

    option_id: int
    used: int
    budget: int

    @property
    def left(self) -> int:
        return max(self.budget - self.used, 0)


@dataclass(frozen=True, slots=True)
class Count:
    option: Option
    dots: int


def left_text(left: int) -> str:
    if left <= 0:
        return _("That was your last dot.")
    return ngettext("{n} dot left.", "{n} dots left.", left).format(n=left)


def ranked(counts: Sequence[Count]) -> list[Count]:
    """Most dots first; ties in the options' order."""
    return sorted(counts, key=lambda c: (-c.dots, c.option.position, c.option.id))


def top(counts: Sequence[Count]) -> list[Count]:
    """The options with the most dots (several on a tie; none without any dot)."""
    best = max((c.dots for c in counts), default=0)
    return [c for c in ranked(counts) if c.dots == best and best > 0]


async def open_ballot(
    community_id: int, owner: str, name: str, *, budget: int, per_item: int = 0
) -> Ballot:
    """The ballot ``name`` of ``owner`` (made open, or the one that exists)."""
    if not 1 <= budget <= MAX_DOTS:
        raise UserError(_("Each person has 1 to {n} dots.").format(n=MAX_DOTS))
    made = await store.insert_if_absent(
        Ballot,
        community_id=community_id,
        owner=owner,
        name=name,
        budget=budget,
        per_item=max(per_item, 0),
    )
    return made or await Ballot.get(owner=owner, name=name)


async def add_option(ballot_id: int, key: str, label: str, author: str = "") -> Option | None:
    """A new option (``None`` when ``key`` is already one)."""
    position = await Option.filter(ballot_id=ballot_id).count()
    return await store.insert_if_absent(
        Option,
        ballot_id=ballot_id,
        key=key[:200],
        label=label[:500],
        author=author[:200],
        position=position + 1,
    )


async def option(ballot_id: int, key: str) -> Option | None:
    return await Option.get_or_none(ballot_id=ballot_id, key=key)


_SLOTS = " UNION ALL ".join(f"SELECT {i} AS dot" for i in range(MAX_DOTS))
_PLACE = f"""
INSERT INTO facilitation_dot (ballot_id, option_id, member, dot)
SELECT b.id, o.id, ?, d.dot
FROM facilitation_option o
JOIN facilitation_ballot b ON b.id = o.ballot_id
JOIN ({_SLOTS}) d ON d.dot < b.budget
WHERE o.id = ? AND o.status = 'open' AND b.status = 'open'
AND (b.per_item = 0 OR (
    SELECT COUNT(*) FROM facilitation_dot x
    WHERE x.ballot_id = b.id AND x.member = ? AND x.option_id = o.id
) < b.per_item)
AND NOT EXISTS (
    SELECT 1 FROM facilitation_dot v WHERE v.ballot_id = b.id AND v.member = ? AND v.dot = d.dot
)
ORDER BY d.dot
LIMIT 1{{lock:b}}
ON CONFLICT DO NOTHING
RETURNING option_id, (
    SELECT COUNT(*) FROM facilitation_dot v2
    WHERE v2.ballot_id = facilitation_dot.ballot_id AND v2.member = ?
){{new_row}} AS used,
    (SELECT b2.budget FROM facilitation_ballot b2 WHERE b2.id = facilitation_dot.ballot_id) AS budget
"""
_TAKE = """
DELETE FROM facilitation_dot WHERE id = (
    SELECT v.id FROM facilitation_dot v
    JOIN facilitation_ballot b ON b.id = v.ballot_id
    WHERE v.option_id = ? AND v.member = ? AND b.status = 'open'
    ORDER BY v.dot DESC LIMIT 1{lock:b}
)
RETURNING dot
"""


async def place(option_id: int, member: str) -> Placed:
    """One dot of ``member`` on the option, in one write (with the request's re-delivery record:
    :mod:`copkit.core.writer`); a :class:`UserError` saying why when none can be placed."""
    for _attempt in range(3):
        rows = await write(Write(_PLACE, [member, option_id, member, member, member]))
        if rows:
            row = rows[0]
            return Placed(int(row["option_id"]), int(row["used"]), int(row["budget"]))
        refused = await _refusal(option_id, member)
        if refused is not None:
            raise refused
        # (a dot still free: the same member's other click took the one picked at the same
        # moment, and the unique key said no; again)
    raise UserError(_("Too many clicks at once. Try again."))


async def _refusal(option_id: int, member: str) -> UserError | None:
    """Why :func:`place` placed nothing; ``None`` when the member still has a dot free."""
    opt = await Option.get_or_none(id=option_id)
    if opt is None:
        return UserError(_("That is no longer on the ballot."))
    ballot = await Ballot.get(id=opt.ballot_id)
    if ballot.status != OPEN:
        return UserError(_("Voting is closed."))
    if opt.status == MERGED:
        return UserError(_("That was merged into another one: vote for that one."))
    if opt.status == WITHDRAWN:
        return UserError(_("That was withdrawn."))
    if ballot.per_item:
        mine = await Dot.filter(option_id=option_id, member=member).count()
        if mine >= ballot.per_item:
            return UserError(
                ngettext(
                    "You can give it only {n} vote.", "You can give it only {n} votes.", mine
                ).format(n=ballot.per_item)
            )
    if await Dot.filter(ballot_id=ballot.id, member=member).count() < ballot.budget:
        return None
    return UserError(
        ngettext(
            "You have used your {n} dot. Take it back to move it.",
            "You have used all your {n} dots. Take one back to move it.",
            ballot.budget,
        ).format(n=ballot.budget)
    )


async def take_back(option_id: int, member: str) -> bool:
    """Take one of ``member``'s dots back from the option (while the ballot is open), in one
    write with the request's re-delivery record."""
    return bool(await write(Write(_TAKE, [option_id, member])))


async def used(ballot_id: int, member: str) -> int:
    return await Dot.filter(ballot_id=ballot_id, member=member).count()


async def close(ballot_id: int) -> bool:
    """Close the ballot: True for the call that closed it, False when it was closed already."""
    changed = await Ballot.filter(id=ballot_id, status=OPEN).update(status=CLOSED)
    return bool(changed)


async def counts(ballot_id: int) -> list[Count]:
    """Every open option with its dots, in the options' order."""
    opts = await Option.filter(ballot_id=ballot_id, status=OPEN).order_by("position", "id")
    per: dict[int, int] = {}
    for option_id in await store.column(Dot.filter(ballot_id=ballot_id), "option_id"):
        per[option_id] = per.get(option_id, 0) + 1
    return [Count(o, per.get(o.id, 0)) for o in opts]


async def voters(ballot_id: int) -> int:
    """How many people placed at least one dot."""
    return len(set(await store.column(Dot.filter(ballot_id=ballot_id), "member")))


async def merge_options(ballot_id: int, key_from: str, key_into: str) -> None:
    """Fold option ``key_from`` into ``key_into``: its dots move over (so a member may end up
    with more than ``per_item`` there: merging combines votes, it takes none away). Call it
    inside the caller's transaction; the ballot row is changed first, which on PostgreSQL waits
    for dots in flight."""
    a = await Option.get_or_none(ballot_id=ballot_id, key=key_from)
    b = await Option.get_or_none(ballot_id=ballot_id, key=key_into)
    if a is None or b is None:
        return
    await Ballot.filter(id=ballot_id).update(version=F("version") + 1)
    await Option.filter(id=a.id).update(status=MERGED, merged_into=b.id)
    await Dot.filter(option_id=a.id).update(option_id=b.id)


async def withdraw(ballot_id: int, key: str) -> bool:
    """Take an option off the ballot (its dots return to their owners)."""
    opt = await Option.get_or_none(ballot_id=ballot_id, key=key, status=OPEN)
    if opt is None:
        return False
    async with store.transaction():
        await Ballot.filter(id=ballot_id).update(version=F("version") + 1)
        await Option.filter(id=opt.id).update(status=WITHDRAWN)
        await Dot.filter(option_id=opt.id).delete()
    return True
