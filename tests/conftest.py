"""Shared fixtures: a database per test (a SQLite file, or PostgreSQL when
``COPKIT_TEST_POSTGRES_URL`` is set) and a harness on it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from copkit.testing import Harness

PG_URL = os.environ.get("COPKIT_TEST_POSTGRES_URL")


async def reset_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture
async def db_url(tmp_path: Path) -> str:
    """A fresh, empty database for this test."""
    if PG_URL:
        await reset_postgres(PG_URL)
        return PG_URL
    return f"sqlite://{tmp_path / 'copkit.db'}"


@pytest.fixture
async def harness(db_url: str):
    async with Harness(db_url) as h:
        yield h


requires_postgres = pytest.mark.skipif(not PG_URL, reason="set COPKIT_TEST_POSTGRES_URL to run")
