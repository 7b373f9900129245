"""`copkit -v` logs more, but never SQL with its values (they would hold anonymous answers)."""

from __future__ import annotations

import logging

from copkit.cli import main


def test_verbose_keeps_sql_out_of_the_log(capsys):
    logging.getLogger().setLevel(logging.DEBUG)
    assert main(["-v", "version"]) == 0
    for name in ("tortoise.db_client", "asyncpg", "aiosqlite"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.INFO
