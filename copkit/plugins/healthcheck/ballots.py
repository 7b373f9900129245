"""A member's answer clicks, in as few statements as their rules allow (issue 20: at most four
per click): the round's deck copy is read once per process (it never changes while the round
exists), the answer and the member's place among the respondents are written in one statement
on PostgreSQL (two on SQLite, which has no writing ``WITH``), and the member's own sheet is read
back in one.

The rules are those of :func:`.logic.save`: an answer is taken only while the round is open and
its secret is the one the ballot token was made with, checked by the write itself, so an answer
either lands before the close (and is counted) or is refused. On PostgreSQL the round's row is
share-locked by the write, which the close's update waits for; SQLite runs one writer at a time.
On SQLite the answer goes first and the respondent after it, so that a crash between the two
can only leave an answer uncounted, never a respondent without an answer (who would count
towards the anonymity threshold without having answered).
"""

from __future__ import annotations

import hashlib
from typing import Any

from copkit.core import store
from copkit.core.lru import LRUDict

from . import logic
from .logic import Closed, Sheet
from .models import OPEN, Answer, Round, RoundDimension

DECKS_KEPT = 256  # rounds whose deck copy is kept in memory (a few per community at most)

# Keyed by the round's id and a digest of its secret: unique to the round even across databases
# (tests, several runtimes in a process), and no secret is kept.
_decks: LRUDict[tuple[int, bytes], list[RoundDimension]] = LRUDict(DECKS_KEPT)

FIELDS = ("colour", "trend", "comment")


def _key(r: Round) -> tuple[int, bytes] | None:
    if not r.secret:
        return None
    return r.id, hashlib.sha256(r.secret.encode()).digest()[:16]


async def items(r: Round) -> list[RoundDimension]:
    """The round's dimensions in order (its deck copy, which no edit changes); kept while the
    round is open."""
    key = _key(r)
    got = _decks.get(key) if key is not None else None
    if got is None:
        got = await logic.items(r.id)
        if got and key is not None:
            _decks[key] = got
    return list(got)


def forget(r: Round) -> None:
    key = _key(r)
    if key is not None:
        _decks.pop(key, None)


_OPEN_ROUND = "SELECT id FROM healthcheck_round WHERE id = ? AND status = ? AND secret = ?"


def _answer_sql(values: dict[str, Any], source: str) -> str:
    given = [k for k in FIELDS if k in values]
    sets = ", ".join(f"{k} = excluded.{k}" for k in given)
    return (
        "INSERT INTO healthcheck_answer (round_id, item_id, token, colour, trend, comment, "
        "approved) SELECT id, CAST(? AS INTEGER), ?, ?, ?, ?, CAST(? AS BOOLEAN) "
        f"FROM {source} "
        f"ON CONFLICT (round_id, token, item_id) DO UPDATE SET {sets} RETURNING id"
    )


_RESPONDENT = (
    "INSERT INTO healthcheck_respondent (round_id, member) SELECT id, ? FROM {source} "
    "ON CONFLICT (round_id, member) DO NOTHING RETURNING id"
)


async def save_answer(r: Round, member: str, item_id: int, values: dict[str, Any]) -> int | None:
    """Record (or change) ``member``'s answer to ``item_id`` (``values``: some of colour, trend
    and comment, checked already); how many have responded if they just became a respondent,
    else ``None``. :class:`Closed` if the round closed."""
    if not r.secret or r.status != OPEN:
        raise Closed()
    token = logic.ballot_token(r.secret, r.id, member)
    answer = [item_id, token, *(values.get(k) for k in FIELDS), True]
    where = [r.id, OPEN, r.secret]
    if store.is_sqlite():
        source = "healthcheck_round WHERE id = ? AND status = ? AND secret = ?"
        saved = await store.rows(_answer_sql(values, source), [*answer, *where])
        if not saved:
            raise Closed()
        new = bool(await store.rows(_RESPONDENT.format(source=source), [member, *where]))
    else:
        got = await store.rows(
            f"WITH r AS ({_OPEN_ROUND} FOR SHARE), "
            f"resp AS ({_RESPONDENT.format(source='r')}), "
            f"ans AS ({_answer_sql(values, 'r')}) "
            "SELECT (SELECT COUNT(*) FROM ans) AS saved, (SELECT COUNT(*) FROM resp) AS new",
            [*where, member, *answer],
        )
        if not got or not got[0]["saved"]:
            raise Closed()
        new = bool(got[0]["new"])
    return await logic.respondents(r.id) if new else None


_SHEET = (
    "SELECT item_id, colour, trend, comment, NULL AS note FROM healthcheck_answer "
    "WHERE round_id = ? AND token = ? "
    "UNION ALL SELECT NULL, NULL, NULL, NULL, text FROM healthcheck_note "
    "WHERE round_id = ? AND token = ?"
)


async def sheet(r: Round, member: str) -> Sheet:
    """``member``'s own answers and note in the open round ``r``, in one statement."""
    if not r.secret or r.status != OPEN:
        return Sheet()
    token = logic.ballot_token(r.secret, r.id, member)
    out = Sheet()
    for row in await store.rows(_SHEET, [r.id, token, r.id, token]):
        if row["item_id"] is None:
            out.note = row["note"]
        else:
            item = int(row["item_id"])
            out.answers[item] = Answer(
                round_id=r.id,
                item_id=item,
                colour=row["colour"],
                trend=row["trend"],
                comment=row["comment"],
            )
    return out
