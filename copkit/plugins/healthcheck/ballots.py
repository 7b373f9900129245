"""Saving a member's answer in one trip to the database, and reading back their own sheet.

One answer is one transaction that takes the open round's row lock first (so it is ordered with
the close: it lands before and is counted, or finds the round closed and writes nothing), counts
the member in once, writes the one field they changed, and reads their own answers back for the
next card. On SQLite that is one function in aiosqlite's thread; on PostgreSQL one call of the
database function ``healthcheck_save`` (migration 0004). Either way the request's first write
(the person seen for the first time, the adapter's re-delivery record) goes with it.

The ballot token (an HMAC of the member under the round's secret) is computed here and sent with
the member only to count them in; no row pairs the two.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from copkit.core import writer
from copkit.core.errors import UserError
from copkit.core.i18n import _

from .logic import COMMENT_MAX, UNSET, Closed, Sheet, ballot_token, lock_open
from .models import Answer, Round
from .tally import COLOURS, TRENDS

PG_SAVE = "SELECT * FROM healthcheck_save(?::integer, ?, ?, ?, ?::integer, ?, ?)"

_ANSWER = (
    "INSERT INTO healthcheck_answer (round_id, item_id, token, {field}, approved)"
    " VALUES (?, ?, ?, ?, 1)"
    " ON CONFLICT (round_id, token, item_id) DO UPDATE SET {field} = excluded.{field}"
)
_ANSWER_SQL = {f: _ANSWER.format(field=f) for f in ("colour", "trend", "comment")}


@dataclass(frozen=True, slots=True)
class Saved:
    """What an answer changed: ``count`` is how many have responded if the member just became
    one (else ``None``), and ``sheet`` their own answers now."""

    count: int | None
    sheet: Sheet


def _checked(
    colour: Any, trend: Any, comment: Any, note: Any
) -> tuple[str, str | None]:  # (field, value)
    if colour is not UNSET and colour not in COLOURS:
        raise UserError(_("Pick green, amber or red."))
    if trend is not UNSET and trend not in TRENDS:
        raise UserError(_("Pick better, same or worse."))
    given = [
        (f, v)
        for f, v in (("colour", colour), ("trend", trend), ("comment", comment), ("note", note))
        if v is not UNSET
    ]
    if len(given) != 1:
        raise TypeError("save exactly one field")
    field, value = given[0]
    if field in ("comment", "note"):
        if value is not None and len(value) > COMMENT_MAX:
            raise UserError(_("Too long: at most {n} characters.").format(n=COMMENT_MAX))
        value = (value.strip() or None) if value else None
    return field, value


def _sqlite_step(
    round_id: int,
    secret: str,
    member: str,
    token: str,
    item_id: int | None,
    field: str,
    value: str | None,
) -> Any:
    def step(conn: sqlite3.Connection) -> list[dict[str, Any]]:
        if not lock_open(conn, "healthcheck_round", round_id, secret):
            return [{"r_count": -1}]
        n = 0
        joined = conn.execute(
            "INSERT INTO healthcheck_respondent (round_id, member) VALUES (?, ?)"
            " ON CONFLICT (round_id, member) DO NOTHING",
            (round_id, member),
        )
        if joined.rowcount:
            n = conn.execute(
                "SELECT COUNT(*) FROM healthcheck_respondent WHERE round_id = ?", (round_id,)
            ).fetchone()[0]
        if field == "note" and value is None:
            conn.execute(
                "DELETE FROM healthcheck_note WHERE round_id = ? AND token = ?", (round_id, token)
            )
        elif field == "note":
            conn.execute(
                "INSERT INTO healthcheck_note (round_id, token, text, approved) VALUES (?, ?, ?, 1)"
                " ON CONFLICT (round_id, token) DO UPDATE SET text = excluded.text",
                (round_id, token, value),
            )
        else:
            conn.execute(_ANSWER_SQL[field], (round_id, item_id, token, value))
        rows: list[dict[str, Any]] = [{"r_count": n}]
        rows += [
            {"r_count": n, "r_item": i, "r_colour": c, "r_trend": t, "r_comment": m}
            for i, c, t, m in conn.execute(
                "SELECT item_id, colour, trend, comment FROM healthcheck_answer"
                " WHERE round_id = ? AND token = ?",
                (round_id, token),
            ).fetchall()
        ]
        rows += [
            {"r_count": n, "r_note": text}
            for (text,) in conn.execute(
                "SELECT text FROM healthcheck_note WHERE round_id = ? AND token = ?",
                (round_id, token),
            ).fetchall()
        ]
        return rows

    return step


def _sheet(round_id: int, rows: list[dict[str, Any]]) -> Sheet:
    answers = {
        row["r_item"]: Answer(
            round_id=round_id,
            item_id=row["r_item"],
            colour=row.get("r_colour"),
            trend=row.get("r_trend"),
            comment=row.get("r_comment"),
        )
        for row in rows
        if row.get("r_item") is not None
    }
    note = next((row["r_note"] for row in rows if row.get("r_note") is not None), None)
    return Sheet(answers, note)


async def save(
    r: Round,
    member: str,
    item_id: int | None = None,
    *,
    colour: str | None = UNSET,
    trend: str | None = UNSET,
    comment: str | None = UNSET,
    note: str | None = UNSET,
) -> Saved:
    """Record (or change) one field of ``member``'s answer on item ``item_id`` (or their note)
    in open round ``r`` (as read by the request: its secret keys the token). The last write
    wins, and a member counts once however many times, or however concurrently, they answer."""
    field, value = _checked(colour, trend, comment, note)
    if field != "note" and item_id is None:
        raise TypeError("an answer needs its item")
    if not r.secret:
        raise Closed()
    token = ballot_token(r.secret, r.id, member)
    values = (r.id, r.secret, member, token, item_id, field, value)
    rows = await writer.write(
        writer.Write(
            PG_SAVE,
            values,
            sqlite=_sqlite_step(r.id, r.secret, member, token, item_id, field, value),
        )
    )
    count = int(rows[0]["r_count"]) if rows else -1
    if count < 0:
        raise Closed()
    return Saved(count or None, _sheet(r.id, rows))
