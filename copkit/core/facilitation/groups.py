"""Groups of 2–3: formed around interests (or at random), people moved by the facilitator,
late joiners placed, and a group left too small merged into another.

Each person has one row per activity (unique per owner and member), so nobody is in two
groups and joining twice is refused; a move is one UPDATE of that row. Forming writes every
group and place in one transaction, once (a second call finds the groups made). A group
whose members all left — or with fewer than ``min_size`` left while another group exists —
is merged: the people still there move to the smallest other group, and the group is marked
``merged`` with the number of the one it joined. Nothing here knows a format or a platform;
a group's place (its thread, a voice channel) is :mod:`copkit.core.places`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError

from copkit.core import store
from copkit.core.errors import UserError
from copkit.core.i18n import _
from copkit.core.parsing import to_int

from .models import MERGED, OPEN, Group, GroupMember

SIZE = 3
"""The largest group formed (groups are of 2–3 people)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """Someone to place: their id, display name and interest (a theme, a topic; "" for none)."""

    member: str
    name: str
    interest: str = ""


@dataclass(frozen=True, slots=True)
class Merged:
    """A group merged into another after people left: who moved there."""

    number: int
    into: int
    moved: tuple[str, ...]


# Plain functions ------------------------------------------------------------------------------


def sizes(n: int, size: int = SIZE) -> list[int]:
    """How many people each group gets: as even as can be, at most ``size`` (7 → 3, 2, 2)."""
    if n <= 0:
        return []
    count = math.ceil(n / max(size, 1))
    base, extra = divmod(n, count)
    return [base + 1 if i < extra else base for i in range(count)]


def plan(
    people: Sequence[Candidate], *, size: int = SIZE, by: str = "interest", seed: int = 0
) -> list[list[Candidate]]:
    """The groups to form. ``by="interest"``: people sharing an interest side by side, the
    most shared interests first (then as they came); ``"random"``: shuffled with ``seed``.
    Then cut into groups of the sizes of :func:`sizes`."""
    order = list(people)
    if by == "random":
        random.Random(seed).shuffle(order)
    else:
        counts: dict[str, int] = {}
        first: dict[str, int] = {}
        for i, p in enumerate(order):
            counts[p.interest] = counts.get(p.interest, 0) + 1
            first.setdefault(p.interest, i)
        order.sort(key=lambda p: (not p.interest, -counts[p.interest], first[p.interest]))
    out: list[list[Candidate]] = []
    at = 0
    for n in sizes(len(order), size):
        out.append(order[at : at + n])
        at += n
    return out


