"""Closing a round so that nothing links a person to an answer any more, and the comments held
for the leader's moderation.

At the close, in one transaction: the round's secret (the key of the ballot tokens) is erased,
the answers, notes and respondents are deleted and re-inserted in a random order without a
token, and the results' post is scheduled (its own job, so a crash after the close still posts
them). After the commit the deleted bytes are scrubbed from the database's files
(:func:`copkit.core.storage.scrub`)."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import datetime

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from copkit.core import store
from copkit.core.errors import UserError
from copkit.core.i18n import _
from copkit.core.models import Membership
from copkit.core.routes import parse_int
from copkit.core.storage import scrub, secure_delete

from .models import CLOSED, OPEN, Answer, Note, Respondent, Round

TABLES = ("healthcheck_round", "healthcheck_answer", "healthcheck_note", "healthcheck_respondent")


def others(members: list[str], r: Round) -> int:
    """Respondents who count towards the minimum: not whoever opened or closed the round (with
    one friend, they could otherwise read a third member's answers off the results)."""
    return len(set(members) - {r.opened_by, r.closed_by} - {""})


async def close(
    round_id: int,
    now: datetime,
    closer: str = "",
    then: Callable[[Round, list[str]], Awaitable[None]] | None = None,
) -> Round | None:
    """Close an open round: count, unlink and (under the threshold) discard. ``then(round,
    respondents)`` runs in the same transaction (the caller schedules the results' post there).
    Returns the closed round, or ``None`` if it was closed already (by a timer, a command or
    another process)."""
    rng = random.SystemRandom()
    await secure_delete()
    async with in_transaction():
        if not await Round.filter(id=round_id, status=OPEN).update(
            status=CLOSED,
            open_slot=None,
            closed_at=now,
            closed_by=closer,
            secret=None,
            writes=F("writes") + 1,
        ):
            return None
        r = await Round.get(id=round_id)
        members = list(await store.column(Respondent.filter(round_id=round_id), "member"))
        known = await Membership.filter(community_id=r.community_id).count()
        answers = list(
            await Answer.filter(round_id=round_id).values_list(
                "item_id", "colour", "trend", "comment"
            )
        )
        notes = list(await store.column(Note.filter(round_id=round_id), "text"))
        # Forget who answered what, and when: everything comes back in a random order, with no
        # token, so neither a column nor the row order points to a person or to a time.
        await Answer.filter(round_id=round_id).delete()
        await Note.filter(round_id=round_id).delete()
        await Respondent.filter(round_id=round_id).delete()
        rng.shuffle(members)
        await Respondent.bulk_create([Respondent(round_id=round_id, member=m) for m in members])
        enough = others(members, r) >= r.min_responses
        if enough:
            rng.shuffle(answers)
            rng.shuffle(notes)
            await Answer.bulk_create(
                [
                    Answer(
                        round_id=round_id,
                        item_id=i,
                        token=None,
                        colour=c,
                        trend=t,
                        comment=m,
                        approved=not (r.moderate and m),
                    )
                    for i, c, t, m in answers
                ]
            )
            await Note.bulk_create(
                [
                    Note(round_id=round_id, token=None, text=n, approved=not r.moderate)
                    for n in notes
                ]
            )
        r.responses, r.members, r.enough = len(members), max(known, len(members)), enough
        await Round.filter(id=round_id).update(
            responses=r.responses, members=r.members, enough=r.enough
        )
        if then is not None:
            await then(r, members)
    await scrub(TABLES)
    return r


# Moderation -------------------------------------------------------------------------------------


async def held(round_id: int) -> list[tuple[str, int, str]]:
    """The comments and notes waiting for approval: ``(kind, row id, text)``, in a stable order
    (the rows' order is random since the close)."""
    out: list[tuple[str, int, str]] = [
        ("answer", i, str(c))
        for i, c in await Answer.filter(round_id=round_id, approved=False)
        .order_by("id")
        .values_list("id", "comment")
    ]
    out += [
        ("note", i, str(t))
        for i, t in await Note.filter(round_id=round_id, approved=False)
        .order_by("id")
        .values_list("id", "text")
    ]
    return out


def pick(pending: list[tuple[str, int, str]], which: list[str]) -> list[tuple[str, int, str]]:
    """The held items numbered ``which`` (1-based, as listed), or all of them for ``all``."""
    if [w.lower() for w in which] == ["all"]:
        return pending
    chosen = []
    for w in which:
        n = parse_int(w, lo=1, hi=len(pending))
        if n is None:
            raise UserError(
                _("No held comment {n}: see “healthcheck comments” for the list.").format(n=w[:20])
            )
        chosen.append(pending[n - 1])
    return chosen


async def decide(round_id: int, items: list[tuple[str, int, str]], approve: bool) -> int:
    """Approve (show) or reject (delete) held items; returns how many changed."""
    n = 0
    async with in_transaction():
        for kind, row_id, _text in items:
            if kind == "answer":
                answer = Answer.filter(id=row_id, round_id=round_id, approved=False)
                n += await (
                    answer.update(approved=True)
                    if approve
                    else answer.update(comment=None, approved=True)
                )
            else:
                note = Note.filter(id=row_id, round_id=round_id, approved=False)
                n += await (note.update(approved=True) if approve else note.delete())
    if not approve:
        await scrub(("healthcheck_answer", "healthcheck_note"))
    return n
