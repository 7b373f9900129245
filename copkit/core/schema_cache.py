"""A new SQLite database starts as a copy of a migrated one, when copkit has made one before.

Tortoise plans migrations by rebuilding its model state once per operation, so migrating an
empty database takes seconds, and ``copkit console --demo`` starts on a new temporary database
each time. The first time a set of apps is migrated, the result is kept in copkit's cache
folder (``$COPKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/copkit``, else ``~/.cache/copkit``), named
after a digest of tortoise's version and the apps' models and migrations; a new database file
for the same apps is then a copy of it, made with SQLite's backup API and put in place only if
the file still does not exist. Any failure here only means the migrations run as before.
PostgreSQL is not concerned (``copkit run`` migrates it once)."""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from .specs import Models

log = logging.getLogger("copkit.storage")


def _sources(module: str) -> list[Path]:
    spec = importlib.util.find_spec(module)
    if spec is None:
        return []
    if spec.submodule_search_locations:
        return sorted(p for d in spec.submodule_search_locations for p in Path(d).rglob("*.py"))
    return [Path(spec.origin)] if spec.origin else []


def digest(models: Sequence[Models], core_apps: Sequence[Models] = ()) -> str:
    """What a migrated database of these apps holds, in 12 hex digits."""
    import tortoise

    h = hashlib.sha256(tortoise.__version__.encode())
    for m in sorted({*core_apps, *models}, key=lambda m: (m.app, m.module)):
        h.update(f"|{m.app}|{m.module}|{m.migrations}".encode())
        for module in filter(None, (m.module, m.migrations)):
            for path in _sources(module):
                h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


def cache_dir() -> Path | None:
    """The folder copkit keeps its cache in (``None``: caching is off, ``COPKIT_CACHE_DIR=off``)."""
    chosen = os.environ.get("COPKIT_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no") else Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) / "copkit" if xdg else Path.home() / ".cache" / "copkit"


def _copy(source: Path, target: Path) -> None:
    """``source`` into ``target`` (a new file), whole, with SQLite's backup API."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _settle(path: Path) -> None:
    """One file, no WAL beside it: read-only copies of it then leave nothing behind."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=DELETE").fetchone()
    finally:
        conn.close()


async def start_from_cache(
    path: str,
    models: Sequence[Models],
    core_apps: Sequence[Models],
    migrate_into: Callable[[str], Awaitable[None]],
) -> bool:
    """Make the new SQLite file ``path`` a copy of the cached migrated database of ``models``
    (migrating one into the cache first when there is none, with ``migrate_into(url)``).
    ``False`` when the file exists already or anything fails (the caller migrates as usual)."""
    target = Path(path)
    folder = cache_dir()
    if folder is None or target.exists():
        return False
    try:
        template = folder / f"schema-{digest(models, core_apps)}.db"
        if not template.exists():
            folder.mkdir(parents=True, exist_ok=True)
            building = template.with_name(f"{template.stem}.{os.getpid()}.tmp")
            building.unlink(missing_ok=True)
            await migrate_into(f"sqlite://{building}")
            _settle(building)
            os.replace(building, template)  # whole or not at all, for processes started together
        staged = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            try:
                _copy(template, staged)
            except sqlite3.DatabaseError:
                template.unlink(missing_ok=True)  # damaged: the next new database makes it again
                raise
            os.link(staged, target)  # only if the file still does not exist
        finally:
            staged.unlink(missing_ok=True)
    except FileExistsError:
        return False  # another process made it meanwhile: it is migrated as usual
    except Exception as exc:  # a read-only home, a damaged cache: migrate as before
        log.info("schema cache not used for %s: %r", path, exc)
        return False
    log.debug("new database %s copied from %s", path, template)
    return True
