"""`copkit -v` logs more, but never SQL with its values (they would hold anonymous answers)."""

from __future__ import annotations

import logging

from copkit.cli import main


def test_verbose_keeps_sql_out_of_the_log(capsys):
    assert main(["-v", "version"]) == 0
    assert logging.getLogger("copkit").getEffectiveLevel() == logging.DEBUG
    for name in ("tortoise.db_client", "asyncpg", "aiosqlite"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.INFO
