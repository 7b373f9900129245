"""Shared fixtures: a database per test (a SQLite file, or PostgreSQL when
``COPKIT_TEST_POSTGRES_URL`` is set), a harness on it, and the fake Discord.

``db_url``, ``harness`` and ``harness_options`` come from copkit's pytest plugin
(copkit/pytest_plugin.py); they are imported here too so that the suite also runs where copkit
was installed before the plugin's entry point existed."""

from __future__ import annotations

import os

import pytest

from copkit.pytest_plugin import (  # noqa: F401  (fixtures)
    copkit_database_template,
    db_url,
    harness,
    harness_options,
)

PG_URL = os.environ.get("COPKIT_TEST_POSTGRES_URL")


async def reset_postgres(url: str) -> None:
    """Empty the database at ``url`` (for tests that need PostgreSQL without any table)."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture
async def fake(monkeypatch):
    """A fake Discord (REST and gateway) on loopback, with discord.py pointed at it."""
    from fakes.discord_server import FakeDiscord

    f = FakeDiscord()
    await f.start()
    f.install(monkeypatch)
    yield f
    await f.close()


requires_postgres = pytest.mark.skipif(not PG_URL, reason="set COPKIT_TEST_POSTGRES_URL to run")