def theme_of(group: Sequence[Candidate]) -> str:
    """The interest most of the group share ("" when none)."""
    counts: dict[str, int] = {}
    for p in group:
        if p.interest:
            counts[p.interest] = counts.get(p.interest, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else ""


# Reading ----------------------------------------------------------------------------------------


async def groups(owner: str) -> list[Group]:
    """The open groups, by number."""
    return await Group.filter(owner=owner, status=OPEN).order_by("number")


async def every_group(owner: str) -> list[Group]:
    """Every group ever formed (merged ones too), by number."""
    return await Group.filter(owner=owner).order_by("number")


async def by_number(owner: str, raw: object) -> Group:
    text = str(raw or "").strip().lstrip("#")
    number = to_int(text, 1)
    group = None if number is None else await Group.get_or_none(owner=owner, number=number)
    if group is None:
        raise UserError(_("There is no group {n}.").format(n=text[:20] or "?"))
    if group.status == MERGED:
        raise UserError(
            _("Group {n} was merged into group {m}.").format(n=group.number, m=group.merged_into)
        )
    return group


async def members(group_id: int) -> list[GroupMember]:
    """Who is in the group now, in their order."""
    return await GroupMember.filter(group_id=group_id, left_at=None).order_by("position", "id")


async def placed(owner: str) -> dict[str, int]:
    """Everyone placed now → their group's number."""
    numbers = {g.id: g.number for g in await Group.filter(owner=owner)}
    rows = await GroupMember.filter(owner=owner, left_at=None).order_by("id")
    return {r.member: numbers[r.group_id] for r in rows}


async def group_of(owner: str, member: str) -> Group | None:
    """The member's group now (``None`` when not in one)."""
    row = await GroupMember.get_or_none(owner=owner, member=member, left_at=None)
    return await Group.get(id=row.group_id) if row is not None else None


async def formed(owner: str) -> bool:
    return await Group.exists(owner=owner)


# Changes ----------------------------------------------------------------------------------------


async def form(
    community_id: int,
    owner: str,
    people: Sequence[Candidate],
    now: datetime,
    *,
    size: int = SIZE,
    by: str = "interest",
    seed: int = 0,
) -> list[Group]:
    """Form the groups (once: when they exist, those are returned and nobody moves)."""
    if len(people) < 2:
        raise UserError(_("Groups need at least two people."))
    if await formed(owner):
        return await groups(owner)
    unique = list({p.member: p for p in people}.values())
    try:
        async with store.transaction():
            for number, part in enumerate(plan(unique, size=size, by=by, seed=seed), start=1):
                group = await Group.create(
                    community_id=community_id,
                    owner=owner,
                    number=number,
                    theme=theme_of(part)[:200],
                    created_at=now,
                )
                for position, p in enumerate(part):
                    await GroupMember.create(
                        group_id=group.id,
                        owner=owner,
                        member=p.member,
                        name=p.name[:200],
                        position=position,
                        joined_at=now,
                    )
    except IntegrityError:
        pass  # formed at the same moment by another request: those groups stand
    return await groups(owner)


async def _size(group_id: int) -> int:
    return await GroupMember.filter(group_id=group_id, left_at=None).count()


async def _smallest(owner: str, *, interest: str = "", besides: int | None = None) -> Group:
    """Where someone goes: the group sharing their interest that has room, else the smallest
    (the lowest number on a tie)."""
    candidates = [g for g in await groups(owner) if g.id != besides]
    if not candidates:
        raise UserError(_("There is no group to join yet."))
    with_size = [(await _size(g.id), g) for g in candidates]
    if interest:
        same = [(n, g) for n, g in with_size if g.theme == interest and n < SIZE]
        if same:
            return min(same, key=lambda x: (x[0], x[1].number))[1]
    return min(with_size, key=lambda x: (x[0], x[1].number))[1]


async def _put(group: Group, owner: str, member: str, name: str, now: datetime) -> None:
    """The member's row points at ``group`` (made, moved there, or back after leaving)."""
    position = await GroupMember.filter(group_id=group.id).count()
    changes = dict(group_id=group.id, position=position, left_at=None, joined_at=now)
    if await GroupMember.filter(owner=owner, member=member).update(**changes):
        return
    made = await store.insert_if_absent(
        GroupMember, owner=owner, member=member, name=name[:200], **changes
    )
    if made is None:  # placed at the same moment: the latest place wins
        await GroupMember.filter(owner=owner, member=member).update(**changes)


async def place(
    owner: str, member: str, name: str, now: datetime, *, interest: str = ""
) -> tuple[Group, bool]:
    """Place a late joiner (see :func:`_smallest`); ``(group, False)`` when they are in a
    group already (nothing changes)."""
    current = await group_of(owner, member)
    if current is not None:
        return current, False
    group = await _smallest(owner, interest=interest)
    await _put(group, owner, member, name, now)
    return group, True


async def join(owner: str, member: str, name: str, raw_number: object, now: datetime) -> Group:
    """Join group ``raw_number`` (a late joiner's choice). Refused when already in a group:
    the same one ("twice"), or another (the facilitator moves people)."""
    group = await by_number(owner, raw_number)
    current = await group_of(owner, member)
    if current is not None:
        if current.id == group.id:
            raise UserError(_("You're in group {n} already.").format(n=group.number))
        raise UserError(
            _("You're in group {n}; the facilitator can move you.").format(n=current.number)
        )
    await _put(group, owner, member, name, now)
    return group


async def move(
    owner: str, member: str, name: str, raw_number: object, now: datetime, *, min_size: int = 1
) -> tuple[Group, Merged | None]:
    """Move someone (placed or not) to group ``raw_number``; the group they leave may merge."""
    group = await by_number(owner, raw_number)
    current = await group_of(owner, member)
    if current is not None and current.id == group.id:
        raise UserError(_("{name} is in group {n} already.").format(name=name, n=group.number))
    await _put(group, owner, member, name, now)
    merged = await _merge_if_small(owner, current, now, min_size) if current else None
    return group, merged


async def leave(owner: str, member: str, now: datetime, *, min_size: int = 1) -> Merged | None:
    """The member leaves their group; the group merges when it is left too small."""
    current = await group_of(owner, member)
    if current is None:
        return None
    await GroupMember.filter(owner=owner, member=member, left_at=None).update(left_at=now)
    return await _merge_if_small(owner, current, now, min_size)


async def _merge_if_small(owner: str, group: Group, now: datetime, min_size: int) -> Merged | None:
    left = await members(group.id)
    if len(left) >= max(min_size, 1):
        return None
    others = [g for g in await groups(owner) if g.id != group.id]
    if not others:
        return None
    into = await _smallest(owner, interest=group.theme, besides=group.id)
    async with store.transaction():
        if not await Group.filter(id=group.id, status=OPEN).update(
            status=MERGED, merged_into=into.number
        ):
            return None  # merged at the same moment
        for row in left:
            await _put(into, owner, row.member, row.name, now)
    return Merged(group.number, into.number, tuple(r.name or r.member for r in left))


async def set_theme(owner: str, number: int, theme: str) -> None:
    """What group ``number`` is about (a topic chosen for it)."""
    await Group.filter(owner=owner, number=number).update(theme=theme[:200])
