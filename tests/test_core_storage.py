"""Migrations upgrade an existing database without losing data; start-up errors are one line."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from tortoise import Tortoise
from tortoise.migrations.api import migrate

from copkit.core.storage import CORE_MODELS, hide_password, tortoise_config


async def test_migration_upgrades_an_existing_sqlite_database_with_data(tmp_path):
    path = tmp_path / "old.db"
    config = tortoise_config(f"sqlite://{path}", [])
    await migrate(config=config, target="core.0001_initial")  # a database from release 0.0
    await Tortoise.close_connections()
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO copkit_community (platform, external_id, name, locale, timezone, settings, created_at)"
        " VALUES ('console', 'local', 'Old CoP', 'en', 'UTC', '{}', '2025-01-01 00:00:00+00:00')"
    )
    con.execute(
        "INSERT INTO copkit_job (community_id, handler, payload, room_id, due_at, cancelled)"
        " VALUES (1, 'demo.ring', '{\"text\": \"kept\"}', 'general', '2025-01-01 00:00:00+00:00', 0)"
    )
    con.commit()
    assert "attempts" not in [r[1] for r in con.execute("PRAGMA table_info(copkit_job)")]
    con.close()

    env = {**os.environ, "COPKIT_DATABASE_URL": f"sqlite://{path}"}
    done = subprocess.run(
        [sys.executable, "-m", "copkit", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout

    con = sqlite3.connect(path)
    assert "attempts" in [r[1] for r in con.execute("PRAGMA table_info(copkit_job)")]
    assert con.execute("SELECT name FROM copkit_community").fetchall() == [("Old CoP",)]
    assert con.execute("SELECT payload, attempts FROM copkit_job").fetchall() == [
        ('{"text": "kept"}', 0)
    ]
    con.close()
    # Upgrading again is a no-op.
    again = subprocess.run(
        [sys.executable, "-m", "copkit", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert again.returncode == 0, again.stderr


def test_unreachable_database_is_one_line_with_the_password_hidden(tmp_path):
    env = {**os.environ, "COPKIT_DATABASE_URL": "postgres://bob:s3cret@127.0.0.1:1/nowhere"}
    done = subprocess.run(
        [sys.executable, "-m", "copkit", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "postgres://bob:***@127.0.0.1:1/nowhere" in lines[0]
    assert "s3cret" not in done.stderr


def test_hide_password():
    assert hide_password("postgres://u:p@h:5/d") == "postgres://u:***@h:5/d"
    assert hide_password("sqlite://copkit.db") == "sqlite://copkit.db"
    assert hide_password("postgres://u:pa@ss@host/db") == "postgres://u:***@host/db"
    assert (
        hide_password("postgres://u@127.0.0.1:1/x?password=secret")
        == "postgres://u@127.0.0.1:1/x?password=***"
    )
    assert (
        hide_password("postgres://u@h/x?sslmode=require&sslpassword=k3y&x=1")
        == "postgres://u@h/x?sslmode=require&sslpassword=***&x=1"
    )
    said = hide_password("cannot reach 'postgres://a:b@h/d' nor postgres://c:d@e/f, sorry")
    assert said == "cannot reach 'postgres://a:***@h/d' nor postgres://c:***@e/f, sorry"
    assert hide_password("postgres://u@h/db") == "postgres://u@h/db"


@pytest.mark.parametrize(
    "url",
    ["postgres://u@127.0.0.1:1/x?password=secret", "postgres://u:pa@secret@127.0.0.1:1/x"],
)
def test_a_password_in_the_url_is_never_printed(tmp_path, url):
    env = {**os.environ, "COPKIT_DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", "copkit", "-v", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 1
    assert "secret" not in done.stdout + done.stderr, done.stderr
    assert "***" in done.stderr.strip().splitlines()[-1]


def test_core_models_have_migrations():
    assert CORE_MODELS.migrations == "copkit.core.migrations"


async def test_every_model_change_has_a_migration(tmp_path):
    """A model changed without ``copkit db makemigrations`` would break existing databases."""
    from tortoise.migrations.autodetector import MigrationAutodetector

    from copkit.core.plugins import build_registry, make_plugin_manager

    reg = build_registry(make_plugin_manager(entry_points_group=None))
    config = tortoise_config(f"sqlite://{tmp_path / 'mk.db'}", reg.models)
    await Tortoise.init(config=config)
    try:
        pending = await MigrationAutodetector(Tortoise.apps, config["apps"]).changes()
    finally:
        await Tortoise.close_connections()
    assert [f"{w.app_label}.{w.name}" for w in pending] == []


def test_pooled_postgres_connections_are_not_reset_on_every_release():
    """asyncpg's default reset is a round trip per release (tortoise releases after every
    statement outside a transaction); copkit keeps no session state on pooled connections."""
    from copkit.core import storage

    config = tortoise_config("postgresql://u:p@db.example:5432/copkit?minsize=2", [])
    default = config["connections"]["default"]
    assert default["engine"] == "tortoise.backends.asyncpg"
    assert default["credentials"]["reset"] is storage._keep_session
    assert (
        default["credentials"]["minsize"] == "2" and default["credentials"]["database"] == "copkit"
    )
    # SQLite keeps its URL form
    assert isinstance(tortoise_config("sqlite://x.db", [])["connections"]["default"], str)


def test_every_model_skips_tortoise_reading_its_source():
    """Tortoise reads each model's source for ``#:`` comments unless it says ``_no_comments``;
    copkit writes none, so every model (core and every plugin) skips it (start-up time)."""
    from tortoise.models import Model

    from copkit.core.plugins import build_registry, make_plugin_manager
    from copkit.core.storage import CORE_APPS

    registry = build_registry(make_plugin_manager(entry_points_group=None))
    import importlib

    modules = {m.module for m in [*CORE_APPS, *registry.models]}
    seen = []
    for name in sorted(modules):
        for obj in vars(importlib.import_module(name)).values():
            if isinstance(obj, type) and issubclass(obj, Model) and obj is not Model:
                if obj.__module__ == name:
                    seen.append(obj)
                    assert vars(obj).get("_no_comments") is True, obj.__qualname__
    assert len(seen) >= 70, len(seen)
