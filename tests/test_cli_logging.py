"""`copkit -v` logs more, but never SQL with its values nor Discord's gateway events and HTTP
bodies (they would hold anonymous answers)."""

from __future__ import annotations

import logging

from copkit.cli import main

HELD = ("tortoise.db_client", "asyncpg", "aiosqlite", "discord", "discord.gateway", "msrest")


def test_verbose_keeps_sql_out_of_the_log(capsys):
    root = logging.getLogger()
    saved = (
        root.level,
        {n: logging.getLogger(n).level for n in HELD},
    )
    root.setLevel(logging.DEBUG)
    try:
        assert main(["-v", "version"]) == 0
        for name in saved[1]:
            assert logging.getLogger(name).getEffectiveLevel() >= logging.INFO
        for name in ("discord.gateway", "discord.http", "msrest.http_logger"):  # payloads
            assert logging.getLogger(name).getEffectiveLevel() >= logging.INFO
    finally:
        root.setLevel(saved[0])
        for name, level in saved[1].items():
            logging.getLogger(name).setLevel(level)
