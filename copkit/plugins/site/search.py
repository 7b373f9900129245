"""Search across a community's archive: minutes, notes, takeaways, talks and health results.

The formats hand their documents over (``copkit_site_documents``); :func:`refresh` keeps the
``site_document`` table equal to them (changed ones by digest), and :func:`search` asks the
database's own full-text engine: an FTS5 table on SQLite; on PostgreSQL a stored ``tsvector``
column (generated from the title and body, so a search reads it instead of parsing every
document of the community again) with a GIN index. Both are created on first use
(``IF NOT EXISTS``), by whichever process comes first.
"""

from __future__ import annotations

import hashlib
import re
import weakref
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tortoise import connections

from copkit.core import store
from copkit.core.context import Scope
from copkit.core.models import LogEntry
from copkit.core.site import SiteDocument

from .models import Document, IndexState

MAX_QUERY = 200
MAX_RESULTS = 50
RECHECK = timedelta(minutes=10)  # refresh anyway after this long (a change not logged)
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Hit:
    key: str
    event_ref: str
    format: str
    kind: str
    title: str
    day: date
    snippet: str


_PG_INDEX = (
    "ALTER TABLE site_document ADD COLUMN IF NOT EXISTS tsv tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple', title || ' ' || body)) STORED",
    "CREATE INDEX IF NOT EXISTS site_document_tsv ON site_document USING gin (tsv)",
    "DROP INDEX IF EXISTS site_document_fts",  # the expression index of earlier versions
)
_ensured: weakref.WeakSet[Any] = weakref.WeakSet()  # the connections it was made (or found) on


async def _ensure_index() -> None:
    conn = connections.get("default")
    if conn in _ensured:
        return
    if store.is_sqlite():
        await store.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS site_fts USING fts5(title, body, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
    else:
        for statement in _PG_INDEX:
            await store.execute(statement)
    _ensured.add(conn)


def _digest(d: SiteDocument) -> str:
    raw = "\x00".join(
        [d.event_ref, d.format, d.kind, d.title, d.day.isoformat(), d.text, str(d.whole)]
    )
    return hashlib.sha256(raw.encode()).hexdigest()


async def current(scope: Scope) -> None:
    """Refresh the index if the community's log moved since (or it is old)."""
    await _ensure_index()
    cid = scope.community.id
    ids = (
        await LogEntry.filter(community_id=cid)
        .order_by("-id")
        .limit(1)
        .values_list("id", flat=True)
    )
    last = ids[0] if ids else 0
    state = await IndexState.get_or_none(community_id=cid)
    now = scope.now()
    if state is not None and state.log_id == last and now - state.at < RECHECK:
        return
    await refresh(scope)
    await store.upsert(IndexState, {"community_id": cid}, {"log_id": last, "at": now})


async def refresh(scope: Scope) -> int:
    """Bring the index up to date with what the formats hold; the number of documents changed."""
    await _ensure_index()
    cid = scope.community.id
    docs = {d.key[:200]: d for d in await scope.services.hooks.site_documents(scope)}
    known = {
        key: (rid, digest)
        for rid, key, digest in await Document.filter(community_id=cid).values_list(
            "id", "key", "digest"
        )
    }
    sqlite = store.is_sqlite()
    changed = 0
    for key, (rid, _old) in known.items():
        if key not in docs:
            await Document.filter(id=rid).delete()
            if sqlite:
                await store.execute("DELETE FROM site_fts WHERE rowid = ?", [rid])
            changed += 1
    for key, d in docs.items():
        digest = _digest(d)
        if key in known and known[key][1] == digest:
            continue
        values = {
            "event_ref": d.event_ref[:100],
            "format": d.format[:50],
            "kind": d.kind[:20],
            "title": d.title[:300],
            "day": d.day,
            "body": d.text,
            "digest": digest,
            "whole": d.whole,
        }
        row = await store.upsert(Document, {"community_id": cid, "key": key}, values)
        if sqlite:
            await store.execute("DELETE FROM site_fts WHERE rowid = ?", [row.id])
            await store.execute(
                "INSERT INTO site_fts (rowid, title, body) VALUES (?, ?, ?)",
                [row.id, d.title, d.text],
            )
        changed += 1
    return changed


def _words(query: str) -> list[str]:
    return _WORD.findall(query[:MAX_QUERY])[:12]


def _snippet(body: str, words: list[str], width: int = 160) -> str:
    low = body.lower()
    at = min((i for i in (low.find(w.lower()) for w in words) if i >= 0), default=0)
    start = max(0, at - width // 3)
    text = body[start : start + width].replace("\n", " ").strip()
    return ("…" if start else "") + text + ("…" if start + width < len(body) else "")


async def search(scope: Scope, query: str) -> list[Hit]:
    """The documents matching every word of ``query``, best first (at most 50)."""
    words = _words(query)
    if not words:
        return []
    await current(scope)
    cid = scope.community.id
    columns = "d.id, d.key, d.event_ref, d.format, d.kind, d.title, d.day, d.body"
    if store.is_sqlite():
        match = " ".join('"' + w.replace('"', "") + '"' for w in words)
        found = await store.rows(
            f"SELECT {columns} FROM site_fts JOIN site_document d ON d.id = site_fts.rowid "
            "WHERE site_fts MATCH ? AND d.community_id = ? ORDER BY bm25(site_fts) LIMIT ?",
            [match, cid, MAX_RESULTS],
        )
    else:
        found = await store.rows(
            f"SELECT {columns} FROM site_document d WHERE d.community_id = ? AND "
            "d.tsv @@ plainto_tsquery('simple', ?) "
            "ORDER BY ts_rank(d.tsv, plainto_tsquery('simple', ?)) DESC, d.id LIMIT ?",
            [cid, " ".join(words), " ".join(words), MAX_RESULTS],
        )
    return [
        Hit(
            r["key"],
            r["event_ref"],
            r["format"],
            r["kind"],
            r["title"],
            r["day"] if isinstance(r["day"], date) else date.fromisoformat(str(r["day"])),
            _snippet(r["body"], words),
        )
        for r in found
    ]


async def archive(scope: Scope) -> list[Document]:
    """The index's whole records (one per event), oldest first: what the export holds."""
    await current(scope)
    return await Document.filter(community_id=scope.community.id, whole=True).order_by(
        "day", "event_ref"
    )
