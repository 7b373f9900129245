"""Shared fixtures: a database per test (a SQLite file, or PostgreSQL when
``COPKIT_TEST_POSTGRES_URL`` is set), a harness on it, and the fake Discord.

``db_url``, ``harness`` and ``harness_options`` come from copkit's pytest plugin
(copkit/pytest_plugin.py, entry point ``pytest11``; registered here if the installed copkit
predates the entry point)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest


def _per_worker(url: str | None) -> str | None:
    """With pytest-xdist, each worker gets a PostgreSQL database of its own beside the URL's
    (``<db>_gw0`` …): tests that empty the database (``reset_postgres``) or run whole processes on
    it never pull it from under the other worker. Without the right to create databases, the
    URL's own is shared as before."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    import asyncio
    import time

    import asyncpg

    head, _, tail = url.rpartition("/")
    name, mark, query = tail.partition("?")
    mine = f"{name}_{worker}"

    async def make() -> None:
        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", mine):
                await conn.execute(f'CREATE DATABASE "{mine}"')
        finally:
            await conn.close()

    for attempt in range(10):  # two workers copying template1 at the same moment: try again
        try:
            asyncio.run(make())
            return f"{head}/{mine}{mark}{query}"
        except Exception:
            time.sleep(0.3 * (attempt + 1))
    return url


# copkit's schema cache (copkit.core.schema_cache) in the temporary folder, shared by the
# processes tests start, never in the home folder of whoever runs the suite.
os.environ.setdefault(
    "COPKIT_CACHE_DIR",
    os.path.join(tempfile.gettempdir(), f"copkit-cache-{getattr(os, 'getuid', lambda: 0)()}"),
)

PG_URL = _per_worker(os.environ.get("COPKIT_TEST_POSTGRES_URL"))
if PG_URL:
    os.environ["COPKIT_TEST_POSTGRES_URL"] = PG_URL


ROOT = Path(__file__).resolve().parent.parent
STRAYS = ("copkit-files", "copkit.db", "copkit-teams.zip")
"""What copkit writes into the current directory by default: a test must write them into its
``tmp_path`` (``monkeypatch.chdir``, ``cwd=`` or ``COPKIT_FILES_DIR``), never into the checkout."""


@pytest.fixture(autouse=True)
def _nothing_written_into_the_checkout():
    before = {name for name in STRAYS if (ROOT / name).exists()}
    yield
    appeared = [name for name in STRAYS if (ROOT / name).exists() and name not in before]
    assert not appeared, f"this test wrote {appeared} into {ROOT}: use tmp_path"


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("copkit"):  # installed before the entry point existed
        config.pluginmanager.import_plugin("copkit.pytest_plugin")


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


TEAMS_SDKS = ("agents", "botbuilder")


@pytest.fixture(params=TEAMS_SDKS)
def teams_sdk(request) -> str:
    """Each Teams test runs on both SDK backends (``[teams] sdk``)."""
    return str(request.param)


@pytest.fixture
def teams_options(request, teams_sdk) -> dict[str, Any]:
    """How the ``env`` fixture's TeamsEnv is made: on ``teams_sdk``, with the test module's
    ``PLUGINS`` and, where the module sets ``TEAMS_DEMO = True``, the Teams demo plugin (its
    topics forgotten)."""
    options: dict[str, Any] = {"plugins": request.module.PLUGINS, "sdk": teams_sdk}
    if getattr(request.module, "TEAMS_DEMO", False):
        from fakes.teams_plugin import TOPICS, TeamsDemo

        TOPICS.clear()
        options["extra"] = [TeamsDemo()]
    return options


@pytest.fixture
async def env(db_url, teams_options):
    """copkit's Teams endpoint over loopback, with the fake Bot Connector (fakes/teams_env.py)."""
    from fakes.teams_env import TeamsEnv

    async with TeamsEnv(db_url, **teams_options) as e:
        yield e


requires_postgres = pytest.mark.skipif(not PG_URL, reason="set COPKIT_TEST_POSTGRES_URL to run")
