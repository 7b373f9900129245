"""Anonymity: nothing links a person to an answer, for anyone, the leader included.

Five members answer with answers that are theirs alone: a secret word in each comment and note,
and one dimension each that only they rate red and "worse". Then the leader and a member walk
every health-check command (the test fails if a command is added and not walked), every export
and the community log, while the round is open and after it closed. Every piece of output, every
Python log record and, after the close, every row of every table is checked:

* a piece that holds someone's answer (a secret, or a colour) names nobody;
* a piece that names a member holds no answer;
* a private piece holds only its reader's own answers;
* the member → answer link (the ballot tokens and the round's secret they derive from) is
  nowhere once the round closed: not in any table of the database (all of them, introspected,
  whichever plugin made them), not in the bytes of the SQLite file or of its WAL (read as they
  are, not checkpointed first), not in PostgreSQL's pages, dead tuples and free space included
  (pageinspect), and not in any log record at any level.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from test_healthcheck_helpers import PLUGINS, item_ids, text_of

from copkit.core.plugins import build_registry, make_plugin_manager
from copkit.plugins.healthcheck import routes as R
from copkit.plugins.healthcheck.models import Answer, Note, Pulse, PulseVote, Respondent, Round
from copkit.testing import Harness

LEADER = "u-lead"
MEMBERS = ("u-ann", "u-bob", "u-cid", "u-dan", "u-eve")
IDLE = "u-zed"  # a member who never answers
SECRETS = {m: f"zq{n}x{n * 7}w" for n, m in enumerate(MEMBERS, 1)}  # comment words
NOTES = {m: f"nv{n}k{n * 3}j" for n, m in enumerate(MEMBERS, 1)}  # "What did we forget?" words
ANSWER_WORDS = re.compile(r"\b(green|amber|red|better|worse)\b|🟢|🟡|🔴|↗|↘", re.IGNORECASE)
PEOPLE = (LEADER, *MEMBERS, IDLE)


def _names(text: str) -> set[str]:
    return {p for p in PEOPLE if p in text}


def _secrets(text: str) -> set[str]:
    return {m for m in MEMBERS if SECRETS[m] in text or NOTES[m] in text}


def check_piece(text: str, where: str, reader: str | None = None, tokens: tuple[str, ...] = ()):
    """One piece of output (a message, a log line, a row) must not link a person to an answer."""
    owners = _secrets(text)
    names = _names(text)
    if owners:
        assert not names, f"{where}: answers of {owners} next to {names}: {text[:300]!r}"
    if names - {LEADER}:  # members named (participation) - then no answer content at all
        assert not ANSWER_WORDS.search(text), f"{where}: answer words next to {names}: {text!r}"
    if reader is not None:
        assert owners <= {reader}, f"{where}: {reader} sees answers of {owners - {reader}}"
    if "Your answer" in text or "Your note" in text:
        assert reader is not None, f"{where}: someone's own answer shown in public"
    for token in tokens:
        assert token not in text, f"{where}: a ballot token"


# Every health-check command, as typed, before and after the close.
def walk(dimension: str) -> dict[tuple[str, ...], list[str]]:
    return {
        ("healthcheck", "take"): ["healthcheck take"],
        ("healthcheck", "status"): ["healthcheck status"],
        ("healthcheck", "results"): ["healthcheck results", "healthcheck results 1"],
        ("healthcheck", "history"): ["healthcheck history"],
        ("healthcheck", "trend"): [f"healthcheck trend {dimension}", "healthcheck trend 1"],
        ("healthcheck", "export"): ["healthcheck export", "healthcheck export --format json"],
        ("healthcheck", "deck"): ["healthcheck deck"],
        ("healthcheck", "deck", "history"): ["healthcheck deck history"],
        ("healthcheck", "start"): ["healthcheck start"],  # refused while open
        ("healthcheck", "close"): [],  # run once, by the leader, below
        ("healthcheck", "comments"): ["healthcheck comments"],
        ("healthcheck", "approve"): ["healthcheck approve all"],
        ("healthcheck", "reject"): ["healthcheck reject 1"],
        ("healthcheck", "pulse"): [
            'healthcheck pulse "Enough coffee?" yes no',
            'healthcheck pulse "Enough tea?" yes no --public --closes-in 90m',
        ],
        ("healthcheck", "deck", "add"): [
            'healthcheck deck add "Tooling" --awesome "Tools help" --crappy "Tools hinder"'
        ],
        ("healthcheck", "deck", "edit"): ['healthcheck deck edit tooling --title "Our tools"'],
        ("healthcheck", "deck", "move"): ["healthcheck deck move tooling 2"],
        ("healthcheck", "deck", "retire"): ["healthcheck deck retire tooling"],
        ("healthcheck", "deck", "restore"): ["healthcheck deck restore tooling"],
        ("healthcheck", "deck", "use"): ["healthcheck deck use seed"],
        ("healthcheck", "deck", "reset"): ["healthcheck deck reset"],
    }


@pytest.fixture
async def h(db_url):
    async with Harness(db_url, plugins=PLUGINS, leader=LEADER) as h:
        yield h


async def _tables() -> list[str]:
    """Every table of the database, whichever plugin (or adapter) made it."""
    from tortoise import Tortoise

    conn = Tortoise.get_connection("default")
    if conn.capabilities.dialect == "sqlite":
        _n, rows = await conn.execute_query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        _n, rows = await conn.execute_query(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
    return [r[0] for r in rows]


async def _all_rows(h: Harness) -> list[tuple[str, str]]:
    """Every row of every table, as text."""
    from tortoise import Tortoise

    conn = Tortoise.get_connection("default")
    out = []
    for table in await _tables():
        for row in await conn.execute_query_dict(f'SELECT * FROM "{table}"'):
            out.append((table, " | ".join(str(v) for v in row.values())))
    return out


async def _raw_bytes(db_url: str) -> dict[str, bytes]:
    """What an operator with the files can read: on SQLite the database file and its WAL as
    they are; on PostgreSQL every page of every table and index (live rows, dead tuples and
    free space alike)."""
    if db_url.startswith("sqlite://"):
        path = Path(db_url.removeprefix("sqlite://").split("?")[0])
        out = {"main file": path.read_bytes()}
        wal = path.with_name(path.name + "-wal")
        out["WAL"] = wal.read_bytes() if wal.exists() else b""
        return out
    import asyncpg

    conn = await asyncpg.connect(db_url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        rels = await conn.fetch(
            "SELECT c.oid::regclass::text AS name, c.relpages FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname IN (current_schema(), 'pg_toast') AND c.relkind IN ('r', 'i', 't')"
        )
        out = {}
        for rel in rels:
            pages = await conn.fetchval(
                "SELECT pg_relation_size($1::regclass) / current_setting('block_size')::int",
                rel["name"],
            )
            chunks = [
                await conn.fetchval("SELECT get_raw_page($1, $2)", rel["name"], i)
                for i in range(pages)
            ]
            out[rel["name"]] = b"".join(chunks)
        return out
    finally:
        await conn.close()


def _assert_unlinked(raw: dict[str, bytes], links: tuple[str, ...]) -> None:
    for where, data in raw.items():
        found = [t for t in links if t.encode() in data]
        assert not found, f"{len(found)} ballot tokens or secrets left in {where}"


async def test_nothing_links_a_person_to_an_answer(h, caplog, db_url):
    caplog.set_level(logging.DEBUG)  # every level, every logger (as ``copkit -v``)
    for name in ("tortoise.db_client", "asyncpg", "aiosqlite"):  # SQL values: capped as the CLI
        caplog.set_level(logging.INFO, logger=name)
    reg = build_registry(make_plugin_manager(list(PLUGINS), entry_points_group=None))
    hc_commands = {p for p, c in reg.commands.items() if c.format == "healthcheck"}
    assert set(walk("x")) == hc_commands, "walk every health-check command"

    await h.say(LEADER, "healthcheck start --closes-in 2d")
    rid = int(h.last().buttons[0].action_id.rsplit(":", 1)[1])
    ids = await item_ids(rid)
    clicked: set[str] = set()

    async def click(who: str, action: str, values: dict | None = None) -> None:
        clicked.add(":".join(action.split(":")[:2]))
        await h.click(who, action, values)

    for n, who in enumerate(MEMBERS):
        await click(who, R.TAKE.build(round=rid))
        for i, iid in enumerate(ids):
            colour, trend = ("red", "worse") if i == n else ("green", "same")
            await click(who, R.COLOUR.build(round=rid, item=iid), {"selected": [colour]})
            await click(who, R.TREND.build(round=rid, item=iid), {"selected": [trend]})
        await click(who, R.COMMENT.build(round=rid, item=ids[n]), {"comment": f"so {SECRETS[who]}"})
        await click(who, R.FORGET.build(round=rid), {"text": f"we forgot {NOTES[who]}"})
        await click(who, R.CARD.build(round=rid, index=n + 1))  # review, change nothing
        await click(who, R.DONE.build(round=rid))
    # u-ann changes her mind on her red dimension: still red, now "better" (not an answer word
    # pattern anyone else has).
    await click("u-ann", R.TREND.build(round=rid, item=ids[0]), {"selected": ["better"]})
    await click("u-ann", R.MINE.build(round=rid))  # her answers, to her alone
    await click(IDLE, R.MINE.build(round=rid))
    tokens = set(await Answer.filter(round_id=rid).values_list("token", flat=True))
    tokens |= set(await Note.filter(round_id=rid).values_list("token", flat=True))
    assert len(tokens) == 5
    secret = (await Round.get(id=rid)).secret
    assert secret
    # No row pairs a member with a token, even while the round is open.
    for _table, row in await _all_rows(h):
        assert not (_names(row) and any(t in row for t in tokens)), row
    links: tuple[str, ...] = (*tokens, secret)
    before_close = max(await Respondent.all().values_list("id", flat=True))

    async def walk_all() -> None:
        for who in (LEADER, "u-ann", IDLE):
            for lines in walk("purpose").values():
                for line in lines:
                    await h.say(who, line)
            await h.say(who, "log")
            await h.say(who, "log --last 200")

    await walk_all()
    if db_url.startswith("sqlite://"):  # as on SQLite builds without SECURE_DELETE by default
        from tortoise import Tortoise

        await Tortoise.get_connection("default").execute_query("PRAGMA secure_delete = OFF")
    polls = [m.view.poll for m in h.messenger.log if m.view.poll is not None]
    assert {p.anonymous for p in polls} == {True, False}, "both kinds of pulse were started"
    for poll in {p.action_id: p for p in polls}.values():  # vote in each pulse
        for n, who in enumerate(MEMBERS):
            await click(who, f"{poll.action_id}:{n % 2}")
    votes = tuple(await PulseVote.all().values_list("member", flat=True))
    assert len(votes) == 10 and not set(votes) & set(PEOPLE)  # tokens, not member ids
    pulse_secrets = tuple(await Pulse.all().values_list("secret", flat=True))
    await h.say(LEADER, "healthcheck close")
    # Right after the close, before anything else runs: the files hold no link.
    raw = await _raw_bytes(db_url)
    _assert_unlinked(raw, links)
    assert any(b"u-ann" in data for data in raw.values())  # the scan sees the files' text
    await h.advance(days=3)  # the results' post, the pulses and any leftover timer
    links = (*links, *votes, *pulse_secrets)
    await walk_all()
    await h.say(LEADER, "healthcheck start --min-responses 3")  # a second round, open
    await walk_all()

    actions = {a for a in reg.actions if a.startswith("healthcheck")}
    assert actions <= clicked, f"walk every action: {actions - clicked}"

    # Every message (and every earlier version of an edited one), public or private.
    shown = 0
    for msg in h.messenger.log:
        for version in msg.history:
            check_piece(text_of(version), f"message {msg.id}", msg.private_to, links)
            shown += 1
    assert shown > 150
    # The results did come out, unattributed.
    results = [
        m.view
        for m in h.messenger.log
        if m.view.title == "Health check #1: results" and m.view.fields
    ]
    assert results and all(
        SECRETS[m] in text_of(results[0]) and NOTES[m] in text_of(results[0]) for m in MEMBERS
    )
    # Python log records.
    for rec in caplog.records:
        text = rec.getMessage() + (rec.exc_text or "")
        check_piece(text, f"log record {rec.name}", None, links)
    # The store: who responded is kept (re-inserted at the close, in a random order), the link
    # is gone.
    assert await Round.filter(id=rid, secret__not_isnull=True).count() == 0
    assert await Pulse.filter(status="closed", secret__not_isnull=True).count() == 0
    assert await PulseVote.all().count() == 0
    assert await Answer.filter(token__not_isnull=True).count() == 0
    assert await Note.filter(token__not_isnull=True).count() == 0
    kept = await Respondent.filter(round_id=rid).values_list("id", "member")
    assert sorted(m for _i, m in kept) == sorted(MEMBERS)
    assert all(i > before_close for i, _m in kept)
    rows = await _all_rows(h)
    tables = {t for t, _r in rows}
    assert {"healthcheck_answer", "copkit_shown_view", "copkit_log", "copkit_job"} <= tables
    for table, row in rows:
        check_piece(row, f"table {table}", None, links)
    # The row order does not give the answering order away.
    answered = [(iid, "red" if i == n else "green") for n in range(5) for i, iid in enumerate(ids)]
    stored = await Answer.filter(round_id=rid).order_by("id").values_list("item_id", "colour")
    assert sorted(stored) == sorted(answered) and list(stored) != answered
    # Nor do the files, whatever ran since.
    _assert_unlinked(await _raw_bytes(db_url), links)
