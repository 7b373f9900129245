"""A pulse vote is saved in one round trip on PostgreSQL: ``healthcheck_pulse_vote``, a function
of the database's own, does what :func:`copkit.plugins.healthcheck.pulse.vote` does in
aiosqlite's thread on SQLite — take the open pulse's row lock, then set, change or take back the
member's one vote — as one transaction. Returns -1 if the pulse closed, else 1 if the vote
changed and 0 if not. Nothing to do on SQLite."""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

CREATE = """CREATE OR REPLACE FUNCTION healthcheck_pulse_vote(
    p_pulse integer, p_secret text, p_token text, p_option integer, p_withdraw boolean)
RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE healthcheck_pulse SET writes = writes + 1
        WHERE id = p_pulse AND status = 'open' AND secret = p_secret;
    IF NOT FOUND THEN  -- closed (or closing): nothing is written
        RETURN -1;
    END IF;
    IF p_withdraw THEN
        DELETE FROM healthcheck_pulse_vote
            WHERE pulse_id = p_pulse AND member = p_token AND option = p_option;
        RETURN 1;
    END IF;
    INSERT INTO healthcheck_pulse_vote AS v (pulse_id, member, option)
        VALUES (p_pulse, p_token, p_option)
        ON CONFLICT (pulse_id, member) DO UPDATE SET option = EXCLUDED.option
        WHERE v.option <> EXCLUDED.option;
    IF FOUND THEN
        RETURN 1;
    END IF;
    RETURN 0;
END $$"""

DROP = "DROP FUNCTION IF EXISTS healthcheck_pulse_vote(integer, text, text, integer, boolean)"


async def create_function(_apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    if str(client.capabilities.dialect) == "postgres":
        await client.execute_script(CREATE)


async def drop_function(_apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    if str(client.capabilities.dialect) == "postgres":
        await client.execute_script(DROP)


class Migration(migrations.Migration):
    dependencies = [("healthcheck", "0004_save_function")]

    initial = False

    operations = [ops.RunPython(create_function, drop_function)]
