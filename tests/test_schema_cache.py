"""A new SQLite database starts as a copy of the cached migrated one (copkit.core.schema_cache):
the same schema and migration records as migrating it, made once per set of apps; a damaged
cache is made again, an existing file is left alone, and a cache that cannot be written only
means the migrations run as before."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from copkit.core import schema_cache
from copkit.core.plugins import build_registry, make_plugin_manager
from copkit.core.storage import CORE_APPS, upgrade_database

MODELS = build_registry(
    make_plugin_manager(["copkit.plugins.core_commands"], entry_points_group=None)
).models


def schema(path: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    conn = sqlite3.connect(path)
    try:
        objects = conn.execute(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1, 2"
        ).fetchall()
        applied = conn.execute("SELECT app, name FROM tortoise_migrations ORDER BY 1, 2").fetchall()
    finally:
        conn.close()
    return objects, applied


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("COPKIT_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def builds(monkeypatch) -> list[Path]:
    made: list[Path] = []
    settle = schema_cache._settle

    def counted(path: Path) -> None:
        made.append(path)
        settle(path)

    monkeypatch.setattr(schema_cache, "_settle", counted)
    return made


async def test_new_databases_are_copies_of_one_migration(tmp_path, cache, builds, monkeypatch):
    await upgrade_database(f"sqlite://{tmp_path / 'first.db'}", MODELS)
    await upgrade_database(f"sqlite://{tmp_path / 'second.db'}", MODELS)
    assert len(builds) == 1, "the apps are migrated once, into the cache"
    assert [p.name for p in cache.iterdir()] == [
        f"schema-{schema_cache.digest(MODELS, CORE_APPS)}.db"
    ]
    monkeypatch.setenv("COPKIT_CACHE_DIR", "off")
    await upgrade_database(f"sqlite://{tmp_path / 'plain.db'}", MODELS)
    plain = schema(tmp_path / "plain.db")
    assert plain[0] and plain[1]
    assert schema(tmp_path / "first.db") == plain == schema(tmp_path / "second.db")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


async def test_a_damaged_cache_is_made_again_and_a_file_left_alone(tmp_path, cache, builds):
    await upgrade_database(f"sqlite://{tmp_path / 'a.db'}", MODELS)
    (template,) = cache.iterdir()
    template.write_bytes(b"not a database" * 100)
    await upgrade_database(f"sqlite://{tmp_path / 'b.db'}", MODELS)  # migrated as before
    assert schema(tmp_path / "b.db") == schema(tmp_path / "a.db")
    await upgrade_database(f"sqlite://{tmp_path / 'c.db'}", MODELS)  # the cache is made again
    assert len(builds) == 2 and schema(tmp_path / "c.db") == schema(tmp_path / "a.db")
    before = (tmp_path / "a.db").stat().st_mtime_ns, (tmp_path / "a.db").stat().st_ino
    assert not await schema_cache.start_from_cache(str(tmp_path / "a.db"), MODELS, (), _fail)
    assert ((tmp_path / "a.db").stat().st_mtime_ns, (tmp_path / "a.db").stat().st_ino) == before


async def _fail(url: str) -> None:
    raise AssertionError("an existing file is never migrated into the cache")


async def test_a_cache_that_cannot_be_written_only_means_migrating(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    monkeypatch.setenv("COPKIT_CACHE_DIR", str(blocker / "cache"))
    await upgrade_database(f"sqlite://{tmp_path / 'x.db'}", MODELS)
    objects, applied = schema(tmp_path / "x.db")
    assert objects and applied
