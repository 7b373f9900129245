"""Simple elections: nominations, a vote on a ballot (:mod:`.dots`), a close that elects the
most-voted — a tie opens a run-off between the tied — and the elected person's answer.

A name vote is an election too (``budget=2, per_item=1``: two thumbs each, never both on one
name). Who may be nominated is the format's decision (e.g. only people present); the election
refuses a second nomination of the same key, votes outside the vote, and an answer from anyone
but the elected."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import F

from copkit.core import store
from copkit.core.errors import UserError
from copkit.core.i18n import _

from . import dots
from .models import ACCEPTED, DECLINED, ELECTED, NOMINATING, OPEN, VOTING, Election, Option


@dataclass(frozen=True, slots=True)
class Result:
    """A closed round: the elected option, or the tied ones (then a run-off is open)."""

    winner: Option | None
    tied: list[Option]
    counts: list[dots.Count]


def _ballot_name(election: Election, round_: int) -> str:
    return f"election:{election.name}:{round_}"


async def open_election(
    community_id: int, owner: str, name: str, *, budget: int = 1, per_item: int = 1
) -> Election:
    """The election ``name`` of ``owner`` (opened for nominations, or the one that exists)."""
    made = await store.insert_if_absent(
        Election,
        community_id=community_id,
        owner=owner,
        name=name,
        budget=budget,
        per_item=per_item,
    )
    election = made or await Election.get(owner=owner, name=name)
    if election.ballot_id is None:
        ballot = await dots.open_ballot(
            community_id, owner, _ballot_name(election, 1), budget=budget, per_item=per_item
        )
        await Election.filter(id=election.id, ballot_id=None).update(ballot_id=ballot.id)
        election = await Election.get(id=election.id)
    return election


async def candidates(election: Election) -> list[Option]:
    assert election.ballot_id is not None
    return await Option.filter(ballot_id=election.ballot_id, status=OPEN).order_by("position")


async def nominate(election: Election, key: str, label: str, by: str) -> Option:
    """Put ``key`` (a person's id, a name's folded text) up for election, while nominations are
    open; a second nomination of the same key is refused."""
    fresh = await Election.get(id=election.id)
    if fresh.status != NOMINATING:
        raise UserError(_("Nominations are closed."))
    assert fresh.ballot_id is not None
    made = await dots.add_option(fresh.ballot_id, key, label, by)
    if made is None:
        raise UserError(_("That one is already proposed."))
    return made


async def withdraw(election: Election, key: str) -> bool:
    """Take a candidate off (they left, or changed their mind); their votes return."""
    fresh = await Election.get(id=election.id)
    if fresh.status not in (NOMINATING, VOTING) or fresh.ballot_id is None:
        return False
    return await dots.withdraw(fresh.ballot_id, key)


async def _step(election: Election, status_from: str, **changes: object) -> bool:
    return bool(
        await Election.filter(id=election.id, status=status_from, version=election.version).update(
            version=F("version") + 1, **changes
        )
    )


async def start_vote(election: Election) -> Election:
    """Close nominations and open the vote (at least one candidate)."""
    fresh = await Election.get(id=election.id)
    if fresh.status == VOTING:
        raise UserError(_("The vote is already open."))
    if fresh.status != NOMINATING:
        raise UserError(_("This vote is over."))
    if not await candidates(fresh):
        raise UserError(_("Nobody is proposed yet."))
    if not await _step(fresh, NOMINATING, status=VOTING):
        raise UserError(_("The vote is already open."))
    return await Election.get(id=election.id)


async def vote(election: Election, key: str, member: str) -> dots.Placed:
    """One of ``member``'s votes for the candidate ``key`` (a UserError when refused)."""
    fresh = await Election.get(id=election.id)
    if fresh.status == NOMINATING:
        raise UserError(_("The vote hasn't opened yet."))
    if fresh.status != VOTING or fresh.ballot_id is None:
        raise UserError(_("The vote is closed."))
    opt = await dots.option(fresh.ballot_id, key)
    if opt is None:
        raise UserError(_("That one is not on the ballot."))
    return await dots.place(opt.id, member)


async def unvote(election: Election, key: str, member: str) -> bool:
    fresh = await Election.get(id=election.id)
    if fresh.status != VOTING or fresh.ballot_id is None:
        raise UserError(_("The vote is closed."))
    opt = await dots.option(fresh.ballot_id, key)
    return opt is not None and await dots.take_back(opt.id, member)


async def close(election: Election) -> Result:
    """Count the round: the most-voted is elected; on a tie (or with no vote at all, between
    everyone) a run-off opens between the tied, with one vote each."""
    fresh = await Election.get(id=election.id)
    if fresh.status != VOTING or fresh.ballot_id is None:
        raise UserError(_("The vote isn't open."))
    async with store.transaction():
        if not await dots.close(fresh.ballot_id):
            raise UserError(_("The vote is already closed."))
        counts = await dots.counts(fresh.ballot_id)
        best = dots.top(counts) or [c for c in counts]
        if len(best) == 1:
            winner = best[0].option
            if not await _step(
                fresh, VOTING, status=ELECTED, winner_key=winner.key, winner_label=winner.label
            ):
                raise UserError(_("The vote is already closed."))
            return Result(winner, [], counts)
        round_ = fresh.round + 1
        ballot = await dots.open_ballot(
            fresh.community_id, fresh.owner, _ballot_name(fresh, round_), budget=1, per_item=1
        )
        for c in best:
            await dots.add_option(ballot.id, c.option.key, c.option.label, c.option.author)
        if not await _step(fresh, VOTING, round=round_, ballot_id=ballot.id):
            raise UserError(_("The vote is already closed."))
        return Result(None, [c.option for c in best], counts)


async def answer(election: Election, member: str, *, accept: bool) -> Election:
    """The elected person accepts (or declines); nobody else can answer for them."""
    fresh = await Election.get(id=election.id)
    if fresh.status != ELECTED:
        raise UserError(_("There is nothing to accept right now."))
    if fresh.winner_key != member:
        raise UserError(_("Only the person elected can answer."))
    if not await _step(fresh, ELECTED, status=ACCEPTED if accept else DECLINED):
        raise UserError(_("You have answered already."))
    return await Election.get(id=election.id)


async def reopen(election: Election) -> Election:
    """After a decline: nominations open again (a new round, the one who declined withdrawn)."""
    fresh = await Election.get(id=election.id)
    if fresh.status != DECLINED:
        raise UserError(_("The election isn't waiting for new nominations."))
    round_ = fresh.round + 1
    ballot = await dots.open_ballot(
        fresh.community_id,
        fresh.owner,
        _ballot_name(fresh, round_),
        budget=fresh.budget,
        per_item=fresh.per_item,
    )
    await _step(
        fresh,
        DECLINED,
        status=NOMINATING,
        round=round_,
        ballot_id=ballot.id,
        winner_key=None,
        winner_label="",
    )
    return await Election.get(id=election.id)
